using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Research.Analysis;
using Trading.Research.Factors;

namespace Trading.Research.Tests.Analysis;

/// <summary>
/// The factor study ranks each cross-section once and filters ranks from that order; these check it against the
/// straightforward analysis (rank every statistic's pairs afresh, sort every quantile split) bit for bit, on rows
/// with ties, gaps and a universe mask.
/// </summary>
public class SortedStatsTests
{
    private static (MarketPanel Panel, FactorPanel Factor, Func<int, FactorPanel> Forward, bool[] Mask) Random(int seed, int days, int symbols, double step)
    {
        var rng = new Random(seed);
        var dates = Enumerable.Range(0, days).Select(d => new DateOnly(2020, 1, 1).AddDays(d)).ToArray();
        var syms = Enumerable.Range(0, symbols).Select(s => Symbol.Parse($"{600000 + s:D6}.SH")).ToArray();
        var panel = new MarketPanel(dates, syms);
        // Values on a coarse grid (step) so ties are common; about 10 % missing.
        double Value() => rng.NextDouble() < 0.1 ? double.NaN : Math.Round((rng.NextDouble() * 2 - 1) / step) * step;
        var factor = new FactorPanel("f", days, symbols);
        for (int i = 0; i < factor.Values.Length; i++) factor.Values[i] = Value();
        var forward = new Dictionary<int, FactorPanel>();
        FactorPanel Forward(int h)
        {
            lock (forward)
            {
                if (forward.TryGetValue(h, out var p)) return p;
                var r = new Random(seed * 31 + h);
                p = new FactorPanel($"fwd{h}", days, symbols);
                for (int i = 0; i < p.Values.Length; i++) p.Values[i] = r.NextDouble() < 0.1 ? double.NaN : Math.Round((r.NextDouble() - 0.5) / step) * step;
                return forward[h] = p;
            }
        }
        var mask = new bool[days * symbols];
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() < 0.85;
        return (panel, factor, Forward, mask);
    }

    [Theory]
    [InlineData(1, 0.5)]      // few distinct values: ties everywhere, quantile and top splits fall back to the sort
    [InlineData(2, 0.01)]     // some ties
    [InlineData(3, 1e-9)]     // practically no ties: everything from the orders
    public void The_study_equals_the_straightforward_analysis_bit_for_bit(int seed, double step)
    {
        var (panel, factor, forward, mask) = Random(seed, 90, 300, step);
        var options = new FactorAnalysisOptions { Horizon = 5, DecayHorizons = [1, 5, 10, 20], MinPairs = 20 };
        foreach (var universe in new[] { mask, null })
        {
            var (series, summary) = FactorAnalysis.Analyze(panel, factor, forward, universe, options);
            var (refSeries, refSummary) = Reference.Analyze(panel, factor, forward, universe, options);
            Assert.Equal(refSeries.Count, series.Count);
            for (int i = 0; i < series.Count; i++)
            {
                Assert.Equal(refSeries[i].Date, series[i].Date);
                Same(refSeries[i].Ic, series[i].Ic);
                Same(refSeries[i].RankIc, series[i].RankIc);
            }
            Same(refSummary.MeanRankIc, summary.MeanRankIc);
            Same(refSummary.RankIcStd, summary.RankIcStd);
            Same(refSummary.TopQuantileTurnover, summary.TopQuantileTurnover);
            Same(refSummary.RankAutocorrelation, summary.RankAutocorrelation);
            Assert.Equal(refSummary.QuantileReturns.Length, summary.QuantileReturns.Length);
            for (int q = 0; q < summary.QuantileReturns.Length; q++) Same(refSummary.QuantileReturns[q], summary.QuantileReturns[q]);
            Assert.Equal(refSummary.RankIcDecay.Keys, summary.RankIcDecay.Keys);
            foreach (var (h, v) in refSummary.RankIcDecay) Same(v, summary.RankIcDecay[h]);
        }
    }

    [Fact]
    public void A_wrong_sort_order_is_refused_rather_than_ranked()
    {
        var (panel, factor, forward, _) = Random(4, 30, 100, 0.01);
        var stale = new ForwardReturnSet(forward);
        // Pretend the orders were made for other values: ranks taken from them would be silently wrong.
        var other = new FactorPanel("other", factor.Days, factor.Symbols);
        Array.Fill(other.Values, double.NaN);
        var orders = SortedRows.Of(other);
        Assert.Throws<InvalidOperationException>(() =>
            SortedStats.Spearman(factor.Row(10), forward(1).Row(10), default, orders[10], stale.Order(1)[10], 5, new RankBuffers(factor.Symbols)));
    }

