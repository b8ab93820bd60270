namespace Trading.Research.Portfolio;

/// <summary>
/// OSQP-style solution polishing, in the space of the weights, with a KKT certificate. From the ADMM iterate it
/// guesses which constraints are active (those whose z the last projection clamped onto a bound): names fixed at 0,
/// at their cap, or, when the turnover limit binds, at their
/// current weight (the kink of |w − w0|); industries at a bound; the turnover limit itself, with the sign of
/// w_i − w0_i of every free name. It then solves the equality-constrained QP on the free names exactly
/// (P_FF w_F + E'ν = −g_F, E w_F = e; P_FF = diag + low rank by Woodbury, ν by the Schur complement E P_FF⁻¹ E',
/// a tiny regularisation removed by iterative refinement) and checks every KKT condition: primal feasibility,
/// stationarity, and the sign of every multiplier (bounds, industries, turnover). A failed check changes the guess
/// (a free name out of bounds is fixed, a fixed name whose multiplier has the wrong sign is freed, …) and the solve
/// repeats, a few rounds at most. Success is a certificate: for a convex QP, a point satisfying the KKT conditions is
/// optimal. Failure returns null and the caller keeps the ADMM iterate.
/// </summary>
internal sealed class ActiveSetPolisher
{
    private enum State : byte { Free, Lower, Upper, Kink }
    private enum Side : byte { None, Lower, Upper, Both }

    private const double PrimalTol = 1e-10, DualTol = 1e-9, Regularisation = 1e-9;
    private const int MaxRounds = 25;

    private readonly FactorQp _qp;
    internal static bool Trace = Environment.GetEnvironmentVariable("OPT_TRACE") == "1"; // TEMP

    public ActiveSetPolisher(FactorQp qp) => _qp = qp;

    public sealed record Outcome(double[] Weights, double KktResidual, int Rounds);

