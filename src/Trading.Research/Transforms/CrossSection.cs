using System.Buffers;

namespace Trading.Research.Transforms;

/// <summary>
/// Transforms of one cross-section (one day, one value per symbol), in place. NaN (and ±∞) means "no value": it is
/// skipped by every statistic and left NaN, except where a transform says it fills. Scratch space comes from
/// <see cref="ArrayPool{T}.Shared"/>, whose per-thread cache hands each worker thread back its own buffers, so a
/// transform applied day by day allocates nothing after the first days.
/// </summary>
public static partial class CrossSection
{
    /// <summary>The MAD of a normal sample times this is its standard deviation (1 / Φ⁻¹(3/4)).</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>
    /// Winsorizes by median absolute deviation: values beyond <c>median ± k · 1.4826 · MAD</c> are set to that bound,
    /// where MAD = median |x − median| over the finite values. When the MAD is zero (more than half the values equal)
    /// there is no scale to clip by and nothing changes.
    /// </summary>
    public static void WinsorizeMad(Span<double> values, double k = 3.0)
    {
        if (!(k > 0)) throw new ArgumentOutOfRangeException(nameof(k), k, "k is positive.");
        var buffer = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            int n = Selection.GatherFinite(values, buffer);
            if (n == 0) return;
            double median = Selection.Median(buffer.AsSpan(0, n));
            int j = 0;
            foreach (var x in values)
                if (double.IsFinite(x)) buffer[j++] = Math.Abs(x - median);
            double mad = Selection.Median(buffer.AsSpan(0, n));
            if (!(mad > 0)) return;
            double width = k * MadToSigma * mad;
            Clip(values, median - width, median + width);
        }
        finally { ArrayPool<double>.Shared.Return(buffer); }
    }

    /// <summary>
    /// Winsorizes by quantiles: values below the <paramref name="lower"/>-quantile or above the
    /// <paramref name="upper"/>-quantile of the finite values are set to it (quantiles interpolated linearly between
    /// order statistics, type 7: with h = (n − 1)·p, x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎), as NumPy's default).
    /// </summary>
    public static void WinsorizeQuantile(Span<double> values, double lower = 0.01, double upper = 0.99)
    {
        if (!(lower >= 0 && upper <= 1 && lower <= upper))
            throw new ArgumentOutOfRangeException(nameof(lower), $"Need 0 ≤ lower ≤ upper ≤ 1, got {lower} and {upper}.");
        var buffer = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            int n = Selection.GatherFinite(values, buffer);
            if (n == 0) return;
            double lo = Selection.Quantile(buffer.AsSpan(0, n), lower);
            Selection.GatherFinite(values, buffer); // selection overwrote the first copy
            double hi = Selection.Quantile(buffer.AsSpan(0, n), upper);
            Clip(values, lo, hi);
        }
        finally { ArrayPool<double>.Shared.Return(buffer); }
    }

    /// <summary>
    /// Standardizes to z-scores, <c>(x − mean) / sd</c> with the sample standard deviation (n − 1) of the finite
    /// values. With fewer than two values or no dispersion every finite value becomes 0 (all are average).
    /// </summary>
    public static void ZScore(Span<double> values)
    {
        double sum = 0;
        int n = 0;
        foreach (var x in values)
            if (double.IsFinite(x)) { sum += x; n++; }
        if (n == 0) return;
        double mean = sum / n, ss = 0;
        foreach (var x in values)
            if (double.IsFinite(x)) ss += (x - mean) * (x - mean);
        double sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
        double scale = sd > 0 ? 1.0 / sd : 0;
        for (int i = 0; i < values.Length; i++)
            if (double.IsFinite(values[i])) values[i] = sd > 0 ? (values[i] - mean) * scale : 0;
    }

    /// <summary>
    /// Replaces the finite values by their ranks among themselves: ties share the average of the ranks they span
    /// (1, 2.5, 2.5, 4); with <see cref="RankScale.Raw"/> ranks run 1..n, with <see cref="RankScale.Unit"/> they are
    /// mapped to <c>(rank − 1) / (n − 1)</c> in [0, 1] (a single value gets 0.5). O(n log n): ranking is a sort.
    /// </summary>
    public static void Rank(Span<double> values, RankScale scale = RankScale.Unit)
    {
        var keys = ArrayPool<double>.Shared.Rent(values.Length);
        var order = ArrayPool<int>.Shared.Rent(values.Length);
        try
        {
            int n = 0;
            for (int i = 0; i < values.Length; i++)
                if (double.IsFinite(values[i])) { keys[n] = values[i]; order[n] = i; n++; }
            var k = keys.AsSpan(0, n);
            var o = order.AsSpan(0, n);
            k.Sort(o);
            for (int start = 0; start < n;)
            {
                int end = start;
                while (end + 1 < n && k[end + 1] == k[start]) end++;
                double rank = (start + end) / 2.0 + 1.0;
                double value = scale == RankScale.Raw ? rank : n == 1 ? 0.5 : (rank - 1.0) / (n - 1);
                for (int j = start; j <= end; j++) values[o[j]] = value;
                start = end + 1;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(keys);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private static void Clip(Span<double> values, double lo, double hi)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double x = values[i];
            if (x < lo) values[i] = lo;
            else if (x > hi) values[i] = hi;
        }
    }
}

/// <summary>How <see cref="CrossSection.Rank"/> reports ranks.</summary>
public enum RankScale : byte
{
    /// <summary>(rank − 1) / (n − 1), in [0, 1]; comparable across days with different counts.</summary>
    Unit,
    /// <summary>1-based ranks 1..n (ties averaged).</summary>
    Raw,
}