    private static void Same(double expected, double actual) =>
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));

    /// <summary>The analysis as it was written first: every statistic sorts its own pairs.</summary>
    private static class Reference
    {
        public static (IReadOnlyList<IcPoint> Series, FactorSummary Summary) Analyze(
            MarketPanel panel, FactorPanel factor, Func<int, FactorPanel> forward, bool[]? universe, FactorAnalysisOptions options)
        {
            int n = panel.SymbolCount, days = panel.DayCount, h = options.Horizon;
            var fwd = forward(h);
            var ic = new double[days];
            var rankIc = new double[days];
            var groupMeans = new double[days][];
            for (int d = 0; d < days; d++)
            {
                var x = factor.Row(d);
                var y = fwd.Row(d);
                var m = universe is null ? default : universe.AsSpan(d * n, n);
                ic[d] = CrossSectionStats.Pearson(x, y, m, options.MinPairs);
                rankIc[d] = CrossSectionStats.Spearman(x, y, m, options.MinPairs);
                groupMeans[d] = FactorAnalysis.QuantileMeans(x, y, m, options.Quantiles, options.MinPairs)!;
            }
            var series = new List<IcPoint>();
            for (int d = 0; d < days; d++)
                if (!double.IsNaN(ic[d]) || !double.IsNaN(rankIc[d])) series.Add(new IcPoint(panel.Dates[d], ic[d], rankIc[d]));
            var groupSums = new double[options.Quantiles];
            int groupDays = 0;
            for (int d = 0; d < days; d++)
            {
                if (groupMeans[d] is not { } g) continue;
                for (int q = 0; q < g.Length; q++) groupSums[q] += g[q];
                groupDays++;
            }
            var (meanRank, stdRank) = FactorAnalysis.MeanStd(rankIc);
            var decay = new SortedDictionary<int, double>();
            foreach (var dh in options.DecayHorizons.Append(h).Distinct().Order())
            {
                if (dh >= days) continue;
                var f = forward(dh);
                var values = new double[days];
                for (int d = 0; d < days; d++)
                    values[d] = CrossSectionStats.Spearman(factor.Row(d), f.Row(d), universe is null ? default : universe.AsSpan(d * n, n), options.MinPairs);
                decay[dh] = FactorAnalysis.MeanStd(values).Mean;
            }
            return (series, new FactorSummary
            {
                Factor = factor.Name,
                MeanRankIc = meanRank,
                RankIcStd = stdRank,
                QuantileReturns = groupSums.Select(s => groupDays > 0 ? s / groupDays : double.NaN).ToArray(),
                RankIcDecay = decay,
                TopQuantileTurnover = TopTurnover(factor, universe, options.Quantiles, h, options.MinPairs),
                RankAutocorrelation = Autocorrelation(factor, universe, h, options.MinPairs),
            });
        }

        private static double TopTurnover(FactorPanel factor, bool[]? universe, int quantiles, int lag, int minPairs)
        {
            int n = factor.Symbols;
            var tops = new HashSet<int>?[factor.Days];
            for (int d = 0; d < factor.Days; d++)
            {
                var row = factor.Row(d);
                var idx = new List<int>();
                for (int s = 0; s < n; s++)
                    if (double.IsFinite(row[s]) && (universe is null || universe[d * n + s])) idx.Add(s);
                if (idx.Count < Math.Max(minPairs, quantiles)) continue;
                var order = idx.ToArray();
                var keys = new double[order.Length];
                for (int k = 0; k < order.Length; k++) keys[k] = -row[order[k]];
                Array.Sort(keys, order);
                tops[d] = order.Take(Math.Max(1, order.Length / quantiles)).ToHashSet();
            }
            double sum = 0;
            int count = 0;
            for (int d = lag; d < factor.Days; d++)
            {
                var previous = tops[d - lag];
                if (tops[d] is not { } now || previous is null) continue;
                sum += now.Count(s => !previous.Contains(s)) / (double)now.Count;
                count++;
            }
            return count > 0 ? sum / count : double.NaN;
        }

        private static double Autocorrelation(FactorPanel factor, bool[]? universe, int lag, int minPairs)
        {
            int n = factor.Symbols;
            var values = new double[factor.Days];
            Array.Fill(values, double.NaN);
            for (int d = lag; d < factor.Days; d++)
                values[d] = CrossSectionStats.Spearman(factor.Row(d), factor.Row(d - lag), universe is null ? default : universe.AsSpan(d * n, n), minPairs);
            return FactorAnalysis.MeanStd(values).Mean;
        }
    }
}

public class SortedRowsTests
{
    [Fact]
    public void The_radix_order_sorts_every_finite_value_as_a_comparison_sort_does()
    {
        var rng = new Random(7);
        double[] special = [0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-300, -1e-300, 1, -1, 0.5];
        for (int trial = 0; trial < 50; trial++)
        {
            var row = new double[rng.Next(0, 400)];
            for (int i = 0; i < row.Length; i++)
                row[i] = rng.Next(10) switch
                {
                    0 => double.NaN,
                    1 => rng.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity,
                    2 => special[rng.Next(special.Length)],
                    3 => Math.Round(rng.NextDouble() * 4 - 2, 1), // ties
                    _ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-8, 9)),
                };
            var order = SortedRows.Order(row, new RadixBuffers(row.Length)).ToArray();
            var expected = row.Where(double.IsFinite).Order().ToArray();
            Assert.Equal(expected.Length, order.Length);
            Assert.Equal(order.Length, order.Distinct().Count());
            for (int k = 0; k < order.Length; k++) Assert.True(row[order[k]] == expected[k], $"trial {trial}, position {k}: {row[order[k]]} vs {expected[k]}");
        }
    }
}
