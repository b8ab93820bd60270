using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Research.Portfolio;
using Trading.Research.Risk;
using Trading.Research.Transforms;

namespace Trading.Runtime.Strategy;

/// <summary>One factor's (or industry's) exposure line of a rebalance: portfolio, benchmark proxy, active.</summary>
public sealed record ExposureRow(string Name, double Portfolio, double Benchmark, double Active);

/// <summary>An industry's bounds in force at a rebalance (weights of NAV invested, fractions).</summary>
public sealed record IndustryBound(string Industry, double Lower, double Upper);

/// <summary>
/// The ex-ante numbers of one rebalance, from the risk model estimated at the decision day: the targets' predicted
/// volatility, the benchmark proxy's, the tracking error between them (annualised), style and industry exposures,
/// and how the weights were made (optimised, or the fallback and why).
/// </summary>
public sealed record RebalanceRisk(
    DateOnly Date, string Weighting, string Method, double PredictedVolatility, double BenchmarkVolatility, double TrackingError,
    double Turnover, double? TurnoverLimit, int Names, IReadOnlyList<ExposureRow> Styles, IReadOnlyList<ExposureRow> Industries,
    IReadOnlyList<IndustryBound> Bounds, string BenchmarkProxy, int HistoryDays, string? Warning);

/// <summary>
/// Portfolio construction beyond equal/score/cap weights (<see cref="Weighting.Optimised"/>, <see cref="Weighting.Neutral"/>)
/// and the ex-ante risk of every rebalance.
/// <para>
/// Benchmark proxy. CSI 300 constituent weights are not in the data, so the benchmark portfolio is a proxy: the
/// <see cref="PortfolioConfig.BenchmarkSize"/> largest stocks traded on the decision day, by total market value and
/// cap-weighted where the store has valuations, else by 20-day average traded amount and amount-weighted (the bundled
/// sample has no valuations). Its label says which (<see cref="RebalanceRisk.BenchmarkProxy"/>). Industry bounds are
/// around its industry weights.
/// </para>
/// <para>
/// Optimised: maximise α·w − λ·(w − b)'V(w − b) with α = alpha-per-score × the combined score in cross-sectional
/// standard deviations, V the factor risk model (<see cref="PanelRiskModel"/>, estimated over the benchmark proxy, the
/// candidates and the holdings with data up to the decision day), b the proxy; long-only, fully invested, each name at
/// most max-weight, industries within ± industry-band of the proxy, Σ|w − w0| at most max-turnover plus the idle cash
/// plus twice the weight of holdings that are no longer candidates (investing idle cash and replacing names that
/// lost their place are not the optimiser's churn, so the first build and forced exits are not blocked). Candidates are the best
/// candidates × top-n names by score, the holdings still ranked within the buffer (a holding beyond it has no
/// score and is sold), and for each industry whose lower bound is positive the best-scored eligible names of that
/// industry until they can hold it. When the problem is infeasible and has a turnover limit, it is solved again without
/// it (warning recorded). If the model has too little history, the problem is still infeasible or the solver's
/// answer fails its constraint check, the weights fall back deterministically to the capped equal weights of the
/// top-n selection and a warning is recorded (risk_events.csv); the backtest goes on.
/// </para>
/// <para>
/// Neutral: equal weights over the top-n selection moved into industry bounds (<see cref="IndustryWeighting"/>) of
/// ± industry-band around the proxy's industry mix as far as the selection can hold it (<see cref="NeutralTargets"/>:
/// an industry the selection has no name in cannot be matched by reweighting, nor can one whose names would exceed
/// the max weight); falls back like the optimiser.
/// </para>
/// </summary>
public sealed class PortfolioConstruction
{
    private readonly StrategyConfig _config;
    private readonly PortfolioConfig _p;

    public PortfolioConstruction(StrategyConfig config)
    {
        _config = config;
        _p = config.Portfolio ?? new PortfolioConfig();
    }

    /// <summary>Whether this strategy needs the risk model at all (the default equal-weight strategy does not).</summary>
    public static bool Applies(StrategyConfig config) =>
        config.Weighting is Weighting.Optimised or Weighting.Neutral || config.Portfolio is { RiskReport: true };

    public sealed record Outcome(IReadOnlyList<(int Symbol, double Weight)> Weights, RebalanceRisk? Risk);

