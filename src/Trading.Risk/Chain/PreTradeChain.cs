namespace Trading.Risk;

/// <summary>What the chain made of one order: the order to send (after any shrinks) or the rejection.</summary>
public sealed record PreTradeResult(
    OrderRequest Requested,
    OrderRequest? Approved,
    RiskDecision.Reject? Rejection,
    ImmutableList<RiskDecision.Shrink> Shrinks)
{
    public bool IsApproved => Approved is not null;

    /// <summary>Accept, the last shrink (it carries the final quantity) or the rejection.</summary>
    public RiskDecision Decision => (RiskDecision?)Rejection ?? (Shrinks.IsEmpty ? RiskDecision.Accepted : Shrinks[^1]);

    /// <summary>The event the risk guard persists for this result.</summary>
    public RiskEvent ToEvent(DateTime at) => Rejection is { } r
        ? new OrderRejectedByRisk(Requested, r.Rule, r.Reason, at)
        : new OrderApproved(Approved!, at);
}

/// <summary>
/// A batch judged order by order, each seeing the approvals before it; the events to persist, and the state and the
/// outstanding orders after them (the approved orders pending).
/// </summary>
public sealed record BatchResult(ImmutableList<PreTradeResult> Results, ImmutableList<RiskEvent> Events, RiskState State, OutstandingOrders Outstanding)
{
    public IEnumerable<OrderRequest> Approved => Results.Where(r => r.IsApproved).Select(r => r.Approved!);

    public IEnumerable<PreTradeResult> Rejected => Results.Where(r => !r.IsApproved);
}

/// <summary>
/// The pre-trade chain: an engaged kill switch rejects everything; otherwise the rules run in order, a shrink
/// changes the order the following rules see, and the first rejection wins.
/// </summary>
public sealed class PreTradeChain(IEnumerable<IPreTradeRule> rules, RebalanceSanity? rebalanceSanity = null, DailyCancelCap? cancelCap = null)
{
    public const string KillSwitchRule = "kill-switch";
    public const string ReconcileHaltRule = "reconciliation-halt";

    public IReadOnlyList<IPreTradeRule> Rules { get; } = rules.ToArray();

    public RebalanceSanity? RebalanceSanity { get; } = rebalanceSanity;

    public DailyCancelCap? CancelCap { get; } = cancelCap;

    public PreTradeResult Evaluate(OrderRequest order, RiskContext context)
    {
        var shrinks = ImmutableList<RiskDecision.Shrink>.Empty;
        if (KillSwitchRejection(context.State) is { } killed) return new(order, null, killed, shrinks);
        var current = order;
        foreach (var rule in Rules)
        {
            switch (rule.Check(current, context))
            {
                case RiskDecision.Reject reject:
                    return new(order, null, reject, shrinks);
                case RiskDecision.Shrink s when s.NewQuantity <= 0 || s.NewQuantity >= current.Quantity:
                    // A shrink that does not shrink is a rule bug; fail safe.
                    return new(order, null, new RiskDecision.Reject(rule.Name,
                        $"invalid shrink from {current.Quantity:N0} to {s.NewQuantity:N0} shares: {s.Reason}"), shrinks);
                case RiskDecision.Shrink s:
                    shrinks = shrinks.Add(s);
                    current = current with { Quantity = s.NewQuantity };
                    break;
            }
        }
        return new(order, current, null, shrinks);
    }

    /// <summary>
    /// A rebalance: the batch as a whole first (<see cref="RebalanceSanity"/>), then each order with the state
    /// after the approvals before it, so caps, cash and exposure count the rest of the batch.
    /// </summary>
    public BatchResult EvaluateBatch(IReadOnlyList<OrderRequest> batch, RiskContext context)
    {
        var batchRejection = KillSwitchRejection(context.State)
            ?? (RebalanceSanity?.Check(batch, context) as RiskDecision.Reject);
        var results = ImmutableList.CreateBuilder<PreTradeResult>();
        var events = ImmutableList.CreateBuilder<RiskEvent>();
        var state = context.State;
        // The index of outstanding orders follows the approvals (each one pending) instead of being rebuilt per order.
        var outstanding = context.Outstanding;
        foreach (var order in batch)
        {
            var result = batchRejection is not null
                ? new PreTradeResult(order, null, batchRejection, ImmutableList<RiskDecision.Shrink>.Empty)
                : Evaluate(order, context with { State = state, Outstanding = outstanding });
            var e = result.ToEvent(context.Now);
            state = state.Apply(e);
            if (result.Approved is { } approved && !outstanding.Contains(approved.Id))
                outstanding = outstanding.WithPending(new OpenOrder(approved, OrderStatus.New, 0, context.Now), context.PendingCost(approved));
            results.Add(result);
            events.Add(e);
        }
        return new BatchResult(results.ToImmutable(), events.ToImmutable(), state, outstanding);
    }

