using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Trading.Research.Transforms;

/// <summary>
/// Order statistics in O(n) without sorting, by introselect: quickselect around a median of three with a three-way
/// split (below, equal, above the pivot: ties cost nothing), where a slice that keeps failing to shrink is sorted
/// instead, bounding the worst case at O(n log n). Inputs hold no NaN; they are reordered.
/// </summary>
internal static class Selection
{
    /// <summary>The median (mean of the two middle values when the count is even); NaN when empty. Reorders <paramref name="v"/>.</summary>
    public static double Median(Span<double> v)
    {
        int n = v.Length;
        if (n == 0) return double.NaN;
        var (lower, upper) = Pair(v, (n - 1) / 2);
        return (n & 1) == 1 ? lower : lower + (upper - lower) * 0.5;
    }

    /// <summary>
    /// The p-quantile by linear interpolation between order statistics (Hyndman–Fan type 7, the default of R, NumPy
    /// and Excel's PERCENTILE.INC): with h = (n − 1)·p, <c>x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])</c>. Reorders <paramref name="v"/>.
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

    /// <summary>The k-th and (k+1)-th smallest values (0-based; the second is NaN when k is the last). Reorders <paramref name="v"/>.</summary>
    public static (double Kth, double Next) Pair(Span<double> v, int k)
    {
        double kth = Nth(v, k);
        return (kth, k + 1 < v.Length ? Min(v[(k + 1)..]) : double.NaN);
    }

    /// <summary>
    /// Reorders <paramref name="v"/> so that <c>v[k]</c> is its k-th smallest value (0-based), no value before it is
    /// larger and none after it smaller; returns <c>v[k]</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Nth(Span<double> v, int k)
    {
        if ((uint)k >= (uint)v.Length) throw new ArgumentOutOfRangeException(nameof(k));
        int lo = 0, hi = v.Length - 1;
        int budget = 2 * (BitOperations.Log2((uint)v.Length) + 1);
        while (hi - lo >= 16 && budget-- > 0)
        {
            double pivot = MedianOfThree(v[lo], v[lo + (hi - lo) / 2], v[hi]);
            int less = PartitionBelow(v, lo, hi, pivot, orEqual: false); // v[lo..less) < pivot ≤ v[less..hi]
            if (k < less) { hi = less - 1; continue; }
            int equal = PartitionBelow(v, less, hi, pivot, orEqual: true); // v[less..equal) = pivot < v[equal..hi]
            if (k < equal) return v[k];
            lo = equal;
        }
        v.Slice(lo, hi - lo + 1).Sort();
        return v[k];
    }

    /// <summary>
    /// Moves the values of <c>v[lo..hi]</c> below the pivot (or equal to it too, with <paramref name="orEqual"/>) to
    /// the front and returns where the rest starts. Branch-free Lomuto: every element is swapped with the first
    /// element of the rest and the boundary advances by the comparison's outcome, so data order costs no
    /// mispredicted branches (they dominated a classic Hoare partition on real factor values).
    /// </summary>
    private static int PartitionBelow(Span<double> v, int lo, int hi, double pivot, bool orEqual)
    {
        ref double at = ref MemoryMarshal.GetReference(v);
        int boundary = lo;
        // The loop is duplicated so that the comparison inside is fixed; bounds: lo ≤ boundary ≤ i ≤ hi < Length.
        if (orEqual)
            for (int i = lo; i <= hi; i++)
            {
                double x = Unsafe.Add(ref at, i);
                Unsafe.Add(ref at, i) = Unsafe.Add(ref at, boundary);
                Unsafe.Add(ref at, boundary) = x;
                boundary += x <= pivot ? 1 : 0;
            }
        else
            for (int i = lo; i <= hi; i++)
            {
                double x = Unsafe.Add(ref at, i);
                Unsafe.Add(ref at, i) = Unsafe.Add(ref at, boundary);
                Unsafe.Add(ref at, boundary) = x;
                boundary += x < pivot ? 1 : 0;
            }
        return boundary;
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);

    /// <summary>Copies the finite values of <paramref name="values"/> to the front of <paramref name="into"/>; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int GatherFinite(ReadOnlySpan<double> values, Span<double> into)
    {
        if (into.Length < values.Length) throw new ArgumentException("No room for every value.", nameof(into));
        // Branch-free (missing values sit at random symbols, so a branch on them mispredicts): always write, and
        // advance when finite; n ≤ i < into.Length.
        ref double to = ref MemoryMarshal.GetReference(into);
        int n = 0;
        foreach (var x in values)
        {
            Unsafe.Add(ref to, n) = x;
            n += IsFiniteBit(x);
        }
        return n;
    }

    /// <summary>1 when finite, 0 for NaN and ±∞ (exponent bits not all ones), without a branch.</summary>
    public static int IsFiniteBit(double x) =>
        (int)(((ulong)BitConverter.DoubleToInt64Bits(x) & 0x7FF0_0000_0000_0000UL) - 0x7FF0_0000_0000_0000UL >> 63);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Min(ReadOnlySpan<double> v)
    {
        double m = v[0];
        for (int i = 1; i < v.Length; i++) if (v[i] < m) m = v[i];
        return m;
    }
}
