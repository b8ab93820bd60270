using Trading.Domain.Rules;

namespace Trading.Data.Synthetic;

/// <summary>
/// Exchange price arithmetic in whole fen, equal to the decimal definitions (tests check this against
/// <see cref="PriceLimit.FromReference"/> and <see cref="Money.RoundFen"/>).
/// </summary>
internal static class FenMath
{
    /// <summary>Bands are carried as parts per million: 0.10 → 100_000.</summary>
    public const int PpmOne = 1_000_000;

    /// <summary>A band fraction as ppm; throws when it is not a whole number of ppm.</summary>
    public static int ToPpm(decimal pct)
    {
        var ppm = pct * PpmOne;
        if (ppm != decimal.Truncate(ppm) || ppm <= 0 || ppm >= PpmOne)
            throw new NotSupportedException($"Band {pct} is not a whole number of millionths in (0, 1).");
        return (int)ppm;
    }

    /// <summary>
    /// round_half_up(ref × (1 ± band), 2) in fen, the lower limit never below one fen — exactly
    /// <see cref="PriceLimit.FromReference"/> for a reference in fen and a band in ppm.
    /// </summary>
    public static void Limits(int referenceFen, int bandPpm, out int up, out int down)
    {
        long r = referenceFen;
        up = (int)((r * (PpmOne + bandPpm) + PpmOne / 2) / PpmOne);
        down = (int)Math.Max(1L, (r * (PpmOne - bandPpm) + PpmOne / 2) / PpmOne);
    }

    /// <summary>
    /// The ex-rights reference price in fen: round_half_up((prevClose − dividend) / (1 + bonusPer10 / 10), 2),
    /// with the dividend in 0.001 CNY (tenths of a fen). Zero or less when the dividend eats the price.
    /// </summary>
    public static int ExRightsReference(int prevCloseFen, int dividendMilli, int bonusPer10)
    {
        long v = prevCloseFen * 10L - dividendMilli; // tenths of a fen
        if (v <= 0) return 0;
        long d = 10L + bonusPer10;                   // price in fen = v / d
        return (int)((2 * v + d) / (2 * d));
    }

    /// <summary>Nearest fen (half up) of a positive fen amount, clamped to a valid int price.</summary>
    public static int Round(double fen)
    {
        if (!(fen >= 1.0)) return 1; // also NaN
        if (fen >= 2_000_000_000.0) return 2_000_000_000;
        return (int)Math.Floor(fen + 0.5);
    }
}
