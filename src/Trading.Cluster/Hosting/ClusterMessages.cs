namespace Trading.Cluster.Hosting;

/// <summary>
/// Well-known actor paths of a cluster node (every node has <see cref="Status"/>; traders host the singleton manager
/// <see cref="TraderManager"/>; every node has the proxy <see cref="TraderProxy"/> to the brain wherever it runs).
/// </summary>
public static class ClusterPaths
{
    public const string TraderManager = "/user/trader";
    public const string TraderProxy = "/user/trader-proxy";
    public const string Status = "/user/cluster-status";
    public const string Control = "/user/control";
    /// <summary>The distributed pub-sub topic of <see cref="BrainStarted"/> / <see cref="BrainStopped"/>.</summary>
    public const string StatusTopic = "trading-status";
    /// <summary>The distributed pub-sub topic of alerts (each carries its account id).</summary>
    public const string AlertTopic = "trading-alerts";
}

/// <summary>Published when a node's trading brain has its lease, its epoch journaled and its children started.</summary>
public sealed record BrainStarted(string AccountId, long Epoch, string Address, DateTime At);

/// <summary>Published when a brain stops (hand-over, lease lost, node leaving); best effort — a crash publishes nothing.</summary>
public sealed record BrainStopped(string AccountId, long Epoch, string Address, DateTime At, string Reason);

/// <summary>Asks <see cref="ClusterPaths.Status"/> for a <see cref="ClusterStatusView"/>.</summary>
public sealed record GetClusterStatus
{
    public static readonly GetClusterStatus Instance = new();
}

/// <summary>One member as this node sees it.</summary>
public sealed record ClusterMemberView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, bool IsPrimary);

/// <summary>
/// The cluster as this node sees it: members, the primary (the node whose brain last started), its epoch, the last
/// failover (a change of primary), and the broker link the brain last reported.
/// </summary>
public sealed record ClusterStatusView(
    string SelfAddress,
    string SelfRole,
    IReadOnlyList<ClusterMemberView> Members,
    string? Leader,
    string? AccountId,
    string? PrimaryAddress,
    long Epoch,
    DateTime? PrimarySince,
    DateTime? LastFailoverAt,
    string? LastFailover,
    string BrokerLink);

/// <summary>
/// Asks <see cref="ClusterPaths.Status"/> (any node) for a graceful hand-over: the primary leaves the cluster, its brain
/// stops and releases the lease, the next oldest trader takes over. Answered with <see cref="HandOverStarted"/> or a
/// <c>Status.Failure</c> (no primary, no standby to take over).
/// </summary>
public sealed record RequestHandOver(string By);

public sealed record HandOverStarted(string From, string Detail);

/// <summary>Published on this node's event stream when this node is Up in the cluster (logs, the node's console, drivers).</summary>
public sealed record NodeUp(string Address, string Role);
