namespace Trading.Risk;

/// <summary>
/// Today's price band (A_SHARE_RULES.md §1.1): a price outside [limit-down, limit-up] is invalid, a buy at or above
/// limit-up cannot fill on a locked day, and a sell at or below limit-down neither; all are blocked.
/// </summary>
public sealed class PriceLimitRule : IPreTradeRule
{
    public string Name => "price-limit";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        if (context.QuoteOf(order.Symbol) is not { } quote)
            return new RiskDecision.Reject(Name, $"no market quote for {order.Symbol}: today's price limits are unknown");
        var limit = quote.Limit;
        var p = order.LimitPrice;
        if (!limit.Contains(p))
            return new RiskDecision.Reject(Name, $"price {p:0.00} is outside today's band {limit}");
        if (order.Side == Side.Buy && limit.IsAtOrAboveUp(p))
            return new RiskDecision.Reject(Name, $"buy at {p:0.00} is at limit-up {limit.Up:0.00}");
        if (order.Side == Side.Sell && limit.IsAtOrBelowDown(p))
            return new RiskDecision.Reject(Name, $"sell at {p:0.00} is at limit-down {limit.Down:0.00}");
        return RiskDecision.Accepted;
    }
}

/// <summary>
/// The price cage of one board (A_SHARE_RULES.md §1.1, continuous auction): a buy at most the larger of
/// ref × (1 + <paramref name="Pct"/>) and ref + <paramref name="Ticks"/> ticks; a sell at least the smaller of
/// ref × (1 − Pct) and ref − Ticks ticks. <paramref name="Ticks"/> = 0 means no tick term (STAR).
/// </summary>
public sealed record PriceCage(decimal Pct, int Ticks)
{
    public decimal BuyCeiling(decimal reference, decimal tick) =>
        Ticks > 0 ? Math.Max(reference * (1m + Pct), reference + Ticks * tick) : reference * (1m + Pct);

    public decimal SellFloor(decimal reference, decimal tick) =>
        Ticks > 0 ? Math.Min(reference * (1m - Pct), reference - Ticks * tick) : reference * (1m - Pct);

    /// <summary>
    /// A_SHARE_RULES.md §1.1: SSE/SZSE main boards since 2023-04-10 and ChiNext 2 % or 10 ticks, whichever is wider
    /// [P]; STAR 2 % without the tick term [C]; BSE "2 % plus 10 ticks" [P], read as the same max form (a 2021
    /// secondary source gives BSE ±5 % or 10 ticks at its opening: configure when confirmed).
    /// </summary>
    public static ImmutableDictionary<Board, PriceCage> Defaults { get; } = new Dictionary<Board, PriceCage>
    {
        [Board.ShanghaiMain] = new(0.02m, 10),
        [Board.ShenzhenMain] = new(0.02m, 10),
        [Board.ChiNext] = new(0.02m, 10),
        [Board.Star] = new(0.02m, 0),
        [Board.Bse] = new(0.02m, 10),
    }.ToImmutableDictionary();
}

/// <summary>
/// The exchange's price cage per board. The buy reference is the best ask (else the best bid, else the quote's
/// reference price); the sell reference mirrors it. Applied at all times, which is stricter than the exchange
/// (it does not cage call-auction orders): an order far from the book is suspect whenever it is sent.
/// </summary>
public sealed class PriceCageRule(IReadOnlyDictionary<Board, PriceCage> cages) : IPreTradeRule
{
    public string Name => "price-cage";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        if (!cages.TryGetValue(order.Symbol.Board, out var cage)) return RiskDecision.Accepted;
        if (context.QuoteOf(order.Symbol) is not { } quote)
            return new RiskDecision.Reject(Name, $"no market quote for {order.Symbol}: the cage reference is unknown");
        var tick = context.Market.For(order.Symbol).Tick;
        var p = order.LimitPrice;
        var board = order.Symbol.Board.DisplayName();
        if (order.Side == Side.Buy)
        {
            var reference = quote.BestAsk ?? quote.BestBid ?? quote.ReferencePrice;
            var ceiling = cage.BuyCeiling(reference, tick);
            return p <= ceiling
                ? RiskDecision.Accepted
                : new RiskDecision.Reject(Name, $"buy at {p:0.00} is above the {board} cage {ceiling:0.####} (reference {reference:0.00}, +{cage.Pct:0%}{TickTerm(cage, '+')})");
        }
        else
        {
            var reference = quote.BestBid ?? quote.BestAsk ?? quote.ReferencePrice;
            var floor = cage.SellFloor(reference, tick);
            return p >= floor
                ? RiskDecision.Accepted
                : new RiskDecision.Reject(Name, $"sell at {p:0.00} is below the {board} cage {floor:0.####} (reference {reference:0.00}, −{cage.Pct:0%}{TickTerm(cage, '−')})");
        }
    }

    private static string TickTerm(PriceCage cage, char sign) => cage.Ticks > 0 ? $" or {sign}{cage.Ticks} ticks, whichever is wider" : "";
}

/// <summary>A fat-finger band: the price may differ from the reference price by at most <paramref name="maxDeviation"/> (0.05 = ±5 %).</summary>
public sealed class PriceBandRule(decimal maxDeviation) : IPreTradeRule
{
    public string Name => "price-band";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        if (context.QuoteOf(order.Symbol) is not { } quote)
            return new RiskDecision.Reject(Name, $"no market quote for {order.Symbol}: no reference price");
        var reference = quote.ReferencePrice;
        var deviation = (order.LimitPrice - reference) / reference;
        return Math.Abs(deviation) <= maxDeviation
            ? RiskDecision.Accepted
            : new RiskDecision.Reject(Name, $"price {order.LimitPrice:0.00} is {deviation:+0.00%;-0.00%} from the reference {reference:0.00}, beyond ±{maxDeviation:0.00%}");
    }
}
