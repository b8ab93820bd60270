namespace Trading.Risk;

/// <summary>
/// The position after the order (market value now + open and pending buys + this order) at most
/// <paramref name="maxWeight"/> of NAV. With <paramref name="shrink"/>, a buy that would pass the cap is cut to the
/// largest valid quantity under it (lot-rounded by the board's quantity rule); rejected when not even one lot fits.
/// Sells only lower the weight and always pass.
/// </summary>
public sealed class PositionWeightRule(decimal maxWeight, bool shrink) : IPreTradeRule
{
    public string Name => "position-weight";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        if (order.Side == Side.Sell) return RiskDecision.Accepted;
        var account = context.Account;
        if (account.Nav <= 0m)
            return new RiskDecision.Reject(Name, $"NAV is {account.Nav:N2}: no room for any position");
        var existing = ExistingExposure(order.Symbol, context);
        var after = existing + order.Notional;
        var cap = maxWeight * account.Nav;
        if (after <= cap) return RiskDecision.Accepted;

        var why = $"{order.Symbol} after the order {after:N2} = {after / account.Nav:0.00%} of NAV {account.Nav:N2} (held and open {existing:N2}), above {maxWeight:0.00%}";
        long room = cap > existing ? (long)Math.Floor((cap - existing) / order.LimitPrice) : 0;
        long quantity = context.Market.Quantity(order.Symbol).RoundBuyDown(room);
        if (!shrink || quantity <= 0)
            return new RiskDecision.Reject(Name, $"{why}; room for {room:N0} shares, less than one lot");
        return new RiskDecision.Shrink(quantity, Name, $"{why}; shrunk from {order.Quantity:N0} to {quantity:N0} shares");
    }

    private static decimal ExistingExposure(Symbol symbol, RiskContext context)
    {
        var held = context.Account.MarketValues.TryGetValue(symbol, out var mv)
            ? mv
            : context.Account.HoldingOf(symbol).Quantity * (context.QuoteOf(symbol)?.ReferencePrice ?? 0m);
        var openBuys = context.Outstanding.Of(symbol)
            .Where(o => o.Order.Side == Side.Buy)
            .Sum(o => o.Remaining * o.Order.LimitPrice);
        return held + openBuys;
    }
}

/// <summary>
/// A buy must be paid for: value + estimated fees ≤ cash balance − cash frozen by open buys − cost of approved
/// buys the broker has not frozen yet (+ margin credit only when margin is enabled). No leverage otherwise.
/// </summary>
public sealed class CashRule : IPreTradeRule
{
    public string Name => "cash";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        if (order.Side == Side.Sell) return RiskDecision.Accepted;
        var cost = context.BuyCost(order.LimitPrice, order.Quantity);
        var power = context.BuyingPower;
        if (cost <= power) return RiskDecision.Accepted;
        var a = context.Account;
        var margin = context.MarginEnabled ? $" + margin credit {a.MarginCredit:N2}" : "";
        return new RiskDecision.Reject(Name,
            $"buy costs {cost:N2} ({order.Notional:N2} + fees {cost - order.Notional:N2}) but only {power:N2} is available: cash {a.Cash:N2} − frozen {a.FrozenCash:N2} − pending buys {context.PendingBuyCost:N2}{margin}");
    }
}
