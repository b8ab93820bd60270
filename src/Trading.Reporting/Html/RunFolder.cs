using System.Globalization;
using System.Text;
using System.Text.Json;
using Sylvan.Data.Csv;
using Trading.Reporting.Metrics;

namespace Trading.Reporting.Html;

/// <summary>One row of a run's nav.csv. <see cref="Benchmark"/> is the benchmark's level (NaN when absent).</summary>
public sealed record RunNav(DateOnly Date, decimal Nav, decimal Cash, decimal MarketValue, double Benchmark);

/// <summary>One fill of trades.csv.</summary>
public sealed record RunTrade(
    DateOnly Date, string Symbol, string Side, long Quantity, decimal Price, decimal Amount,
    decimal Commission, decimal StampDuty, decimal TransferFee, decimal OtherFees, string OrderId, string FillId)
{
    public decimal Fees => Commission + StampDuty + TransferFee + OtherFees;
    public bool IsBuy => Side.Equals("buy", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One order of orders.csv (status: filled, cancelled, risk_rejected, …).</summary>
public sealed record RunOrder(
    DateOnly Date, string OrderId, string Symbol, string Side, long Quantity, decimal LimitPrice, string Status,
    long FilledQuantity, decimal AveragePrice, decimal Fees, string Rule, string Reason);

/// <summary>One end-of-day holding of positions.csv.</summary>
public sealed record RunPosition(DateOnly Date, string Symbol, long Quantity, long Sellable, decimal Price, decimal MarketValue, decimal Cost);

/// <summary>One line of risk_events.csv: alerts (drawdown, cancel-rate, …) and risk rejections (kind risk-reject, source = rule).</summary>
public sealed record RunRiskEvent(string Time, string Kind, string Source, string Symbol, string OrderId, string Message);

/// <summary>
/// One line of risk.csv: the ex-ante risk of a rebalance (section summary / style / industry; see Trading.Backtest.RiskCsv).
/// Numbers are NaN where the cell is empty.
/// </summary>
public sealed record RunRiskRow(DateOnly Date, string Section, string Name, double Portfolio, double Benchmark, double Active, double Lower, double Upper, string Note);

/// <summary>
/// The files of one backtest (or live) run folder: nav.csv, trades.csv, orders.csv, positions.csv, risk_events.csv,
/// summary.json and, for strategies with a risk model, risk.csv. Only nav.csv is required; a missing optional file reads as empty.
/// </summary>
public sealed class RunFolder
{
    public RunFolder(
        IReadOnlyList<RunNav> nav,
        IReadOnlyList<RunTrade>? trades = null,
        IReadOnlyList<RunOrder>? orders = null,
        IReadOnlyList<RunPosition>? positions = null,
        IReadOnlyList<RunRiskEvent>? riskEvents = null,
        string? summaryJson = null,
        string? path = null)
    {
        Nav = nav;
        Trades = trades ?? [];
        Orders = orders ?? [];
        Positions = positions ?? [];
        RiskEvents = riskEvents ?? [];
        SummaryJson = summaryJson;
        Path = path;
    }

    /// <summary>The folder it was loaded from (null when built in memory).</summary>
    public string? Path { get; }
    public IReadOnlyList<RunNav> Nav { get; }
    public IReadOnlyList<RunTrade> Trades { get; }
    public IReadOnlyList<RunOrder> Orders { get; }
    public IReadOnlyList<RunPosition> Positions { get; }
    public IReadOnlyList<RunRiskEvent> RiskEvents { get; }
    /// <summary>risk.csv: ex-ante risk per rebalance (empty when the run has none).</summary>
    public IReadOnlyList<RunRiskRow> ExAnte { get; init; } = [];
    /// <summary>summary.json as written by the run (null when absent).</summary>
    public string? SummaryJson { get; }

    /// <summary>A string field of summary.json ("strategy", "start", …), or null.</summary>
    public string? SummaryString(string name)
    {
        if (SummaryJson is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(SummaryJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v))
                return v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText();
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>Reads a run folder (Sylvan.Data.Csv). Unreadable cells throw <see cref="MetricsInputException"/> naming file, line and column.</summary>
    public static RunFolder Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"run folder not found: {dir}");
        var navPath = System.IO.Path.Combine(dir, "nav.csv");
        if (!File.Exists(navPath)) throw new FileNotFoundException($"run folder {dir} has no nav.csv", navPath);
        var nav = Read(navPath, r => new RunNav(r.Date("date"), r.Dec("nav"), r.Dec("cash"), r.Dec("market_value"), r.Dbl("benchmark")));
        var trades = Read(System.IO.Path.Combine(dir, "trades.csv"), r => new RunTrade(
            r.Date("date"), r.Str("symbol"), r.Str("side"), r.Long("quantity"), r.Dec("price"), r.Dec("amount"),
            r.Dec("commission"), r.Dec("stamp_duty"), r.Dec("transfer_fee"), r.Dec("other_fees"), r.Str("order_id"), r.Str("fill_id")));
        var orders = Read(System.IO.Path.Combine(dir, "orders.csv"), r => new RunOrder(
            r.Date("date"), r.Str("order_id"), r.Str("symbol"), r.Str("side"), r.Long("quantity"), r.Dec("limit_price"), r.Str("status"),
            r.Long("filled_quantity"), r.Dec("average_price"), r.Dec("fees"), r.Str("rule"), r.Str("reason")));
        var positions = Read(System.IO.Path.Combine(dir, "positions.csv"), r => new RunPosition(
            r.Date("date"), r.Str("symbol"), r.Long("quantity"), r.Long("sellable"), r.Dec("price"), r.Dec("market_value"), r.Dec("cost")));
        var risk = Read(System.IO.Path.Combine(dir, "risk_events.csv"), r => new RunRiskEvent(
            r.Str("time"), r.Str("kind"), r.Str("source"), r.Str("symbol"), r.Str("order_id"), r.Str("message")));
        var summaryPath = System.IO.Path.Combine(dir, "summary.json");
        var summary = File.Exists(summaryPath) ? File.ReadAllText(summaryPath, Encoding.UTF8) : null;
        var exAnte = Read(System.IO.Path.Combine(dir, "risk.csv"), r => new RunRiskRow(
            r.Date("date"), r.Str("section"), r.Str("name"), r.Dbl("portfolio"), r.Dbl("benchmark"), r.Dbl("active"), r.Dbl("lower"), r.Dbl("upper"), r.Str("note")));
        return new RunFolder(nav, trades, orders, positions, risk, summary, dir) { ExAnte = exAnte };
    }

    private static List<T> Read<T>(string path, Func<CsvRecord, T> map)
    {
        var list = new List<T>();
        if (!File.Exists(path)) return list;
        using var text = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < csv.FieldCount; i++) columns.TryAdd(csv.GetName(i).Trim().TrimStart('\uFEFF'), i);
        var rec = new CsvRecord(path, columns, csv);
        while (csv.Read())
        {
            if (csv.RowFieldCount == 1 && csv.GetFieldSpan(0).IsWhiteSpace()) continue;
            list.Add(map(rec));
        }
        return list;
    }

    /// <summary>Typed access to the current row; errors are <see cref="MetricsInputException"/>s naming file, line and column.</summary>
    private sealed class CsvRecord(string path, Dictionary<string, int> columns, CsvDataReader csv)
    {
        public string Str(string column) =>
            columns.TryGetValue(column, out var i) && i < csv.RowFieldCount ? csv.GetString(i) : "";

        private MetricsInputException Bad(string column, string value)
        {
            long line = csv.RowNumber + 1;
            return new MetricsInputException($"{path} line {line}: column '{column}': cannot read '{value}'", path, line);
        }

        public DateOnly Date(string column)
        {
            var s = Str(column).Trim();
            if (DateOnly.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            throw Bad(column, s);
        }

        public decimal Dec(string column)
        {
            var s = Str(column).Trim();
            if (s.Length == 0) return 0m;
            return decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(column, s);
        }

        public long Long(string column)
        {
            var s = Str(column).Trim();
            if (s.Length == 0) return 0;
            return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(column, s);
        }

        public double Dbl(string column)
        {
            var s = Str(column).Trim();
            if (s.Length == 0) return double.NaN;
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(column, s);
        }
    }

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyyMMdd", "yyyy/MM/dd"];
}
