using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

/// <summary>The strategy.portfolio block: every key checked, the bundled optimised example loads.</summary>
public class PortfolioConfigTests
{
    private static string Write(string text) => StrategyFiles.Write(text);

    private static string Root() => StrategyFiles.Root;

    [Fact]
    public void The_optimised_example_loads_with_its_portfolio_block()
    {
        var cfg = StrategyConfig.Load(Path.Combine(Root(), "examples", "optimised-multifactor.conf"));
        Assert.Equal(Weighting.Optimised, cfg.Weighting);
        var p = Assert.IsType<PortfolioConfig>(cfg.Portfolio);
        Assert.Equal((10.0, 0.05, 3, 0.05, 0.8, 120, 300, true, 0.01), (p.RiskAversion, p.AlphaPerScore, p.Candidates, p.IndustryBand, p.MaxTurnover, p.RiskWindow, p.BenchmarkSize, p.LotSizing, p.TradeAlpha));
        // The bundled default strategy has none: its planner and weights are unchanged.
        Assert.Null(StrategyConfig.Load(Path.Combine(Root(), "examples", "momentum-multifactor.conf")).Portfolio);
    }

    [Fact]
    public void Off_values_and_defaults()
    {
        var cfg = StrategyConfig.Load(Write("strategy { factors = [ { spec = momentum } ], weighting = neutral, portfolio { industry-band = off, max-turnover = off, trade-alpha = off, lot-sizing = off } }"));
        Assert.Equal(Weighting.Neutral, cfg.Weighting);
        Assert.Equal((null, null, null, false), (cfg.Portfolio!.IndustryBand, cfg.Portfolio.MaxTurnover, cfg.Portfolio.TradeAlpha, cfg.Portfolio.LotSizing));
        Assert.Null(PlannerSizing.From(cfg, Trading.Domain.Fees.FeeSchedule.Default)!.Filter);
        Assert.Equal(new PortfolioConfig(), StrategyConfig.Load(Write("strategy { factors = [ { spec = momentum } ], portfolio { } }")).Portfolio);
    }

    [Theory]
    [InlineData("portfolio { risk-aversions = 3 }", "unknown key 'strategy.portfolio.risk-aversions'")]
    [InlineData("portfolio { risk-aversion = -1 }", "'strategy.portfolio.risk-aversion' = '-1' must be a number in [0, 1000000]")]
    [InlineData("portfolio { candidates = 2.5 }", "'strategy.portfolio.candidates' = '2.5' must be a whole number in [1, 100]")]
    [InlineData("portfolio { risk-window = 5 }", "'strategy.portfolio.risk-window' = '5' must be a whole number in [20, 2000]")]
    [InlineData("portfolio { industry-band = wide }", "'strategy.portfolio.industry-band' = 'wide' must be a number in [0, 1] or off")]
    [InlineData("portfolio { max-turnover = 3 }", "'strategy.portfolio.max-turnover' = '3' must be a number in [0, 2] or off")]
    [InlineData("portfolio { lot-sizing = sometimes }", "'strategy.portfolio.lot-sizing' = 'sometimes' must be on or off")]
    [InlineData("portfolio { min-trade-value = [1, 2] }", "'strategy.portfolio.min-trade-value' must be a single value")]
    [InlineData("portfolio { lot-sizing { x = 1 } }", "'strategy.portfolio.lot-sizing' must be a single value")]
    [InlineData("portfolio = 3", "'strategy.portfolio' must be a block")]
    [InlineData("weighting = optimized", "'strategy.weighting' = 'optimized' must be one of equal, score, cap, optimised, neutral")]
    public void Bad_portfolio_blocks_name_the_file_and_the_key(string block, string expected)
    {
        var file = Write($"strategy {{ factors = [ {{ spec = momentum }} ], {block} }}");
        var e = Assert.ThrowsAny<FormatException>(() => StrategyConfig.Load(file));
        Assert.Contains(file, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
