namespace Trading.Risk.Tests;

/// <summary>Reference 10.00 on the main board: band [9.00, 11.00] (A_SHARE_RULES.md §1.1).</summary>
public class PriceLimitRuleTests
{
    private static readonly PriceLimitRule Rule = new();
    private static readonly RiskContext Ctx = Account().WithQuote(Main, 10.00m);

    [Theory]
    [InlineData("10.99", true)]
    [InlineData("9.00", true)]    // a buy at limit-down is a valid price
    [InlineData("11.00", false)]  // at limit-up: blocked
    [InlineData("11.01", false)]  // outside the band
    [InlineData("8.99", false)]
    public void Buys(string price, bool accepted)
    {
        var decision = Rule.Check(Buy(Main, 100, M(price)), Ctx);
        if (accepted) AssertAccept(decision); else AssertReject(decision, "price-limit");
    }

    [Theory]
    [InlineData("9.01", true)]
    [InlineData("11.00", true)]   // a sell at limit-up is a valid price
    [InlineData("9.00", false)]   // at limit-down: blocked
    [InlineData("8.99", false)]
    [InlineData("11.01", false)]
    public void Sells(string price, bool accepted)
    {
        var decision = Rule.Check(Sell(Main, 100, M(price)), Ctx);
        if (accepted) AssertAccept(decision); else AssertReject(decision, "price-limit");
    }

    [Fact]
    public void The_reason_names_the_limit() =>
        Assert.Contains("limit-up 11.00", AssertReject(Rule.Check(Buy(Main, 100, 11.00m), Ctx), "price-limit").Reason);

    [Fact]
    public void No_limit_on_ipo_days() =>
        AssertAccept(Rule.Check(Buy(Main, 100, 50.00m), Account().WithQuote(Main, new MarketQuote(10.00m, PriceLimit.None))));

    [Fact]
    public void No_quote_rejects() => AssertReject(Rule.Check(Buy(Main, 100, 10.00m), Account()), "price-limit");
}

/// <summary>
/// The cage (A_SHARE_RULES.md §1.1): main boards and ChiNext buy ≤ max(102 % × ref, ref + 10 ticks), sell ≥
/// min(98 % × ref, ref − 10 ticks); STAR without the tick term; BSE as the main boards by default.
/// </summary>
public class PriceCageRuleTests
{
    private static readonly PriceCageRule Rule = new(PriceCage.Defaults);

    private static RiskDecision BuyAt(string symbol, string ask, string price) =>
        Rule.Check(Buy(symbol, 200, M(price)), Account().WithQuote(symbol, M(ask), ask: M(ask)));

    private static RiskDecision SellAt(string symbol, string bid, string price) =>
        Rule.Check(Sell(symbol, 200, M(price)), Account().WithQuote(symbol, M(bid), bid: M(bid)));

    [Theory]
    // main board at 10.00: 102 % = 10.20 beats +10 ticks = 10.10
    [InlineData(Main, "10.00", "10.20", true)]
    [InlineData(Main, "10.00", "10.21", false)]
    // at 3.00 the tick term is wider: max(3.06, 3.10) = 3.10
    [InlineData(Main, "3.00", "3.10", true)]
    [InlineData(Main, "3.00", "3.11", false)]
    [InlineData(Sz, "3.00", "3.10", true)]
    [InlineData(Sz, "3.00", "3.11", false)]
    // the terms meet at 5.00: 5.10
    [InlineData(Main, "5.00", "5.10", true)]
    [InlineData(Main, "5.00", "5.11", false)]
    // a ceiling off the tick: 10.01 × 1.02 = 10.2102
    [InlineData(Main, "10.01", "10.21", true)]
    [InlineData(Main, "10.01", "10.22", false)]
    [InlineData(ChiNext, "3.00", "3.10", true)]
    [InlineData(ChiNext, "3.00", "3.11", false)]
    // STAR: 102 % only, so 3.06 at 3.00
    [InlineData(Star, "3.00", "3.06", true)]
    [InlineData(Star, "3.00", "3.07", false)]
    [InlineData(Star, "100.00", "102.00", true)]
    [InlineData(Star, "100.00", "102.01", false)]
    [InlineData(Bse, "3.00", "3.10", true)]
    [InlineData(Bse, "3.00", "3.11", false)]
    public void Buy_ceiling_per_board(string symbol, string ask, string price, bool accepted)
    {
        var decision = BuyAt(symbol, ask, price);
        if (accepted) AssertAccept(decision); else AssertReject(decision, "price-cage");
    }

