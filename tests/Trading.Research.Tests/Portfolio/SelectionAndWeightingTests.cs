using Trading.Domain.Instruments;
using Trading.Research.Portfolio;

namespace Trading.Research.Tests.Portfolio;

public class TopNSelectionTests
{
    private static Symbol[] Symbols(int n) => Enumerable.Range(0, n).Select(i => Symbol.Create(600000 + i, Exchange.SH)).ToArray();

    [Fact]
    public void Holdings_stay_within_the_buffer_and_new_names_fill_by_rank()
    {
        // Scores rank the names 0..7 as 1..8. Held: name 2 (rank 3), name 5 (rank 6), name 7 (rank 8).
        // N = 3, M = 6: names 2 and 5 stay (ranks 3 and 6 ≤ 6), name 7 leaves (rank 8), name 0 (rank 1) fills the third place.
        var symbols = Symbols(8);
        double[] scores = [8, 7, 6, 5, 4, 3, 2, 1];
        long[] held = [0, 0, 100, 0, 0, 200, 0, 300];
        var r = TopNSelection.Select(symbols, scores, held, count: 3, bufferRank: 6);
        Assert.Equal([0, 2, 5], r.Selected);
        Assert.Equal([2, 5], r.Kept);
        Assert.Equal([0], r.Added);
        Assert.Equal([7], r.Dropped);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], r.Ranks);
    }

    [Fact]
    public void Without_a_buffer_it_is_plain_top_n()
    {
        var r = TopNSelection.Select(Symbols(5), [1, 5, 3, 4, 2], [100, 0, 0, 0, 0], 2, 2);
        Assert.Equal([1, 3], r.Selected);
        Assert.Equal([0], r.Dropped);
    }

    [Fact]
    public void More_holdings_within_the_buffer_than_places_keep_the_best_ranked()
    {
        var r = TopNSelection.Select(Symbols(6), [6, 5, 4, 3, 2, 1], [0, 1, 1, 1, 1, 0], 2, 5);
        Assert.Equal([1, 2], r.Selected);
        Assert.Equal([3, 4], r.Dropped);
        Assert.Empty(r.Added);
    }

    [Fact]
    public void Ties_break_by_symbol_whatever_the_input_order()
    {
        var a = Symbol.Parse("600001.SH");
        var b = Symbol.Parse("000002.SZ");
        var c = Symbol.Parse("300003.SZ");
        var first = TopNSelection.Select([a, b, c], [1, 1, 1], [], 2, 2);
        var second = TopNSelection.Select([c, b, a], [1, 1, 1], [], 2, 2);
        // Symbols order by code: 000002 < 300003 < 600001.
        Assert.Equal([b, c], first.Selected.Select(i => new[] { a, b, c }[i]));
        Assert.Equal([b, c], second.Selected.Select(i => new[] { c, b, a }[i]));
    }

    [Fact]
    public void Names_without_a_finite_score_are_not_eligible_and_leave()
    {
        var r = TopNSelection.Select(Symbols(4), [double.NaN, 2, 1, double.PositiveInfinity], [100, 0, 0, 100], 2, 4);
        Assert.Equal([1, 2], r.Selected);
        Assert.Equal([0, 3], r.Dropped);
        Assert.Equal(0, r.Ranks[0]);
    }

    [Fact]
    public void The_buffer_must_not_be_below_n() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TopNSelection.Select(Symbols(3), [1, 2, 3], [], 3, 2));
}

public class PortfolioWeightsTests
{
    [Fact]
    public void Equal_weights() => Assert.Equal([0.25, 0.25, 0.25, 0.25], PortfolioWeights.Equal(4));

    [Fact]
    public void Raw_score_proportional()
    {
        var r = PortfolioWeights.ScoreProportional([1, 3, 4], ScoreTransform.Raw);
        Assert.True(r.IsFeasible);
        AssertClose([0.125, 0.375, 0.5], r.Weights);
        Assert.False(PortfolioWeights.ScoreProportional([1, -3], ScoreTransform.Raw).IsFeasible);
    }

    [Fact]
    public void Shifted_z_scores_give_the_worst_name_one_unit()
    {
        // Scores 1, 2, 3: mean 2, sd 1, z = −1, 0, 1; z − min + 1 = 1, 2, 3 → 1/6, 2/6, 3/6. Scale and sign free.
        AssertClose([1 / 6.0, 2 / 6.0, 3 / 6.0], PortfolioWeights.ScoreProportional([1, 2, 3]).Weights);
        AssertClose([1 / 6.0, 2 / 6.0, 3 / 6.0], PortfolioWeights.ScoreProportional([-30, -20, -10]).Weights);
        AssertClose([0.5, 0.5], PortfolioWeights.ScoreProportional([7, 7]).Weights);
    }

    [Fact]
    public void Cap_weighted_and_square_root_cap_weighted()
    {
        AssertClose([0.1, 0.2, 0.7], PortfolioWeights.CapWeighted([10, 20, 70]).Weights);
        AssertClose([1 / 3.0, 2 / 3.0], PortfolioWeights.CapWeighted([1, 4], 0.5).Weights);
        Assert.False(PortfolioWeights.CapWeighted([1, 0]).IsFeasible);
    }

    [Fact]
    public void Max_weight_excess_goes_to_the_others_in_proportion()
    {
        // 0.5 → 0.4; the 0.1 excess splits 3:2 over 0.3 and 0.2 → 0.36, 0.24.
        var r = PortfolioWeights.CapMaxWeight([0.5, 0.3, 0.2], 0.4);
        AssertClose([0.4, 0.36, 0.24], r.Weights);
    }

