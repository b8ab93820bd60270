namespace Trading.Research.Portfolio;

/// <summary>
/// OSQP-style solution polishing, in the space of the weights, with a KKT certificate. From an iterate (ADMM's, or the
/// proximal LP's) it guesses which constraints are active — those the projected iterate sits exactly on: names fixed
/// at 0, at their cap, or, when the turnover limit binds, at their current weight (the kink of |w − w0|); industries
/// at a bound; the turnover limit itself, with the sign of w_i − w0_i of every free name — and frees the names whose
/// KKT margin is within the multipliers' accuracy. It then solves the equality-constrained QP on the free names exactly
/// (P_FF w_F + E'ν = −g_F, E w_F = e; P_FF = diag + low rank by Woodbury, ν by the Schur complement E P_FF⁻¹ E',
/// a tiny regularisation removed by iterative refinement) and checks every KKT condition: primal feasibility,
/// stationarity, and the sign of every multiplier (bounds, industries, turnover). A failed check changes the guess
/// (a free name out of bounds is fixed, a fixed name whose multiplier has the wrong sign is freed, …) and the solve
/// repeats, a few rounds at most. Success is a certificate: for a convex QP, a point satisfying the KKT conditions is
/// optimal. Failure returns null and the caller iterates further (or keeps the ADMM iterate).
/// </summary>
internal sealed partial class ActiveSetPolisher
{
    private enum State : byte { Free, Lower, Upper, Kink }
    private enum Side : byte { None, Lower, Upper, Both }

    private const double PrimalTol = 1e-10, DualTol = 1e-9, Regularisation = 1e-9;
    private const int MaxRounds = 25;

    private readonly FactorQp _qp;

    public ActiveSetPolisher(FactorQp qp) => _qp = qp;

    public sealed record Outcome(double[] Weights, double KktResidual, int Rounds);

    /// <summary>Where polishing starts: an iterate, its projection (exactly on the bounds it touches) and multiplier estimates.</summary>
    /// <param name="Z">The iterate projected onto the box (and turnover set): exactly 0, the cap or w0 where a constraint is active.</param>
    /// <param name="IndustrySide">−1 at the lower bound, +1 at the upper bound, 0 inside, per constrained industry.</param>
    /// <param name="Ambiguity">Names at a bound whose KKT margin is below this are freed (the multipliers' accuracy).</param>
    public sealed record Start(double[] W, double[] Z, bool TurnoverActive, sbyte[] IndustrySide, double Nu, double[] Eta, double Theta, double Ambiguity);

    public static Start FromAdmm(FactorQp qp, AdmmSolver admm)
    {
        var side = new sbyte[qp.GroupCount];
        for (int g = 0; g < side.Length; g++)
        {
            if (admm.ZInd[g] == qp.GroupLower[g] && admm.YInd[g] < 0) side[g] = -1;
            else if (admm.ZInd[g] == qp.GroupUpper[g] && admm.YInd[g] > 0) side[g] = 1;
        }
        bool turnover = qp.HasTurnover && admm.Tau > 0;
        return new Start(admm.W, admm.ZCopy, turnover, side, admm.YBudget, (double[])admm.YInd.Clone(),
            turnover ? admm.CopyRho * admm.Tau : 0, Math.Max(1e-7, 10 * admm.DualResidual));
    }

    public static Start FromDual(FactorQp qp, ProximalLpDual dual)
    {
        var side = new sbyte[qp.GroupCount];
        for (int g = 0; g < side.Length; g++) side[g] = (sbyte)Math.Sign(dual.Eta[g]);
        return new Start(dual.W, dual.W, qp.HasTurnover && dual.Theta > 0, side, dual.Nu, (double[])dual.Eta.Clone(), dual.Theta, 1e-9);
    }

