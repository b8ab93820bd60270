using Trading.Data.Panel;
using Trading.Research.Factors;

namespace Trading.Research.Analysis;

public sealed record FactorAnalysisOptions
{
    /// <summary>Forward-return horizon in trading days.</summary>
    public int Horizon { get; init; } = 20;
    public int Quantiles { get; init; } = 5;
    /// <summary>Horizons of the IC decay table (the main horizon is always included).</summary>
    public int[] DecayHorizons { get; init; } = [1, 5, 10, 20, 60];
    /// <summary>A day needs this many stocks with both a factor value and a forward return to count.</summary>
    public int MinPairs { get; init; } = 20;
}

/// <summary>One day's information coefficient.</summary>
public readonly record struct IcPoint(DateOnly Date, double Ic, double RankIc);

/// <summary>
/// What the team decides from. Conventions: IC = Pearson, rank IC = Spearman correlation of the factor at t with
/// the forward return t → t+h, over the universe; one value per trading day, so with h &gt; 1 the observations
/// overlap. ICIR = mean IC / std IC of that daily series (not annualised); the t-statistic is the naive
/// mean / (std / √n) and is inflated by the overlap. Quantile returns are means of h-day returns per group
/// (group 1 = lowest factor values); long-short = top − bottom; annualised = × 252 / h.
/// </summary>
public sealed record FactorSummary
{
    public required string Factor { get; init; }
    public bool Available { get; init; } = true;
    public string? Reason { get; init; }
    public int Horizon { get; init; }
    public int Days { get; init; }
    public double MeanIc { get; init; } = double.NaN;
    public double IcStd { get; init; } = double.NaN;
    public double Icir { get; init; } = double.NaN;
    public double MeanRankIc { get; init; } = double.NaN;
    public double RankIcStd { get; init; } = double.NaN;
    public double RankIcir { get; init; } = double.NaN;
    public double IcTStat { get; init; } = double.NaN;
    public double IcPositiveRatio { get; init; } = double.NaN;
    public double[] QuantileReturns { get; init; } = [];
    public double LongShort { get; init; } = double.NaN;
    public double LongShortAnnualised { get; init; } = double.NaN;
    public SortedDictionary<int, double> RankIcDecay { get; init; } = [];
    public double TopQuantileTurnover { get; init; } = double.NaN;
    public double RankAutocorrelation { get; init; } = double.NaN;
}

public static class FactorAnalysis
{
    /// <summary>
    /// IC series and summary of one factor. <paramref name="forward"/> gives the forward-return panel for a horizon
    /// (callers cache it across factors); <paramref name="universe"/> is a date-major mask (null = every stock).
    /// </summary>
    public static (IReadOnlyList<IcPoint> Series, FactorSummary Summary) Analyze(
        MarketPanel panel, FactorPanel factor, Func<int, FactorPanel> forward, bool[]? universe, FactorAnalysisOptions options) =>
        Analyze(panel, factor, new ForwardReturnSet(forward), universe, options);

    /// <summary>
    /// As above, with forward returns (and their per-day sort orders) shared across the factors of a study. Every
    /// rank statistic is computed from each row's sort order, made once per row instead of once per statistic;
    /// the results are bit-identical to ranking each statistic's pairs afresh (<see cref="CrossSectionStats.Spearman"/>):
    /// the same average ranks, summed in the same order.
    /// </summary>
    public static (IReadOnlyList<IcPoint> Series, FactorSummary Summary) Analyze(
        MarketPanel panel, FactorPanel factor, ForwardReturnSet forward, bool[]? universe, FactorAnalysisOptions options)
    {
        int n = panel.SymbolCount, days = panel.DayCount, h = options.Horizon;
        var fwd = forward.Panel(h);
        var fwdOrder = forward.Order(h);
        var order = SortedRows.Of(factor);
        var ic = new double[days];
        var rankIc = new double[days];
        var groupSums = new double[options.Quantiles];
        int groupDays = 0;
        var groupMeans = new double[days][];
        Parallel.For(0, days, () => new RankBuffers(n), (d, _, buffers) =>
        {
            var x = factor.Row(d);
            var y = fwd.Row(d);
            var m = universe is null ? default : universe.AsSpan(d * n, n);
            ic[d] = CrossSectionStats.Pearson(x, y, m, options.MinPairs);
            rankIc[d] = SortedStats.Spearman(x, y, m, order[d], fwdOrder[d], options.MinPairs, buffers);
            groupMeans[d] = SortedStats.QuantileMeans(x, y, m, order[d], options.Quantiles, options.MinPairs, buffers)!;
            return buffers;
        }, _ => { });

        var series = new List<IcPoint>();
        for (int d = 0; d < days; d++)
            if (!double.IsNaN(ic[d]) || !double.IsNaN(rankIc[d])) series.Add(new IcPoint(panel.Dates[d], ic[d], rankIc[d]));
        for (int d = 0; d < days; d++)
        {
            if (groupMeans[d] is not { } g) continue;
            for (int q = 0; q < g.Length; q++) groupSums[q] += g[q];
            groupDays++;
        }
        var quantiles = groupSums.Select(s => groupDays > 0 ? s / groupDays : double.NaN).ToArray();

        var (meanIc, stdIc) = MeanStd(ic);
        var (meanRank, stdRank) = MeanStd(rankIc);
        int count = ic.Count(double.IsFinite);
        var decay = new SortedDictionary<int, double>();
        foreach (var dh in options.DecayHorizons.Append(h).Distinct().Order())
        {
            if (dh >= days) continue;
            if (dh == h) { decay[dh] = meanRank; continue; } // the same series as the rank IC above
            var f = forward.Panel(dh);
            var fo = forward.Order(dh);
            var values = new double[days];
            Parallel.For(0, days, () => new RankBuffers(n), (d, _, buffers) =>
            {
                values[d] = SortedStats.Spearman(factor.Row(d), f.Row(d), universe is null ? default : universe.AsSpan(d * n, n),
                    order[d], fo[d], options.MinPairs, buffers);
                return buffers;
            }, _ => { });
            decay[dh] = MeanStd(values).Mean;
        }
        double ls = quantiles.Length > 1 ? quantiles[^1] - quantiles[0] : double.NaN;
        var summary = new FactorSummary
        {
            Factor = factor.Name,
            Horizon = h,
            Days = count,
            MeanIc = meanIc,
            IcStd = stdIc,
            Icir = stdIc > 0 ? meanIc / stdIc : double.NaN,
            MeanRankIc = meanRank,
            RankIcStd = stdRank,
            RankIcir = stdRank > 0 ? meanRank / stdRank : double.NaN,
            IcTStat = stdIc > 0 && count > 1 ? meanIc / (stdIc / Math.Sqrt(count)) : double.NaN,
            IcPositiveRatio = count > 0 ? ic.Count(v => v > 0) / (double)count : double.NaN,
            QuantileReturns = quantiles,
            LongShort = ls,
            LongShortAnnualised = ls * 252.0 / h,
            RankIcDecay = decay,
            TopQuantileTurnover = TopTurnover(factor, order, universe, options.Quantiles, h, options.MinPairs),
            RankAutocorrelation = Autocorrelation(factor, order, universe, h, options.MinPairs),
        };
        return (series, summary);
    }

