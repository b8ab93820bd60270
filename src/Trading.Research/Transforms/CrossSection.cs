using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Trading.Research.Transforms;

/// <summary>
/// Transforms of one cross-section (one day, one value per symbol), in place. NaN (and ±∞) means "no value": it is
/// skipped by every statistic and left NaN, except where a transform says it fills. Scratch space comes from
/// <see cref="ArrayPool{T}.Shared"/>, whose per-thread cache hands each worker thread back its own buffers, so a
/// transform applied day by day allocates nothing after the first days. The loops are compiled fully optimized on
/// first use (<see cref="MethodImplOptions.AggressiveOptimization"/>): with tiered compilation a one-off pass over a
/// large panel spends its first days in unoptimized code (measured: a cold benchmark run about 30 % slower).
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WinsorizeMad(Span<double> values, double k = 3.0)
    {
        if (!(k > 0)) throw new ArgumentOutOfRangeException(nameof(k), k, "k is positive.");
        var buffer = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            int n = Selection.GatherFinite(values, buffer);
            if (n == 0) return;
            double median = Selection.Median(buffer.AsSpan(0, n));
            var finite = buffer.AsSpan(0, n); // reordered by the selection, still the same values
            for (int i = 0; i < finite.Length; i++) finite[i] = Math.Abs(finite[i] - median);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            double hi = Selection.Quantile(buffer.AsSpan(0, n), upper);
            Clip(values, lo, hi);
        }
        finally { ArrayPool<double>.Shared.Return(buffer); }
    }

    /// <summary>
    /// Standardizes to z-scores, <c>(x − mean) / sd</c> with the sample standard deviation (n − 1) of the finite
    /// values. With fewer than two values or no dispersion every finite value becomes 0 (all are average).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ZScore(Span<double> values)
    {
        // Vectorized with masks rather than a branch per value: missing values sit at random symbols.
        var vectors = MemoryMarshal.Cast<double, Vector256<double>>(values);
        int tail = vectors.Length * Vector256<double>.Count;
        var sums = Vector256<double>.Zero;
        var counts = Vector256<long>.Zero;
        foreach (var v in vectors)
        {
            var finite = Finite(v);
            sums += v & finite;
            counts -= finite.AsInt64();
        }
        double sum = Vector256.Sum(sums);
        long n = Vector256.Sum(counts);
        foreach (var x in values[tail..])
            if (double.IsFinite(x)) { sum += x; n++; }
        if (n == 0) return;
        double mean = sum / n;
        var squares = Vector256<double>.Zero;
        foreach (var v in vectors)
        {
            var d = (v - Vector256.Create(mean)) & Finite(v);
            squares += d * d;
        }
        double ss = Vector256.Sum(squares);
        foreach (var x in values[tail..])
            if (double.IsFinite(x)) ss += (x - mean) * (x - mean);
        double sd = n > 1 ? Math.Sqrt(ss / (n - 1)) : 0;
        double scale = sd > 0 ? 1.0 / sd : 0; // no dispersion: (x − mean) · 0 = 0
        for (int i = 0; i < vectors.Length; i++)
        {
            var v = vectors[i];
            vectors[i] = Vector256.ConditionalSelect(Finite(v), (v - Vector256.Create(mean)) * Vector256.Create(scale), v);
        }
        for (int i = tail; i < values.Length; i++)
            if (double.IsFinite(values[i])) values[i] = (values[i] - mean) * scale;
    }

    /// <summary>All-ones lanes where the value is finite (exponent bits not all ones), zero lanes for NaN and ±∞.</summary>
    private static Vector256<double> Finite(Vector256<double> v)
    {
        var exponent = Vector256.Create(0x7FF0_0000_0000_0000UL);
        return ~Vector256.Equals(v.AsUInt64() & exponent, exponent).AsDouble();
    }

    /// <summary>
    /// Replaces the finite values by their ranks among themselves: ties share the average of the ranks they span
    /// (1, 2.5, 2.5, 4); with <see cref="RankScale.Raw"/> ranks run 1..n, with <see cref="RankScale.Unit"/> they are
    /// mapped to <c>(rank − 1) / (n − 1)</c> in [0, 1] (a single value gets 0.5). O(n log n): ranking is a sort.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
