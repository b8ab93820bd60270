namespace Trading.Research.Portfolio;

/// <summary>The linear algebra of polishing: the reduced KKT solve and the projection of multiplier estimates.</summary>
internal sealed partial class ActiveSetPolisher
{
    /// <summary>
    /// The multipliers nearest to (ν0, η0, θ0) that satisfy the stationarity equations of the free names:
    /// μ = μ0 + A'(AA')⁻¹(b − Aμ0) with A the free names' rows of E' and b = −∇f on them.
    /// </summary>
    private (double Nu, double[] Eta, double Theta) ProjectMultipliers(State[] state, sbyte[] sign, Side[] side, bool turnover,
        double[] grad, double nu0, double[] eta0, double theta0)
    {
        var qp = _qp;
        int groups = qp.GroupCount;
        var rowGroup = new List<int>();
        for (int g = 0; g < groups; g++) if (side[g] != Side.None) rowGroup.Add(g);
        int m = 1 + rowGroup.Count + (turnover ? 1 : 0);
        var mu = new double[m];
        mu[0] = nu0;
        for (int r = 0; r < rowGroup.Count; r++) mu[1 + r] = eta0[rowGroup[r]];
        if (turnover) mu[m - 1] = theta0;
        var free = Enumerable.Range(0, qp.N).Where(i => state[i] == State.Free).ToArray();
        int nf = free.Length;
        if (nf > 0)
        {
            var a = new double[nf * m];
            var resid = new double[nf];
            for (int f = 0; f < nf; f++)
            {
                int i = free[f], g = qp.Group[i];
                a[f * m] = 1;
                int r = g >= 0 ? rowGroup.IndexOf(g) : -1;
                if (r >= 0) a[f * m + 1 + r] = 1;
                if (turnover) a[f * m + m - 1] = sign[i];
                double s = -grad[i];
                for (int c = 0; c < m; c++) s -= a[f * m + c] * mu[c];
                resid[f] = s;
            }
            var gram = new double[nf * nf];
            for (int x = 0; x < nf; x++)
                for (int y = 0; y < nf; y++)
                {
                    double s = 0;
                    for (int c = 0; c < m; c++) s += a[x * m + c] * a[y * m + c];
                    gram[x * nf + y] = s;
                }
            Risk.SmallDense.SolveSpd(gram, nf, resid);
            for (int f = 0; f < nf; f++)
                for (int c = 0; c < m; c++) mu[c] += a[f * m + c] * resid[f];
        }
        var eta = new double[groups];
        for (int r = 0; r < rowGroup.Count; r++) eta[rowGroup[r]] = mu[1 + r];
        return (mu[0], eta, turnover ? mu[m - 1] : 0);
    }

