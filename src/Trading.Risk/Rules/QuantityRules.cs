namespace Trading.Risk;

/// <summary>
/// Quantity and price must be valid for the board (A_SHARE_RULES.md §1.1): buys in whole lots (100s; STAR 200 then
/// 1-share steps; BSE 100 then 1-share steps), sells in lots or carrying the whole odd lot, prices on the 0.01 tick.
/// For sells the odd lot is judged against what is sellable now: T+1 sellable minus shares in open sells.
/// </summary>
public sealed class LotAndTickRule : IPreTradeRule
{
    public string Name => "lot-tick";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        var board = context.Market.For(order.Symbol);
        if (order.Quantity <= 0)
            return new RiskDecision.Reject(Name, $"quantity {order.Quantity} must be positive");
        if (order.LimitPrice <= 0m)
            return new RiskDecision.Reject(Name, $"price {order.LimitPrice} must be positive");
        if (!Money.IsOnTick(order.LimitPrice, board.Tick))
            return new RiskDecision.Reject(Name, $"price {order.LimitPrice} is not on the {board.Tick} tick");
        var q = board.Quantity;
        if (order.Side == Side.Buy)
            return q.IsValidBuy(order.Quantity)
                ? RiskDecision.Accepted
                : new RiskDecision.Reject(Name,
                    $"buy quantity {order.Quantity:N0} is not valid on {order.Symbol.Board.DisplayName()}: at least {q.MinBuy:N0}, then steps of {q.Step:N0}, at most {q.MaxLimitOrder:N0}");
        var sellable = SellableRule.SellableNow(order.Symbol, context);
        return q.SellViolation(order.Quantity, sellable) is { } why ? new RiskDecision.Reject(Name, why) : RiskDecision.Accepted;
    }
}

/// <summary>T+1: a sell may not exceed the shares sellable today minus those already in open sells (no short selling).</summary>
public sealed class SellableRule : IPreTradeRule
{
    public string Name => "t-plus-one";

    internal static long SellableNow(Symbol symbol, RiskContext context) => Sellable(symbol, context).Now;

    private static (Holding Holding, long InOpenSells, long Now) Sellable(Symbol symbol, RiskContext context)
    {
        var holding = context.Account.HoldingOf(symbol);
        var inOpenSells = context.OutstandingQuantity(symbol, Side.Sell);
        return (holding, inOpenSells, Math.Max(0, holding.Sellable - inOpenSells));
    }

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        if (order.Side != Side.Sell) return RiskDecision.Accepted;
        var (holding, inOpenSells, sellable) = Sellable(order.Symbol, context);
        return order.Quantity <= sellable
            ? RiskDecision.Accepted
            : new RiskDecision.Reject(Name,
                $"sell {order.Quantity:N0} {order.Symbol} exceeds the {sellable:N0} shares sellable now: {holding.Sellable:N0} sellable (T+1) of {holding.Quantity:N0} held, {inOpenSells:N0} already in open sells");
    }
}

/// <summary>
/// Order size: at most <paramref name="maxQuantity"/> shares, and never above the board's maximum for the order
/// type (limit or protected market; A_SHARE_RULES.md §1.1).
/// </summary>
public sealed class OrderVolumeRule(long maxQuantity) : IPreTradeRule
{
    public string Name => "order-volume";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        var q = context.Market.Quantity(order.Symbol);
        long boardMax = order.Type == OrderType.ProtectedMarket ? q.MaxMarketOrder : q.MaxLimitOrder;
        long cap = Math.Min(maxQuantity, boardMax);
        if (order.Quantity <= cap) return RiskDecision.Accepted;
        var which = cap == boardMax
            ? $"the {order.Symbol.Board.DisplayName()} maximum of {boardMax:N0} per {(order.Type == OrderType.ProtectedMarket ? "market" : "limit")} order"
            : $"the limit of {maxQuantity:N0} shares per order";
        return new RiskDecision.Reject(Name, $"{order.Quantity:N0} shares exceed {which}");
    }
}

/// <summary>Order value (price × quantity) at most <paramref name="maxValue"/> CNY.</summary>
public sealed class OrderValueRule(decimal maxValue) : IPreTradeRule
{
    public string Name => "order-value";

    public RiskDecision Check(OrderRequest order, RiskContext context) =>
        order.Notional <= maxValue
            ? RiskDecision.Accepted
            : new RiskDecision.Reject(Name, $"order value {order.Notional:N2} ({order.Quantity:N0} × {order.LimitPrice:0.00}) exceeds {maxValue:N2}");
}
