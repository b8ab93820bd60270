namespace Trading.Research.Risk;

/// <summary>
/// Factorisations of the small dense matrices of the risk model and the optimiser (K ≈ 35–70): row-major arrays,
/// no allocation per solve. MathNet would do, but these run thousands of times per optimisation.
/// </summary>
internal static class SmallDense
{
    /// <summary>
    /// In-place Cholesky of the n × n SPD matrix <paramref name="a"/> (row-major; lower triangle holds L on return).
    /// Returns false when a pivot is not positive (the matrix is not numerically SPD).
    /// </summary>
    public static bool Cholesky(Span<double> a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0)) return false;
            double l = Math.Sqrt(d);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / l;
            }
        }
        return true;
    }

    /// <summary>Solves L L' x = b in place with the factor from <see cref="Cholesky"/>.</summary>
    public static void CholeskySolve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
            b[i] = s / l[i * n + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>
    /// Solves the SPD system A x = b (A is copied), adding a ridge of 1e-12 × trace and growing it until the
    /// factorisation succeeds when A is singular. Returns the ridge used (0 when none was needed).
    /// </summary>
    public static double SolveSpd(ReadOnlySpan<double> a, int n, Span<double> b)
    {
        var work = new double[n * n];
        double trace = 0;
        for (int i = 0; i < n; i++) trace += Math.Abs(a[i * n + i]);
        double ridge = 0;
        for (int attempt = 0; attempt < 12; attempt++)
        {
            a.CopyTo(work);
            for (int i = 0; i < n; i++) work[i * n + i] += ridge;
            if (Cholesky(work, n))
            {
                CholeskySolve(work, n, b);
                return ridge;
            }
            ridge = ridge == 0 ? Math.Max(trace, 1e-300) / Math.Max(n, 1) * 1e-12 : ridge * 100;
        }
        throw new InvalidOperationException("Matrix is not positive semi-definite: Cholesky failed even with a ridge.");
    }

    /// <summary>In-place LU with partial pivoting of the n × n matrix <paramref name="a"/>; false when singular.</summary>
    public static bool Lu(Span<double> a, int n, Span<int> pivots)
    {
        for (int k = 0; k < n; k++)
        {
            int p = k;
            double max = Math.Abs(a[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(a[i * n + k]);
                if (v > max) { max = v; p = i; }
            }
            pivots[k] = p;
            if (max == 0 || !double.IsFinite(max)) return false;
            if (p != k)
                for (int j = 0; j < n; j++) (a[k * n + j], a[p * n + j]) = (a[p * n + j], a[k * n + j]);
            double inv = 1 / a[k * n + k];
            for (int i = k + 1; i < n; i++)
            {
                double f = a[i * n + k] *= inv;
                if (f == 0) continue;
                for (int j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j];
            }
        }
        return true;
    }

    /// <summary>Solves A x = b in place with the factor and pivots from <see cref="Lu"/>.</summary>
    public static void LuSolve(ReadOnlySpan<double> lu, int n, ReadOnlySpan<int> pivots, Span<double> b)
    {
        for (int k = 0; k < n; k++)
            if (pivots[k] != k) (b[k], b[pivots[k]]) = (b[pivots[k]], b[k]);
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= lu[i * n + k] * b[k];
            b[i] = s;
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= lu[i * n + k] * b[k];
            b[i] = s / lu[i * n + i];
        }
    }
}
