using Trading.Research.Risk;

namespace Trading.Research.Portfolio;

/// <summary>
/// An <see cref="OptimiserProblem"/> as a scaled convex QP over the weights, keeping the factor structure:
/// minimise ½w'Pw + q'w with P = c·2λ(XΣX' + diag(spec)) and q = c·(−s − 2λVb), where c scales the objective so that
/// its largest gradient coefficient is about 1 (ADMM's step sizes then fit every problem). X is kept as sparse rows:
/// industry dummies make most of it zero.
/// </summary>
internal sealed class FactorQp
{
    public int N { get; }
    public int K { get; }
    public int[] RowStart { get; }
    public int[] Col { get; }
    public double[] Val { get; }
    public double[] Sigma { get; }      // K × K, row-major, the model's factor covariance
    public double[] Spec { get; }
    public double Lambda { get; }
    public double CostScale { get; }    // c
    public double[] QBase { get; }      // scaled linear term of the problem
    public double[] Q { get; }          // the linear term solved: QBase − ε·w0 with the proximal term
    public double Proximal { get; private set; } // ε of the proximal term (ε/2)‖w − w0‖², 0 unless set
    public double[] Upper { get; }      // cap per name, 0 for ineligible names
    public int[] Group { get; }         // constrained industry row per name, −1 if none
    public int GroupCount { get; }
    public int[] GroupIndustryId { get; }
    public double[] GroupLower { get; }
    public double[] GroupUpper { get; }
    public bool HasTurnover { get; }
    public double[] W0 { get; }
    public double MaxTurnover { get; }
    public double[] Scores { get; }     // NaN replaced by 0
    public double[]? Benchmark { get; }

    /// <summary>c·2λ: P = PScale·(XΣX' + diag(spec)).</summary>
    public double PScale => CostScale * 2 * Lambda;

    public FactorQp(OptimiserProblem problem)
    {
        var model = problem.Risk ?? throw new ArgumentException("A risk model is required.", nameof(problem));
        int n = model.AssetCount, k = model.FactorCount;
        N = n;
        K = k;
        if (problem.Scores.Length != n) throw new ArgumentException($"{problem.Scores.Length} scores for a risk model of {n} names.", nameof(problem));
        if (!(problem.RiskAversion >= 0) || double.IsInfinity(problem.RiskAversion)) throw new ArgumentException($"Risk aversion must be finite and ≥ 0, got {problem.RiskAversion}.", nameof(problem));
        if (!(problem.MaxWeight > 0)) throw new ArgumentException($"Max weight must be positive, got {problem.MaxWeight}.", nameof(problem));
        if (problem.MaxWeights is { } caps && caps.Length != n) throw new ArgumentException($"{caps.Length} caps for {n} names.", nameof(problem));
        if (problem.CurrentWeights is { } cw && cw.Length != n) throw new ArgumentException($"{cw.Length} current weights for {n} names.", nameof(problem));
        if (problem.BenchmarkWeights is { } bw && bw.Length != n) throw new ArgumentException($"{bw.Length} benchmark weights for {n} names.", nameof(problem));
        if (problem.IndustryBounds is not null && (problem.IndustryIds is null || problem.IndustryIds.Length != n))
            throw new ArgumentException("Industry bounds need one industry id per name.", nameof(problem));
        if (problem.MaxTurnover is { } mt && !(mt >= 0)) throw new ArgumentException($"Max turnover must be ≥ 0, got {mt}.", nameof(problem));

        // Sparse rows of X.
        var x = model.Exposures.Values;
        int nnz = 0;
        foreach (var v in x) if (v != 0) nnz++;
        RowStart = new int[n + 1];
        Col = new int[nnz];
        Val = new double[nnz];
        for (int i = 0, e = 0; i < n; i++)
        {
            RowStart[i] = e;
            for (int j = 0; j < k; j++)
            {
                double v = x[i * k + j];
                if (v != 0) { Col[e] = j; Val[e] = v; e++; }
            }
            RowStart[i + 1] = e;
        }
        Sigma = model.FactorCovarianceRowMajor;
        Spec = model.SpecificVariance.ToArray();
        Lambda = problem.RiskAversion;

        Scores = new double[n];
        Upper = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = problem.Scores[i];
            bool eligible = double.IsFinite(s);
            Scores[i] = eligible ? s : 0;
            double cap = Math.Min(problem.MaxWeight, problem.MaxWeights?[i] ?? double.PositiveInfinity);
            if (double.IsNaN(cap) || cap < 0) throw new ArgumentException($"Cap of name {i} is {cap}.", nameof(problem));
            Upper[i] = eligible ? Math.Min(cap, 1.0) : 0;
        }

