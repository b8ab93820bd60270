using Trading.Research.Risk;

namespace Trading.Research.Portfolio;

/// <summary>
/// Solves M x = r for the optimiser's matrices, M = D + U C U', where D is diagonal (one entry per name), U's columns
/// are the K factor exposures (the sparse rows of X), optionally a column of ones (the budget row) and one indicator
/// column per constrained industry, and C is block diagonal: a dense K × K factor block (2λ·Σ, possibly singular)
/// and a diagonal for the rest. By the Woodbury identity in the form that needs no C⁻¹,
/// M⁻¹ = D⁻¹ − D⁻¹U (I + C·U'D⁻¹U)⁻¹ C U'D⁻¹, so a factorisation costs O(n·nnz² + r³) and a solve O(n·nnz + r²) for
/// r = K + 1 + industries ≈ 70 columns: linear in the number of names. I + C·G is not symmetric, but its eigenvalues
/// are one plus those of C·G, real and non-negative (C and G are PSD), so LU with partial pivoting is safe.
/// </summary>
internal sealed class LowRankSystem
{
    private readonly FactorQp _qp;
    private readonly int[] _rows;       // problem index of each row
    private readonly int[] _groupOf;    // industry column (0-based among industries) of each row, −1 if none
    private readonly int _n, _k, _groups, _r, _colOnes, _colGroups;
    private readonly bool _ones;
    private readonly double[] _dInv;
    private readonly double[] _c;        // C, r × r row-major
    private readonly double[] _cap;      // LU of I + C G
    private readonly int[] _piv;
    private readonly double[] _y, _z;

    /// <param name="rows">Which names (problem indices) the system covers, in order.</param>
    /// <param name="ones">Whether U has the column of ones (the budget row).</param>
    /// <param name="groupOf">Industry column per row (−1: none), or null for no industry columns.</param>
    public LowRankSystem(FactorQp qp, int[] rows, bool ones, int[]? groupOf, int groups)
    {
        _qp = qp;
        _rows = rows;
        _n = rows.Length;
        _k = qp.K;
        _ones = ones;
        _groups = groupOf is null ? 0 : groups;
        _groupOf = groupOf ?? Enumerable.Repeat(-1, _n).ToArray();
        _colOnes = _k;
        _colGroups = _k + (_ones ? 1 : 0);
        _r = _colGroups + _groups;
        _dInv = new double[_n];
        _c = new double[_r * _r];
        _cap = new double[_r * _r];
        _piv = new int[_r];
        _y = new double[_r];
        _z = new double[_r];
    }

    /// <summary>Factorises for diagonal <paramref name="d"/>, factor block <paramref name="factorScale"/>·Σ, and the C entries of the budget and industry columns.</summary>
    public void Factor(ReadOnlySpan<double> d, double factorScale, double onesWeight, ReadOnlySpan<double> groupWeights)
    {
        for (int i = 0; i < _n; i++)
        {
            if (!(d[i] > 0)) throw new InvalidOperationException($"Diagonal entry {i} is not positive.");
            _dInv[i] = 1 / d[i];
        }

        Array.Clear(_c);
        var sigma = _qp.Sigma;
        for (int x = 0; x < _k; x++)
            for (int y = 0; y < _k; y++) _c[x * _r + y] = factorScale * sigma[x * _k + y];
        if (_ones) _c[_colOnes * _r + _colOnes] = onesWeight;
        for (int g = 0; g < _groups; g++) _c[(_colGroups + g) * _r + _colGroups + g] = groupWeights[g];

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
            if (_ones) { cols[m] = _colOnes; vals[m] = 1; m++; }
            if (_groups > 0 && _groupOf[i] >= 0) { cols[m] = _colGroups + _groupOf[i]; vals[m] = 1; m++; }
            double p = _dInv[i];
            for (int u = 0; u < m; u++)
            {
                double pu = p * vals[u];
                int row = cols[u] * _r;
                for (int v = 0; v < m; v++) gram[row + cols[v]] += pu * vals[v];
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

    /// <summary>Solves in place: <paramref name="x"/> holds the right-hand side on entry and the solution on return.</summary>
    public void Solve(Span<double> x)
    {
        var rowStart = _qp.RowStart;
        var colIdx = _qp.Col;
        var val = _qp.Val;
        Array.Clear(_y);
        for (int i = 0; i < _n; i++)
        {
            double v = x[i] *= _dInv[i];
            int j = _rows[i];
            for (int e = rowStart[j]; e < rowStart[j + 1]; e++) _y[colIdx[e]] += val[e] * v;
            if (_ones) _y[_colOnes] += v;
            if (_groups > 0 && _groupOf[i] >= 0) _y[_colGroups + _groupOf[i]] += v;
        }
        for (int a = 0; a < _r; a++)
        {
            double s;
            if (a < _k)
            {
                s = 0;
                for (int b = 0; b < _k; b++) s += _c[a * _r + b] * _y[b];
            }
            else s = _c[a * _r + a] * _y[a];
            _z[a] = s;
        }
        SmallDense.LuSolve(_cap, _r, _piv, _z);
        double zOnes = _ones ? _z[_colOnes] : 0;
        for (int i = 0; i < _n; i++)
        {
            int j = _rows[i];
            double u = zOnes;
            for (int e = rowStart[j]; e < rowStart[j + 1]; e++) u += val[e] * _z[colIdx[e]];
            if (_groups > 0 && _groupOf[i] >= 0) u += _z[_colGroups + _groupOf[i]];
            x[i] -= _dInv[i] * u;
        }
    }
}
