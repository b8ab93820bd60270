using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Research.Portfolio;

/// <summary>What a trade is expected to cost: exchange and broker fees plus slippage.</summary>
public sealed record TradeCostModel
{
    public required DateOnly TradeDate { get; init; }

    public FeeSchedule Fees { get; init; } = FeeSchedule.Default;

    public MarketRules Rules { get; init; } = MarketRules.Default;

    /// <summary>Slippage (half-spread and impact) in basis points of the traded value, on both sides.</summary>
    public decimal SlippageBps { get; init; } = 10;

    public decimal Fee(Side side, decimal price, long quantity) => Fees.Compute(side, price, quantity, TradeDate).Total;

    public decimal Slippage(decimal value) => value * SlippageBps / 10_000m;
}

/// <summary>
/// When a trade is worth making. A trade's expected benefit is |Δw| × α × NAV = traded value × α, where α is the
/// expected return captured by moving one unit of weight (the alpha of the name over the holding period, or a
/// uniform figure). It is skipped when its expected cost (fees + slippage) exceeds that benefit, or when its value is
/// below <see cref="MinTradeValue"/>. Exits (target 0) are kept by default: the filter exists to skip small
/// rebalancing, not to keep names the portfolio no longer wants.
/// </summary>
public sealed record TradeFilter
{
    /// <summary>α for every name, e.g. 0.01 = a weight change is expected to earn 1% of the value moved.</summary>
    public double ExpectedAlpha { get; init; } = 0.01;

    /// <summary>Per-name α (absolute value used), overriding <see cref="ExpectedAlpha"/> where finite.</summary>
    public double[]? ExpectedAlphaByName { get; init; }

    public decimal MinTradeValue { get; init; }

    public bool AlwaysKeepExits { get; init; } = true;

    public static TradeFilter None { get; } = new() { ExpectedAlpha = double.PositiveInfinity, AlwaysKeepExits = true };
}

/// <summary>One proposed trade and the filter's verdict.</summary>
public sealed record ProposedTrade(
    int Index, Symbol Symbol, Side Side, long Quantity, decimal Price, decimal Value,
    decimal Fees, decimal Slippage, decimal ExpectedBenefit, bool Skipped, string? Reason)
{
    public decimal Cost => Fees + Slippage;
}

/// <summary>The trades from current holdings to targets, sells first.</summary>
/// <param name="FinalShares">Holdings after the trades that are not skipped.</param>
/// <param name="CashAfter">Cash after the kept trades at the given prices, fees and slippage included (never negative).</param>
public sealed record TradeList(IReadOnlyList<ProposedTrade> Trades, long[] FinalShares, decimal CashAfter)
{
    public IEnumerable<ProposedTrade> Orders => Trades.Where(t => !t.Skipped);

    public IEnumerable<ProposedTrade> SkippedTrades => Trades.Where(t => t.Skipped);
}

/// <summary>
/// Builds the trade list from current to target shares. Quantities are made valid first (sells with
/// <see cref="QuantityRule.RoundSellDown"/> against the sellable quantity, buys with the board's lots), then the
/// <see cref="TradeFilter"/> rule is applied. Skipping a sell leaves less cash for the buys, so the kept buys are
/// checked against the cash once more and the least worthwhile (lowest benefit − cost) are dropped until they fit.
/// </summary>
public static class TradeListBuilder
{
    public static TradeList Build(
        ReadOnlySpan<Symbol> symbols, ReadOnlySpan<long> currentShares, ReadOnlySpan<long> sellableShares,
        ReadOnlySpan<long> targetShares, ReadOnlySpan<decimal> prices, decimal cash, TradeCostModel costs, TradeFilter filter)
    {
        int n = symbols.Length;
        if (currentShares.Length != n || sellableShares.Length != n || targetShares.Length != n || prices.Length != n)
            throw new ArgumentException("Symbols, holdings, sellable, targets and prices must have the same length.");
        if (filter.ExpectedAlphaByName is { } byName && byName.Length != n)
            throw new ArgumentException($"{byName.Length} alphas for {n} names.", nameof(filter));

        var trades = new List<ProposedTrade>();
        for (int i = 0; i < n; i++)
        {
            long delta = targetShares[i] - currentShares[i];
            if (delta == 0) continue;
            decimal price = prices[i];
            var side = delta > 0 ? Side.Buy : Side.Sell;
            if (price <= 0)
            {
                trades.Add(new ProposedTrade(i, symbols[i], side, Math.Abs(delta), price, 0, 0, 0, 0, true, "no price"));
                continue;
            }
            var rule = costs.Rules.Quantity(symbols[i]) with { MaxLimitOrder = int.MaxValue, MaxMarketOrder = int.MaxValue };
            long quantity = side == Side.Sell ? rule.RoundSellDown(-delta, sellableShares[i]) : rule.RoundBuyDown(delta);
            string? adjusted = quantity != Math.Abs(delta) ? $"quantity {Math.Abs(delta)} made valid as {quantity}" : null;
            if (quantity == 0)
            {
                trades.Add(new ProposedTrade(i, symbols[i], side, Math.Abs(delta), price, 0, 0, 0, 0, true,
                    side == Side.Sell ? $"nothing sellable in valid lots ({sellableShares[i]} sellable, T+1)" : "below one lot"));
                continue;
            }
            decimal value = price * quantity;
            decimal fee = costs.Fee(side, price, quantity), slippage = costs.Slippage(value);
            double alpha = filter.ExpectedAlphaByName is { } a && double.IsFinite(a[i]) ? Math.Abs(a[i]) : filter.ExpectedAlpha;
            decimal benefit = double.IsPositiveInfinity(alpha) ? decimal.MaxValue : (decimal)Math.Min((double)value * alpha, 7.9e27);
            bool exit = targetShares[i] == 0 && filter.AlwaysKeepExits;
            string? reason = null;
            if (!exit && value < filter.MinTradeValue) reason = $"value {value:0.00} below the minimum {filter.MinTradeValue:0.00}";
            else if (!exit && fee + slippage > benefit) reason = $"cost {fee + slippage:0.00} exceeds expected benefit {benefit:0.00}";
            trades.Add(new ProposedTrade(i, symbols[i], side, quantity, price, value, fee, slippage, benefit, reason is not null, reason ?? adjusted));
        }

        decimal cashAfter = cash;
        foreach (var t in trades)
            if (!t.Skipped) cashAfter += t.Side == Side.Sell ? t.Value - t.Fees - t.Slippage : -(t.Value + t.Fees + t.Slippage);
        if (cashAfter < 0)
        {
            var buys = trades.Select((t, k) => (t, k)).Where(x => !x.t.Skipped && x.t.Side == Side.Buy)
                .OrderBy(x => x.t.ExpectedBenefit - x.t.Cost).ThenBy(x => x.t.Symbol).ToList();
            foreach (var (t, k) in buys)
            {
                if (cashAfter >= 0) break;
                cashAfter += t.Value + t.Fees + t.Slippage;
                trades[k] = t with { Skipped = true, Reason = "not enough cash after skipped sells" };
            }
        }

        var final = currentShares.ToArray();
        foreach (var t in trades)
            if (!t.Skipped) final[t.Index] += t.Side == Side.Buy ? t.Quantity : -t.Quantity;
        var ordered = trades.OrderBy(t => t.Side == Side.Sell ? 0 : 1).ThenBy(t => t.Symbol).ToList();
        return new TradeList(ordered, final, cashAfter);
    }
}
