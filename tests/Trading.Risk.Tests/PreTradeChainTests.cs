namespace Trading.Risk.Tests;

public class PreTradeChainTests
{
    private sealed class Recording(string name) : IPreTradeRule
    {
        public List<long> Seen { get; } = [];
        public string Name => name;
        public RiskDecision Check(OrderRequest order, RiskContext context) { Seen.Add(order.Quantity); return RiskDecision.Accepted; }
    }

    private sealed class Fixed(string name, Func<OrderRequest, RiskDecision> decide) : IPreTradeRule
    {
        public string Name => name;
        public RiskDecision Check(OrderRequest order, RiskContext context) => decide(order);
    }

    private static Fixed ShrinkTo(long q) => new($"shrink-{q}", _ => new RiskDecision.Shrink(q, $"shrink-{q}", $"to {q}"));
    private static Fixed Rejecting(string name) => new(name, _ => new RiskDecision.Reject(name, "no"));

    [Fact]
    public void A_shrink_changes_the_order_the_following_rules_see()
    {
        var first = new Recording("first");
        var after = new Recording("after");
        var result = new PreTradeChain([first, ShrinkTo(500), after, ShrinkTo(300)]).Evaluate(Buy(Main, 1_000, 10.00m), Account());

        Assert.Equal([1_000], first.Seen);
        Assert.Equal([500], after.Seen);
        Assert.True(result.IsApproved);
        Assert.Equal(300, result.Approved!.Quantity);
        Assert.Equal(1_000, result.Requested.Quantity);
        Assert.Equal(["shrink-500", "shrink-300"], result.Shrinks.Select(s => s.Rule));
        Assert.Equal(300, Assert.IsType<RiskDecision.Shrink>(result.Decision).NewQuantity);
    }

    [Fact]
    public void The_first_rejection_wins_and_later_rules_do_not_run()
    {
        var later = new Recording("later");
        var result = new PreTradeChain([ShrinkTo(500), Rejecting("a"), Rejecting("b"), later]).Evaluate(Buy(Main, 1_000, 10.00m), Account());

        Assert.False(result.IsApproved);
        Assert.Equal("a", result.Rejection!.Rule);
        Assert.Empty(later.Seen);
        var e = Assert.IsType<OrderRejectedByRisk>(result.ToEvent(Now));
        Assert.Equal(("a", 1_000L), (e.Rule, e.Order.Quantity));
    }

