using MathNet.Numerics.Distributions;
using Trading.Reporting.Metrics;

namespace Trading.Reporting.Html;

/// <summary>A holding at the close of the statement's day: quantity, closing price and the previous close (null: unknown).</summary>
public sealed record StatementHolding(string Symbol, string? Name, string? Industry, long Quantity, decimal Price, decimal? PreviousClose);

/// <summary>One fill of the day.</summary>
public sealed record StatementFill(string Symbol, bool Buy, long Quantity, decimal Amount, decimal Fees);

/// <summary>One order of the day as the OMS ended it (status: Filled, Cancelled, Rejected, …).</summary>
public sealed record StatementOrder(string OrderId, string Symbol, string Side, long Quantity, string Status, long Filled, string? Reason);

/// <summary>A risk-rule hit (<see cref="Source"/> = the rule), an alert (<see cref="Source"/> = who raised it) or an operator's action.</summary>
public sealed record StatementEvent(string Time, string Kind, string Source, string? Symbol, string? OrderId, string Message);

/// <summary>
/// Daily returns of each held symbol (back-adjusted close to close) and of the benchmark on the same dates, the last
/// one the statement's day or before it; NaN where a stock did not trade on both days.
/// </summary>
public sealed record ReturnHistory(IReadOnlyList<DateOnly> Dates, IReadOnlyDictionary<string, double[]> Assets, double[] Benchmark);

/// <summary>
/// What a daily statement is made of: the account at the close (from the node's read models), the day's orders, fills,
/// rule hits, alerts and operator actions, and the return history and factor-model volatility from the store
/// (Trading.Backtest.Paper.DailyStatementSource gathers them). Nothing here is invented: a missing part is shown as missing.
/// </summary>
public sealed record DailyStatementInputs
{
    public required string Account { get; init; }
    public required DateOnly Date { get; init; }
    public string? Strategy { get; init; }
    public required decimal Nav { get; init; }
    public required decimal Cash { get; init; }
    /// <summary>NAV at the previous close the node marked; null on its first day (the day's P&amp;L is then against <see cref="Capital"/>).</summary>
    public decimal? PreviousNav { get; init; }
    public DateOnly? PreviousDate { get; init; }
    /// <summary>Money paid into the account (its journaled deposits): cumulative P&amp;L = NAV − capital.</summary>
    public required decimal Capital { get; init; }
    public IReadOnlyList<StatementHolding> Holdings { get; init; } = [];
    public IReadOnlyList<StatementFill> Fills { get; init; } = [];
    public IReadOnlyList<StatementOrder> Orders { get; init; } = [];
    public IReadOnlyList<StatementEvent> RuleHits { get; init; } = [];
    public IReadOnlyList<StatementEvent> Alerts { get; init; } = [];
    public IReadOnlyList<StatementEvent> OperatorActions { get; init; } = [];
    /// <summary>The team's notes of the day (on the day, an order or an alert), written in the web dashboard.</summary>
    public IReadOnlyList<StatementEvent> Notes { get; init; } = [];
    public ReturnHistory? History { get; init; }
    public string BenchmarkName { get; init; } = "000300.SH";
    /// <summary>Daily volatility of the holdings' weights under the factor risk model, or null when the model could not be estimated.</summary>
    public double? ModelDailyVolatility { get; init; }
    /// <summary>What the factor model was estimated on (days, factors), or why there is none.</summary>
    public string? ModelNote { get; init; }
    public string UnknownIndustry { get; init; } = "其他";
    /// <summary>Printed in the footer when given (the statement holds no timestamp otherwise).</summary>
    public DateTimeOffset? GeneratedAt { get; init; }
}

public sealed record StatementPosition(string Symbol, string? Name, string Industry, long Quantity, decimal Price, decimal Value, double Weight, decimal? DayPnl);

public sealed record IndustryWeight(string Industry, double Weight, int Names);

/// <summary>
/// The risk numbers: beta against the benchmark and 1-day VaR (a positive fraction of NAV = a loss) at 95 % and 99 %,
/// historical and parametric. NaN where the history is too short.
/// </summary>
public sealed record StatementRisk(
    int HistoryDays, double Beta, double HistoricalVar95, double HistoricalVar99, double ParametricVar95, double ParametricVar99,
    string ParametricSource, double[] PortfolioReturns);

