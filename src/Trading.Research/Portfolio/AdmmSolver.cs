namespace Trading.Research.Portfolio;

/// <summary>
/// OSQP's ADMM (Stellato et al., "OSQP: an operator splitting solver for quadratic programs", Math. Prog. Comp.
/// 2020) on min ½x'Px + q'x s.t. l ≤ Ax ≤ u, written for the optimiser's structure instead of a sparse LDL'.
/// Variables x = (w, t) with t only when there is a turnover limit; rows of A:
/// <list type="bullet">
/// <item>w_i ∈ [0, u_i] (box), Σw = 1 (budget), Σ_{i∈g} w_i ∈ [L_g, U_g] (industries);</item>
/// <item>w_i − t_i ≤ w0_i and w_i + t_i ≥ w0_i (so t_i ≥ |w_i − w0_i|), Σt ≤ T.</item>
/// </list>
/// Every iteration solves (P + σI + A'RA) x̃ = σx − q + A'(Rz − y). Both turnover rows of a name get the same ρ, so
/// their (w_i, t_i) cross terms cancel, and the matrix is diagonal plus the low-rank terms of the factors, budget,
/// industries and turnover sum: <see cref="LowRankSystem"/> solves it in O(N). Equality rows get 10³ρ (as OSQP);
/// ρ adapts to the ratio of primal and dual residuals, refactorising costs O(N). Relaxation α = 1.6, σ = 1e-6.
/// </summary>
internal sealed class AdmmSolver
{
    private const double Sigma = 1e-6, Alpha = 1.6, EqualityRhoFactor = 1e3, RhoMin = 1e-6, RhoMax = 1e6;
    private const int CheckEvery = 10, AdaptEvery = 50;

    private readonly FactorQp _qp;
    private readonly int _n, _groups;
    private readonly bool _turn;
    private readonly LowRankSystem _system;
    private double _rho = 0.1;

    // Iterates. x = (W, T); z and y per row block.
    public double[] W { get; }
    public double[] Tv { get; }
    public double[] ZBox { get; }
    public double[] YBox { get; }
    public double ZBudget { get; private set; }
    public double YBudget { get; private set; }
    public double[] ZInd { get; }
    public double[] YInd { get; }
    public double[] Z1 { get; }
    public double[] Y1 { get; }
    public double[] Z2 { get; }
    public double[] Y2 { get; }
    public double ZSum { get; private set; }
    public double YSum { get; private set; }

    public int Iterations { get; private set; }
    public double PrimalResidual { get; private set; } = double.PositiveInfinity;
    public double DualResidual { get; private set; } = double.PositiveInfinity;

    private readonly double[] _rw, _rt, _a, _b, _d, _gw, _xw, _xt, _pw;

    public AdmmSolver(FactorQp qp, double[] start)
    {
        _qp = qp;
        _n = qp.N;
        _groups = qp.GroupCount;
        _turn = qp.HasTurnover;
        W = (double[])start.Clone();
        Tv = new double[_turn ? _n : 0];
        ZBox = new double[_n];
        YBox = new double[_n];
        ZInd = new double[_groups];
        YInd = new double[_groups];
        Z1 = new double[Tv.Length];
        Y1 = new double[Tv.Length];
        Z2 = new double[Tv.Length];
        Y2 = new double[Tv.Length];
        _rw = new double[_n];
        _rt = new double[Tv.Length];
        _xw = new double[_n];
        _xt = new double[Tv.Length];
        _pw = new double[_n];
        _a = new double[_n];
        _b = new double[_n];
        _d = new double[_n];
        _gw = new double[_groups];

        // Start at the given (feasible) point with z = Ax and y = 0.
        for (int i = 0; i < _n; i++)
        {
            ZBox[i] = W[i];
            ZBudget += W[i];
            if (qp.Group[i] >= 0) ZInd[qp.Group[i]] += W[i];
            if (_turn)
            {
                Tv[i] = Math.Abs(W[i] - qp.W0[i]);
                Z1[i] = W[i] - Tv[i];
                Z2[i] = W[i] + Tv[i];
                ZSum += Tv[i];
            }
        }
        _system = new LowRankSystem(qp, Enumerable.Range(0, _n).ToArray(), _turn, onesW: true, qp.Group, _groups, onesT: _turn);
        Refactor();
    }

