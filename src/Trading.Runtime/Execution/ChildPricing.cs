using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Execution;

/// <summary>
/// The limit prices of an algo's children, pure. Every price is on the tick, inside today's band with a tick to spare
/// (the risk guard refuses a buy at limit-up and a sell at limit-down; A_SHARE_RULES.md §1.1), inside the exchange's
/// price cage around the reference (a buy above the cage, a sell below it, is a 废单), and never beyond the parent's
/// limit (the planner's protective price):
/// <list type="bullet">
/// <item><see cref="Passive"/> — a new slice waits at the reference price (the last price; before the open, the previous close);</item>
/// <item><see cref="Aggressive"/> — a replacement after an unfilled wait goes toward the market, to
/// <c>reprice-ticks</c> ticks inside the cage's edge (never less aggressive than the passive price).</item>
/// </list>
/// Null when no price satisfies all of them (e.g. the reference sits at the limit).
/// </summary>
public static class ChildPricing
{
    public static decimal? Passive(Side side, TradeQuote quote, decimal parentLimit, decimal tick) =>
        Bound(side, quote.ReferencePrice, quote, parentLimit, tick);

    public static decimal? Aggressive(Side side, TradeQuote quote, decimal parentLimit, decimal tick, PriceCage cage, int ticksInside)
    {
        var reference = quote.ReferencePrice;
        var edge = side == Side.Buy
            ? Math.Floor(cage.BuyCeiling(reference, tick) / tick) * tick - ticksInside * tick
            : Math.Ceiling(cage.SellFloor(reference, tick) / tick) * tick + ticksInside * tick;
        var toward = side == Side.Buy ? Math.Max(edge, reference) : Math.Min(edge, reference);
        return Bound(side, toward, quote, parentLimit, tick);
    }

    private static decimal? Bound(Side side, decimal price, TradeQuote quote, decimal parentLimit, decimal tick)
    {
        if (price <= 0 || tick <= 0) return null;
        decimal p;
        if (side == Side.Buy)
        {
            p = Math.Floor(Math.Min(price, parentLimit) / tick) * tick;
            if (quote.Limit.IsLimited) p = Math.Min(p, quote.Limit.Up - tick);
            return p > 0 && (!quote.Limit.IsLimited || p >= quote.Limit.Down) ? p : null;
        }
        p = Math.Ceiling(Math.Max(price, parentLimit) / tick) * tick;
        if (quote.Limit.IsLimited) p = Math.Max(p, quote.Limit.Down + tick);
        return p > 0 && (!quote.Limit.IsLimited || p <= quote.Limit.Up) ? p : null;
    }
}
