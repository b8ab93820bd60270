using Trading.Data.Panel;
using Trading.Data.Synthetic;
using Trading.Risk;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

/// <summary>The actor tree and a plain loop over the same pure parts must agree to the fen, day by day.</summary>
public class ActorsMatchPureLoopTests
{
    [Fact]
    public async Task Hand_case_agrees()
    {
        var options = HandCalculatedBacktestTests.Options(HandCalculatedBacktestTests.HalfAndForty(), HandCalculatedBacktestTests.Panel());
        var actors = await BacktestEngine.RunAsync(options);
        Assert.Equal(PureLoopBacktest.Run(options), actors.Recorder.Nav);
    }

    [Fact]
    public async Task A_multi_factor_strategy_on_a_synthetic_market_agrees()
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(80, 130, 11) { Start = new DateOnly(2023, 1, 3), RespectBoardLaunchDates = false });
        var panel = MarketPanel.FromBars(market.Bars, market.Stocks);
        var cfg = new StrategyConfig
        {
            Name = "synthetic",
            InitialCash = 1_000_000m,
            Factors = [new FactorWeight("momentum(lookback=20,skip=0)", 1.0, ["winsorize", "zscore"]), new FactorWeight("volatility(lookback=20)", -0.5, ["zscore"])],
            TopN = 10,
            Buffer = 15,
            MaxWeight = 0.15,
            Rebalance = RebalanceFrequency.Weekly,
            MinListedDays = 0,
            MinAverageAmount = 0,
        };
        var options = new BacktestOptions
        {
            Strategy = cfg,
            Model = new FactorStrategyModel(cfg),
            Panel = panel,
            Risk = RiskOptions.Default with { MaxRebalanceTurnover = 3m, MaxDailyAmount = 10_000_000m, MaxOrderValue = 500_000m, KillSwitchDrawdown = null },
            StepTimeout = TimeSpan.FromSeconds(30),
        };
        var actors = await BacktestEngine.RunAsync(options);
        var loop = PureLoopBacktest.Run(options with { Model = new FactorStrategyModel(cfg) });
        Assert.True(actors.Recorder.Fills.Count > 50, $"{actors.Recorder.Fills.Count} fills");
        Assert.Equal(loop, actors.Recorder.Nav);
    }
}
