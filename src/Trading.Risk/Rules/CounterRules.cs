namespace Trading.Risk;

/// <summary>The same order again (symbol, side, quantity, price) within <paramref name="window"/> of an approved one: likely a loop or a double click.</summary>
public sealed class DuplicateOrderRule(TimeSpan window) : IPreTradeRule
{
    public string Name => "duplicate-order";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        foreach (var earlier in context.State.OrdersToday)
        {
            var o = earlier.Order;
            var age = context.Now - earlier.At;
            if (o.Symbol == order.Symbol && o.Side == order.Side && o.Quantity == order.Quantity && o.LimitPrice == order.LimitPrice
                && age >= TimeSpan.Zero && age < window)
                return new RiskDecision.Reject(Name,
                    $"same as {o.Id} ({o.Side} {o.Quantity:N0} {o.Symbol} at {o.LimitPrice:0.00}) approved {age.TotalSeconds:0.###} s ago, within the {window.TotalSeconds:0.###} s window");
        }
        return RiskDecision.Accepted;
    }
}

/// <summary>At most <paramref name="maxOrders"/> approved orders a day, and <paramref name="maxPerSymbol"/> per symbol.</summary>
public sealed class DailyOrderCountRule(int maxOrders, int maxPerSymbol) : IPreTradeRule
{
    public string Name => "daily-order-count";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        var state = context.State;
        if (state.OrderCount >= maxOrders)
            return new RiskDecision.Reject(Name, $"{state.OrderCount:N0} orders already today, the daily cap is {maxOrders:N0}");
        var ofSymbol = state.OrderCountOf(order.Symbol);
        if (ofSymbol >= maxPerSymbol)
            return new RiskDecision.Reject(Name, $"{ofSymbol:N0} orders in {order.Symbol} already today, the cap per symbol is {maxPerSymbol:N0}");
        return RiskDecision.Accepted;
    }
}

/// <summary>At most <paramref name="maxActive"/> orders outstanding at once (open at the broker or approved and in flight).</summary>
public sealed class ActiveOrderRule(int maxActive) : IPreTradeRule
{
    public string Name => "active-orders";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        var active = context.Outstanding.Count;
        return active < maxActive
            ? RiskDecision.Accepted
            : new RiskDecision.Reject(Name, $"{active:N0} orders are active, the cap is {maxActive:N0}");
    }
}

/// <summary>The value submitted today (both sides, this order included) at most <paramref name="maxAmount"/> CNY.</summary>
public sealed class DailyAmountRule(decimal maxAmount) : IPreTradeRule
{
    public string Name => "daily-amount";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        var today = context.State.SubmittedAmount;
        return today + order.Notional <= maxAmount
            ? RiskDecision.Accepted
            : new RiskDecision.Reject(Name, $"{today:N2} submitted today + {order.Notional:N2} = {today + order.Notional:N2} exceeds the daily cap {maxAmount:N2}");
    }
}

/// <summary>
/// Cancels a day, overall and per symbol (vn.py's cancel caps; exchanges watch frequent cancelling). A cancel is
/// not an order, so this check has its own entry: <see cref="PreTradeChain.CheckCancel"/>.
/// </summary>
public sealed class DailyCancelCap(int maxCancels, int maxPerSymbol)
{
    public string Name => "daily-cancel-count";

    public RiskDecision Check(Symbol symbol, RiskState state)
    {
        if (state.CancelCount >= maxCancels)
            return new RiskDecision.Reject(Name, $"{state.CancelCount:N0} cancels already today, the daily cap is {maxCancels:N0}");
        var ofSymbol = state.CancelCountOf(symbol);
        return ofSymbol < maxPerSymbol
            ? RiskDecision.Accepted
            : new RiskDecision.Reject(Name, $"{ofSymbol:N0} cancels in {symbol} already today, the cap per symbol is {maxPerSymbol:N0}");
    }
}
