namespace Trading.Research.Analysis;

/// <summary>Correlations over the pairs of a cross-section where both values are present (and the mask allows).</summary>
public static class CrossSectionStats
{
    /// <summary>Pearson correlation of x and y over pairs where both are finite and <paramref name="mask"/> (if any) is true; NaN below <paramref name="minPairs"/>.</summary>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<bool> mask = default, int minPairs = 10)
    {
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < x.Length; i++)
            if (Use(x, y, mask, i)) { sx += x[i]; sy += y[i]; n++; }
        if (n < minPairs) return double.NaN;
        double mx = sx / n, my = sy / n, cxy = 0, cxx = 0, cyy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (!Use(x, y, mask, i)) continue;
            double dx = x[i] - mx, dy = y[i] - my;
            cxy += dx * dy; cxx += dx * dx; cyy += dy * dy;
        }
        return cxx > 0 && cyy > 0 ? cxy / Math.Sqrt(cxx * cyy) : double.NaN;
    }

    /// <summary>Spearman rank correlation: Pearson of average ranks (ties share their mean rank) over the usable pairs.</summary>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<bool> mask = default, int minPairs = 10)
    {
        int n = 0;
        for (int i = 0; i < x.Length; i++) if (Use(x, y, mask, i)) n++;
        if (n < minPairs) return double.NaN;
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0, k = 0; i < x.Length; i++)
            if (Use(x, y, mask, i)) { xs[k] = x[i]; ys[k] = y[i]; k++; }
        AverageRanks(xs);
        AverageRanks(ys);
        return Pearson(xs, ys, default, minPairs);
    }

    /// <summary>Replaces values by their 1-based ranks, ties getting the average of their ranks.</summary>
    public static void AverageRanks(Span<double> values)
    {
        int n = values.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, order);
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) values[order[k]] = rank;
            start = end + 1;
        }
    }

    private static bool Use(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<bool> mask, int i) =>
        double.IsFinite(x[i]) && double.IsFinite(y[i]) && (mask.IsEmpty || mask[i]);
}
