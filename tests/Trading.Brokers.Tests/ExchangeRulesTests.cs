using Trading.Data.Model;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

/// <summary>Submit-time validation and the matching rules of A_SHARE_RULES.md §1.1 and §1.4.</summary>
public class ExchangeRulesTests
{
    // ---- Price limits (preClose 10.00 on the main board: band [9.00, 11.00]) ----

    [Fact]
    public void A_buy_never_fills_on_a_bar_locked_at_limit_up_and_expires_at_the_close()
    {
        var h = new Harness().Open(Day1, Bar(Main, Day1, 11m, 11m, 11m, 11m));
        var buy = h.Submit(h.Buy(Main, 100, 11m));
        h.AssertAccepted(buy);

        Assert.Empty(h.Match(FillTiming.Open));
        Assert.Empty(h.Match(FillTiming.Vwap));
        Assert.Empty(h.Match(FillTiming.Close));
        h.Close();

        var expired = h.LastOf<OrderExpired>(buy.Id);
        Assert.Equal(0, expired.FilledQuantity);
        Assert.Equal(OrderStatus.Expired, h.Order(buy.Id).Status);
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
    }

    [Fact]
    public void A_sell_still_fills_on_a_bar_locked_at_limit_up()
    {
        var h = new Harness().Open(Day1, Bar(Main, Day1, 11m, 11m, 11m, 11m));
        h.Exchange.TransferInShares(Main, 100);
        var sell = h.Submit(h.Sell(Main, 100, 11m));

        var fill = Assert.Single(h.Match());
        Assert.Equal(11m, fill.Price);
        Assert.Equal(OrderStatus.Filled, h.Order(sell.Id).Status);
    }

    [Fact]
    public void A_sell_never_fills_on_a_bar_locked_at_limit_down()
    {
        var h = new Harness().Open(Day1, Bar(Main, Day1, 9m, 9m, 9m, 9m));
        h.Exchange.TransferInShares(Main, 1000);
        var sell = h.Submit(h.Sell(Main, 1000, 9m));
        var buy = h.Submit(h.Buy(Main, 100, 9m));

        var fill = Assert.Single(h.Match(FillTiming.Close));
        Assert.Equal(buy.Id, fill.OrderId); // the buy side of a locked limit-down trades
        h.Close();

        Assert.Equal(0, h.LastOf<OrderExpired>(sell.Id).FilledQuantity);
        Assert.Equal(new BrokerPosition(Main, 1100, 1000, 0), h.Position(Main));
    }

    [Fact]
    public void A_bar_that_only_touched_limit_up_fills_a_buy_at_the_limit_when_its_price_allows()
    {
        // Opened at limit-up, then broke it: not locked.
        var h = new Harness().Open(Day1, Bar(Main, Day1, 11m, 11m, 10.5m, 10.8m));
        var atLimit = h.Submit(h.Buy(Main, 100, 11m));
        var below = h.Submit(h.Buy(Main, 100, 10.9m));

        var fill = Assert.Single(h.Match(FillTiming.Open));
        Assert.Equal(atLimit.Id, fill.OrderId);
        Assert.Equal(11m, fill.Price);

        // The order priced below the open waits; the close (10.80) is within its price.
        var later = Assert.Single(h.Match(FillTiming.Close));
        Assert.Equal(below.Id, later.OrderId);
        Assert.Equal(10.8m, later.Price);
    }

    [Fact]
    public void A_bar_that_only_touched_limit_down_fills_a_sell_at_the_limit_when_its_price_allows()
    {
        var h = new Harness().Open(Day1, Bar(Main, Day1, 9m, 9.5m, 9m, 9.2m));
        h.Exchange.TransferInShares(Main, 200);
        var atLimit = h.Submit(h.Sell(Main, 100, 9m));
        var above = h.Submit(h.Sell(Main, 100, 9.1m));

        var fill = Assert.Single(h.Match(FillTiming.Open));
        Assert.Equal(atLimit.Id, fill.OrderId);
        Assert.Equal(9m, fill.Price);
        Assert.Equal(OrderStatus.Submitted, h.Order(above.Id).Status);
    }