        W0 = problem.CurrentWeights is { } w0 ? (double[])w0.Clone() : new double[n];
        foreach (var v in W0) if (!(v >= 0) || !double.IsFinite(v)) throw new ArgumentException("Current weights must be finite and ≥ 0.", nameof(problem));
        HasTurnover = problem.MaxTurnover.HasValue;
        MaxTurnover = problem.MaxTurnover ?? double.PositiveInfinity;
        Benchmark = problem.BenchmarkWeights is { } b ? (double[])b.Clone() : null;

        // Constrained industries: those with a lower bound above 0 or a finite upper bound.
        Group = new int[n];
        Array.Fill(Group, -1);
        var ids = new List<int>();
        var lo = new List<double>();
        var hi = new List<double>();
        if (problem.IndustryBounds is { } bounds)
        {
            var rowOf = new int[bounds.Count];
            for (int g = 0; g < bounds.Count; g++)
            {
                rowOf[g] = -1;
                double l = bounds.LowerOf(g), u = bounds.UpperOf(g);
                if (l > 0 || double.IsFinite(u))
                {
                    rowOf[g] = ids.Count;
                    ids.Add(g);
                    lo.Add(l);
                    hi.Add(u);
                }
            }
            for (int i = 0; i < n; i++)
            {
                int id = problem.IndustryIds![i];
                if (id >= 0 && id < bounds.Count) Group[i] = rowOf[id];
            }
        }
        GroupCount = ids.Count;
        GroupIndustryId = ids.ToArray();
        GroupLower = lo.ToArray();
        GroupUpper = hi.ToArray();

