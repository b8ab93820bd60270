using Trading.Runtime.Configuration;

namespace Trading.Runtime.Strategy;

/// <summary>
/// The portfolio-construction block of a strategy (HOCON <c>strategy.portfolio { … }</c>): the optimiser's settings
/// (used by <c>weighting = optimised</c>), the industry band around the benchmark proxy (also used by
/// <c>weighting = neutral</c>), the risk model's window, and the rebalance planner's lot sizer and cost-aware trade
/// filter. Without the block nothing changes: the planner keeps its plain lot rounding and no risk model is built.
/// </summary>
public sealed record PortfolioConfig
{
    /// <summary>λ in score − λ·risk, in annual units: annual alpha against annualised active variance (tracking variance).</summary>
    public double RiskAversion { get; init; } = 10;

    /// <summary>Expected annual alpha of one cross-sectional standard deviation of the combined score (the optimiser's expected returns).</summary>
    public double AlphaPerScore { get; init; } = 0.05;

    /// <summary>Industry weights within the benchmark proxy's ± this many (fractions: 0.05 = ± 5 pp); null = no industry bounds.</summary>
    public double? IndustryBand { get; init; } = 0.05;

    /// <summary>Σ|w − w0| per rebalance on top of the idle cash invested (switching everything is 2); null = no limit.</summary>
    public double? MaxTurnover { get; init; } = 0.8;

    /// <summary>The optimiser chooses among the best <c>candidates × top-n</c> names by score (plus holdings within the buffer).</summary>
    public int Candidates { get; init; } = 3;

    /// <summary>Days of history the risk model is estimated on at each rebalance (point in time, up to the decision day).</summary>
    public int RiskWindow { get; init; } = 120;

    /// <summary>Names in the benchmark proxy (the largest by market value where valuations exist, else by 20-day average amount).</summary>
    public int BenchmarkSize { get; init; } = 300;

    /// <summary>Size orders with the greedy <c>LotSizer</c> (board lots, fees and the cash budget) instead of rounding each target down.</summary>
    public bool LotSizing { get; init; } = true;

    /// <summary>Cost-aware trade filter: a trade is skipped when fees + slippage exceed its value × this expected alpha; null = no filter.</summary>
    public double? TradeAlpha { get; init; } = 0.01;

    /// <summary>Trades below this value (CNY) are skipped (exits are always kept).</summary>
    public decimal MinTradeValue { get; init; }

    /// <summary>Estimate the risk model and record ex-ante risk at every rebalance (risk.csv, the report's risk section) whatever the weighting.</summary>
    public bool RiskReport { get; init; } = true;

    public static readonly IReadOnlySet<string> Keys = new HashSet<string>
    {
        "alpha-per-score", "benchmark-size", "candidates", "industry-band", "lot-sizing", "max-turnover", "min-trade-value",
        "risk-aversion", "risk-report", "risk-window", "trade-alpha",
    };

    /// <summary>
    /// The <c>portfolio</c> block of <paramref name="strategy"/>, or null when the strategy has none. Read by the
    /// strategy file's own strict reader: unknown keys and bad values are errors naming the file and the key.
    /// </summary>
    public static PortfolioConfig? Parse(ConfigBlock strategy)
    {
        if (strategy.Block("portfolio", Keys) is not { } c) return null;
        var d = new PortfolioConfig();
        return new PortfolioConfig
        {
            RiskAversion = c.Double("risk-aversion", d.RiskAversion, 0, 1e6),
            AlphaPerScore = c.Double("alpha-per-score", d.AlphaPerScore, 0, 10),
            IndustryBand = c.DoubleOrOff("industry-band", d.IndustryBand, 0, 1),
            MaxTurnover = c.DoubleOrOff("max-turnover", d.MaxTurnover, 0, 2),
            Candidates = c.Int("candidates", d.Candidates, 1, 100),
            RiskWindow = c.Int("risk-window", d.RiskWindow, 20, 2000),
            BenchmarkSize = c.Int("benchmark-size", d.BenchmarkSize, 10, 10000),
            LotSizing = c.Flag("lot-sizing", d.LotSizing),
            TradeAlpha = c.DoubleOrOff("trade-alpha", d.TradeAlpha, 0, 10),
            MinTradeValue = c.Decimal("min-trade-value", d.MinTradeValue, 0, 1e12m),
            RiskReport = c.Flag("risk-report", d.RiskReport),
        };
    }
}
