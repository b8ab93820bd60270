using Akka.Configuration;
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

    public static readonly IReadOnlyList<string> Keys =
    [
        "alpha-per-score", "benchmark-size", "candidates", "industry-band", "lot-sizing", "max-turnover", "min-trade-value",
        "risk-aversion", "risk-report", "risk-window", "trade-alpha",
    ];

    /// <summary>The <c>strategy.portfolio</c> block, or null when the strategy has none. Unknown keys and bad values are errors naming the file and the key.</summary>
    public static PortfolioConfig? Parse(Config strategy, string file)
    {
        const string path = "strategy.portfolio";
        if (!strategy.HasPath("portfolio")) return null;
        var value = strategy.GetValue("portfolio");
        if (!value.IsObject()) throw new ConfigException($"{file}: '{path}' must be a block {{ … }}.");
        var c = strategy.GetConfig("portfolio");
        foreach (var key in c.AsEnumerable().Select(kv => kv.Key.Split('.')[0]).Distinct().Order(StringComparer.Ordinal))
            if (!Keys.Contains(key)) throw new ConfigException($"{file}: unknown key '{path}.{key}' (known: {string.Join(", ", Keys)}).");

        string Text(string key)
        {
            var v = c.GetValue(key);
            if (!v.IsString()) throw new ConfigException($"{file}: '{path}.{key}' must be a single value, not a block or a list.");
            return v.GetString();
        }
        double Num(string key, double fallback, double min, double max) =>
            c.HasPath(key) ? ConfigValues.Number(Text(key), $"{file}: '{path}.{key}'", min, max)!.Value : fallback;
        double? NumOrOff(string key, double? fallback, double min, double max) =>
            c.HasPath(key) ? ConfigValues.Number(Text(key), $"{file}: '{path}.{key}'", min, max, offAllowed: true) : fallback;
        int Int(string key, int fallback, int min, int max)
        {
            if (!c.HasPath(key)) return fallback;
            var t = Text(key);
            double v = ConfigValues.Number(t, $"{file}: '{path}.{key}'", (double)min, max)!.Value;
            if (v != Math.Floor(v)) throw new ConfigException($"{file}: '{path}.{key}' = '{t}' must be a whole number in [{min}, {max}].");
            return (int)v;
        }
        bool Flag(string key, bool fallback) => c.HasPath(key) ? ConfigValues.OnOff(Text(key), $"{file}: '{path}.{key}'") : fallback;

        var d = new PortfolioConfig();
        return new PortfolioConfig
        {
            RiskAversion = Num("risk-aversion", d.RiskAversion, 0, 1e6),
            AlphaPerScore = Num("alpha-per-score", d.AlphaPerScore, 0, 10),
            IndustryBand = NumOrOff("industry-band", d.IndustryBand, 0, 1),
            MaxTurnover = NumOrOff("max-turnover", d.MaxTurnover, 0, 2),
            Candidates = Int("candidates", d.Candidates, 1, 100),
            RiskWindow = Int("risk-window", d.RiskWindow, 20, 2000),
            BenchmarkSize = Int("benchmark-size", d.BenchmarkSize, 10, 10000),
            LotSizing = Flag("lot-sizing", d.LotSizing),
            TradeAlpha = NumOrOff("trade-alpha", d.TradeAlpha, 0, 10),
            MinTradeValue = (decimal)Num("min-trade-value", (double)d.MinTradeValue, 0, 1e12),
            RiskReport = Flag("risk-report", d.RiskReport),
        };
    }
}