    public Outcome? Polish(AdmmSolver admm)
    {
        var qp = _qp;
        int n = qp.N, groups = qp.GroupCount;
        var state = new State[n];
        var sign = new sbyte[n];
        var side = new Side[groups];

        // Initial guess from the ADMM iterate: a row is active when its z sits exactly on a bound. ADMM's projection
        // clamps z onto the bound exactly, and a clamped row's y then has the sign of an active multiplier. (OSQP's
        // rule z − l < −y compares a weight with a gradient; unscaled, that misreads rows whose y is still noisy.)
        bool turnover = qp.HasTurnover && admm.ZSum == qp.MaxTurnover && admm.YSum > 0;
        for (int i = 0; i < n; i++)
        {
            double u = qp.Upper[i];
            if (u == 0 || admm.ZBox[i] == 0 && admm.YBox[i] < 0) state[i] = State.Lower;
            else if (admm.ZBox[i] == u && admm.YBox[i] > 0) state[i] = State.Upper;
            else if (turnover)
            {
                bool up = admm.Z1[i] == qp.W0[i] && admm.Y1[i] > 0, down = admm.Z2[i] == qp.W0[i] && admm.Y2[i] < 0;
                if (up && down) state[i] = State.Kink;
                else sign[i] = up ? (sbyte)1 : down ? (sbyte)-1 : SignOf(admm.W[i] - qp.W0[i]);
                if (sign[i] == 0 && state[i] == State.Free) state[i] = State.Kink;
            }
            state[i] = Normalise(i, state[i]);
        }
        for (int g = 0; g < groups; g++)
        {
            if (qp.GroupLower[g] == qp.GroupUpper[g]) side[g] = Side.Both;
            else if (admm.ZInd[g] == qp.GroupLower[g] && admm.YInd[g] < 0) side[g] = Side.Lower;
            else if (admm.ZInd[g] == qp.GroupUpper[g] && admm.YInd[g] > 0) side[g] = Side.Upper;
        }

        // A name held at a bound whose KKT margin (from ADMM's multiplier estimates) is within the dual accuracy may
        // just as well be basic: free it (for an LP these are exactly the fractional names). Freeing too many is
        // harmless: the exact solve puts them where they belong, or pushes them out of bounds and the next round
        // fixes them there.
        var grad = new double[n];
        var margin = new double[n];
        qp.MultiplyP(admm.W, grad);
        for (int i = 0; i < n; i++) grad[i] += qp.Q[i];
        double nuBudget = admm.YBudget, theta = turnover ? admm.YSum : 0;
        var nuGroup = (double[])admm.YInd.Clone();
        double ambiguity = Math.Max(1e-7, 10 * admm.DualResidual);
        Margins(state, side, turnover, grad, nuBudget, nuGroup, theta, margin, sign);
        for (int i = 0; i < n; i++)
            if (state[i] != State.Free && margin[i] < ambiguity && qp.Upper[i] > 0) state[i] = State.Free;

        var w = new double[n];
        for (int round = 1; round <= MaxRounds; round++)
        {
            var solved = SolveReduced(state, sign, side, turnover, w, out var nuB, out var nuG, out var th);
            if (Trace) Console.Error.WriteLine($"  round {round}: solved {solved} free {state.Count(x => x == State.Free)} lower {state.Count(x => x == State.Lower)} upper {state.Count(x => x == State.Upper)} kink {state.Count(x => x == State.Kink)} turnover {turnover} inds {side.Count(x => x != Side.None)} theta {th:E2}");
            if (!solved)
            {
                // Too few free names for the active equalities: free the fixed names nearest to indifference.
                var candidates = Enumerable.Range(0, n).Where(i => state[i] != State.Free && qp.Upper[i] > 0)
                    .OrderBy(i => margin[i]).Take(Math.Max(2, groups / 4)).ToList();
                if (candidates.Count == 0) return null;
                foreach (var i in candidates) state[i] = State.Free;
                continue;
            }
            nuBudget = nuB; nuGroup = nuG; theta = th;
            qp.MultiplyP(w, grad);
            for (int i = 0; i < n; i++) grad[i] += qp.Q[i];

            bool changed = false;
            // Multiplier signs of industries and turnover.
            for (int g = 0; g < groups; g++)
            {
                if (side[g] == Side.Upper && nuGroup[g] < -DualTol || side[g] == Side.Lower && nuGroup[g] > DualTol)
                { side[g] = Side.None; changed = true; }
            }
            if (turnover && theta < -DualTol)
            {
                turnover = false;
                for (int i = 0; i < n; i++) if (state[i] == State.Kink) state[i] = State.Free;
                changed = true;
            }
            // Primal feasibility of what was left free.
            var industry = new double[groups];
            double turnoverUsed = 0;
            for (int i = 0; i < n; i++)
            {
                if (qp.Group[i] >= 0) industry[qp.Group[i]] += w[i];
                turnoverUsed += Math.Abs(w[i] - qp.W0[i]);
            }
            for (int g = 0; g < groups; g++)
            {
                if (side[g] != Side.None) continue;
                if (industry[g] < qp.GroupLower[g] - PrimalTol) { side[g] = Side.Lower; changed = true; }
                else if (industry[g] > qp.GroupUpper[g] + PrimalTol) { side[g] = Side.Upper; changed = true; }
            }
            if (!turnover && qp.HasTurnover && turnoverUsed > qp.MaxTurnover + PrimalTol)
            {
                turnover = true;
                for (int i = 0; i < n; i++)
                {
                    if (state[i] != State.Free) continue;
                    sign[i] = SignOf(w[i] - qp.W0[i]);
                    if (sign[i] == 0) state[i] = Normalise(i, State.Kink);
                }
                changed = true;
            }

            double kkt = Margins(state, side, turnover, grad, nuBudget, nuGroup, turnover ? theta : 0, margin, sign);
            for (int i = 0; i < n; i++)
            {
                if (state[i] == State.Free)
                {
                    if (w[i] < -PrimalTol) { state[i] = State.Lower; changed = true; }
                    else if (w[i] > qp.Upper[i] + PrimalTol) { state[i] = State.Upper; changed = true; }
                    else if (turnover && sign[i] * (w[i] - qp.W0[i]) < -PrimalTol) { state[i] = Normalise(i, State.Kink); changed = true; }
                }
                else if (margin[i] < -DualTol && qp.Upper[i] > 0) { state[i] = State.Free; changed = true; }
            }
            if (Trace) Console.Error.WriteLine($"    kkt {kkt:E2} changed {changed}");
            if (!changed)
            {
                for (int i = 0; i < n; i++) w[i] = Math.Clamp(w[i], 0, qp.Upper[i]);
                return new Outcome(w, kkt / qp.CostScale, round);
            }
        }
        return null;
    }