    private double RhoBox(int i) => _qp.Upper[i] == 0 ? _rho * EqualityRhoFactor : _rho;
    private double RhoBudget => _rho * EqualityRhoFactor;
    private double RhoInd(int g) => _qp.GroupLower[g] == _qp.GroupUpper[g] ? _rho * EqualityRhoFactor : _rho;

    private void Refactor()
    {
        double ps = _qp.PScale;
        for (int i = 0; i < _n; i++)
        {
            _a[i] = ps * _qp.Spec[i] + Sigma + RhoBox(i) + (_turn ? 2 * _rho : 0);
            _b[i] = 0; // −ρ (row w − t) + ρ (row w + t)
            _d[i] = Sigma + 2 * _rho;
        }
        for (int g = 0; g < _groups; g++) _gw[g] = RhoInd(g);
        _system.Factor(_a, _b, _d, ps, RhoBudget, _gw, _rho);
    }

    /// <summary>Iterates until the OSQP stopping rule holds at (eps, eps) or the iteration budget runs out.</summary>
    public bool Run(double eps, int maxIterations)
    {
        var qp = _qp;
        var q = qp.Q;
        var upper = qp.Upper;
        var group = qp.Group;
        var w0 = qp.W0;
        int n = _n;
        while (Iterations < maxIterations)
        {
            double rhoBudget = RhoBudget, rho = _rho;
            // Right-hand side σx − q + A'(Rz − y).
            double budgetTerm = rhoBudget * ZBudget - YBudget;
            double sumTerm = _turn ? rho * ZSum - YSum : 0;
            for (int i = 0; i < n; i++)
            {
                double r = Sigma * W[i] - q[i] + RhoBox(i) * ZBox[i] - YBox[i] + budgetTerm;
                int g = group[i];
                if (g >= 0) r += RhoInd(g) * ZInd[g] - YInd[g];
                if (_turn)
                {
                    double v1 = rho * Z1[i] - Y1[i], v2 = rho * Z2[i] - Y2[i];
                    r += v1 + v2;
                    _xt[i] = Sigma * Tv[i] - v1 + v2 + sumTerm;
                }
                _xw[i] = r;
            }
            _system.Solve(_xw, _xt);

            // z̃ = A x̃, relaxed updates of x, z, y.
            double budget = 0, sum = 0;
            Array.Clear(_gw);
            for (int i = 0; i < n; i++)
            {
                double xw = _xw[i];
                budget += xw;
                if (group[i] >= 0) _gw[group[i]] += xw;
                double rb = RhoBox(i);
                double zr = Alpha * xw + (1 - Alpha) * ZBox[i];
                double zn = Math.Clamp(zr + YBox[i] / rb, 0, upper[i]);
                YBox[i] += rb * (zr - zn);
                ZBox[i] = zn;
                if (_turn)
                {
                    double xt = _xt[i];
                    sum += xt;
                    zr = Alpha * (xw - xt) + (1 - Alpha) * Z1[i];
                    zn = Math.Min(zr + Y1[i] / rho, w0[i]);
                    Y1[i] += rho * (zr - zn);
                    Z1[i] = zn;
                    zr = Alpha * (xw + xt) + (1 - Alpha) * Z2[i];
                    zn = Math.Max(zr + Y2[i] / rho, w0[i]);
                    Y2[i] += rho * (zr - zn);
                    Z2[i] = zn;
                    Tv[i] = Alpha * xt + (1 - Alpha) * Tv[i];
                }
                W[i] = Alpha * xw + (1 - Alpha) * W[i];
            }
            {
                double zr = Alpha * budget + (1 - Alpha) * ZBudget;
                YBudget += rhoBudget * (zr - 1);
                ZBudget = 1;
            }
            for (int g = 0; g < _groups; g++)
            {
                double rg = RhoInd(g);
                double zr = Alpha * _gw[g] + (1 - Alpha) * ZInd[g];
                double zn = Math.Clamp(zr + YInd[g] / rg, qp.GroupLower[g], qp.GroupUpper[g]);
                YInd[g] += rg * (zr - zn);
                ZInd[g] = zn;
            }
            if (_turn)
            {
                double zr = Alpha * sum + (1 - Alpha) * ZSum;
                double zn = Math.Min(zr + YSum / rho, qp.MaxTurnover);
                YSum += rho * (zr - zn);
                ZSum = zn;
            }
            Iterations++;

            if (Iterations % CheckEvery == 0)
            {
                var (primScale, dualScale) = Residuals();
                if (PrimalResidual <= eps + eps * primScale && DualResidual <= eps + eps * dualScale) return true;
                if (Iterations % AdaptEvery == 0)
                {
                    double ratio = Math.Sqrt(PrimalResidual / Math.Max(primScale, 1e-30) / Math.Max(DualResidual / Math.Max(dualScale, 1e-30), 1e-30));
                    if (ratio > 5 || ratio < 0.2)
                    {
                        _rho = Math.Clamp(_rho * ratio, RhoMin, RhoMax);
                        Refactor();
                    }
                }
            }
        }
        return false;
    }

