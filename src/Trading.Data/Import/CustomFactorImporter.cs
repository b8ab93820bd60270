using Serilog;
using Sylvan.Data.Csv;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Import;

public sealed record CustomFactorImportOptions
{
    /// <summary>Reject the whole input on any error (nothing is written); otherwise bad rows are skipped and reported.</summary>
    public bool Strict { get; init; }
    /// <summary>Drop the stored values of this factor first; otherwise new rows replace stored ones with the same (date, symbol) and the rest is kept.</summary>
    public bool Replace { get; init; }
    public StoreLockOptions Lock { get; init; } = StoreLockOptions.Default;
    /// <summary>Test hook: runs after the new version is written and before it becomes current.</summary>
    public Action? BeforeSwap { get; init; }
}

public sealed record CustomFactorImportResult(ImportReport Report, bool Written, MarketStore? Store, int ReplacedRows, string? Rejection);

/// <summary>
/// Imports custom factor values (<c>date,symbol,value</c> CSV, a file or a folder of <c>.csv</c>/<c>.csv.gz</c>) into a
/// store under a name, for <c>custom(name=…)</c> in a strategy. Read and validated row by row like bars (same decoding,
/// file-level failures, report of file, line and column): a bad symbol or date, an empty or non-finite value, a date
/// after today in Shanghai, a symbol the store has no bars of (<see cref="IssueKind.UnknownSymbol"/>), a date that is not
/// one of the store's trading days (<see cref="IssueKind.NotATradingDay"/>) are errors, and a (date, symbol) given twice
/// rejects every copy (which one is right cannot be known). By default the rows are merged into the stored factor —
/// new rows replace stored ones with the same key — so a provider's daily file can be appended day by day; with
/// <see cref="CustomFactorImportOptions.Replace"/> the input is the factor's whole history. The store changes only by
/// an atomic swap to a new version, under its write lock.
/// </summary>
public static class CustomFactorImporter
{
    private static readonly ILogger Log = Serilog.Log.ForContext(typeof(CustomFactorImporter));

    public static async Task<CustomFactorImportResult> ImportAsync(string input, string name, string storeDir, CustomFactorImportOptions options,
        CancellationToken ct = default)
    {
        if (!CustomFactorEntry.IsName(name))
            throw new FormatException($"--name '{Text.Printable.Escape(name)}' is not a factor name (letters, digits, '_', starting with a letter, at most 64).");
        if (!MarketStore.Exists(storeDir))
            throw new StoreException($"No store at '{Text.Printable.Escape(storeDir)}' (no {MarketStore.CurrentFile} file); import market data first with 'trading data import'.");
        using var writeLock = await StoreWriteLock.AcquireAsync(storeDir, options.Lock, ct);
        var store = MarketStore.Open(storeDir);
        var report = new ImportReport();
        var rows = Read(input, store, report, DataImporter.ShanghaiToday());
        if (options.Strict && report.HasErrors)
            return new(report, false, null, 0, $"{report.ErrorCount} errors under --strict");
        if (rows.Count == 0)
            return new(report, false, null, 0, "no valid row in the input");

        int replaced = 0;
        if (!options.Replace && store.HasCustomFactor(name))
        {
            var stored = await store.ReadCustomFactorAsync(name, ct);
            for (int i = 0; i < stored.Count; i++)
            {
                if (rows.ContainsKey((stored.Symbol[i], stored.Date[i]))) { replaced++; continue; }
                rows[(stored.Symbol[i], stored.Date[i])] = stored.Value[i];
            }
        }
        var ordered = rows.OrderBy(r => r.Key.Symbol).ThenBy(r => r.Key.Day).ToArray();
        var columns = new CustomFactorRows(ordered.Select(r => r.Key.Symbol).ToArray(), ordered.Select(r => r.Key.Day).ToArray(),
            ordered.Select(r => r.Value).ToArray(), ordered.Length);
        var source = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {(options.Replace ? "replace" : "merge")} {Path.GetFullPath(input)}";
        var written = await MarketStore.WriteCustomFactorAsync(storeDir, name, columns, source, writeLock, options.BeforeSwap, ct);
        Log.Information("Imported custom factor {Factor}: {Accepted} of {Read} rows from {Input} into {Store} version {Version} ({Rows} rows stored, {Replaced} replaced, {Errors} errors)",
            name, report.RowsAccepted, report.RowsRead, input, storeDir, written.Manifest.Version, columns.Count, replaced, report.ErrorCount);
        return new(report, true, written, replaced, null);
    }

