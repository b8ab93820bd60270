using System.Collections.Immutable;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Research.Portfolio;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

/// <summary>The rebalance planner with a strategy's portfolio block: the lot sizer and the cost-aware trade filter.</summary>
public class PlannerSizingTests
{
    private static readonly DateOnly D1 = new(2024, 3, 1), D2 = new(2024, 3, 4);
    private static readonly Symbol Main = Symbol.Parse("600000.SH"), Star = Symbol.Parse("688001.SH"), Sz = Symbol.Parse("000001.SZ"), Held = Symbol.Parse("600036.SH");
    private static readonly Dictionary<Symbol, decimal> Prices = new() { [Main] = 7.10m, [Star] = 41.23m, [Sz] = 10.11m, [Held] = 30.00m };

    private static TradeQuote? Quote(Symbol s) => Prices.TryGetValue(s, out var p) ? new TradeQuote(p, PriceLimit.None, false) : null;

    private static PositionBookState Book(decimal cash, long heldShares = 0)
    {
        var book = PositionBookState.Empty.Apply(new CashDeposited(cash, "test"));
        if (heldShares > 0)
        {
            var fees = FeeSchedule.Default.Compute(Side.Buy, Prices[Held], heldShares, D1);
            book = book.Apply(new FillBooked(new Fill("f1", new ClientOrderId("o1"), Held, Side.Buy, heldShares, Prices[Held], D1, fees)));
            book = book.Apply(new DayOpened(D2)).Apply(new PricesMarked(D2, ImmutableDictionary<Symbol, decimal>.Empty.Add(Held, Prices[Held])));
        }
        return book;
    }

    private static IReadOnlyList<OrderRequest> Plan(PositionBookState book, ImmutableSortedDictionary<Symbol, double> targets, PlannerSizing? sizing)
    {
        long seq = 0;
        return RebalancePlanner.Plan("s", D2, targets, book, book.Cash, Quote, MarketRules.Default, 0.01, ref seq, sizing: sizing);
    }

    private static readonly ImmutableSortedDictionary<Symbol, double> Targets =
        new Dictionary<Symbol, double> { [Main] = 0.3, [Star] = 0.3, [Sz] = 0.3 }.ToImmutableSortedDictionary();

    [Fact]
    public void The_lot_sizer_buys_valid_lots_within_the_cash_and_closer_to_the_targets_than_rounding_down()
    {
        var book = Book(100_000m);
        var sizing = new PlannerSizing(FeeSchedule.Default, 5m, LotSizing: true, Filter: null);
        var sized = Plan(book, Targets, sizing);
        var plain = Plan(book, Targets, null);
        Assert.All(sized, o => Assert.Equal(Side.Buy, o.Side));
        foreach (var o in sized)
        {
            var rule = MarketRules.Default.Quantity(o.Symbol);
            Assert.True(o.Quantity >= rule.MinBuy && (o.Quantity - rule.MinBuy) % rule.Step == 0, $"{o.Symbol}: {o.Quantity}");
        }
        // STAR buys 200 then steps of 1: not a multiple of 100 here.
        Assert.NotEqual(0, sized.Single(o => o.Symbol == Star).Quantity % 100);
        decimal Cost(IEnumerable<OrderRequest> orders) => orders.Sum(o => o.Quantity * o.LimitPrice * 1.0015m);
        Assert.True(Cost(sized) <= book.Cash, $"{Cost(sized)} > {book.Cash}");
        double Error(IEnumerable<OrderRequest> orders) => Targets.Sum(t =>
        {
            double value = (double)(orders.Where(o => o.Symbol == t.Key).Sum(o => o.Quantity) * Prices[t.Key]);
            return Math.Pow(value - t.Value * 99_000, 2);
        });
        Assert.True(Error(sized) < Error(plain), $"sized {Error(sized)} vs rounded down {Error(plain)}");
    }

