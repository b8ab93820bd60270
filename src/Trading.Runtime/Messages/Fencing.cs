namespace Trading.Runtime.Messages;

// Published on the event stream by a broker session when this brain must stop trading (CLUSTER_FAILOVER "fence").
// Small records of strings and numbers: the cluster's code may send them between nodes.

/// <summary>
/// The broker side refused this brain's epoch: a newer brain (epoch <paramref name="Highest"/>) trades the account. The
/// session sends nothing more; orders not yet sent stay journaled for the newer brain to resolve by query. The cluster
/// stops the brain on it. <paramref name="Highest"/> is 0 when the broker did not say (a refused order, then no answer).
/// </summary>
public sealed record FencedOut(string AccountId, long Epoch, long Highest);

/// <summary>
/// The brain's own check (<c>TradingBrain.MayTrade</c>, e.g. its lease) said no before a send: orders are held unsent
/// (journaled) until a brain that may trade sends them. Published once per session.
/// </summary>
public sealed record TradingSuspended(string AccountId, long Epoch, string Reason);
