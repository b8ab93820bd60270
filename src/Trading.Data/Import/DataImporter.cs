using System.Text;
using Serilog;
using Trading.Data.Enrichment;
using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Import;

public sealed record ImportOptions
{
    /// <summary>Reject the whole input on any error (nothing is written); otherwise bad rows are skipped and reported.</summary>
    public bool Strict { get; init; }
    public MarketRules Rules { get; init; } = MarketRules.Default;
    /// <summary>Test hook: runs after the new version is written and before it becomes current.</summary>
    public Action? BeforeSwap { get; init; }
    public IProgress<string>? Progress { get; init; }
    /// <summary>How to wait for the store's write lock (another import or synth writing the same store).</summary>
    public StoreLockOptions Lock { get; init; } = StoreLockOptions.Default;
    /// <summary>Accept trading dates after today in Shanghai (normally refused as errors: no such day has traded).</summary>
    public bool AllowFutureDates { get; init; }
    /// <summary>Test hook: "today" for the future-date check (default: today in Asia/Shanghai).</summary>
    public DateOnly? Today { get; init; }
}

public sealed record ImportResult(ImportReport Report, bool Written, MarketStore? Store, int ReplacedBars)
{
    /// <summary>Why nothing was written ("…errors under --strict", "no valid row…"), or null when written.</summary>
    public string? Rejection { get; init; }
    /// <summary>Stored valuations replaced by new rows with the same (symbol, date).</summary>
    public int ReplacedValuations { get; init; }
    /// <summary>Stored reports changed by new rows with the same (symbol, announcement date, end_date).</summary>
    public int ReplacedFinancials { get; init; }
}

/// <summary>
/// Reads an input (TuShare files or the generic long CSV), validates every row, enriches the bars (pre_close,
/// factors, ST, limits) and, for an import, merges them into the store: new rows replace stored rows with the same
/// (symbol, date), everything else is kept; likewise valuations (daily_basic) by (symbol, date) and financial
/// reports by (symbol, announcement date, end_date), each source (fina_indicator, income, balancesheet) replacing
/// only its own figures of the stored report. suspend_d is not stored: it is checked against the bars
/// (<see cref="SuspensionCheck"/>, warnings). The store is only ever changed by an atomic swap to a
/// complete new version.
/// </summary>
public static class DataImporter
{
    private static readonly ILogger Log = Serilog.Log.ForContext(typeof(DataImporter));

