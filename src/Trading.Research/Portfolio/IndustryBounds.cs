namespace Trading.Research.Portfolio;

/// <summary>
/// Lower and upper bounds on each industry's total weight, indexed by industry id (0 … G−1). A NaN or infinite
/// bound means "no bound" on that side. Build them around a benchmark's industry weights with
/// <see cref="AroundBenchmark"/> (± percentage points) or <see cref="MultipleOfBenchmark"/>.
/// </summary>
public sealed record IndustryBounds
{
    public IndustryBounds(double[] lower, double[] upper)
    {
        if (lower.Length != upper.Length) throw new ArgumentException($"{lower.Length} lower bounds but {upper.Length} upper bounds.");
        Lower = lower;
        Upper = upper;
    }

    public double[] Lower { get; }

    public double[] Upper { get; }

    public int Count => Lower.Length;

    /// <summary>The effective lower bound of industry <paramref name="id"/>: at least 0, 0 for ids out of range.</summary>
    public double LowerOf(int id) => id >= 0 && id < Count && double.IsFinite(Lower[id]) ? Math.Max(0, Lower[id]) : 0;

    /// <summary>The effective upper bound of industry <paramref name="id"/>; +∞ for no bound or ids out of range.</summary>
    public double UpperOf(int id) => id >= 0 && id < Count && double.IsFinite(Upper[id]) ? Upper[id] : double.PositiveInfinity;

    /// <summary>[max(0, b − band), b + band] for every industry: e.g. band 0.05 is benchmark ± 5 pp.</summary>
    public static IndustryBounds AroundBenchmark(ReadOnlySpan<double> benchmarkIndustryWeights, double band)
    {
        if (!(band >= 0)) throw new ArgumentOutOfRangeException(nameof(band), band, "The band must be non-negative.");
        var lo = new double[benchmarkIndustryWeights.Length];
        var hi = new double[lo.Length];
        for (int g = 0; g < lo.Length; g++)
        {
            lo[g] = Math.Max(0, benchmarkIndustryWeights[g] - band);
            hi[g] = benchmarkIndustryWeights[g] + band;
        }
        return new IndustryBounds(lo, hi);
    }

    /// <summary>[b × low, b × high] for every industry: e.g. (0.5, 2) keeps each industry within half to twice the benchmark.</summary>
    public static IndustryBounds MultipleOfBenchmark(ReadOnlySpan<double> benchmarkIndustryWeights, double low, double high)
    {
        if (!(low >= 0) || !(high >= low)) throw new ArgumentOutOfRangeException(nameof(low), $"Need 0 ≤ low ≤ high, got {low}, {high}.");
        var lo = new double[benchmarkIndustryWeights.Length];
        var hi = new double[lo.Length];
        for (int g = 0; g < lo.Length; g++)
        {
            lo[g] = benchmarkIndustryWeights[g] * low;
            hi[g] = benchmarkIndustryWeights[g] * high;
        }
        return new IndustryBounds(lo, hi);
    }

    /// <summary>The industry weights of a portfolio (or benchmark): Σ w_i over the names of each industry id.</summary>
    public static double[] IndustryWeights(ReadOnlySpan<double> weights, ReadOnlySpan<int> industryIds, int industryCount)
    {
        var s = new double[industryCount];
        for (int i = 0; i < weights.Length; i++)
        {
            int g = industryIds[i];
            if (g >= 0 && g < industryCount) s[g] += weights[i];
        }
        return s;
    }
}

