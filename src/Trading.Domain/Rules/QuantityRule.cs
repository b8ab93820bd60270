namespace Trading.Domain.Rules;

/// <summary>
/// Order quantity rules of a board (A_SHARE_RULES.md §1.1): buys start at <see cref="MinBuy"/> shares and grow in
/// steps of <see cref="Step"/>: 100/100 on main boards and ChiNext, 200/1 on STAR, 100/1 on BSE. Odd lots can
/// only be sold, and the whole odd remainder must go in one order.
/// </summary>
public sealed record QuantityRule(int MinBuy, int Step, int MaxLimitOrder, int MaxMarketOrder)
{
    public bool IsValidBuy(long quantity) =>
        quantity >= MinBuy && (quantity - MinBuy) % Step == 0 && quantity <= MaxLimitOrder;

    /// <summary>The largest valid buy quantity not above <paramref name="target"/> (0 when the target is below one lot).</summary>
    public long RoundBuyDown(long target)
    {
        if (target < MinBuy) return 0;
        long q = MinBuy + (target - MinBuy) / Step * Step;
        long cap = MinBuy + (MaxLimitOrder - MinBuy) / Step * Step;
        return Math.Min(q, cap);
    }

    /// <summary>Why a sell of <paramref name="quantity"/> out of <paramref name="sellable"/> shares is invalid, or null when it is valid.</summary>
    public string? SellViolation(long quantity, long sellable)
    {
        if (quantity <= 0) return $"sell quantity {quantity} must be positive";
        if (quantity > sellable) return $"sell quantity {quantity} exceeds the {sellable} sellable shares (T+1)";
        if (quantity > MaxLimitOrder) return $"sell quantity {quantity} exceeds the board's maximum order of {MaxLimitOrder}";
        if (quantity == sellable) return null; // the whole position, odd lot included
        if (quantity >= MinBuy && (quantity - MinBuy) % Step == 0) return null;
        // Lot boards: a round-lot sell may carry the whole odd remainder with it.
        if (Step == MinBuy && quantity % Step == sellable % Step) return null;
        return Step == MinBuy
            ? $"sell quantity {quantity} is not a multiple of {Step} and does not carry the whole odd lot of {sellable % Step}"
            : $"sell quantity {quantity} is below the minimum of {MinBuy} and is not the whole remaining {sellable}";
    }

    public bool IsValidSell(long quantity, long sellable) => SellViolation(quantity, sellable) is null;

    /// <summary>The largest valid sell quantity not above <paramref name="target"/>, given what is sellable.</summary>
    public long RoundSellDown(long target, long sellable)
    {
        target = Math.Min(target, Math.Min(sellable, MaxLimitOrder));
        if (target <= 0) return 0;
        if (target == sellable) return target;
        if (Step == MinBuy)
        {
            long odd = sellable % Step;
            long withOdd = odd > 0 && target >= odd ? (target - odd) / Step * Step + odd : -1;
            long roundLots = target / Step * Step;
            return Math.Max(withOdd, roundLots);
        }
        return target >= MinBuy ? target : 0;
    }
}
