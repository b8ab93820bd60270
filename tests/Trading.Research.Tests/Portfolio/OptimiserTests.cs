using Trading.Research.Portfolio;
using Trading.Research.Risk;

namespace Trading.Research.Tests.Portfolio;

public class OptimiserTests
{
    private static FactorRiskModel Model(double[] exposures, double factorVariance, double[] specific) =>
        new(new FactorExposures(["F"], exposures), new double[,] { { factorVariance } }, specific, periodsPerYear: 1);

    private static FactorRiskModel NoRisk(int n) => Model(new double[n], 0, new double[n]);

    private static void AssertOptimal(OptimiserResult r, double tolerance = 1e-9)
    {
        Assert.True(r.Status == OptimiserStatus.Optimal, $"{r.Status}: {r.Message}");
        Assert.NotNull(r.Constraints);
        Assert.True(r.Constraints!.MaxViolation <= tolerance, r.Constraints.ToString());
        Assert.True(r.IsUsable);
    }

    [Fact]
    public void Without_a_risk_term_the_caps_fill_in_score_order()
    {
        double[] scores = [0.3, 0.1, 0.6, 0.5, 0.2, 0.4];
        var r = PortfolioOptimiser.Solve(new OptimiserProblem { Scores = scores, Risk = NoRisk(6), MaxWeight = 0.25 });
        AssertOptimal(r);
        PortfolioWeightsTests.AssertClose([0.25, 0, 0.25, 0.25, 0, 0.25], r.Weights, 9);

        // Caps of 0.3: three names at the cap, the fourth takes the remaining 0.1.
        var r2 = PortfolioOptimiser.Solve(new OptimiserProblem { Scores = [0.5, 0.4, 0.3, 0.2, 0.1], Risk = NoRisk(5), MaxWeight = 0.3 });
        AssertOptimal(r2);
        PortfolioWeightsTests.AssertClose([0.3, 0.3, 0.3, 0.1, 0], r2.Weights, 9);
        Assert.Equal(0.5 * 0.3 + 0.4 * 0.3 + 0.3 * 0.3 + 0.2 * 0.1, r2.Objective, 9);
    }

    [Fact]
    public void Two_assets_match_the_analytic_optimum()
    {
        // max 0.1 w1 + 0.05 w2 − (0.04 w1² + 0.09 w2²), w1 + w2 = 1 → w1 = (0.05 + 2 × 0.09) / (2 × 0.13) = 0.23 / 0.26.
        // A common factor (both exposures 1) adds λ·F·(w1 + w2)² = constant: same answer.
        var r = PortfolioOptimiser.Solve(new OptimiserProblem { Scores = [0.1, 0.05], Risk = Model([1, 1], 0.02, [0.04, 0.09]), RiskAversion = 1 });
        AssertOptimal(r);
        Assert.Equal(0.23 / 0.26, r.Weights[0], 9);
        Assert.Equal(0.03 / 0.26, r.Weights[1], 9);
        Assert.Equal(0.02 + 0.04 * r.Weights[0] * r.Weights[0] + 0.09 * r.Weights[1] * r.Weights[1], r.Risk, 12);
    }

    [Fact]
    public void A_name_without_specific_risk_is_handled_exactly()
    {
        // The common factor costs the same for any fully invested portfolio. Name 0 is riskless beyond it: it fills
        // its cap of 0.5. The rest solves max 0.05 w1 + 0.02 w2 − (0.04 w1² + 0.09 w2²), w1 + w2 = 0.5:
        // 0.05 − 0.08 w1 = 0.02 − 0.18 (0.5 − w1) → w1 = 0.12 / 0.26.
        var r = PortfolioOptimiser.Solve(new OptimiserProblem
        {
            Scores = [0.1, 0.05, 0.02], Risk = Model([1, 1, 1], 0.04, [0, 0.04, 0.09]), RiskAversion = 1, MaxWeight = 0.5,
        });
        AssertOptimal(r);
        PortfolioWeightsTests.AssertClose([0.5, 0.12 / 0.26, 0.5 - 0.12 / 0.26], r.Weights, 9);
    }

    [Fact]
    public void With_zero_scores_and_active_risk_the_optimum_is_the_benchmark()
    {
        var model = Model([1.2, 0.8, 1.0, 0.5], 0.03, [0.04, 0.05, 0.06, 0.07]);
        double[] benchmark = [0.4, 0.3, 0.2, 0.1];
        var r = PortfolioOptimiser.Solve(new OptimiserProblem { Scores = new double[4], Risk = model, RiskAversion = 3, BenchmarkWeights = benchmark });
        AssertOptimal(r);
        PortfolioWeightsTests.AssertClose(benchmark, r.Weights, 9);
        Assert.Equal(0, r.Risk, 15);
    }

