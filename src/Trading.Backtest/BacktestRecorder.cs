using System.Globalization;
using System.Text;
using Trading.Brokers;
using Trading.Data.Csv;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Backtest;

/// <summary>One row of nav.csv.</summary>
public sealed record NavRow(DateOnly Date, decimal Nav, decimal Cash, decimal MarketValue, double Benchmark);

/// <summary>One row of positions.csv (end of day).</summary>
public sealed record PositionRow(DateOnly Date, Symbol Symbol, long Quantity, long Sellable, decimal Price, decimal MarketValue, decimal Cost);

/// <summary>
/// Collects what a run produces and writes it as CSV/JSON with a fixed order and invariant formatting, so the same
/// inputs give byte-identical files (nothing here reads a wall clock).
/// </summary>
public sealed class BacktestRecorder
{
    private readonly List<NavRow> _nav = [];
    private readonly List<Fill> _fills = [];
    private readonly HashSet<string> _fillIds = [];
    private readonly List<PositionRow> _positions = [];
    private readonly List<RiskAlert> _alerts = [];
    private readonly List<RiskRejection> _rejections = [];
    private readonly object _gate = new();

    public IReadOnlyList<NavRow> Nav => _nav;
    public IReadOnlyList<Fill> Fills => _fills;
    public IReadOnlyList<RiskAlert> Alerts => _alerts;
    public IReadOnlyList<RiskRejection> Rejections => _rejections;

    public void OnReport(BrokerReport r)
    {
        // Each fill once: a bridge replays and re-sends reports after a reconnect.
        if (r is OrderFilled f) lock (_gate) if (_fillIds.Add(f.Fill.FillId)) _fills.Add(f.Fill);
    }

    public void OnAlert(RiskAlert a) { lock (_gate) _alerts.Add(a); }
    public void OnRejections(IEnumerable<RiskRejection> r) { lock (_gate) _rejections.AddRange(r); }
    public void OnNav(NavRow row) => _nav.Add(row);