    [Fact]
    public void Max_weight_water_fills_over_several_rounds()
    {
        // Round 1: 0.6 → 0.3, remainder 0.7 over 0.25:0.1:0.05 → 0.4375, 0.175, 0.0875.
        // Round 2: 0.4375 → 0.3, remainder 0.4 over 0.1:0.05 → 0.2667, 0.1333.
        var r = PortfolioWeights.CapMaxWeight([0.6, 0.25, 0.1, 0.05], 0.3);
        AssertClose([0.3, 0.3, 0.4 * 2 / 3, 0.4 / 3], r.Weights);
        Assert.Equal(1.0, r.Weights.Sum(), 12);
    }

    [Fact]
    public void Max_weight_is_infeasible_when_n_times_max_is_below_one()
    {
        var r = PortfolioWeights.CapMaxWeight([0.25, 0.25, 0.25, 0.25], 0.2);
        Assert.False(r.IsFeasible);
        Assert.Contains("< 1", r.Problem);
        Assert.True(PortfolioWeights.CapMaxWeight([0.7, 0.1, 0.1, 0.1], 0.25).IsFeasible);
    }

    [Fact]
    public void Max_weight_spreads_over_zero_weight_names_when_it_must()
    {
        AssertClose([0.4, 0.3, 0.3], PortfolioWeights.CapMaxWeight([1, 0, 0], 0.4).Weights);
    }

    internal static void AssertClose(double[] expected, double[] actual, int digits = 12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], digits);
    }
}

public class IndustryWeightingTests
{
    [Fact]
    public void Industries_clip_to_their_bounds_keeping_weights_within_each()
    {
        // Industry 0 holds 0.7, industry 1 holds 0.3; bounds 0.5 ± 0.1 → 0.6 and 0.4.
        var bounds = IndustryBounds.AroundBenchmark([0.5, 0.5], 0.1);
        var r = IndustryWeighting.Constrain([0.4, 0.3, 0.2, 0.1], [0, 0, 1, 1], bounds);
        Assert.True(r.IsFeasible, r.Problem);
        PortfolioWeightsTests.AssertClose([0.4 * 0.6 / 0.7, 0.3 * 0.6 / 0.7, 0.4 * 2 / 3, 0.4 / 3], r.Weights);
    }

    [Fact]
    public void Free_industries_scale_by_one_common_factor()
    {
        // Industry sums 0.6, 0.3, 0.1; industry 0 capped at 0.5; the others scale by α = 1.25 → 0.375, 0.125.
        var bounds = new IndustryBounds([0, 0, 0], [0.5, 1, 1]);
        var r = IndustryWeighting.Constrain([0.6, 0.3, 0.1], [0, 1, 2], bounds);
        PortfolioWeightsTests.AssertClose([0.5, 0.375, 0.125], r.Weights);
    }

    [Fact]
    public void Multiple_of_benchmark_bounds()
    {
        var bounds = IndustryBounds.MultipleOfBenchmark([0.2, 0.8], 0.5, 1.5);
        Assert.Equal([0.1, 0.4], bounds.Lower);
        Assert.Equal(new[] { 0.3, 1.2 }, bounds.Upper, new ToleranceComparer());
        // 0.05 in industry 0 must rise to 0.1.
        var r = IndustryWeighting.Constrain([0.05, 0.55, 0.4], [0, 1, 1], bounds);
        PortfolioWeightsTests.AssertClose([0.1, 0.55 * 0.9 / 0.95, 0.4 * 0.9 / 0.95], r.Weights);
    }

    [Fact]
    public void Industry_bounds_respect_the_max_weight()
    {
        // Industry 0 (one name, cap 0.3) cannot exceed 0.3; its lower bound 0.4 is infeasible.
        var bounds = new IndustryBounds([0.4, 0], [1, 1]);
        var r = IndustryWeighting.Constrain([0.5, 0.25, 0.25], [0, 1, 1], bounds, maxWeight: 0.3);
        Assert.False(r.IsFeasible);
        Assert.Contains("industry 0", r.Problem);
        // With a lower bound of 0.2 it works, and every name stays under the cap.
        var ok = IndustryWeighting.Constrain([0.5, 0.25, 0.25], [0, 1, 1], new IndustryBounds([0.2, 0], [1, 1]), maxWeight: 0.4);
        Assert.True(ok.IsFeasible, ok.Problem);
        Assert.All(ok.Weights, w => Assert.True(w <= 0.4 + 1e-12));
        Assert.Null(IndustryWeighting.Verify(ok.Weights, [0, 1, 1], new IndustryBounds([0.2, 0], [1, 1]), 0.4, 1e-12));
    }

    [Fact]
    public void A_lower_bound_on_an_industry_without_names_is_reported()
    {
        var r = IndustryWeighting.Constrain([0.5, 0.5], [0, 0], IndustryBounds.AroundBenchmark([0.7, 0.3], 0.05));
        Assert.False(r.IsFeasible);
        Assert.Contains("no selected name", r.Problem);
    }

    [Fact]
    public void Lower_bounds_summing_above_one_are_reported()
    {
        var r = IndustryWeighting.Constrain([0.5, 0.5], [0, 1], new IndustryBounds([0.6, 0.6], [1, 1]));
        Assert.False(r.IsFeasible);
        Assert.Contains("lower bounds add up", r.Problem);
    }

    private sealed class ToleranceComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double obj) => 0;
    }
}