    /// <param name="score">Combined score per panel symbol (NaN = not eligible).</param>
    /// <param name="selection">The top-n selection with its buffer.</param>
    /// <param name="fallback">Weights of <paramref name="selection"/>'s names by the plain weighting (capped equal for optimised/neutral).</param>
    /// <param name="current">Current weights of NAV per holding.</param>
    public Outcome Build(MarketPanel panel, int decisionDay, double[] score, SelectionResult selection, double[] fallback,
        IReadOnlyDictionary<Symbol, double> current, IndustryIndex industries)
    {
        int n = panel.SymbolCount;
        var chosen = selection.Selected;
        var ranks = selection.Ranks;
        var date = panel.Dates[decisionDay];
        string? warning = null;

        // The benchmark proxy.
        bool caps = panel.Valuations is not null;
        var size = new double[n];
        for (int s = 0; s < n; s++)
        {
            size[s] = double.NaN;
            if (!panel.IsTraded(decisionDay, s)) continue;
            size[s] = caps ? panel.Valuations!.TotalMarketValue[panel.Cell(decisionDay, s)] : PanelRiskModel.AverageAmount(panel, decisionDay, s, 20);
            if (!(size[s] > 0)) size[s] = double.NaN;
        }
        var bench = Enumerable.Range(0, n).Where(s => double.IsFinite(size[s]))
            .OrderByDescending(s => size[s]).ThenBy(s => s).Take(_p.BenchmarkSize).Order().ToArray();
        double benchTotal = bench.Sum(s => size[s]);
        string proxy = caps
            ? $"the {bench.Length} largest stocks by total market value, cap-weighted (CSI 300 weights are not in the data)"
            : $"the {bench.Length} stocks with the largest 20-day average traded amount, amount-weighted (no valuations or CSI 300 weights in the data)";

        // Current weights per panel symbol.
        var w0 = new double[n];
        double invested = 0;
        foreach (var (symbol, w) in current)
        {
            int s = panel.SymbolIndex(symbol);
            if (s >= 0) { w0[s] += w; invested += w; }
        }

        // Candidates (optimised only).
        var candidate = new bool[n];
        if (_config.Weighting == Weighting.Optimised)
        {
            int pool = Math.Min(n, _p.Candidates * _config.TopN);
            for (int s = 0; s < n; s++)
                if (ranks[s] > 0 && (ranks[s] <= pool || w0[s] > 0 && ranks[s] <= _config.Buffer)) candidate[s] = true;
        }

        // Assets of the model: benchmark ∪ candidates ∪ selection ∪ holdings (then industry fill adds candidates).
        var inAssets = new bool[n];
        foreach (var s in bench) inAssets[s] = true;
        foreach (var s in chosen) inAssets[s] = true;
        for (int s = 0; s < n; s++) if (candidate[s] || w0[s] != 0) inAssets[s] = true;

        // Benchmark industry weights (by the panel's industry ids) and bounds for the optimiser.
        int groups = industries.Names.Count;
        var benchIndustry = new double[groups];
        foreach (var s in bench) if (industries.OfSymbol[s] >= 0) benchIndustry[industries.OfSymbol[s]] += size[s] / benchTotal;
        IndustryBounds? bounds = _p.IndustryBand is { } band && bench.Length > 0 ? IndustryBounds.AroundBenchmark(benchIndustry, band) : null;

        if (_config.Weighting == Weighting.Optimised && bounds is not null)
        {
            // Each industry with a positive lower bound gets the best-scored eligible names it needs to hold it; a lower
            // bound its eligible names cannot hold under the max weight is lowered to what they can (all at the cap).
            var byRank = Enumerable.Range(0, n).Where(s => ranks[s] > 0).OrderBy(s => ranks[s]).ToArray();
            var capacity = new double[groups];
            for (int s = 0; s < n; s++) if (candidate[s] && industries.OfSymbol[s] >= 0) capacity[industries.OfSymbol[s]] += _config.MaxWeight;
            foreach (var s in byRank)
            {
                int g = industries.OfSymbol[s];
                if (g < 0 || candidate[s] || capacity[g] >= bounds.LowerOf(g) + _config.MaxWeight) continue;
                if (bounds.LowerOf(g) <= 0) continue;
                candidate[s] = inAssets[s] = true;
                capacity[g] += _config.MaxWeight;
            }
            var lower = new double[groups];
            var upper = new double[groups];
            for (int g = 0; g < groups; g++) { lower[g] = Math.Min(bounds.LowerOf(g), capacity[g]); upper[g] = bounds.UpperOf(g); }
            bounds = new IndustryBounds(lower, upper);
        }

        var assets = Enumerable.Range(0, n).Where(s => inAssets[s]).ToArray();
        PanelRiskModel? model = null;
        string? modelProblem = null;
        if (assets.Length > 0)
        {
            try
            {
                model = PanelRiskModel.Estimate(panel, decisionDay, assets, industries.OfSymbol, industries.Names,
                    PanelRiskModelOptions.Default with { Window = _p.RiskWindow });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
            {
                // Degenerate data (e.g. a singular cross-section) must not stop the strategy: no model, recorded below.
                modelProblem = e.Message;
            }
        }

        var pos = new Dictionary<int, int>(assets.Length);
        for (int i = 0; i < assets.Length; i++) pos[assets[i]] = i;
        var b = new double[assets.Length];
        foreach (var s in bench) b[pos[s]] = size[s] / benchTotal;

        var weights = new double[assets.Length];
        void UseFallback()
        {
            Array.Clear(weights);
            for (int k = 0; k < chosen.Length; k++) weights[pos[chosen[k]]] = fallback[k];
        }

        string method;
        double? turnoverLimit = null;
        IndustryBounds? applied = null;
        int[] groupOf = assets.Select(s => industries.OfSymbol[s]).ToArray();
        switch (_config.Weighting)
        {
            case Weighting.Optimised:
            {
                if (model is null)
                {
                    warning = modelProblem is null
                        ? $"optimiser skipped: the risk model needs {PanelRiskModelOptions.Default.MinDays} days of history before {date:yyyy-MM-dd}; capped equal weights used"
                        : $"optimiser skipped on {date:yyyy-MM-dd}: the risk model could not be estimated ({modelProblem}); capped equal weights used";
                    method = "fallback";
                    UseFallback();
                    break;
                }
                var alpha = StandardisedScores(score);
                var s = new double[assets.Length];
                var w0a = new double[assets.Length];
                for (int i = 0; i < assets.Length; i++)
                {
                    s[i] = candidate[assets[i]] ? _p.AlphaPerScore * alpha[assets[i]] : double.NaN;
                    w0a[i] = w0[assets[i]];
                }
                // The limit binds the optimiser's own choices: idle cash may be invested and holdings that lost their
                // place (no longer candidates) sold and replaced on top of it.
                double forced = 0;
                for (int s0 = 0; s0 < n; s0++) if (w0[s0] > 0 && !candidate[s0]) forced += w0[s0];
                if (_p.MaxTurnover is { } t) turnoverLimit = t + Math.Max(0, 1 - invested) + 2 * forced;
                applied = bounds;
                var problem = new OptimiserProblem
                {
                    Scores = s,
                    Risk = model.Model,
                    RiskAversion = _p.RiskAversion * model.Model.PeriodsPerYear,
                    MaxWeight = _config.MaxWeight,
                    IndustryIds = bounds is null ? null : groupOf,
                    IndustryBounds = bounds,
                    CurrentWeights = w0a,
                    MaxTurnover = turnoverLimit,
                    BenchmarkWeights = b,
                };
                OptimiserResult result;
                try { result = PortfolioOptimiser.Solve(problem); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
                {
                    result = new OptimiserResult(OptimiserStatus.NotConverged, [], double.NaN, double.NaN, double.NaN, double.NaN, null, 0, false,
                        double.NaN, TimeSpan.Zero, $"The optimiser failed: {e.Message}");
                }
                if (!result.IsUsable && result.Status == OptimiserStatus.Infeasible && turnoverLimit is not null)
                {
                    // Second, deterministic attempt: the same problem without the turnover limit (recorded as relaxed).
                    var relaxed = PortfolioOptimiser.Solve(problem with { MaxTurnover = null });
                    if (relaxed.IsUsable)
                    {
                        warning = $"optimiser on {date:yyyy-MM-dd}: {result.Message} Solved again without the turnover limit.";
                        turnoverLimit = null;
                        result = relaxed;
                    }
                }
                if (result.IsUsable)
                {
                    method = (result.Status == OptimiserStatus.Optimal ? "optimised" : "optimised (to tolerance)") + (warning is null ? "" : ", turnover limit relaxed");
                    for (int i = 0; i < weights.Length; i++) weights[i] = result.Weights[i] > 1e-7 ? result.Weights[i] : 0;
                }
                else
                {
                    warning = $"optimiser on {date:yyyy-MM-dd}: {result.Message} Capped equal weights of the top {_config.TopN} used.";
                    method = "fallback";
                    turnoverLimit = null;
                    UseFallback();
                }
                break;
            }
            case Weighting.Neutral:
            {
                var ids = chosen.Select(x => industries.OfSymbol[x]).ToArray();
                applied = IndustryBounds.AroundBenchmark(NeutralTargets(ids, benchIndustry, _config.MaxWeight), _p.IndustryBand ?? 0);
                var r = IndustryWeighting.Constrain(PortfolioWeights.Equal(Math.Max(1, chosen.Length)), ids, applied, _config.MaxWeight);
                if (chosen.Length > 0 && r.IsFeasible)
                {
                    method = "industry-neutral";
                    for (int k = 0; k < chosen.Length; k++) weights[pos[chosen[k]]] = r.Weights[k];
                }
                else
                {
                    warning = $"industry-neutral weights on {date:yyyy-MM-dd}: {r.Problem ?? "no names"} Capped equal weights used.";
                    method = "fallback";
                    UseFallback();
                }
                break;
            }
            default:
                method = _config.Weighting.ToString().ToLowerInvariant();
                UseFallback();
                break;
        }

        var targets = new List<(int, double)>();
        for (int i = 0; i < assets.Length; i++) if (weights[i] > 0) targets.Add((assets[i], weights[i]));

        RebalanceRisk? risk = null;
        if (model is not null)
        {
            var m = model.Model;
            var lines = m.ExposureReport(weights, b);
            int g0 = model.IndustryNames.Length;
            var styles = lines.Skip(g0).Select(l => new ExposureRow(l.Factor, l.Portfolio, l.Benchmark, l.Active)).ToList();
            var inds = lines.Take(g0).Where(l => l.Portfolio > 0 || l.Benchmark > 0)
                .Select(l => new ExposureRow(l.Factor, l.Portfolio, l.Benchmark, l.Active)).ToList();
            double turnover = 0;
            for (int s = 0; s < n; s++) if (!inAssets[s]) turnover += Math.Abs(w0[s]);
            for (int i = 0; i < assets.Length; i++) turnover += Math.Abs(weights[i] - w0[assets[i]]);
            var portfolioIndustry = IndustryBounds.IndustryWeights(weights, groupOf, groups);
            var boundRows = applied is null ? [] : Enumerable.Range(0, groups)
                .Where(g => benchIndustry[g] > 0 || portfolioIndustry[g] > 0 || applied.LowerOf(g) > 0)
                .Select(g => new IndustryBound(industries.Names[g], applied.LowerOf(g), applied.UpperOf(g))).ToList();
            risk = new RebalanceRisk(date, _config.Weighting.ToString().ToLowerInvariant(), method, m.PredictedVolatility(weights),
                m.PredictedVolatility(b), m.TrackingError(weights, b), turnover, turnoverLimit, targets.Count, styles, inds, boundRows,
                proxy, model.HistoryDays, warning);
        }
        else if (warning is not null)
        {
            risk = new RebalanceRisk(date, _config.Weighting.ToString().ToLowerInvariant(), method, double.NaN, double.NaN, double.NaN,
                double.NaN, turnoverLimit, targets.Count, [], [], [], proxy, 0, warning);
        }
        return new Outcome(targets, risk);
    }

    /// <summary>
    /// Industry targets of neutral weighting: the proxy's industry weights renormalised over the industries the
    /// selection covers, then each held to what its selected names can hold under the max weight (names × cap), the
    /// excess spread over the other industries in proportion to their targets, repeated until none is over.
    /// </summary>
    internal static double[] NeutralTargets(int[] ids, double[] benchIndustry, double maxWeight)
    {
        int groups = benchIndustry.Length;
        var capacity = new double[groups];
        foreach (var g in ids) if (g >= 0) capacity[g] += maxWeight;
        var target = new double[groups];
        var capped = new bool[groups];
        for (int round = 0; round <= groups; round++)
        {
            double fixedSum = 0, free = 0;
            for (int g = 0; g < groups; g++)
                if (capped[g]) fixedSum += capacity[g];
                else if (capacity[g] > 0) free += benchIndustry[g];
            bool changed = false;
            for (int g = 0; g < groups; g++)
            {
                target[g] = capped[g] ? capacity[g] : capacity[g] > 0 && free > 0 ? benchIndustry[g] * (1 - fixedSum) / free : 0;
                if (!capped[g] && target[g] > capacity[g] + 1e-15) { capped[g] = true; changed = true; }
            }
            if (!changed) break;
        }
        return target;
    }

    /// <summary>Scores in cross-sectional standard deviations over the names that have one (mean 0).</summary>
    private static double[] StandardisedScores(double[] score)
    {
        double sum = 0, sq = 0;
        int m = 0;
        foreach (var x in score) if (double.IsFinite(x)) { sum += x; m++; }
        double mean = m > 0 ? sum / m : 0;
        foreach (var x in score) if (double.IsFinite(x)) sq += (x - mean) * (x - mean);
        double sd = m > 1 ? Math.Sqrt(sq / (m - 1)) : 0;
        return score.Select(x => double.IsFinite(x) ? (sd > 0 ? (x - mean) / sd : 0) : double.NaN).ToArray();
    }
}
