using Trading.Domain.Fees;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

/// <summary>Fees, frozen cash and shares, cancels, corporate actions, and the account as the sum of its fills.</summary>
public class AccountTests
{
    // ---- Fees (A_SHARE_RULES.md §1.3; default account: commission 0.025% min 5, stamp 0.05% on sells, transfer 0.001%) ----

    [Fact]
    public void Fees_to_the_fen_on_a_round_trip()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        h.Submit(h.Buy(Main, 1000, 10m));
        var buy = Assert.Single(h.Match());
        h.Close();

        // Buy 1,000 × 10.00 = 10,000: commission 2.50 → minimum 5.00; no stamp duty; transfer 0.10.
        Assert.Equal(new FeeBreakdown(5.00m, 0m, 0.10m, 0m, 0m), buy.Fees);
        Assert.Equal(-10_005.10m, buy.CashDelta);
        Assert.Equal(989_994.90m, h.Exchange.Account.Cash);

        h.Open(Day2, Flat(Main, Day2, 10.5m));
        h.Submit(h.Sell(Main, 1000, 10.5m));
        var sell = Assert.Single(h.Match());

        // Sell 1,000 × 10.50 = 10,500: commission 2.625 → 5.00; stamp 5.25; transfer 0.105 → 0.11 (half up).
        Assert.Equal(new FeeBreakdown(5.00m, 5.25m, 0.11m, 0m, 0m), sell.Fees);
        Assert.Equal(10.36m, sell.Fees.Total);
        Assert.Equal(10_489.64m, sell.CashDelta);
        Assert.Equal(1_000_484.54m, h.Exchange.Account.Cash);
    }

    [Fact]
    public void The_minimum_commission_is_charged_once_per_order_across_partial_fills()
    {
        // Three fills of 1,000 × 10.00 from three one-minute bars (10% of 10,000 each):
        // fill 1: max(0.025% × 10,000, 5) − 0 = 5.00; fill 2: max(5.00, 5) − 5 = 0.00; fill 3: 7.50 − 5 = 2.50.
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 3000, 10m));
        var fills = Enumerable.Range(0, 3).SelectMany(m => h.Exchange.Match(Day1, FillTiming.Close,
            _ => MarketBar.FromDaily(Flat(Main, Day1, volume: 10_000)) with { Start = new TimeOnly(9, 30 + m) })).ToArray();

        Assert.Equal(new[] { 5.00m, 0.00m, 2.50m }, fills.Select(f => f.Fees.Commission));
        Assert.All(fills, f => Assert.Equal(0.10m, f.Fees.TransferFee));
        var whole = FeeSchedule.Default.Compute(Side.Buy, 10m, 3000, Day1);
        Assert.Equal(whole.Commission, fills.Sum(f => f.Fees.Commission)); // as if filled at once
        Assert.Equal(7.80m, h.Order(buy.Id).Fees);
    }

    [Fact]
    public void Commission_summed_over_any_split_equals_the_commission_of_one_fill()
    {
        var fees = FeeSchedule.Default;
        var random = new Random(7);
        for (int i = 0; i < 2_000; i++)
        {
            var values = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(1, 5_000_000) / 100m).ToArray();
            decimal before = 0m, charged = 0m;
            foreach (var value in values)
            {
                var fill = OrderFees.ForFill(fees, Side.Sell, value, before, charged, Day1);
                Assert.True(fill.Commission >= 0m);
                before += value;
                charged += fill.Commission;
            }
            Assert.Equal(fees.ComputeForValue(Side.Sell, values.Sum(), Day1).Commission, charged);
        }
    }

    // ---- Frozen cash and shares ----

    [Fact]
    public void A_buy_freezes_its_value_and_fees_and_a_cancel_releases_them()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1, 10.5m));
        var buy = h.Submit(h.Buy(Main, 1000, 10m));

        // 10,000 at the limit + 5.00 commission + 0.10 transfer fee.
        var account = h.Exchange.Account;
        Assert.Equal(10_005.10m, account.FrozenCash);
        Assert.Equal(1_000_000m, account.Cash);
        Assert.Equal(989_994.90m, account.AvailableCash);

        h.Cancel(buy.Id);

        Assert.Equal(0, h.LastOf<OrderCancelled>(buy.Id).FilledQuantity);
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
        Assert.Equal(1_000_000m, h.Exchange.Account.AvailableCash);
    }

    [Fact]
    public void Expiry_releases_frozen_cash_and_shares()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1, 10.5m));
        h.Exchange.TransferInShares(Main, 500);
        h.Submit(h.Buy(Main, 1000, 10m));
        h.Submit(h.Sell(Main, 500, 11m));
        Assert.Equal(500, h.Position(Main)!.Frozen);
        Assert.Empty(h.Match());
        h.Close();

        Assert.Equal(2, h.Reports.OfType<OrderExpired>().Count());
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
        Assert.Equal(new BrokerPosition(Main, 500, 500, 0), h.Position(Main));
    }

    [Fact]
    public void Available_cash_bounds_buys_including_their_fees()
    {
        var h = new Harness(cash: 10_005.09m).Open(Day1, Flat(Main, Day1));
        var shortByAFen = h.Submit(h.Buy(Main, 1000, 10m));
        Assert.Equal(RejectRules.Cash, RejectRules.Of(h.RejectionOf(shortByAFen)));

        h.Exchange.Deposit(0.01m);
        h.AssertAccepted(h.Submit(h.Buy(Main, 1000, 10m)));

        var second = h.Submit(h.Buy(Main, 100, 10m)); // everything is frozen by the first
        Assert.Equal(RejectRules.Cash, RejectRules.Of(h.RejectionOf(second)));
    }

    [Fact]
    public void A_partial_fill_keeps_only_the_rest_frozen()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(Main, Day1, volume: 10_000));
        h.Submit(h.Buy(Main, 3000, 10m));
        h.Match();

        // Paid 10,005.10 for 1,000; 2,000 left frozen at 20,000 + 5.00 + 0.20.
        var account = h.Exchange.Account;
        Assert.Equal(989_994.90m, account.Cash);
        Assert.Equal(20_005.20m, account.FrozenCash);
    }

    [Fact]
    public void Cancelling_a_partly_filled_order_keeps_the_fill_and_releases_the_rest()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(Main, Day1, volume: 10_000));
        var buy = h.Submit(h.Buy(Main, 3000, 10m));
        h.Match();

        h.Cancel(buy.Id);

        var cancelled = h.LastOf<OrderCancelled>(buy.Id);
        Assert.Equal(1000, cancelled.FilledQuantity);
        var order = h.Order(buy.Id);
        Assert.Equal((OrderStatus.Cancelled, 1000L, 0L), (order.Status, order.FilledQuantity, order.RemainingQuantity));
        Assert.Equal(989_994.90m, h.Exchange.Account.Cash);
        Assert.Equal(0m, h.Exchange.Account.FrozenCash);
        Assert.Equal(1000, h.Position(Main)!.Quantity);

        // Nothing fills after the cancel, and a second cancel only repeats the final report.
        Assert.Empty(h.Match(FillTiming.Close));
        int before = h.Reports.Count;
        h.Cancel(buy.Id);
        Assert.Same(cancelled, h.Reports[before]);
        Assert.Equal(before + 1, h.Reports.Count);
    }

    [Fact]
    public void Cancelling_a_partly_filled_sell_releases_the_unsold_shares()
    {
        var h = new Harness(Exact with { MaxParticipation = 0.1m }).Open(Day1, Flat(Main, Day1, volume: 10_000));
        h.Exchange.TransferInShares(Main, 3000);
        var sell = h.Submit(h.Sell(Main, 3000, 10m));
        h.Match();
        Assert.Equal(new BrokerPosition(Main, 2000, 2000, 2000), h.Position(Main));

        h.Cancel(sell.Id);

        Assert.Equal(new BrokerPosition(Main, 2000, 2000, 0), h.Position(Main));
    }

    // ---- Corporate actions ----

    [Fact]
    public void A_dividend_and_bonus_shares_are_applied_on_the_ex_date()
    {
        var h = new Harness(cash: 0m).Open(Day1, Flat(Main, Day1));
        h.Exchange.TransferInShares(Main, 1000);
        h.Close();

        CorporateAction[] actions =
        [
            new(Main, Day2, CashPerShare: 0.5m, BonusPerShare: 0.3m), // 5 CNY and 3 shares per 10
            new(Main, Day3, CashPerShare: 9m, BonusPerShare: 0m),     // another day: ignored today
        ];
        h.Open(Day2, [Flat(Main, Day2)], actions);

        Assert.Equal(500m, h.Exchange.Account.Cash);
        Assert.Equal(new BrokerPosition(Main, 1300, 1300, 0), h.Position(Main));
    }

    // ---- Reconciliation ----

    [Fact]
    public async Task The_account_equals_the_deposits_plus_the_sum_of_its_fills()
    {
        var h = new Harness(new SimulatedExchangeOptions { MaxParticipation = 0.05m }); // default slippage and impact
        const decimal deposit = 1_000_000m;
        h.Exchange.TransferInShares(Main2, 2000);

        h.Open(Day1, Bar(Main, Day1, 10m, 10.4m, 9.9m, 10.2m, volume: 40_000), Bar(Main2, Day1, 20m, 20.5m, 19.5m, 20.1m, preClose: 20m, volume: 30_000));
        h.Submit(h.Buy(Main, 5000, 10.4m));
        h.Submit(h.Sell(Main2, 1500, 19.5m));
        h.Submit(h.Buy(Main2, 700, 20.5m, OrderType.ProtectedMarket));
        h.Match(FillTiming.Open);
        h.Submit(h.Buy(Main, 300, 10.3m));
        h.Match(FillTiming.Close);
        h.Close();

        h.Open(Day2, Bar(Main, Day2, 10.3m, 10.6m, 10.1m, 10.5m, preClose: 10.2m, volume: 50_000), Bar(Main2, Day2, 20.1m, 20.1m, 19.6m, 19.8m, preClose: 20.1m, volume: 60_000));
        h.Submit(h.Sell(Main, h.Position(Main)!.Available, 10.1m));
        h.Submit(h.Sell(Main2, 500, 19.6m));
        h.Match(FillTiming.Vwap);
        h.Close();

        var fills = h.Reports.OfType<OrderFilled>().Select(r => r.Fill).ToArray();
        Assert.True(fills.Length >= 6, $"only {fills.Length} fills");
        var account = await h.Exchange.QueryAccountAsync(default);

        Assert.Equal(deposit + fills.Sum(f => f.CashDelta), account.Cash);
        Assert.Equal(0m, account.FrozenCash);
        foreach (var symbol in new[] { Main, Main2 })
        {
            long start = symbol == Main2 ? 2000 : 0;
            long net = start + fills.Where(f => f.Symbol == symbol).Sum(f => f.Side == Side.Buy ? f.Quantity : -f.Quantity);
            Assert.Equal(net, account.PositionOf(symbol)?.Quantity ?? 0);
        }
        foreach (var order in await h.Exchange.QueryOrdersAsync(default))
        {
            var ofOrder = fills.Where(f => f.OrderId == order.Id).ToArray();
            Assert.Equal(order.FilledQuantity, ofOrder.Sum(f => f.Quantity));
            Assert.Equal(order.Fees, ofOrder.Sum(f => f.Fees.Total));
            Assert.Equal<Fill>(ofOrder, order.Fills);
        }
    }
}