    [Fact]
    public void The_turnover_limit_binds_and_moves_weight_from_the_worst_to_the_best_name()
    {
        // LP: moving from name 0 (score 0.01) to name 2 (0.05) earns 0.04 per unit and costs 2 units of turnover.
        var r = PortfolioOptimiser.Solve(new OptimiserProblem
        {
            Scores = [0.01, 0.02, 0.05, 0.04], Risk = NoRisk(4), CurrentWeights = [0.5, 0.5, 0, 0], MaxTurnover = 0.4,
        });
        AssertOptimal(r);
        PortfolioWeightsTests.AssertClose([0.3, 0.5, 0.2, 0], r.Weights, 9);
        Assert.Equal(0.4, r.Turnover, 9);
    }

    [Fact]
    public void The_turnover_limit_binds_on_a_risk_problem()
    {
        var free = OptimiserBenchmarks.BuildProblem(seed: 7, names: 400, riskAversion: 5, maxTurnover: null) with { MaxWeight = 0.03 };
        var unconstrained = PortfolioOptimiser.Solve(free);
        AssertOptimal(unconstrained);
        double limit = unconstrained.Turnover * 0.8;
        var bound = PortfolioOptimiser.Solve(free with { MaxTurnover = limit });
        AssertOptimal(bound);
        Assert.Equal(limit, bound.Turnover, 9);
        Assert.True(bound.Objective < unconstrained.Objective);
    }

    [Fact]
    public void Industry_bounds_bind()
    {
        // Scores favour industry 0 (names 0–2), which may hold at most 30%.
        var r = PortfolioOptimiser.Solve(new OptimiserProblem
        {
            Scores = [0.9, 0.8, 0.7, 0.1, 0.2, 0.3], Risk = Model([1, 1, 1, 1, 1, 1], 0.01, [0.04, 0.04, 0.04, 0.04, 0.04, 0.04]), RiskAversion = 1,
            IndustryIds = [0, 0, 0, 1, 1, 1], IndustryBounds = new IndustryBounds([0, 0], [0.3, 1]),
        });
        AssertOptimal(r);
        Assert.Equal(0.3, r.Weights[0] + r.Weights[1] + r.Weights[2], 9);
        Assert.Equal(0.0, r.Constraints!.Violation(ConstraintReport.Industry), 9);
    }

    [Fact]
    public void Names_without_a_score_get_no_weight()
    {
        var r = PortfolioOptimiser.Solve(new OptimiserProblem { Scores = [double.NaN, 0.1, 0.2], Risk = Model([1, 1, 1], 0.01, [0.04, 0.04, 0.04]), RiskAversion = 1 });
        AssertOptimal(r);
        Assert.Equal(0.0, r.Weights[0]);
    }

    [Theory]
    [InlineData(4, 0.2, "full investment impossible")]
    [InlineData(4, 1.0, null)]
    public void Caps_that_cannot_hold_the_whole_portfolio_are_infeasible(int n, double cap, string? expected)
    {
        var r = PortfolioOptimiser.Solve(new OptimiserProblem { Scores = new double[n], Risk = NoRisk(n), MaxWeight = cap });
        if (expected is null) { AssertOptimal(r); return; }
        Assert.Equal(OptimiserStatus.Infeasible, r.Status);
        Assert.Empty(r.Weights);
        Assert.Null(r.Constraints);
        Assert.Contains(expected, r.Message);
    }

    [Fact]
    public void Infeasible_industry_bounds_are_reported()
    {
        var problem = new OptimiserProblem { Scores = [0.1, 0.2, 0.3, 0.4], Risk = NoRisk(4), IndustryIds = [0, 0, 1, 1] };
        var sumAboveOne = PortfolioOptimiser.Solve(problem with { IndustryBounds = new IndustryBounds([0.6, 0.6], [1, 1]) });
        Assert.Equal(OptimiserStatus.Infeasible, sumAboveOne.Status);
        Assert.Contains("lower bounds sum to 1.2", sumAboveOne.Message);

        var crossed = PortfolioOptimiser.Solve(problem with { IndustryBounds = new IndustryBounds([0.5, 0], [0.4, 1]) });
        Assert.Contains("industry 0: lower bound 0.5 is above its upper bound 0.4", crossed.Message);

        // Industry 1 needs 30%, but both of its names are excluded (no score).
        var empty = PortfolioOptimiser.Solve(problem with { Scores = [0.1, 0.2, double.NaN, double.NaN], IndustryBounds = new IndustryBounds([0, 0.3], [1, 1]) });
        Assert.Equal(OptimiserStatus.Infeasible, empty.Status);
        Assert.Contains("industry 1", empty.Message);
        Assert.Contains("can hold at most 0", empty.Message);
    }

    [Fact]
    public void A_turnover_limit_below_the_least_needed_is_infeasible()
    {
        // Name 0 holds 100% but may hold 50%: at least 0.5 must be sold and 0.5 bought, turnover ≥ 1.
        var problem = new OptimiserProblem { Scores = [0.1, 0.2, 0.3], Risk = NoRisk(3), MaxWeight = 0.5, CurrentWeights = [1, 0, 0], MaxTurnover = 0.9 };
        var r = PortfolioOptimiser.Solve(problem);
        Assert.Equal(OptimiserStatus.Infeasible, r.Status);
        Assert.Contains("turnover limit 0.9 is below 1", r.Message);
        var ok = PortfolioOptimiser.Solve(problem with { MaxTurnover = 1.0 });
        AssertOptimal(ok);
        PortfolioWeightsTests.AssertClose([0.5, 0, 0.5], ok.Weights, 9);
    }

