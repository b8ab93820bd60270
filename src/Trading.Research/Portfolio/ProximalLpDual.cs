namespace Trading.Research.Portfolio;

/// <summary>
/// Solves the proximal LP min q'w + (ε/2)‖w − w0‖² over {0 ≤ w ≤ u, Σw = 1, L_g ≤ Σ_g w ≤ U_g, Σ|w − w0| ≤ T} through
/// its dual, for λ = 0 where ADMM is slow (first-order methods crawl on LPs). With multipliers ν (budget), η_g
/// (industries, sign = side) and θ ≥ 0 (turnover), each name's minimiser is closed-form,
/// w_i = clip(w0_i − S_θ(c_i)/ε, 0, u_i) with c_i = q_i + ν + η_g(i) and soft-thresholding S_θ, so the dual
/// D(ν, η, θ) = Σ_i min_w [c_i w + θ|w − w0_i| + (ε/2)(w − w0_i)²] − ν − Σ_g σ_[L_g,U_g](η_g) − θT is concave and
/// piecewise quadratic in at most 2 + G variables, with gradient the constraint residuals (Danskin) and generalised
/// Hessian −(1/ε) Σ b_i b_i' over the names strictly inside their box (b_i = ∂c_i/∂μ − sign(c_i)·e_θ). A projected
/// semismooth Newton method with a backtracking line search maximises it to machine precision in a few dozen O(N)
/// iterations; the multipliers that sit at 0 (an industry between its bounds, a slack turnover limit) are held there
/// while their gradient points out of the feasible sign. The primal w(μ*) is the unique proximal optimum.
/// </summary>
internal sealed class ProximalLpDual
{
    private readonly FactorQp _qp;
    private readonly double _eps;
    private readonly int _n, _groups, _m;  // μ = [ν, η_0 … η_{G−1}, θ]

    public ProximalLpDual(FactorQp qp, double epsilon)
    {
        if (qp.Lambda != 0) throw new InvalidOperationException("The proximal LP dual needs a diagonal objective (λ = 0).");
        _qp = qp;
        _eps = epsilon;
        _n = qp.N;
        _groups = qp.GroupCount;
        _m = 1 + _groups + 1;
    }

    public double[] W { get; private set; } = [];
    public double Nu { get; private set; }
    public double[] Eta { get; private set; } = [];
    public double Theta { get; private set; }
    public int Iterations { get; private set; }

    /// <summary>The largest violation of the dual optimality conditions at the end (primal residuals, in weight units).</summary>
    public double Residual { get; private set; } = double.PositiveInfinity;

    public bool Solve(int maxIterations = 200)
    {
        var mu = new double[_m];
        mu[0] = InitialNu();
        var w = new double[_n];
        var grad = new double[_m];
        var free = new bool[_m];
        var hess = new double[_m * _m];
        double value = Evaluate(mu, w, grad);
        for (Iterations = 0; Iterations < maxIterations; Iterations++)
        {
            // Which multipliers may move: ν always; η_g and θ when non-zero, or when their gradient points outward.
            double worst = Math.Abs(grad[0]);
            free[0] = true;
            for (int j = 1; j < _m; j++)
            {
                if (j == _m - 1)
                {
                    free[j] = _qp.HasTurnover && (mu[j] > 0 || grad[j] > 0);
                }
                else
                {
                    // η_g = 0 moves up when its industry is above U_g, down when below L_g.
                    free[j] = mu[j] != 0 || grad[j] > 0 || LowerGradient(j, w) < 0;
                }
                if (free[j]) worst = Math.Max(worst, Math.Abs(DirectionalGradient(j, mu, grad, w)));
            }
            Residual = worst;
            if (worst <= 1e-12) break; // sums of thousands of weights carry ~1e-13 of rounding

            // Newton direction on the free multipliers: (Σ b b')_FF d = ε g_F, with a small ridge for the singular parts.
            Hessian(mu, w, hess);
            var idx = Enumerable.Range(0, _m).Where(j => free[j]).ToArray();
            int f = idx.Length;
            var h = new double[f * f];
            var d = new double[f];
            double trace = 0;
            for (int a = 0; a < f; a++)
            {
                for (int b = 0; b < f; b++) h[a * f + b] = hess[idx[a] * _m + idx[b]];
                trace += h[a * f + a];
                d[a] = _eps * DirectionalGradient(idx[a], mu, grad, w);
            }
            double ridge = 1e-12 * Math.Max(trace, 1) + 1e-14;
            for (int a = 0; a < f; a++) h[a * f + a] += ridge;
            Risk.SmallDense.SolveSpd(h, f, d);

            // Backtracking on the projected path (η keeps its sign, θ ≥ 0).
            double slope = 0;
            for (int a = 0; a < f; a++) slope += DirectionalGradient(idx[a], mu, grad, w) * d[a];
            double step = 1;
            var trial = new double[_m];
            var wTrial = new double[_n];
            var gTrial = new double[_m];
            bool moved = false;
            for (int back = 0; back < 60; back++, step *= 0.5)
            {
                Array.Copy(mu, trial, _m);
                for (int a = 0; a < f; a++)
                {
                    int j = idx[a];
                    double v = mu[j] + step * d[a];
                    if (j > 0 && mu[j] != 0 && Math.Sign(v) != Math.Sign(mu[j])) v = 0; // stop at the kink
                    if (j == _m - 1) v = Math.Max(v, 0);
                    trial[j] = v;
                }
                double tv = Evaluate(trial, wTrial, gTrial);
                if (tv >= value + 1e-4 * step * slope || tv >= value && step < 1e-6)
                {
                    Array.Copy(trial, mu, _m);
                    Array.Copy(wTrial, w, _n);
                    Array.Copy(gTrial, grad, _m);
                    moved = tv > value || step == 1;
                    value = tv;
                    break;
                }
            }
            if (!moved && step < 1e-15) break;
        }
        W = w;
        Nu = mu[0];
        Eta = mu[1..(1 + _groups)];
        Theta = mu[_m - 1];
        return Residual <= 1e-10;
    }

