using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.State;

public class OrderStateTests
{
    private static readonly DateTime T0 = new(2024, 1, 2, 9, 25, 0);
    private static readonly ClientOrderId Id = new("t-20240102-000001");
    private static readonly OrderRequest Buy = new(Id, Symbol.Parse("600000.SH"), Side.Buy, 1000, 10.00m, OrderType.Limit, new DateOnly(2024, 1, 2));

    private static OrderState Start() => OrderState.Create(new OrderCreated(Id, T0, Buy));

    private static Fill FillOf(string id, long qty, decimal price) =>
        new(id, Id, Buy.Symbol, Side.Buy, qty, price, Buy.TradeDate, new FeeBreakdown(5m, 0m, 0.05m, 0m, 0m));

    private static OrderState Run(OrderState s, params OrderEvent[] events)
    {
        foreach (var e in events)
        {
            var t = s.Apply(e);
            Assert.True(t.Applied, t.Ignored);
            s = t.State;
        }
        return s;
    }

    [Fact]
    public void Happy_path_through_partial_fill_to_filled()
    {
        var s = Run(Start(), new OrderSent(Id, T0), new OrderAcknowledged(Id, T0, "B1"));
        Assert.Equal(OrderStatus.Submitted, s.Status);
        s = Run(s, new OrderFillReported(Id, T0, FillOf("f1", 400, 9.99m)));
        Assert.Equal((OrderStatus.PartiallyFilled, 400L, 600L), (s.Status, s.FilledQuantity, s.RemainingQuantity));
        s = Run(s, new OrderFillReported(Id, T0, FillOf("f2", 600, 10.00m)));
        Assert.Equal(OrderStatus.Filled, s.Status);
        Assert.Equal(9.996m, s.AveragePrice); // (400 × 9.99 + 600 × 10) / 1000
        Assert.Equal(10.10m, s.Fees);
        Assert.Equal(0m, s.FrozenCash());
    }

    [Fact]
    public void A_duplicate_fill_is_ignored_and_not_counted()
    {
        var s = Run(Start(), new OrderSent(Id, T0), new OrderAcknowledged(Id, T0, "B1"), new OrderFillReported(Id, T0, FillOf("f1", 400, 10m)));
        var t = s.Apply(new OrderFillReported(Id, T0, FillOf("f1", 400, 10m)));
        Assert.False(t.Applied);
        Assert.Contains("duplicate fill f1", t.Ignored);
        Assert.Equal(400, t.State.FilledQuantity);
    }

    [Fact]
    public void Overfill_and_wrong_side_fills_are_ignored()
    {
        var s = Run(Start(), new OrderSent(Id, T0), new OrderAcknowledged(Id, T0, "B1"));
        Assert.False(s.Apply(new OrderFillReported(Id, T0, FillOf("f9", 1100, 10m))).Applied);
        var sell = new Fill("f8", Id, Buy.Symbol, Side.Sell, 100, 10m, Buy.TradeDate, default);
        Assert.False(s.Apply(new OrderFillReported(Id, T0, sell)).Applied);
    }

    [Theory]
    [InlineData(OrderStatus.New, "ack")]
    [InlineData(OrderStatus.New, "fill")]
    [InlineData(OrderStatus.New, "cancelled")]
    public void Illegal_transitions_are_ignored(OrderStatus from, string what)
    {
        var s = Start();
        Assert.Equal(from, s.Status);
        OrderEvent e = what switch
        {
            "ack" => new OrderAcknowledged(Id, T0, "B"),
            "fill" => new OrderFillReported(Id, T0, FillOf("f", 100, 10m)),
            _ => new OrderCancelReported(Id, T0, "x"),
        };
        var t = s.Apply(e);
        Assert.False(t.Applied);
        Assert.Equal(OrderStatus.New, t.State.Status);
    }

    [Fact]
    public void Cancel_of_a_partially_filled_order_keeps_its_fills_and_a_late_fill_still_counts()
    {
        var s = Run(Start(), new OrderSent(Id, T0), new OrderAcknowledged(Id, T0, "B1"), new OrderFillReported(Id, T0, FillOf("f1", 300, 10m)),
            new OrderCancelRequested(Id, T0, "rebalance changed"));
        Assert.Equal(OrderStatus.PendingCancel, s.Status);
        s = Run(s, new OrderFillReported(Id, T0, FillOf("f2", 200, 10m)));
        Assert.Equal((OrderStatus.PendingCancel, 500L), (s.Status, s.FilledQuantity));
        s = Run(s, new OrderCancelReported(Id, T0, "cancelled"));
        Assert.Equal(OrderStatus.Cancelled, s.Status);
        Assert.False(s.Apply(new OrderFillReported(Id, T0, FillOf("f3", 100, 10m))).Applied);
    }

    [Fact]
    public void Rejection_and_expiry_end_the_order()
    {
        var rejected = Run(Start(), new OrderSent(Id, T0), new OrderRejectReported(Id, T0, "broker", "price outside limits"));
        Assert.Equal((OrderStatus.Rejected, "price outside limits"), (rejected.Status, rejected.Reason));
        var expired = Run(Start(), new OrderSent(Id, T0), new OrderAcknowledged(Id, T0, "B"), new OrderExpireReported(Id, T0, "end of day"));
        Assert.Equal(OrderStatus.Expired, expired.Status);
        Assert.False(expired.Apply(new OrderAcknowledged(Id, T0, "B")).Applied);
    }

    [Fact]
    public void Open_buys_freeze_their_unfilled_value_with_a_fee_allowance()
    {
        var s = Run(Start(), new OrderSent(Id, T0));
        Assert.Equal(10_015.00m, s.FrozenCash()); // 1000 × 10.00 × 1.0015
        s = Run(s, new OrderAcknowledged(Id, T0, "B"), new OrderFillReported(Id, T0, FillOf("f1", 400, 10m)));
        Assert.Equal(6_009.00m, s.FrozenCash());
    }
}
