namespace Trading.Domain.Rules;

/// <summary>
/// The day's price band: the highest and lowest price an order may carry. <see cref="None"/> on days without a
/// limit (the first days after an IPO).
/// </summary>
public readonly record struct PriceLimit(decimal Up, decimal Down)
{
    public static readonly PriceLimit None = new(decimal.MaxValue, 0m);

    public bool IsLimited => Up != decimal.MaxValue;

    public bool Contains(decimal price) => price >= Down && price <= Up;

    /// <summary>A buy at or above the limit-up price cannot be filled on a locked day; the rules treat it as blocked.</summary>
    public bool IsAtOrAboveUp(decimal price) => IsLimited && price >= Up;

    public bool IsAtOrBelowDown(decimal price) => IsLimited && price <= Down;

    /// <summary>round_half_up(reference × (1 ± pct), 2) in decimal, never below one tick (A_SHARE_RULES.md §1.1).</summary>
    public static PriceLimit FromReference(decimal reference, decimal pct)
    {
        if (reference <= 0m) throw new ArgumentOutOfRangeException(nameof(reference), reference, "The reference price must be positive.");
        if (pct is <= 0m or >= 1m) throw new ArgumentOutOfRangeException(nameof(pct), pct, "A price band is a fraction in (0, 1).");
        var up = Money.RoundFen(reference * (1m + pct));
        var down = Math.Max(Money.Fen, Money.RoundFen(reference * (1m - pct)));
        return new PriceLimit(up, down);
    }

    public override string ToString() => IsLimited ? $"[{Down:0.00}, {Up:0.00}]" : "[no limit]";
}
