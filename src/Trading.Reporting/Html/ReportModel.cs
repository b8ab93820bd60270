using Trading.Reporting.Metrics;

namespace Trading.Reporting.Html;

/// <summary>A line of the key-metrics table: label, the strategy's value and the benchmark's (formatted).</summary>
internal sealed record MetricRow(string Label, string Strategy, string? Benchmark);

/// <summary>
/// A drawdown episode for display: the last day at the peak, the first day under water, the trough, the recovery
/// (null = not recovered), the depth (negative), the length in calendar days (the metrics' inclusive count of days
/// under water) and in trading days from the peak to the recovery (or to the end of the run).
/// </summary>
internal sealed record EpisodeView(DateOnly Peak, DateOnly Start, DateOnly Trough, DateOnly? Recovery, double Depth, int CalendarDays, int TradingDays);

internal sealed record HoldingRow(string Symbol, string? Name, string Industry, double Latest, double Average);

internal sealed record AlertRow(string Time, string Kind, string Source, string Symbol, string Message);

internal sealed record LabelValue(string Label, string Value);

internal sealed record RuleCount(string Rule, int Count);

internal sealed record FactorView(
    string Name, int Horizon, DateOnly[] Dates, double[] Ic, double[] RankIc, double[] RankIcRolling,
    int[] DecayHorizons, double[] DecayValues, double[] Quantiles, double LongShort, List<LabelValue> Summary);

/// <summary>The numbers the written commentary is made of (fractions, not percent).</summary>
internal sealed record CommentaryFacts
{
    public required DateOnly Start { get; init; }
    public required DateOnly End { get; init; }
    public required int TradingDays { get; init; }
    public required double TotalReturn { get; init; }
    public required double Cagr { get; init; }
    public required double Volatility { get; init; }
    public required double Sharpe { get; init; }
    public double? BenchmarkReturn { get; init; }
    public double? BenchmarkCagr { get; init; }
    public double? Beta { get; init; }
    public double? Alpha { get; init; }
    public double? InformationRatio { get; init; }
    public double? Correlation { get; init; }
    public required IReadOnlyList<EpisodeView> Episodes { get; init; }
    public DatedValue? BestDay { get; init; }
    public DatedValue? WorstDay { get; init; }
    /// <summary>Best and worst calendar month, dated on the month's first day.</summary>
    public DatedValue? BestMonth { get; init; }
    public DatedValue? WorstMonth { get; init; }
    public int PositiveMonths { get; init; }
    public int Months { get; init; }
    public int MonthsBeatingBenchmark { get; init; }
    public int MonthsWithBenchmark { get; init; }
    /// <summary>Best and worst stretch of <see cref="PeriodDays"/> trading days, dated on the stretch's last day.</summary>
    public DatedValue? BestPeriod { get; init; }
    public DatedValue? WorstPeriod { get; init; }
    public DateOnly? BestPeriodStart { get; init; }
    public DateOnly? WorstPeriodStart { get; init; }
    public int PeriodDays { get; init; }
    public IReadOnlyList<(int Year, double Strategy, double? Benchmark)> Years { get; init; } = [];
    public decimal Fees { get; init; }
    public decimal Commission { get; init; }
    public decimal StampDuty { get; init; }
    public decimal TransferFee { get; init; }
    public decimal OtherFees { get; init; }
    public double AverageNav { get; init; }
    /// <summary>Fees / average NAV, annualised (× 252 / trading days).</summary>
    public double CostDrag { get; init; }
    /// <summary>One-sided turnover: traded value (buys + sells) / 2 / average NAV, annualised.</summary>
    public double AnnualTurnover { get; init; }
    public int Fills { get; init; }
    public int Rejections { get; init; }
    public RuleCount? TopRejectionRule { get; init; }
    public int Alerts { get; init; }
    public (string Industry, double Weight)? TopIndustry { get; init; }
    public HoldingRow? TopHolding { get; init; }
}

/// <summary>Everything the HTML renderer shows, already computed: the renderer only formats and lays out.</summary>
internal sealed class ReportModel
{
    /// <summary>Ex-ante risk per rebalance from risk.csv (empty: no section).</summary>
    public IReadOnlyList<RunRiskRow> ExAnte { get; init; } = [];
    public required string Title { get; init; }
    public required DateOnly Start { get; init; }
    public required DateOnly End { get; init; }
    public required int TradingDays { get; init; }
    public string? BenchmarkName { get; init; }
    public required IReadOnlyList<MetricRow> Metrics { get; init; }

    public required DateOnly[] Dates { get; init; }
    /// <summary>Growth of 1 (NAV / first NAV).</summary>
    public required double[] Equity { get; init; }
    public double[]? Benchmark { get; init; }
    public required double[] Drawdown { get; init; }
    public required IReadOnlyList<EpisodeView> Episodes { get; init; }

    public required int[] Years { get; init; }
    /// <summary>Per year 13 values: the 12 months then the year (NaN where the run has no data).</summary>
    public required double[][] Monthly { get; init; }
    public required double[] YearlyStrategy { get; init; }
    public double[]? YearlyBenchmark { get; init; }

    public required int RollingWindow { get; init; }
    public required double[] RollingSharpe { get; init; }
    public required double[] RollingVolatility { get; init; }
    public double[]? RollingBeta { get; init; }

    public required double[] HistogramCenters { get; init; }
    public required int[] HistogramCounts { get; init; }
    public int[]? HistogramBenchmark { get; init; }

    public DateOnly[] ExposureDates { get; init; } = [];
    public string[] Industries { get; init; } = [];
    /// <summary>Per industry, per exposure date: market value / NAV.</summary>
    public double[][] ExposureWeights { get; init; } = [];
    /// <summary>Top 10 by average weight over the run.</summary>
    public IReadOnlyList<HoldingRow> TopHoldings { get; init; } = [];
    /// <summary>Top 10 by weight on the last day (empty when nothing is held then).</summary>
    public IReadOnlyList<HoldingRow> LatestHoldings { get; init; } = [];
    public int HoldingDays { get; init; }

    public string[] TurnoverLabels { get; init; } = [];
    public double[] TurnoverValues { get; init; } = [];
    public string TurnoverPeriod { get; init; } = "month";

    public IReadOnlyList<LabelValue> TradeStats { get; init; } = [];
    public IReadOnlyList<LabelValue> OrderStats { get; init; } = [];
    public IReadOnlyList<RuleCount> Rejections { get; init; } = [];
    public IReadOnlyList<AlertRow> Alerts { get; init; } = [];
    public IReadOnlyList<AlertRow> RejectionEvents { get; init; } = [];

    public IReadOnlyList<FactorView> Factors { get; init; } = [];
    public required CommentaryFacts Facts { get; init; }
    public DateTimeOffset? GeneratedAt { get; init; }
    public string? LibraryVersion { get; init; }
}