    /// <summary>Whether a cancel may be sent. The kill switch never blocks a cancel: cancelling only lowers risk.</summary>
    public RiskDecision CheckCancel(Symbol symbol, RiskState state) => CancelCap?.Check(symbol, state) ?? RiskDecision.Accepted;

    private static RiskDecision.Reject? KillSwitchRejection(RiskState state) => state.KillSwitch is { } k
        ? new RiskDecision.Reject(KillSwitchRule, $"kill switch engaged at {k.At:yyyy-MM-dd HH:mm:ss}: {k.Reason}")
        : state.ReconcileHalt is { } h
            ? new RiskDecision.Reject(ReconcileHaltRule, $"new orders halted by reconciliation at {h.At:yyyy-MM-dd HH:mm:ss}: {h.Reason} (an operator acknowledges it)")
            : null;

    /// <summary>The configured chain, cheapest and most basic checks first, sizing rules (which may shrink) before value and cash.</summary>
    public static PreTradeChain FromOptions(RiskOptions options)
    {
        var o = options;
        var rules = new List<IPreTradeRule>();
        if (o.CheckSuspended) rules.Add(new SuspendedRule());
        if (!o.Blacklist.IsEmpty) rules.Add(new BlacklistRule(o.Blacklist, o.BlacklistBlocksSells));
        if (o.Whitelist is { } white) rules.Add(new WhitelistRule(white));
        if (o.CheckSellable) rules.Add(new SellableRule());
        if (o.CheckLotAndTick) rules.Add(new LotAndTickRule());
        if (o.BlockLimitPrices) rules.Add(new PriceLimitRule());
        if (o.PriceCages is { } cages) rules.Add(new PriceCageRule(cages));
        if (o.MaxPriceDeviation is { } deviation) rules.Add(new PriceBandRule(deviation));
        if (o.PreventSelfTrade) rules.Add(new SelfTradeCheck());
        if (o.DuplicateWindow is { } window) rules.Add(new DuplicateOrderRule(window));
        if (o.MaxDailyOrders is not null || o.MaxDailyOrdersPerSymbol is not null)
            rules.Add(new DailyOrderCountRule(o.MaxDailyOrders ?? int.MaxValue, o.MaxDailyOrdersPerSymbol ?? int.MaxValue));
        if (o.MaxActiveOrders is { } active) rules.Add(new ActiveOrderRule(active));
        if (o.MaxPositionWeight is { } weight) rules.Add(new PositionWeightRule(weight, o.ShrinkToPositionWeight));
        rules.Add(new OrderVolumeRule(o.MaxOrderQuantity ?? long.MaxValue)); // the board maximum always holds
        if (o.MaxOrderValue is { } value) rules.Add(new OrderValueRule(value));
        if (o.MaxDailyAmount is { } amount) rules.Add(new DailyAmountRule(amount));
        if (o.CheckCash) rules.Add(new CashRule());

        var sanity = o.MaxRebalanceTurnover is not null || o.CheckRebalanceCash
            ? new RebalanceSanity(o.MaxRebalanceTurnover, o.CheckRebalanceCash)
            : null;
        var cancels = o.MaxDailyCancels is not null || o.MaxDailyCancelsPerSymbol is not null
            ? new DailyCancelCap(o.MaxDailyCancels ?? int.MaxValue, o.MaxDailyCancelsPerSymbol ?? int.MaxValue)
            : null;
        return new PreTradeChain(rules, sanity, cancels);
    }
}