    // ∂D/∂η_g for a negative move from η_g = 0 is s_g − L_g (the support function's slope on that side).
    private double LowerGradient(int j, double[] w)
    {
        int g = j - 1;
        double s = 0;
        for (int i = 0; i < _n; i++) if (_qp.Group[i] == g) s += w[i];
        return s - _qp.GroupLower[g];
    }

    /// <summary>The gradient along the direction the multiplier can move: for η_g at 0 the side it would leave to.</summary>
    private double DirectionalGradient(int j, double[] mu, double[] grad, double[] w)
    {
        if (j == 0 || j == _m - 1 || mu[j] != 0) return grad[j];
        return grad[j] > 0 ? grad[j] : Math.Min(0, LowerGradient(j, w));
    }

    /// <summary>ν with Σw = 1 for η = θ = 0, by bisection: a start where the Hessian is not empty.</summary>
    private double InitialNu()
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var q in _qp.QBase) { lo = Math.Min(lo, -q); hi = Math.Max(hi, -q); }
        lo -= 1 + 2 * _eps; hi += 1 + 2 * _eps;
        for (int it = 0; it < 200 && hi - lo > 1e-15 * Math.Max(1, Math.Abs(hi)); it++)
        {
            double mid = 0.5 * (lo + hi), s = 0;
            for (int i = 0; i < _n; i++) s += Math.Clamp(_qp.W0[i] - (_qp.QBase[i] + mid) / _eps, 0, _qp.Upper[i]);
            if (s > 1) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    private double C(int i, double[] mu) => _qp.QBase[i] + mu[0] + (_qp.Group[i] >= 0 ? mu[1 + _qp.Group[i]] : 0);

    /// <summary>D(μ), with the minimisers in <paramref name="w"/> and ∇D (upper-side slope for η ≥ 0) in <paramref name="grad"/>.</summary>
    private double Evaluate(double[] mu, double[] w, double[] grad)
    {
        var qp = _qp;
        double theta = qp.HasTurnover ? mu[_m - 1] : 0, value = 0;
        Array.Clear(grad);
        double turnover = 0;
        var industry = new double[_groups];
        for (int i = 0; i < _n; i++)
        {
            double c = C(i, mu), w0 = qp.W0[i];
            double shrunk = Math.Abs(c) <= theta ? 0 : c - Math.CopySign(theta, c);
            double wi = Math.Clamp(w0 - shrunk / _eps, 0, qp.Upper[i]);
            w[i] = wi;
            double dev = wi - w0;
            value += c * wi + theta * Math.Abs(dev) + 0.5 * _eps * dev * dev;
            grad[0] += wi;
            if (qp.Group[i] >= 0) industry[qp.Group[i]] += wi;
            turnover += Math.Abs(dev);
        }
        value -= mu[0];
        grad[0] -= 1;
        for (int g = 0; g < _groups; g++)
        {
            double eta = mu[1 + g];
            value -= eta >= 0 ? eta * qp.GroupUpper[g] : eta * qp.GroupLower[g];
            grad[1 + g] = eta >= 0 ? industry[g] - qp.GroupUpper[g] : industry[g] - qp.GroupLower[g];
        }
        if (qp.HasTurnover)
        {
            value -= theta * qp.MaxTurnover;
            grad[_m - 1] = turnover - qp.MaxTurnover;
        }
        return value;
    }

    /// <summary>Σ b_i b_i' over the names strictly inside their box (the curvature of −ε·D).</summary>
    private void Hessian(double[] mu, double[] w, double[] hess)
    {
        var qp = _qp;
        Array.Clear(hess);
        double theta = qp.HasTurnover ? mu[_m - 1] : 0;
        int t = _m - 1;
        for (int i = 0; i < _n; i++)
        {
            if (!(w[i] > 0 && w[i] < qp.Upper[i])) continue;
            double c = C(i, mu);
            if (Math.Abs(c) <= theta && qp.HasTurnover) continue; // held at w0 by the kink
            double s = qp.HasTurnover ? Math.Sign(c) : 0;
            int g = qp.Group[i] >= 0 ? 1 + qp.Group[i] : -1;
            // b = e_ν + e_η(g) − s·e_θ
            Add(hess, 0, 0, 1);
            if (g > 0) { Add(hess, 0, g, 1); Add(hess, g, 0, 1); Add(hess, g, g, 1); }
            if (s != 0)
            {
                Add(hess, 0, t, -s); Add(hess, t, 0, -s); Add(hess, t, t, 1);
                if (g > 0) { Add(hess, g, t, -s); Add(hess, t, g, -s); }
            }
        }
    }

    private void Add(double[] h, int a, int b, double v) => h[a * _m + b] += v;
}
