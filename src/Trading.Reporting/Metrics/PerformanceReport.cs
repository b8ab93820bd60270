namespace Trading.Reporting.Metrics;

/// <summary>Compounded return of one calendar month: ∏(1 + r) − 1 over the month's daily returns.</summary>
public sealed record MonthlyReturn(int Year, int Month, double Return);

/// <summary>Compounded return of one calendar year: ∏(1 + r) − 1 over the year's daily returns.</summary>
public sealed record YearlyReturn(int Year, double Return);

/// <summary>
/// One bin of the daily-return histogram: equal-width bins from the lowest to the highest return, each
/// [Lower, Upper) except the last, which is closed (numpy's <c>histogram</c>).
/// </summary>
public sealed record HistogramBin(double Lower, double Upper, int Count);

/// <summary>
/// Strategy against benchmark. Both series are aligned by an <b>inner join on dates</b>: only dates present in
/// both the NAV and the benchmark series are kept, and both returns are recomputed over consecutive kept dates
/// (a date missing on one side merges two days into one return on both). The strategy's own metrics in
/// <see cref="PerformanceReport"/> always use the full NAV series.
/// </summary>
public sealed record BenchmarkComparison
{
    /// <summary>Dates in both series (rows of the join; returns = this − 1).</summary>
    public required int CommonDates { get; init; }

    /// <summary>Strategy returns over the joined dates.</summary>
    public required IReadOnlyList<DatedValue> StrategyReturns { get; init; }

    /// <summary>Benchmark returns over the joined dates.</summary>
    public required IReadOnlyList<DatedValue> Returns { get; init; }

