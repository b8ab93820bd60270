using System.Collections.Immutable;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Research.Portfolio;
using Trading.Runtime.State;

namespace Trading.Runtime.Strategy;

/// <summary>
/// What the planner needs to know about a stock on the trade day, before the open; <paramref name="PreviousVolume"/> is
/// the previous trading day's volume in shares (0: unknown), which caps an execution algo's slices.
/// </summary>
public readonly record struct TradeQuote(decimal ReferencePrice, PriceLimit Limit, bool Suspended, long PreviousVolume = 0);

/// <summary>
/// Turns target weights into lot-rounded orders: targets − positions, board lot rules for every quantity (odd lots
/// sold whole), T+1 sellable respected, and buys scaled down so their estimated cost never exceeds the cash
/// available now: sale proceeds exist only once the sells have filled, so a later round (the rebalancer's top-up)
/// spends them — as the broker's cash check and the risk guard's would insist. Orders are protected market orders whose
/// protection is the price cage: 2 % from the previous close, clipped to the day's limits — so nothing is sent
/// into a locked limit. Pure and deterministic: orders come out sorted by side then symbol with sequential ids.
/// </summary>
/// <summary>Unfilled shares of a symbol's open orders: being bought, being sold.</summary>
public readonly record struct PendingShares(long Buying, long Selling);

public static class RebalancePlanner
{
    public const decimal CagePct = 0.02m;

    /// <summary>
    /// The shares a target weight means (without a portfolio block): the investable NAV × weight at the reference price
    /// (the previous close), rounded down to the board's buy lot. <c>trading ptrade export</c> writes the same numbers.
    /// </summary>
    public static long TargetQuantity(double weight, decimal investable, decimal referencePrice, QuantityRule rule) =>
        weight <= 0 || referencePrice <= 0 ? 0 : rule.RoundBuyDown((long)Math.Floor(investable * (decimal)weight / referencePrice));

    public static IReadOnlyList<OrderRequest> Plan(
        string strategy,
        DateOnly tradeDate,
        ImmutableSortedDictionary<Symbol, double> targets,
        PositionBookState book,
        decimal availableCash,
        Func<Symbol, TradeQuote?> quote,
        MarketRules rules,
        double cashBuffer,
        ref long sequence,
        PlannerSizing? sizing = null,
        IReadOnlyDictionary<Symbol, PendingShares>? pending = null)
    {
        if (sizing is not null) return PlanSized(strategy, tradeDate, targets, book, availableCash, quote, rules, cashBuffer, ref sequence, sizing, pending);
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
            var open = Pending(pending, symbol);
            long held = book.HoldingOf(symbol).Quantity + open.Buying - open.Selling;
            long sellable = Math.Max(0, book.HoldingOf(symbol).Sellable - open.Selling);
            double w = targets.TryGetValue(symbol, out var tw) ? tw : 0;
            long target = TargetQuantity(w, investable, q.ReferencePrice, rule);
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

        AddBuys(orders, buys, cash, rules, strategy, tradeDate, ref seq);
        sequence = seq;
        return orders;
    }

