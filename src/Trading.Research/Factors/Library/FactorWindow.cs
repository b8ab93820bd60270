using Trading.Data.Model;

namespace Trading.Research.Factors;

/// <summary>
/// Conventions shared by the library's factors. Their <c>Compute</c> loops are marked
/// <see cref="System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization"/>: compiled fully optimized on
/// first use, since tiered compilation would run the first days of a one-off pass over a large panel unoptimized.
/// </summary>
internal static class FactorWindow
{
    public const byte NotTraded = (byte)(BarFlags.Suspended | BarFlags.NotListed);

    /// <summary>
    /// Observations a window statistic needs to have a value: half the window, rounded up. Fewer (a new listing, a
    /// long suspension) is "too little history" and gives NaN.
    /// </summary>
    public static int MinObservations(int lookback) => (lookback + 1) / 2;

    /// <summary>
    /// Mean of <paramref name="values"/> (times <paramref name="factor"/> where one is given) over the traded days of
    /// [first, today] — suspended days are left out, not counted as zero; NaN with fewer than
    /// <paramref name="minDays"/> such days.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static double TradedMean(ReadOnlySpan<byte> flags, ReadOnlySpan<double> values, ReadOnlySpan<double> factor, int first, int today, int minDays)
    {
        int n = 0;
        double sum = 0;
        if (factor.IsEmpty)
        {
            for (int d = first; d <= today; d++)
                if ((flags[d] & NotTraded) == 0) { sum += values[d]; n++; }
        }
        else
        {
            for (int d = first; d <= today; d++)
                if ((flags[d] & NotTraded) == 0) { sum += values[d] * factor[d]; n++; }
        }
        return n >= minDays ? sum / n : double.NaN;
    }

    public static void RequirePositive(int lookback, string name = "lookback")
    {
        if (lookback < 1) throw new ArgumentOutOfRangeException(name, lookback, $"The {name} is at least one day.");
    }
}
