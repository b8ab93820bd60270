using Trading.Research.Risk;

namespace Trading.Research.Portfolio;

/// <summary>
/// Solves M x = r for the matrices of the optimiser, M = D + U C U', where
/// <list type="bullet">
/// <item>D is block diagonal with one 2 × 2 block per name over (w_i, t_i), or 1 × 1 when there is no t part;</item>
/// <item>U's columns are the K factor exposures (sparse rows of X) on the w part, optionally a column of ones on w
/// (the budget row), one indicator column per constrained industry on w, and a column of ones on t (the turnover
/// sum);</item>
/// <item>C is block diagonal: a dense K × K factor block (2λ·Σ, possibly singular) and a diagonal for the rest.</item>
/// </list>
/// By the Woodbury identity in the form that needs no C⁻¹,
/// M⁻¹ = D⁻¹ − D⁻¹U (I + C·U'D⁻¹U)⁻¹ C U'D⁻¹, so a factorisation costs O(n·nnz² + r³) and a solve O(n·nnz + r²)
/// for r = K + 1 + industries + 1 ≈ 70 columns: linear in the number of names. I + C·G is not symmetric but has
/// real non-negative eigenvalues plus one (C and G are PSD), so LU with partial pivoting is safe.
/// </summary>
internal sealed class LowRankSystem
{
    private readonly FactorQp _qp;
    private readonly int[] _rows;       // problem index of each row block
    private readonly int[] _groupOf;    // industry column (0-based among industries) of each row, −1 if none
    private readonly int _n, _k, _groups;
    private readonly bool _hasT, _onesW, _onesT;
    private readonly int _r, _colOnesW, _colGroups, _colOnesT;
    private readonly double[] _p, _q, _s; // D⁻¹ blocks [[p, q], [q, s]]
    private readonly double[] _c;        // C, r × r row-major
    private readonly double[] _cap;      // LU of I + C G
    private readonly int[] _piv;
    private readonly double[] _y, _z;

    /// <param name="rows">Which names (problem indices) the system covers, in order.</param>
    /// <param name="groupOf">Industry column per row (−1: none), or null for no industry columns.</param>
    public LowRankSystem(FactorQp qp, int[] rows, bool hasT, bool onesW, int[]? groupOf, int groups, bool onesT)
    {
        _qp = qp;
        _rows = rows;
        _n = rows.Length;
        _k = qp.K;
        _hasT = hasT;
        _onesW = onesW;
        _onesT = onesT && hasT;
        _groups = groupOf is null ? 0 : groups;
        _groupOf = groupOf ?? new int[_n].Select(_ => -1).ToArray();
        _colOnesW = _k;
        _colGroups = _k + (_onesW ? 1 : 0);
        _colOnesT = _colGroups + _groups;
        _r = _colOnesT + (_onesT ? 1 : 0);
        _p = new double[_n];
        _q = new double[_n];
        _s = new double[_n];
        _c = new double[_r * _r];
        _cap = new double[_r * _r];
        _piv = new int[_r];
        _y = new double[_r];
        _z = new double[_r];
    }

    public int Rows => _n;

