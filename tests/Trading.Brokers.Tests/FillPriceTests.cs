using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

/// <summary>Fill prices by timing, slippage and impact, the volume cap, protected market orders.</summary>
public class FillPriceTests
{
    // Open 10.00, high 10.50, low 9.80, close 10.30; VWAP proxy 1,023,456 / 100,000 = 10.23456.
    private static readonly Trading.Data.Model.DailyBar Day1Bar =
        Bar(Main, Day1, 10m, 10.5m, 9.8m, 10.3m, volume: 100_000, amount: 1_023_456m);

    [Theory]
    [InlineData(FillTiming.Open, "10.00", "10.00")]
    [InlineData(FillTiming.Close, "10.30", "10.30")]
    [InlineData(FillTiming.Vwap, "10.24", "10.23")] // the proxy rounded to the tick against the order
    public void Fills_happen_at_the_open_the_close_or_the_vwap_proxy(FillTiming timing, string buyPrice, string sellPrice)
    {
        var h = new Harness().Open(Day1, Day1Bar);
        h.Exchange.TransferInShares(Main, 1000);
        var buy = h.Submit(h.Buy(Main, 1000, 10.5m));
        var sell = h.Submit(h.Sell(Main, 1000, 9.8m));

        var fills = h.Match(timing).ToDictionary(f => f.OrderId);

        Assert.Equal(M(buyPrice), fills[buy.Id].Price);
        Assert.Equal(M(sellPrice), fills[sell.Id].Price);
        Assert.All(fills.Values, f => Assert.Equal(Day1, f.TradeDate));
    }

    [Fact]
    public void Slippage_is_fixed_bps_plus_impact_times_the_square_root_of_participation()
    {
        // 10,000 of 100,000 shares: 5 + 100 × √0.1 = 36.62 bps. Buy: 10 × 1.003662 = 10.0366 → 10.04 (up);
        // sell: 10 × 0.996338 = 9.9634 → 9.96 (down).
        var h = new Harness(new SimulatedExchangeOptions { FixedSlippageBps = 5m, ImpactBps = 100m, MaxParticipation = 1m })
            .Open(Day1, Bar(Main, Day1, 10m, 10.5m, 9.5m, 10m, volume: 100_000));
        h.Exchange.TransferInShares(Main, 10_000);
        var buy = h.Submit(h.Buy(Main, 10_000, 10.5m));
        var sell = h.Submit(h.Sell(Main, 10_000, 9.5m));

        var fills = h.Match().ToDictionary(f => f.OrderId);

        Assert.Equal(10.04m, fills[buy.Id].Price);
        Assert.Equal(9.96m, fills[sell.Id].Price);
    }

    [Fact]
    public void Impact_grows_with_participation()
    {
        var bar = MarketBar.FromDaily(Bar(Main, Day1, 10m, 11m, 9m, 10m, volume: 1_000_000));
        var options = new SimulatedExchangeOptions { FixedSlippageBps = 0m, ImpactBps = 100m };
        decimal Price(decimal participation) => FillModel.SlippedPrice(Side.Buy, 10m, participation, 11m, bar, Money.Fen, options);

        Assert.Equal(10m, Price(0m));
        Assert.Equal(10.01m, Price(0.01m));   // 100 × √0.01 = 10 bps → 10.01
        Assert.Equal(10.05m, Price(0.25m));   // 50 bps → 10.05
        Assert.Equal(10.10m, Price(1m));      // 100 bps → 10.10
        Assert.Equal(10.01m, Price(0.0001m)); // 1 bp → 10.001, rounded up to the tick against the buyer
    }