    /// <summary>Benchmark cumulative return on each joined date: close / first close − 1.</summary>
    public required IReadOnlyList<DatedValue> Cumulative { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Beta"/>
    public required double Beta { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Alpha"/>
    public required double Alpha { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Correlation"/>
    public required double Correlation { get; init; }

    /// <inheritdoc cref="ReturnStatistics.TrackingError"/>
    public required double TrackingError { get; init; }

    /// <inheritdoc cref="ReturnStatistics.InformationRatio"/>
    public required double InformationRatio { get; init; }

    /// <summary>Benchmark total return over the joined dates: last / first close − 1.</summary>
    public required double TotalReturn { get; init; }

    /// <summary>Benchmark CAGR over the joined dates (years = joined returns / 252).</summary>
    public required double Cagr { get; init; }

    /// <summary>Benchmark annualised volatility over the joined dates.</summary>
    public required double Volatility { get; init; }

    /// <summary>Benchmark Sharpe over the joined dates (same risk-free rate as the strategy's).</summary>
    public required double Sharpe { get; init; }

    /// <summary>Benchmark maximum drawdown over the joined dates (negative).</summary>
    public required double MaxDrawdown { get; init; }

    /// <summary>Rolling beta over <see cref="PerformanceReport.RollingWindow"/> joined returns, dated by the window's last day (NaN where the benchmark is flat in the window).</summary>
    public required IReadOnlyList<DatedValue> RollingBeta { get; init; }
}

/// <summary>
/// Everything a performance report shows, computed by <see cref="PerformanceAnalyzer.Analyze"/> with
/// QuantStats' conventions (see each member). Returns are simple daily returns r_t = nav_t / nav_{t−1} − 1, so
/// N NAV rows give N − 1 returns, dated by the later day. Undefined values are NaN (JSON null).
/// </summary>
public sealed partial record PerformanceReport
{
    public required DateOnly StartDate { get; init; }
    public required DateOnly EndDate { get; init; }

    /// <summary>NAV rows.</summary>
    public required int Days { get; init; }

    /// <summary>Daily returns (NAV rows − 1).</summary>
    public required int ReturnDays { get; init; }

    /// <summary>ReturnDays / 252, the "years" of CAGR and turnover.</summary>
    public required double Years { get; init; }

    public required double StartNav { get; init; }
    public required double EndNav { get; init; }

    /// <summary>Annual risk-free rate used by Sharpe and Sortino (0 unless set in <see cref="MetricsOptions"/>).</summary>
    public required double RiskFreeRate { get; init; }

    /// <summary>last / first NAV − 1.</summary>
    public required double TotalReturn { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Cagr"/>
    public required double Cagr { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Volatility"/>
    public required double Volatility { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Sharpe"/>
    public required double Sharpe { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Sortino"/>
    public required double Sortino { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Calmar"/>
    public required double Calmar { get; init; }

    /// <inheritdoc cref="MaxDrawdownInfo"/>
    public required MaxDrawdownInfo MaxDrawdown { get; init; }

    /// <summary>Longest drawdown episode in calendar days, inclusive (0 when never under water).</summary>
    public required int LongestDrawdownDays { get; init; }

    /// <inheritdoc cref="ReturnStatistics.ValueAtRisk"/>
    public required double ValueAtRisk95 { get; init; }

    /// <inheritdoc cref="ReturnStatistics.HistoricalValueAtRisk"/>
    public required double HistoricalValueAtRisk95 { get; init; }

    /// <inheritdoc cref="ReturnStatistics.ConditionalValueAtRisk"/>
    public required double ConditionalValueAtRisk95 { get; init; }

    /// <inheritdoc cref="ReturnStatistics.WinRate"/>
    public required double WinRate { get; init; }

    /// <summary>Highest daily return.</summary>
    public required double BestDay { get; init; }

    /// <summary>Lowest daily return.</summary>
    public required double WorstDay { get; init; }

    /// <summary>Highest compounded calendar-month return (of the months that have returns).</summary>
    public required double BestMonth { get; init; }

    /// <summary>Lowest compounded calendar-month return.</summary>
    public required double WorstMonth { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Skew"/>
    public required double Skew { get; init; }

    /// <inheritdoc cref="ReturnStatistics.Kurtosis"/>
    public required double Kurtosis { get; init; }

    /// <summary>Benchmark-relative metrics; null without a benchmark.</summary>
    public BenchmarkComparison? Benchmark { get; init; }

    /// <summary>Trade statistics; null when no <see cref="TradingActivity"/> was given.</summary>
    public TradingStatistics? Trading { get; init; }

    /// <summary>Daily returns, dated by the later day.</summary>
    public required IReadOnlyList<DatedValue> Returns { get; init; }

    /// <summary>Cumulative return on every NAV date: nav / first nav − 1 (0 on the first date).</summary>
    public required IReadOnlyList<DatedValue> Cumulative { get; init; }

    /// <summary>Drawdown on every NAV date: nav / running max − 1 (≤ 0; see <see cref="Drawdowns.Series"/>).</summary>
    public required IReadOnlyList<DatedValue> Drawdown { get; init; }

    /// <summary>Every period under water, oldest first.</summary>
    public required IReadOnlyList<DrawdownEpisode> DrawdownEpisodes { get; init; }

    /// <summary>Months that have at least one return, in order.</summary>
    public required IReadOnlyList<MonthlyReturn> MonthlyReturns { get; init; }

    /// <summary>Years that have at least one return, in order.</summary>
    public required IReadOnlyList<YearlyReturn> YearlyReturns { get; init; }

    /// <summary>Window of the rolling series, in returns.</summary>
    public required int RollingWindow { get; init; }

    /// <summary>
    /// Rolling Sharpe: mean / std (ddof = 1) × √252 of the last <see cref="RollingWindow"/> returns, dated by the
    /// window's last day; empty when there are fewer returns than the window (QuantStats <c>rolling_sharpe</c>).
    /// </summary>
    public required IReadOnlyList<DatedValue> RollingSharpe { get; init; }

    /// <summary>Rolling annualised volatility: std (ddof = 1) × √252 per window (QuantStats <c>rolling_volatility</c>).</summary>
    public required IReadOnlyList<DatedValue> RollingVolatility { get; init; }

    /// <summary>Histogram of the daily returns.</summary>
    public required IReadOnlyList<HistogramBin> Histogram { get; init; }
}