/// <summary>
/// Moves weights into industry bounds (and keeps a max single weight) with the least reshaping: every industry that
/// is not at a bound is scaled by one common factor α, industries are clipped to their bounds,
/// s_g = clip(α·S_g, L_g, U'_g) with Σ s_g = 1 (U'_g = min(U_g, names in g × max weight), the most the industry can
/// hold); then inside each industry the names keep their relative weights, water-filled under the max weight.
/// The factor α is found by bisection (Σ s_g is non-decreasing in α), then the free industries absorb the last
/// round-off exactly. An industry whose names all weigh zero cannot be scaled up: it is held at its lower bound, spread
/// equally over its names. Every bound is verified on the result.
/// </summary>
public static class IndustryWeighting
{
    /// <param name="weights">Current weights of the selected names (summing to 1).</param>
    /// <param name="industryIds">Industry id of each name; ids below 0 or beyond the bounds are unconstrained.</param>
    public static WeightResult Constrain(ReadOnlySpan<double> weights, ReadOnlySpan<int> industryIds, IndustryBounds bounds, double maxWeight = 1.0)
    {
        int n = weights.Length;
        var ids = industryIds.ToArray(); // captured by the local function below
        if (industryIds.Length != n) throw new ArgumentException($"{industryIds.Length} industry ids for {n} names.", nameof(industryIds));
        if (n == 0) return WeightResult.Infeasible("No names to weight.");
        if (!(maxWeight > 0)) return WeightResult.Infeasible($"The max weight must be positive, got {maxWeight}.");

        // Groups: industries 0..G-1, plus one group G for names without a constrained industry.
        int g = bounds.Count, groups = g + 1;
        int Group(int i) => ids[i] >= 0 && ids[i] < g ? ids[i] : g;
        var current = new double[groups];
        var names = new int[groups];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(weights[i] >= 0) || !double.IsFinite(weights[i])) return WeightResult.Infeasible($"Weight of name {i} is {weights[i]}; weights must be finite and non-negative.");
            current[Group(i)] += weights[i];
            names[Group(i)]++;
            total += weights[i];
        }
        if (!(total > 0)) return WeightResult.Infeasible("Weights sum to zero.");
        for (int k = 0; k < groups; k++) current[k] /= total;

        var lo = new double[groups];
        var hi = new double[groups];
        var problems = new List<string>();
        for (int k = 0; k < groups; k++)
        {
            double capacity = Math.Min(1.0, names[k] * maxWeight);
            lo[k] = k < g ? bounds.LowerOf(k) : 0;
            hi[k] = Math.Min(k < g ? bounds.UpperOf(k) : double.PositiveInfinity, capacity);
            if (lo[k] > hi[k] + 1e-12)
                problems.Add(names[k] == 0
                    ? $"industry {k} needs at least {lo[k]:P2} but no selected name belongs to it"
                    : $"industry {k} needs {lo[k]:P2} but its {names[k]} names can hold at most {hi[k]:P2} (upper bound {bounds.UpperOf(k):P2}, max weight {maxWeight:P2} each)");
        }
        double sumLo = lo.Sum(), sumHi = 0;
        for (int k = 0; k < groups; k++) sumHi += current[k] > 0 ? hi[k] : lo[k];
        if (sumLo > 1 + 1e-12) problems.Add($"industry lower bounds add up to {sumLo:P2} > 100%");
        if (sumHi < 1 - 1e-12) problems.Add($"industries with weight can hold at most {sumHi:P2} < 100% under their upper bounds and the max weight");
        if (problems.Count > 0) return WeightResult.Infeasible("Industry bounds are infeasible: " + string.Join("; ", problems) + ".");

        double Sum(double alpha)
        {
            double s = 0;
            for (int k = 0; k < groups; k++) s += Math.Clamp(alpha * current[k], lo[k], hi[k]);
            return s;
        }
        double a = 0, b = 1;
        while (Sum(b) < 1 && b < 1e12) b *= 2;
        for (int it = 0; it < 200 && b - a > 1e-15 * b; it++)
        {
            double mid = 0.5 * (a + b);
            if (Sum(mid) < 1) a = mid; else b = mid;
        }
        var target = new double[groups];
        var free = new bool[groups];
        double fixedSum = 0, freeSum = 0;
        for (int k = 0; k < groups; k++)
        {
            target[k] = Math.Clamp(b * current[k], lo[k], hi[k]);
            free[k] = target[k] > lo[k] && target[k] < hi[k];
            if (free[k]) freeSum += target[k]; else fixedSum += target[k];
        }
        // Absorb the bisection's round-off in the free industries (exact sum 1).
        if (freeSum > 0)
            for (int k = 0; k < groups; k++) if (free[k]) target[k] *= (1 - fixedSum) / freeSum;

        var result = new double[n];
        for (int k = 0; k < groups; k++)
        {
            if (names[k] == 0 || target[k] <= 0) continue;
            var members = new List<int>(names[k]);
            for (int i = 0; i < n; i++) if (Group(i) == k) members.Add(i);
            var inner = new double[members.Count];
            for (int m = 0; m < inner.Length; m++) inner[m] = current[k] > 0 ? weights[members[m]] : 1;
            var capped = PortfolioWeights.CapMaxWeight(inner, Math.Min(1.0, maxWeight / target[k]));
            if (!capped.IsFeasible) return WeightResult.Infeasible($"Industry {k}: {capped.Problem}");
            for (int m = 0; m < inner.Length; m++) result[members[m]] = capped.Weights[m] * target[k];
        }

        var check = Verify(result, industryIds, bounds, maxWeight, 1e-9);
        return check is null ? WeightResult.Ok(result) : WeightResult.Infeasible("Internal check failed: " + check);
    }

    /// <summary>Null when <paramref name="weights"/> sum to 1, are non-negative, under the max weight and within every industry bound (to <paramref name="tolerance"/>); otherwise what is violated.</summary>
    public static string? Verify(ReadOnlySpan<double> weights, ReadOnlySpan<int> industryIds, IndustryBounds bounds, double maxWeight, double tolerance)
    {
        double sum = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] < -tolerance) return $"name {i} has negative weight {weights[i]}";
            if (weights[i] > maxWeight + tolerance) return $"name {i} weight {weights[i]} exceeds the max {maxWeight}";
            sum += weights[i];
        }
        if (Math.Abs(sum - 1) > tolerance) return $"weights sum to {sum}";
        var s = IndustryBounds.IndustryWeights(weights, industryIds, bounds.Count);
        for (int k = 0; k < bounds.Count; k++)
        {
            if (s[k] < bounds.LowerOf(k) - tolerance) return $"industry {k} weight {s[k]} is below its lower bound {bounds.LowerOf(k)}";
            if (s[k] > bounds.UpperOf(k) + tolerance) return $"industry {k} weight {s[k]} is above its upper bound {bounds.UpperOf(k)}";
        }
        return null;
    }
}
