namespace Trading.Cluster.Hosting;

/// <summary>
/// What the trading singleton needs of its lease: one acquire attempt that answers the fencing token (the brain's
/// epoch) or null when another owner holds it, a local validity check answered from the last successful renew (false
/// at once after a pause), and a release. <see cref="AkkaBrainLease"/> adapts an <c>Akka.Coordination.Lease</c> that
/// exposes its token (the PostgreSQL lease); tests use an in-memory one.
/// </summary>
public interface IBrainLease
{
    /// <summary>One attempt: the token when this owner now holds the lease, null when someone else does.</summary>
    /// <param name="lost">Called (once, from any thread) when a held lease is lost: a renew refused, or the ttl passed without one.</param>
    Task<long?> TryAcquireAsync(Action<Exception?> lost);

    /// <summary>True while the lease is held and its last renew is younger than the ttl (no I/O).</summary>
    bool CheckLease();

    Task ReleaseAsync();
}

/// <summary>An <c>Akka.Coordination.Lease</c> whose token is read through <paramref name="token"/> after an acquire.</summary>
public sealed class AkkaBrainLease(Akka.Coordination.Lease lease, Func<long> token) : IBrainLease
{
    public async Task<long?> TryAcquireAsync(Action<Exception?> lost) =>
        await lease.Acquire(lost).ConfigureAwait(false) ? token() : null;

    public bool CheckLease() => lease.CheckLease();

    public Task ReleaseAsync() => lease.Release();
}
