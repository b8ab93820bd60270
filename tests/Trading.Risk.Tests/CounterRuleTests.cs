namespace Trading.Risk.Tests;

public class DuplicateOrderRuleTests
{
    private static readonly DuplicateOrderRule Rule = new(TimeSpan.FromSeconds(10));

    private static Ctx After(OrderRequest earlier, DateTime approvedAt, DateTime now) =>
        Account() with { State = RiskState.Empty.Apply(new DayStarted(Day)).Apply(new OrderApproved(earlier, approvedAt)), At = now };

    [Theory]
    [InlineData(0, false)]
    [InlineData(9_999, false)]   // inside the window
    [InlineData(10_000, true)]   // the window has passed
    [InlineData(60_000, true)]
    public void Same_order_within_the_window_is_a_duplicate(int millisecondsLater, bool accepted)
    {
        var earlier = Buy(Main, 1_000, 10.00m);
        var again = Buy(Main, 1_000, 10.00m);
        var decision = Rule.Check(again, After(earlier, Now, Now.AddMilliseconds(millisecondsLater)));
        if (accepted) AssertAccept(decision);
        else Assert.Contains($"same as {earlier.Id}", AssertReject(decision, "duplicate-order").Reason);
    }

    [Fact]
    public void A_different_price_quantity_side_or_symbol_is_not_a_duplicate()
    {
        var ctx = After(Buy(Main, 1_000, 10.00m), Now, Now.AddSeconds(1));
        AssertAccept(Rule.Check(Buy(Main, 1_000, 10.01m), ctx));
        AssertAccept(Rule.Check(Buy(Main, 1_100, 10.00m), ctx));
        AssertAccept(Rule.Check(Sell(Main, 1_000, 10.00m), ctx));
        AssertAccept(Rule.Check(Buy(Sz, 1_000, 10.00m), ctx));
    }
}

public class DailyOrderCountRuleTests
{
    private static readonly RiskState TwoOnMainOneOnSz =
        StateWith(Buy(Main, 100, 10.00m), Buy(Main, 100, 10.01m), Buy(Sz, 100, 10.00m));

    [Fact]
    public void Overall_cap()
    {
        var ctx = Account() with { State = TwoOnMainOneOnSz };
        AssertAccept(new DailyOrderCountRule(4, 10).Check(Buy(ChiNext, 100, 10.00m), ctx));
        Assert.Contains("3 orders already today, the daily cap is 3",
            AssertReject(new DailyOrderCountRule(3, 10).Check(Buy(ChiNext, 100, 10.00m), ctx), "daily-order-count").Reason);
    }

    [Fact]
    public void Per_symbol_cap()
    {
        var ctx = Account() with { State = TwoOnMainOneOnSz };
        var rule = new DailyOrderCountRule(10, 2);
        AssertAccept(rule.Check(Buy(Sz, 100, 10.00m), ctx));
        Assert.Contains("2 orders in 600000.SH", AssertReject(rule.Check(Sell(Main, 100, 10.00m), ctx), "daily-order-count").Reason);
    }

    [Fact]
    public void A_new_day_starts_from_zero()
    {
        var ctx = Account() with { State = TwoOnMainOneOnSz.Apply(new DayStarted(Day.AddDays(3))) };
        AssertAccept(new DailyOrderCountRule(1, 1).Check(Buy(Main, 100, 10.00m), ctx));
    }
}

public class ActiveOrderRuleTests
{
    private static readonly ActiveOrderRule Rule = new(2);

    [Fact]
    public void Open_and_pending_orders_count_against_the_cap()
    {
        var ctx = Account().WithOpen(Buy(Main, 100, 10.00m)).WithPending(Buy(Sz, 100, 10.00m));
        Assert.Contains("2 orders are active, the cap is 2", AssertReject(Rule.Check(Buy(Star, 200, 10.00m), ctx), "active-orders").Reason);
    }

    [Fact]
    public void An_order_known_to_both_counts_once_and_finished_orders_not_at_all()
    {
        var open = Buy(Main, 100, 10.00m);
        var ctx = Account().WithPending(open).WithOpen(open).WithOpen(Buy(Sz, 100, 10.00m), status: OrderStatus.Filled);
        AssertAccept(Rule.Check(Buy(Star, 200, 10.00m), ctx));
    }

    [Fact]
    public void A_finished_order_leaves_the_active_set()
    {
        var a = Buy(Main, 100, 10.00m);
        var ctx = Account().WithPending(a).WithPending(Buy(Sz, 100, 10.00m));
        AssertReject(Rule.Check(Buy(Star, 200, 10.00m), ctx), "active-orders");
        AssertAccept(Rule.Check(Buy(Star, 200, 10.00m), ctx with { State = ctx.State.Apply(new OrderFinished(a.Id)) }));
    }
}

public class DailyAmountRuleTests
{
    private static readonly DailyAmountRule Rule = new(1_000_000m);

    // 950,000 submitted today, both sides
    private static readonly Ctx Ctx = Account() with { State = StateWith(Buy(Main, 50_000, 10.00m), Sell(Sz, 45_000, 10.00m)) };

    [Fact]
    public void Up_to_the_cap_is_accepted() => AssertAccept(Rule.Check(Buy(ChiNext, 5_000, 10.00m), Ctx));

    [Fact]
    public void Above_the_cap_is_rejected() =>
        Assert.Contains("950,000.00 submitted today + 51,000.00 = 1,001,000.00 exceeds the daily cap 1,000,000.00",
            AssertReject(Rule.Check(Buy(ChiNext, 5_100, 10.00m), Ctx), "daily-amount").Reason);
}

public class DailyCancelCapTests
{
    [Fact]
    public void Cancels_overall_and_per_symbol()
    {
        var state = RiskState.Empty.Apply(new DayStarted(Day))
            .Apply(new OrderCancelled(NextId(), S(Main), Now))
            .Apply(new OrderCancelled(NextId(), S(Main), Now))
            .Apply(new OrderCancelled(NextId(), S(Sz), Now));
        AssertAccept(new DailyCancelCap(4, 3).Check(S(Main), state));
        AssertReject(new DailyCancelCap(3, 10).Check(S(ChiNext), state), "daily-cancel-count");
        AssertReject(new DailyCancelCap(10, 2).Check(S(Main), state), "daily-cancel-count");
        AssertAccept(new DailyCancelCap(10, 2).Check(S(Sz), state));
    }
}
