namespace Trading.Reporting.Metrics;

/// <summary>Computes a <see cref="PerformanceReport"/> from a NAV series, an optional benchmark and optional trades.</summary>
public static class PerformanceAnalyzer
{
    /// <summary>
    /// Validates the inputs and computes every metric.
    /// </summary>
    /// <param name="nav">Daily NAV: ≥ 2 rows, NAV positive and finite, dates strictly increasing.</param>
    /// <param name="benchmark">
    /// Optional benchmark closes (same checks as the NAV). Inner-joined with the NAV on dates; the join must
    /// keep ≥ 2 dates. Only the benchmark-relative metrics use the join (see <see cref="BenchmarkComparison"/>).
    /// </param>
    /// <param name="activity">Optional trades / positions / market values for <see cref="TradingStatistics"/>.</param>
    /// <param name="options">Rolling window, histogram bins, risk-free rate; defaults = QuantStats'.</param>
    /// <exception cref="MetricsInputException">Invalid input; the message names the row.</exception>
    public static PerformanceReport Analyze(
        IReadOnlyList<(DateOnly Date, double Nav)> nav,
        IReadOnlyList<(DateOnly Date, double Close)>? benchmark = null,
        TradingActivity? activity = null,
        MetricsOptions? options = null)
    {
        options ??= MetricsOptions.Default;
        if (options.RollingWindow < 2) throw new ArgumentOutOfRangeException(nameof(options), options.RollingWindow, "RollingWindow must be at least 2.");
        if (options.HistogramBins < 0) throw new ArgumentOutOfRangeException(nameof(options), options.HistogramBins, "HistogramBins must be 0 (automatic) or positive.");
        if (!double.IsFinite(options.RiskFreeRate) || options.RiskFreeRate <= -1)
            throw new ArgumentOutOfRangeException(nameof(options), options.RiskFreeRate, "RiskFreeRate must be finite and above −1.");
        SeriesValidation.ValidateList(nav, "NAV", "NAV");
        if (benchmark is not null) SeriesValidation.ValidateList(benchmark, "benchmark close", "benchmark");

        int n = nav.Count;
        var dates = new DateOnly[n];
        var values = new double[n];
        for (int i = 0; i < n; i++) (dates[i], values[i]) = nav[i];
        var returns = Returns(values);
        var returnSeries = Dated(dates, 1, returns);
        var rf = options.RiskFreeRate;

        var dd = Drawdowns.Series(values);
        var episodes = Drawdowns.Episodes(dates, dd);
        var maxDd = Drawdowns.Max(episodes);
        var cagr = ReturnStatistics.Cagr(values[0], values[^1], returns.Length);
        var (monthly, yearly) = Calendar(returnSeries);

        var cumulative = new double[n];
        for (int i = 0; i < n; i++) cumulative[i] = values[i] / values[0] - 1;

        return new PerformanceReport
        {
            StartDate = dates[0],
            EndDate = dates[^1],
            Days = n,
            ReturnDays = returns.Length,
            Years = (double)returns.Length / ReturnStatistics.TradingDaysPerYear,
            StartNav = values[0],
            EndNav = values[^1],
            RiskFreeRate = rf,
            TotalReturn = values[^1] / values[0] - 1,
            Cagr = cagr,
            Volatility = ReturnStatistics.Volatility(returns),
            Sharpe = ReturnStatistics.Sharpe(returns, rf),
            Sortino = ReturnStatistics.Sortino(returns, rf),
            Calmar = ReturnStatistics.Calmar(cagr, maxDd.Depth),
            MaxDrawdown = maxDd,
            LongestDrawdownDays = episodes.Count == 0 ? 0 : episodes.Max(e => e.Days),
            ValueAtRisk95 = ReturnStatistics.ValueAtRisk(returns),
            HistoricalValueAtRisk95 = ReturnStatistics.HistoricalValueAtRisk(returns),
            ConditionalValueAtRisk95 = ReturnStatistics.ConditionalValueAtRisk(returns),
            WinRate = ReturnStatistics.WinRate(returns),
            BestDay = returns.Max(),
            WorstDay = returns.Min(),
            BestMonth = monthly.Max(m => m.Return),
            WorstMonth = monthly.Min(m => m.Return),
            Skew = ReturnStatistics.Skew(returns),
            Kurtosis = ReturnStatistics.Kurtosis(returns),
            Benchmark = benchmark is null ? null : Compare(dates, values, benchmark, options),
            Trading = activity is null ? null : TradingStatistics.Compute(activity, dates, values),
            Returns = returnSeries,
            Cumulative = Dated(dates, 0, cumulative),
            Drawdown = Dated(dates, 0, dd),
            DrawdownEpisodes = episodes,
            MonthlyReturns = monthly,
            YearlyReturns = yearly,
            RollingWindow = options.RollingWindow,
            RollingSharpe = Rolling(returnSeries, options.RollingWindow, w => ReturnStatistics.Sharpe(w, rf)),
            RollingVolatility = Rolling(returnSeries, options.RollingWindow, ReturnStatistics.Volatility),
            Histogram = Histogram(returns, options.HistogramBins),
        };
    }

