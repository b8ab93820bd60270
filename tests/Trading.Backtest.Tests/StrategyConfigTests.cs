using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

public class StrategyConfigTests
{
    private static string Write(string text) => StrategyFiles.Write(text);

    private static string Root() => StrategyFiles.Root;

    [Fact]
    public void The_bundled_example_loads_with_its_settings()
    {
        var cfg = StrategyConfig.Load(Path.Combine(Root(), "examples", "momentum-multifactor.conf"));
        Assert.Equal(("momentum-multifactor", 20, 30, 600_000m), (cfg.Name, cfg.TopN, cfg.Buffer, cfg.InitialCash));
        Assert.Equal(4, cfg.Factors.Count);
        Assert.Equal(0.10m, StrategyOptions.Risk(cfg).MaxPositionWeight);
        Assert.Equal(0.00025m, StrategyOptions.Fees(cfg).CommissionRate);
        Assert.Equal(4, new FactorStrategyModel(cfg).Factors.Count);
    }

    [Theory]
    [InlineData("strategy { factors = [ { spec = momentum } ], top-m = 5 }", "unknown key 'strategy.top-m'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], top-n = -3 }", "'strategy.top-n' = '-3'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], top-n = 40, buffer = 20 }", "'strategy.buffer' (20) must be at least")]
    [InlineData("strategy { factors = [] }", "needs at least one factor")]
    [InlineData("strategy { factors = [ { spec = momentum } ], weighting = magic }", "'strategy.weighting' = 'magic'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { fill-at = noon } }", "'strategy.execution.fill-at' = 'noon'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], risk { max-orders = 5 } }", "unknown key 'strategy.risk.max-orders'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], risk { max-position-weight = 2 } }", "'strategy.risk.max-position-weight' = '2' must be a number in [0, 1] or off")]
    [InlineData("strategy { factors = [ { spec = momentum } ], risk { check-cash = maybe } }", "'strategy.risk.check-cash' = 'maybe' must be on or off")]
    [InlineData("strategy { factors = [ { spec = momentum } ], start = 2024-13-01 }", "'strategy.start'")]
    [InlineData("strategy { factors = [ { spec = \"momentum\" ] }", "not valid HOCON")]
    public void Bad_configs_name_the_file_and_the_key(string text, string expected)
    {
        var file = Write(text);
        var e = Assert.ThrowsAny<FormatException>(() => // ConfigException, or Akka's parse error wrapped by HoconFile
        {
            var cfg = StrategyConfig.Load(file);
            StrategyOptions.Risk(cfg);
        });
        Assert.Contains(file, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_bad_factor_spec_names_the_file_and_the_factor()
    {
        var file = Write("strategy { factors = [ { spec = \"momentum(lookback=60\" } ] }");
        var e = Assert.Throws<FormatException>(() => new FactorStrategyModel(StrategyConfig.Load(file)));
        Assert.Contains($"{file}: 'strategy.factors[0].spec'", e.Message);
    }
}
