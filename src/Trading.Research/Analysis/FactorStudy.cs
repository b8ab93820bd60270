using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Trading.Data.Panel;
using Trading.Research.Factors;
using Trading.Research.Universe;

namespace Trading.Research.Analysis;

/// <summary>
/// <c>trading factors analyze</c>: computes factors on a panel, analyses each against forward returns in a universe,
/// and writes <c>ic.csv</c> (date,factor,ic,rank_ic), <c>summary.json</c> (per factor: mean_ic, mean_rank_ic, icir,
/// …), <c>quantiles.csv</c> and <c>decay.csv</c>.
/// </summary>
public static class FactorStudy
{
    public sealed record Result(IReadOnlyList<FactorSummary> Summaries, IReadOnlyDictionary<string, IReadOnlyList<IcPoint>> Series);

    public static Result Run(MarketPanel panel, IReadOnlyList<IFactor> factors, UniverseFilter universe, FactorAnalysisOptions options,
        IProgress<string>? progress = null) => Run(panel, factors, universe, options, f => FactorEngine.Compute(panel, f), progress);

    /// <summary>
    /// As above, with each factor's values from <paramref name="values"/> (e.g. a <see cref="FactorBook"/> shared with
    /// a backtest, or panels read from the factor cache) instead of computing them here.
    /// </summary>
    public static Result Run(MarketPanel panel, IReadOnlyList<IFactor> factors, UniverseFilter universe, FactorAnalysisOptions options,
        Func<IFactor, FactorPanel> values, IProgress<string>? progress = null) => Run(panel, factors, universe, options, values, null, progress);

    /// <summary>As above, each factor's study read from <paramref name="cache"/> when it holds it, and kept there when computed.</summary>
    public static Result Run(MarketPanel panel, IReadOnlyList<IFactor> factors, UniverseFilter universe, FactorAnalysisOptions options,
        Func<IFactor, FactorPanel> values, StudyCache? cache, IProgress<string>? progress = null)
    {
        var forward = new ForwardReturnSet(panel);
        bool[]? mask = null; // made when a factor is analysed here (a study read from the cache needs none)
        var summaries = new List<FactorSummary>();
        var series = new Dictionary<string, IReadOnlyList<IcPoint>>();
        foreach (var factor in factors)
        {
            var availability = factor.Availability(panel);
            if (!availability.Available)
            {
                summaries.Add(new FactorSummary { Factor = factor.Name, Available = false, Reason = availability.Reason, Horizon = options.Horizon });
                series[factor.Name] = [];
                continue;
            }
            string? key = cache?.Key(factor, panel, universe, options);
            if (key is not null && cache!.TryRead(key) is { } cached)
            {
                summaries.Add(cached.Summary with { Factor = factor.Name });
                series[factor.Name] = cached.Series;
                continue;
            }
            if (mask is null)
            {
                progress?.Report("universe");
                mask = universe.MaskAll(panel);
            }
            progress?.Report(factor.Name);
            var (ic, summary) = FactorAnalysis.Analyze(panel, values(factor), forward, mask, options);
            if (key is not null) cache!.Write(key, ic, summary);
            summaries.Add(summary with { Factor = factor.Name });
            series[factor.Name] = ic;
        }
        return new Result(summaries, series);
    }

    public static void Write(Result result, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => double.IsFinite(v) ? v.ToString("R", inv) : "";
        Data.Csv.CsvTable.Write(Path.Combine(outDir, "ic.csv"), ["date", "factor", "ic", "rank_ic"],
            result.Series.SelectMany(kv => kv.Value.Select(p => new[] { p.Date.ToString("yyyy-MM-dd", inv), kv.Key, F(p.Ic), F(p.RankIc) })));
        int q = result.Summaries.Max(s => s.QuantileReturns.Length);
        Data.Csv.CsvTable.Write(Path.Combine(outDir, "quantiles.csv"), ["factor", .. Enumerable.Range(1, q).Select(i => $"q{i}"), "long_short"],
            result.Summaries.Where(s => s.Available).Select(s => (string?[])
                [s.Factor, .. Enumerable.Range(0, q).Select(i => i < s.QuantileReturns.Length ? F(s.QuantileReturns[i]) : ""), F(s.LongShort)]));
        Data.Csv.CsvTable.Write(Path.Combine(outDir, "decay.csv"), ["factor", "horizon", "mean_rank_ic"],
            result.Summaries.Where(s => s.Available).SelectMany(s => s.RankIcDecay.Select(kv => new[] { s.Factor, kv.Key.ToString(inv), F(kv.Value) })));
        var summary = result.Summaries.ToDictionary(s => s.Factor, s => new SummaryJson(s));
        File.WriteAllText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(summary, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The JSON shape of one factor's summary (snake_case; NaN written as null).</summary>
    private sealed class SummaryJson(FactorSummary s)
    {
        private static double? N(double v) => double.IsFinite(v) ? v : null;
        [JsonPropertyName("available")] public bool Available => s.Available;
        [JsonPropertyName("reason")] public string? Reason => s.Reason;
        [JsonPropertyName("horizon")] public int Horizon => s.Horizon;
        [JsonPropertyName("days")] public int Days => s.Days;
        [JsonPropertyName("mean_ic")] public double? MeanIc => N(s.MeanIc);
        [JsonPropertyName("ic_std")] public double? IcStd => N(s.IcStd);
        [JsonPropertyName("icir")] public double? Icir => N(s.Icir);
        [JsonPropertyName("mean_rank_ic")] public double? MeanRankIc => N(s.MeanRankIc);
        [JsonPropertyName("rank_ic_std")] public double? RankIcStd => N(s.RankIcStd);
        [JsonPropertyName("rank_icir")] public double? RankIcir => N(s.RankIcir);
        [JsonPropertyName("ic_t_stat")] public double? IcTStat => N(s.IcTStat);
        [JsonPropertyName("ic_positive_ratio")] public double? IcPositiveRatio => N(s.IcPositiveRatio);
        [JsonPropertyName("quantile_returns")] public double?[] QuantileReturns => s.QuantileReturns.Select(N).ToArray();
        [JsonPropertyName("long_short")] public double? LongShort => N(s.LongShort);
        [JsonPropertyName("long_short_annualised")] public double? LongShortAnnualised => N(s.LongShortAnnualised);
        [JsonPropertyName("rank_ic_decay")] public Dictionary<string, double?> Decay => s.RankIcDecay.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => N(kv.Value));
        [JsonPropertyName("top_quantile_turnover")] public double? Turnover => N(s.TopQuantileTurnover);
        [JsonPropertyName("rank_autocorrelation")] public double? Autocorrelation => N(s.RankAutocorrelation);
    }
}
