using Trading.Research.Risk;

namespace Trading.Research.Tests.Risk;

public class EwmaTests
{
    [Fact]
    public void Weights_halve_every_half_life()
    {
        // Half-life 1: raw 1/4, 1/2, 1 (newest last) → 1/7, 2/7, 4/7.
        var w = Ewma.Weights(3, 1);
        Assert.Equal(1 / 7.0, w[0], 15);
        Assert.Equal(2 / 7.0, w[1], 15);
        Assert.Equal(4 / 7.0, w[2], 15);
        // Half-life 2 over 5 days: the oldest (age 4) weighs a quarter of the newest.
        var v = Ewma.Weights(5, 2);
        Assert.Equal(0.25, v[0] / v[4], 14);
        Assert.Equal(1.0, v.Sum(), 14);
    }

    [Fact]
    public void Covariance_of_a_small_case_by_hand()
    {
        // x = 1, 2, 4 with weights 1/7, 2/7, 4/7: mean 3, deviations −2, −1, 1, Σw·d² = 10/7, Σw² = 3/7 → (10/7)/(4/7) = 2.5.
        var cov = Ewma.Covariance(new double[,] { { 1 }, { 2 }, { 4 } }, 1);
        Assert.Equal(2.5, cov[0, 0], 13);
        // Zero-mean: Σw·x² = (1 + 8 + 64)/7.
        Assert.Equal(73 / 7.0, Ewma.Covariance(new double[,] { { 1 }, { 2 }, { 4 } }, 1, demean: false)[0, 0], 13);
    }

    [Fact]
    public void A_long_half_life_gives_the_sample_covariance()
    {
        var x = new double[,] { { 1, 2 }, { 3, 1 }, { 2, 5 }, { 6, 4 } };
        var cov = Ewma.Covariance(x, 1e12);
        // Sample covariance: means 3, 3; cov(a,b) = (−2·−1 + 0·−2 + −1·2 + 3·1)/3 = 1; var a = (4+0+1+9)/3; var b = (1+4+4+1)/3.
        Assert.Equal(14 / 3.0, cov[0, 0], 9);
        Assert.Equal(10 / 3.0, cov[1, 1], 9);
        Assert.Equal(1.0, cov[0, 1], 9);
        Assert.Equal(cov[0, 1], cov[1, 0]);
    }

    [Fact]
    public void Mean_square_skips_missing_days_but_keeps_their_age()
    {
        // Values 2, NaN, 1 with half-life 1: raw weights 1/4 (age 2), –, 1 (age 0) → (4/4 + 1) / (1/4 + 1) = 1.6.
        Assert.Equal(1.6, Ewma.MeanSquare([2, double.NaN, 1], 1), 14);
        Assert.True(double.IsNaN(Ewma.MeanSquare([2, double.NaN, 1], 1, minObservations: 3)));
    }
}

public class ExposureAndRegressionTests
{
    [Fact]
    public void Styles_get_cap_weighted_mean_zero_and_unit_sd_and_missing_values_zero()
    {
        double[] raw = [1, 2, 3, 4, double.NaN];
        double[] caps = [1, 1, 1, 3, 10];
        var x = ExposureBuilder.Build([0, 0, 1, 1, 1], ["A", "B"], [new StyleFactor("Size", raw)], caps, new StyleStandardisation(ClipAt: 0));
        var z = Enumerable.Range(0, 5).Select(i => x[i, 2]).ToArray();
        Assert.Equal(0.0, z[4]);
        double capMean = (z[0] * 1 + z[1] * 1 + z[2] * 1 + z[3] * 3) / 6;
        Assert.Equal(0.0, capMean, 12);
        double mean = z[..4].Average();
        Assert.Equal(1.0, Math.Sqrt(z[..4].Sum(v => (v - mean) * (v - mean)) / 3), 12);
        Assert.Equal(1.0, x[0, 0]);
        Assert.Equal(0.0, x[0, 1]);
        Assert.Equal(["A", "B", "Size"], x.FactorNames);
    }

    [Fact]
    public void Outliers_are_clipped()
    {
        var raw = Enumerable.Range(0, 50).Select(i => (double)(i % 5)).Append(1_000).ToArray();
        var x = ExposureBuilder.Build(new int[raw.Length], ["All"], [new StyleFactor("S", raw)], Enumerable.Repeat(1.0, raw.Length).ToArray());
        Assert.True(x[50, 1] < 4.5, $"clipped outlier is {x[50, 1]}");
    }