    [Theory]
    // main at 3.00: min(2.94, 2.90) = 2.90
    [InlineData(Main, "3.00", "2.90", true)]
    [InlineData(Main, "3.00", "2.89", false)]
    [InlineData(Main, "10.00", "9.80", true)]
    [InlineData(Main, "10.00", "9.79", false)]
    [InlineData(ChiNext, "3.00", "2.90", true)]
    [InlineData(ChiNext, "3.00", "2.89", false)]
    [InlineData(Star, "3.00", "2.94", true)]
    [InlineData(Star, "3.00", "2.93", false)]
    [InlineData(Bse, "3.00", "2.90", true)]
    [InlineData(Bse, "3.00", "2.89", false)]
    public void Sell_floor_per_board(string symbol, string bid, string price, bool accepted)
    {
        var decision = SellAt(symbol, bid, price);
        if (accepted) AssertAccept(decision); else AssertReject(decision, "price-cage");
    }

    [Fact]
    public void The_reason_gives_the_cage_and_its_reference()
    {
        var reason = AssertReject(BuyAt(Main, "3.00", "3.11"), "price-cage").Reason;
        Assert.Contains("cage 3.1", reason);
        Assert.Contains("reference 3.00", reason);
        Assert.Contains("10 ticks", reason);
    }

    [Fact]
    public void The_buy_reference_is_the_ask_then_the_bid_then_the_reference_price()
    {
        var order = Buy(Main, 100, 10.25m);
        // ask 10.05 → ceiling 10.251; without an ask the bid 10.00 → 10.20; without both, reference 10.10 → 10.302
        AssertAccept(Rule.Check(order, Account().WithQuote(Main, 9.00m, bid: 10.00m, ask: 10.05m)));
        AssertReject(Rule.Check(order, Account().WithQuote(Main, 9.00m, bid: 10.00m)), "price-cage");
        AssertAccept(Rule.Check(order, Account().WithQuote(Main, 10.10m)));
    }

    [Fact]
    public void The_sell_reference_is_the_bid_then_the_ask()
    {
        var order = Sell(Main, 100, 9.75m);
        // bid 9.95 → floor 9.751; without a bid, ask 10.00 → 9.80
        AssertReject(Rule.Check(order, Account().WithQuote(Main, 10.00m, bid: 9.95m, ask: 10.00m)), "price-cage");
        AssertReject(Rule.Check(order, Account().WithQuote(Main, 10.00m, ask: 10.00m)), "price-cage");
        AssertAccept(Rule.Check(Sell(Main, 100, 9.76m), Account().WithQuote(Main, 10.00m, bid: 9.95m, ask: 10.00m)));
    }

    [Fact]
    public void A_board_without_a_cage_is_not_checked() =>
        AssertAccept(new PriceCageRule(ImmutableDictionary<Board, PriceCage>.Empty).Check(Buy(Main, 100, 99.00m), Account()));
}

public class PriceBandRuleTests
{
    private static readonly PriceBandRule Rule = new(0.05m);

    [Theory]
    [InlineData("10.50", true)]
    [InlineData("10.51", false)]
    [InlineData("9.50", true)]
    [InlineData("9.49", false)]
    public void Five_percent_around_the_reference(string price, bool accepted)
    {
        var decision = Rule.Check(Buy(Main, 100, M(price)), Account().WithQuote(Main, 10.00m));
        if (accepted) AssertAccept(decision); else AssertReject(decision, "price-band");
    }

    [Fact]
    public void The_reason_has_the_deviation() =>
        Assert.Contains("+5.10% from the reference 10.00",
            AssertReject(Rule.Check(Sell(Main, 100, 10.51m), Account().WithQuote(Main, 10.00m)), "price-band").Reason);
}