    /// <summary>
    /// The KKT margin of every name held at a bound (positive: its multiplier has the right sign; negative: moving it
    /// off the bound improves the objective), with the sign of w − w0 it would take if freed; for free names the
    /// margin is minus the stationarity residual's size. Returns the largest KKT violation.
    /// </summary>
    private double Margins(State[] state, Side[] side, bool turnover, double[] grad, double nuBudget, double[] nuGroup,
        double theta, double[] margin, sbyte[] sign)
    {
        var qp = _qp;
        double worst = 0;
        for (int i = 0; i < qp.N; i++)
        {
            int g = qp.Group[i];
            double r = grad[i] + nuBudget + (g >= 0 && side[g] != Side.None ? nuGroup[g] : 0);
            double th = turnover ? theta : 0, w0 = qp.W0[i], u = qp.Upper[i];
            double m;
            switch (state[i])
            {
                case State.Free:
                    m = -Math.Abs(r + th * sign[i]);
                    worst = Math.Max(worst, -m);
                    margin[i] = m;
                    continue;
                case State.Lower:
                    {
                        // Moving up from 0 changes |w − w0| by −1 per unit while w < w0, +1 when w0 = 0.
                        sbyte slope = w0 > 0 ? (sbyte)-1 : (sbyte)1;
                        m = r + th * slope;
                        sign[i] = slope;
                        break;
                    }
                case State.Upper:
                    {
                        // Moving down from u: |w − w0| falls when u > w0, rises when u ≤ w0.
                        sbyte slope = u > w0 ? (sbyte)1 : (sbyte)-1;
                        m = -(r + th * slope);
                        sign[i] = slope;
                        break;
                    }
                default: // Kink: w = w0 strictly inside the box
                    m = th - Math.Abs(r);
                    sign[i] = r > 0 ? (sbyte)-1 : (sbyte)1;
                    break;
            }
            margin[i] = m;
            if (u > 0) worst = Math.Max(worst, -m);
        }
        return worst;
    }

    private State Normalise(int i, State s)
    {
        if (s != State.Kink) return s;
        double w0 = _qp.W0[i], u = _qp.Upper[i];
        return w0 <= 0 ? State.Lower : w0 >= u ? State.Upper : State.Kink;
    }

    private static sbyte SignOf(double v) => v > 1e-12 ? (sbyte)1 : v < -1e-12 ? (sbyte)-1 : (sbyte)0;

    /// <summary>Solves the equality-constrained QP of the current guess into <paramref name="w"/> (all names).</summary>
    private bool SolveReduced(State[] state, sbyte[] sign, Side[] side, bool turnover, double[] w,
        out double nuBudget, out double[] nuGroup, out double theta)
    {
        var qp = _qp;
        int n = qp.N, groups = qp.GroupCount, k = qp.K;
        nuBudget = 0; theta = 0;
        nuGroup = new double[groups];

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
        if (nf == 0)
        {
            // Nothing free: the guess must satisfy the equalities by itself.
            foreach (var v in rhs2) if (Math.Abs(v) > PrimalTol) return false;
            return true;
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
        var system = new LowRankSystem(qp, rows, hasT: false, onesW: false, groupOf: null, groups: 0, onesT: false);
        var diag = new double[nf];
        for (int f = 0; f < nf; f++) diag[f] = ps * qp.Spec[rows[f]] + Regularisation;
        system.Factor(diag, default, default, ps, 0, default, 0);
        var y = new double[m * nf];
        for (int r = 0; r < m; r++)
        {
            var col = y.AsSpan(r * nf, nf);
            e.AsSpan(r * nf, nf).CopyTo(col);
            system.Solve(col, default);
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
            system.Solve(v, default);
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
        if (!(residual < 1e-9)) return false;
        foreach (var v in wf) if (!double.IsFinite(v)) return false;
        for (int f = 0; f < nf; f++) w[rows[f]] = wf[f];
        nuBudget = nu[0];
        for (int r = 0; r < rowGroup.Count; r++) nuGroup[rowGroup[r]] = nu[1 + r];
        if (turnover) theta = nu[turnRow];
        return true;
    }
}