    [Fact]
    public void Noise_free_returns_give_back_the_planted_factor_returns_with_or_without_a_country_factor()
    {
        var (industries, style) = Universe(300, 4, seed: 3);
        double[] caps = industries.Select((_, i) => 1.0 + i % 7).ToArray();
        var sqrtCap = caps.Select(c => Math.Sqrt(c)).ToArray();
        var x = ExposureBuilder.Build(industries, ["I0", "I1", "I2", "I3"], [new StyleFactor("S", style)], caps);
        double[] f = [0.01, -0.02, 0.005, 0.0, 0.003];
        var r = Enumerable.Range(0, 300).Select(i => Enumerable.Range(0, 5).Sum(j => x[i, j] * f[j])).ToArray();
        var fit = CrossSectionalRegression.Fit(x, r, sqrtCap);
        for (int j = 0; j < 5; j++) Assert.Equal(f[j], fit.FactorReturns[j], 12);
        Assert.Equal(1.0, fit.RSquared, 10);

        // With a country factor: same fitted values, industries net to zero cap-weighted, country = cap-weighted industry mean.
        var xc = ExposureBuilder.Build(industries, ["I0", "I1", "I2", "I3"], [new StyleFactor("S", style)], caps, includeCountry: true);
        var fc = CrossSectionalRegression.Fit(xc, r, sqrtCap, caps);
        var capOf = new double[4];
        for (int i = 0; i < 300; i++) capOf[industries[i]] += caps[i];
        double net = Enumerable.Range(0, 4).Sum(g => capOf[g] * fc.FactorReturns[1 + g]);
        Assert.Equal(0.0, net, 12);
        double country = Enumerable.Range(0, 4).Sum(g => capOf[g] * f[g]) / capOf.Sum();
        Assert.Equal(country, fc.FactorReturns[0], 12);
        Assert.Equal(f[4], fc.FactorReturns[5], 12);
        for (int i = 0; i < 300; i++) Assert.Equal(0.0, fc.Residuals[i], 12);
    }

    [Fact]
    public void Missing_returns_and_empty_industries_are_left_out()
    {
        var (industries, style) = Universe(100, 3, seed: 4);
        for (int i = 0; i < 100; i++) if (industries[i] == 2) industries[i] = 1; // industry 2 empty
        var x = ExposureBuilder.Build(industries, ["I0", "I1", "I2"], [new StyleFactor("S", style)], Enumerable.Repeat(1.0, 100).ToArray());
        var r = Enumerable.Range(0, 100).Select(i => i % 10 == 0 ? double.NaN : 0.01 * x[i, 0] + 0.002 * x[i, 3]).ToArray();
        var fit = CrossSectionalRegression.Fit(x, r, Enumerable.Repeat(1.0, 100).ToArray());
        Assert.Equal(90, fit.Observations);
        Assert.False(fit.Identified[2]);
        Assert.Equal(0.0, fit.FactorReturns[2]);
        Assert.Equal(0.01, fit.FactorReturns[0], 12);
        Assert.True(double.IsNaN(fit.Residuals[0]));
    }

    internal static (int[] Industries, double[] Style) Universe(int n, int industries, int seed)
    {
        var rng = new Random(seed);
        var ind = Enumerable.Range(0, n).Select(i => i % industries).ToArray();
        var style = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        return (ind, style);
    }
}

public class FactorRiskModelTests
{
    [Fact]
    public void Predicted_volatility_of_a_single_factor_toy_portfolio()
    {
        // Exposures 1 and 2, factor variance 0.0004, specific 0.0001 and 0.0004, weights ½, ½:
        // x = 1.5, variance = 1.5² × 0.0004 + ¼ × 0.0001 + ¼ × 0.0004 = 0.0009 + 0.000125 = 0.001025 per day.
        var x = new FactorExposures(["F"], [1, 2]);
        var model = new FactorRiskModel(x, new double[,] { { 0.0004 } }, [0.0001, 0.0004], periodsPerYear: 242);
        var d = model.Decompose([0.5, 0.5]);
        Assert.Equal(0.0009, d.FactorVariance, 15);
        Assert.Equal(0.000125, d.SpecificVariance, 15);
        Assert.Equal(Math.Sqrt(0.001025 * 242), model.PredictedVolatility([0.5, 0.5]), 14);
        // Against a benchmark all in asset 0: active weights −½, ½, active exposure 0.5:
        // 0.25 × 0.0004 + ¼ × 0.0001 + ¼ × 0.0004 = 0.000225.
        Assert.Equal(Math.Sqrt(0.000225 * 242), model.TrackingError([0.5, 0.5], [1, 0]), 14);
        var report = model.ExposureReport([0.5, 0.5], [1, 0]);
        Assert.Equal(new FactorExposureLine("F", 1.5, 1, 0.5), report.Single());
    }

