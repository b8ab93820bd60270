using System.Collections.Immutable;
using System.Globalization;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Research.Factors;
using Trading.Research.Portfolio;
using Trading.Research.Transforms;
using Trading.Research.Universe;

namespace Trading.Runtime.Strategy;

/// <summary>
/// A multi-factor stock-selection strategy from its <see cref="StrategyConfig"/>: on each rebalance day, the
/// universe at the decision day's close, each factor's cross-section through a point-in-time view, the configured
/// transforms (winsorize, zscore, rank, fill, neutralize) within the universe, the weighted sum, top-N with a rank
/// buffer around the current holdings, then weights (equal, score or cap) capped at the max weight — or, with
/// <c>weighting = optimised</c> or <c>neutral</c>, <see cref="PortfolioConstruction"/> (optimiser, industry bounds,
/// ex-ante risk against the benchmark proxy).
/// </summary>
public sealed class FactorStrategyModel : IStrategyModel
{
    private readonly StrategyConfig _config;
    private readonly IReadOnlyList<(IFactor Factor, FactorWeight Weight)> _factors;
    private readonly UniverseFilter _universe;
    private IndustryIndex? _industries;
    private MarketPanel? _industriesOf;
    private readonly PortfolioConstruction? _construction;
    private readonly SortedDictionary<DateOnly, RebalanceRisk> _riskLog = [];

    public FactorStrategyModel(StrategyConfig config, FactorRegistry? registry = null)
    {
        _config = config;
        registry ??= FactorRegistry.Default;
        _factors = config.Factors.Select((f, i) =>
        {
            try { return (registry.Create(f.Spec), f); }
            catch (FormatException e) { throw new FormatException($"{config.Source}: 'strategy.factors[{i}].spec': {e.Message}", e); }
        }).ToList();
        foreach (var (_, w) in _factors)
            foreach (var t in w.Transforms)
                if (!KnownTransforms.Contains(t))
                    throw new FormatException($"{config.Source}: unknown transform '{t}' for factor '{w.Spec}' (known: {string.Join(", ", KnownTransforms)}).");
        _universe = new UniverseFilter
        {
            ExcludeSt = config.ExcludeSt,
            MinListedDays = config.MinListedDays,
            MinAverageAmount = config.MinAverageAmount,
            ExcludeLimitUp = config.ExcludeLimitUp,
        };
        if (PortfolioConstruction.Applies(config)) _construction = new PortfolioConstruction(config);
    }

    public static readonly IReadOnlyList<string> KnownTransforms = ["winsorize", "winsorize_quantile", "zscore", "rank", "fill", "neutralize"];

    public string Name => _config.Name;

    public IReadOnlyList<IFactor> Factors => _factors.Select(f => f.Factor).ToList();

    /// <summary>
    /// Where rebalances read factor values (null: computed on each decision day). A book on another panel than the one a
    /// rebalance is given is not used. The values are the same either way; a book computes each once per run and
    /// shares them with the report's factor study or a sweep's other points.
    /// </summary>
    public FactorBook? Book { get; set; }

    /// <summary>
    /// What the panel must hold for this strategy: its factors' inputs, plus valuations where the weights or
    /// transforms use market values (cap weighting, size neutralisation, the optimiser's risk model).
    /// </summary>
    public PanelContents Needs
    {
        get
        {
            var needs = _factors.Aggregate(PanelContents.Bars, (n, f) => n | f.Factor.Needs);
            if (_config.Weighting == Weighting.Cap || _construction is not null || _factors.Any(f => f.Weight.Transforms.Contains("neutralize")))
                needs |= PanelContents.Valuations;
            return needs;
        }
    }

    /// <summary>Factors the panel lacks data for, with the reason (a strategy should not run on them silently).</summary>
    public IEnumerable<string> Unavailable(MarketPanel panel) =>
        _factors.Select(f => (f.Factor.Name, A: f.Factor.Availability(panel))).Where(x => !x.A.Available).Select(x => $"{x.Name}: {x.A.Reason}");

    public bool IsRebalanceDay(MarketPanel panel, int tradeDay)
    {
        if (tradeDay <= 0) return false;
        DateOnly today = panel.Dates[tradeDay], before = panel.Dates[tradeDay - 1];
        return _config.Rebalance switch
        {
            RebalanceFrequency.Daily => true,
            RebalanceFrequency.Weekly => ISOWeek.GetWeekOfYear(today.ToDateTime(TimeOnly.MinValue)) != ISOWeek.GetWeekOfYear(before.ToDateTime(TimeOnly.MinValue)) || today.DayNumber - before.DayNumber > 6,
            _ => today.Month != before.Month || today.Year != before.Year,
        };
    }

