namespace Trading.Dashboard.Live;

/// <summary>
/// Everything the live page shows, as of <see cref="AsOf"/>: what <c>GET /api/snapshot</c> answers and the hub sends a
/// client on connect. Each property is one section; an <c>update</c> carries the sections that changed (their JSON names).
/// Money stays <see cref="decimal"/>; weights, returns and ratios are <see cref="double"/> fractions (0.05 = 5 %).
/// </summary>
public sealed record DashboardSnapshot(
    string AccountId,
    DateTime AsOf,
    DateOnly? TradingDay,
    AccountOverview Overview,
    IReadOnlyList<PositionView> Positions,
    EquityCurve Equity,
    RiskView Risk,
    OrdersView Orders,
    IReadOnlyList<TradeLine> Trades,
    IReadOnlyList<AlertView> Alerts,
    ClusterView Cluster)
{
    /// <summary>The section names an update may carry, as serialised (camelCase).</summary>
    public static readonly IReadOnlyList<string> Sections = ["overview", "positions", "equity", "risk", "orders", "trades", "alerts", "cluster"];

    public object? Section(string name) => name switch
    {
        "overview" => Overview,
        "positions" => Positions,
        "equity" => Equity,
        "risk" => Risk,
        "orders" => Orders,
        "trades" => Trades,
        "alerts" => Alerts,
        "cluster" => Cluster,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a snapshot section"),
    };
}

/// <summary>
/// The account at a glance. <see cref="Estimated"/> says whether <see cref="Nav"/> is the close of a marked day (false)
/// or an intraday estimate from the positions' last prices and the cash after today's fills (true); see <see cref="SnapshotBuilder"/>.
/// </summary>
public sealed record AccountOverview(
    decimal? Nav,
    decimal? Cash,
    decimal MarketValue,
    decimal? DayPnl,
    double? DayReturn,
    double? CumulativeReturn,
    decimal? PreviousNav,
    DateOnly? FirstNavDate,
    DateOnly? LastNavDate,
    bool Estimated);

/// <param name="AverageCost">cost per share, fees included</param>
/// <param name="ChangedToday">bought or sold on the trading day</param>
public sealed record PositionView(
    string Symbol,
    string Name,
    long Quantity,
    long Sellable,
    double Weight,
    decimal Cost,
    decimal AverageCost,
    decimal Last,
    decimal MarketValue,
    decimal FloatingPnl,
    double? FloatingReturn,
    bool ChangedToday);

/// <summary>NAV by date against CSI 300, both rebased to 1 on the first NAV date.</summary>
public sealed record EquityCurve(IReadOnlyList<EquityPoint> Points, bool HasBenchmark);

/// <param name="Benchmark">CSI 300 close over its close on the first NAV date (null where it has no close on or before the date)</param>
public sealed record EquityPoint(DateOnly Date, decimal Nav, double Index, double? Benchmark);

/// <param name="LargestWeight">the largest position over NAV</param>
/// <param name="Hhi">Herfindahl index of the positions' shares of gross market value (1 = one stock)</param>
/// <param name="EffectiveN">1 / HHI: how many equal positions the book is as concentrated as</param>
/// <param name="Beta">OLS slope of daily NAV returns on CSI 300 returns; null with fewer than <see cref="SnapshotBuilder.MinBetaDays"/> overlapping days</param>
/// <param name="BetaDays">overlapping daily returns the beta used</param>
/// <param name="Leverage">gross market value / NAV</param>
public sealed record RiskView(
    IReadOnlyList<IndustryWeight> Industries,
    IReadOnlyList<SymbolWeight> Top10,
    double LargestWeight,
    double Hhi,
    double EffectiveN,
    double? Beta,
    int BetaDays,
    double Leverage);

public sealed record IndustryWeight(string Industry, decimal MarketValue, double Weight);

public sealed record SymbolWeight(string Symbol, string Name, double Weight);

/// <summary>The trading day's orders: parents (an execution algo's) with their slices, and orders sent whole.</summary>
public sealed record OrdersView(IReadOnlyList<ParentView> Parents, IReadOnlyList<OrderView> Orders);

public sealed record ParentView(
    string ParentId, string Symbol, string Name, string Side, long Quantity, decimal LimitPrice, string Strategy, string Algo,
    string Window, string Status, long Filled, string AcceptedAt, string? ClosedAt, string? Reason, IReadOnlyList<OrderView> Slices);

public sealed record OrderView(
    string OrderId, string Symbol, string Name, string Side, long Quantity, decimal LimitPrice, string Strategy, string Status,
    long Filled, decimal AveragePrice, string CreatedAt, string UpdatedAt, string? Reason, string? ParentId);

/// <summary>One fill as the trade log shows it: <see cref="Text"/> is the Chinese line, the fields let a page write it in English.</summary>
public sealed record TradeLine(string At, string Time, string Side, string Symbol, string Name, long OrderQuantity, decimal Price, long Quantity,
    string OrderId, string Text);

/// <param name="Severity">info, warning or critical, from the alert kind (the notifier's defaults)</param>
public sealed record AlertView(long Seq, string At, string Kind, string Severity, string Source, string Message, string? Symbol, string? OrderId);

/// <summary>
/// Which node trades the account. <see cref="Mode"/>: <c>cluster</c> (from <c>/user/cluster-status</c>),
/// <c>single</c> (a node without a cluster), <c>standalone</c> (the dashboard on the database only), <c>unavailable</c>
/// (the status actor did not answer in time).
/// </summary>
public sealed record ClusterView(
    string Mode,
    string? SelfAddress,
    string? Primary,
    long? Epoch,
    DateTime? PrimarySince,
    DateTime? LastFailoverAt,
    string? LastFailover,
    string BrokerLink,
    IReadOnlyList<ClusterMemberLine> Members);

public sealed record ClusterMemberLine(string Address, string Roles, string Status, bool Reachable, bool IsPrimary);
