using System.Buffers;
using System.Numerics;

namespace Trading.Research.Transforms;

/// <summary>
/// Order statistics in O(n) without sorting. Large inputs use sampling in the manner of Floyd and Rivest: the k-th
/// value is bracketed between two values of an evenly spaced sample, one branch-free pass keeps what lies between
/// them (about a quarter of the input) and the search continues there; when the bracket misses, or for small inputs,
/// an introselect (Hoare partition around a median of three; a slice that keeps failing to shrink is sorted, bounding
/// the worst case at O(n log n)) finishes the job. Inputs hold no NaN; they are reordered and may be overwritten.
/// </summary>
internal static class Selection
{
    private const int SampleSize = 128, Gap = 16, SmallInput = 512;

    /// <summary>The median (mean of the two middle values when the count is even); NaN when empty. Overwrites <paramref name="v"/>.</summary>
    public static double Median(Span<double> v)
    {
        int n = v.Length;
        if (n == 0) return double.NaN;
        var (lower, upper) = Pair(v, (n - 1) / 2);
        return (n & 1) == 1 ? lower : lower + (upper - lower) * 0.5;
    }

    /// <summary>
    /// The p-quantile by linear interpolation between order statistics (Hyndman–Fan type 7, the default of R, NumPy
    /// and Excel's PERCENTILE.INC): with h = (n − 1)·p, <c>x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])</c>. Overwrites <paramref name="v"/>.
    /// </summary>
    public static double Quantile(Span<double> v, double p)
    {
        int n = v.Length;
        if (n == 0) return double.NaN;
        double h = (n - 1) * p;
        int lo = Math.Min((int)Math.Floor(h), n - 1);
        var (a, b) = Pair(v, lo);
        double frac = h - lo;
        return frac == 0 || lo + 1 >= n ? a : a + frac * (b - a);
    }

    /// <summary>The k-th and (k+1)-th smallest values (0-based; the second is NaN when k is the last). Overwrites <paramref name="v"/>.</summary>
    public static (double Kth, double Next) Pair(Span<double> v, int k)
    {
        if ((uint)k >= (uint)v.Length) throw new ArgumentOutOfRangeException(nameof(k));
        if (v.Length < SmallInput) return PairBySelect(v, k);
        var rented = ArrayPool<double>.Shared.Rent(v.Length);
        try
        {
            Span<double> from = v, to = rented;
            while (from.Length >= SmallInput)
            {
                int kept = Bracket(from, k, to, out int below);
                // The bracket holds ranks below .. below + kept − 1: both wanted ranks must be inside, and it must have
                // shrunk the search (it does not when most values are tied).
                if (kept == 0 || kept > from.Length / 2 || k < below || Math.Min(k + 1, from.Length - 1) >= below + kept) break;
                k -= below;
                var next = to[..kept];
                to = from;
                from = next;
            }
            return PairBySelect(from, k);
        }
        finally { ArrayPool<double>.Shared.Return(rented); }
    }

    /// <summary>
    /// Copies the values between two sample values that bracket rank k into <paramref name="into"/> (in one
    /// branch-free pass); returns how many, with <paramref name="below"/> = how many values are under the bracket.
    /// </summary>
    private static int Bracket(ReadOnlySpan<double> v, int k, Span<double> into, out int below)
    {
        int n = v.Length;
        Span<double> sample = stackalloc double[SampleSize];
        for (int i = 0; i < SampleSize; i++) sample[i] = v[(int)((long)i * n / SampleSize + n / (2 * SampleSize))];
        int at = (int)((long)k * SampleSize / n);
        double lo = Nth(sample, Math.Max(0, at - Gap));
        double hi = Nth(sample, Math.Min(SampleSize - 1, at + Gap));
        int kept = 0, under = 0;
        foreach (var x in v)
        {
            into[kept] = x;
            kept += (x >= lo) & (x <= hi) ? 1 : 0;
            under += x < lo ? 1 : 0;
        }
        below = under;
        return kept;
    }

    private static (double, double) PairBySelect(Span<double> v, int k)
    {
        double kth = Nth(v, k);
        return (kth, k + 1 < v.Length ? Min(v[(k + 1)..]) : double.NaN);
    }

    /// <summary>
    /// Reorders <paramref name="v"/> so that <c>v[k]</c> is its k-th smallest value (0-based), no value before it is
    /// larger and none after it smaller; returns <c>v[k]</c>.
    /// </summary>
    public static double Nth(Span<double> v, int k)
    {
        if ((uint)k >= (uint)v.Length) throw new ArgumentOutOfRangeException(nameof(k));
        int lo = 0, hi = v.Length - 1;
        int budget = 2 * (BitOperations.Log2((uint)v.Length) + 1);
        while (hi > lo)
        {
            if (hi - lo < 16 || budget-- == 0)
            {
                v.Slice(lo, hi - lo + 1).Sort();
                return v[k];
            }
            int mid = lo + (hi - lo) / 2;
            if (v[mid] < v[lo]) Swap(v, mid, lo);
            if (v[hi] < v[lo]) Swap(v, hi, lo);
            if (v[hi] < v[mid]) Swap(v, hi, mid);
            double pivot = v[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (v[i] < pivot) i++;
                while (v[j] > pivot) j--;
                if (i <= j) { Swap(v, i, j); i++; j--; }
            }
            // Now v[lo..j] ≤ pivot ≤ v[i..hi], and anything strictly between j and i equals the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return v[k];
        }
        return v[k];
    }

    /// <summary>Copies the finite values of <paramref name="values"/> to the front of <paramref name="into"/>; returns how many.</summary>
    public static int GatherFinite(ReadOnlySpan<double> values, Span<double> into)
    {
        int n = 0;
        foreach (var x in values)
            if (double.IsFinite(x)) into[n++] = x;
        return n;
    }

    private static double Min(ReadOnlySpan<double> v)
    {
        double m = v[0];
        for (int i = 1; i < v.Length; i++) if (v[i] < m) m = v[i];
        return m;
    }

    private static void Swap(Span<double> v, int a, int b) => (v[a], v[b]) = (v[b], v[a]);
}
