using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Trading.Brokers;
using Trading.Domain.Orders;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>
/// The link to one broker account over an <see cref="IBrokerGateway"/>. Connecting: submits and cancels are not
/// kept here — the OMS's outbox holds every order written ahead and not acknowledged (and every cancel not yet
/// answered), and re-sends them when this session tells it <see cref="BrokerConnected"/>; a failed connect, which
/// stops this actor, therefore loses nothing. Connected: orders go out stamped with the node's epoch (a stale
/// primary is fenced by the gateway), pushed reports go to the OMS in order, and after every (re)connect the
/// session reconciles: it replays the broker's view of the day's orders and fills to the OMS, which ignores what it
/// already has. A lost connection (heartbeat) or a failed connect throws, and the BackoffSupervisor around this
/// actor restarts it with exponential backoff.
/// </summary>
public sealed class BrokerSessionActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IBrokerGateway _gateway;
    private readonly ActorRefSlot _orders;
    private readonly long _epoch;
    private readonly TimeSpan _heartbeat;
    private readonly Func<DateTime> _now;
    private readonly TimeSpan _submitTimeout;
    private Action<BrokerReport>? _handler;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="submitTimeout">how long a submit may run before its outcome counts as unknown (default 30 s)</param>
    public static Props Props(IBrokerGateway gateway, ActorRefSlot orders, long epoch, TimeSpan heartbeat, Func<DateTime> now, TimeSpan? submitTimeout = null) =>
        Akka.Actor.Props.Create(() => new BrokerSessionActor(gateway, orders, epoch, heartbeat, now, submitTimeout ?? TimeSpan.FromSeconds(30)));

    public BrokerSessionActor(IBrokerGateway gateway, ActorRefSlot orders, long epoch, TimeSpan heartbeat, Func<DateTime> now, TimeSpan submitTimeout)
    {
        _submitTimeout = submitTimeout;
        _gateway = gateway;
        _orders = orders;
        _epoch = epoch;
        _heartbeat = heartbeat;
        _now = now;
        Connecting();
    }

    protected override void PreStart()
    {
        // Reports go straight to the OMS, in the order the gateway raises them (one hop fewer on every acknowledgement).
        var orders = _orders;
        _handler = r => orders.Ref.Tell(r);
        _gateway.Report += _handler;
        _gateway.ConnectAsync(CancellationToken.None).PipeTo(Self, success: () => new Connected(), failure: e => new ConnectFailed(e));
    }

    protected override void PostStop()
    {
        if (_handler is not null) _gateway.Report -= _handler;
    }

    private void Connecting()
    {
        Receive<Connected>(_ =>
        {
            _log.Info("Broker {Broker} connected (epoch {Epoch})", _gateway.Name, _epoch);
            if (_heartbeat > TimeSpan.Zero) Timers.StartPeriodicTimer("heartbeat", new Heartbeat(), _heartbeat);
            Become(Online);
            _orders.Ref.Tell(new BrokerConnected(_gateway.Name, _epoch));
            Self.Tell(new Reconcile());
            Stash.UnstashAll();
        });
        Receive<ConnectFailed>(f => throw new BrokerUnavailableException($"Connecting to {_gateway.Name} failed: {f.Cause.Message}", f.Cause));
        Receive<BrokerReport>(r => _orders.Ref.Tell(r));
        Receive<LookUpOrder>(_ => { }); // the OMS's outbox asks again on BrokerConnected
        // The OMS's outbox re-sends these on BrokerConnected; a copy kept here would die with a failed connect.
        Receive<SubmitToBroker>(m => _log.Debug("Submit of {OrderId} while connecting: left to the OMS's outbox", m.Order.Id));
        Receive<CancelAtBroker>(m => _log.Debug("Cancel of {OrderId} while connecting: left to the OMS's outbox", m.OrderId));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Online()
    {
        Receive<SubmitToBroker>(m => InOrder(Submit(m)));
        Receive<CancelAtBroker>(m => InOrder(Cancel(m)));
        Receive<BrokerReport>(r => _orders.Ref.Tell(r));
        Receive<Flush>(f => _orders.Ref.Forward(f));
        ReceiveAsync<Reconcile>(async _ =>
        {
            var orders = await _gateway.QueryOrdersAsync(CancellationToken.None);
            int fills = 0;
            foreach (var o in orders) fills += Replay(o);
            if (orders.Count > 0) _log.Info("Reconciled {Orders} broker orders ({Fills} fills) with the OMS", orders.Count, fills);
        });
        ReceiveAsync<LookUpOrder>(async m =>
        {
            IReadOnlyList<BrokerOrder> orders;
            try
            {
                orders = await _gateway.QueryOrdersAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                // Unresolved: the order stays SubmitUnknown (the watchdog sees it); the next connect asks again.
                _log.Warning(e, "Looking up {OrderId} at {Broker} failed", m.OrderId, _gateway.Name);
                return;
            }
            var found = orders.FirstOrDefault(o => o.Id == m.OrderId);
            if (found is null) _orders.Ref.Tell(new BrokerOrderNotFound(m.OrderId));
            else Replay(found);
        });
        Receive<Heartbeat>(_ =>
        {
            if (!_gateway.IsConnected) throw new BrokerUnavailableException($"Heartbeat: {_gateway.Name} is disconnected", null);
        });
    }

    /// <summary>
    /// The broker's view of one order, to the OMS: the order itself (so the OMS can adopt one it does not know), then
    /// its acknowledgement, fills and end, as pushed reports would have said. Returns the number of fills.
    /// </summary>
    private int Replay(BrokerOrder o)
    {
        var at = _now();
        _orders.Ref.Tell(new BrokerOrderFound(o));
        _orders.Ref.Tell(new OrderAccepted(o.Id, at, o.BrokerOrderId));
        long cumulative = 0;
        foreach (var f in o.Fills)
        {
            cumulative += f.Quantity;
            _orders.Ref.Tell(new OrderFilled(o.Id, at, f, cumulative, o.Request.Quantity - cumulative));
        }
        BrokerReport? end = o.Status switch
        {
            OrderStatus.Cancelled => new OrderCancelled(o.Id, at, o.FilledQuantity, o.Reason),
            OrderStatus.Expired => new OrderExpired(o.Id, at, o.FilledQuantity, o.Reason),
            OrderStatus.Rejected => new OrderRejected(o.Id, at, o.Reason),
            _ => null,
        };
        if (end is not null) _orders.Ref.Tell(end);
        return o.Fills.Count;
    }

    /// <summary>
    /// A gateway call that finished at once (the simulator, a queued write) costs nothing more; one still running
    /// holds the mailbox until it ends, so the broker sees submits and cancels in the order they were sent.
    /// </summary>
    private static void InOrder(Task call)
    {
        if (!call.IsCompleted) ActorTaskScheduler.RunTask(() => call);
        else call.GetAwaiter().GetResult(); // rethrows a failure here, as the actor's own
    }

    private async Task Submit(SubmitToBroker m)
    {
        try
        {
            var call = _gateway.SubmitAsync(m.Order, _epoch, CancellationToken.None);
            await (call.IsCompleted ? call : call.WaitAsync(_submitTimeout));
        }
        catch (ClientOrderIdConflictException e)
        {
            _orders.Ref.Tell(new OrderRejected(m.Order.Id, _now(), e.Message));
        }
        catch (Exception e)
        {
            // A timeout or a failure that does not say whether the broker took the order: never guess, never a new id.
            _log.Warning(e, "Submit of {OrderId}: outcome unknown", m.Order.Id);
            _orders.Ref.Tell(new SubmitOutcomeUnknown(m.Order.Id, e is TimeoutException ? $"no answer within {_submitTimeout}" : e.Message));
        }
    }

    private async Task Cancel(CancelAtBroker m)
    {
        try
        {
            await _gateway.CancelAsync(m.OrderId, CancellationToken.None);
        }
        catch (KeyNotFoundException)
        {
            _log.Warning("Cancel of {OrderId}: the broker does not know the order", m.OrderId);
        }
    }

    private sealed record Connected;
    private sealed record ConnectFailed(Exception Cause);
    private sealed record Heartbeat;
    private sealed record Reconcile;
}

/// <summary>Broker session → OMS: connected (again); re-send the outbox (orders written ahead and not acknowledged, cancels not answered).</summary>
public sealed record BrokerConnected(string Broker, long Epoch);

/// <summary>Broker session → OMS: a submit timed out or failed ambiguously; the broker may or may not hold the order.</summary>
public sealed record SubmitOutcomeUnknown(ClientOrderId OrderId, string Reason);

/// <summary>OMS → broker session: ask the broker for this client id (answered with its replay, or <see cref="BrokerOrderNotFound"/>).</summary>
public sealed record LookUpOrder(ClientOrderId OrderId);

/// <summary>Broker session → OMS: the broker's order, sent ahead of its replayed reports (reconcile, look-up).</summary>
public sealed record BrokerOrderFound(BrokerOrder Order);

/// <summary>Broker session → OMS: the broker's orders of the day do not include this client id.</summary>
public sealed record BrokerOrderNotFound(ClientOrderId OrderId);

public sealed class BrokerUnavailableException(string message, Exception? inner) : Exception(message, inner);
