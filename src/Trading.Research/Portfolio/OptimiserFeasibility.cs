namespace Trading.Research.Portfolio;

/// <summary>
/// Exact feasibility of {0 ≤ w ≤ u, Σw = 1, L_g ≤ Σ_{i∈g} w_i ≤ U_g, Σ|w − w0| ≤ T}, decided before any solver
/// runs, with a feasible point of least turnover. The structure makes it closed-form:
/// <list type="number">
/// <item>c = clip(w0, 0, u) is the nearest point of the box; any feasible w pays at least Σ|c − w0| on top of |w − c|
/// (coordinate-wise, c lies between w0 and w).</item>
/// <item>Per industry (names outside constrained industries form one more, unbounded group) the total must move
/// from C_g = Σc into [lo_g, hi_g] = [max(L_g, 0), min(U_g, Σ_g u)], nearest d_g = clip(C_g, lo_g, hi_g).</item>
/// <item>Then the totals move from Σd to 1, all in one direction. Every move goes one way inside each group, so
/// the turnover of the construction equals the lower bound Σ|c − w0| + Σ_g|d_g − C_g| + |1 − Σd|: it is the least
/// turnover of any feasible portfolio.</item>
/// </list>
/// The problem is feasible iff lo_g ≤ hi_g for every group, Σlo ≤ 1 ≤ Σhi, and T ≥ that least turnover.
/// </summary>
internal static class OptimiserFeasibility
{
    public sealed record Analysis(bool IsFeasible, IReadOnlyList<string> Problems, double[] Point, double MinTurnover);

    public static Analysis Analyse(FactorQp qp)
    {
        const double tol = 1e-12;
        int n = qp.N, groups = qp.GroupCount + 1, free = qp.GroupCount;
        int GroupOf(int i) => qp.Group[i] >= 0 ? qp.Group[i] : free;
        var c = new double[n];
        var total = new double[groups];
        var capacity = new double[groups];
        var count = new int[groups];
        double turnover = 0;
        for (int i = 0; i < n; i++)
        {
            c[i] = Math.Clamp(qp.W0[i], 0, qp.Upper[i]);
            turnover += Math.Abs(c[i] - qp.W0[i]);
            int g = GroupOf(i);
            total[g] += c[i];
            capacity[g] += qp.Upper[i];
            if (qp.Upper[i] > 0) count[g]++;
        }
        var lo = new double[groups];
        var hi = new double[groups];
        var problems = new List<string>();
        for (int g = 0; g < groups; g++)
        {
            lo[g] = g < free ? Math.Max(0, qp.GroupLower[g]) : 0;
            hi[g] = Math.Min(g < free ? qp.GroupUpper[g] : double.PositiveInfinity, capacity[g]);
            if (lo[g] > hi[g] + tol)
            {
                string name = $"industry {qp.GroupIndustryId[g]}";
                problems.Add(qp.GroupUpper[g] < lo[g]
                    ? $"{name}: lower bound {lo[g]:0.######} is above its upper bound {qp.GroupUpper[g]:0.######}"
                    : $"{name}: lower bound {lo[g]:0.######} but its {count[g]} eligible names can hold at most {capacity[g]:0.######} under their caps");
            }
        }
        double sumLo = lo.Sum(), sumHi = hi.Sum();
        if (sumLo > 1 + tol) problems.Add($"industry lower bounds sum to {sumLo:0.######} > 1");
        if (sumHi < 1 - tol) problems.Add($"caps and industry upper bounds allow at most {sumHi:0.######} < 1 invested (full investment impossible)");
        if (problems.Count > 0) return new Analysis(false, problems, [], double.NaN);

        var d = new double[groups];
        double sumD = 0;
        for (int g = 0; g < groups; g++) { d[g] = Math.Clamp(total[g], lo[g], hi[g]); sumD += d[g]; }
        for (int g = 0; g < groups; g++) turnover += Math.Abs(d[g] - total[g]);
        turnover += Math.Abs(1 - sumD);
        if (sumD < 1)
        {
            double room = 0;
            for (int g = 0; g < groups; g++) room += hi[g] - d[g];
            for (int g = 0; g < groups; g++) d[g] += (hi[g] - d[g]) * (1 - sumD) / room;
        }
        else if (sumD > 1)
        {
            double room = 0;
            for (int g = 0; g < groups; g++) room += d[g] - lo[g];
            for (int g = 0; g < groups; g++) d[g] -= (d[g] - lo[g]) * (sumD - 1) / room;
        }

        // Inside each group, move the names' total from C_g to d_g, each name within [0, u_i], one direction only.
        var w = (double[])c.Clone();
        var roomUp = new double[groups];
        var roomDown = new double[groups];
        for (int i = 0; i < n; i++) { roomUp[GroupOf(i)] += qp.Upper[i] - c[i]; roomDown[GroupOf(i)] += c[i]; }
        for (int i = 0; i < n; i++)
        {
            int g = GroupOf(i);
            double change = d[g] - total[g];
            if (change > 0 && roomUp[g] > 0) w[i] = Math.Min(qp.Upper[i], c[i] + (qp.Upper[i] - c[i]) * change / roomUp[g]);
            else if (change < 0 && roomDown[g] > 0) w[i] = Math.Max(0, c[i] + c[i] * change / roomDown[g]);
        }

        if (qp.HasTurnover && turnover > qp.MaxTurnover + 1e-10)
            return new Analysis(false,
                [$"the turnover limit {qp.MaxTurnover:0.######} is below {turnover:0.######}, the least turnover that meets the caps, industry bounds and full investment"],
                [], turnover);
        return new Analysis(true, [], w, turnover);
    }
}
