namespace Trading.Brokers;

/// <summary>What a gateway pushes to its listeners (<see cref="IBrokerGateway.Listen"/>).</summary>
public abstract record GatewayEvent;

/// <summary>A report, numbered: <paramref name="Seq"/> is gap-free within <paramref name="Epoch"/> (BROKER_BRIDGES §2.1).</summary>
public sealed record SequencedReport(string Epoch, long Seq, BrokerReport Report) : GatewayEvent;

public enum ConnectionState
{
    Connected,
    Disconnected,
}

/// <summary>
/// The link changed. <see cref="ConnectionState.Connected"/> with a new <paramref name="Epoch"/> means the broker side
/// rebuilt its session (reconcile); <see cref="ConnectionState.Disconnected"/> means nothing more will arrive until a
/// reconnect.
/// </summary>
public sealed record ConnectionChanged(ConnectionState State, string Epoch, string Reason) : GatewayEvent;

/// <summary>Where a connection's pushed stream continues: the events of <paramref name="Epoch"/> after <paramref name="LastSeq"/>.</summary>
public sealed record GatewaySession(string Epoch, long LastSeq);

/// <summary>The answer of <see cref="IBrokerGateway.ReplayAsync"/>: the events asked for, or <see cref="Gap"/> (reconcile instead).</summary>
public sealed record ReplayResult(IReadOnlyList<SequencedReport> Events, bool Gap)
{
    public static ReplayResult Missing { get; } = new([], true);
}

/// <summary>
/// The listeners of a gateway, for implementers: added and removed from any thread, each event given to every
/// listener on the caller's thread. The caller publishes one event at a time, in order.
/// </summary>
public sealed class GatewayListeners
{
    private volatile Action<GatewayEvent>[] _listeners = [];
    private readonly object _sync = new();

    public IDisposable Add(Action<GatewayEvent> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_sync) _listeners = [.. _listeners, listener];
        return new Subscription(this, listener);
    }

    public bool IsEmpty => _listeners.Length == 0;

    public void Publish(GatewayEvent e)
    {
        foreach (var listener in _listeners) listener(e);
    }

    private void Remove(Action<GatewayEvent> listener)
    {
        lock (_sync)
        {
            var list = _listeners.ToList();
            list.Remove(listener);
            _listeners = [.. list];
        }
    }

    private sealed class Subscription(GatewayListeners owner, Action<GatewayEvent> listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(listener);
        }
    }
}
