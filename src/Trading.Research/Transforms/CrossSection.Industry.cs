using System.Buffers;
using System.Runtime.CompilerServices;

namespace Trading.Research.Transforms;

public static partial class CrossSection
{
    /// <summary>
    /// Fills missing values with the median of the finite values of the same industry (ids ≥ 0; −1 = unknown, never
    /// filled). With <paramref name="universe"/> given, only stocks in it are used for the medians and only they are
    /// filled (e.g. so that a suspended stock is not given a value). An industry without any value stays NaN.
    /// O(n): values are bucketed by industry and each bucket's median found by selection.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillIndustryMedian(Span<double> values, ReadOnlySpan<int> industry, ReadOnlySpan<bool> universe = default)
    {
        RequireSameLength(values.Length, industry.Length, nameof(industry));
        if (!universe.IsEmpty) RequireSameLength(values.Length, universe.Length, nameof(universe));
        int groups = GroupCount(industry);
        if (groups == 0) return;
        var start = ArrayPool<int>.Shared.Rent(groups + 1);
        var bucketed = ArrayPool<double>.Shared.Rent(values.Length);
        var median = ArrayPool<double>.Shared.Rent(groups);
        try
        {
            // Counting sort of the finite values by industry: start[g] .. start[g + 1] is industry g's bucket.
            start.AsSpan(0, groups + 1).Clear();
            for (int i = 0; i < values.Length; i++)
                if (industry[i] >= 0 && double.IsFinite(values[i]) && (universe.IsEmpty || universe[i])) start[industry[i] + 1]++;
            for (int g = 0; g < groups; g++) start[g + 1] += start[g];
            var next = ArrayPool<int>.Shared.Rent(groups);
            try
            {
                start.AsSpan(0, groups).CopyTo(next);
                for (int i = 0; i < values.Length; i++)
                    if (industry[i] >= 0 && double.IsFinite(values[i]) && (universe.IsEmpty || universe[i])) bucketed[next[industry[i]]++] = values[i];
            }
            finally { ArrayPool<int>.Shared.Return(next); }
            for (int g = 0; g < groups; g++) median[g] = Selection.Median(bucketed.AsSpan(start[g], start[g + 1] - start[g]));
            for (int i = 0; i < values.Length; i++)
                if (industry[i] >= 0 && !double.IsFinite(values[i]) && (universe.IsEmpty || universe[i])) values[i] = median[industry[i]];
        }
        finally
        {
            ArrayPool<int>.Shared.Return(start);
            ArrayPool<double>.Shared.Return(bucketed);
            ArrayPool<double>.Shared.Return(median);
        }
    }

    /// <summary>
    /// Neutralizes against industry and size: replaces each value by its residual from the cross-sectional OLS
    /// <c>value = Σ_g a_g·[industry = g] + b·logSize + e</c> (one dummy per industry, which together span the
    /// intercept), over the stocks with a finite value, a known industry and (if sizes are given) a finite size;
    /// all other stocks become NaN. Solved exactly in O(n) by Frisch–Waugh–Lovell: demean value and size within each
    /// industry, then <c>b = Σ ṽ·s̃ / Σ s̃²</c> and <c>e = ṽ − b·s̃</c>. So each industry's residuals sum to zero and
    /// are uncorrelated with size. When size does not vary within industries b = 0; without sizes (empty span) this
    /// is industry demeaning. Returns b (NaN when no stock qualifies).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Neutralize(Span<double> values, ReadOnlySpan<int> industry, ReadOnlySpan<double> logSize = default)
    {
        RequireSameLength(values.Length, industry.Length, nameof(industry));
        bool withSize = !logSize.IsEmpty;
        if (withSize) RequireSameLength(values.Length, logSize.Length, nameof(logSize));
        int groups = GroupCount(industry);
        if (groups == 0) { values.Fill(double.NaN); return double.NaN; }
        var sums = ArrayPool<double>.Shared.Rent(3 * groups);
        try
        {
            var meanValue = sums.AsSpan(0, groups);
            var meanSize = sums.AsSpan(groups, groups);
            var count = sums.AsSpan(2 * groups, groups);
            sums.AsSpan(0, 3 * groups).Clear();
            // Who takes part (the rest become NaN) and the industry sums. (Branch-free variants of these loops were
            // measured slower.)
            int used = 0;
            for (int i = 0; i < values.Length; i++)
            {
                int g = industry[i];
                double v = values[i], size = withSize ? logSize[i] : 0.0;
                if (g < 0 || !double.IsFinite(v) || !double.IsFinite(size)) { values[i] = double.NaN; continue; }
                meanValue[g] += v;
                meanSize[g] += size;
                count[g]++;
                used++;
            }
            if (used == 0) return double.NaN;
            for (int g = 0; g < groups; g++)
            {
                if (count[g] == 0) continue;
                meanValue[g] /= count[g];
                meanSize[g] /= count[g];
            }
            // Demean within industries, and the sums of the size regression on the demeaned data.
            double cross = 0, within = 0, total = 0;
            for (int i = 0; i < values.Length; i++)
            {
                double v = values[i];
                if (double.IsNaN(v)) continue;
                int g = industry[i];
                v -= meanValue[g];
                values[i] = v;
                if (!withSize) continue;
                double size = logSize[i], s = size - meanSize[g];
                cross += v * s;
                within += s * s;
                total += size * size;
            }
            // Size constant within every industry leaves only rounding noise in Σ s̃²: no size direction to remove.
            double b = withSize && within > 1e-20 * total ? cross / within : 0.0;
            if (b != 0)
                for (int i = 0; i < values.Length; i++)
                    if (!double.IsNaN(values[i])) values[i] -= b * (logSize[i] - meanSize[industry[i]]);
            return b;
        }
        finally { ArrayPool<double>.Shared.Return(sums); }
    }

    /// <summary>1 + the largest industry id (0 when all are unknown).</summary>
    private static int GroupCount(ReadOnlySpan<int> industry)
    {
        int max = -1;
        foreach (var g in industry) if (g > max) max = g;
        return max + 1;
    }

    private static void RequireSameLength(int values, int other, string name)
    {
        if (values != other) throw new ArgumentException($"{name} has {other} entries for {values} values.", name);
    }
}
