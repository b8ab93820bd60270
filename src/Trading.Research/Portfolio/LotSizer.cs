using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Research.Portfolio;

/// <summary>Settings of <see cref="LotSizer"/>.</summary>
public sealed record LotSizingOptions
{
    /// <summary>The trade date, for the fee rates in force.</summary>
    public required DateOnly TradeDate { get; init; }

    public MarketRules Rules { get; init; } = MarketRules.Default;

    public FeeSchedule Fees { get; init; } = FeeSchedule.Default;

    /// <summary>
    /// Slippage assumed in the cash estimate, in basis points of the traded value on both sides (use the
    /// <see cref="TradeCostModel.SlippageBps"/> of the trade list, so that its cash check agrees).
    /// </summary>
    public decimal SlippageBps { get; init; }

    /// <summary>Cash kept aside: targets are weights of NAV − reserve, and buys never dip into it.</summary>
    public decimal CashReserve { get; init; }

    /// <summary>
    /// Whether leftover cash may buy a lot that takes a name above its target (only when that lands closer to the
    /// target than not buying, i.e. overshoots by less than half a lot). False: no buy ever exceeds the target.
    /// </summary>
    public bool AllowOvershoot { get; init; } = true;
}

/// <summary>Share targets and the cash they leave, all estimated at the given prices.</summary>
/// <param name="TargetShares">Shares to hold after trading, per name.</param>
/// <param name="AchievedWeights">Target value ÷ NAV per name.</param>
/// <param name="Nav">Cash + holdings at the given prices.</param>
/// <param name="SellProceeds">Sell value minus slippage allowance and estimated sell fees.</param>
/// <param name="BuyCost">Buy value plus slippage allowance plus estimated buy fees.</param>
/// <param name="EstimatedFees">Fees of all trades (FeeSchedule, one order per name).</param>
/// <param name="CashLeft">Cash − reserve + sell proceeds − buy cost: never negative, except when cash and sell proceeds are already below the reserve (then nothing is bought).</param>
/// <param name="Notes">Names that could not trade as wanted (no price, T+1 limits), for the log.</param>
public sealed record LotSizingResult(
    long[] TargetShares, double[] AchievedWeights, decimal Nav, decimal SellProceeds, decimal BuyCost,
    decimal EstimatedFees, decimal CashLeft, IReadOnlyList<string> Notes);

