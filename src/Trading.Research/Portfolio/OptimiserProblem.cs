using Trading.Research.Risk;

namespace Trading.Research.Portfolio;

/// <summary>
/// maximise s·w − λ·risk(w) subject to w ≥ 0, Σw = 1, w_i ≤ cap_i, industry bounds and Σ|w − w0| ≤ T, where
/// risk(w) = (w − b)'(XFX' + diag(spec))(w − b) from a <see cref="FactorRiskModel"/> (b = 0 unless a benchmark is given),
/// in the model's units per period. With annual expected returns as scores and a daily model, pass
/// λ = λ_annual × <see cref="FactorRiskModel.PeriodsPerYear"/> so that both terms are annual.
/// </summary>
public sealed record OptimiserProblem
{
    /// <summary>Expected returns or scores per name; NaN = not eligible (its weight is held at 0).</summary>
    public required double[] Scores { get; init; }

    public required FactorRiskModel Risk { get; init; }

    /// <summary>λ ≥ 0. With 0 the problem is a linear programme (weights go to the caps by score order).</summary>
    public double RiskAversion { get; init; }

    /// <summary>Cap on every name's weight (1 = none).</summary>
    public double MaxWeight { get; init; } = 1.0;

    /// <summary>Per-name caps, combined with <see cref="MaxWeight"/> by the minimum (0 excludes a name).</summary>
    public double[]? MaxWeights { get; init; }

    /// <summary>Industry id per name for <see cref="IndustryBounds"/> (ids below 0 or beyond the bounds: unconstrained).</summary>
    public int[]? IndustryIds { get; init; }

    public IndustryBounds? IndustryBounds { get; init; }

    /// <summary>Current weights w0 (they may sum to less than 1 when holding cash); zero when null.</summary>
    public double[]? CurrentWeights { get; init; }

    /// <summary>Turnover limit T on Σ|w − w0|, buys and sells both counted (switching everything is 2); none when null.</summary>
    public double? MaxTurnover { get; init; }

    /// <summary>Benchmark weights b: risk becomes active risk (tracking variance) when given.</summary>
    public double[]? BenchmarkWeights { get; init; }
}

/// <summary>Solver settings; the defaults suit problems of up to a few thousand names.</summary>
public sealed record OptimiserSettings
{
    /// <summary>A constraint counts as satisfied when violated by at most this much (weights are fractions of 1).</summary>
    public double FeasibilityTolerance { get; init; } = 1e-7;

    /// <summary>Iteration limit of the ADMM phase.</summary>
    public int MaxIterations { get; init; } = 20_000;

    /// <summary>Identify the active constraints and solve them exactly, then verify the KKT conditions.</summary>
    public bool Polish { get; init; } = true;

    public static OptimiserSettings Default { get; } = new();
}

public enum OptimiserStatus
{
    /// <summary>Polished to an exact KKT point: every constraint holds and the optimality conditions are verified.</summary>
    Optimal,

    /// <summary>ADMM converged to its tolerances (polishing failed or was off): near-optimal, constraints within the report.</summary>
    SolvedToTolerance,

    /// <summary>The iteration limit came first: the weights are the last iterate, for diagnosis only.</summary>
    NotConverged,

    /// <summary>No portfolio satisfies the constraints; <see cref="OptimiserResult.Message"/> says which ones conflict. No weights.</summary>
    Infeasible,
}

/// <summary>One constraint family's largest violation on the result (0 when satisfied exactly).</summary>
/// <param name="Where">The name or industry index of the worst violation, −1 when not per name or not violated.</param>
public sealed record ConstraintCheck(string Constraint, double MaxViolation, int Where);

/// <summary>
/// Every constraint of the problem checked on the solver's weights, independently of the solver: the budget
/// (|Σw − 1|), long-only (how negative), caps (how far above; ineligible names have cap 0), industry bounds and the
/// turnover limit. <see cref="IsSatisfied"/> compares the worst violation with the tolerance.
/// </summary>
public sealed record ConstraintReport(IReadOnlyList<ConstraintCheck> Checks, double Tolerance)
{
    public double MaxViolation => Checks.Count == 0 ? 0 : Checks.Max(c => c.MaxViolation);

    public bool IsSatisfied => MaxViolation <= Tolerance;

    public double Violation(string constraint) => Checks.FirstOrDefault(c => c.Constraint == constraint)?.MaxViolation ?? 0;

    public const string Budget = "budget";
    public const string LongOnly = "long-only";
    public const string MaxWeight = "max-weight";
    public const string Industry = "industry";
    public const string Turnover = "turnover";

    public override string ToString() =>
        string.Join(", ", Checks.Select(c => $"{c.Constraint} {c.MaxViolation:E2}" + (c.Where >= 0 && c.MaxViolation > 0 ? $" @{c.Where}" : "")));
}

/// <summary>The optimiser's answer. Check <see cref="Status"/> before using <see cref="Weights"/>.</summary>
/// <param name="Weights">Empty when infeasible.</param>
/// <param name="Objective">s·w − λ·risk(w).</param>
/// <param name="Risk">risk(w), in the model's units per period.</param>
/// <param name="Turnover">Σ|w − w0|.</param>
/// <param name="KktResidual">Largest violation of the optimality conditions (stationarity and multiplier signs, in
/// objective-gradient units) when polished; NaN otherwise.</param>
public sealed record OptimiserResult(
    OptimiserStatus Status, double[] Weights, double Objective, double ExpectedScore, double Risk, double Turnover,
    ConstraintReport? Constraints, int Iterations, bool Polished, double KktResidual, TimeSpan Elapsed, string Message)
{
    /// <summary>Optimal, or solved to tolerance with every constraint satisfied.</summary>
    public bool IsUsable => Status is OptimiserStatus.Optimal or OptimiserStatus.SolvedToTolerance && Constraints is { IsSatisfied: true };
}
