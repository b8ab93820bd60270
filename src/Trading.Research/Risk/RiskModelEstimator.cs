namespace Trading.Research.Risk;

/// <summary>
/// One day of history over a fixed universe of N stocks: the exposures known before the day (point in time), the
/// day's returns (NaN when the stock did not trade or was not listed), and the regression weights (e.g. √cap).
/// </summary>
/// <param name="ConstraintCaps">Market caps for the country model's industry constraint; the regression weights when null.</param>
public sealed record RiskModelDay(FactorExposures Exposures, double[] Returns, double[] RegressionWeights, double[]? ConstraintCaps = null);

/// <summary>Settings of <see cref="RiskModelEstimator"/>.</summary>
public sealed record RiskModelOptions
{
    /// <summary>Half-life, in days, of the EWMA factor covariance.</summary>
    public double FactorHalfLife { get; init; } = 90;

    /// <summary>Half-life, in days, of the EWMA of squared specific returns.</summary>
    public double SpecificHalfLife { get; init; } = 60;

    /// <summary>Remove the EWMA mean of factor returns before the covariance (and correct by 1/(1 − Σw²)).</summary>
    public bool DemeanFactorReturns { get; init; } = true;

    /// <summary>Lowest specific volatility per period (daily: 0.005 ≈ 7.8% a year): a stock never looks riskless.</summary>
    public double SpecificVolatilityFloor { get; init; } = 0.005;

    /// <summary>Stocks with fewer residuals than this get the cross-sectional median specific variance.</summary>
    public int MinSpecificObservations { get; init; } = 20;

    public int PeriodsPerYear { get; init; } = FactorRiskModel.ChinaTradingDaysPerYear;

    public static RiskModelOptions Default { get; } = new();
}

/// <summary>The estimated model and what it was estimated from.</summary>
/// <param name="FactorReturns">Days × factors, oldest first.</param>
/// <param name="RSquared">Each day's weighted R².</param>
/// <param name="SpecificObservations">How many residuals each stock had; below the minimum its specific variance is the median.</param>
public sealed record RiskModelEstimate(FactorRiskModel Model, double[,] FactorReturns, double[] RSquared, int[] SpecificObservations);

/// <summary>
/// Estimates a factor risk model from daily cross-sections: factor returns by cross-sectional WLS each day
/// (<see cref="CrossSectionalRegression"/>), factor covariance by EWMA of those returns, specific variance by EWMA
/// of each stock's squared residuals with a floor. The model's exposures are the current ones.
/// </summary>
public static class RiskModelEstimator
{
    public static RiskModelEstimate Estimate(IReadOnlyList<RiskModelDay> history, FactorExposures current, RiskModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        return Estimate(history.Count, d => history[d], current, options);
    }

    /// <summary>
    /// The same over <paramref name="days"/> days produced one at a time, oldest first: each day is used once, before
    /// the next is asked for, so a caller may build every day's exposures in the same buffer (no days × N × K arrays).
    /// </summary>
    public static RiskModelEstimate Estimate(int days, Func<int, RiskModelDay> dayAt, FactorExposures current, RiskModelOptions? options = null)
    {
        options ??= RiskModelOptions.Default;
        ArgumentNullException.ThrowIfNull(dayAt);
        ArgumentNullException.ThrowIfNull(current);
        int t = days, n = current.AssetCount, k = current.FactorCount;
        if (t < 2) throw new ArgumentException($"A risk model needs at least 2 days of history, got {t}.", "history");
        var factorReturns = new double[t, k];
        var r2 = new double[t];
        var residuals = new double[n * t]; // stock-major: stock i's residuals at [i·t, (i+1)·t)
        for (int d = 0; d < t; d++)
        {
            var day = dayAt(d);
            if (day.Exposures.AssetCount != n || day.Exposures.FactorCount != k)
                throw new ArgumentException($"Day {d} has {day.Exposures.AssetCount} × {day.Exposures.FactorCount} exposures; the model has {n} × {k}.", "history");
            for (int j = 0; j < k; j++)
                if (day.Exposures.FactorNames[j] != current.FactorNames[j])
                    throw new ArgumentException($"Day {d} factor {j} is '{day.Exposures.FactorNames[j]}', the model's is '{current.FactorNames[j]}'.", "history");
            var fit = CrossSectionalRegression.Fit(day.Exposures, day.Returns, day.RegressionWeights, day.ConstraintCaps);
            for (int j = 0; j < k; j++) factorReturns[d, j] = fit.FactorReturns[j];
            r2[d] = fit.RSquared;
            for (int i = 0; i < n; i++) residuals[i * t + d] = fit.Residuals[i];
        }

        var factorCov = Ewma.Covariance(factorReturns, options.FactorHalfLife, options.DemeanFactorReturns);

        var specific = new double[n];
        var counts = new int[n];
        var estimated = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            var series = residuals.AsSpan(i * t, t);
            foreach (var e in series) if (double.IsFinite(e)) counts[i]++;
            specific[i] = Ewma.MeanSquare(series, options.SpecificHalfLife, Math.Max(1, options.MinSpecificObservations));
            if (double.IsFinite(specific[i])) estimated.Add(specific[i]);
        }
        double floor = options.SpecificVolatilityFloor * options.SpecificVolatilityFloor;
        double median = estimated.Count > 0 ? Median(estimated) : floor;
        for (int i = 0; i < n; i++)
            specific[i] = Math.Max(double.IsFinite(specific[i]) ? specific[i] : median, floor);

        var model = new FactorRiskModel(current, factorCov, specific, options.PeriodsPerYear);
        return new RiskModelEstimate(model, factorReturns, r2, counts);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int m = values.Count;
        return m % 2 == 1 ? values[m / 2] : 0.5 * (values[m / 2 - 1] + values[m / 2]);
    }
}
