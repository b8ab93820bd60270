namespace Trading.Risk;

/// <summary>
/// Model sanity for a whole rebalance batch, before any single order is judged: the turnover, (buys + sells) /
/// NAV, must not exceed <paramref name="maxTurnover"/>; and the buys with their fees must fit in the buying power
/// plus what the batch's sells bring in after fees (sale proceeds are usable the same day, A_SHARE_RULES.md §1.1).
/// </summary>
public sealed class RebalanceSanity(decimal? maxTurnover, bool checkCash = true)
{
    public string Name => "rebalance-sanity";

    public RiskDecision Check(IReadOnlyList<OrderRequest> batch, RiskContext context)
    {
        if (batch.Count == 0) return RiskDecision.Accepted;
        var nav = context.Account.Nav;
        var buys = batch.Where(o => o.Side == Side.Buy).ToArray();
        var sells = batch.Where(o => o.Side == Side.Sell).ToArray();
        if (maxTurnover is { } max)
        {
            if (nav <= 0m) return new RiskDecision.Reject(Name, $"NAV is {nav:N2}: no turnover is sane");
            var bought = buys.Sum(o => o.Notional);
            var sold = sells.Sum(o => o.Notional);
            var turnover = (bought + sold) / nav;
            if (turnover > max)
                return new RiskDecision.Reject(Name,
                    $"batch of {batch.Count} orders turns over {turnover:0.00%} of NAV {nav:N2} (buys {bought:N2} + sells {sold:N2}), above {max:0.00%}");
        }
        if (checkCash)
        {
            var cost = buys.Sum(o => context.BuyCost(o.LimitPrice, o.Quantity));
            var proceeds = sells.Sum(o => context.SellProceeds(o.LimitPrice, o.Quantity));
            var power = context.BuyingPower;
            if (cost > power + proceeds)
                return new RiskDecision.Reject(Name,
                    $"batch buys cost {cost:N2} with fees, more than buying power {power:N2} + sell proceeds {proceeds:N2} = {power + proceeds:N2}");
        }
        return RiskDecision.Accepted;
    }
}
