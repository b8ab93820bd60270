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

    public static void RequirePositive(int lookback, string name = "lookback")
    {
        if (lookback < 1) throw new ArgumentOutOfRangeException(name, lookback, $"The {name} is at least one day.");
    }
}