    /// <summary>
    /// The planner with a strategy's <c>portfolio</c> block: share targets from <see cref="LotSizer"/> (board lots, the
    /// greedy that spends the cash budget where it cuts the tracking error most, fees and slippage estimated) or, with
    /// lot-sizing off, each target rounded down as in <see cref="Plan"/>; then the cost-aware filter of
    /// <see cref="TradeListBuilder"/> drops trades whose fees + slippage exceed their expected benefit (value × trade
    /// alpha) or whose value is below the minimum (exits are always kept). Weights are of NAV × (1 − cash buffer) as
    /// in <see cref="Plan"/>; suspended names and names without a quote keep their holdings. The rest is the same:
    /// sells first, buys scaled to the cash available now (the top-up round spends the proceeds), the price cage.
    /// </summary>
    private static IReadOnlyList<OrderRequest> PlanSized(
        string strategy, DateOnly tradeDate, ImmutableSortedDictionary<Symbol, double> targets, PositionBookState book,
        decimal availableCash, Func<Symbol, TradeQuote?> quote, MarketRules rules, double cashBuffer, ref long sequence,
        PlannerSizing sizing, IReadOnlyDictionary<Symbol, PendingShares>? pending)
    {
        var symbols = new List<Symbol>();
        var prices = new List<decimal>();
        var quotes = new List<TradeQuote>();
        foreach (var symbol in targets.Keys.Union(book.Positions.Keys).Distinct().Order())
        {
            if (quote(symbol) is not { Suspended: false } q || q.ReferencePrice <= 0) continue;
            symbols.Add(symbol);
            prices.Add(q.ReferencePrice);
            quotes.Add(q);
        }
        int n = symbols.Count;
        var orders = new List<OrderRequest>();
        if (n == 0) return orders;
        var held = new long[n];
        var sellable = new long[n];
        var weights = new double[n];
        decimal tradable = Math.Max(0, availableCash);
        for (int i = 0; i < n; i++)
        {
            var h = book.HoldingOf(symbols[i]);
            var open = Pending(pending, symbols[i]);
            tradable += prices[i] * h.Quantity;
            held[i] = h.Quantity + open.Buying - open.Selling;
            sellable[i] = Math.Max(0, h.Sellable - open.Selling);
            weights[i] = targets.TryGetValue(symbols[i], out var w) && w > 0 ? w : 0;
        }
        // Buys are paid at up to the cage price plus the fee allowance: keep that much of the cash aside so the sizer's
        // greedy does not buy lots that the cash check below would take off again.
        decimal reserve = Math.Max(0, availableCash) * (1 - 1 / ((1 + CagePct) * (1 + OrderState.FeeAllowanceRate)));
        // Weights are of NAV × (1 − cash buffer); the sizer's are of its NAV (cash + tradable holdings) − reserve: rescale.
        double scale = tradable - reserve > 0 ? (double)(book.Nav * (decimal)(1 - cashBuffer) / (tradable - reserve)) : 0;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += weights[i] * scale;
        if (sum > 1) scale /= sum;
        for (int i = 0; i < n; i++) weights[i] *= scale;

        long[] target;
        if (sizing.LotSizing)
        {
            target = LotSizer.Size(symbols.ToArray(), weights, prices.ToArray(), held, sellable, Math.Max(0, availableCash),
                new LotSizingOptions { TradeDate = tradeDate, Rules = rules, Fees = sizing.Fees, SlippageBps = sizing.SlippageBps, CashReserve = reserve }).TargetShares;
        }
        else
        {
            target = new long[n];
            for (int i = 0; i < n; i++)
                target[i] = weights[i] <= 0 ? 0 : rules.Quantity(symbols[i]).RoundBuyDown((long)Math.Floor(tradable * (decimal)weights[i] / prices[i]));
        }
        var costs = new TradeCostModel { TradeDate = tradeDate, Fees = sizing.Fees, Rules = rules, SlippageBps = sizing.SlippageBps };
        var list = TradeListBuilder.Build(symbols.ToArray(), held, sellable, target, prices.ToArray(), Math.Max(0, availableCash), costs, sizing.Filter ?? TradeFilter.None);

        long seq = sequence;
        var index = new Dictionary<Symbol, int>(n);
        for (int i = 0; i < n; i++) index[symbols[i]] = i;
        var buys = new List<(Symbol Symbol, long Quantity, decimal Limit)>();
        foreach (var t in list.Orders) // sells first, then buys, each by symbol
        {
            var q = quotes[index[t.Symbol]];
            var limit = Cage(q, t.Side);
            if (limit is null) continue;
            if (t.Side == Side.Sell)
                orders.Add(new OrderRequest(ClientOrderId.Create(strategy, tradeDate, ++seq), t.Symbol, Side.Sell, t.Quantity, limit.Value,
                    OrderType.ProtectedMarket, tradeDate, strategy, target[t.Index] == 0 ? "exit" : "reduce"));
            else
            {
                long qty = rules.Quantity(t.Symbol).RoundBuyDown(t.Quantity);
                if (qty > 0) buys.Add((t.Symbol, qty, limit.Value));
            }
        }
        AddBuys(orders, buys, availableCash, rules, strategy, tradeDate, ref seq);
        sequence = seq;
        return orders;
    }

