using Trading.Research.Transforms;

namespace Trading.Research.Tests.Transforms;

/// <summary>Each cross-section transform on small hand-worked inputs.</summary>
public class CrossSectionTests
{
    private static readonly double NaN = double.NaN;

    [Fact]
    public void Mad_winsorizing_clips_at_median_plus_minus_k_scaled_mads()
    {
        // median of 1, 2, 3, 4, 100 is 3; |x − 3| = 2, 1, 0, 1, 97 → MAD 1; bounds 3 ± 3 · 1.4826 · 1 = [−1.4478, 7.4478].
        double[] v = [1, 2, 3, 4, 100, NaN];
        CrossSection.WinsorizeMad(v);
        Assert.Equal([1, 2, 3, 4, 7.4478, NaN], v.Select(x => Math.Round(x, 10)));
        // k = 1, even count: median of −10, 0, 1, 2, 3, 50 is 1.5; deviations 11.5, 1.5, 0.5, 0.5, 1.5, 48.5 → MAD 1.5;
        // bounds 1.5 ± 2.2239 = [−0.7239, 3.7239].
        double[] w = [-10, 0, 1, 2, 3, 50];
        CrossSection.WinsorizeMad(w, k: 1);
        Assert.Equal([-0.7239, 0, 1, 2, 3, 3.7239], w.Select(x => Math.Round(x, 10)));
    }

    [Fact]
    public void Mad_winsorizing_leaves_values_alone_when_most_are_tied()
    {
        double[] v = [5, 5, 5, 5, 100, -3];
        CrossSection.WinsorizeMad(v); // MAD 0: no scale
        Assert.Equal([5, 5, 5, 5, 100, -3], v);
    }

    [Fact]
    public void Quantile_winsorizing_interpolates_between_order_statistics()
    {
        // 1..5: the 10 % quantile is at h = 4 · 0.1 = 0.4 → 1 + 0.4 · (2 − 1) = 1.4; the 90 % at h = 3.6 → 4.6.
        double[] v = [5, NaN, 1, 3, 2, 4];
        CrossSection.WinsorizeQuantile(v, 0.1, 0.9);
        Assert.Equal([4.6, NaN, 1.4, 3, 2, 4], v.Select(x => Math.Round(x, 12)));
        // 0..100 at 1 % / 99 %: h = 1 and 99 exactly → 0 becomes 1 and 100 becomes 99.
        var w = Enumerable.Range(0, 101).Select(i => (double)i).Reverse().ToArray();
        CrossSection.WinsorizeQuantile(w);
        Assert.Equal(99, w[0], 12);
        Assert.Equal(1, w[^1], 12);
        Assert.Equal(50, w[50]);
    }

    [Fact]
    public void Z_scores_use_the_sample_standard_deviation()
    {
        // 1, 2, 3, 6: mean 3, squares 4 + 1 + 0 + 9 = 14, sd = √(14 / 3) = 2.1602468994693
        double[] v = [1, 2, 3, NaN, 6];
        CrossSection.ZScore(v);
        double sd = Math.Sqrt(14.0 / 3);
        Assert.Equal(new[] { -2 / sd, -1 / sd, 0, NaN, 3 / sd }.Select(x => Math.Round(x, 14)), v.Select(x => Math.Round(x, 14)));
        Assert.Equal(-0.9258200997725514, v[0], 15);
        double[] flat = [7, 7, NaN];
        CrossSection.ZScore(flat);
        Assert.Equal([0, 0, NaN], flat);
    }

    [Fact]
    public void Ranks_average_ties_raw_or_scaled_to_the_unit_interval()
    {
        double[] raw = [10, 20, 20, NaN, 5];
        CrossSection.Rank(raw, RankScale.Raw);
        Assert.Equal([2, 3.5, 3.5, NaN, 1], raw);
        double[] unit = [10, 20, 20, NaN, 5];
        CrossSection.Rank(unit); // (rank − 1) / 3
        Assert.Equal([1 / 3.0, 2.5 / 3, 2.5 / 3, NaN, 0], unit);
        double[] one = [NaN, 4];
        CrossSection.Rank(one);
        Assert.Equal([NaN, 0.5], one);
    }

