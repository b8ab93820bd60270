namespace Trading.Domain.Rules;

/// <summary>Rounding of CNY amounts and prices. The exchanges round limit prices half up to 0.01 (A_SHARE_RULES.md §1.1).</summary>
public static class Money
{
    /// <summary>One fen, the A-share price tick and the smallest cash unit.</summary>
    public const decimal Fen = 0.01m;

    /// <summary>Round half up (away from zero) to 0.01: 四舍五入至人民币0.01元.</summary>
    public static decimal RoundFen(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>True when <paramref name="price"/> is a whole number of <paramref name="tick"/>s.</summary>
    public static bool IsOnTick(decimal price, decimal tick = Fen) => price % tick == 0m;

    /// <summary>A double price from a file or panel as an exact fen amount (prices on the 0.01 tick survive the trip).</summary>
    public static decimal FromDouble(double price) => RoundFen((decimal)price);
}
