using Akka.Actor;
using Akka.Event;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>
/// One order's life: applies the events the OMS hands it to its <see cref="OrderState"/> state machine and tells
/// the OMS what changed. An illegal transition or a duplicate report is logged and ignored, never counted twice.
/// </summary>
public sealed class OrderActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private OrderState _state;

    public static Props Props(OrderState state) => Akka.Actor.Props.Create(() => new OrderActor(state));

    public OrderActor(OrderState state)
    {
        _state = state;
        Receive<OrderEvent>(e =>
        {
            var t = _state.Apply(e);
            if (!t.Applied)
            {
                _log.Warning("Order {OrderId}: ignored {Event}: {Why}", _state.Id, e.GetType().Name, t.Ignored);
                return;
            }
            _state = t.State;
            if (e is OrderFillReported f) Sender.Tell(new FillAccepted(f.Fill, _state));
            Sender.Tell(new OrderStateChanged(_state));
        });
        Receive<FlushOrder>(f => Sender.Tell(new OrderFlushed(f.Token, _state.Id)));
    }
}

public sealed record FillAccepted(Trading.Domain.Orders.Fill Fill, OrderState State);
public sealed record OrderStateChanged(OrderState State);
public sealed record FlushOrder(long Token);
public sealed record OrderFlushed(long Token, Trading.Domain.Orders.ClientOrderId OrderId);
