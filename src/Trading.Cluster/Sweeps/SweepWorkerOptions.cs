using Trading.Runtime.Configuration;

namespace Trading.Cluster.Sweeps;

/// <summary>
/// A worker node's <c>trading.cluster.sweep</c> block: the market store its points run against (which must hold the
/// same data as the sweeper's: compared by fingerprint) and how many points it runs at once.
/// </summary>
/// <param name="Store">The store folder (relative to the node's config file); null: the worker refuses every point, saying why.</param>
/// <param name="MaxPointsInFlight">Points run at once; each is a whole backtest with its own actor system (default 1: a worker per core pair is the measured sweet spot of process workers).</param>
public sealed record SweepWorkerOptions(string? Store, int MaxPointsInFlight = 1)
{
    private static readonly string[] Keys = ["store", "max-points-in-flight"];

    public static SweepWorkerOptions From(ConfigBlock? sweep, string file)
    {
        if (sweep is null) return new SweepWorkerOptions(Store: null);
        var b = sweep.Known(Keys);
        var store = b.Text("store") is { Length: > 0 } s
            ? Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, s.Trim()))
            : null;
        return new SweepWorkerOptions(store, b.Int("max-points-in-flight", 1, 1, 64));
    }
}
