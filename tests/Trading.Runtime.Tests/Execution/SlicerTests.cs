using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Runtime.Execution;

namespace Trading.Runtime.Tests.Execution;

/// <summary>
/// The slicer, pure: the slices sum to the parent (with what the cap leaves out), every slice is an order the board
/// accepts — buys in lots (100, STAR at least 200), sells in round lots with the odd lot carried whole by one of them,
/// checked against the exchange's own sell rule as the position shrinks — no slice is over the cap, every time lies in
/// the window and outside the lunch break; TWAP slices are equal to a lot, VWAP slices follow the profile to a lot.
/// </summary>
public class SlicerTests
{
    private static readonly Symbol Main = Symbol.Parse("600000.SH"), Star = Symbol.Parse("688001.SH"), Bse = Symbol.Parse("830799.BJ");
    private static readonly TimeOnly T0935 = new(9, 35), T1450 = new(14, 50);

    private static QuantityRule Lots(Symbol s) => MarketRules.Default.Quantity(s);

    private static SlicePlan Plan(Side side, long quantity, Symbol s, int slices, long? cap = null, ExecutionAlgo algo = ExecutionAlgo.Twap,
        TimeOnly? from = null, TimeOnly? to = null) =>
        ExecutionSlicer.Plan(side, quantity, algo, from ?? T0935, to ?? T1450, slices, VolumeProfile.Default, cap, Lots(s));

    [Fact]
    public void Twap_slices_are_equal_lots_at_evenly_spaced_times_of_continuous_trading()
    {
        // 09:35–14:50 holds 225 minutes of continuous trading: five slices 45 minutes apart, the lunch break skipped.
        var plan = Plan(Side.Buy, 10_000, Main, 5);
        Assert.Equal(["09:35", "10:20", "11:05", "13:20", "14:05"], plan.Slices.Select(s => s.At.ToString("HH:mm")));
        Assert.Equal([2000L, 2000, 2000, 2000, 2000], plan.Slices.Select(s => s.Quantity));
        Assert.Equal(0, plan.Unplanned);

        var uneven = Plan(Side.Buy, 1_000, Main, 4);
        Assert.Equal([200L, 300, 200, 300], uneven.Slices.Select(s => s.Quantity)); // cumulative targets 250, 500, 750 rounded down to lots
    }

    [Fact]
    public void A_cap_holds_each_slice_and_carries_the_excess_forward_until_the_last_slice()
    {
        var plan = Plan(Side.Buy, 1_000, Main, 4, cap: 250);
        Assert.Equal([200L, 200, 200, 200], plan.Slices.Select(s => s.Quantity)); // 250 rounded down to a lot
        Assert.Equal(200, plan.Unplanned);
        Assert.Null(ExecutionSlicer.Cap(0, 1_000_000)); // participation 0: no cap
        Assert.Equal(50_000, ExecutionSlicer.Cap(0.05, 1_000_000));
        Assert.Equal(0, ExecutionSlicer.Cap(0.05, 0)); // no previous volume: the cap allows nothing
        Assert.Equal(1_000, Plan(Side.Buy, 1_000, Main, 4, cap: 0).Unplanned);
    }

    [Fact]
    public void Star_slices_are_at_least_200_shares_and_never_leave_less_than_200_behind()
    {
        var plan = Plan(Side.Buy, 450, Star, 3); // thirds of 150 are too small: 250 at the second slice, the last 200
        Assert.Equal([(1, 250L), (2, 200L)], plan.Slices.Select(s => (s.Index, s.Quantity)));
        Assert.All(plan.Slices, s => Assert.True(Lots(Star).IsValidBuy(s.Quantity)));
    }

    [Fact]
    public void A_sell_carries_its_odd_lot_whole_in_the_last_slice()
    {
        var plan = Plan(Side.Sell, 1_250, Main, 4);
        Assert.Equal([300L, 300, 300, 350], plan.Slices.Select(s => s.Quantity));
        long left = 1_250;
        foreach (var s in plan.Slices)
        {
            Assert.Null(Lots(Main).SellViolation(s.Quantity, left));
            left -= s.Quantity;
        }
    }

    [Fact]
    public void Vwap_weighs_the_open_and_the_close_more_than_the_late_morning()
    {
        var plan = Plan(Side.Buy, 100_000, Main, 8, algo: ExecutionAlgo.Vwap, from: new TimeOnly(9, 30), to: new TimeOnly(14, 57));
        var q = plan.Slices.Select(s => s.Quantity).ToArray();
        Assert.Equal(8, q.Length);
        Assert.True(q[0] > q[3] && q[7] > q[3], string.Join(",", q));
        Assert.Equal(100_000, q.Sum());
    }

