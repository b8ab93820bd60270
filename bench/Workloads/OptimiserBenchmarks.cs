using System.Diagnostics;
using Trading.Research.Risk;

namespace Trading.Research.Portfolio;

/// <summary>
/// The optimiser's reference workload: 5,000 names, 31 industries + 4 styles, annual units (factor vols ≈ 10–20%,
/// specific vols 20–50%, alphas 3% × N(0,1)), λ = 5, caps 2%, industries within ±5 pp of an equal-weighted
/// benchmark, 200 current holdings of 0.5% and a 40% turnover limit. Random but deterministic for a seed.
/// </summary>
internal static class OptimiserBenchmarks
{
    public const int Names = 5000, Industries = 31, Styles = 4;

    /// <summary>Builds the problem (not timed), then times <see cref="PortfolioOptimiser.Solve"/> alone.</summary>
    public static (TimeSpan Elapsed, ConstraintReport Report) RunFiveThousand(int seed)
    {
        var problem = BuildProblem(seed, Names);
        var clock = Stopwatch.StartNew();
        var result = PortfolioOptimiser.Solve(problem);
        clock.Stop();
        if (result.Constraints is null) throw new InvalidOperationException($"The benchmark problem was not solved: {result.Message}");
        return (clock.Elapsed, result.Constraints);
    }

    public static OptimiserProblem BuildProblem(int seed, int names, double riskAversion = 5, double? maxTurnover = 0.4)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        int k = Industries + Styles;
        var industry = new int[names];
        var x = new double[names * k];
        for (int i = 0; i < names; i++)
        {
            industry[i] = rng.Next(Industries);
            x[i * k + industry[i]] = 1;
            for (int s = 0; s < Styles; s++) x[i * k + Industries + s] = Normal();
        }
        var a = new double[k, k];
        for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) a[p, q] = Normal();
        var sigma = new double[k, k];
        for (int p = 0; p < k; p++)
            for (int q = 0; q < k; q++)
            {
                double s = 0;
                for (int c = 0; c < k; c++) s += a[p, c] * a[q, c];
                sigma[p, q] = s / k * 0.01 + (p == q ? 0.01 : 0);
            }
        var spec = new double[names];
        for (int i = 0; i < names; i++) spec[i] = Math.Pow(0.2 + 0.3 * rng.NextDouble(), 2);
        var scores = new double[names];
        for (int i = 0; i < names; i++) scores[i] = 0.03 * Normal();
        var w0 = new double[names];
        for (int h = 0; h < Math.Min(200, names); h++) w0[rng.Next(names)] = 0.005;
        var benchmark = new double[Industries];
        foreach (var g in industry) benchmark[g] += 1.0 / names;
        var factorNames = Enumerable.Range(0, Industries).Select(g => $"Industry{g:D2}")
            .Concat(["Size", "Momentum", "Volatility", "Value"]).ToArray();
        var model = new FactorRiskModel(new FactorExposures(factorNames, x, Industries), sigma, spec, periodsPerYear: 1);
        return new OptimiserProblem
        {
            Scores = scores,
            Risk = model,
            RiskAversion = riskAversion,
            MaxWeight = 0.02,
            IndustryIds = industry,
            IndustryBounds = IndustryBounds.AroundBenchmark(benchmark, 0.05),
            CurrentWeights = w0,
            MaxTurnover = maxTurnover,
        };
    }
}
