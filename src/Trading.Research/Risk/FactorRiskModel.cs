namespace Trading.Research.Risk;

/// <summary>A portfolio's variance split into the factor part (x'Fx) and the specific part (Σ s_i w_i²), per period.</summary>
public readonly record struct RiskDecomposition(double FactorVariance, double SpecificVariance)
{
    public double TotalVariance => FactorVariance + SpecificVariance;
}

/// <summary>One factor's line of an exposure report: portfolio, benchmark, and active (portfolio − benchmark) exposure.</summary>
public sealed record FactorExposureLine(string Factor, double Portfolio, double Benchmark, double Active);

/// <summary>
/// A factor risk model: asset covariance V = X F X' + diag(s) with exposures X (N × K), factor covariance F (K × K)
/// and specific variances s, all per period (daily when estimated from daily returns). Annualised figures multiply
/// variances by <see cref="PeriodsPerYear"/> (default 242, about the number of SSE/SZSE trading days in a year).
/// </summary>
public sealed class FactorRiskModel
{
    /// <summary>About how many days the SSE and SZSE trade in a year (242 in 2023 and 2024).</summary>
    public const int ChinaTradingDaysPerYear = 242;

    private readonly double[] _factorCov; // row-major K × K
    private readonly double[] _specific;

    public FactorRiskModel(FactorExposures exposures, double[,] factorCovariance, double[] specificVariance, int periodsPerYear = ChinaTradingDaysPerYear)
    {
        ArgumentNullException.ThrowIfNull(exposures);
        int k = exposures.FactorCount, n = exposures.AssetCount;
        if (factorCovariance.GetLength(0) != k || factorCovariance.GetLength(1) != k)
            throw new ArgumentException($"Factor covariance must be {k} × {k}.", nameof(factorCovariance));
        if (specificVariance.Length != n) throw new ArgumentException($"{specificVariance.Length} specific variances for {n} assets.", nameof(specificVariance));
        if (periodsPerYear <= 0) throw new ArgumentOutOfRangeException(nameof(periodsPerYear));
        _factorCov = new double[k * k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double v = factorCovariance[a, b];
                if (!double.IsFinite(v)) throw new ArgumentException("Factor covariance must be finite.", nameof(factorCovariance));
                if (Math.Abs(v - factorCovariance[b, a]) > 1e-12 * (1 + Math.Abs(v)))
                    throw new ArgumentException($"Factor covariance is not symmetric at ({a}, {b}).", nameof(factorCovariance));
                _factorCov[a * k + b] = v;
            }
        for (int a = 0; a < k; a++)
            if (_factorCov[a * k + a] < 0) throw new ArgumentException($"Factor {exposures.FactorNames[a]} has a negative variance.", nameof(factorCovariance));
        foreach (var s in specificVariance)
            if (!(s >= 0) || !double.IsFinite(s)) throw new ArgumentException("Specific variances must be finite and non-negative.", nameof(specificVariance));
        Exposures = exposures;
        _specific = (double[])specificVariance.Clone();
        PeriodsPerYear = periodsPerYear;
    }

    public FactorExposures Exposures { get; }

    public int AssetCount => Exposures.AssetCount;

    public int FactorCount => Exposures.FactorCount;

    public IReadOnlyList<string> FactorNames => Exposures.FactorNames;

    public int PeriodsPerYear { get; }

    public double FactorCovariance(int a, int b) => _factorCov[a * FactorCount + b];

    /// <summary>The factor covariance, row-major (shared: do not modify).</summary>
    internal double[] FactorCovarianceRowMajor => _factorCov;

    public ReadOnlySpan<double> SpecificVariance => _specific;

    /// <summary>Variance of a portfolio of weights <paramref name="weights"/> (or of active weights), per period.</summary>
    public RiskDecomposition Decompose(ReadOnlySpan<double> weights)
    {
        var x = Exposures.PortfolioExposures(weights);
        int k = FactorCount;
        double factor = 0;
        for (int a = 0; a < k; a++)
        {
            double s = 0;
            for (int b = 0; b < k; b++) s += _factorCov[a * k + b] * x[b];
            factor += x[a] * s;
        }
        double specific = 0;
        for (int i = 0; i < weights.Length; i++) specific += _specific[i] * weights[i] * weights[i];
        return new RiskDecomposition(Math.Max(factor, 0), specific);
    }

    /// <summary>w'Vw per period.</summary>
    public double Variance(ReadOnlySpan<double> weights) => Decompose(weights).TotalVariance;

    /// <summary>Predicted volatility, annualised: √(w'Vw × periods per year).</summary>
    public double PredictedVolatility(ReadOnlySpan<double> weights) => Math.Sqrt(Variance(weights) * PeriodsPerYear);

    /// <summary>Predicted tracking error against <paramref name="benchmark"/>, annualised: the volatility of w − b.</summary>
    public double TrackingError(ReadOnlySpan<double> weights, ReadOnlySpan<double> benchmark) =>
        PredictedVolatility(Active(weights, benchmark));

    /// <summary>Portfolio, benchmark and active exposure to every factor.</summary>
    public IReadOnlyList<FactorExposureLine> ExposureReport(ReadOnlySpan<double> weights, ReadOnlySpan<double> benchmark)
    {
        var p = Exposures.PortfolioExposures(weights);
        var b = Exposures.PortfolioExposures(benchmark);
        var lines = new FactorExposureLine[FactorCount];
        for (int j = 0; j < lines.Length; j++) lines[j] = new FactorExposureLine(FactorNames[j], p[j], b[j], p[j] - b[j]);
        return lines;
    }

    private double[] Active(ReadOnlySpan<double> weights, ReadOnlySpan<double> benchmark)
    {
        if (weights.Length != AssetCount || benchmark.Length != AssetCount)
            throw new ArgumentException($"Weights and benchmark must both cover the {AssetCount} assets.");
        var d = new double[AssetCount];
        for (int i = 0; i < d.Length; i++) d[i] = weights[i] - benchmark[i];
        return d;
    }
}