    [Fact]
    public void The_estimator_recovers_planted_factor_and_specific_risk()
    {
        // 600 stocks, 4 industries + 2 styles, 1,500 days of r = X f + ε with known Cov(f) and specific vols.
        const int n = 600, days = 1500, g = 4;
        var rng = new Random(11);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var industries = Enumerable.Range(0, n).Select(i => i % g).ToArray();
        var caps = Enumerable.Range(0, n).Select(_ => Math.Exp(Normal())).ToArray();
        var size = caps.Select(c => Math.Log(c)).ToArray();
        var mom = Enumerable.Range(0, n).Select(_ => Normal()).ToArray();
        var x = ExposureBuilder.Build(industries, ["I0", "I1", "I2", "I3"], [new StyleFactor("Size", size), new StyleFactor("Momentum", mom)], caps);
        int k = x.FactorCount;
        double[] vol = [0.015, 0.012, 0.010, 0.013, 0.006, 0.004];
        var corr = new double[k, k];
        for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) corr[a, b] = a == b ? 1 : (a < g && b < g ? 0.6 : 0.1);
        var chol = Cholesky(corr, vol);
        var specVol = Enumerable.Range(0, n).Select(i => 0.01 + 0.02 * (i % 5) / 4.0).ToArray();
        var weights = caps.Select(c => Math.Sqrt(c)).ToArray();
        var history = new List<RiskModelDay>(days);
        var z = new double[k];
        for (int t = 0; t < days; t++)
        {
            for (int a = 0; a < k; a++) z[a] = Normal();
            var f = new double[k];
            for (int a = 0; a < k; a++) for (int b = 0; b <= a; b++) f[a] += chol[a, b] * z[b];
            var r = new double[n];
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int j = 0; j < k; j++) s += x[i, j] * f[j];
                r[i] = s + specVol[i] * Normal();
            }
            history.Add(new RiskModelDay(x, r, weights));
        }
        var est = RiskModelEstimator.Estimate(history, x, new RiskModelOptions { FactorHalfLife = 1e9, SpecificHalfLife = 1e9, SpecificVolatilityFloor = 0 });
        var model = est.Model;
        for (int a = 0; a < k; a++)
        {
            double planted = vol[a] * vol[a];
            Assert.InRange(model.FactorCovariance(a, a) / planted, 0.88, 1.12);
            for (int b = 0; b < a; b++)
            {
                double c = model.FactorCovariance(a, b) / Math.Sqrt(model.FactorCovariance(a, a) * model.FactorCovariance(b, b));
                Assert.InRange(c - corr[a, b], -0.08, 0.08);
            }
        }
        // Specific variance: residual variance is σ²(1 − leverage) ≈ σ²: within 10% on average per group.
        for (int grp = 0; grp < 5; grp++)
        {
            var ratios = Enumerable.Range(0, n).Where(i => i % 5 == grp).Select(i => model.SpecificVariance[i] / (specVol[i] * specVol[i]));
            Assert.InRange(ratios.Average(), 0.9, 1.1);
        }
        Assert.All(est.SpecificObservations, c => Assert.Equal(days, c));
    }

    [Fact]
    public void Specific_risk_has_a_floor_and_thin_histories_get_the_median()
    {
        // No exposure to the factor, so residuals are the returns: ±1% (variance 1e-4), ±0.1% (1e-6, below the floor
        // 0.2%² = 4e-6), and a stock with only 5 returns (below the minimum of 10: gets the median 5.05e-5).
        var x = new FactorExposures(["F"], [0, 0, 0]);
        var days = new List<RiskModelDay>();
        for (int t = 0; t < 30; t++)
        {
            double sign = t % 2 == 0 ? 1 : -1;
            days.Add(new RiskModelDay(x, [0.01 * sign, 0.001 * sign, t < 25 ? double.NaN : 0.02], [1, 1, 1]));
        }
        var est = RiskModelEstimator.Estimate(days, x, new RiskModelOptions { SpecificVolatilityFloor = 0.002, MinSpecificObservations = 10 });
        var m = est.Model;
        Assert.Equal(1e-4, m.SpecificVariance[0], 15);
        Assert.Equal(4e-6, m.SpecificVariance[1], 15);
        Assert.Equal((1e-4 + 1e-6) / 2, m.SpecificVariance[2], 15);
        Assert.Equal([30, 30, 5], est.SpecificObservations);
    }

    private static double[,] Cholesky(double[,] corr, double[] vol)
    {
        int k = vol.Length;
        var cov = new double[k, k];
        for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) cov[a, b] = corr[a, b] * vol[a] * vol[b];
        var l = new double[k, k];
        for (int j = 0; j < k; j++)
        {
            double s = cov[j, j];
            for (int t = 0; t < j; t++) s -= l[j, t] * l[j, t];
            l[j, j] = Math.Sqrt(s);
            for (int i = j + 1; i < k; i++)
            {
                double v = cov[i, j];
                for (int t = 0; t < j; t++) v -= l[i, t] * l[j, t];
                l[i, j] = v / l[j, j];
            }
        }
        return l;
    }
}
