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
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { algo = iceberg } }", "'strategy.execution.algo' = 'iceberg' must be one of immediate, twap, vwap")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { window = \"9:35-14:50\" } }", "'strategy.execution.window' = '9:35-14:50' must be two Shanghai times HH:mm-HH:mm")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { window = \"09:35-15:10\" } }", "must end inside continuous trading")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { window = \"12:00-14:00\" } }", "must start inside continuous trading")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { window = \"14:00-10:00\" } }", "must end after it starts")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { slices = 0 } }", "'strategy.execution.slices' = '0' must be a whole number in [1, 100]")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { slices = 2.5 } }", "'strategy.execution.slices' = '2.5'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { participation = 1.5 } }", "'strategy.execution.participation' = '1.5' must be a number in [0, 1]")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { reprice-after = 60 } }", "'strategy.execution.reprice-after' = '60' must be a duration with a unit")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { reprice-after = 2h } }", "must be whole seconds between 1s and 3600s")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { reprice-ticks = -1 } }", "'strategy.execution.reprice-ticks' = '-1'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { profile = [1, 2, 3] } }", "'strategy.execution.profile' must list 8 weights")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { profile = [0, 0, 0, 0, 0, 0, 0, 0] } }", "needs at least one positive weight")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { profile = [1, 1, 1, x, 1, 1, 1, 1] } }", "'strategy.execution.profile[3]' = 'x'")]
    [InlineData("strategy { factors = [ { spec = momentum } ], execution { slicez = 3 } }", "unknown key 'strategy.execution.slicez'")]
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
    public void The_twap_example_reads_the_bundled_strategy_with_its_algo_and_the_defaults_are_immediate()
    {
        var twap = StrategyConfig.Load(Path.Combine(Root(), "examples", "momentum-multifactor-twap.conf"));
        var plain = StrategyConfig.Load(Path.Combine(Root(), "examples", "momentum-multifactor.conf"));
        Assert.Equal("momentum-multifactor-twap", twap.Name);
        var algo = twap.Execution.Algo;
        Assert.Equal((Trading.Runtime.Execution.ExecutionAlgo.Twap, "09:35-14:50", 6, 0.05, TimeSpan.FromMinutes(3), 2),
            (algo.Algo, algo.Window.ToString(), algo.Slices, algo.Participation, algo.RepriceAfter, algo.RepriceTicks));
        Assert.Equal(plain.Execution with { Algo = algo }, twap.Execution); // the same fill model, only the algo differs
        Assert.Equal((plain.TopN, plain.Factors.Count), (twap.TopN, twap.Factors.Count));
        Assert.Equal(Trading.Runtime.Execution.ExecutionAlgoOptions.Immediate, plain.Execution.Algo);
        var vwap = StrategyConfig.Load(Write("strategy { factors = [ { spec = momentum } ], execution { algo = vwap, window = \"13:00-14:57\", reprice-after = off, profile = [2, 1, 1, 1, 1, 1, 1, 2] } }"));
        Assert.Equal((Trading.Runtime.Execution.ExecutionAlgo.Vwap, (TimeSpan?)null, 0.2), (vwap.Execution.Algo.Algo, vwap.Execution.Algo.RepriceAfter, vwap.Execution.Algo.Profile.Weights[^1]));
    }

    [Fact]
    public void A_bad_factor_spec_names_the_file_and_the_factor()
    {
        var file = Write("strategy { factors = [ { spec = \"momentum(lookback=60\" } ] }");
        var e = Assert.Throws<FormatException>(() => new FactorStrategyModel(StrategyConfig.Load(file)));
        Assert.Contains($"{file}: 'strategy.factors[0].spec'", e.Message);
    }
}
