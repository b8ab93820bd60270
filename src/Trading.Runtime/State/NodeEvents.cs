namespace Trading.Runtime.State;

/// <summary>What a trading node journals about itself (<c>trader-{account}</c>), apart from its children's events.</summary>
public abstract record NodeEvent;

/// <summary>An incarnation of the node started with this epoch: every order it sends carries it.</summary>
public sealed record EpochStarted(long Epoch, DateTime At) : NodeEvent;

/// <summary>The node's clock fired <paramref name="Job"/> of <paramref name="Day"/> (journaled before the job runs: at most once).</summary>
public sealed record JobFired(Clock.ScheduledJob Job, DateOnly Day, DateTimeOffset ScheduledAt) : NodeEvent;

/// <summary>The node's clock gave up <paramref name="Job"/> of <paramref name="Day"/> (e.g. a rebalance found late).</summary>
public sealed record JobMissed(Clock.ScheduledJob Job, DateOnly Day, DateTimeOffset ScheduledAt, string Reason) : NodeEvent;

/// <summary>A job of the node's clock ran to its end (a rebalance fired but not done when the node died is run again).</summary>
public sealed record JobDone(Clock.ScheduledJob Job, DateOnly Day) : NodeEvent;

/// <summary>An operator paused strategy <paramref name="Name"/>: it skips its decide steps until resumed (kept across restarts and failovers).</summary>
public sealed record StrategyPaused(string Name, string By, DateTime At) : NodeEvent;

/// <summary>An operator resumed strategy <paramref name="Name"/>.</summary>
public sealed record StrategyResumed(string Name, string By, DateTime At) : NodeEvent;
