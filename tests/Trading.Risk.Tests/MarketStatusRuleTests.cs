namespace Trading.Risk.Tests;

public class SuspendedRuleTests
{
    private static readonly SuspendedRule Rule = new();

    [Fact]
    public void A_trading_stock_passes() => AssertAccept(Rule.Check(Buy(Main, 100, 10.00m), Account().WithQuote(Main, 10.00m)));

    [Fact]
    public void A_suspended_stock_is_rejected_on_both_sides()
    {
        var ctx = Account().WithQuote(Main, 10.00m, suspended: true).Hold(Main, 1_000, 10.00m);
        Assert.Contains("600000.SH is suspended on 2024-03-01", AssertReject(Rule.Check(Buy(Main, 100, 10.00m), ctx), "suspended").Reason);
        AssertReject(Rule.Check(Sell(Main, 100, 10.00m), ctx), "suspended");
    }

    [Fact]
    public void No_quote_means_no_order() =>
        Assert.Contains("no market quote", AssertReject(Rule.Check(Buy(Main, 100, 10.00m), Account()), "suspended").Reason);
}

public class ListRuleTests
{
    private static readonly ImmutableHashSet<Symbol> List = [S(Main)];

    [Fact]
    public void Black_list_blocks_buys_and_by_default_not_sells()
    {
        var rule = new BlacklistRule(List);
        AssertReject(rule.Check(Buy(Main, 100, 10.00m), Account()), "black-list");
        AssertAccept(rule.Check(Sell(Main, 100, 10.00m), Account()));
        AssertAccept(rule.Check(Buy(Sz, 100, 10.00m), Account()));
    }

    [Fact]
    public void Black_list_can_block_sells() =>
        AssertReject(new BlacklistRule(List, blockSells: true).Check(Sell(Main, 100, 10.00m), Account()), "black-list");

    [Fact]
    public void White_list_allows_only_its_buys_and_every_sell()
    {
        var rule = new WhitelistRule(List);
        AssertAccept(rule.Check(Buy(Main, 100, 10.00m), Account()));
        AssertReject(rule.Check(Buy(Sz, 100, 10.00m), Account()), "white-list");
        AssertAccept(rule.Check(Sell(Sz, 100, 10.00m), Account()));
    }
}

public class SelfTradeCheckTests
{
    private static readonly SelfTradeCheck Rule = new();

    [Theory]
    [InlineData("10.00", false)]  // meets the own sell
    [InlineData("10.05", false)]
    [InlineData("9.99", true)]
    public void A_buy_against_an_own_open_sell(string price, bool accepted)
    {
        var ctx = Account().WithOpen(Sell(Main, 500, 10.00m));
        var decision = Rule.Check(Buy(Main, 100, M(price)), ctx);
        if (accepted) AssertAccept(decision); else AssertReject(decision, "self-trade");
    }

    [Theory]
    [InlineData("10.00", false)]
    [InlineData("9.90", false)]
    [InlineData("10.01", true)]
    public void A_sell_against_an_own_pending_buy(string price, bool accepted)
    {
        var ctx = Account().WithPending(Buy(Main, 500, 10.00m));
        var decision = Rule.Check(Sell(Main, 100, M(price)), ctx);
        if (accepted) AssertAccept(decision); else AssertReject(decision, "self-trade");
    }

    [Fact]
    public void Same_side_other_symbol_and_filled_orders_do_not_cross()
    {
        var ctx = Account()
            .WithOpen(Buy(Main, 500, 10.00m))
            .WithOpen(Sell(Sz, 500, 10.00m))
            .WithOpen(Sell(Main, 500, 9.00m), filled: 500, status: OrderStatus.Filled);
        AssertAccept(Rule.Check(Buy(Main, 100, 10.00m), ctx));
    }
}
