using MathNet.Numerics.Distributions;

namespace Trading.Reporting.Metrics;

/// <summary>
/// The single-number statistics of a daily return series, each with QuantStats' convention (qs.stats, 2025).
/// Inputs are simple daily returns r_t = nav_t / nav_{t−1} − 1 (no return on the first date). Nothing here
/// throws on degenerate input: an undefined value is NaN (or ±∞ where IEEE division gives it), exactly where
/// pandas/numpy would give it, except where a QuantStats special case is noted.
/// </summary>
public static class ReturnStatistics
{
    /// <summary>Annualisation factor: trading days per year.</summary>
    public const int TradingDaysPerYear = 252;

    /// <summary>Arithmetic mean; NaN for an empty list.</summary>
    public static double Mean(IReadOnlyList<double> x)
    {
        if (x.Count == 0) return double.NaN;
        double s = 0;
        for (int i = 0; i < x.Count; i++) s += x[i];
        return s / x.Count;
    }

    /// <summary>Sample variance (ddof = 1, two-pass like pandas); NaN for fewer than two values.</summary>
    public static double Variance(IReadOnlyList<double> x)
    {
        if (x.Count < 2) return double.NaN;
        double m = Mean(x), s = 0;
        for (int i = 0; i < x.Count; i++) { var d = x[i] - m; s += d * d; }
        return s / (x.Count - 1);
    }

    /// <summary>Sample standard deviation (ddof = 1, pandas' <c>Series.std()</c>); NaN for fewer than two values.</summary>
    public static double StdDev(IReadOnlyList<double> x) => Math.Sqrt(Variance(x));

    /// <summary>Sample covariance (ddof = 1, numpy's <c>cov</c>) of two equally long lists.</summary>
    public static double Covariance(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("Lists must have the same length.", nameof(y));
        if (x.Count < 2) return double.NaN;
        double mx = Mean(x), my = Mean(y), s = 0;
        for (int i = 0; i < x.Count; i++) s += (x[i] - mx) * (y[i] - my);
        return s / (x.Count - 1);
    }

    /// <summary>Compounded return: ∏(1 + r) − 1 (QuantStats <c>comp</c>); 0 for an empty list.</summary>
    public static double Compound(IEnumerable<double> returns)
    {
        double p = 1;
        foreach (var r in returns) p *= 1 + r;
        return p - 1;
    }

    /// <summary>
    /// Annualised volatility: sample std (ddof = 1) × √252 (QuantStats <c>volatility</c>).
    /// 0 for a flat series; NaN for a single return.
    /// </summary>
    public static double Volatility(IReadOnlyList<double> returns) => StdDev(returns) * Math.Sqrt(TradingDaysPerYear);

    /// <summary>Daily risk-free return from an annual rate, as QuantStats de-annualises it: (1 + rf)^(1/252) − 1.</summary>
    public static double DailyRiskFree(double annualRate) =>
        annualRate == 0 ? 0 : Math.Pow(1 + annualRate, 1.0 / TradingDaysPerYear) - 1;

    /// <summary>
    /// Sharpe ratio: mean(r − rf_d) / std(r − rf_d) × √252 with sample std (ddof = 1); rf = 0 by default
    /// (QuantStats <c>sharpe</c>, smart = false). Plain IEEE division like pandas: a flat series gives
    /// 0/0 = NaN (JSON null); a single return gives NaN (std undefined).
    /// </summary>
    public static double Sharpe(IReadOnlyList<double> returns, double annualRiskFree = 0)
    {
        var ex = Excess(returns, annualRiskFree);
        return Mean(ex) / StdDev(ex) * Math.Sqrt(TradingDaysPerYear);
    }

    /// <summary>
    /// Sortino ratio: mean(r) / DD × √252 with downside deviation DD = √(Σ min(r, 0)² / N) over all N days
    /// (not only the losing ones), r net of the daily risk-free rate (QuantStats <c>sortino</c>).
    /// QuantStats special case kept: DD = 0 (no losing day) gives NaN, not ∞.
    /// </summary>
    public static double Sortino(IReadOnlyList<double> returns, double annualRiskFree = 0)
    {
        var ex = Excess(returns, annualRiskFree);
        if (ex.Count == 0) return double.NaN;
        double s = 0;
        foreach (var r in ex) if (r < 0) s += r * r;
        var downside = Math.Sqrt(s / ex.Count);
        return downside == 0 ? double.NaN : Mean(ex) / downside * Math.Sqrt(TradingDaysPerYear);
    }

