using System.Collections.Immutable;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.State;

namespace Trading.Runtime.Strategy;

/// <summary>What the planner needs to know about a stock on the trade day, before the open.</summary>
public readonly record struct TradeQuote(decimal ReferencePrice, PriceLimit Limit, bool Suspended);

/// <summary>
/// Turns target weights into lot-rounded orders: targets − positions, board lot rules for every quantity (odd lots
/// sold whole), T+1 sellable respected, and buys scaled down so their estimated cost never exceeds the cash
/// available now: sale proceeds exist only once the sells have filled, so a later round (the rebalancer's top-up)
/// spends them — as the broker's cash check and the risk guard's would insist. Orders are protected market orders whose
/// protection is the price cage: 2 % from the previous close, clipped to the day's limits — so nothing is sent
/// into a locked limit. Pure and deterministic: orders come out sorted by side then symbol with sequential ids.
/// </summary>
public static class RebalancePlanner
{
    public const decimal CagePct = 0.02m;

    public static IReadOnlyList<OrderRequest> Plan(
        string strategy,
        DateOnly tradeDate,
        ImmutableSortedDictionary<Symbol, double> targets,
        PositionBookState book,
        decimal availableCash,
        Func<Symbol, TradeQuote?> quote,
        MarketRules rules,
        double cashBuffer,
        ref long sequence)
    {
        var orders = new List<OrderRequest>();
        decimal nav = book.Nav;
        decimal investable = nav * (decimal)(1 - cashBuffer);
        decimal cash = availableCash;
        var buys = new List<(Symbol Symbol, long Quantity, decimal Limit)>();
        long seq = sequence;

        foreach (var symbol in targets.Keys.Union(book.Positions.Keys).Distinct().Order())
        {
            if (quote(symbol) is not { Suspended: false } q || q.ReferencePrice <= 0) continue;
            var rule = rules.Quantity(symbol);
            long held = book.HoldingOf(symbol).Quantity;
            long sellable = book.HoldingOf(symbol).Sellable;
            double w = targets.TryGetValue(symbol, out var tw) ? tw : 0;
            long target = w <= 0 ? 0 : rule.RoundBuyDown((long)Math.Floor(investable * (decimal)w / q.ReferencePrice));
            if (target < held)
            {
                long qty = target == 0 ? sellable : rule.RoundSellDown(held - target, sellable);
                if (qty <= 0) continue;
                var limit = Cage(q, Side.Sell);
                if (limit is null) continue;
                orders.Add(new OrderRequest(ClientOrderId.Create(strategy, tradeDate, ++seq), symbol, Side.Sell, qty, limit.Value,
                    OrderType.ProtectedMarket, tradeDate, strategy, target == 0 ? "exit" : "reduce"));
            }
            else if (target > held)
            {
                long qty = rule.RoundBuyDown(target - held);
                var limit = Cage(q, Side.Buy);
                if (qty > 0 && limit is not null) buys.Add((symbol, qty, limit.Value));
            }
        }

        decimal need = buys.Sum(b => b.Quantity * b.Limit * (1 + OrderState.FeeAllowanceRate));
        decimal scale = need > cash && need > 0 ? cash / need : 1m;
        foreach (var (symbol, quantity, limit) in buys)
        {
            long qty = scale < 1m ? rules.Quantity(symbol).RoundBuyDown((long)Math.Floor(quantity * scale)) : quantity;
            if (qty <= 0) continue;
            orders.Add(new OrderRequest(ClientOrderId.Create(strategy, tradeDate, ++seq), symbol, Side.Buy, qty, limit,
                OrderType.ProtectedMarket, tradeDate, strategy, "target"));
        }
        sequence = seq;
        return orders;
    }

    /// <summary>The protective price: previous close ± 2 % on the tick, inside today's limits; null when the limit itself blocks.</summary>
    public static decimal? Cage(TradeQuote q, Side side)
    {
        if (side == Side.Buy)
        {
            var p = Math.Floor(q.ReferencePrice * (1 + CagePct) * 100m) / 100m;
            if (q.Limit.IsLimited) p = Math.Min(p, q.Limit.Up);
            return p > 0 ? p : null;
        }
        var s = Math.Ceiling(q.ReferencePrice * (1 - CagePct) * 100m) / 100m;
        if (q.Limit.IsLimited) s = Math.Max(s, q.Limit.Down);
        return s > 0 ? s : null;
    }
}