    [Fact]
    public void The_trade_filter_skips_trades_that_cost_more_than_they_are_expected_to_earn_but_keeps_exits()
    {
        // 1,600 shares of Held at 30 = 48,000 of a ~100,000 NAV; a target of 45 % (of NAV × 0.99) asks to sell one lot.
        var book = Book(100_000m, heldShares: 1_600);
        var small = new Dictionary<Symbol, double> { [Held] = 0.45, [Main] = 0.5 }.ToImmutableSortedDictionary();
        var none = new PlannerSizing(FeeSchedule.Default, 5m, true, null);
        Assert.Contains(Plan(book, small, none), o => o.Symbol == Held && o.Side == Side.Sell && o.Quantity == 100);
        // 5 CNY commission + slippage on a ~3,000 CNY sell exceeds 0.1 % of it: skipped; the Main buy is worth it.
        var filter = new PlannerSizing(FeeSchedule.Default, 5m, true, new TradeFilter { ExpectedAlpha = 0.001 });
        var filtered = Plan(book, small, filter);
        Assert.DoesNotContain(filtered, o => o.Symbol == Held);
        Assert.Contains(filtered, o => o.Symbol == Main && o.Side == Side.Buy);
        // An exit is never filtered.
        var exit = new Dictionary<Symbol, double> { [Main] = 0.5 }.ToImmutableSortedDictionary();
        var sell = Assert.Single(Plan(book, exit, filter with { Filter = new TradeFilter { ExpectedAlpha = 0 } }), o => o.Symbol == Held);
        Assert.Equal((Side.Sell, 1_600L, "exit"), (sell.Side, sell.Quantity, sell.Reason));
        // And a minimum trade value drops small trades too.
        var minimum = new PlannerSizing(FeeSchedule.Default, 5m, true, new TradeFilter { ExpectedAlpha = 1, MinTradeValue = 10_000m });
        Assert.DoesNotContain(Plan(book, small, minimum), o => o.Symbol == Held);
    }

    /// <summary>
    /// Open orders count as held: a round planned while the first round's orders are still open (the top-up before
    /// they fill, or a rebalance re-run after a crash) orders only what is missing, with either planner.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Shares_of_open_orders_are_not_ordered_again(bool sized)
    {
        var book = Book(100_000m);
        var sizing = sized ? new PlannerSizing(FeeSchedule.Default, 5m, LotSizing: true, Filter: null) : null;
        long seq = 0;
        var first = RebalancePlanner.Plan("s", D2, Targets, book, book.Cash, Quote, MarketRules.Default, 0.01, ref seq, sizing: sizing);
        Assert.Equal(3, first.Count);
        // All three still open (their cash frozen): nothing more to buy.
        var reservations = first.Select(o => new Trading.Runtime.Messages.OrderReservation(o, o.Quantity, o.Quantity * o.LimitPrice, D2.ToDateTime(TimeOnly.MinValue)));
        var pending = RebalancePlanner.PendingOf(reservations);
        var again = RebalancePlanner.Plan("s", D2, Targets, book, book.Cash - first.Sum(o => o.Quantity * o.LimitPrice), Quote, MarketRules.Default, 0.01, ref seq, sizing: sizing, pending: pending);
        // At most the small gap the first round's cash margin (cage price, fees) left: never the same shares again.
        foreach (var o in again) Assert.True(o.Quantity * 4 < first.Single(f => f.Symbol == o.Symbol).Quantity, $"{o.Symbol}: {o.Quantity} again");
        // Without them counted, the same shares would go out a second time (the failure this guards against).
        var blind = RebalancePlanner.Plan("s", D2, Targets, book, book.Cash, Quote, MarketRules.Default, 0.01, ref seq, sizing: sizing);
        Assert.Equal(first.Select(o => (o.Symbol, o.Quantity)), blind.Select(o => (o.Symbol, o.Quantity)));
        // One order cancelled (no longer pending, its cash released): that symbol is bought again in full.
        var partial = RebalancePlanner.PendingOf(reservations.Where(r => r.Order.Symbol != Sz));
        var missing = RebalancePlanner.Plan("s", D2, Targets, book, book.Cash - first.Where(o => o.Symbol != Sz).Sum(o => o.Quantity * o.LimitPrice), Quote, MarketRules.Default, 0.01, ref seq, sizing: sizing, pending: partial);
        Assert.True(missing.Single(o => o.Symbol == Sz).Quantity * 10 >= first.Single(o => o.Symbol == Sz).Quantity * 9);
        Assert.All(missing.Where(o => o.Symbol != Sz), o => Assert.True(o.Quantity * 4 < first.Single(f => f.Symbol == o.Symbol).Quantity));
    }
}