    public void OnPositions(DateOnly date, PositionBookState book)
    {
        foreach (var (symbol, p) in book.Positions)
            _positions.Add(new PositionRow(date, symbol, p.Quantity, p.Holding.Sellable, p.LastPrice, p.MarketValue, p.Cost));
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string D(decimal v) => v.ToString(Inv);
    private static string F(double v) => double.IsFinite(v) ? v.ToString("R", Inv) : "";
    private static string I(long v) => v.ToString(Inv);
    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", Inv);

    /// <summary>
    /// Writes nav.csv, trades.csv, orders.csv, positions.csv, risk_events.csv (through <see cref="CsvTable"/>: a field
    /// with a comma or a quote, such as an order id carrying the strategy's name, is quoted) and summary.json.
    /// </summary>
    public void Write(string dir, IReadOnlyList<OrderState> orders, string summaryJson)
    {
        Directory.CreateDirectory(dir);
        CsvTable.Write(Path.Combine(dir, "nav.csv"), ["date", "nav", "cash", "market_value", "benchmark"],
            _nav.Select(n => new[] { Day(n.Date), D(n.Nav), D(n.Cash), D(n.MarketValue), F(n.Benchmark) }));
        CsvTable.Write(Path.Combine(dir, "trades.csv"),
            ["date", "symbol", "side", "quantity", "price", "amount", "commission", "stamp_duty", "transfer_fee", "other_fees", "order_id", "fill_id"],
            _fills.OrderBy(f => f.TradeDate).ThenBy(f => f.OrderId.Value, StringComparer.Ordinal).ThenBy(f => f.FillId, StringComparer.Ordinal)
                .Select(f => new[]
                {
                    Day(f.TradeDate), f.Symbol.ToString(), f.Side.ToString().ToLowerInvariant(), I(f.Quantity), D(f.Price), D(f.Amount), D(f.Fees.Commission),
                    D(f.Fees.StampDuty), D(f.Fees.TransferFee), D(f.Fees.HandlingFee + f.Fees.RegulatoryFee), f.OrderId.Value, f.FillId,
                }));
        var rejected = _rejections.Select(r => (r.Order, Status: "risk_rejected", r.Rule, r.Reason, Filled: 0L, Avg: 0m, Fees: 0m));
        var known = orders.Select(o => (Order: o.Request, Status: o.Status.ToString().ToLowerInvariant(), Rule: o.Rule ?? "", Reason: o.Reason ?? "", Filled: o.FilledQuantity, Avg: o.AveragePrice, Fees: o.Fees));
        CsvTable.Write(Path.Combine(dir, "orders.csv"),
            ["date", "order_id", "symbol", "side", "quantity", "limit_price", "status", "filled_quantity", "average_price", "fees", "rule", "reason"],
            known.Concat(rejected).OrderBy(o => o.Order.TradeDate).ThenBy(o => o.Order.Id.Value, StringComparer.Ordinal)
                .Select(o => new[]
                {
                    Day(o.Order.TradeDate), o.Order.Id.Value, o.Order.Symbol.ToString(), o.Order.Side.ToString().ToLowerInvariant(),
                    I(o.Order.Quantity), D(o.Order.LimitPrice), o.Status, I(o.Filled), D(Math.Round(o.Avg, 4)), D(o.Fees), o.Rule, o.Reason,
                }));
        CsvTable.Write(Path.Combine(dir, "positions.csv"), ["date", "symbol", "quantity", "sellable", "price", "market_value", "cost"],
            _positions.Select(p => new[] { Day(p.Date), p.Symbol.ToString(), I(p.Quantity), I(p.Sellable), D(p.Price), D(p.MarketValue), D(p.Cost) }));
        CsvTable.Write(Path.Combine(dir, "risk_events.csv"), ["time", "kind", "source", "symbol", "order_id", "message"],
            _alerts.OrderBy(a => a.At).ThenBy(a => a.Kind, StringComparer.Ordinal).ThenBy(a => a.Message, StringComparer.Ordinal)
                .Select(a => new[] { a.At.ToString("yyyy-MM-ddTHH:mm:ss", Inv), a.Kind, a.Source, a.Symbol?.ToString(), a.OrderId?.Value, a.Message })
                .Concat(_rejections.Select(r => new[] { $"{Day(r.Order.TradeDate)}T09:25:00", "risk-reject", r.Rule, r.Order.Symbol.ToString(), r.Order.Id.Value, r.Reason })));
        File.WriteAllText(Path.Combine(dir, "summary.json"), summaryJson, new UTF8Encoding(false));
    }

    /// <summary>
    /// parents.csv: each parent order an execution algo worked — its terms, algo and window, what filled, its children
    /// (their client ids in orders.csv, separated by spaces) and how it ended. A separate file, so orders.csv keeps its
    /// columns (every child is a row there, as any order).
    /// </summary>
    public static void WriteParents(string dir, IReadOnlyList<ParentView> parents, IReadOnlyList<OrderState> orders)
    {
        Directory.CreateDirectory(dir);
        var children = orders.Where(o => o.Request.ParentId is not null).ToLookup(o => o.Request.ParentId!);
        CsvTable.Write(Path.Combine(dir, "parents.csv"),
            ["date", "parent_id", "symbol", "side", "quantity", "limit_price", "algo", "window", "status", "filled_quantity", "average_price", "children", "reason"],
            parents.OrderBy(p => p.Parent.TradeDate).ThenBy(p => p.Parent.Id, StringComparer.Ordinal).Select(v =>
            {
                var p = v.Parent;
                var ids = children[p.Id].Select(o => o.Id.Value).Order(StringComparer.Ordinal);
                var average = v.Outcome?.AveragePrice ?? (v.Filled > 0 ? Math.Round(v.FilledValue / v.Filled, 4) : 0m);
                return new[]
                {
                    Day(p.TradeDate), p.Id, p.Symbol.ToString(), p.Side.ToString().ToLowerInvariant(), I(p.Quantity), D(p.LimitPrice),
                    p.Algo.ToString().ToLowerInvariant(), p.Window.ToString(), (v.Outcome?.Status ?? ParentStatus.Working).ToString().ToLowerInvariant(),
                    I(v.Filled), D(average), string.Join(' ', ids), v.Outcome?.Reason ?? "",
                };
            }));
    }
}