    public Outcome? Polish(Start start)
    {
        var qp = _qp;
        int n = qp.N, groups = qp.GroupCount;
        var state = new State[n];
        var sign = new sbyte[n];
        var side = new Side[groups];

        // Initial guess: a constraint is active when the projected iterate sits exactly on it: on 0, on the cap or
        // (soft-thresholding, when the turnover limit binds) on w0.
        bool turnover = start.TurnoverActive;
        for (int i = 0; i < n; i++)
        {
            double u = qp.Upper[i], z = start.Z[i];
            if (u == 0 || z == 0) state[i] = State.Lower;
            else if (z == u) state[i] = State.Upper;
            else if (turnover)
            {
                sign[i] = SignOf(z - qp.W0[i]);
                if (z == qp.W0[i] || sign[i] == 0) state[i] = State.Kink;
            }
            state[i] = Normalise(i, state[i]);
        }
        for (int g = 0; g < groups; g++)
            side[g] = qp.GroupLower[g] == qp.GroupUpper[g] ? Side.Both : start.IndustrySide[g] < 0 ? Side.Lower : start.IndustrySide[g] > 0 ? Side.Upper : Side.None;

        // A name held at a bound whose KKT margin (from the start's multiplier estimates) is within their accuracy may
        // just as well be basic: free it (for an LP these are exactly the fractional names). Freeing too many is
        // harmless: the exact solve puts them where they belong, or pushes them out of bounds and the next round
        // fixes them there.
        var grad = new double[n];
        var margin = new double[n];
        qp.MultiplyP(start.W, grad);
        for (int i = 0; i < n; i++) grad[i] += qp.Q[i];
        double nuBudget = start.Nu, theta = turnover ? start.Theta : 0;
        var nuGroup = (double[])start.Eta.Clone();
        double ambiguity = start.Ambiguity;
        Margins(state, side, turnover, grad, nuBudget, nuGroup, theta, margin, sign);
        for (int i = 0; i < n; i++)
            if (state[i] != State.Free && margin[i] < ambiguity && qp.Upper[i] > 0) state[i] = State.Free;

        // With a proximal term (LPs) the rounds first settle the active set of the regularised problem, then re-solve
        // it without the term: the certificate is always for the problem as posed.
        double proximal = qp.Proximal;
        bool exact = proximal == 0;
        try
        {
            return Rounds(state, sign, side, turnover, grad, margin, nuBudget, nuGroup, theta, exact);
        }
        finally
        {
            if (qp.Proximal != proximal) qp.SetProximal(proximal);
        }
    }

    private Outcome? Rounds(State[] state, sbyte[] sign, Side[] side, bool turnover, double[] grad, double[] margin,
        double nuBudget, double[] nuGroup, double theta, bool exact)
    {
        double admmNu = nuBudget, admmTheta = theta;
        var admmEta = (double[])nuGroup.Clone();
        var qp = _qp;
        int n = qp.N, groups = qp.GroupCount;
        var w = new double[n];
        // A guess that keeps freeing names is going astray (all-at-once updates can oscillate on LPs): give up early
        // and let ADMM get closer instead.
        int freeLimit = Math.Max(64, 4 * state.Count(x => x == State.Free) + 4 * (groups + 2));
        for (int round = 1; round <= MaxRounds; round++)
        {
            if (state.Count(x => x == State.Free) > freeLimit) return null;
            var solved = SolveReduced(state, sign, side, turnover, w, out var nuB, out var nuG, out var th, out var unmet);
            if (!solved)
            {
                // Without curvature (an LP after the proximal term is dropped) an unsolvable guess means ε was too big.
                if (exact && qp.Lambda == 0) return null;
                // Some active equality cannot be met by the free names: free, for each such row, the fixed name of
                // that row nearest to indifference (smallest KKT margin).
                bool freed = false;
                foreach (var row in unmet)
                {
                    int best = -1;
                    for (int i = 0; i < n; i++)
                    {
                        if (state[i] == State.Free || qp.Upper[i] == 0) continue;
                        if (row >= 0 && qp.Group[i] != row) continue; // row −1: budget or turnover, any name
                        if (best < 0 || margin[i] < margin[best]) best = i;
                    }
                    if (best >= 0) { state[best] = State.Free; freed = true; }
                }
                if (!freed) return null;
                continue;
            }
            nuBudget = nuB; nuGroup = nuG; theta = th;
            qp.MultiplyP(w, grad);
            for (int i = 0; i < n; i++) grad[i] += qp.Q[i];

            // At a degenerate vertex (fewer free names than active equalities) the free names do not determine the
            // multipliers, and the solve's minimum-norm choice may fail a sign condition that other multipliers meet.
            // A KKT certificate needs only some valid multipliers: try ADMM's estimate, projected onto the free names'
            // stationarity equations, and keep it if every sign condition holds.
            int free = state.Count(x => x == State.Free), rowsActive = 1 + side.Count(x => x != Side.None) + (turnover ? 1 : 0);
            if (free < rowsActive)
            {
                var (pn, pg, pt) = ProjectMultipliers(state, sign, side, turnover, grad, admmNu, admmEta, admmTheta);
                var trial = new double[n];
                double worst = Margins(state, side, turnover, grad, pn, pg, pt, trial, (sbyte[])sign.Clone());
                bool signsOk = !(turnover && pt < -DualTol);
                for (int g = 0; g < groups; g++)
                    if (side[g] == Side.Upper && pg[g] < -DualTol || side[g] == Side.Lower && pg[g] > DualTol) signsOk = false;
                if (signsOk && worst <= DualTol) { nuBudget = pn; nuGroup = pg; theta = pt; }
            }

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
            if (!changed && !exact)
            {
                exact = true;
                qp.SetProximal(0);
                continue;
            }
            if (!changed)
            {
                if (!(kkt <= 1e-7)) return null; // stationarity not met to the solve's accuracy: no certificate
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
}
