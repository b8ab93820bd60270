namespace Trading.Research.Portfolio;

/// <summary>Weights of a weighting step, or why it could not produce them.</summary>
/// <param name="Weights">One weight per name, summing to 1 when <paramref name="IsFeasible"/>; empty otherwise.</param>
/// <param name="Problem">Why the request is infeasible; null when feasible.</param>
public sealed record WeightResult(double[] Weights, bool IsFeasible, string? Problem)
{
    public static WeightResult Ok(double[] weights) => new(weights, true, null);

    public static WeightResult Infeasible(string problem) => new([], false, problem);
}

/// <summary>How scores become positive weights for <see cref="PortfolioWeights.ScoreProportional"/>.</summary>
public enum ScoreTransform
{
    /// <summary>Weights ∝ the raw scores; every score must be positive.</summary>
    Raw,

    /// <summary>
    /// Weights ∝ z − min(z) + 1, where z are the scores standardised over the selected names: the worst selected name
    /// weighs 1 unit and each standard deviation of score above it adds one unit. Needs no sign convention for scores,
    /// and the tilt does not depend on the scores' scale.
    /// </summary>
    ShiftedZScore,
}

/// <summary>
/// Weighting schemes over the selected names (all return weights summing to 1) and the max-weight cap.
/// </summary>
public static class PortfolioWeights
{
    public static double[] Equal(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var w = new double[count];
        Array.Fill(w, 1.0 / count);
        return w;
    }

    /// <summary>Score-proportional weights (see <see cref="ScoreTransform"/>); infeasible when a score is not finite or, for Raw, not positive.</summary>
    public static WeightResult ScoreProportional(ReadOnlySpan<double> scores, ScoreTransform transform = ScoreTransform.ShiftedZScore)
    {
        int n = scores.Length;
        if (n == 0) return WeightResult.Infeasible("No names to weight.");
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(scores[i])) return WeightResult.Infeasible($"Score of name {i} is not finite.");
        var raw = new double[n];
        if (transform == ScoreTransform.Raw)
        {
            for (int i = 0; i < n; i++)
            {
                if (!(scores[i] > 0)) return WeightResult.Infeasible($"Raw score-proportional weights need positive scores; name {i} has {scores[i]}.");
                raw[i] = scores[i];
            }
        }
        else
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += scores[i];
            mean /= n;
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (scores[i] - mean) * (scores[i] - mean);
            double sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
            if (!(sd > 0)) return WeightResult.Ok(Equal(n)); // all scores equal: no tilt
            double minZ = double.PositiveInfinity;
            for (int i = 0; i < n; i++) { raw[i] = (scores[i] - mean) / sd; minZ = Math.Min(minZ, raw[i]); }
            for (int i = 0; i < n; i++) raw[i] = raw[i] - minZ + 1;
        }
        return WeightResult.Ok(Normalise(raw));
    }

    /// <summary>Weights ∝ cap^power (power 1: cap-weighted; 0.5: √cap-weighted). Caps must be positive.</summary>
    public static WeightResult CapWeighted(ReadOnlySpan<double> marketCaps, double power = 1.0)
    {
        int n = marketCaps.Length;
        if (n == 0) return WeightResult.Infeasible("No names to weight.");
        var raw = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!(marketCaps[i] > 0) || !double.IsFinite(marketCaps[i]))
                return WeightResult.Infeasible($"Cap weights need positive market caps; name {i} has {marketCaps[i]}.");
            raw[i] = Math.Pow(marketCaps[i], power);
        }
        return WeightResult.Ok(Normalise(raw));
    }

    /// <summary>
    /// Caps every weight at <paramref name="maxWeight"/> by water-filling: names above the cap are set to it and the
    /// excess is spread over the uncapped names in proportion to their weights, repeated until no name exceeds the cap
    /// (at most n rounds; each round caps at least one more name). The result sums to 1 and keeps the uncapped names'
    /// relative weights. If every uncapped name has zero weight, the remainder is spread equally over them. Infeasible
    /// when n × maxWeight &lt; 1: no long-only fully invested portfolio of n names obeys the cap.
    /// </summary>
    public static WeightResult CapMaxWeight(ReadOnlySpan<double> weights, double maxWeight)
    {
        int n = weights.Length;
        if (n == 0) return WeightResult.Infeasible("No names to weight.");
        if (!(maxWeight > 0)) return WeightResult.Infeasible($"The max weight must be positive, got {maxWeight}.");
        if (n * maxWeight < 1 - 1e-12)
            return WeightResult.Infeasible($"{n} names × max weight {maxWeight:0.####} = {n * maxWeight:0.####} < 1: the cap cannot be met fully invested.");
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(weights[i] >= 0) || !double.IsFinite(weights[i])) return WeightResult.Infeasible($"Weight of name {i} is {weights[i]}; weights must be finite and non-negative.");
            total += weights[i];
        }
        if (!(total > 0)) return WeightResult.Infeasible("Weights sum to zero.");
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = weights[i] / total;
        var capped = new bool[n];
        int cappedCount = 0;
        for (int round = 0; round <= n; round++)
        {
            bool changed = false;
            for (int i = 0; i < n; i++)
                if (!capped[i] && w[i] > maxWeight) { capped[i] = true; cappedCount++; changed = true; }
            if (!changed && round > 0) break;
            double remainder = 1 - cappedCount * maxWeight, free = 0;
            for (int i = 0; i < n; i++) if (!capped[i]) free += weights[i];
            for (int i = 0; i < n; i++)
            {
                if (capped[i]) w[i] = maxWeight;
                else if (free > 0) w[i] = remainder * weights[i] / free;
                else w[i] = remainder / (n - cappedCount);
            }
            if (!changed) break;
        }
        for (int i = 0; i < n; i++) w[i] = Math.Min(w[i], maxWeight); // round-off only
        return WeightResult.Ok(w);
    }

    internal static double[] Normalise(double[] raw)
    {
        double s = 0;
        foreach (var x in raw) s += x;
        for (int i = 0; i < raw.Length; i++) raw[i] /= s;
        return raw;
    }
}
