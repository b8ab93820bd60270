using Trading.Data.Model;

namespace Trading.Research.Factors;

/// <summary>Conventions shared by the library's window factors.</summary>
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
