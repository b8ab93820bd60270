using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests;

/// <summary>
/// The order state machine alone, on any sequence of events (fills by trade id, some repeated; acknowledgements,
/// timeouts, cancels, rejections, expiry, adoption's start), and replayed from its events as recovery does.
/// </summary>
public class OrderStatePropertyTests
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 30, 0);
    private static readonly OrderRequest Order = new(ClientOrderId.Create("sp", Day, 1), S, Side.Buy, 1000, 10.00m, OrderType.Limit, Day);

    private static OrderEvent Event(int kind, int trade) => kind switch
    {
        0 => new OrderSent(Order.Id, At),
        1 => new OrderAcknowledged(Order.Id, At, "B1"),
        2 or 3 or 4 => new OrderFillReported(Order.Id, At, new Fill($"t{trade}", Order.Id, S, Side.Buy, 100L * (trade + 1), 10.00m, Day,
            FeeSchedule.Default.Compute(Side.Buy, 10m, 100L * (trade + 1), Day))),
        5 => new OrderSubmitUnknown(Order.Id, At, "timeout"),
        6 => new OrderCancelRequested(Order.Id, At, "test"),
        7 => new OrderCancelReported(Order.Id, At, "cancelled"),
        8 => new OrderRejectReported(Order.Id, At, "broker", "no"),
        _ => new OrderExpireReported(Order.Id, At, "day end"),
    };

    [Property(MaxTest = 500)]
    public Property Filled_is_the_sum_of_distinct_fills_and_a_final_state_never_moves()
    {
        var events = Gen.Choose(0, 9).Zip(Gen.Choose(0, 3)).Select(p => Event(p.Item1, p.Item2)).ListOf();
        return Prop.ForAll(events.ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (list, adopted) =>
        {
            var state = adopted
                ? OrderState.Adopt(new OrderAdopted(Order.Id, At, Order, "B1"))
                : OrderState.Create(new OrderCreated(Order.Id, At, Order));
            var start = state;
            var applied = new List<OrderEvent>();
            foreach (var e in list)
            {
                var t = state.Apply(e);
                if (state.Status.IsTerminal()) Assert.False(t.Applied, $"{e.GetType().Name} moved {state.Status}");
                if (t.Applied) applied.Add(e);
                state = t.State;
            }
            Assert.Equal(state.FillIds.Sum(id => 100L * (id[^1] - '0' + 1)), state.FilledQuantity);
            Assert.True(state.FilledQuantity <= Order.Quantity);
            Assert.Equal(state.FillIds.Count, applied.OfType<OrderFillReported>().Count());
            // Recovery replays every journaled event (the applied ones, or all of them): the same state either way.
            var replayAll = list.Aggregate(start, (s, e) => s.Apply(e).State);
            var replayApplied = applied.Aggregate(start, (s, e) => s.Apply(e).State);
            Assert.Equal((state.Status, state.FilledQuantity), (replayAll.Status, replayAll.FilledQuantity));
            Assert.Equal((state.Status, state.FilledQuantity), (replayApplied.Status, replayApplied.FilledQuantity));
        });
    }
}