        // q = −s − 2λ V b (b = benchmark), then the scale c from the largest of |q| and diag(P).
        var qRaw = new double[n];
        for (int i = 0; i < n; i++) qRaw[i] = -Scores[i];
        if (Benchmark is not null && Lambda > 0)
        {
            var vb = new double[n];
            MultiplyCovariance(Benchmark, vb);
            for (int i = 0; i < n; i++) qRaw[i] -= 2 * Lambda * vb[i];
        }
        double scale = 0;
        for (int i = 0; i < n; i++)
        {
            if (Upper[i] == 0) qRaw[i] = 0; // ineligible names are fixed at 0: keep their data out of the scale
            scale = Math.Max(scale, Math.Abs(qRaw[i]));
            if (Upper[i] > 0) scale = Math.Max(scale, 2 * Lambda * CovarianceDiagonal(i));
        }
        CostScale = scale > 0 ? 1 / scale : 1;
        QBase = new double[n];
        for (int i = 0; i < n; i++) QBase[i] = CostScale * qRaw[i];
        Q = (double[])QBase.Clone();
    }

    /// <summary>
    /// Adds (ε/2)‖w − w0‖² to the objective (scaled units) for LPs, where ADMM and polishing need curvature. By exact
    /// regularisation (Mangasarian &amp; Meyer 1979) the solution is, for ε small enough, an optimum of the LP itself:
    /// the one nearest the current weights. Optimality is then certified against the original objective.
    /// </summary>
    public void SetProximal(double epsilon)
    {
        Proximal = epsilon;
        for (int i = 0; i < N; i++) Q[i] = Upper[i] > 0 ? QBase[i] - epsilon * W0[i] : 0;
    }

    /// <summary>V_ii = X_i Σ X_i' + spec_i.</summary>
    public double CovarianceDiagonal(int i)
    {
        double s = 0;
        for (int a = RowStart[i]; a < RowStart[i + 1]; a++)
            for (int b = RowStart[i]; b < RowStart[i + 1]; b++)
                s += Val[a] * Sigma[Col[a] * K + Col[b]] * Val[b];
        return s + Spec[i];
    }

    /// <summary>result = V w = X Σ X'w + spec∘w (unscaled covariance).</summary>
    public void MultiplyCovariance(ReadOnlySpan<double> w, Span<double> result)
    {
        Span<double> f = stackalloc double[K];
        Span<double> g = stackalloc double[K];
        f.Clear();
        for (int i = 0; i < N; i++)
        {
            double wi = w[i];
            if (wi == 0) continue;
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++) f[Col[e]] += Val[e] * wi;
        }
        for (int a = 0; a < K; a++)
        {
            double s = 0;
            for (int b = 0; b < K; b++) s += Sigma[a * K + b] * f[b];
            g[a] = s;
        }
        for (int i = 0; i < N; i++)
        {
            double s = Spec[i] * w[i];
            for (int e = RowStart[i]; e < RowStart[i + 1]; e++) s += Val[e] * g[Col[e]];
            result[i] = s;
        }
    }

    /// <summary>result = P w (scaled), with the proximal term when set.</summary>
    public void MultiplyP(ReadOnlySpan<double> w, Span<double> result)
    {
        MultiplyPOriginal(w, result);
        if (Proximal != 0) for (int i = 0; i < N; i++) result[i] += Proximal * w[i];
    }

    /// <summary>result = P w (scaled), the problem's own curvature.</summary>
    public void MultiplyPOriginal(ReadOnlySpan<double> w, Span<double> result)
    {
        if (Lambda == 0) { result.Clear(); return; }
        MultiplyCovariance(w, result);
        double ps = PScale;
        for (int i = 0; i < N; i++) result[i] *= ps;
    }

    /// <summary>risk(w) = (w − b)'V(w − b), unscaled.</summary>
    public double Risk(ReadOnlySpan<double> w)
    {
        var d = w.ToArray();
        if (Benchmark is not null) for (int i = 0; i < N; i++) d[i] -= Benchmark[i];
        var vd = new double[N];
        MultiplyCovariance(d, vd);
        double s = 0;
        for (int i = 0; i < N; i++) s += d[i] * vd[i];
        return Math.Max(s, 0);
    }

    public double Score(ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < N; i++) s += Scores[i] * w[i];
        return s;
    }

    public double TurnoverOf(ReadOnlySpan<double> w)
    {
        double s = 0;
        for (int i = 0; i < N; i++) s += Math.Abs(w[i] - W0[i]);
        return s;
    }

    /// <summary>Every constraint checked on <paramref name="w"/>, in the problem's own terms.</summary>
    public ConstraintReport Check(ReadOnlySpan<double> w, double tolerance)
    {
        double sum = 0, neg = 0, over = 0;
        int negAt = -1, overAt = -1;
        for (int i = 0; i < N; i++)
        {
            sum += w[i];
            if (-w[i] > neg) { neg = -w[i]; negAt = i; }
            if (w[i] - Upper[i] > over) { over = w[i] - Upper[i]; overAt = i; }
        }
        var checks = new List<ConstraintCheck>
        {
            new(ConstraintReport.Budget, Math.Abs(sum - 1), -1),
            new(ConstraintReport.LongOnly, neg, negAt),
            new(ConstraintReport.MaxWeight, over, overAt),
        };
        if (GroupCount > 0)
        {
            var s = new double[GroupCount];
            for (int i = 0; i < N; i++) if (Group[i] >= 0) s[Group[i]] += w[i];
            double worst = 0;
            int at = -1;
            for (int g = 0; g < GroupCount; g++)
            {
                double v = Math.Max(GroupLower[g] - s[g], s[g] - GroupUpper[g]);
                if (v > worst) { worst = v; at = GroupIndustryId[g]; }
            }
            checks.Add(new ConstraintCheck(ConstraintReport.Industry, worst, at));
        }
        if (HasTurnover) checks.Add(new ConstraintCheck(ConstraintReport.Turnover, Math.Max(0, TurnoverOf(w) - MaxTurnover), -1));
        return new ConstraintReport(checks, tolerance);
    }
}