/// <summary>
/// Turns target weights into share targets that the exchange accepts. Ideal shares = w × (NAV − reserve) / price.
/// Sells are rounded down (never sell more than needed) with <see cref="QuantityRule.RoundSellDown"/> against the
/// sellable (T+1) quantity, so odd lots go whole or not at all. Buys are rounded down to the board's lots (main
/// boards and ChiNext: multiples of 100; STAR: 200 then steps of 1; BSE: 100 then steps of 1). Then a greedy:
/// <list type="number">
/// <item>if the buys (value + slippage allowance + fees) cost more than the cash after sells, lots are taken off
/// where that hurts the tracking of targets least per yuan saved;</item>
/// <item>the leftover cash buys one more increment at a time (the board's minimum buy for a new order, then its
/// step) for the name whose squared value error falls the most per yuan spent, as long as the increment reduces
/// that error and its full cost, fees included, fits in the remaining cash.</item>
/// </list>
/// Order-size maxima (e.g. 100,000 shares on STAR) are for execution, which splits a trade into child orders; fees
/// are estimated as one order per name.
/// </summary>
public static class LotSizer
{
    public static LotSizingResult Size(
        ReadOnlySpan<Symbol> symbols, ReadOnlySpan<double> targetWeights, ReadOnlySpan<decimal> pricesSpan,
        ReadOnlySpan<long> currentSharesSpan, ReadOnlySpan<long> sellableShares, decimal cash, LotSizingOptions options)
    {
        int n = symbols.Length;
        var prices = pricesSpan.ToArray();
        var currentShares = currentSharesSpan.ToArray();
        if (targetWeights.Length != n || prices.Length != n || currentShares.Length != n || sellableShares.Length != n)
            throw new ArgumentException("Symbols, weights, prices, holdings and sellable quantities must have the same length.");
        if (cash < 0) throw new ArgumentOutOfRangeException(nameof(cash), cash, "Cash cannot be negative.");
        if (options.CashReserve < 0 || options.SlippageBps < 0) throw new ArgumentOutOfRangeException(nameof(options), "Reserve and slippage cannot be negative.");
        double weightSum = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(targetWeights[i] >= 0) || !double.IsFinite(targetWeights[i])) throw new ArgumentException($"Target weight of {symbols[i]} is {targetWeights[i]}.", nameof(targetWeights));
            if (currentShares[i] < 0 || sellableShares[i] < 0 || sellableShares[i] > currentShares[i])
                throw new ArgumentException($"{symbols[i]}: need 0 ≤ sellable ({sellableShares[i]}) ≤ held ({currentShares[i]}).");
            weightSum += targetWeights[i];
        }
        if (weightSum > 1 + 1e-9) throw new ArgumentException($"Target weights sum to {weightSum} > 1.", nameof(targetWeights));

        var notes = new List<string>();
        decimal nav = cash;
        for (int i = 0; i < n; i++) if (prices[i] > 0) nav += prices[i] * currentShares[i];
        decimal investable = Math.Max(0, nav - options.CashReserve);
        decimal slip = options.SlippageBps / 10_000m;

        var rules = new QuantityRule[n];
        var target = new long[n];
        var idealValue = new double[n];   // w × investable, the value each name should have
        var buy = new long[n];            // shares to buy (0 for sells)
        decimal proceeds = 0, fees = 0;
        for (int i = 0; i < n; i++)
        {
            // Order-size maxima are for the execution layer (child orders): lots only here.
            rules[i] = options.Rules.Quantity(symbols[i]) with { MaxLimitOrder = int.MaxValue, MaxMarketOrder = int.MaxValue };
            target[i] = currentShares[i];
            if (prices[i] <= 0)
            {
                if (targetWeights[i] > 0 || currentShares[i] > 0) notes.Add($"{symbols[i]}: no price, holding kept at {currentShares[i]}");
                continue;
            }
            idealValue[i] = targetWeights[i] * (double)investable;
            double ideal = idealValue[i] / (double)prices[i];
            if (ideal < currentShares[i])
            {
                long wanted = (long)Math.Floor(currentShares[i] - ideal);
                long sell = rules[i].RoundSellDown(wanted, sellableShares[i]);
                if (sell < wanted && wanted > 0 && sellableShares[i] < wanted) notes.Add($"{symbols[i]}: only {sellableShares[i]} sellable (T+1) of {wanted} to sell");
                if (sell > 0)
                {
                    var fee = options.Fees.Compute(Side.Sell, prices[i], sell, options.TradeDate).Total;
                    proceeds += prices[i] * sell * (1 - slip) - fee;
                    fees += fee;
                    target[i] = currentShares[i] - sell;
                }
            }
            else
            {
                buy[i] = rules[i].RoundBuyDown((long)Math.Floor(ideal) - currentShares[i]);
            }
        }

        decimal budget = cash - options.CashReserve + proceeds;
        decimal BuyCost(int i, long q) => q == 0 ? 0 : prices[i] * q * (1 + slip) + options.Fees.Compute(Side.Buy, prices[i], q, options.TradeDate).Total;
        double Error(int i, long q) { double e = idealValue[i] - (double)prices[i] * (currentShares[i] + q); return e * e; }
        decimal spent = 0;
        for (int i = 0; i < n; i++) spent += BuyCost(i, buy[i]);

        // 1. Over budget (fees, slippage allowance, reserve): take lots off where it hurts least per yuan saved.
        if (spent > budget)
        {
            var queue = new PriorityQueue<int, double>();
            long Less(int i) => buy[i] - rules[i].Step >= rules[i].MinBuy ? buy[i] - rules[i].Step : 0;
            double Harm(int i) => (Error(i, Less(i)) - Error(i, buy[i])) / (double)Math.Max(BuyCost(i, buy[i]) - BuyCost(i, Less(i)), 0.01m);
            for (int i = 0; i < n; i++) if (buy[i] > 0) queue.Enqueue(i, Harm(i));
            // One queue entry per name at a time, so no entry is ever stale.
            while (spent > budget && queue.TryDequeue(out int i, out _))
            {
                long less = Less(i);
                spent -= BuyCost(i, buy[i]) - BuyCost(i, less);
                buy[i] = less;
                if (buy[i] > 0) queue.Enqueue(i, Harm(i));
            }
        }

        // 2. Spend what is left on the increments that cut the squared error most per yuan.
        {
            var queue = new PriorityQueue<int, double>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
            long More(int i) => buy[i] == 0 ? rules[i].MinBuy : buy[i] + rules[i].Step;
            double Gain(int i)
            {
                long more = More(i);
                if (!options.AllowOvershoot && (double)prices[i] * (currentShares[i] + more) > idealValue[i] * (1 + 1e-12)) return double.NaN;
                double g = Error(i, buy[i]) - Error(i, more);
                return g > 0 ? g / (double)(BuyCost(i, more) - BuyCost(i, buy[i])) : double.NaN;
            }
            for (int i = 0; i < n; i++)
            {
                if (prices[i] <= 0 || target[i] < currentShares[i] || idealValue[i] <= 0) continue; // sells and untradeable names take no extra lots
                double gain = Gain(i);
                if (!double.IsNaN(gain)) queue.Enqueue(i, gain);
            }
            while (queue.TryDequeue(out int i, out double _))
            {
                long more = More(i);
                decimal extra = BuyCost(i, more) - BuyCost(i, buy[i]);
                if (spent + extra > budget) continue; // never fits again: the budget only shrinks
                spent += extra;
                buy[i] = more;
                double gain = Gain(i);
                if (!double.IsNaN(gain)) queue.Enqueue(i, gain);
            }
        }

        var weights = new double[n];
        decimal buyFees = 0;
        for (int i = 0; i < n; i++)
        {
            if (buy[i] > 0)
            {
                target[i] = currentShares[i] + buy[i];
                buyFees += options.Fees.Compute(Side.Buy, prices[i], buy[i], options.TradeDate).Total;
            }
            if (prices[i] > 0 && nav > 0) weights[i] = (double)(prices[i] * target[i] / nav);
        }
        return new LotSizingResult(target, weights, nav, proceeds, spent, fees + buyFees, budget - spent, notes);
    }
}