    [Fact]
    public void A_window_that_starts_in_the_lunch_break_sends_its_first_slice_at_13_00()
    {
        var plan = Plan(Side.Buy, 600, Main, 3, from: new TimeOnly(12, 10), to: new TimeOnly(14, 0));
        Assert.Equal(new TimeOnly(13, 0), plan.Slices[0].At);
        Assert.All(plan.Slices, s => Assert.True(ContinuousSession.CanStartAt(s.At)));
    }

    public enum BoardKind { Main, Star, Bse }

    [Property(MaxTest = 400)]
    public Property Slices_sum_to_the_parent_keep_the_lots_the_cap_and_the_window()
    {
        var windows = new (TimeOnly From, TimeOnly To)[]
        {
            (T0935, T1450), (new(9, 30), new(11, 30)), (new(13, 0), new(14, 57)), (new(10, 17, 31), new(13, 42)), (new(11, 29), new(13, 1)),
        };
        var gen =
            from board in Gen.Elements(BoardKind.Main, BoardKind.Star, BoardKind.Bse)
            from side in Gen.Elements(Side.Buy, Side.Sell)
            from lots in Gen.Choose(1, 600)
            from odd in Gen.Choose(0, 99)
            from slices in Gen.Choose(1, 25)
            from vwap in Gen.Elements(false, true)
            from capped in Gen.Elements(false, true)
            from cap in Gen.Choose(0, 20_000)
            from window in Gen.Elements(windows)
            from extra in Gen.Choose(0, 30)
            select (board, side, lots, odd, slices, vwap, capped ? (long?)cap : null, window, extra);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var (board, side, lotCount, odd, slices, vwap, cap, window, extra) = c;
            var symbol = board switch { BoardKind.Main => Main, BoardKind.Star => Star, _ => Bse };
            var rule = Lots(symbol);
            // Buys: a quantity the planner could have sized (lots; at least the minimum). Sells: any position, sold whole or in part.
            long quantity = side == Side.Buy
                ? (board == BoardKind.Main ? lotCount * 100L : rule.MinBuy + lotCount * 7L)
                : lotCount * 100L + odd;
            // A partial sell on STAR or BSE is at least the minimum (the planner's RoundSellDown); a whole position may be less.
            if (side == Side.Sell && board != BoardKind.Main && extra > 0) quantity = Math.Max(quantity, rule.MinBuy);
            long position = side == Side.Sell ? quantity + (board == BoardKind.Main ? extra * 100L : extra == 0 ? 0 : rule.MinBuy + extra) : 0;
            var plan = ExecutionSlicer.Plan(side, quantity, vwap ? ExecutionAlgo.Vwap : ExecutionAlgo.Twap, window.From, window.To, slices,
                VolumeProfile.Default, cap, rule);

            Assert.Equal(quantity, plan.Planned + plan.Unplanned);
            Assert.True(plan.Unplanned >= 0);
            if (cap is null) Assert.Equal(0, plan.Unplanned);
            long held = position;
            TimeOnly last = window.From;
            foreach (var s in plan.Slices)
            {
                Assert.True(s.Quantity > 0);
                if (cap is { } cp) Assert.True(s.Quantity <= cp, $"{s.Quantity} over the cap {cp}");
                if (side == Side.Buy) Assert.True(rule.IsValidBuy(s.Quantity), $"buy {s.Quantity} on {symbol.Board}");
                else
                {
                    Assert.True(rule.SellViolation(s.Quantity, held) is null, $"sell {s.Quantity} of {held}: {rule.SellViolation(s.Quantity, held)}");
                    held -= s.Quantity;
                }
                Assert.True(s.At >= window.From && s.At < window.To, $"{s.At} outside {window}");
                Assert.True(s.At >= last);
                Assert.True(ContinuousSession.CanStartAt(s.At), $"{s.At} is not in continuous trading");
                last = s.At;
            }
            // Without a cap, on the lot boards: each slice within a lot of its share of the parent (TWAP equal, VWAP by the profile).
            if (cap is null && board == BoardKind.Main && side == Side.Buy && plan.Slices.Count == slices)
            {
                TimeSpan s0 = ContinuousSession.Elapsed(window.From), s1 = ContinuousSession.Elapsed(window.To);
                double total = VolumeProfile.Default.Share(s0, s1);
                foreach (var s in plan.Slices)
                {
                    TimeSpan a = s0 + (s1 - s0) * s.Index / slices, b = s0 + (s1 - s0) * (s.Index + 1) / slices;
                    double share = vwap ? VolumeProfile.Default.Share(a, b) / total : 1.0 / slices;
                    Assert.True(Math.Abs(s.Quantity - quantity * share) < 100 + 1e-6, $"slice {s.Index}: {s.Quantity} vs {quantity * share:0.0}");
                }
            }
        });
    }
}