    /// <summary>
    /// CAGR: (last / first)^(1 / years) − 1 with years = (number of returns) / 252 (QuantStats <c>cagr</c>,
    /// which counts periods, not calendar days).
    /// </summary>
    public static double Cagr(double firstNav, double lastNav, int returnCount) =>
        Math.Pow(lastNav / firstNav, 1.0 / ((double)returnCount / TradingDaysPerYear)) - 1;

    /// <summary>Calmar ratio: CAGR / |max drawdown| (QuantStats <c>calmar</c>); ∞ or NaN when there is no drawdown.</summary>
    public static double Calmar(double cagr, double maxDrawdown) => cagr / Math.Abs(maxDrawdown);

    /// <summary>Standard normal quantile z_{0.05} = −1.6448536…, from MathNet's <c>Normal.InvCDF</c>.</summary>
    public static double Z05 { get; } = Normal.InvCDF(0, 1, 0.05);

    /// <summary>
    /// Parametric (variance–covariance) daily VaR at 95 %: mean + z_{0.05} × std (ddof = 1), a negative number
    /// for a loss (QuantStats <c>value_at_risk</c>, sigma = 1). NaN for a single return.
    /// </summary>
    public static double ValueAtRisk(IReadOnlyList<double> returns) => Mean(returns) + Z05 * StdDev(returns);

    /// <summary>
    /// Historical daily VaR at 95 %: the 5th percentile of the returns with linear interpolation between order
    /// statistics (numpy's default <c>percentile</c>, pandas' <c>quantile</c>). Not a QuantStats metric; reported
    /// separately (JSON <c>var_95_historical</c>).
    /// </summary>
    public static double HistoricalValueAtRisk(IReadOnlyList<double> returns) => Percentile(returns, 0.05);

    /// <summary>
    /// CVaR / expected shortfall at 95 %: the mean of the returns ≤ the parametric <see cref="ValueAtRisk"/>;
    /// when no return is that low, the VaR itself. This is QuantStats' <c>cvar</c> up to 0.0.82 (which used &lt;
    /// rather than ≤, identical except on exact ties); QuantStats ≥ 0.0.83 uses the closed-form normal ES instead.
    /// </summary>
    public static double ConditionalValueAtRisk(IReadOnlyList<double> returns)
    {
        var threshold = ValueAtRisk(returns);
        double s = 0;
        int n = 0;
        foreach (var r in returns) if (r <= threshold) { s += r; n++; }
        return n == 0 ? threshold : s / n;
    }

    /// <summary>
    /// Win rate: positive days / non-zero days; days with a return of exactly 0 are left out of both counts
    /// (QuantStats <c>win_rate</c>). QuantStats special case kept: 0 when there is no non-zero day.
    /// </summary>
    public static double WinRate(IReadOnlyList<double> returns)
    {
        int pos = 0, nonZero = 0;
        foreach (var r in returns)
        {
            if (r != 0) nonZero++;
            if (r > 0) pos++;
        }
        return nonZero == 0 ? 0 : (double)pos / nonZero;
    }

    /// <summary>
    /// Skewness, pandas' <c>Series.skew()</c> (which QuantStats calls): the adjusted Fisher–Pearson estimator
    /// G1 = n √(n−1) / (n−2) × M3 / M2^{3/2} with M_k = Σ (r − mean)^k; M2 and M3 below 1e−14 count as 0;
    /// 0 when M2 = 0 (flat series); NaN for fewer than 3 returns.
    /// </summary>
    public static double Skew(IReadOnlyList<double> x)
    {
        int n = x.Count;
        if (n == 0) return double.NaN;
        double mean = Mean(x), m2 = 0, m3 = 0;
        foreach (var v in x)
        {
            var d = v - mean;
            var d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
        }
        m2 = ZeroOutFpErr(m2);
        m3 = ZeroOutFpErr(m3);
        if (n < 3) return double.NaN;
        if (m2 == 0) return 0;
        return n * Math.Sqrt(n - 1.0) / (n - 2.0) * (m3 / Math.Pow(m2, 1.5));
    }