    /// <summary>
    /// Factorises for diagonal blocks [[a_i, b_i], [b_i, d_i]] (b, d ignored without a t part), factor block
    /// <paramref name="factorScale"/>·Σ, and the diagonal C entries of the budget, industry and turnover columns.
    /// </summary>
    public void Factor(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> d, double factorScale,
        double onesWeight, ReadOnlySpan<double> groupWeights, double onesTWeight)
    {
        for (int i = 0; i < _n; i++)
        {
            if (_hasT)
            {
                double det = a[i] * d[i] - b[i] * b[i];
                if (!(det > 0)) throw new InvalidOperationException($"Diagonal block {i} is not positive definite.");
                _p[i] = d[i] / det; _q[i] = -b[i] / det; _s[i] = a[i] / det;
            }
            else
            {
                if (!(a[i] > 0)) throw new InvalidOperationException($"Diagonal entry {i} is not positive.");
                _p[i] = 1 / a[i];
            }
        }

        Array.Clear(_c);
        var sigma = _qp.Sigma;
        for (int x = 0; x < _k; x++)
            for (int y = 0; y < _k; y++) _c[x * _r + y] = factorScale * sigma[x * _k + y];
        if (_onesW) _c[_colOnesW * _r + _colOnesW] = onesWeight;
        for (int g = 0; g < _groups; g++) _c[(_colGroups + g) * _r + _colGroups + g] = groupWeights[g];
        if (_onesT) _c[_colOnesT * _r + _colOnesT] = onesTWeight;

        // Gram G = U' D⁻¹ U, from each row's few nonzeros.
        var gram = new double[_r * _r];
        Span<int> cols = stackalloc int[_k + 2];
        Span<double> vals = stackalloc double[_k + 2];
        var rowStart = _qp.RowStart;
        var colIdx = _qp.Col;
        var val = _qp.Val;
        for (int i = 0; i < _n; i++)
        {
            int j = _rows[i], m = 0;
            for (int e = rowStart[j]; e < rowStart[j + 1]; e++) { cols[m] = colIdx[e]; vals[m] = val[e]; m++; }
            if (_onesW) { cols[m] = _colOnesW; vals[m] = 1; m++; }
            if (_groupOf[i] >= 0 && _groups > 0) { cols[m] = _colGroups + _groupOf[i]; vals[m] = 1; m++; }
            double p = _p[i];
            for (int u = 0; u < m; u++)
            {
                double pu = p * vals[u];
                int row = cols[u] * _r;
                for (int v = 0; v < m; v++) gram[row + cols[v]] += pu * vals[v];
            }
            if (_onesT)
            {
                double q = _q[i];
                for (int u = 0; u < m; u++)
                {
                    gram[cols[u] * _r + _colOnesT] += q * vals[u];
                    gram[_colOnesT * _r + cols[u]] += q * vals[u];
                }
                gram[_colOnesT * _r + _colOnesT] += _s[i];
            }
        }

        // Capacitance I + C·G: the factor block of C is dense, the rest diagonal.
        for (int x = 0; x < _r; x++)
        {
            for (int y = 0; y < _r; y++)
            {
                double s;
                if (x < _k)
                {
                    s = 0;
                    for (int t = 0; t < _k; t++) s += _c[x * _r + t] * gram[t * _r + y];
                }
                else s = _c[x * _r + x] * gram[x * _r + y];
                _cap[x * _r + y] = (x == y ? 1 : 0) + s;
            }
        }
        if (!SmallDense.Lu(_cap, _r, _piv)) throw new InvalidOperationException("The capacitance matrix of the KKT system is singular.");
    }

    /// <summary>Solves in place: <paramref name="w"/> and <paramref name="t"/> hold the right-hand side on entry and the solution on return.</summary>
    public void Solve(Span<double> w, Span<double> t)
    {
        var rowStart = _qp.RowStart;
        var colIdx = _qp.Col;
        var val = _qp.Val;
        Array.Clear(_y);
        for (int i = 0; i < _n; i++)
        {
            double vw, vt = 0;
            if (_hasT) { vw = _p[i] * w[i] + _q[i] * t[i]; vt = _q[i] * w[i] + _s[i] * t[i]; t[i] = vt; }
            else vw = _p[i] * w[i];
            w[i] = vw;
            int j = _rows[i];
            for (int e = rowStart[j]; e < rowStart[j + 1]; e++) _y[colIdx[e]] += val[e] * vw;
            if (_onesW) _y[_colOnesW] += vw;
            if (_groups > 0 && _groupOf[i] >= 0) _y[_colGroups + _groupOf[i]] += vw;
            if (_onesT) _y[_colOnesT] += vt;
        }
        for (int x = 0; x < _r; x++)
        {
            double s;
            if (x < _k)
            {
                s = 0;
                for (int u = 0; u < _k; u++) s += _c[x * _r + u] * _y[u];
            }
            else s = _c[x * _r + x] * _y[x];
            _z[x] = s;
        }
        SmallDense.LuSolve(_cap, _r, _piv, _z);
        double zOnesW = _onesW ? _z[_colOnesW] : 0, zOnesT = _onesT ? _z[_colOnesT] : 0;
        for (int i = 0; i < _n; i++)
        {
            int j = _rows[i];
            double uw = zOnesW;
            for (int e = rowStart[j]; e < rowStart[j + 1]; e++) uw += val[e] * _z[colIdx[e]];
            if (_groups > 0 && _groupOf[i] >= 0) uw += _z[_colGroups + _groupOf[i]];
            if (_hasT)
            {
                w[i] -= _p[i] * uw + _q[i] * zOnesT;
                t[i] -= _q[i] * uw + _s[i] * zOnesT;
            }
            else w[i] -= _p[i] * uw;
        }
    }
}