    [Theory]
    [InlineData(10, 0.0, 1)]
    [InlineData(25, 2.0, 2)]
    [InlineData(60, 5.0, 3)]
    [InlineData(150, 0.0, 4)]
    [InlineData(300, 20.0, 5)]
    [InlineData(1000, 5.0, 6)]
    [InlineData(2500, 1.0, 7)]
    public void Random_problems_satisfy_every_constraint_with_a_kkt_certificate(int n, double lambda, int seed)
    {
        var p = OptimiserBenchmarks.BuildProblem(seed, n, lambda, maxTurnover: null) with { MaxWeight = Math.Max(0.02, 2.5 / n) };
        // A turnover limit between the least feasible and what the unconstrained optimum would use.
        double least = OptimiserFeasibility.Analyse(new FactorQp(p)).MinTurnover;
        var free = PortfolioOptimiser.Solve(p);
        AssertOptimal(free);
        var limited = PortfolioOptimiser.Solve(p with { MaxTurnover = least + 0.5 * (free.Turnover - least) });
        AssertOptimal(limited);
        Assert.True(limited.KktResidual < 1e-8, $"KKT residual {limited.KktResidual}");
        Assert.True(limited.Objective <= free.Objective + 1e-12);
        Assert.All(limited.Weights, w => Assert.InRange(w, 0, p.MaxWeight));
        Assert.Equal(1.0, limited.Weights.Sum(), 9);
    }

    [Fact]
    public void Without_polishing_admm_alone_meets_the_constraints_to_its_tolerance()
    {
        var p = OptimiserBenchmarks.BuildProblem(seed: 8, names: 500, riskAversion: 5, maxTurnover: 0.6) with { MaxWeight = 0.03 };
        var exact = PortfolioOptimiser.Solve(p);
        var admm = PortfolioOptimiser.Solve(p, new OptimiserSettings { Polish = false, FeasibilityTolerance = 1e-7 });
        AssertOptimal(exact);
        Assert.True(admm.Status == OptimiserStatus.SolvedToTolerance, $"{admm.Status}: {admm.Message}");
        Assert.True(admm.IsUsable, admm.Constraints!.ToString());
        Assert.False(admm.Polished);
        Assert.Equal(exact.Objective, admm.Objective, 5);
        Assert.True(admm.Objective <= exact.Objective + 1e-6);
    }

    [Fact]
    public void A_large_lp_with_turnover_and_industries_is_certified()
    {
        var p = OptimiserBenchmarks.BuildProblem(seed: 9, names: 3000, riskAversion: 0, maxTurnover: 0.4);
        var r = PortfolioOptimiser.Solve(p);
        AssertOptimal(r);
        Assert.Equal(0.4, r.Turnover, 9);
        Assert.Contains("dual Newton", r.Message);
        // An LP optimum: every name is at 0, its cap or its current weight, except a few basic ones.
        int basic = r.Weights.Select((w, i) => (w, i)).Count(x => x.w > 1e-12 && x.w < p.MaxWeight - 1e-12 && Math.Abs(x.w - p.CurrentWeights![x.i]) > 1e-12);
        Assert.InRange(basic, 0, 2 + 31);
    }

    [Fact]
    public void The_five_thousand_name_benchmark_solves_within_every_constraint()
    {
        var (elapsed, report) = OptimiserBenchmarks.RunFiveThousand(1);
        Assert.True(report.IsSatisfied, report.ToString());
        Assert.True(report.MaxViolation < 1e-9, report.ToString());
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"took {elapsed}");
    }

    [Fact]
    public void The_constraint_report_measures_each_violation()
    {
        var qp = new FactorQp(new OptimiserProblem
        {
            Scores = [0.1, 0.2, 0.3], Risk = NoRisk(3), MaxWeight = 0.5, IndustryIds = [0, 0, 1], IndustryBounds = new IndustryBounds([0, 0], [0.6, 1]),
            CurrentWeights = [0, 0, 0], MaxTurnover = 0.5,
        });
        var report = qp.Check([0.7, -0.1, 0.3], 1e-9);
        Assert.Equal(0.1, report.Violation(ConstraintReport.Budget), 12);
        Assert.Equal(0.1, report.Violation(ConstraintReport.LongOnly), 12);
        Assert.Equal(0.2, report.Violation(ConstraintReport.MaxWeight), 12);
        Assert.Equal(0.0, report.Violation(ConstraintReport.Industry), 12); // 0.7 − 0.1 = 0.6 ≤ 0.6
        Assert.Equal(0.6, report.Violation(ConstraintReport.Turnover), 12);
        Assert.False(report.IsSatisfied);
    }
}