    /// <summary>Mean forward return of each factor quantile on one day, or null when too few stocks.</summary>
    internal static double[]? QuantileMeans(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<bool> mask, int quantiles, int minPairs)
    {
        var idx = new List<int>();
        for (int i = 0; i < x.Length; i++)
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]) && (mask.IsEmpty || mask[i])) idx.Add(i);
        if (idx.Count < Math.Max(minPairs, quantiles)) return null;
        var order = idx.ToArray();
        var keys = new double[order.Length];
        for (int k = 0; k < order.Length; k++) keys[k] = x[order[k]];
        Array.Sort(keys, order); // introsort on a fixed input: ties split the same way every run
        return GroupMeans(y, order, quantiles);
    }

    /// <summary>Means of <paramref name="y"/> over <paramref name="sorted"/> cut into equal quantile groups, summed in its order.</summary>
    internal static double[] GroupMeans(ReadOnlySpan<double> y, ReadOnlySpan<int> sorted, int quantiles)
    {
        var sums = new double[quantiles];
        var counts = new int[quantiles];
        for (int k = 0; k < sorted.Length; k++)
        {
            int q = (int)((long)k * quantiles / sorted.Length);
            sums[q] += y[sorted[k]];
            counts[q]++;
        }
        for (int q = 0; q < quantiles; q++) sums[q] /= counts[q];
        return sums;
    }

    /// <summary>Share of the top quantile at t that was not in the top quantile at t − lag, averaged over days.</summary>
    private static double TopTurnover(FactorPanel factor, RowOrders order, bool[]? universe, int quantiles, int lag, int minPairs)
    {
        int n = factor.Symbols;
        var tops = new HashSet<int>?[factor.Days];
        Parallel.For(0, factor.Days, () => new RankBuffers(n), (d, _, buffers) =>
        {
            tops[d] = SortedStats.Top(factor.Row(d), universe is null ? default : universe.AsSpan(d * n, n), order[d], quantiles, minPairs, buffers);
            return buffers;
        }, _ => { });
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

    /// <summary>Mean Spearman correlation of the factor with itself <paramref name="lag"/> days earlier.</summary>
    private static double Autocorrelation(FactorPanel factor, RowOrders order, bool[]? universe, int lag, int minPairs)
    {
        int n = factor.Symbols;
        var values = new double[factor.Days];
        Array.Fill(values, double.NaN);
        Parallel.For(lag, factor.Days, () => new RankBuffers(n), (d, _, buffers) =>
        {
            values[d] = SortedStats.Spearman(factor.Row(d), factor.Row(d - lag), universe is null ? default : universe.AsSpan(d * n, n),
                order[d], order[d - lag], minPairs, buffers);
            return buffers;
        }, _ => { });
        return MeanStd(values).Mean;
    }

    /// <summary>Mean and sample standard deviation (n − 1) of the finite values.</summary>
    internal static (double Mean, double Std) MeanStd(ReadOnlySpan<double> values)
    {
        double sum = 0;
        int n = 0;
        foreach (var v in values) if (double.IsFinite(v)) { sum += v; n++; }
        if (n == 0) return (double.NaN, double.NaN);
        double mean = sum / n, ss = 0;
        foreach (var v in values) if (double.IsFinite(v)) ss += (v - mean) * (v - mean);
        return (mean, n > 1 ? Math.Sqrt(ss / (n - 1)) : double.NaN);
    }
}