    [Fact]
    public void Missing_values_take_their_industry_median()
    {
        // Industry 0: 1 and 3 → 2; industry 1: 10 and 20 → 15; industry 2 has no value; −1 is unknown.
        double[] v = [1, NaN, 3, 10, NaN, 20, NaN, NaN];
        int[] industry = [0, 0, 0, 1, 1, 1, 2, -1];
        CrossSection.FillIndustryMedian(v, industry);
        Assert.Equal([1, 2, 3, 10, 15, 20, NaN, NaN], v);
        // Only the universe is used and filled: 20 is outside it, so industry 1's median is 10 and the NaN
        // outside the universe stays.
        double[] w = [1, NaN, 3, 10, NaN, 20, NaN, NaN];
        CrossSection.FillIndustryMedian(w, industry, [true, true, true, true, false, false, true, true]);
        Assert.Equal([1, 2, 3, 10, NaN, 20, NaN, NaN], w);
    }

    [Fact]
    public void Neutralizing_a_hand_example()
    {
        // Industry 0: f 2, 4, 9 (mean 5), size 1, 2, 3 (mean 2) → f̃ −3, −1, 4; s̃ −1, 0, 1.
        // Industry 1: f 5, 9 (mean 7), size 1, 3 (mean 2) → f̃ −2, 2; s̃ −1, 1.
        // b = Σ f̃ s̃ / Σ s̃² = (3 + 0 + 4 + 2 + 2) / 4 = 2.75; e = f̃ − 2.75 s̃.
        double[] f = [2, 4, 9, 5, 9, 7, 8];
        int[] industry = [0, 0, 0, 1, 1, -1, 1];
        double[] size = [1, 2, 3, 1, 3, 2, NaN];
        double b = CrossSection.Neutralize(f, industry, size);
        Assert.Equal(2.75, b, 15);
        Assert.Equal([-0.25, -1, 1.25, 0.75, -0.75, NaN, NaN], f.Select(x => Math.Round(x, 12)));
        // Without sizes: industry demeaning.
        double[] g = [2, 4, 9, 5, 9];
        Assert.Equal(0, CrossSection.Neutralize(g, [0, 0, 0, 1, 1]));
        Assert.Equal([-3, -1, 4, -2, 2], g);
    }

    [Fact]
    public void Order_statistics_by_selection_match_sorting()
    {
        var rnd = new Random(3);
        foreach (int n in new[] { 1, 2, 3, 7, 16, 17, 100, 1001, 5000 })
            for (int trial = 0; trial < 5; trial++)
            {
                // Few distinct values on odd trials, so ties are common.
                var data = Enumerable.Range(0, n).Select(_ => trial % 2 == 1 ? rnd.Next(5) : rnd.NextDouble() - 0.5).ToArray();
                if (trial == 4) Array.Sort(data); // already sorted input
                var sorted = data.Order().ToArray();
                double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
                Assert.Equal(median, Selection.Median(data.ToArray()), 1e-15);
                foreach (double p in new[] { 0, 0.01, 0.25, 0.5, 0.99, 1 })
                {
                    double h = (n - 1) * p;
                    int lo = (int)Math.Floor(h);
                    double expected = lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
                    Assert.Equal(expected, Selection.Quantile(data.ToArray(), p), 1e-15);
                }
                int k = rnd.Next(n);
                var copy = data.ToArray();
                Assert.Equal(sorted[k], Selection.Nth(copy, k));
                Assert.All(copy[..k], x => Assert.True(x <= sorted[k]));
                Assert.All(copy[(k + 1)..], x => Assert.True(x >= sorted[k]));
            }
    }
}