    /// <summary>Today in Shanghai: the last day any A-share can have traded.</summary>
    public static DateOnly ShanghaiToday()
    {
        TimeZoneInfo zone;
        try { zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { zone = TimeZoneInfo.CreateCustomTimeZone("CST", TimeSpan.FromHours(8), "CST", "CST"); }
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, zone));
    }

    /// <summary>Reads and validates an input without touching any store.</summary>
    public static ImportBatch Read(SourceFormat format, string input, IProgress<string>? progress = null) =>
        Read(format, input, new ImportOptions { Progress = progress });

    /// <summary>
    /// Reads and validates an input without touching any store. A file-level failure (bytes that are neither UTF-8
    /// nor GB18030, a truncated or damaged .gz, a row the CSV parser cannot delimit, an empty or special file) is one
    /// error naming the file and line, and none of that file's rows are kept: the read starts again without it (this
    /// costs a second read only when it happens).
    /// </summary>
    public static ImportBatch Read(SourceFormat format, string input, ImportOptions options)
    {
        var files = InputFiles.Discover(input);
        var failed = new Dictionary<string, ImportIssue>(StringComparer.Ordinal);
        DateOnly? latest = options.AllowFutureDates ? null : options.Today ?? ShanghaiToday();
        while (true)
        {
            var batch = new ImportBatch { LatestDate = latest };
            var failure = TryRead(batch, format, files, failed, options.Progress);
            if (failure is null) return batch;
            failed[failure.Value.File] = failure.Value.Issue;
            Log.Warning("{File}: {Message}; reading the input again without it", failure.Value.File, failure.Value.Issue.Message);
        }
    }

    /// <summary>Reads every file not yet failed; returns the first file that fails while its rows are being added.</summary>
    private static (string File, ImportIssue Issue)? TryRead(ImportBatch batch, SourceFormat format, IReadOnlyList<string> files,
        Dictionary<string, ImportIssue> failed, IProgress<string>? progress)
    {
        batch.Files.AddRange(files);
        var kinds = new InputKind[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            if (failed.TryGetValue(files[i], out var known))
            {
                batch.Report.File(Path.GetFileName(files[i]), "unreadable");
                batch.Report.Add(known);
                continue;
            }
            string[] names;
            try
            {
                using var text = InputFiles.Open(files[i]);
                names = (text.ReadLine() ?? "").Split(',');
            }
            catch (Exception e) when (FileFailure(e, files[i]) is { } issue)
            {
                batch.Report.File(Path.GetFileName(files[i]), "unreadable");
                batch.Report.Add(issue);
                failed[files[i]] = issue;
                continue;
            }
            var header = names.Select(InputFiles.NormalizeHeader).ToHashSet();
            kinds[i] = InputFiles.Classify(format, files[i], header);
            if (kinds[i] == InputKind.Unknown)
                batch.Report.Add(new ImportIssue(IssueSeverity.Error, IssueKind.UnreadableFile, Path.GetFileName(files[i]), 1, null,
                    format == SourceFormat.Csv
                        ? "not a generic bar file: expected columns date,symbol,open,high,low,close,volume,amount[,adj_factor]"
                        : "not a known TuShare file: expected daily, adj_factor, stock_basic, index_daily (file name index*), namechange, stk_limit, daily_basic, fina_indicator, income, balancesheet or suspend_d columns"));
        }

        var adjFactors = new Dictionary<(int, int), double>();
        var seen = new Dictionary<(int, int), (string, long)>();
        var seenValuations = new Dictionary<(int, int), (string, long)>();
        var latestReports = new Dictionary<(int, int, int), (int, int)>();
        var latestIncomes = new Dictionary<(int, int, int), (int, int)>();
        var latestBalances = new Dictionary<(int, int, int), (int, int)>();
        // adj_factor files first: daily rows without their own factor take it from them.
        foreach (int i in Enumerable.Range(0, files.Count).OrderBy(i => kinds[i] == InputKind.TuShareAdjFactor ? 0 : 1))
        {
            if (kinds[i] == InputKind.Unknown) continue;
            progress?.Report(Path.GetFileName(files[i]));
            try
            {
                switch (kinds[i])
                {
                    case InputKind.TuShareAdjFactor: ReferenceFileReaders.ReadAdjFactors(batch, files[i], adjFactors); break;
                    case InputKind.TuShareDaily: new BarFileReader(batch, BarColumns.TuShare, adjFactors, seen).Read(files[i], i); break;
                    case InputKind.GenericBars: new BarFileReader(batch, BarColumns.Generic, adjFactors, seen).Read(files[i], i); break;
                    case InputKind.TuShareStockBasic: ReferenceFileReaders.ReadStockBasic(batch, files[i]); break;
                    case InputKind.TuShareIndexDaily: ReferenceFileReaders.ReadIndexDaily(batch, files[i]); break;
                    case InputKind.TuShareNameChange: ReferenceFileReaders.ReadNameChanges(batch, files[i]); break;
                    case InputKind.TuShareStkLimit: ReferenceFileReaders.ReadStkLimits(batch, files[i]); break;
                    case InputKind.TuShareDailyBasic: ReferenceFileReaders.ReadDailyBasic(batch, files[i], seenValuations); break;
                    case InputKind.TuShareFinaIndicator: ReferenceFileReaders.ReadFinaIndicator(batch, files[i], latestReports); break;
                    case InputKind.TuShareIncome: ReferenceFileReaders.ReadIncome(batch, files[i], latestIncomes); break;
                    case InputKind.TuShareBalanceSheet: ReferenceFileReaders.ReadBalanceSheet(batch, files[i], latestBalances); break;
                    case InputKind.TuShareSuspendD: ReferenceFileReaders.ReadSuspendD(batch, files[i]); break;
                }
            }
            catch (Exception e) when (FileFailure(e, files[i]) is { } issue)
            {
                return (files[i], issue);
            }
        }
        return null;
    }

    /// <summary>The file-level error for an exception raised while reading a file, or null when it is not about the file.</summary>
    internal static ImportIssue? FileFailure(Exception e, string file)
    {
        var name = Path.GetFileName(file);
        ImportIssue Issue(long line, string message) => new(IssueSeverity.Error, IssueKind.UnreadableFile, name, Math.Max(1, line), null, message);
        return e switch
        {
            InputFileException f => Issue(f.Line, f.Detail),
            Sylvan.Data.Csv.CsvRecordTooLargeException t => Issue(t.RowNumber + 1,
                "a row longer than the CSV reader's 64K-character buffer: an unclosed quote, or not a CSV file; the file is refused"),
            Sylvan.Data.Csv.CsvMissingHeadersException => Issue(1, "no header row; the file is refused"),
            Sylvan.Data.Csv.CsvFormatException f => Issue(f.RowNumber + 1, $"malformed CSV ({f.Message}); the file is refused"),
            DecoderFallbackException d => Issue(1, $"undecodable bytes ({d.Message}); the file is refused"),
            InvalidDataException or IOException and not FileNotFoundException and not DirectoryNotFoundException =>
                Issue(1, $"cannot be read ({e.Message}); the file is refused"),
            UnauthorizedAccessException => Issue(1, $"cannot be opened ({e.Message})"),
            _ => null,
        };
    }

    /// <summary>Validates an input as an import would, including the checks that need whole symbol histories; writes nothing.</summary>
    public static ImportReport Validate(SourceFormat format, string input, MarketRules? rules = null, bool allowFutureDates = false)
    {
        var batch = Read(format, input, new ImportOptions { AllowFutureDates = allowFutureDates });
        var stocks = MergeStocks([], batch);
        var bars = batch.Bars;
        bars.SortAndDeduplicate();
        AddFindings(batch, BarEnricher.Enrich(bars, stocks, rules ?? MarketRules.Default, batch.PublishedLimits));
        SuspensionCheck.Run(batch, bars, stocks);
        return batch.Report;
    }

    public static async Task<ImportResult> ImportAsync(SourceFormat format, string input, string storeDir, ImportOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ImportOptions();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batch = Read(format, input, options);
        Log.Debug("Read {Rows} rows from {Input} in {Ms} ms", batch.Report.RowsRead, input, clock.ElapsedMilliseconds);
        if (options.Strict && batch.Report.HasErrors)
        {
            Log.Warning("Strict import of {Input} rejected: {Errors} errors; store {Store} unchanged", input, batch.Report.ErrorCount, storeDir);
            return new ImportResult(batch.Report, false, null, 0) { Rejection = $"{batch.Report.ErrorCount} errors under --strict" };
        }
        if (batch.Report.RowsAccepted == 0)
        {
            Log.Warning("Import of {Input} read no valid row; store {Store} unchanged", input, storeDir);
            return new ImportResult(batch.Report, false, null, 0)
            {
                Rejection = $"no valid row in the input ({batch.Report.RowsRead} rows read, {batch.Report.ErrorCount} errors)",
            };
        }

        // One writer at a time from here on: the version read below is the one the new version replaces.
        options.Progress?.Report("waiting for the store's write lock");
        using var writeLock = await StoreWriteLock.AcquireAsync(storeDir, options.Lock, ct);

        options.Progress?.Report("merging with the store");
        BarTable merged;
        Dictionary<Symbol, StockInfo> stocks;
        var index = new List<IndexBar>();
        var sources = new List<string>();
        int replaced;
        IReadOnlyList<Valuation> storedValuations = [];
        IReadOnlyList<FinancialReport> storedReports = [];
        MarketStore? previous = null;
        if (MarketStore.Exists(storeDir))
        {
            var old = previous = MarketStore.Open(storeDir);
            var oldBars = await old.ReadBarsAsync(ct);
            stocks = MergeStocks(await old.ReadStocksAsync(ct), batch);
            index = MergeIndex(await old.ReadIndexAsync(ct), batch.IndexBars);
            // Only read what this batch changes; otherwise the stored files are copied as they are.
            if (batch.Valuations.Count > 0) storedValuations = await old.ReadValuationsAsync(ct);
            if (batch.HasReports) storedReports = await old.ReadFinancialsAsync(ct);
            sources.AddRange(old.Manifest.Sources);
            merged = BarTable.Concat(oldBars, batch.Bars);
        }
        else
        {
            stocks = MergeStocks([], batch);
            index = MergeIndex([], batch.IndexBars);
            merged = batch.Bars;
        }
        replaced = merged.SortAndDeduplicate();
        Log.Debug("Merged to {Bars} bars at {Ms} ms", merged.Count, clock.ElapsedMilliseconds);

        options.Progress?.Report("enriching bars (pre-close, ST, limits)");
        AddFindings(batch, BarEnricher.Enrich(merged, stocks, options.Rules, batch.PublishedLimits));
        SuspensionCheck.Run(batch, merged, stocks);
        Log.Debug("Enriched at {Ms} ms", clock.ElapsedMilliseconds);
        if (options.Strict && batch.Report.HasErrors)
            return new ImportResult(batch.Report, false, null, 0) { Rejection = $"{batch.Report.ErrorCount} errors under --strict" };

        // Fundamentals: new rows replace stored rows with the same key; untouched kinds are carried over as stored.
        int replacedValuations = 0, replacedReports = 0;
        List<Valuation>? valuations = batch.Valuations.Count == 0 ? null
            : FundamentalsOrder.Merge(storedValuations, batch.Valuations, FundamentalsOrder.Compare, out replacedValuations);
        List<FinancialReport>? reports = !batch.HasReports ? null
            : FundamentalsOrder.MergeReports(storedReports,
                [(batch.Financials, ReportParts.Indicators), (batch.Incomes, ReportParts.Income), (batch.BalanceSheets, ReportParts.BalanceSheet)], out replacedReports);

        options.Progress?.Report("writing the new store version");
        sources.Add($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {format.ToString().ToLowerInvariant()} {Path.GetFullPath(input)}");
        var store = await MarketStore.WriteCoreAsync(storeDir, merged, stocks.Values, index, valuations, reports, previous, sources, options.BeforeSwap, writeLock, ct);
        Log.Debug("Written at {Ms} ms", clock.ElapsedMilliseconds);
        Log.Information("Imported {Accepted} of {Read} rows from {Input} into {Store} version {Version} ({Bars} bars, {Replaced} replaced, {Valuations} valuations, {Reports} financial reports, {Errors} errors, {Warnings} warnings)",
            batch.Report.RowsAccepted, batch.Report.RowsRead, input, storeDir, store.Manifest.Version, store.Manifest.Bars, replaced,
            store.Manifest.Valuations, store.Manifest.FinancialReports, batch.Report.ErrorCount, batch.Report.WarningCount);
        return new ImportResult(batch.Report, true, store, replaced) { ReplacedValuations = replacedValuations, ReplacedFinancials = replacedReports };
    }

    private static void AddFindings(ImportBatch batch, List<RowFinding> findings)
    {
        foreach (var f in findings)
        {
            if (f.Tag < 0) continue; // about rows already in the store: reported when they were imported
            var (file, line) = batch.Origin(f.Tag);
            batch.Report.Add(new ImportIssue(IssueSeverity.Warning, f.Kind, file, line, f.Column, f.Message, f.Symbol.ToString(), f.Date));
        }
    }

    /// <summary>Stored reference data updated by the batch; namechange rows turn into exact ST spells.</summary>
    private static Dictionary<Symbol, StockInfo> MergeStocks(IEnumerable<StockInfo> stored, ImportBatch batch)
    {
        var stocks = stored.ToDictionary(s => s.Symbol);
        foreach (var s in batch.Stocks)
        {
            // Keep exact ST history already known unless this batch brings its own.
            stocks[s.Symbol] = stocks.TryGetValue(s.Symbol, out var old) && old.StSource is StSource.NameChange or StSource.Synthetic
                ? s with { StSpells = old.StSpells, StSource = old.StSource }
                : s;
        }
        foreach (var g in batch.NameChanges.GroupBy(n => n.Symbol))
        {
            var spells = g.Where(n => StockInfo.NameIsSt(n.Name)).OrderBy(n => n.Start).Select(n => new DateSpan(n.Start, n.End)).ToList();
            var info = stocks.TryGetValue(g.Key, out var s) ? s : new StockInfo(g.Key, g.OrderBy(n => n.Start).Last().Name, "", null, null, []);
            stocks[g.Key] = info with { StSpells = spells, StSource = StSource.NameChange };
        }
        return stocks;
    }

    private static List<IndexBar> MergeIndex(IEnumerable<IndexBar> stored, IEnumerable<IndexBar> added)
    {
        var map = new SortedDictionary<(string, DateOnly), IndexBar>();
        foreach (var b in stored) map[(b.Code, b.Date)] = b;
        foreach (var b in added) map[(b.Code, b.Date)] = b;
        return [.. map.Values];
    }
}