    /// <summary>Reads and validates the input against the store; returns the good rows by (packed symbol, day number).</summary>
    internal static Dictionary<(int Symbol, int Day), double> Read(string input, MarketStore store, ImportReport report, DateOnly? latest)
    {
        var symbols = store.Manifest.Symbols.ToHashSet();
        var days = store.Manifest.Days.ToHashSet();
        DateOnly? first = store.Manifest.Days.Length > 0 ? DateOnly.FromDayNumber(store.Manifest.Days[0]) : null;
        DateOnly? last = store.Manifest.Days.Length > 0 ? DateOnly.FromDayNumber(store.Manifest.Days[^1]) : null;
        var rows = new Dictionary<(int, int), double>();
        // Where each key was first seen, and the keys given more than once (all their copies are rejected).
        var seen = new Dictionary<(int, int), (string File, long Line)>();
        var duplicated = new HashSet<(int, int)>();
        foreach (var file in InputFiles.Discover(input))
        {
            var name = Path.GetFileName(file);
            var stats = report.File(name, "custom factor");
            var local = new List<((int, int) Key, double Value, long Line)>();
            var issues = new List<ImportIssue>();
            try
            {
                using var text = InputFiles.Open(file, report);
                using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
                int Col(string column)
                {
                    for (int i = 0; i < csv.FieldCount; i++)
                        if (InputFiles.NormalizeHeader(csv.GetName(i)) == column) return i;
                    issues.Add(new ImportIssue(IssueSeverity.Error, IssueKind.MissingColumn, name, 1, column,
                        $"required column '{column}' is missing (header: {string.Join(",", Enumerable.Range(0, csv.FieldCount).Select(csv.GetName))}); expected date,symbol,value"));
                    return -1;
                }
                int iDate = Col("date"), iSym = Col("symbol"), iValue = Col("value");
                while (csv.Read())
                {
                    if (csv.RowFieldCount == 1 && csv.GetFieldSpan(0).IsWhiteSpace()) continue; // blank line
                    long line = csv.RowNumber + 1;
                    if (iDate < 0 || iSym < 0 || iValue < 0) { local.Add(((0, 0), double.NaN, -line)); continue; }
                    if (Row(csv, name, line, iDate, iSym, iValue, symbols, days, first, last, latest, issues) is { } row) local.Add((row.Key, row.Value, line));
                    else local.Add(((0, 0), double.NaN, -line));
                }
                stats.Encoding = text.EncodingName;
            }
            catch (Exception e) when (DataImporter.FileFailure(e, file) is { } failure)
            {
                // The whole file is refused: none of its rows are kept.
                report.Add(failure);
                stats.RowsRead += local.Count;
                stats.RowsRejected += local.Count;
                continue;
            }
            foreach (var issue in issues) report.Add(issue);
            foreach (var (key, value, line) in local)
            {
                stats.RowsRead++;
                if (line < 0) { stats.RowsRejected++; continue; }
                if (seen.TryGetValue(key, out var at))
                {
                    var (symbol, day) = (Symbol.FromPacked(key.Item1), DateOnly.FromDayNumber(key.Item2));
                    report.Add(new ImportIssue(IssueSeverity.Error, IssueKind.DuplicateRow, name, line, null,
                        $"{symbol} on {day:yyyy-MM-dd} is given again (first at {at.File}:{at.Line}); every copy is rejected", symbol.ToString(), day));
                    stats.RowsRejected++;
                    if (duplicated.Add(key))
                    {
                        // The first copy was counted accepted: it is rejected too.
                        rows.Remove(key);
                        var firstFile = report.Files[at.File];
                        firstFile.RowsAccepted--;
                        firstFile.RowsRejected++;
                    }
                    continue;
                }
                seen[key] = (name, line);
                rows[key] = value;
                stats.RowsAccepted++;
            }
        }
        return rows;
    }

    private static ((int, int) Key, double Value)? Row(CsvDataReader csv, string file, long line, int iDate, int iSym, int iValue,
        HashSet<int> symbols, HashSet<int> days, DateOnly? first, DateOnly? last, DateOnly? latest, List<ImportIssue> issues)
    {
        string? symbolText = null;
        DateOnly? date = null;
        ((int, int), double)? Fail(IssueKind kind, string? column, string message)
        {
            issues.Add(new ImportIssue(IssueSeverity.Error, kind, file, line, column, message, symbolText, date));
            return null;
        }
        ReadOnlySpan<char> Field(int i) => i < csv.RowFieldCount ? csv.GetFieldSpan(i) : [];

        symbolText = Field(iSym).ToString();
        if (!Symbol.TryParse(symbolText, out var symbol, out var symbolError)) return Fail(IssueKind.BadSymbol, "symbol", symbolError);
        symbolText = symbol.ToString();
        if (FieldParser.Date(Field(iDate), out var day) is { } df) return Fail(df.Kind, "date", df.Message);
        date = day;
        if (latest is { } today && day > today)
            return Fail(IssueKind.FutureDate, "date", $"{day:yyyy-MM-dd} is after {today:yyyy-MM-dd} (today in Shanghai): a value cannot be dated after it is known");
        var valueText = Field(iValue).Trim();
        if (valueText.IsEmpty) return Fail(IssueKind.MissingValue, "value", "empty value");
        if (!double.TryParse(valueText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return Fail(IssueKind.MalformedNumber, "value", $"'{valueText.ToString()}' is not a number");
        if (!double.IsFinite(value)) return Fail(IssueKind.NonFiniteValue, "value", $"'{valueText.ToString()}' is not a finite number");
        if (!symbols.Contains(symbol.Packed)) return Fail(IssueKind.UnknownSymbol, "symbol", $"{symbol} has no bars in the store");
        if (!days.Contains(day.DayNumber))
            return Fail(IssueKind.NotATradingDay, "date", first is null ? "the store has no trading days"
                : day < first || day > last ? $"{day:yyyy-MM-dd} is outside the store's calendar ({first:yyyy-MM-dd} .. {last:yyyy-MM-dd})"
                : $"{day:yyyy-MM-dd} is not a trading day of the store");
        return ((symbol.Packed, day.DayNumber), value);
    }
}