    /// <summary>Sets the primal residual ‖Ax − z‖∞ and dual residual ‖Px + q + A'y‖∞; returns their OSQP scales.</summary>
    private (double Primal, double Dual) Residuals()
    {
        var qp = _qp;
        int n = _n;
        double prim = 0, axMax = 0, zMax = 0;
        void Row(double ax, double z) { prim = Math.Max(prim, Math.Abs(ax - z)); axMax = Math.Max(axMax, Math.Abs(ax)); zMax = Math.Max(zMax, Math.Abs(z)); }
        double budget = 0, sum = 0;
        Array.Clear(_gw);
        for (int i = 0; i < n; i++)
        {
            Row(W[i], ZBox[i]);
            budget += W[i];
            if (qp.Group[i] >= 0) _gw[qp.Group[i]] += W[i];
            if (_turn)
            {
                Row(W[i] - Tv[i], Z1[i]);
                Row(W[i] + Tv[i], Z2[i]);
                sum += Tv[i];
            }
        }
        Row(budget, ZBudget);
        for (int g = 0; g < _groups; g++) Row(_gw[g], ZInd[g]);
        if (_turn) Row(sum, ZSum);
        PrimalResidual = prim;

        qp.MultiplyP(W, _pw);
        double dual = 0, pMax = 0, atyMax = 0, qMax = 0;
        for (int i = 0; i < n; i++)
        {
            double aty = YBox[i] + YBudget + (qp.Group[i] >= 0 ? YInd[qp.Group[i]] : 0);
            if (_turn)
            {
                aty += Y1[i] + Y2[i];
                double atyT = -Y1[i] + Y2[i] + YSum;
                dual = Math.Max(dual, Math.Abs(atyT));
                atyMax = Math.Max(atyMax, Math.Abs(atyT));
            }
            dual = Math.Max(dual, Math.Abs(_pw[i] + qp.Q[i] + aty));
            pMax = Math.Max(pMax, Math.Abs(_pw[i]));
            atyMax = Math.Max(atyMax, Math.Abs(aty));
            qMax = Math.Max(qMax, Math.Abs(qp.Q[i]));
        }
        DualResidual = dual;
        return (Math.Max(axMax, zMax), Math.Max(pMax, Math.Max(atyMax, qMax)));
    }
}