    /// <summary>
    /// The buys as orders, all scaled down by one factor (each rounded down to its lot) when their cost with the fee
    /// allowance exceeds <paramref name="cash"/>; none when there is no cash.
    /// </summary>
    private static void AddBuys(List<OrderRequest> orders, List<(Symbol Symbol, long Quantity, decimal Limit)> buys, decimal cash,
        MarketRules rules, string strategy, DateOnly tradeDate, ref long seq)
    {
        decimal need = buys.Sum(b => b.Quantity * b.Limit * (1 + OrderState.FeeAllowanceRate));
        decimal scale = need > cash && need > 0 ? Math.Max(0, cash) / need : 1m;
        foreach (var (symbol, quantity, limit) in buys)
        {
            long qty = scale < 1m ? rules.Quantity(symbol).RoundBuyDown((long)Math.Floor(quantity * scale)) : quantity;
            if (qty <= 0) continue;
            orders.Add(new OrderRequest(ClientOrderId.Create(strategy, tradeDate, ++seq), symbol, Side.Buy, qty, limit,
                OrderType.ProtectedMarket, tradeDate, strategy, "target"));
        }
    }

    /// <summary>The protective price: previous close ± 2 % on the tick, inside today's limits; null when the limit itself blocks.</summary>
    private static PendingShares Pending(IReadOnlyDictionary<Symbol, PendingShares>? pending, Symbol symbol) =>
        pending is not null && pending.TryGetValue(symbol, out var p) ? p : default;

    /// <summary>
    /// Shares of open orders per symbol, from the book's reservations: what is already on its way counts as held, so a
    /// round planned while earlier orders are still open (the top-up before they fill, a rebalance re-run after a
    /// crash) never orders the same shares again.
    /// </summary>
    public static IReadOnlyDictionary<Symbol, PendingShares> PendingOf(IEnumerable<Messages.OrderReservation> reservations)
    {
        var d = new Dictionary<Symbol, PendingShares>();
        foreach (var r in reservations)
        {
            if (r.Remaining <= 0) continue;
            var p = d.GetValueOrDefault(r.Order.Symbol);
            d[r.Order.Symbol] = r.Order.Side == Side.Buy ? p with { Buying = p.Buying + r.Remaining } : p with { Selling = p.Selling + r.Remaining };
        }
        return d;
    }

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

/// <summary>
/// How the planner sizes orders when a strategy has a <c>portfolio</c> block: the fee schedule and slippage the cost
/// estimates use, whether the greedy <see cref="LotSizer"/> sizes them, and the cost-aware trade filter (null: none).
/// </summary>
public sealed record PlannerSizing(FeeSchedule Fees, decimal SlippageBps, bool LotSizing, TradeFilter? Filter)
{
    /// <summary>From a strategy's config; null when it has no portfolio block (the planner's plain rounding).</summary>
    public static PlannerSizing? From(StrategyConfig cfg, FeeSchedule fees) => cfg.Portfolio is not { } p ? null
        : new PlannerSizing(fees, (decimal)cfg.Execution.SlippageBps, p.LotSizing,
            p.TradeAlpha is null && p.MinTradeValue == 0 ? null
                : new TradeFilter { ExpectedAlpha = p.TradeAlpha ?? double.PositiveInfinity, MinTradeValue = p.MinTradeValue });
}