    [Theory]
    [InlineData("11.01", RejectRules.PriceLimit)]
    [InlineData("8.99", RejectRules.PriceLimit)]
    [InlineData("10.005", RejectRules.Tick)]
    [InlineData("0", RejectRules.Price)]
    [InlineData("-1", RejectRules.Price)]
    public void A_price_off_the_tick_or_outside_todays_band_is_rejected(string price, string rule)
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 100, decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(rule, RejectRules.Of(h.RejectionOf(buy)));
        Assert.Equal(OrderStatus.Rejected, h.Order(buy.Id).Status);
    }

    [Fact]
    public void The_band_edges_themselves_are_accepted()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        h.AssertAccepted(h.Submit(h.Buy(Main, 100, 11m)));
        h.AssertAccepted(h.Submit(h.Buy(Main, 100, 9m)));
    }

    [Fact]
    public void A_day_without_a_band_accepts_any_positive_price()
    {
        var bar = Flat(Main, Day1) with { UpLimit = 0m, DownLimit = 0m, Flags = BarFlags.NoLimit };
        var h = new Harness().Open(Day1, bar);
        h.AssertAccepted(h.Submit(h.Buy(Main, 100, 25m)));
    }

    // ---- Suspension ----

    [Fact]
    public void An_order_on_a_stock_suspended_today_is_rejected_with_or_without_a_bar()
    {
        var suspended = Bar(Main, Day1, 10m, 10m, 10m, 10m, volume: 0, flags: BarFlags.Suspended);
        var h = new Harness().Open(Day1, suspended); // Main2 has no bar at all
        var flagged = h.Submit(h.Buy(Main, 100, 10m));
        var missing = h.Submit(h.Buy(Main2, 100, 10m));

        Assert.Equal(RejectRules.Suspended, RejectRules.Of(h.RejectionOf(flagged)));
        Assert.Equal(RejectRules.Suspended, RejectRules.Of(h.RejectionOf(missing)));
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
    }

    [Fact]
    public void Nothing_fills_while_suspended()
    {
        // Accepted on a trading day and rolled over into suspension: neither a flagged bar nor a missing bar fills.
        var h = new Harness(Exact with { RollOverOpenOrders = true }).Open(Day1, Bar(Main, Day1, 10.5m, 10.5m, 10.5m, 10.5m));
        var buy = h.Submit(h.Buy(Main, 100, 10m));
        Assert.Empty(h.Match());
        h.Close();

        h.Open(Day2, [Bar(Main, Day2, 9.5m, 9.5m, 9.5m, 9.5m, volume: 0, flags: BarFlags.Suspended)], null);
        Assert.Empty(h.Match());
        h.Close();
        h.Open(Day3);
        Assert.Empty(h.Match());

        Assert.Equal(OrderStatus.Submitted, h.Order(buy.Id).Status);
        Assert.Equal(0, h.Order(buy.Id).FilledQuantity);
    }

    // ---- T+1 ----

    [Fact]
    public void Todays_buy_cannot_be_sold_today_but_can_be_tomorrow()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        h.Submit(h.Buy(Main, 1000, 10m));
        Assert.Single(h.Match());
        Assert.Equal(new BrokerPosition(Main, 1000, 0, 0), h.Position(Main));

        var sameDay = h.Submit(h.Sell(Main, 1000, 10m));
        var reason = h.RejectionOf(sameDay);
        Assert.Equal(RejectRules.Position, RejectRules.Of(reason));
        Assert.Contains("T+1", reason);
        h.Close();

        h.Open(Day2, Flat(Main, Day2, 10.5m));
        Assert.Equal(new BrokerPosition(Main, 1000, 1000, 0), h.Position(Main));
        var nextDay = h.Submit(h.Sell(Main, 1000, 10.5m));
        h.AssertAccepted(nextDay);
        var fill = Assert.Single(h.Match());
        Assert.Equal(1000, fill.Quantity);
        Assert.Null(h.Position(Main));
    }

    [Fact]
    public void Shares_frozen_by_an_open_sell_cannot_be_sold_twice()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        h.Exchange.TransferInShares(Main, 1000);
        h.AssertAccepted(h.Submit(h.Sell(Main, 600, 10.8m)));
        Assert.Equal(new BrokerPosition(Main, 1000, 1000, 600), h.Position(Main));
        Assert.Equal(400, h.Position(Main)!.Available);

        var second = h.Submit(h.Sell(Main, 500, 10.8m));
        Assert.Contains("400 available", h.RejectionOf(second));
        h.AssertAccepted(h.Submit(h.Sell(Main, 400, 10.8m)));
    }

    // ---- Lots and order sizes (A_SHARE_RULES.md §1.1) ----

    public static TheoryData<string, long, bool> BuyLots => new()
    {
        { "600000.SH", 100, true }, { "600000.SH", 200, true }, { "600000.SH", 150, false }, { "600000.SH", 50, false },
        { "300750.SZ", 300, true }, { "300750.SZ", 250, false },
        { "688981.SH", 199, false }, { "688981.SH", 200, true }, { "688981.SH", 201, true }, { "688981.SH", 100, false },
        { "830799.BJ", 99, false }, { "830799.BJ", 100, true }, { "830799.BJ", 101, true },
    };

    [Theory]
    [MemberData(nameof(BuyLots))]
    public void Buy_quantities_follow_the_boards_lot_rules(string code, long quantity, bool accepted)
    {
        var symbol = Symbol.Parse(code);
        var h = new Harness().Open(Day1, Flat(symbol, Day1));
        var buy = h.Submit(h.Buy(symbol, quantity, 10m));

        if (accepted) h.AssertAccepted(buy);
        else Assert.Equal(RejectRules.Lot, RejectRules.Of(h.RejectionOf(buy)));
    }

    [Theory]
    [InlineData("600000.SH", 150, 50, true)]   // the whole odd lot
    [InlineData("600000.SH", 150, 150, true)]  // everything
    [InlineData("600000.SH", 150, 100, true)]  // round lots, odd lot stays
    [InlineData("600000.SH", 150, 30, false)]  // part of the odd lot
    [InlineData("600000.SH", 150, 120, false)] // a lot and part of the odd lot
    [InlineData("600000.SH", 1050, 150, true)] // a lot carrying the whole odd lot
    [InlineData("688981.SH", 250, 250, true)]
    [InlineData("688981.SH", 250, 200, true)]
    [InlineData("688981.SH", 250, 50, false)]  // below 200 and not the whole position
    [InlineData("688981.SH", 150, 150, true)]  // below 200 but the whole position
    [InlineData("688981.SH", 150, 100, false)]
    [InlineData("830799.BJ", 150, 101, true)]
    [InlineData("830799.BJ", 150, 99, false)]
    public void Odd_lots_can_only_be_sold_whole(string code, long held, long quantity, bool accepted)
    {
        var symbol = Symbol.Parse(code);
        var h = new Harness().Open(Day1, Flat(symbol, Day1));
        h.Exchange.TransferInShares(symbol, held);
        var sell = h.Submit(h.Sell(symbol, quantity, 10m));

        if (accepted) h.AssertAccepted(sell);
        else Assert.Equal(RejectRules.Lot, RejectRules.Of(h.RejectionOf(sell)));
    }

    [Fact]
    public void Protected_market_orders_have_the_smaller_market_order_maximum()
    {
        // STAR: 100,000 per limit order, 50,000 per market order.
        var h = new Harness(cash: 10_000_000m).Open(Day1, Flat(Star, Day1));
        var market = h.Submit(h.Buy(Star, 50_001, 11m, OrderType.ProtectedMarket));
        var limit = h.Submit(h.Buy(Star, 50_001, 11m));
        var tooBig = h.Submit(h.Buy(Star, 100_001, 11m));

        Assert.Equal(RejectRules.MaxSize, RejectRules.Of(h.RejectionOf(market)));
        h.AssertAccepted(limit);
        Assert.Equal(RejectRules.MaxSize, RejectRules.Of(h.RejectionOf(tooBig)));
        h.AssertAccepted(h.Submit(h.Buy(Star, 50_000, 11m, OrderType.ProtectedMarket)));
    }

    // ---- Session ----

    [Fact]
    public void Orders_outside_an_open_day_or_for_another_day_are_rejected()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        var stale = h.Submit(h.Buy(Main, 100, 10m) with { TradeDate = Day1.AddDays(-1) });
        Assert.Equal(RejectRules.TradeDate, RejectRules.Of(h.RejectionOf(stale)));
        h.Close();

        var afterClose = h.Submit(h.Buy(Main, 100, 10m));
        Assert.Equal(RejectRules.Closed, RejectRules.Of(h.RejectionOf(afterClose)));
    }

    [Fact]
    public void The_clock_must_advance()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        Assert.Throws<InvalidOperationException>(() => h.Exchange.BeginDay(Day2));   // Day1 still open
        Assert.Throws<InvalidOperationException>(() => h.Exchange.MatchBar(Day2, FillTiming.Open, h.BarOf));
        h.Close();
        Assert.Throws<InvalidOperationException>(() => h.Exchange.BeginDay(Day1));   // not after Day1
        Assert.Throws<InvalidOperationException>(() => h.Exchange.EndDay(Day1));     // already closed
    }
}
