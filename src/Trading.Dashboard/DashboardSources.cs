using Akka.Actor;

namespace Trading.Dashboard;

/// <summary>
/// What the dashboard reads and where its controls go. Served by a node: the node's read models, its actor system
/// (events pushed as they happen; controls through the node's control path) and the store's names. Standalone: the
/// read models of the database only (<see cref="System"/> null: views poll, controls are refused).
/// </summary>
public sealed record DashboardSources(string AccountId, Trading.Runtime.ReadModels.ReadModels ReadModels)
{
    /// <summary>The node's actor system; null when the dashboard runs standalone against the database.</summary>
    public ActorSystem? System { get; init; }
    /// <summary>Chinese short names by symbol (<c>600000.SH</c> → 浦发银行).</summary>
    public IReadOnlyDictionary<string, string> Names { get; init; } = new Dictionary<string, string>();
    /// <summary>Shenwan level-1 industry by symbol, for the risk view.</summary>
    public IReadOnlyDictionary<string, string> Industries { get; init; } = new Dictionary<string, string>();
    /// <summary>CSI 300 closes by date (the equity curve's benchmark); empty when the store has none.</summary>
    public IReadOnlyList<(DateOnly Date, double Close)> Benchmark { get; init; } = [];
    /// <summary>
    /// The account's starting cash (the strategy's initial cash on a paper node): before the first close has written a
    /// NAV row, the overview starts from it (cash = it plus the day's fills) instead of showing nothing.
    /// </summary>
    public decimal? InitialCash { get; init; }
    /// <summary>Folders the report library lists (backtest runs, sweeps, the node's reports with daily statements).</summary>
    public IReadOnlyList<string> ReportRoots { get; init; } = [];
}
