using Akka.Actor;
using Akka.Event;
using Trading.Brokers;
using Trading.Domain.Orders;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>
/// The link to one broker account over an <see cref="IBrokerGateway"/>. Connecting: orders are stashed. Connected:
/// orders go out stamped with the node's epoch (a stale primary is fenced by the gateway), pushed reports go to
/// the OMS in order, and after every (re)connect the session reconciles: it replays the broker's view of the day's
/// orders and fills to the OMS, which ignores what it already has. A lost connection (heartbeat) or a failed
/// connect throws, and the BackoffSupervisor around this actor restarts it with exponential backoff.
/// </summary>
public sealed class BrokerSessionActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IBrokerGateway _gateway;
    private readonly ActorRefSlot _orders;
    private readonly long _epoch;
    private readonly TimeSpan _heartbeat;
    private readonly Func<DateTime> _now;
    private Action<BrokerReport>? _handler;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IBrokerGateway gateway, ActorRefSlot orders, long epoch, TimeSpan heartbeat, Func<DateTime> now) =>
        Akka.Actor.Props.Create(() => new BrokerSessionActor(gateway, orders, epoch, heartbeat, now));

    public BrokerSessionActor(IBrokerGateway gateway, ActorRefSlot orders, long epoch, TimeSpan heartbeat, Func<DateTime> now)
    {
        _gateway = gateway;
        _orders = orders;
        _epoch = epoch;
        _heartbeat = heartbeat;
        _now = now;
        Connecting();
    }

    protected override void PreStart()
    {
        var self = Self;
        _handler = r => self.Tell(r);
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
            Self.Tell(new Reconcile());
            Stash.UnstashAll();
        });
        Receive<ConnectFailed>(f => throw new BrokerUnavailableException($"Connecting to {_gateway.Name} failed: {f.Cause.Message}", f.Cause));
        Receive<BrokerReport>(r => _orders.Ref.Tell(r));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Online()
    {
        ReceiveAsync<SubmitToBroker>(async m =>
        {
            try
            {
                await _gateway.SubmitAsync(m.Order, _epoch, CancellationToken.None);
            }
            catch (ClientOrderIdConflictException e)
            {
                _orders.Ref.Tell(new OrderRejected(m.Order.Id, _now(), e.Message));
            }
        });
        ReceiveAsync<CancelAtBroker>(async m =>
        {
            try
            {
                await _gateway.CancelAsync(m.OrderId, CancellationToken.None);
            }
            catch (KeyNotFoundException)
            {
                _log.Warning("Cancel of {OrderId}: the broker does not know the order", m.OrderId);
            }
        });
        Receive<BrokerReport>(r => _orders.Ref.Tell(r));
        Receive<Flush>(f => _orders.Ref.Forward(f));
        ReceiveAsync<Reconcile>(async _ =>
        {
            var orders = await _gateway.QueryOrdersAsync(CancellationToken.None);
            int fills = 0;
            foreach (var o in orders)
            {
                var at = _now();
                _orders.Ref.Tell(new OrderAccepted(o.Id, at, o.BrokerOrderId));
                long cumulative = 0;
                foreach (var f in o.Fills)
                {
                    cumulative += f.Quantity;
                    _orders.Ref.Tell(new OrderFilled(o.Id, at, f, cumulative, o.Request.Quantity - cumulative));
                    fills++;
                }
                BrokerReport? end = o.Status switch
                {
                    OrderStatus.Cancelled => new OrderCancelled(o.Id, at, o.FilledQuantity, o.Reason),
                    OrderStatus.Expired => new OrderExpired(o.Id, at, o.FilledQuantity, o.Reason),
                    OrderStatus.Rejected => new OrderRejected(o.Id, at, o.Reason),
                    _ => null,
                };
                if (end is not null) _orders.Ref.Tell(end);
            }
            if (orders.Count > 0) _log.Info("Reconciled {Orders} broker orders ({Fills} fills) with the OMS", orders.Count, fills);
        });
        Receive<Heartbeat>(_ =>
        {
            if (!_gateway.IsConnected) throw new BrokerUnavailableException($"Heartbeat: {_gateway.Name} is disconnected", null);
        });
    }

    private sealed record Connected;
    private sealed record ConnectFailed(Exception Cause);
    private sealed record Heartbeat;
    private sealed record Reconcile;
}

public sealed class BrokerUnavailableException(string message, Exception? inner) : Exception(message, inner);
