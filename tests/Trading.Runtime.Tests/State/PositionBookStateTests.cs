using System.Collections.Immutable;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.State;

public class PositionBookStateTests
{
    private static readonly Symbol S = Symbol.Parse("000001.SZ");
    private static readonly DateOnly D1 = new(2024, 1, 2), D2 = new(2024, 1, 3);

    private static Fill F(string id, Side side, long qty, decimal price, DateOnly day)
    {
        var fees = FeeSchedule.Default.Compute(side, price, qty, day);
        return new Fill(id, new ClientOrderId("o-" + id), S, side, qty, price, day, fees);
    }

    [Fact]
    public void Buy_then_sell_next_day_books_cash_cost_fees_and_realised_pnl()
    {
        var s = PositionBookState.Empty.Apply(new CashDeposited(100_000m, "seed")).Apply(new DayOpened(D1));
        // Buy 1,000 at 10.00 = 10,000: commission 5.00 (min), transfer 0.10 -> cost 10,005.10
        s = s.Apply(new FillBooked(F("b1", Side.Buy, 1000, 10.00m, D1)));
        Assert.Equal(89_994.90m, s.Cash);
        Assert.Equal((1000L, 0L), (s.HoldingOf(S).Quantity, s.HoldingOf(S).Sellable)); // T+1
        Assert.Throws<InvalidOperationException>(() => s.Apply(new FillBooked(F("s0", Side.Sell, 100, 10m, D1))));

        s = s.Apply(new DayOpened(D2));
        Assert.Equal(1000, s.HoldingOf(S).Sellable);
        // Sell 600 at 11.00 = 6,600: commission 5.00, stamp 3.30, transfer 0.07 -> proceeds 6,591.63
        s = s.Apply(new FillBooked(F("s1", Side.Sell, 600, 11.00m, D2)));
        Assert.Equal(89_994.90m + 6_591.63m, s.Cash);
        // cost out = 10,005.10 × 600 / 1000 = 6,003.06; realised = 6,591.63 − 6,003.06 = 588.57
        Assert.Equal(588.57m, s.RealisedPnl);
        Assert.Equal(4_002.04m, s.Positions[S].Cost);
        Assert.Equal(5.10m + 8.37m, s.FeesPaid);

        s = s.Apply(new PricesMarked(D2, ImmutableDictionary<Symbol, decimal>.Empty.Add(S, 11.50m)));
        Assert.Equal(s.Cash + 400 * 11.50m, s.Nav);
    }

    [Fact]
    public void The_same_fill_twice_is_counted_once()
    {
        var f = F("b1", Side.Buy, 1000, 10.00m, D1);
        var s = PositionBookState.Empty.Apply(new CashDeposited(100_000m, "")).Apply(new FillBooked(f));
        Assert.False(s.Accepts(new FillBooked(f)));
        Assert.Equal(s, s.Apply(new FillBooked(f)));
    }

    [Fact]
    public void Dividends_and_bonus_shares_change_cash_and_holdings()
    {
        var s = PositionBookState.Empty.Apply(new CashDeposited(100_000m, "")).Apply(new DayOpened(D1))
            .Apply(new FillBooked(F("b1", Side.Buy, 1000, 10.00m, D1))).Apply(new DayOpened(D2));
        var cash = s.Cash;
        s = s.Apply(new CorporateActionBooked(S, D2, 0.25m, 0.3m)); // 2.5 per 10 cash, 3 per 10 bonus
        Assert.Equal(cash + 250m, s.Cash);
        Assert.Equal((1300L, 1300L), (s.HoldingOf(S).Quantity, s.HoldingOf(S).Sellable));
    }
}
