using Trading.Data.Panel;
using Trading.Data.Synthetic;
using Trading.Risk;
using Trading.Runtime.Execution;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

/// <summary>
/// A backtest on daily bars has no intraday path to slice against: whatever the strategy's execution algo, every parent
/// is one order sent as today and the daily fill model decides. So TWAP and VWAP give the very files immediate gives.
/// </summary>
public class ExecutionAlgoBacktestTests
{
    private static readonly string[] Files = ["nav.csv", "trades.csv", "orders.csv", "positions.csv", "risk_events.csv", "summary.json"];

    private static async Task<string> Run(MarketPanel panel, ExecutionAlgoOptions algo)
    {
        var cfg = new StrategyConfig
        {
            Name = "algo-parity",
            InitialCash = 1_000_000m,
            Factors = [new FactorWeight("momentum(lookback=20,skip=0)", 1.0, ["winsorize", "zscore"])],
            TopN = 8,
            Buffer = 12,
            MaxWeight = 0.2,
            Rebalance = RebalanceFrequency.Weekly,
            MinListedDays = 0,
            MinAverageAmount = 0,
        };
        cfg = cfg with { Execution = cfg.Execution with { Algo = algo } };
        var result = await BacktestEngine.RunAsync(new BacktestOptions
        {
            Strategy = cfg,
            Model = new FactorStrategyModel(cfg),
            Panel = panel,
            Risk = RiskOptions.Default with { MaxRebalanceTurnover = 3m, MaxDailyAmount = 10_000_000m, MaxOrderValue = 500_000m, KillSwitchDrawdown = null },
            StepTimeout = TimeSpan.FromSeconds(30),
        });
        Assert.True(result.Recorder.Fills.Count > 20, $"{result.Recorder.Fills.Count} fills");
        var dir = Path.Combine(Path.GetTempPath(), "bt-algo-" + Guid.NewGuid().ToString("N"));
        result.Recorder.Write(dir, result.Orders, result.SummaryJson);
        Assert.All(result.Orders, o => Assert.Null(o.Request.ParentId)); // orders sent whole
        return dir;
    }

    [Fact]
    public async Task Twap_and_vwap_give_the_same_backtest_as_immediate_on_daily_bars()
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(40, 70, 7) { Start = new DateOnly(2023, 1, 3), RespectBoardLaunchDates = false });
        var panel = MarketPanel.FromBars(market.Bars, market.Stocks);
        var immediate = await Run(panel, ExecutionAlgoOptions.Immediate);
        foreach (var algo in new[] { ExecutionAlgo.Twap, ExecutionAlgo.Vwap })
        {
            var sliced = await Run(panel, new ExecutionAlgoOptions { Algo = algo, Slices = 5, Participation = 0.01, RepriceAfter = TimeSpan.FromSeconds(30) });
            foreach (var file in Files)
                Assert.True(File.ReadAllBytes(Path.Combine(immediate, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(sliced, file))), $"{algo}: {file} differs");
            Assert.False(File.Exists(Path.Combine(sliced, "parents.csv")));
        }
    }
}
