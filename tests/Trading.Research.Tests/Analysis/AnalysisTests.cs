using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Research.Analysis;
using Trading.Research.Factors;
using Trading.Research.Universe;

namespace Trading.Research.Tests.Analysis;

public class CrossSectionStatsTests
{
    [Fact]
    public void Pearson_of_a_hand_example()
    {
        // x = 1,2,3,4 ; y = 2,4,5,9 : mx 2.5, my 5; cov = (-1.5*-3 + -0.5*-1 + 0.5*0 + 1.5*4) = 11; vx = 5; vy = 9+1+0+16 = 26
        double r = CrossSectionStats.Pearson([1, 2, 3, 4], [2, 4, 5, 9], minPairs: 2);
        Assert.Equal(11 / Math.Sqrt(5 * 26), r, 12);
    }

    [Fact]
    public void Pairs_with_a_missing_side_or_outside_the_mask_are_left_out()
    {
        double r = CrossSectionStats.Pearson([1, 2, double.NaN, 3, 100], [1, 2, 7, 3, -100], [true, true, true, true, false], minPairs: 2);
        Assert.Equal(1.0, r, 12);
        Assert.True(double.IsNaN(CrossSectionStats.Pearson([1, 2], [1, 2], minPairs: 3)));
    }

    [Fact]
    public void Ties_share_their_average_rank()
    {
        double[] v = [10, 20, 20, 5, 20];
        CrossSectionStats.AverageRanks(v);
        Assert.Equal([2, 4, 4, 1, 4], v);
    }

    [Fact]
    public void Spearman_is_one_for_any_monotone_relation()
    {
        Assert.Equal(1.0, CrossSectionStats.Spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 125], minPairs: 2), 12);
        Assert.Equal(-1.0, CrossSectionStats.Spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], minPairs: 2), 12);
    }

    [Fact]
    public void Quantile_means_group_by_factor_rank()
    {
        // 10 stocks, factor = 0..9, return = factor / 100: groups of 2 -> means 0.005, 0.025, 0.045, 0.065, 0.085
        var x = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();
        var y = x.Select(v => v / 100).ToArray();
        var g = FactorAnalysis.QuantileMeans(x, y, default, 5, 5)!;
        Assert.Equal([0.005, 0.025, 0.045, 0.065, 0.085], g.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Mean_and_sample_std_skip_missing_days()
    {
        var (m, s) = FactorAnalysis.MeanStd([1, double.NaN, 2, 3]);
        Assert.Equal(2, m, 12);
        Assert.Equal(1, s, 12);
    }
}

public class ForwardReturnsAndUniverseTests
{
    private static readonly Symbol A = Symbol.Parse("000001.SZ"), B = Symbol.Parse("600000.SH");

    private static MarketPanel Panel()
    {
        var t = new BarTable();
        var d = new[] { new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 3), new DateOnly(2024, 1, 4), new DateOnly(2024, 1, 5) };
        // A: 10, 11, (dividend: factor 1 -> 1.1, close 10.5), 12
        t.Add(new DailyBar(A, d[0], 10m, 10m, 10m, 10m, 10m, 1000, 10_000m, 1.0, BarFlags.None, 11m, 9m));
        t.Add(new DailyBar(A, d[1], 11m, 11m, 11m, 11m, 10m, 1000, 11_000m, 1.0, BarFlags.None, 11m, 9m));
        t.Add(new DailyBar(A, d[2], 10.5m, 10.5m, 10.5m, 10.5m, 10m, 1000, 10_500m, 1.1, BarFlags.St, 10.5m, 9.5m));
        t.Add(new DailyBar(A, d[3], 12m, 12m, 12m, 12m, 10.5m, 1000, 12_000m, 1.1, BarFlags.None, 11.55m, 9.45m));
        // B: suspended on d[1]
        t.Add(new DailyBar(B, d[0], 5m, 5m, 5m, 5m, 5m, 100, 500m, 1.0));
        t.Add(new DailyBar(B, d[2], 5.5m, 5.5m, 5.5m, 5.5m, 5m, 100, 550m, 1.0));
        t.Add(new DailyBar(B, d[3], 6m, 6m, 6m, 6m, 5.5m, 100, 600m, 1.0));
        return MarketPanel.FromBars(t);
    }

    [Fact]
    public void Forward_returns_use_back_adjusted_closes_and_need_a_bar_at_both_ends()
    {
        var p = Panel();
        var f1 = ForwardReturns.Compute(p, 1);
        int a = p.SymbolIndex(A), b = p.SymbolIndex(B);
        Assert.Equal(0.1, f1[0, a], 12);                      // 11 / 10 - 1
        Assert.Equal(10.5 * 1.1 / 11 - 1, f1[1, a], 12);       // ex-date: 11.55 / 11 - 1 = 0.05
        Assert.True(double.IsNaN(f1[0, b]));                   // suspended at t+1
        Assert.True(double.IsNaN(f1[1, b]));                   // suspended at t
        Assert.Equal(6 / 5.5 - 1, f1[2, b], 12);
        Assert.True(double.IsNaN(f1[3, a]));                   // no t+1
        var f2 = ForwardReturns.Compute(p, 2);
        Assert.Equal(10.5 * 1.1 / 10 - 1, f2[0, a], 12);
    }

    [Fact]
    public void Universe_rules_each_remove_what_they_name()
    {
        var p = Panel();
        int a = p.SymbolIndex(A), b = p.SymbolIndex(B);
        var mask = new bool[2];
        UniverseFilter.All.Mask(p, 1, mask);
        Assert.True(mask[a]);
        Assert.False(mask[b]); // suspended
        new UniverseFilter { MinListedDays = 0, MinAverageAmount = 0, ExcludeLimitUp = true, ExcludeSt = false }.Mask(p, 1, mask);
        Assert.False(mask[a]); // closed at limit-up 11
        new UniverseFilter { MinListedDays = 0, MinAverageAmount = 0, ExcludeLimitUp = false, ExcludeSt = true }.Mask(p, 2, mask);
        Assert.False(mask[a]); // ST that day
        new UniverseFilter { MinListedDays = 0, MinAverageAmount = 10_600, LiquidityLookback = 2, ExcludeLimitUp = false, ExcludeSt = false }.Mask(p, 3, mask);
        Assert.True(mask[a]);  // mean of 10,500 and 12,000 = 11,250
        Assert.False(mask[b]);
    }
}
