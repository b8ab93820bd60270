using System.Collections.Immutable;
using Trading.Data.Panel;
using Trading.Data.Synthetic;
using Trading.Domain.Instruments;
using Trading.Risk;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

/// <summary>
/// weighting = optimised backtested through the actor tree on a synthetic market: every constraint is recomputed on
/// every rebalance from the targets the strategy emitted and the weights it held before (not from the optimiser's
/// report), the industry bounds from an independent computation of the benchmark proxy.
/// </summary>
public class OptimisedStrategyTests
{
    private const int BenchmarkSize = 60;
    private const double Band = 0.06, Turnover = 0.5, MaxWeight = 0.12;

    private static readonly Lazy<MarketPanel> Market = new(() =>
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(160, 200, 21) { Start = new DateOnly(2023, 1, 3), RespectBoardLaunchDates = false });
        return MarketPanel.FromBars(market.Bars, market.Stocks);
    });

    private static StrategyConfig Config(PortfolioConfig? portfolio = null, int topN = 12, Weighting weighting = Weighting.Optimised, int buffer = 6) => new()
    {
        Name = "optimised",
        InitialCash = 5_000_000m,
        Factors = [new FactorWeight("momentum(lookback=20,skip=0)", 1.0, ["winsorize", "zscore"]), new FactorWeight("volatility(lookback=20)", -0.5, ["zscore"])],
        TopN = topN,
        Buffer = topN + buffer,
        Weighting = weighting,
        MaxWeight = MaxWeight,
        Rebalance = RebalanceFrequency.Weekly,
        MinListedDays = 0,
        MinAverageAmount = 0,
        Portfolio = portfolio ?? new PortfolioConfig
        {
            RiskAversion = 10, IndustryBand = Band, MaxTurnover = Turnover, BenchmarkSize = BenchmarkSize, RiskWindow = 60,
            TradeAlpha = 0.01, MinTradeValue = 5_000m,
        },
    };

    private static BacktestOptions Options(StrategyConfig cfg, IStrategyModel model) => new()
    {
        Strategy = cfg,
        Model = model,
        Panel = Market.Value,
        Risk = RiskOptions.Default with { MaxRebalanceTurnover = 3m, MaxDailyAmount = 100_000_000m, MaxOrderValue = 5_000_000m, MaxActiveOrders = 500, KillSwitchDrawdown = null },
        StepTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Wraps the strategy and keeps what it was given and what it emitted at each decision.</summary>
    private sealed class Recording(FactorStrategyModel inner) : IStrategyModel
    {
        public readonly List<(int Day, IReadOnlyDictionary<Symbol, double> Before, ImmutableSortedDictionary<Symbol, double> Targets)> Calls = [];
        public FactorStrategyModel Inner => inner;
        public string Name => inner.Name;
        public IReadOnlyList<RebalanceRisk> RiskLog => inner.RiskLog;
        public bool IsRebalanceDay(MarketPanel panel, int tradeDay) => inner.IsRebalanceDay(panel, tradeDay);
        public ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlySet<Symbol> holdings) =>
            throw new InvalidOperationException("the runtime must pass the current weights");
        public ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlyDictionary<Symbol, double> currentWeights)
        {
            var t = inner.Targets(panel, decisionDay, currentWeights);
            Calls.Add((decisionDay, currentWeights.ToDictionary(), t));
            return t;
        }
    }

    /// <summary>The benchmark proxy's industry weights, computed here from the panel: the top names by 20-day average amount, amount-weighted.</summary>
    private static Dictionary<string, double> ProxyIndustryWeights(MarketPanel panel, int day)
    {
        var size = new List<(int S, double Avg)>();
        for (int s = 0; s < panel.SymbolCount; s++)
        {
            if (!panel.IsTraded(day, s)) continue;
            var amounts = Enumerable.Range(Math.Max(0, day - 19), Math.Min(20, day + 1)).Where(d => panel.IsTraded(d, s)).Select(d => panel.Amount[panel.Cell(d, s)]).ToList();
            double avg = amounts.Average();
            if (avg > 0) size.Add((s, avg));
        }
        var top = size.OrderByDescending(x => x.Avg).ThenBy(x => x.S).Take(BenchmarkSize).ToList();
        double total = top.Sum(x => x.Avg);
        return top.GroupBy(x => panel.Stocks[panel.Symbols[x.S]].Industry).ToDictionary(g => g.Key, g => g.Sum(x => x.Avg) / total);
    }

    [Fact]
    public async Task The_optimised_strategy_meets_every_constraint_on_every_rebalance()
    {
        var cfg = Config();
        var model = new Recording(new FactorStrategyModel(cfg));
        var result = await BacktestEngine.RunAsync(Options(cfg, model));
        var panel = Market.Value;
        var log = model.Inner.RiskLog.ToDictionary(r => r.Date);
        Assert.True(model.Calls.Count >= 20, $"{model.Calls.Count} rebalances");

        int optimised = 0, withLimit = 0, invested = 0;
        foreach (var (day, before, targets) in model.Calls)
        {
            var date = panel.Dates[day];
            if (targets.Count == 0) continue; // warm-up: no scores yet
            invested++;
            var risk = log[date];
            if (risk.Method.StartsWith("optimised", StringComparison.Ordinal)) optimised++;
            string where = $"{date:yyyy-MM-dd} ({risk.Method})";

            // Long-only and max weight.
            Assert.All(targets.Values, w => Assert.True(w > 0 && w <= MaxWeight + 1e-9, $"{where}: weight {w}"));
            // Full investment.
            Assert.True(Math.Abs(targets.Values.Sum() - 1) < 1e-6, $"{where}: weights sum to {targets.Values.Sum()}");
            // Industry bounds around the proxy, recomputed here.
            var proxy = ProxyIndustryWeights(panel, day);
            var held = targets.GroupBy(t => panel.Stocks[t.Key].Industry).ToDictionary(g => g.Key, g => g.Sum(t => t.Value));
            if (risk.Method.StartsWith("optimised", StringComparison.Ordinal))
            {
                var recorded = risk.Bounds.ToDictionary(b => b.Industry);
                foreach (var industry in proxy.Keys.Union(held.Keys))
                {
                    double b = proxy.GetValueOrDefault(industry), w = held.GetValueOrDefault(industry);
                    Assert.True(w <= b + Band + 1e-6, $"{where}: {industry} weight {w:P3} above proxy {b:P3} + {Band:P0}");
                    if (w >= Math.Max(0, b - Band) - 1e-6) continue;
                    // Below proxy − band only where the industry's eligible names cannot hold more: all at the cap.
                    double lower = recorded[industry].Lower;
                    var names = targets.Where(t => panel.Stocks[t.Key].Industry == industry).ToList();
                    Assert.True(w >= lower - 1e-6, $"{where}: {industry} weight {w:P3} below its lower bound {lower:P3}");
                    Assert.Equal(lower, names.Count * MaxWeight, 9);
                    Assert.All(names, t => Assert.Equal(MaxWeight, t.Value, 6));
                }
                // The bounds the strategy recorded are those bounds.
                foreach (var bound in risk.Bounds)
                {
                    double b = proxy.GetValueOrDefault(bound.Industry);
                    Assert.True(bound.Lower <= Math.Max(0, b - Band) + 1e-12, $"{where}: {bound.Industry} lower {bound.Lower}");
                    Assert.Equal(b + Band, bound.Upper, 9);
                }
            }
            // Turnover against the weights held before the decision.
            double turnover = targets.Keys.Union(before.Keys).Sum(s => Math.Abs(targets.GetValueOrDefault(s) - before.GetValueOrDefault(s)));
            Assert.Equal(turnover, risk.Turnover, 9);
            if (risk.TurnoverLimit is { } limit)
            {
                withLimit++;
                Assert.True(turnover <= limit + 1e-6, $"{where}: turnover {turnover} above the limit {limit}");
                // The limit is the configured one plus idle cash plus twice the names forced out (they leave the targets).
                double idle = Math.Max(0, 1 - before.Values.Sum()), exits = before.Where(kv => !targets.ContainsKey(kv.Key)).Sum(kv => kv.Value);
                Assert.True(limit >= Turnover + idle - 1e-9 && limit <= Turnover + idle + 2 * exits + 1e-9, $"{where}: limit {limit}, idle {idle}, exits {exits}");
            }
            Assert.True(risk.PredictedVolatility > 0 && risk.TrackingError > 0 && double.IsFinite(risk.BenchmarkVolatility), where);
            Assert.Equal(["momentum", "volatility", "liquidity"], risk.Styles.Select(s => s.Name));
        }
        Assert.True(invested >= 15, $"{invested} invested rebalances");
        Assert.True(optimised >= invested * 9 / 10, $"only {optimised} of {invested} rebalances optimised");
        Assert.True(withLimit >= invested * 3 / 4, $"turnover limit held on only {withLimit} of {invested}");
        Assert.True(result.Recorder.Fills.Count > 50, $"{result.Recorder.Fills.Count} fills");
        Assert.Contains("amount-weighted", log.Values.First().BenchmarkProxy);
    }

    [Fact]
    public async Task Optimised_runs_agree_between_the_actor_tree_and_the_plain_loop_and_repeat_to_the_byte()
    {
        var cfg = Config();
        var first = new FactorStrategyModel(cfg);
        var actors = await BacktestEngine.RunAsync(Options(cfg, first));
        var loop = PureLoopBacktest.Run(Options(cfg, new FactorStrategyModel(cfg)));
        Assert.Equal(loop, actors.Recorder.Nav);
        var again = await BacktestEngine.RunAsync(Options(cfg, new FactorStrategyModel(cfg)));
        Assert.Equal(actors.Recorder.Nav, again.Recorder.Nav);
        Assert.Equal(RiskCsv.Lines(actors.Risk), RiskCsv.Lines(again.Risk));
    }

    [Fact]
    public async Task An_infeasible_optimisation_falls_back_to_capped_equal_weights_and_records_a_risk_event()
    {
        // 4 candidates × 12 % cannot be fully invested: infeasible with or without the turnover limit.
        var cfg = Config(new PortfolioConfig { Candidates = 1, IndustryBand = null, BenchmarkSize = BenchmarkSize, RiskWindow = 40 }, topN: 4, buffer: 0);
        var model = new Recording(new FactorStrategyModel(cfg));
        var result = await BacktestEngine.RunAsync(Options(cfg, model));
        var invested = model.Calls.Where(c => c.Targets.Count > 0).ToList();
        Assert.NotEmpty(invested);
        Assert.All(invested, c => Assert.Equal(Enumerable.Repeat(MaxWeight, 4), c.Targets.Values));
        var fallbacks = result.Recorder.Alerts.Where(a => a.Kind == "portfolio-fallback").ToList();
        Assert.Equal(result.Risk.Count(r => r.Warning is not null), fallbacks.Count);
        Assert.Contains(fallbacks, a => a.Message.Contains("Infeasible") && a.Message.Contains("Capped equal weights"));
        Assert.All(result.Risk.Where(r => r.Names > 0), r => Assert.Equal("fallback", r.Method));
    }

    [Fact]
    public async Task Industry_neutral_weights_match_the_proxy_over_the_covered_industries()
    {
        var cfg = Config(new PortfolioConfig { IndustryBand = 0.0, BenchmarkSize = BenchmarkSize, RiskWindow = 40 }, topN: 15, weighting: Weighting.Neutral);
        var model = new Recording(new FactorStrategyModel(cfg));
        await BacktestEngine.RunAsync(Options(cfg, model));
        var panel = Market.Value;
        var log = model.Inner.RiskLog.ToDictionary(r => r.Date);
        int neutral = 0;
        foreach (var (day, _, targets) in model.Calls.Where(c => c.Targets.Count > 0))
        {
            if (log[panel.Dates[day]].Method != "industry-neutral") continue;
            neutral++;
            var proxy = ProxyIndustryWeights(panel, day);
            var held = targets.GroupBy(t => panel.Stocks[t.Key].Industry).ToDictionary(g => g.Key, g => g.Sum(t => t.Value));
            // Industries not full (some name below the cap) keep the proxy's proportions among themselves.
            var full = held.Keys.Where(i => targets.Where(t => panel.Stocks[t.Key].Industry == i).All(t => t.Value >= MaxWeight - 1e-9)).ToHashSet();
            var ratios = held.Where(kv => !full.Contains(kv.Key)).Select(kv => kv.Value / proxy[kv.Key]).ToList();
            Assert.NotEmpty(ratios);
            Assert.All(ratios, r => Assert.Equal(ratios[0], r, 6));
            Assert.True(Math.Abs(targets.Values.Sum() - 1) < 1e-9);
            Assert.All(targets.Values, w => Assert.True(w <= MaxWeight + 1e-9));
        }
        Assert.True(neutral >= 10, $"{neutral} industry-neutral rebalances");
    }
}
