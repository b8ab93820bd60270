namespace Trading.Research.Risk;

/// <summary>
/// Exponentially weighted moving averages by half-life: the observation <c>h</c> periods older than the newest weighs
/// half as much, i.e. raw weight 0.5^(age / halfLife) with age 0 for the newest. Weights are normalised to sum to 1.
/// </summary>
public static class Ewma
{
    /// <summary>The normalised weights of <paramref name="count"/> observations, oldest first, newest last.</summary>
    public static double[] Weights(int count, double halfLife)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(halfLife > 0) || double.IsNaN(halfLife)) throw new ArgumentOutOfRangeException(nameof(halfLife), halfLife, "Half-life must be positive.");
        var w = new double[count];
        double decay = Math.Pow(0.5, 1.0 / halfLife), raw = 1, sum = 0;
        for (int t = count - 1; t >= 0; t--) { w[t] = raw; sum += raw; raw *= decay; }
        for (int t = 0; t < count; t++) w[t] /= sum;
        return w;
    }

    /// <summary>
    /// The EWMA covariance of rows of <paramref name="series"/> (T rows × K columns, oldest row first). Missing values
    /// are not allowed. With <paramref name="demean"/> the weighted mean is removed and the result is divided by
    /// 1 − Σw² (the unbiased estimator for normalised reliability weights, which is the plain sample covariance when
    /// all weights are equal); otherwise returns are taken as zero-mean and Σ w·x·x' is returned.
    /// </summary>
    public static double[,] Covariance(double[,] series, double halfLife, bool demean = true)
    {
        int rows = series.GetLength(0), k = series.GetLength(1);
        if (rows < (demean ? 2 : 1)) throw new ArgumentException($"EWMA covariance needs at least {(demean ? 2 : 1)} observations, got {rows}.", nameof(series));
        var w = Weights(rows, halfLife);
        var mean = new double[k];
        if (demean)
            for (int t = 0; t < rows; t++)
                for (int a = 0; a < k; a++) mean[a] += w[t] * series[t, a];
        var cov = new double[k, k];
        var d = new double[k];
        for (int t = 0; t < rows; t++)
        {
            for (int a = 0; a < k; a++)
            {
                d[a] = series[t, a] - mean[a];
                if (!double.IsFinite(d[a])) throw new ArgumentException($"Series value at row {t}, column {a} is not finite.", nameof(series));
            }
            for (int a = 0; a < k; a++)
            {
                double wa = w[t] * d[a];
                for (int b = 0; b <= a; b++) cov[a, b] += wa * d[b];
            }
        }
        double scale = 1;
        if (demean)
        {
            double sumSq = 0;
            foreach (var x in w) sumSq += x * x;
            scale = 1 / (1 - sumSq);
        }
        for (int a = 0; a < k; a++)
            for (int b = 0; b <= a; b++) cov[b, a] = cov[a, b] = cov[a, b] * scale;
        return cov;
    }

    /// <summary>
    /// Zero-mean EWMA of squares over the finite values of <paramref name="values"/> (oldest first): Σ w·x² with the
    /// weights renormalised over the observations present. Missing (NaN) values keep their place in time (they age the
    /// others) but carry no weight. Returns NaN when fewer than <paramref name="minObservations"/> values are present.
    /// </summary>
    public static double MeanSquare(ReadOnlySpan<double> values, double halfLife, int minObservations = 1)
    {
        if (!(halfLife > 0)) throw new ArgumentOutOfRangeException(nameof(halfLife), halfLife, "Half-life must be positive.");
        double decay = Math.Pow(0.5, 1.0 / halfLife), raw = 1, sum = 0, acc = 0;
        int n = 0;
        for (int t = values.Length - 1; t >= 0; t--, raw *= decay)
        {
            double x = values[t];
            if (!double.IsFinite(x)) continue;
            acc += raw * x * x;
            sum += raw;
            n++;
        }
        return n >= Math.Max(1, minObservations) ? acc / sum : double.NaN;
    }
}