    /// <summary>
    /// Excess kurtosis, pandas' <c>Series.kurtosis()</c> (which QuantStats calls): the unbiased estimator
    /// G2 = n(n+1)(n−1) M4 / ((n−2)(n−3) M2²) − 3(n−1)² / ((n−2)(n−3)); numerator and denominator below 1e−14
    /// count as 0; 0 when the denominator is 0 (flat series); NaN for fewer than 4 returns. Normal = 0.
    /// </summary>
    public static double Kurtosis(IReadOnlyList<double> x)
    {
        double n = x.Count;
        if (n == 0) return double.NaN;
        double mean = Mean(x), m2 = 0, m4 = 0;
        foreach (var v in x)
        {
            var d2 = (v - mean) * (v - mean);
            m2 += d2;
            m4 += d2 * d2;
        }
        var adj = 3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3));
        var numerator = ZeroOutFpErr(n * (n + 1) * (n - 1) * m4);
        var denominator = ZeroOutFpErr((n - 2) * (n - 3) * m2 * m2);
        if (n < 4) return double.NaN;
        if (denominator == 0) return 0;
        return numerator / denominator - adj;
    }

    /// <summary>
    /// Beta: cov(r, b) / var(b), both sample (ddof = 1), over paired returns (QuantStats <c>greeks</c>).
    /// QuantStats special case kept: 0 when var(b) = 0 (its <c>fillna(0)</c>).
    /// </summary>
    public static double Beta(IReadOnlyList<double> returns, IReadOnlyList<double> benchmark)
    {
        var vb = Variance(benchmark);
        var beta = vb == 0 ? double.NaN : Covariance(returns, benchmark) / vb;
        return double.IsNaN(beta) ? 0 : beta;
    }

    /// <summary>
    /// Alpha, annualised: (mean r − β × mean b) × 252 (QuantStats <c>greeks</c>). 0 when it would be NaN
    /// (QuantStats' <c>fillna(0)</c>).
    /// </summary>
    public static double Alpha(IReadOnlyList<double> returns, IReadOnlyList<double> benchmark)
    {
        var vb = Variance(benchmark);
        var beta = vb == 0 ? double.NaN : Covariance(returns, benchmark) / vb;
        var alpha = (Mean(returns) - beta * Mean(benchmark)) * TradingDaysPerYear;
        return double.IsNaN(alpha) ? 0 : alpha;
    }

    /// <summary>Pearson correlation of paired returns (sample); NaN when either side is flat.</summary>
    public static double Correlation(IReadOnlyList<double> returns, IReadOnlyList<double> benchmark) =>
        Covariance(returns, benchmark) / (StdDev(returns) * StdDev(benchmark));

    /// <summary>Tracking error, annualised: std(r − b) (ddof = 1) × √252.</summary>
    public static double TrackingError(IReadOnlyList<double> returns, IReadOnlyList<double> benchmark) =>
        StdDev(Active(returns, benchmark)) * Math.Sqrt(TradingDaysPerYear);

    /// <summary>
    /// Information ratio: mean(r − b) / std(r − b), <b>not annualised</b> — QuantStats' <c>information_ratio</c>
    /// is a daily figure (multiply by √252 for the annual one). QuantStats special case kept: 0 when
    /// std(r − b) = 0; NaN for a single return.
    /// </summary>
    public static double InformationRatio(IReadOnlyList<double> returns, IReadOnlyList<double> benchmark)
    {
        var active = Active(returns, benchmark);
        var std = StdDev(active);
        return std != 0 ? Mean(active) / std : 0;
    }

    /// <summary>Linear-interpolation percentile (numpy default, "type 7"); <paramref name="q"/> in [0, 1].</summary>
    public static double Percentile(IReadOnlyList<double> x, double q)
    {
        if (x.Count == 0) return double.NaN;
        var sorted = x.ToArray();
        Array.Sort(sorted);
        var pos = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static double ZeroOutFpErr(double v) => Math.Abs(v) < 1e-14 ? 0 : v;

    private static IReadOnlyList<double> Excess(IReadOnlyList<double> returns, double annualRiskFree)
    {
        var rf = DailyRiskFree(annualRiskFree);
        if (rf == 0) return returns;
        var ex = new double[returns.Count];
        for (int i = 0; i < ex.Length; i++) ex[i] = returns[i] - rf;
        return ex;
    }

    private static double[] Active(IReadOnlyList<double> returns, IReadOnlyList<double> benchmark)
    {
        if (returns.Count != benchmark.Count) throw new ArgumentException("Lists must have the same length.", nameof(benchmark));
        var d = new double[returns.Count];
        for (int i = 0; i < d.Length; i++) d[i] = returns[i] - benchmark[i];
        return d;
    }
}
