using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Brokers;

/// <summary>How much of an order fills against one bar and at what price, or why nothing fills.</summary>
public readonly record struct FillDecision(long Quantity, decimal Price, string? NoFillReason)
{
    public bool Fills => Quantity > 0;

    public static FillDecision None(string reason) => new(0, 0m, reason);
}

/// <summary>
/// The matching rules of the simulated exchange, pure: one order, one bar, one timing → a fill or the reason for none.
/// <list type="bullet">
/// <item>No fill on a suspended bar or a bar without volume.</item>
/// <item>No buy on a bar locked at limit-up (low ≥ up limit), no sell on a bar locked at limit-down (high ≤ down
/// limit). A bar that only touched the limit trades there when the order's price allows it.</item>
/// <item>The market price is the bar's open, close or VWAP proxy (amount / volume) as the timing says; a buy fills
/// only when its limit (or protective) price is at or above it, a sell at or below.</item>
/// <item>At most <see cref="SimulatedExchangeOptions.MaxParticipation"/> of the bar's volume fills per order per bar;
/// a capped fill is rounded down to the board's step (100 on main boards and ChiNext, 1 on STAR and BSE).</item>
/// <item>The price moves against the order by fixed bps + impact bps × √participation, rounded to the tick against the
/// order, and is then held inside the bar's [low, high] and never beyond the order's price.</item>
/// </list>
/// </summary>
public static class FillModel
{
    private const decimal Bp = 0.0001m;

    /// <param name="remaining">Shares the order still wants.</param>
    /// <param name="filledOnBar">Shares this order already took from this bar (an earlier timing of the same bar).</param>
    public static FillDecision Decide(Side side, decimal orderPrice, long remaining, long filledOnBar, in MarketBar bar,
        FillTiming timing, SimulatedExchangeOptions options)
    {
        if (remaining <= 0) return FillDecision.None("nothing left to fill");
        if (bar.Suspended) return FillDecision.None("suspended");
        if (bar.Volume <= 0) return FillDecision.None("no volume traded");
        if (side == Side.Buy && bar.LockedLimitUp) return FillDecision.None($"locked at limit-up {bar.Limit.Up:0.00}: no buy fills");
        if (side == Side.Sell && bar.LockedLimitDown) return FillDecision.None($"locked at limit-down {bar.Limit.Down:0.00}: no sell fills");

        var market = bar.PriceAt(timing);
        if (side == Side.Buy ? market > orderPrice : market < orderPrice)
            return FillDecision.None($"{timing} price {market:0.00##} is {(side == Side.Buy ? "above" : "below")} the order's {orderPrice:0.00}");

        long cap = (long)Math.Floor(bar.Volume * options.MaxParticipation) - filledOnBar;
        var rules = options.Rules.For(bar.Symbol);
        long quantity = remaining <= cap ? remaining : Math.Max(0, cap) / rules.Quantity.Step * rules.Quantity.Step;
        if (quantity <= 0)
            return FillDecision.None($"volume cap of {options.MaxParticipation:P0} of {bar.Volume} shares reached");

        var participation = (decimal)quantity / bar.Volume;
        var price = SlippedPrice(side, market, participation, orderPrice, bar, rules.Tick, options);
        return new FillDecision(quantity, price, null);
    }

    /// <summary>
    /// The market price moved against the order by fixed + impact × √participation bps, rounded to the tick against the
    /// order (buys up, sells down), then clamped to the bar's [low, high] and to the order's price.
    /// </summary>
    public static decimal SlippedPrice(Side side, decimal market, decimal participation, decimal orderPrice, in MarketBar bar,
        decimal tick, SimulatedExchangeOptions options)
    {
        var bps = options.FixedSlippageBps + options.ImpactBps * (decimal)Math.Sqrt((double)participation);
        var moved = side == Side.Buy ? market * (1m + bps * Bp) : market * (1m - bps * Bp);
        var onTick = side == Side.Buy ? Math.Ceiling(moved / tick) * tick : Math.Floor(moved / tick) * tick;
        var inBar = Math.Clamp(onTick, bar.Low, bar.High);
        return side == Side.Buy ? Math.Min(inBar, orderPrice) : Math.Max(inBar, orderPrice);
    }
}