/// <summary>
/// The day's orders at the OMS (an algo's children counted one by one; risk-rejected orders never reach it, they are
/// the rule hits): how they ended (<see cref="PartiallyFilled"/>: some but not all filled, whatever the status; cancelled
/// includes expired), fills, traded value and fees; fill rate = filled quantity / ordered quantity.
/// </summary>
public sealed record OrderSummary(
    int Orders, int Filled, int PartiallyFilled, int Cancelled, int Rejected, int Open, int Fills, decimal Bought, decimal Sold,
    decimal Fees, double FillRate)
{
    public decimal Turnover => Bought + Sold;
}

/// <summary>
/// The daily risk statement of one account on one day, computed from <see cref="DailyStatementInputs"/>.
/// <para>
/// P&amp;L: day = NAV − previous NAV (or − capital on the first day), cumulative = NAV − capital; percentages are of
/// the previous NAV and of the capital. A position's day P&amp;L = value at the close − (quantity held overnight ×
/// previous close) − bought + sold (fees are the day's, separately), where quantity held overnight = quantity − bought + sold.
/// </para>
/// <para>
/// VaR. The headline is <b>historical simulation</b>: today's weights applied to each of the last N days' returns of the
/// same stocks (a suspended day counts as 0), and the 5th / 1st percentile of those portfolio returns (linear
/// interpolation, numpy's default, as the backtest report's <c>var_95_historical</c>). It assumes no distribution —
/// A-share daily returns are fat-tailed and clipped by the price limits, which a normal law misses — and it prices the
/// holdings as they are now, not the NAV path of a portfolio that has since changed. Its weakness is the 99 % tail:
/// 250 days hold 2.5 observations beyond it, so it is shown beside the <b>parametric</b> (normal, zero mean) figure
/// z × σ, with σ the holdings' daily volatility under the factor risk model (Trading.Research's PanelRiskModel,
/// forward-looking and defined even for a name with a short history), or, where the model could not be estimated, the
/// sample standard deviation of the same historical portfolio returns.
/// </para>
/// <para>
/// Beta is the OLS beta (cov / var, sample) of those historical portfolio returns on the benchmark's (CSI 300) over
/// the same days. The factor model cannot give a beta against CSI 300: it has no market factor (the industry dummies
/// absorb it) and the index's constituent weights are not in the data.
/// </para>
/// </summary>
public sealed record DailyStatement(
    DailyStatementInputs Inputs, decimal MarketValue, decimal DayPnl, double DayReturn, decimal CumulativePnl, double CumulativeReturn,
    IReadOnlyList<StatementPosition> Positions, IReadOnlyList<IndustryWeight> Industries, double CashWeight, StatementRisk Risk,
    OrderSummary OrderStats, IReadOnlyList<(string Rule, int Count)> RuleHitsByRule)
{
    /// <summary>Fewer portfolio returns than this: no VaR or beta (a percentile of a handful of days says nothing).</summary>
    public const int MinHistoryDays = 20;

    public DateOnly Date => Inputs.Date;

    public static DailyStatement Build(DailyStatementInputs i)
    {
        ArgumentNullException.ThrowIfNull(i);
        if (i.Nav <= 0) throw new MetricsInputException($"account {i.Account} on {i.Date:yyyy-MM-dd}: NAV {i.Nav} is not positive; no statement");

        var bought = i.Fills.Where(f => f.Buy).GroupBy(f => f.Symbol).ToDictionary(g => g.Key, g => (Qty: g.Sum(f => f.Quantity), Amount: g.Sum(f => f.Amount)));
        var sold = i.Fills.Where(f => !f.Buy).GroupBy(f => f.Symbol).ToDictionary(g => g.Key, g => (Qty: g.Sum(f => f.Quantity), Amount: g.Sum(f => f.Amount)));
        double nav = (double)i.Nav;
        var positions = new List<StatementPosition>();
        foreach (var h in i.Holdings.Where(h => h.Quantity != 0))
        {
            var value = h.Quantity * h.Price;
            var b = bought.GetValueOrDefault(h.Symbol);
            var s = sold.GetValueOrDefault(h.Symbol);
            decimal? pnl = h.PreviousClose is { } pc ? value - (h.Quantity - b.Qty + s.Qty) * pc - b.Amount + s.Amount : null;
            positions.Add(new StatementPosition(h.Symbol, h.Name, Industry(h.Industry, i.UnknownIndustry), h.Quantity, h.Price, value, (double)value / nav, pnl));
        }
        positions.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Symbol, b.Symbol));
        var marketValue = positions.Sum(p => p.Value);

        var industries = positions.GroupBy(p => p.Industry)
            .Select(g => new IndustryWeight(g.Key, g.Sum(p => p.Weight), g.Count()))
            .OrderByDescending(x => x.Weight).ThenBy(x => x.Industry, StringComparer.Ordinal).ToList();

        var basis = i.PreviousNav ?? i.Capital;
        var dayPnl = i.Nav - basis;
        var cumulative = i.Nav - i.Capital;

        var orders = i.Orders;
        long ordered = orders.Sum(o => o.Quantity), filledQty = orders.Sum(o => o.Filled);
        var stats = new OrderSummary(
            orders.Count,
            orders.Count(o => Is(o, "Filled")),
            orders.Count(o => o.Filled > 0 && o.Filled < o.Quantity),
            orders.Count(o => Is(o, "Cancelled") || Is(o, "Expired")),
            orders.Count(o => Is(o, "Rejected")),
            orders.Count(o => Is(o, "New") || Is(o, "PendingSubmit") || Is(o, "Submitted") || Is(o, "PartiallyFilled") || Is(o, "SubmitUnknown") || Is(o, "PendingCancel")),
            i.Fills.Count,
            i.Fills.Where(f => f.Buy).Sum(f => f.Amount),
            i.Fills.Where(f => !f.Buy).Sum(f => f.Amount),
            i.Fills.Sum(f => f.Fees),
            ordered > 0 ? (double)filledQty / ordered : double.NaN);

        var hits = i.RuleHits.GroupBy(r => r.Source).Select(g => (Rule: g.Key, Count: g.Count()))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Rule, StringComparer.Ordinal).ToList();

        return new DailyStatement(i, marketValue, dayPnl, basis > 0 ? (double)(dayPnl / basis) : double.NaN, cumulative,
            i.Capital > 0 ? (double)(cumulative / i.Capital) : double.NaN, positions, industries, (double)i.Cash / nav,
            Estimate(i, positions), stats, hits);
    }

    private static bool Is(StatementOrder o, string status) => o.Status.Equals(status, StringComparison.OrdinalIgnoreCase);

    private static string Industry(string? industry, string unknown) => string.IsNullOrWhiteSpace(industry) ? unknown : industry;

    /// <summary>Today's weights over the history: portfolio returns, their VaR and their beta on the benchmark (see the class comment).</summary>
    internal static StatementRisk Estimate(DailyStatementInputs i, IReadOnlyList<StatementPosition> positions)
    {
        var h = i.History;
        if (h is null || h.Dates.Count < MinHistoryDays || positions.Count == 0)
        {
            double sd = i.ModelDailyVolatility ?? double.NaN;
            return new StatementRisk(h?.Dates.Count ?? 0, double.NaN, double.NaN, double.NaN, Z(0.95) * sd, Z(0.99) * sd,
                i.ModelDailyVolatility is null ? "none" : "factor model", []);
        }
        int n = h.Dates.Count;
        var portfolio = new double[n];
        foreach (var p in positions)
        {
            if (!h.Assets.TryGetValue(p.Symbol, out var r)) continue;
            for (int t = 0; t < n; t++)
                if (double.IsFinite(r[t])) portfolio[t] += p.Weight * r[t];
        }
        var paired = Enumerable.Range(0, n).Where(t => double.IsFinite(h.Benchmark[t])).ToArray();
        double beta = paired.Length >= MinHistoryDays
            ? ReturnStatistics.Beta(paired.Select(t => portfolio[t]).ToArray(), paired.Select(t => h.Benchmark[t]).ToArray())
            : double.NaN;
        double sigma = i.ModelDailyVolatility ?? ReturnStatistics.StdDev(portfolio);
        return new StatementRisk(n, beta, -ReturnStatistics.Percentile(portfolio, 0.05), -ReturnStatistics.Percentile(portfolio, 0.01),
            Z(0.95) * sigma, Z(0.99) * sigma, i.ModelDailyVolatility is null ? "sample" : "factor model", portfolio);
    }

    /// <summary>The standard normal quantile at <paramref name="confidence"/> (1.6449 at 95 %, 2.3263 at 99 %), MathNet's.</summary>
    internal static double Z(double confidence) => Normal.InvCDF(0, 1, confidence);

    /// <summary>A VaR fraction of the NAV in money (fen), or null when there is none.</summary>
    public decimal? Money(double fraction) =>
        double.IsFinite(fraction) ? Math.Round((decimal)fraction * Inputs.Nav, 2, MidpointRounding.AwayFromZero) : null;
}
