namespace Trading.Domain.Positions;

/// <summary>
/// Shares of one stock under T+1 (A_SHARE_RULES.md §1.1): shares bought today can be sold from the next trading
/// day. <see cref="Sellable"/> is what may be sold now; <see cref="Quantity"/> is everything held.
/// </summary>
public readonly record struct Holding(long Quantity, long Sellable)
{
    public static readonly Holding Empty = new(0, 0);

    /// <summary>Today's bought shares: held now, sellable from the next trading day.</summary>
    public long BoughtToday => Quantity - Sellable;

    public Holding Buy(long quantity)
    {
        if (quantity <= 0) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A buy fill must be positive.");
        return this with { Quantity = Quantity + quantity };
    }

    public Holding Sell(long quantity)
    {
        if (quantity <= 0) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A sell fill must be positive.");
        if (quantity > Sellable)
            throw new InvalidOperationException($"Cannot sell {quantity}: only {Sellable} of {Quantity} shares are sellable today (T+1).");
        return new Holding(Quantity - quantity, Sellable - quantity);
    }

    /// <summary>At the start of a new trading day everything held becomes sellable.</summary>
    public Holding RollToNextDay() => this with { Sellable = Quantity };

    /// <summary>A stock split or bonus shares: held and sellable shares scale alike (new shares follow the old ones' status).</summary>
    public Holding Split(decimal ratio)
    {
        if (ratio <= 0m) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A split ratio must be positive.");
        return new Holding((long)Math.Floor(Quantity * ratio), (long)Math.Floor(Sellable * ratio));
    }
}
