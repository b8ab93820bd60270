using System.Collections.Immutable;
using Trading.Domain.Rules;

namespace Trading.Runtime.Execution;

/// <summary>
/// Splits a parent into slices, pure (no actor, clock or journal): <b>TWAP</b> equal slices at evenly spaced times of the
/// window, <b>VWAP</b> slices at the same times weighted by the <see cref="VolumeProfile"/>; times and weights are taken on
/// the continuous-session axis (<see cref="ContinuousSession"/>), so the lunch break gets nothing. Quantities follow the
/// board's lot rules (A_SHARE_RULES.md §1.1) through <see cref="ChildQuantity"/>, the same rule an algo sizes its children
/// with: round lots of 100 on the main boards and ChiNext (an odd lot only in a sell that carries the whole odd remainder,
/// so it rides with the last slice), at least 200 (STAR) or 100 (BSE) shares per order elsewhere, and never a remainder
/// below that minimum. Slices are the differences of lot-rounded cumulative targets, so they sum to the parent exactly;
/// a participation cap holds each slice to at most that many shares and carries the excess to later slices — what the
/// last slice still cannot take is <see cref="SlicePlan.Unplanned"/>, never sent.
/// </summary>
public static class ExecutionSlicer
{
    /// <summary>
    /// The most one slice may hold: <paramref name="participation"/> × the previous day's volume (rounded down), null
    /// with no cap (participation 0). Without a known previous volume the cap is 0: a cap that cannot be measured allows
    /// nothing rather than everything.
    /// </summary>
    public static long? Cap(double participation, long previousVolume) =>
        participation <= 0 ? null : previousVolume <= 0 ? 0 : (long)Math.Floor(participation * previousVolume);

    /// <summary>The slices of <paramref name="quantity"/> shares from <paramref name="from"/> to <paramref name="to"/> (Shanghai time).</summary>
    public static SlicePlan Plan(Side side, long quantity, ExecutionAlgo algo, TimeOnly from, TimeOnly to, int slices,
        VolumeProfile profile, long? cap, QuantityRule lots)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slices);
        var (times, weights) = Schedule(algo, from, to, slices, profile);
        int n = times.Length;
        long unit = Unit(lots);
        long round = side == Side.Sell ? quantity - quantity % unit : quantity;
        var list = ImmutableList.CreateBuilder<Slice>();
        long sent = 0;
        double cumulative = 0;
        for (int i = 0; i < n; i++)
        {
            cumulative += weights[i];
            long target = i == n - 1 ? quantity : Math.Min(round, (long)Math.Floor(round * cumulative / unit + 1e-9) * unit);
            long q = ChildQuantity(side, target - sent, quantity - sent, lots, cap);
            if (q <= 0) continue;
            list.Add(new Slice(i, times[i], q));
            sent += q;
        }
        return new SlicePlan(list.ToImmutable(), quantity - sent, cap);
    }

    /// <summary>Slice times (whole seconds) and weights (summing to 1) over the window.</summary>
    private static (TimeOnly[] Times, double[] Weights) Schedule(ExecutionAlgo algo, TimeOnly from, TimeOnly to, int slices, VolumeProfile profile)
    {
        TimeSpan s0 = ContinuousSession.Elapsed(from), s1 = ContinuousSession.Elapsed(to);
        if (s1 <= s0 || algo == ExecutionAlgo.Immediate) return ([from], [1.0]);
        var times = new TimeOnly[slices];
        var weights = new double[slices];
        for (int i = 0; i < slices; i++)
        {
            TimeSpan a = s0 + (s1 - s0) * i / slices, b = s0 + (s1 - s0) * (i + 1) / slices;
            // The first slice goes at the start itself (the end of the morning counts as 13:00: nothing is sent in the break).
            times[i] = ContinuousSession.At(i == 0 ? a : TimeSpan.FromSeconds(Math.Max(Math.Floor(a.TotalSeconds), s0.TotalSeconds)));
            weights[i] = algo == ExecutionAlgo.Vwap ? profile.Share(a, b) : 1.0;
        }
        double total = weights.Sum();
        for (int i = 0; i < slices; i++) weights[i] = total > 0 ? weights[i] / total : 1.0 / slices;
        return (times, weights);
    }

    /// <summary>Shares a lot is made of: the board lot where buys go in lots (100), else 1 (STAR, BSE: a minimum, then any number).</summary>
    public static long Unit(QuantityRule lots) => lots.Step == lots.MinBuy ? lots.Step : 1;

    /// <summary>
    /// The largest order of at most <paramref name="want"/> shares (and <paramref name="cap"/>) that the board accepts out
    /// of the parent's <paramref name="remaining"/> unsent shares, leaving a remainder that can still be sent (0 when
    /// none fits yet):
    /// <list type="bullet">
    /// <item>lot boards: round lots; a sell carries the parent's odd lot (remaining mod 100) once the want covers it —
    /// the whole odd remainder in one order;</item>
    /// <item>minimum-size boards: at least the minimum, and never leaving 1 … minimum − 1 shares behind (it leaves exactly
    /// the minimum instead, or takes the whole rest when that fits); a sell of the whole rest below the minimum is sent
    /// (selling an odd position whole);</item>
    /// <item>never above the board's largest limit order.</item>
    /// </list>
    /// </summary>
    public static long ChildQuantity(Side side, long want, long remaining, QuantityRule lots, long? cap)
    {
        want = Math.Min(want, remaining);
        if (cap is { } c) want = Math.Min(want, c);
        want = Math.Min(want, lots.MaxLimitOrder);
        if (want <= 0) return 0;
        long unit = Unit(lots);
        if (unit > 1)
        {
            long odd = side == Side.Sell ? remaining % unit : 0;
            long q = want / unit * unit;
            if (odd > 0 && want - q >= odd) q += odd;
            return q;
        }
        long min = lots.MinBuy;
        if (want == remaining) return want >= min || side == Side.Sell ? want : 0;
        long rest = remaining - want;
        if (rest < min) want = remaining - min;
        return want >= min ? want : 0;
    }
}