    [Fact]
    public void Slippage_never_leaves_the_bar_nor_crosses_the_order_price()
    {
        var options = new SimulatedExchangeOptions { FixedSlippageBps = 500m, ImpactBps = 0m, MaxParticipation = 1m };
        var h = new Harness(options).Open(Day1, Bar(Main, Day1, 10m, 10.2m, 9.9m, 10m));
        h.Exchange.TransferInShares(Main, 1000);
        var buyToHigh = h.Submit(h.Buy(Main, 100, 11m));      // 10.50 → the bar's high 10.20
        var buyToLimit = h.Submit(h.Buy(Main, 100, 10.1m));   // → its own limit 10.10
        var sellToLow = h.Submit(h.Sell(Main, 100, 9m));      // 9.50 → the bar's low 9.90
        var sellToLimit = h.Submit(h.Sell(Main, 100, 9.95m)); // → its own limit 9.95

        var fills = h.Match().ToDictionary(f => f.OrderId, f => f.Price);

        Assert.Equal(10.2m, fills[buyToHigh.Id]);
        Assert.Equal(10.1m, fills[buyToLimit.Id]);
        Assert.Equal(9.9m, fills[sellToLow.Id]);
        Assert.Equal(9.95m, fills[sellToLimit.Id]);
    }

    [Fact]
    public void Fill_prices_stay_in_the_bar_and_within_the_order_price_for_random_bars_and_orders()
    {
        var random = new Random(20240301);
        var options = new SimulatedExchangeOptions { FixedSlippageBps = 20m, ImpactBps = 300m, MaxParticipation = 0.5m };
        for (int i = 0; i < 5_000; i++)
        {
            decimal Fen(int lo, int hi) => random.Next(lo, hi + 1) / 100m;
            var low = Fen(900, 1090);
            var high = low + Fen(0, 1100 - (int)(low * 100));
            var open = Fen((int)(low * 100), (int)(high * 100));
            var close = Fen((int)(low * 100), (int)(high * 100));
            long volume = random.Next(1, 200_000);
            var amount = volume * Fen((int)(low * 100), (int)(high * 100));
            var bar = MarketBar.FromDaily(Bar(Main, Day1, open, high, low, close, volume: volume, amount: amount));
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var orderPrice = Fen(900, 1100);
            var timing = (FillTiming)random.Next(1, 4);

            var d = FillModel.Decide(side, orderPrice, random.Next(1, 100) * 100, 0, bar, timing, options);
            if (!d.Fills) continue;
            Assert.InRange(d.Price, low, high);
            Assert.True(Money.IsOnTick(d.Price));
            var market = bar.PriceAt(timing);
            // Never beyond the order's price, never better than the market (slippage only ever hurts).
            if (side == Side.Buy) Assert.InRange(d.Price, market, orderPrice);
            else Assert.InRange(d.Price, orderPrice, market);
            Assert.True(d.Quantity <= (long)(volume * options.MaxParticipation));
        }
    }

    // ---- Volume cap ----