    /// <summary>Solves the equality-constrained QP of the current guess into <paramref name="w"/> (all names).</summary>
    /// <param name="unmet">On failure, the equality rows left unsatisfied: an industry index, or −1 for the budget or turnover row.</param>
    private bool SolveReduced(State[] state, sbyte[] sign, Side[] side, bool turnover, double[] w,
        out double nuBudget, out double[] nuGroup, out double theta, out List<int> unmet)
    {
        var qp = _qp;
        int n = qp.N, groups = qp.GroupCount, k = qp.K;
        nuBudget = 0; theta = 0;
        nuGroup = new double[groups];
        unmet = [];

        var free = new List<int>();
        for (int i = 0; i < n; i++)
        {
            w[i] = state[i] switch { State.Lower => 0, State.Upper => qp.Upper[i], State.Kink => qp.W0[i], _ => 0 };
            if (state[i] == State.Free) free.Add(i);
        }
        int nf = free.Count;

        // Equality rows: budget, active industries, turnover.
        var rowGroup = new List<int>();
        for (int g = 0; g < groups; g++) if (side[g] != Side.None) rowGroup.Add(g);
        int m = 1 + rowGroup.Count + (turnover ? 1 : 0);
        var e = new double[m * nf];
        var rhs2 = new double[m];
        var rowOfGroup = new int[groups];
        Array.Fill(rowOfGroup, -1);
        for (int r = 0; r < rowGroup.Count; r++) rowOfGroup[rowGroup[r]] = 1 + r;
        int turnRow = turnover ? m - 1 : -1;
        double fixedSum = 0, fixedTurnover = 0;
        var fixedInGroup = new double[groups];
        for (int i = 0; i < n; i++)
        {
            if (state[i] == State.Free) continue;
            fixedSum += w[i];
            if (qp.Group[i] >= 0) fixedInGroup[qp.Group[i]] += w[i];
            fixedTurnover += Math.Abs(w[i] - qp.W0[i]);
        }
        rhs2[0] = 1 - fixedSum;
        for (int r = 0; r < rowGroup.Count; r++)
        {
            int g = rowGroup[r];
            double bound = side[g] == Side.Lower || side[g] == Side.Both ? qp.GroupLower[g] : qp.GroupUpper[g];
            rhs2[1 + r] = bound - fixedInGroup[g];
        }
        if (turnover)
        {
            double s = qp.MaxTurnover - fixedTurnover;
            foreach (var i in free) s += sign[i] * qp.W0[i];
            rhs2[turnRow] = s;
        }
        for (int f = 0; f < nf; f++)
        {
            int i = free[f];
            e[f] = 1;
            if (qp.Group[i] >= 0 && rowOfGroup[qp.Group[i]] >= 0) e[rowOfGroup[qp.Group[i]] * nf + f] = 1;
            if (turnover) e[turnRow * nf + f] = sign[i];
        }
        int RowId(int r) => r >= 1 && r <= rowGroup.Count ? rowGroup[r - 1] : -1;
        if (nf == 0)
        {
            // Nothing free: the guess must satisfy the equalities by itself.
            for (int r = 0; r < m; r++) if (Math.Abs(rhs2[r]) > PrimalTol) unmet.Add(RowId(r));
            return unmet.Count == 0;
        }

        // g_F = q_F + P_FX w_X (the fixed names' pull through the factors).
        var fx = new double[k];
        for (int i = 0; i < n; i++)
        {
            if (state[i] == State.Free || w[i] == 0) continue;
            for (int t = qp.RowStart[i]; t < qp.RowStart[i + 1]; t++) fx[qp.Col[t]] += qp.Val[t] * w[i];
        }
        var sfx = new double[k];
        for (int a = 0; a < k; a++) { double s = 0; for (int b = 0; b < k; b++) s += qp.Sigma[a * k + b] * fx[b]; sfx[a] = s; }
        var rhs1 = new double[nf];
        double ps = qp.PScale;
        for (int f = 0; f < nf; f++)
        {
            int i = free[f];
            double s = 0;
            for (int t = qp.RowStart[i]; t < qp.RowStart[i + 1]; t++) s += qp.Val[t] * sfx[qp.Col[t]];
            rhs1[f] = -(qp.Q[i] + ps * s);
        }

        // M = P_FF + δI by Woodbury; Y = M⁻¹E'; Schur S = E Y.
        var rows = free.ToArray();
        var system = new LowRankSystem(qp, rows, ones: false, groupOf: null, groups: 0);
        var diag = new double[nf];
        for (int f = 0; f < nf; f++) diag[f] = ps * qp.Spec[rows[f]] + qp.Proximal + Regularisation;
        system.Factor(diag, ps, 0, default);
        var y = new double[m * nf];
        for (int r = 0; r < m; r++)
        {
            var col = y.AsSpan(r * nf, nf);
            e.AsSpan(r * nf, nf).CopyTo(col);
            system.Solve(col);
        }
        var schur = new double[m * m];
        double maxDiag = 0;
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
            {
                double s = 0;
                for (int f = 0; f < nf; f++) s += e[a * nf + f] * y[b * nf + f];
                schur[a * m + b] = s;
            }
        for (int a = 0; a < m; a++) for (int b = 0; b < a; b++) schur[a * m + b] = schur[b * m + a] = 0.5 * (schur[a * m + b] + schur[b * m + a]);
        for (int a = 0; a < m; a++) maxDiag = Math.Max(maxDiag, schur[a * m + a]);
        for (int a = 0; a < m; a++) schur[a * m + a] += 1e-13 * maxDiag;
        if (!Risk.SmallDense.Cholesky(schur, m)) return false;

        var wf = new double[nf];
        var nu = new double[m];
        var r1 = (double[])rhs1.Clone();
        var r2 = (double[])rhs2.Clone();
        var full = new double[n];
        var pf = new double[n];
        double residual = double.PositiveInfinity;
        for (int refine = 0; refine < 10; refine++)
        {
            // Correction of the regularised system, then residuals of the exact one (δ = 0).
            var v = (double[])r1.Clone();
            system.Solve(v);
            var t2 = new double[m];
            for (int a = 0; a < m; a++) { double s = -r2[a]; for (int f = 0; f < nf; f++) s += e[a * nf + f] * v[f]; t2[a] = s; }
            Risk.SmallDense.CholeskySolve(schur, m, t2);
            for (int f = 0; f < nf; f++) { double s = v[f]; for (int a = 0; a < m; a++) s -= y[a * nf + f] * t2[a]; wf[f] += s; }
            for (int a = 0; a < m; a++) nu[a] += t2[a];

            Array.Clear(full);
            for (int f = 0; f < nf; f++) full[rows[f]] = wf[f];
            qp.MultiplyP(full, pf);
            double worst = 0;
            for (int f = 0; f < nf; f++)
            {
                double s = rhs1[f] - pf[rows[f]];
                for (int a = 0; a < m; a++) s -= e[a * nf + f] * nu[a];
                r1[f] = s;
                worst = Math.Max(worst, Math.Abs(s));
            }
            for (int a = 0; a < m; a++)
            {
                double s = rhs2[a];
                for (int f = 0; f < nf; f++) s -= e[a * nf + f] * wf[f];
                r2[a] = s;
                worst = Math.Max(worst, Math.Abs(s));
            }
            residual = worst;
            if (worst < 1e-14) break;
        }
        // An inconsistent guess (e.g. an active industry with no free name and the wrong total) leaves a residual.
        if (!(residual < 1e-9))
        {
            for (int r = 0; r < m; r++) if (!(Math.Abs(r2[r]) < 1e-9)) unmet.Add(RowId(r));
            if (unmet.Count == 0) unmet.Add(-1);
            return false;
        }
        foreach (var v in wf) if (!double.IsFinite(v)) return false;
        for (int f = 0; f < nf; f++) w[rows[f]] = wf[f];
        nuBudget = nu[0];
        for (int r = 0; r < rowGroup.Count; r++) nuGroup[rowGroup[r]] = nu[1 + r];
        if (turnover) theta = nu[turnRow];
        return true;
    }
}
