using Trading.Research.Factors;
using Trading.Research.Transforms;

namespace Trading.Research.Tests.Transforms;

public class FactorCombinationTests
{
    private static FactorPanel Panel(string name, double[][] rows)
    {
        var p = new FactorPanel(name, rows.Length, rows[0].Length);
        for (int d = 0; d < rows.Length; d++) rows[d].CopyTo(p.Row(d));
        return p;
    }

    [Fact]
    public void Static_weights_sum_z_scores_counting_a_missing_one_as_average()
    {
        // Day 0, a = 1, 2, 3 → z −1, 0, 1; b = 10, NaN, 30 → z −0.7071…, NaN, 0.7071… (sd of 10, 30 is √200).
        // 0.5·a + 2·b: stock 0 −0.5 − 1.4142…; stock 1 0 (b missing counts 0); stock 2 0.5 + 1.4142….
        var a = Panel("a", [[1, 2, 3, double.NaN]]);
        var b = Panel("b", [[10, double.NaN, 30, double.NaN]]);
        var combined = FactorCombination.Combine([a, b], [0.5, 2.0]);
        double zb = 10 / Math.Sqrt(200);
        Assert.Equal(-0.5 - 2 * zb, combined[0, 0], 12);
        Assert.Equal(0, combined[0, 1], 12);
        Assert.Equal(0.5 + 2 * zb, combined[0, 2], 12);
        Assert.True(double.IsNaN(combined[0, 3])); // no factor has a value
        Assert.Equal(-1.9142135623730951, -0.5 - 2 * zb, 12); // the hand value
    }

    /// <summary>
    /// Five stocks, eight days, horizon 2. Factor "up" ranks the forward returns exactly on days 0, 1 (IC +1) and
    /// backwards on day 2 (IC −1); factor "down" is its mirror image.
    /// </summary>
    private static (FactorPanel Up, FactorPanel Down, FactorPanel Forward) IcMarket()
    {
        double[] ranks = [1, 2, 3, 4, 5], reversed = [5, 4, 3, 2, 1];
        var up = Panel("up", Enumerable.Range(0, 8).Select(_ => ranks).ToArray());
        var down = Panel("down", Enumerable.Range(0, 8).Select(_ => reversed).ToArray());
        var forward = Panel("forward", Enumerable.Range(0, 8).Select(d => d switch
        {
            0 or 1 => new double[] { 0.01, 0.02, 0.03, 0.04, 0.05 },
            2 => [0.05, 0.04, 0.03, 0.02, 0.01],
            3 => [0.01, 0.03, 0.02, 0.04, 0.05], // IC of "up": Spearman 0.9
            _ => [double.NaN, double.NaN, double.NaN, double.NaN, double.NaN], // not yet known
        }).ToArray());
        return (up, down, forward);
    }

    [Fact]
    public void Trailing_ic_weights_average_only_ics_whose_returns_are_known()
    {
        var (up, down, forward) = IcMarket();
        var w = FactorCombination.TrailingIcWeights([up, down], forward, horizon: 2, window: 3, minPairs: 5);
        // t = 4: IC days u = 4 − 2 − 3 + 1 .. 4 − 2 = 0..2 → up (1 + 1 − 1) / 3 = 1/3, down −1/3.
        Assert.Equal(1 / 3.0, w[4, 0], 12);
        Assert.Equal(-1 / 3.0, w[4, 1], 12);
        // t = 5: u = 1..3 → (1 − 1 + 0.9) / 3 = 0.3.
        Assert.Equal(0.3, w[5, 0], 12);
        // t = 3: u = 0..1 (two of three days, ≥ ⌈3/2⌉) → 1. t = 2: u = 0 only → too few → NaN.
        Assert.Equal(1, w[3, 0], 12);
        Assert.True(double.IsNaN(w[2, 0]));
        // t = 7: u = 3..5, only day 3 known → NaN.
        Assert.True(double.IsNaN(w[7, 0]));
    }

    [Fact]
    public void Trailing_ic_weights_of_a_day_ignore_returns_that_end_after_it()
    {
        var (up, down, forward) = IcMarket();
        var before = FactorCombination.TrailingIcWeights([up, down], forward, 2, 3, minPairs: 5);
        const int t = 4;
        var changed = forward.Clone();
        var rnd = new Random(1);
        for (int u = t - 2 + 1; u < changed.Days; u++) // returns from u end at u + 2 > t
            for (int s = 0; s < changed.Symbols; s++) changed[u, s] = rnd.NextDouble();
        var after = FactorCombination.TrailingIcWeights([up, down], changed, 2, 3, minPairs: 5);
        for (int d = 0; d <= t; d++)
            Assert.Equal(before.Row(d).ToArray(), after.Row(d).ToArray());
        Assert.NotEqual(before.Row(t + 1).ToArray(), after.Row(t + 1).ToArray());
    }

    [Fact]
    public void Combining_with_trailing_ic_weights_leans_on_the_factor_that_worked()
    {
        var (up, down, forward) = IcMarket();
        var w = FactorCombination.TrailingIcWeights([up, down], forward, 2, 3, minPairs: 5);
        var combined = FactorCombination.Combine([up, down], w);
        // t = 4: z of up = (r − 3) / √2.5, down = −that; score = (1/3)·z − (1/3)·(−z) = (2/3)·z.
        for (int s = 0; s < 5; s++) Assert.Equal(2.0 / 3 * (s + 1 - 3) / Math.Sqrt(2.5), combined[4, s], 12);
        Assert.True(double.IsNaN(combined[2, 0])); // no weights yet
    }
}