    [Fact]
    public void The_volume_cap_leaves_a_partial_fill_that_expires_at_the_close()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(Main, Day1, volume: 10_000));
        var buy = h.Submit(h.Buy(Main, 3000, 10m));

        var fill = Assert.Single(h.Match(FillTiming.Open));
        Assert.Equal(1000, fill.Quantity);
        var report = h.LastOf<OrderFilled>(buy.Id);
        Assert.Equal((1000L, 2000L), (report.CumulativeQuantity, report.RemainingQuantity));
        Assert.Equal(OrderStatus.PartiallyFilled, h.Order(buy.Id).Status);

        // The same daily bar matched again at the close: its volume is not taken twice.
        Assert.Empty(h.Match(FillTiming.Close));
        h.Close();

        var expired = h.LastOf<OrderExpired>(buy.Id);
        Assert.Equal(1000, expired.FilledQuantity);
        Assert.Equal(OrderStatus.Expired, h.Order(buy.Id).Status);
        Assert.Equal(1000, h.Order(buy.Id).FilledQuantity);
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
    }

    [Fact]
    public void With_roll_over_the_rest_keeps_filling_on_the_next_days()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m, RollOverOpenOrders = true })
            .Open(Day1, Flat(Main, Day1, volume: 10_000));
        var buy = h.Submit(h.Buy(Main, 3000, 10m));
        Assert.Single(h.Match());
        h.Close();
        Assert.Empty(h.ReportsOf(buy.Id).OfType<OrderExpired>());
        Assert.True(h.Exchange.Account.FrozenCash > 0m);

        h.Open(Day2, Flat(Main, Day2, volume: 10_000));
        Assert.Contains(h.Exchange.Orders, o => o.Id == buy.Id); // a rolled order is among the day's orders
        Assert.Single(h.Match());
        h.Close();
        h.Open(Day3, Flat(Main, Day3, volume: 10_000));
        var last = Assert.Single(h.Match());

        Assert.Equal(Day3, last.TradeDate);
        var order = h.Order(buy.Id);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(3, order.Fills.Count);
        // A rolled order is a new exchange order each day: the 5 CNY minimum commission applies each day.
        Assert.All(order.Fills, f => Assert.Equal(5m, f.Fees.Commission));
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
    }

    [Theory]
    [InlineData("600000.SH", 1200)] // cap 1,234 rounded down to the lot of 100
    [InlineData("688981.SH", 1234)] // STAR steps by 1 share
    public void A_capped_fill_is_rounded_down_to_the_boards_step(string code, long expected)
    {
        var symbol = Symbol.Parse(code);
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(symbol, Day1, volume: 12_345));
        h.Submit(h.Buy(symbol, 5000, 10m));

        Assert.Equal(expected, Assert.Single(h.Match()).Quantity);
    }

    [Fact]
    public void Bars_of_one_day_are_capped_separately_as_minute_bars_will_be()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 3000, 10m));
        MarketBar Minute(int minute) => MarketBar.FromDaily(Flat(Main, Day1, volume: 10_000)) with { Start = new TimeOnly(9, 30 + minute) };

        Assert.Single(h.Exchange.Match(Day1, FillTiming.Close, _ => Minute(0)));
        Assert.Empty(h.Exchange.Match(Day1, FillTiming.Close, _ => Minute(0))); // the same minute again
        Assert.Single(h.Exchange.Match(Day1, FillTiming.Close, _ => Minute(1)));
        Assert.Single(h.Exchange.Match(Day1, FillTiming.Close, _ => Minute(2)));

        Assert.Equal(OrderStatus.Filled, h.Order(buy.Id).Status);
    }

    // ---- Protected market orders ----

    [Fact]
    public void A_protected_market_order_fills_at_the_market_and_cancels_its_rest()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Bar(Main, Day1, 10.2m, 10.4m, 10m, 10.3m, volume: 5000));
        var buy = h.Submit(h.Buy(Main, 1000, 10.5m, OrderType.ProtectedMarket));

        var fill = Assert.Single(h.Match());
        Assert.Equal((500L, 10.2m), (fill.Quantity, fill.Price));
        var cancelled = h.LastOf<OrderCancelled>(buy.Id);
        Assert.Equal(500, cancelled.FilledQuantity);
        Assert.Equal(OrderStatus.Cancelled, h.Order(buy.Id).Status);
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
    }

    [Fact]
    public void A_protected_market_order_does_not_fill_beyond_its_protection()
    {
        var h = new Harness().Open(Day1, Bar(Main, Day1, 10.6m, 10.8m, 10.2m, 10.3m));
        var buy = h.Submit(h.Buy(Main, 1000, 10.5m, OrderType.ProtectedMarket));

        Assert.Empty(h.Match());
        Assert.Contains("above the order's 10.50", h.LastOf<OrderCancelled>(buy.Id).Reason);
    }

    [Fact]
    public void A_protected_market_order_may_rest_as_a_limit_order()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m, ProtectedMarketRemainder = MarketRemainder.RestAsLimit })
            .Open(Day1, Bar(Main, Day1, 10.2m, 10.4m, 10m, 10.3m, volume: 5000));
        var buy = h.Submit(h.Buy(Main, 1000, 10.5m, OrderType.ProtectedMarket));

        Assert.Single(h.Match());
        Assert.Equal(OrderStatus.PartiallyFilled, h.Order(buy.Id).Status);
        h.Close();
        Assert.Equal(500, h.LastOf<OrderExpired>(buy.Id).FilledQuantity);
    }

    private static decimal M(string text) => decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
