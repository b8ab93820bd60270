using System.Buffers;
using Trading.Research.Analysis;
using Trading.Research.Factors;

namespace Trading.Research.Transforms;

/// <summary>
/// Combines factors into one score per stock and day: a weighted sum of their cross-sectional z-scores, with weights
/// fixed or learnt from each factor's trailing information coefficient.
/// </summary>
public static class FactorCombination
{
    /// <summary>Σ wₖ·zₖ with the same weights every day (see <see cref="Combine(IReadOnlyList{FactorPanel}, FactorWeights, string)"/>).</summary>
    public static FactorPanel Combine(IReadOnlyList<FactorPanel> factors, IReadOnlyList<double> weights, string name = "combined")
    {
        if (weights.Count != factors.Count) throw new ArgumentException($"{weights.Count} weights for {factors.Count} factors.", nameof(weights));
        var daily = new FactorWeights(factors.Select(f => f.Name).ToArray(), Shape(factors).Days);
        for (int d = 0; d < daily.Days; d++)
            for (int k = 0; k < weights.Count; k++) daily[d, k] = weights[k];
        return Combine(factors, daily, name);
    }

    /// <summary>
    /// Per day t: each factor's row is z-scored (<see cref="CrossSection.ZScore"/>, so inputs need not be
    /// standardized first), then <c>score = Σₖ wₖ(t)·zₖ</c>. A stock missing a factor counts that z as 0 (the
    /// cross-sectional average); a factor with no weight that day (NaN) is left out. NaN where no weighted factor
    /// has a value for the stock.
    /// </summary>
    public static FactorPanel Combine(IReadOnlyList<FactorPanel> factors, FactorWeights weights, string name = "combined")
    {
        var (days, n) = Shape(factors);
        if (weights.Days != days || weights.Factors.Count != factors.Count)
            throw new ArgumentException($"Weights are {weights.Days} × {weights.Factors.Count}, factors {days} days × {factors.Count}.", nameof(weights));
        var result = new FactorPanel(name, days, n);
        Parallel.For(0, days, FactorEngine.Parallelism, d =>
        {
            var z = ArrayPool<double>.Shared.Rent(n);
            try
            {
                var row = result.Row(d);
                var w = weights.Row(d);
                for (int k = 0; k < factors.Count; k++)
                {
                    if (double.IsNaN(w[k])) continue;
                    var zk = z.AsSpan(0, n);
                    factors[k].Row(d).CopyTo(zk);
                    CrossSection.ZScore(zk);
                    for (int s = 0; s < n; s++)
                    {
                        if (!double.IsFinite(zk[s])) continue;
                        row[s] = (double.IsNaN(row[s]) ? 0.0 : row[s]) + w[k] * zk[s];
                    }
                }
            }
            finally { ArrayPool<double>.Shared.Return(z); }
        });
        return result;
    }

    /// <summary>
    /// Weights from trailing rank ICs, without look-ahead. IC(k, u) is the Spearman correlation on day u between
    /// factor k and <paramref name="forwardReturns"/> row u, the return from u to u + h (h = <paramref name="horizon"/>),
    /// which is only known at the close of u + h. So the weight of factor k on day t is the mean of IC(k, u) over the
    /// <paramref name="window"/> days u = t − h − W + 1 .. t − h — every return used ends on or before t — counting
    /// finite ICs only, and NaN with fewer than ⌈W/2⌉ of them. Nothing at or after row t − h + 1 of the forward
    /// returns is read for day t.
    /// </summary>
    /// <param name="forwardReturns">Row u = return from day u to u + horizon (e.g. <c>ForwardReturns.Compute(panel, horizon)</c>).</param>
    /// <param name="minPairs">Stocks with both values a day needs for its IC to count.</param>
    public static FactorWeights TrailingIcWeights(IReadOnlyList<FactorPanel> factors, FactorPanel forwardReturns, int horizon, int window, int minPairs = 20)
    {
        var (days, n) = Shape(factors);
        if (forwardReturns.Days != days || forwardReturns.Symbols != n)
            throw new ArgumentException($"Forward returns are {forwardReturns.Days} × {forwardReturns.Symbols}, factors {days} × {n}.", nameof(forwardReturns));
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon is at least one day.");
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The window is at least one day.");
        var ic = factors.Select(f => RankIcSeries(f, forwardReturns, minPairs)).ToArray();
        var weights = new FactorWeights(factors.Select(f => f.Name).ToArray(), days);
        int minDays = (window + 1) / 2;
        for (int t = 0; t < days; t++)
        {
            int last = t - horizon, first = last - window + 1; // IC days whose returns end at t − j ≤ t
            for (int k = 0; k < factors.Count; k++)
            {
                double sum = 0;
                int count = 0;
                for (int u = Math.Max(0, first); u <= last; u++)
                    if (double.IsFinite(ic[k][u])) { sum += ic[k][u]; count++; }
                weights[t, k] = count >= minDays ? sum / count : double.NaN;
            }
        }
        return weights;
    }

    /// <summary>Per day, the Spearman correlation of a factor with the forward returns of the same row (NaN below <paramref name="minPairs"/>).</summary>
    public static double[] RankIcSeries(FactorPanel factor, FactorPanel forwardReturns, int minPairs = 20)
    {
        var ic = new double[factor.Days];
        Parallel.For(0, factor.Days, FactorEngine.Parallelism,
            d => ic[d] = CrossSectionStats.Spearman(factor.Row(d), forwardReturns.Row(d), default, minPairs));
        return ic;
    }

    private static (int Days, int Symbols) Shape(IReadOnlyList<FactorPanel> factors)
    {
        if (factors.Count == 0) throw new ArgumentException("No factors to combine.", nameof(factors));
        int days = factors[0].Days, n = factors[0].Symbols;
        foreach (var f in factors)
            if (f.Days != days || f.Symbols != n)
                throw new ArgumentException($"Factor '{f.Name}' is {f.Days} × {f.Symbols}, '{factors[0].Name}' {days} × {n}.", nameof(factors));
        return (days, n);
    }
}