    /// <summary>r_t = nav_t / nav_{t−1} − 1 for t = 1 … N−1.</summary>
    public static double[] Returns(IReadOnlyList<double> nav)
    {
        var r = new double[Math.Max(nav.Count - 1, 0)];
        for (int i = 1; i < nav.Count; i++) r[i - 1] = nav[i] / nav[i - 1] - 1;
        return r;
    }

    private static DatedValue[] Dated(DateOnly[] dates, int offset, double[] values)
    {
        var s = new DatedValue[values.Length];
        for (int i = 0; i < values.Length; i++) s[i] = new DatedValue(dates[i + offset], values[i]);
        return s;
    }

    private static (List<MonthlyReturn>, List<YearlyReturn>) Calendar(IReadOnlyList<DatedValue> returns)
    {
        var monthly = new List<MonthlyReturn>();
        var yearly = new List<YearlyReturn>();
        foreach (var g in returns.GroupBy(r => (r.Date.Year, r.Date.Month)))
            monthly.Add(new MonthlyReturn(g.Key.Year, g.Key.Month, ReturnStatistics.Compound(g.Select(r => r.Value))));
        foreach (var g in returns.GroupBy(r => r.Date.Year))
            yearly.Add(new YearlyReturn(g.Key, ReturnStatistics.Compound(g.Select(r => r.Value))));
        return (monthly, yearly);
    }

    private static BenchmarkComparison Compare(DateOnly[] dates, double[] nav, IReadOnlyList<(DateOnly Date, double Close)> benchmark, MetricsOptions options)
    {
        var closes = new Dictionary<DateOnly, double>(benchmark.Count);
        foreach (var (date, close) in benchmark) closes[date] = close;
        var jd = new List<DateOnly>();
        var jn = new List<double>();
        var jb = new List<double>();
        for (int i = 0; i < dates.Length; i++)
            if (closes.TryGetValue(dates[i], out var c)) { jd.Add(dates[i]); jn.Add(nav[i]); jb.Add(c); }
        if (jd.Count < 2)
            throw new MetricsInputException(
                $"the benchmark shares {jd.Count} date{(jd.Count == 1 ? "" : "s")} with the NAV series; at least 2 are needed");

        var d = jd.ToArray();
        var r = Returns(jn);
        var b = Returns(jb);
        var cumulative = new double[jb.Count];
        for (int i = 0; i < cumulative.Length; i++) cumulative[i] = jb[i] / jb[0] - 1;
        var bSeries = Dated(d, 1, b);
        var rolling = new List<DatedValue>();
        int w = options.RollingWindow;
        for (int end = w - 1; end < b.Length; end++)
        {
            var rw = new ArraySegment<double>(r, end - w + 1, w);
            var bw = new ArraySegment<double>(b, end - w + 1, w);
            var vb = ReturnStatistics.Variance(bw);
            rolling.Add(new DatedValue(d[end + 1], vb == 0 ? double.NaN : ReturnStatistics.Covariance(rw, bw) / vb));
        }
        return new BenchmarkComparison
        {
            CommonDates = d.Length,
            StrategyReturns = Dated(d, 1, r),
            Returns = bSeries,
            Cumulative = Dated(d, 0, cumulative),
            Beta = ReturnStatistics.Beta(r, b),
            Alpha = ReturnStatistics.Alpha(r, b),
            Correlation = ReturnStatistics.Correlation(r, b),
            TrackingError = ReturnStatistics.TrackingError(r, b),
            InformationRatio = ReturnStatistics.InformationRatio(r, b),
            TotalReturn = jb[^1] / jb[0] - 1,
            Cagr = ReturnStatistics.Cagr(jb[0], jb[^1], b.Length),
            Volatility = ReturnStatistics.Volatility(b),
            Sharpe = ReturnStatistics.Sharpe(b, options.RiskFreeRate),
            MaxDrawdown = Drawdowns.Series(jb).Min(),
            RollingBeta = rolling,
        };
    }

    private static List<DatedValue> Rolling(IReadOnlyList<DatedValue> returns, int window, Func<IReadOnlyList<double>, double> stat)
    {
        var values = returns.Select(r => r.Value).ToArray();
        var list = new List<DatedValue>();
        for (int end = window - 1; end < values.Length; end++)
            list.Add(new DatedValue(returns[end].Date, stat(new ArraySegment<double>(values, end - window + 1, window))));
        return list;
    }

    /// <summary>Equal-width bins from min to max; Sturges' ⌈log2 N⌉ + 1 bins unless <paramref name="bins"/> &gt; 0.</summary>
    internal static List<HistogramBin> Histogram(IReadOnlyList<double> returns, int bins)
    {
        int k = bins > 0 ? bins : (int)Math.Ceiling(Math.Log2(returns.Count)) + 1;
        double min = returns.Min(), max = returns.Max();
        if (min == max) return [new HistogramBin(min, max, returns.Count)];
        var width = (max - min) / k;
        var counts = new int[k];
        foreach (var r in returns) counts[Math.Min((int)((r - min) / width), k - 1)]++;
        var list = new List<HistogramBin>(k);
        for (int i = 0; i < k; i++)
            list.Add(new HistogramBin(min + i * width, i == k - 1 ? max : min + (i + 1) * width, counts[i]));
        return list;
    }
}
