using System.Globalization;
using System.Text;
using Sylvan.Data.Csv;

namespace Trading.Reporting.Metrics;

/// <summary>
/// Reads a NAV series from CSV: a header with <c>date</c> (or <c>trade_date</c>) and <c>nav</c>, any other
/// columns ignored — so a backtest's nav.csv (date,nav,cash,market_value,benchmark) loads as it is. Dates are
/// yyyy-MM-dd, yyyyMMdd or yyyy/MM/dd; numbers use '.' as the decimal separator. Blank lines are skipped. The
/// series is validated like <see cref="PerformanceAnalyzer.Analyze"/> does (≥ 2 rows, positive finite NAV,
/// strictly increasing dates) and every error is a <see cref="MetricsInputException"/> naming file and line.
/// </summary>
public static class NavCsv
{
    public static IReadOnlyList<(DateOnly Date, double Nav)> Load(string path)
    {
        var (rows, lines) = DatedCsv.Read(path, ["nav"], null);
        DatedCsv.Validate(path, rows, lines, "NAV");
        return rows;
    }

    /// <summary>
    /// The <c>market_value</c> column of a backtest's nav.csv (for exposure when positions are not at hand).
    /// Values must be finite; dates strictly increasing.
    /// </summary>
    public static IReadOnlyList<(DateOnly Date, double MarketValue)> LoadMarketValue(string path)
    {
        var (rows, lines) = DatedCsv.Read(path, ["market_value"], null);
        for (int i = 0; i < rows.Count; i++)
        {
            if (!double.IsFinite(rows[i].Value))
                throw DatedCsv.Error(path, lines[i], $"market_value is {SeriesValidation.Text(rows[i].Value)}; it must be finite");
            if (i > 0 && rows[i].Date <= rows[i - 1].Date)
                throw DatedCsv.Error(path, lines[i], rows[i].Date == rows[i - 1].Date
                    ? $"duplicate date {SeriesValidation.Iso(rows[i].Date)} (same as the previous row)"
                    : $"date {SeriesValidation.Iso(rows[i].Date)} is earlier than the previous row's {SeriesValidation.Iso(rows[i - 1].Date)}; dates must be sorted ascending");
        }
        return rows;
    }
}

/// <summary>
/// Reads a benchmark close series from CSV: <c>date</c> (or <c>trade_date</c>) and <c>close</c>, other columns
/// ignored. A file without <c>close</c> but with <c>benchmark</c> — a backtest's nav.csv — is read from that
/// column, and there a blank cell (no benchmark that day) skips the row. Validation and errors as
/// <see cref="NavCsv"/> (≥ 2 rows, positive finite closes, strictly increasing dates; file and line named).
/// </summary>
public static class BenchmarkCsv
{
    public static IReadOnlyList<(DateOnly Date, double Close)> Load(string path)
    {
        var (rows, lines) = DatedCsv.Read(path, ["close", "benchmark"], "benchmark");
        DatedCsv.Validate(path, rows, lines, "benchmark close");
        return rows;
    }
}

internal static class DatedCsv
{
    private static readonly string[] DateColumns = ["date", "trade_date"];
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyyMMdd", "yyyy/MM/dd"];

    public static MetricsInputException Error(string path, long line, string message) =>
        new($"{path} line {line}: {message}", path, line);

    /// <summary>
    /// Reads (date, value) rows. <paramref name="valueColumns"/> are tried in order; when the one found is
    /// <paramref name="blankSkips"/>, rows with a blank value are skipped instead of rejected.
    /// Returns the rows and their physical line numbers (header = line 1).
    /// </summary>
    public static (List<(DateOnly Date, double Value)> Rows, List<long> Lines) Read(string path, string[] valueColumns, string? blankSkips)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        using var text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (text.Peek() < 0) throw Error(path, 1, $"the file is empty (expected a header such as date,{valueColumns[0]})");
        CsvDataReader created;
        try { created = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' }); }
        catch (FormatException e) { throw Error(path, 1, e.Message); }
        using var csv = created;
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < csv.FieldCount; i++) columns.TryAdd(csv.GetName(i).Trim().TrimStart('\uFEFF'), i);
        string found = string.Join(",", columns.Keys);
        int dateCol = -1;
        foreach (var c in DateColumns)
            if (columns.TryGetValue(c, out var idx)) { dateCol = idx; break; }
        if (dateCol < 0) throw Error(path, 1, $"required column 'date' is missing (header: {found})");
        int valueCol = -1;
        string valueName = valueColumns[0];
        foreach (var c in valueColumns)
            if (columns.TryGetValue(c, out var idx)) { valueCol = idx; valueName = c; break; }
        if (valueCol < 0)
            throw Error(path, 1, $"required column '{string.Join("' or '", valueColumns)}' is missing (header: {found})");
        bool skipBlank = valueName == blankSkips;

        var rows = new List<(DateOnly, double)>();
        var lines = new List<long>();
        while (csv.Read())
        {
            long line = csv.RowNumber + 1;
            if (csv.RowFieldCount == 1 && csv.GetFieldSpan(0).IsWhiteSpace()) continue;
            var dateText = Field(csv, dateCol);
            if (dateText.IsEmpty) throw Error(path, line, "date is empty");
            if (!DateOnly.TryParseExact(dateText, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw Error(path, line, $"cannot read date '{dateText.ToString()}' (expected yyyy-MM-dd)");
            var valueText = Field(csv, valueCol);
            if (valueText.IsEmpty)
            {
                if (skipBlank) continue;
                throw Error(path, line, $"{valueName} is empty");
            }
            if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw Error(path, line, $"cannot read {valueName} '{valueText.ToString()}' as a number");
            rows.Add((date, value));
            lines.Add(line);
        }
        return (rows, lines);
    }

    public static void Validate(string path, List<(DateOnly Date, double Value)> rows, List<long> lines, string what) =>
        SeriesValidation.Validate(rows, what, 2, (i, message) => i < 0
            ? new MetricsInputException($"{path}: {message}", path)
            : Error(path, lines[i], message));

    private static ReadOnlySpan<char> Field(CsvDataReader csv, int col) =>
        col < csv.RowFieldCount ? csv.GetFieldSpan(col).Trim() : [];
}
