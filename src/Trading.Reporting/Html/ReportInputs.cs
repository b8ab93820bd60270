namespace Trading.Reporting.Html;

/// <summary>One day of a factor's information coefficient (Pearson) and rank IC (Spearman).</summary>
public readonly record struct FactorIcObservation(DateOnly Date, double Ic, double RankIc);

/// <summary>
/// Factor analysis of one factor, as Trading.Research.Analysis.FactorAnalysis produces it: the daily IC series,
/// the rank-IC decay (forward horizon in days → mean rank IC), the mean forward return of each quantile
/// (quantile 1 = lowest factor values) and the long-short (top − bottom) return per <see cref="Horizon"/> days.
/// </summary>
public sealed record FactorReportInput(
    string Name,
    IReadOnlyList<FactorIcObservation> Series,
    IReadOnlyDictionary<int, double> RankIcDecay,
    IReadOnlyList<double> QuantileReturns,
    double LongShort)
{
    /// <summary>Forward-return horizon (trading days) of the IC series and the quantile returns.</summary>
    public int Horizon { get; init; } = 20;
}

/// <summary>What the run folder does not hold: names, industries, factor analysis, a title and a timestamp.</summary>
public sealed record ReportInputs
{
    public static ReportInputs None { get; } = new();

    /// <summary>Shown as the report's title; default: the strategy name of summary.json.</summary>
    public string? StrategyName { get; init; }

    /// <summary>The benchmark's name or code (e.g. 000300.SH 沪深300); default: "benchmark" of summary.json, if any.</summary>
    public string? BenchmarkName { get; init; }

    /// <summary>Symbol (as written in the run, e.g. 600000.SH) → display name, e.g. 浦发银行.</summary>
    public IReadOnlyDictionary<string, string> Names { get; init; } = new Dictionary<string, string>();

    /// <summary>Symbol → industry. Symbols without one are grouped under <see cref="UnknownIndustry"/>.</summary>
    public IReadOnlyDictionary<string, string> Industries { get; init; } = new Dictionary<string, string>();

    /// <summary>Label of the industry group for symbols missing from <see cref="Industries"/>.</summary>
    public string UnknownIndustry { get; init; } = "其他";

    /// <summary>Factor analysis to show; the factor section appears only when this is not empty.</summary>
    public IReadOnlyList<FactorReportInput> Factors { get; init; } = [];

    /// <summary>Annual risk-free rate for Sharpe/Sortino (default 0).</summary>
    public double RiskFreeRate { get; init; }

    /// <summary>Printed in the footer when given; the report holds no timestamp otherwise (deterministic output).</summary>
    public DateTimeOffset? GeneratedAt { get; init; }

    /// <summary>Rolling window of the rolling Sharpe / volatility / beta charts, in trading days (≈ 6 months).</summary>
    public int RollingWindow { get; init; } = 126;
}