    public ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlySet<Symbol> holdings) =>
        Targets(panel, decisionDay, holdings.ToDictionary(h => h, _ => 0.0));

    /// <summary>
    /// Ex-ante risk of every rebalance so far, by decision date (optimised or neutral weighting, or a portfolio block
    /// with risk-report on): what risk.csv and the report's risk section show. A date decided again replaces its entry.
    /// </summary>
    public IReadOnlyList<RebalanceRisk> RiskLog { get { lock (_riskLog) return _riskLog.Values.ToList(); } }

    public ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlyDictionary<Symbol, double> currentWeights)
    {
        int n = panel.SymbolCount;
        var mask = new bool[n];
        _universe.Mask(panel, decisionDay, mask);
        var score = new double[n];
        var weightSum = new double[n];
        var values = new double[n];
        int[] industry = Industries(panel).OfSymbol;
        double[]? logSize = LogSize(panel, decisionDay);

        foreach (var (factor, w) in _factors)
        {
            if (Book is { } book && ReferenceEquals(book.Market, panel)) book.Row(factor, decisionDay).CopyTo(values);
            else FactorEngine.ComputeDay(panel, factor, decisionDay, values);
            for (int s = 0; s < n; s++) if (!mask[s]) values[s] = double.NaN;
            foreach (var t in w.Transforms) Apply(t, values, industry, logSize, mask);
            for (int s = 0; s < n; s++)
            {
                if (!double.IsFinite(values[s])) continue;
                score[s] += w.Weight * values[s];
                weightSum[s] += Math.Abs(w.Weight);
            }
        }
        for (int s = 0; s < n; s++) if (weightSum[s] == 0 || !mask[s]) score[s] = double.NaN;

        var held = new long[n];
        for (int s = 0; s < n; s++) held[s] = currentWeights.ContainsKey(panel.Symbols[s]) ? 1 : 0;
        var selection = TopNSelection.Select(panel.Symbols, score, held, _config.TopN, _config.Buffer);
        var chosen = selection.Selected;
        if (chosen.Length == 0) return ImmutableSortedDictionary<Symbol, double>.Empty;

        double[] weights = _config.Weighting switch
        {
            Weighting.Score => Pick(PortfolioWeights.ScoreProportional(chosen.Select(i => score[i]).ToArray())),
            Weighting.Cap when panel.Valuations is { } v => Pick(PortfolioWeights.CapWeighted(chosen.Select(i => v.TotalMarketValue[panel.Cell(decisionDay, i)]).ToArray())),
            _ => PortfolioWeights.Equal(chosen.Length),
        };
        var capped = PortfolioWeights.CapMaxWeight(weights, _config.MaxWeight);
        if (capped.IsFeasible) weights = capped.Weights;
        else
        {
            // Too few names for the cap to sum to 1: hold each at the cap and keep the rest in cash.
            weights = weights.Select(x => Math.Min(x, _config.MaxWeight)).ToArray();
        }
        var b = ImmutableSortedDictionary.CreateBuilder<Symbol, double>();
        if (_construction is not null)
        {
            var outcome = _construction.Build(panel, decisionDay, score, selection, weights, currentWeights, Industries(panel));
            if (outcome.Risk is { } risk) lock (_riskLog) _riskLog[risk.Date] = risk;
            foreach (var (s, w) in outcome.Weights) b[panel.Symbols[s]] = w;
            return b.ToImmutable();
        }
        for (int k = 0; k < chosen.Length; k++) if (weights[k] > 0) b[panel.Symbols[chosen[k]]] = weights[k];
        return b.ToImmutable();
    }

    private static double[] Pick(WeightResult r) => r.IsFeasible ? r.Weights : throw new InvalidOperationException($"weights: {r.Problem}");

    private IndustryIndex Industries(MarketPanel panel)
    {
        if (!ReferenceEquals(_industriesOf, panel)) { _industries = IndustryIndex.Of(panel); _industriesOf = panel; }
        return _industries!;
    }

    /// <summary>Log total market value on the decision day where valuations exist; null otherwise (neutralise by industry only).</summary>
    private static double[]? LogSize(MarketPanel panel, int day)
    {
        if (panel.Valuations is not { } v) return null;
        var size = new double[panel.SymbolCount];
        for (int s = 0; s < size.Length; s++)
        {
            double mv = v.TotalMarketValue[panel.Cell(day, s)];
            size[s] = mv > 0 ? Math.Log(mv) : double.NaN;
        }
        return size;
    }

    private static void Apply(string transform, double[] values, int[] industry, double[]? logSize, bool[] mask)
    {
        switch (transform)
        {
            case "winsorize": CrossSection.WinsorizeMad(values); break;
            case "winsorize_quantile": CrossSection.WinsorizeQuantile(values); break;
            case "zscore": CrossSection.ZScore(values); break;
            case "rank": CrossSection.Rank(values); break;
            case "fill": CrossSection.FillIndustryMedian(values, industry, mask); break;
            case "neutralize": CrossSection.Neutralize(values, industry, logSize ?? default); break;
        }
    }
}
