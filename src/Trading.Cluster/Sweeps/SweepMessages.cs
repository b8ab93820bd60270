namespace Trading.Cluster.Sweeps;

/// <summary>Where the two ends of a cluster sweep live, and the roles they have.</summary>
public static class SweepPaths
{
    /// <summary>A worker node's <see cref="SweepWorkerActor"/>.</summary>
    public const string Worker = "/user/sweep-worker";
    /// <summary>The sweeper's <see cref="SweepCoordinator"/> (one per <c>trading sweep --cluster</c>).</summary>
    public const string Coordinator = "/user/sweep-coordinator";
    /// <summary>The role of the short-lived member <c>trading sweep --cluster</c> joins as: never a singleton candidate.</summary>
    public const string SweeperRole = "sweeper";
    public const string WorkerRole = "worker";
}

// Cross-node messages: small records of strings and numbers (Akka.Remote's default JSON serializer carries them);
// the point and its outcome travel as the JSON of SweepPoint / SweepOutcome, the same text a worker process reads
// and writes on its pipes (ProcessSweep.Json), so both kinds of worker run one code path.

/// <summary>Coordinator → worker: a sweep has points for you; ask me (the sender) for them.</summary>
public sealed record SweepOffer(string SweepId);

/// <summary>Worker → coordinator: one free slot, send a point (parked by the coordinator until it has one).</summary>
public sealed record SweepPointRequest(string SweepId);

/// <summary>
/// Coordinator → worker: one point to run. <paramref name="StrategyHocon"/> is the strategy file's text with its
/// includes resolved (the worker needs no copy of the file); <paramref name="StoreFingerprint"/> is the sweeper's
/// <c>StoreFingerprint</c>, which the worker's store must match.
/// </summary>
public sealed record SweepWork(string SweepId, int Index, string PointJson, string StrategyFile, string StrategyHocon, string StoreFingerprint);

/// <summary>Worker → coordinator: the point's <c>SweepOutcome</c> as JSON.</summary>
public sealed record SweepPointDone(string SweepId, int Index, string OutcomeJson, string Worker);

/// <summary>Worker → coordinator: this worker cannot run the sweep's points (another store, no store): give them to others.</summary>
public sealed record SweepPointRefused(string SweepId, int Index, string Reason, string Worker);

/// <summary>Worker → coordinator: the point itself failed (it would fail anywhere: the sweep stops with the reason).</summary>
public sealed record SweepPointFailed(string SweepId, int Index, string Reason, string Worker);

/// <summary>Coordinator → worker: the sweep is over, or goes on without you; drop its points.</summary>
public sealed record SweepClosed(string SweepId);
