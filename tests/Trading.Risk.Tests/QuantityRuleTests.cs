namespace Trading.Risk.Tests;

public class LotAndTickRuleTests
{
    private static readonly LotAndTickRule Rule = new();

    [Theory]
    [InlineData(Main, 100, true)]
    [InlineData(Main, 12_300, true)]
    [InlineData(Main, 150, false)]
    [InlineData(Main, 99, false)]
    [InlineData(Main, 0, false)]
    [InlineData(Main, -100, false)]
    [InlineData(ChiNext, 300_000, true)]
    [InlineData(ChiNext, 300_100, false)]
    [InlineData(Star, 199, false)]
    [InlineData(Star, 200, true)]
    [InlineData(Star, 201, true)]
    [InlineData(Bse, 101, true)]
    [InlineData(Bse, 99, false)]
    public void Buy_quantities_per_board(string symbol, long quantity, bool valid)
    {
        var decision = Rule.Check(Buy(symbol, quantity, 10.00m), Account());
        if (valid) AssertAccept(decision); else AssertReject(decision, "lot-tick");
    }

    [Fact]
    public void The_reason_names_the_board_rule() =>
        Assert.Contains("at least 200, then steps of 1", AssertReject(Rule.Check(Buy(Star, 150, 10.00m), Account()), "lot-tick").Reason);

    [Theory]
    [InlineData("10.01", true)]
    [InlineData("10.005", false)]
    [InlineData("0.01", true)]
    [InlineData("0", false)]
    [InlineData("-1.00", false)]
    public void Prices_on_the_fen_tick(string price, bool valid)
    {
        var decision = Rule.Check(Buy(Main, 100, M(price)), Account());
        if (valid) AssertAccept(decision); else AssertReject(decision, "lot-tick");
    }

    [Theory]
    [InlineData(Main, 1_050, 1_050, true)]  // the whole position, odd lot included
    [InlineData(Main, 1_050, 1_000, true)]  // round lots
    [InlineData(Main, 1_050, 150, true)]    // a lot carrying the whole odd 50
    [InlineData(Main, 1_050, 50, true)]     // the whole odd lot alone
    [InlineData(Main, 1_050, 30, false)]    // part of the odd lot
    [InlineData(Main, 1_050, 120, false)]
    [InlineData(Star, 250, 250, true)]
    [InlineData(Star, 250, 201, true)]
    [InlineData(Star, 250, 50, false)]      // below 200 and not the whole remainder
    public void Sells_and_odd_lots(string symbol, long sellable, long quantity, bool valid)
    {
        var decision = Rule.Check(Sell(symbol, quantity, 10.00m), Account().Hold(symbol, sellable, 10.00m));
        if (valid) AssertAccept(decision); else AssertReject(decision, "lot-tick");
    }

    [Fact]
    public void The_odd_lot_is_judged_against_what_open_sells_leave()
    {
        // 1,050 sellable, 1,000 already in an open sell: the 50 left are the whole remainder
        var ctx = Account().Hold(Main, 1_050, 10.00m).WithOpen(Sell(Main, 1_000, 10.00m));
        AssertAccept(Rule.Check(Sell(Main, 50, 10.00m), ctx));
        AssertReject(Rule.Check(Sell(Main, 30, 10.00m), ctx), "lot-tick");
    }
}

/// <summary>T+1: a sell ≤ sellable − shares in open sells (A_SHARE_RULES.md §1.1 settlement).</summary>
public class SellableRuleTests
{
    private static readonly SellableRule Rule = new();

    // 3,000 held, 2,000 sellable (1,000 bought today); an open sell of 700 with 200 filled leaves 500 outstanding
    // (the 200 already left the holding's sellable count).
    private static Ctx WithOpenSell() => Account().Hold(Main, 3_000, 10.00m, sellable: 2_000).WithOpen(Sell(Main, 700, 10.00m), filled: 200);

    [Fact]
    public void Sell_up_to_sellable_minus_open_sells_is_accepted() =>
        AssertAccept(Rule.Check(Sell(Main, 1_500, 10.00m), WithOpenSell()));

    [Fact]
    public void One_lot_more_is_rejected_with_the_numbers()
    {
        var reject = AssertReject(Rule.Check(Sell(Main, 1_600, 10.00m), WithOpenSell()), "t-plus-one");
        Assert.Contains("exceeds the 1,500 shares sellable now", reject.Reason);
        Assert.Contains("2,000 sellable (T+1) of 3,000 held", reject.Reason);
        Assert.Contains("500 already in open sells", reject.Reason);
    }

    [Fact]
    public void Pending_sells_count_too()
    {
        var ctx = WithOpenSell().WithPending(Sell(Main, 1_000, 10.00m));
        AssertAccept(Rule.Check(Sell(Main, 500, 10.00m), ctx));
        AssertReject(Rule.Check(Sell(Main, 600, 10.00m), ctx), "t-plus-one");
    }

    [Fact]
    public void Shares_bought_today_cannot_be_sold() =>
        AssertReject(Rule.Check(Sell(Main, 100, 10.00m), Account().Hold(Main, 1_000, 10.00m, sellable: 0)), "t-plus-one");

    [Fact]
    public void No_short_selling() => AssertReject(Rule.Check(Sell(Main, 100, 10.00m), Account()), "t-plus-one");

    [Fact]
    public void Buys_pass() => AssertAccept(Rule.Check(Buy(Main, 100, 10.00m), Account()));
}

public class OrderVolumeRuleTests
{
    [Theory]
    [InlineData(Main, 100_000, OrderType.Limit, true)]
    [InlineData(Main, 100_100, OrderType.Limit, false)]
    public void Configured_cap(string symbol, long quantity, OrderType type, bool accepted)
    {
        var decision = new OrderVolumeRule(100_000).Check(Buy(symbol, quantity, 10.00m, type), Account());
        if (accepted) AssertAccept(decision);
        else Assert.Contains("the limit of 100,000 shares per order", AssertReject(decision, "order-volume").Reason);
    }

    [Theory]
    [InlineData(Star, 100_000, OrderType.Limit, true)]
    [InlineData(Star, 100_001, OrderType.Limit, false)]
    [InlineData(Star, 50_000, OrderType.ProtectedMarket, true)]
    [InlineData(Star, 50_001, OrderType.ProtectedMarket, false)]
    [InlineData(ChiNext, 150_100, OrderType.ProtectedMarket, false)]
    [InlineData(ChiNext, 300_000, OrderType.Limit, true)]
    [InlineData(Main, 1_000_000, OrderType.Limit, true)]
    [InlineData(Main, 1_000_100, OrderType.Limit, false)]
    public void The_board_maximum_always_holds(string symbol, long quantity, OrderType type, bool accepted)
    {
        var decision = new OrderVolumeRule(long.MaxValue).Check(Sell(symbol, quantity, 10.00m, type), Account());
        if (accepted) AssertAccept(decision);
        else Assert.Contains("maximum of", AssertReject(decision, "order-volume").Reason);
    }
}

public class OrderValueRuleTests
{
    private static readonly OrderValueRule Rule = new(100_000m);

    [Fact]
    public void At_the_cap_is_accepted() => AssertAccept(Rule.Check(Buy(Main, 10_000, 10.00m), Account()));

    [Fact]
    public void Above_the_cap_is_rejected() =>
        Assert.Contains("order value 101,000.00 (10,100 × 10.00) exceeds 100,000.00",
            AssertReject(Rule.Check(Buy(Main, 10_100, 10.00m), Account()), "order-value").Reason);
}