    [Fact]
    public void An_accepted_order_becomes_an_approval_event()
    {
        var order = Buy(Main, 1_000, 10.00m);
        var result = new PreTradeChain([new Recording("r")]).Evaluate(order, Account());
        Assert.Same(RiskDecision.Accepted, result.Decision);
        Assert.Equal(new OrderApproved(order, Now), result.ToEvent(Now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000)]
    [InlineData(2_000)]
    public void A_shrink_that_does_not_shrink_fails_safe(long quantity)
    {
        var result = new PreTradeChain([ShrinkTo(quantity)]).Evaluate(Buy(Main, 1_000, 10.00m), Account());
        Assert.Equal($"shrink-{quantity}", result.Rejection!.Rule);
        Assert.Contains("invalid shrink", result.Rejection.Reason);
    }

    [Fact]
    public void The_kill_switch_rejects_everything_without_asking_the_rules()
    {
        var rule = new Recording("r");
        var ctx = Account() with { State = RiskState.Empty.Apply(new KillSwitchEngaged("drawdown 20%", Now.AddHours(-1))) };
        var chain = new PreTradeChain([rule]);

        foreach (var order in new[] { Buy(Main, 100, 10.00m), Sell(Sz, 100, 10.00m) })
        {
            var rejection = chain.Evaluate(order, ctx).Rejection!;
            Assert.Equal("kill-switch", rejection.Rule);
            Assert.Contains("drawdown 20%", rejection.Reason);
            Assert.Contains("2024-03-01 09:00:00", rejection.Reason);
        }
        Assert.Empty(rule.Seen);
    }

    [Fact]
    public void The_kill_switch_survives_a_replay_and_a_new_day_until_released()
    {
        var journal = new List<RiskEvent>
        {
            new DayStarted(Day),
            new OrderApproved(Buy(Main, 100, 10.00m), Now),
            new KillSwitchEngaged("operator", Now.AddMinutes(1)),
            new DayStarted(Day.AddDays(3)),
        };
        var chain = new PreTradeChain([]);
        var recovered = RiskState.Replay(journal);

        Assert.True(recovered.KillSwitchEngaged);
        Assert.Equal(new KillSwitchState("operator", Now.AddMinutes(1)), recovered.KillSwitch);
        Assert.Equal("kill-switch", chain.Evaluate(Buy(Main, 100, 10.00m), Account() with { State = recovered }).Rejection?.Rule);

        journal.Add(new KillSwitchReleased("admin", Now.AddDays(3)));
        var released = RiskState.Replay(journal);
        Assert.False(released.KillSwitchEngaged);
        Assert.True(chain.Evaluate(Buy(Main, 100, 10.00m), Account() with { State = released }).IsApproved);
    }

    [Fact]
    public void Cancels_pass_the_kill_switch_but_not_the_cancel_cap()
    {
        var state = RiskState.Empty.Apply(new KillSwitchEngaged("x", Now)).Apply(new OrderCancelled(NextId(), S(Main), Now));
        AssertAccept(new PreTradeChain([]).CheckCancel(S(Main), state));
        AssertAccept(new PreTradeChain([], cancelCap: new DailyCancelCap(2, 2)).CheckCancel(S(Main), state));
        AssertReject(new PreTradeChain([], cancelCap: new DailyCancelCap(1, 2)).CheckCancel(S(Main), state), "daily-cancel-count");
    }

    [Fact]
    public void From_options_builds_every_rule_in_order()
    {
        var chain = PreTradeChain.FromOptions(RiskOptions.Default with { Blacklist = [S(Sz)], Whitelist = [S(Main)] });
        Assert.Equal(
            ["suspended", "black-list", "white-list", "t-plus-one", "lot-tick", "price-limit", "price-cage", "price-band", "self-trade",
             "duplicate-order", "daily-order-count", "active-orders", "position-weight", "order-volume", "order-value", "daily-amount", "cash"],
            chain.Rules.Select(r => r.Name));
        Assert.NotNull(chain.RebalanceSanity);
        Assert.NotNull(chain.CancelCap);
    }

    [Fact]
    public void Null_limits_switch_rules_off_but_the_board_maximum_stays()
    {
        var off = RiskOptions.Default with
        {
            MaxPositionWeight = null, MaxOrderValue = null, MaxOrderQuantity = null, MaxDailyAmount = null, MaxDailyOrders = null,
            MaxDailyOrdersPerSymbol = null, MaxActiveOrders = null, DuplicateWindow = null, MaxPriceDeviation = null, PriceCages = null,
            BlockLimitPrices = false, CheckSuspended = false, CheckLotAndTick = false, CheckSellable = false, CheckCash = false,
            PreventSelfTrade = false, MaxRebalanceTurnover = null, CheckRebalanceCash = false, MaxDailyCancels = null, MaxDailyCancelsPerSymbol = null,
        };
        var chain = PreTradeChain.FromOptions(off);
        Assert.Equal(["order-volume"], chain.Rules.Select(r => r.Name));
        Assert.Null(chain.RebalanceSanity);
        Assert.Null(chain.CancelCap);
        Assert.Equal("order-volume", chain.Evaluate(Buy(Main, 1_000_100, 10.00m), Account()).Rejection?.Rule);
    }

    [Fact]
    public void The_default_chain_on_a_600k_account_shrinks_an_oversized_buy_to_the_weight_cap()
    {
        var ctx = Account().WithQuote(Main, 10.00m, bid: 9.99m, ask: 10.00m);
        var result = PreTradeChain.FromOptions(RiskOptions.Default).Evaluate(Buy(Main, 8_000, 10.00m), ctx);
        Assert.Equal(6_000, result.Approved?.Quantity);
        Assert.Equal("position-weight", Assert.Single(result.Shrinks).Rule);
    }

    [Fact]
    public void The_default_chain_names_the_failing_rule()
    {
        var ctx = Account(5_000m, 600_000m).WithQuote(Main, 10.00m, ask: 10.00m);
        Assert.Equal("cash", PreTradeChain.FromOptions(RiskOptions.Default).Evaluate(Buy(Main, 1_000, 10.00m), ctx).Rejection?.Rule);
        Assert.Equal("lot-tick", PreTradeChain.FromOptions(RiskOptions.Default).Evaluate(Buy(Main, 150, 10.00m), ctx).Rejection?.Rule);
    }

    [Fact]
    public void A_batch_sees_its_own_earlier_approvals()
    {
        // Two buys of 4,000 at 10.00 on a 600k account: the second meets the first (pending) under the 60,000 cap.
        var ctx = Account().WithQuote(Main, 10.00m, ask: 10.00m);
        var chain = PreTradeChain.FromOptions(RiskOptions.Default);
        var batch = new[] { Buy(Main, 4_000, 10.00m), Buy(Main, 4_000, 9.99m) };

        var result = chain.EvaluateBatch(batch, ctx);

        Assert.Equal([4_000L, 2_000L], result.Approved.Select(o => o.Quantity));
        Assert.Equal(2, result.Events.Count);
        Assert.Equal(2, result.State.OrderCount);
        Assert.Equal(2, result.State.ActiveOrders.Count);
        Assert.Equal(RiskState.Replay(new RiskEvent[] { new DayStarted(Day) }.Concat(result.Events)), result.State);
    }

    [Fact]
    public void A_batch_failing_its_sanity_check_is_rejected_whole()
    {
        var ctx = Account(600_000m).WithQuote(Main, 10.00m, ask: 10.00m).WithQuote(Sz, 10.00m, ask: 10.00m);
        // buys 700,000 > 600,000 cash and > 100 % turnover
        var batch = new[] { Buy(Main, 35_000, 10.00m), Buy(Sz, 35_000, 10.00m) };
        var result = PreTradeChain.FromOptions(RiskOptions.Default).EvaluateBatch(batch, ctx);

        Assert.Empty(result.Approved);
        Assert.All(result.Rejected, r => Assert.Equal("rebalance-sanity", r.Rejection!.Rule));
        Assert.All(result.Events, e => Assert.IsType<OrderRejectedByRisk>(e));
        Assert.Equal(2, result.State.RejectionsToday);
    }

    [Fact]
    public void A_batch_under_the_kill_switch_is_rejected_by_the_kill_switch()
    {
        var ctx = Account() with { State = RiskState.Empty.Apply(new KillSwitchEngaged("x", Now)) };
        var result = PreTradeChain.FromOptions(RiskOptions.Default).EvaluateBatch([Buy(Main, 100, 10.00m), Sell(Main, 100, 10.00m)], ctx);
        Assert.All(result.Rejected, r => Assert.Equal("kill-switch", r.Rejection!.Rule));
        Assert.Equal(2, result.Results.Count);
    }
}
