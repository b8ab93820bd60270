namespace Trading.Risk;

/// <summary>No order for a suspended stock, nor for one without a quote (the guard cannot judge it blind). A_SHARE_RULES.md §1.4.</summary>
public sealed class SuspendedRule : IPreTradeRule
{
    public string Name => "suspended";

    public RiskDecision Check(OrderRequest order, RiskContext context) => context.QuoteOf(order.Symbol) switch
    {
        null => new RiskDecision.Reject(Name, $"no market quote for {order.Symbol}: cannot tell whether it trades today"),
        { Suspended: true } => new RiskDecision.Reject(Name, $"{order.Symbol} is suspended on {context.Today:yyyy-MM-dd}"),
        _ => RiskDecision.Accepted,
    };
}

/// <summary>Symbols the account must not buy (and, when <paramref name="blockSells"/>, not sell either).</summary>
public sealed class BlacklistRule(IReadOnlySet<Symbol> symbols, bool blockSells = false) : IPreTradeRule
{
    public string Name => "black-list";

    public RiskDecision Check(OrderRequest order, RiskContext context) =>
        symbols.Contains(order.Symbol) && (order.Side == Side.Buy || blockSells)
            ? new RiskDecision.Reject(Name, $"{order.Symbol} is on the black list ({order.Side} blocked)")
            : RiskDecision.Accepted;
}

/// <summary>Only these symbols may be bought; sells stay free so a position outside the list can always be closed.</summary>
public sealed class WhitelistRule(IReadOnlySet<Symbol> symbols) : IPreTradeRule
{
    public string Name => "white-list";

    public RiskDecision Check(OrderRequest order, RiskContext context) =>
        order.Side == Side.Buy && !symbols.Contains(order.Symbol)
            ? new RiskDecision.Reject(Name, $"{order.Symbol} is not on the white list of {symbols.Count} symbols")
            : RiskDecision.Accepted;
}

/// <summary>Buying where one's own open sell would be hit, or selling into one's own open buy (对敲): the order would trade with itself.</summary>
public sealed class SelfTradeCheck : IPreTradeRule
{
    public string Name => "self-trade";

    public RiskDecision Check(OrderRequest order, RiskContext context)
    {
        foreach (var open in context.Outstanding.Of(order.Symbol))
        {
            var o = open.Order;
            if (o.Symbol != order.Symbol || o.Side == order.Side || open.Remaining == 0) continue;
            bool crosses = order.Side == Side.Buy ? order.LimitPrice >= o.LimitPrice : order.LimitPrice <= o.LimitPrice;
            if (crosses)
                return new RiskDecision.Reject(Name,
                    $"{order.Side} {order.Symbol} at {order.LimitPrice:0.00} would cross own open {o.Side} {o.Id} of {open.Remaining:N0} at {o.LimitPrice:0.00}");
        }
        return RiskDecision.Accepted;
    }
}
