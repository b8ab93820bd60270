using Trading.Backtest.Sweeps;
using Trading.Runtime.Configuration;
using Trading.Runtime.Strategy;

namespace Trading.Node.Tests;

/// <summary>Issue 10's hostile-input review of the config readers: includes, substitution cycles, strictness at every level.</summary>
public class ConfigHardeningTests
{
    private const string Minimal = "strategy { factors = [ { spec = momentum } ] }";

    private static string Write(string dir, string name, string text)
    {
        var f = Path.Combine(dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(f)!);
        File.WriteAllText(f, text);
        return f;
    }

    private static ConfigException Refused(string text)
    {
        var file = Write(CliRunner.TempDir(), "s.conf", text);
        var e = Assert.Throws<ConfigException>(() => StrategyConfig.Load(file));
        Assert.Contains(file, e.Message);
        return e;
    }

    [Fact]
    public void Include_of_a_relative_file_works_in_both_spellings_and_nested()
    {
        var dir = CliRunner.TempDir();
        Write(dir, "parts/universe.conf", "{ exclude-st = off, min-listed-days = 120 }");
        Write(dir, "parts/factors.conf", "factors = [ { spec = reversal, weight = 2 } ]\ninclude \"more.conf\"");
        Write(dir, "parts/more.conf", "top-n = 7\nbuffer = 9");
        var file = Write(dir, "s.conf", """
            strategy {
              include file("parts/factors.conf")
              universe {
                include "parts/universe.conf"
              }
            }
            """);
        var cfg = StrategyConfig.Load(file);
        Assert.Equal(("reversal", 2.0), (cfg.Factors.Single().Spec, cfg.Factors.Single().Weight));
        Assert.Equal((7, 9, false, 120), (cfg.TopN, cfg.Buffer, cfg.ExcludeSt, cfg.MinListedDays));
    }

    [Fact]
    public void The_bundled_market_conf_can_be_included_as_its_comment_suggests()
    {
        var dir = CliRunner.TempDir();
        var market = Path.GetRelativePath(dir, Path.Combine(CliRunner.RepoRoot, "hocon", "market.conf"));
        var node = Write(dir, "node.conf", $"include \"{market}\"\nakka.loglevel = INFO\n");
        Assert.Equal(0.00025m, MarketConfig.LoadFees(node).CommissionRate);
    }

    [Fact]
    public void A_missing_include_names_the_including_file_and_line()
    {
        var dir = CliRunner.TempDir();
        var file = Write(dir, "s.conf", "strategy {\n  factors = [ { spec = momentum } ]\n  include \"nope.conf\"\n}");
        var e = Assert.Throws<ConfigException>(() => StrategyConfig.Load(file));
        Assert.StartsWith($"{file}: line 3: include \"nope.conf\"", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void An_include_cycle_is_refused()
    {
        var dir = CliRunner.TempDir();
        Write(dir, "a.conf", "include \"b.conf\"\nx = 1");
        Write(dir, "b.conf", "include \"a.conf\"");
        var file = Write(dir, "s.conf", Minimal + "\ninclude \"a.conf\"");
        var e = Assert.Throws<ConfigException>(() => StrategyConfig.Load(file));
        Assert.Contains("makes a cycle (s.conf → a.conf → b.conf → a.conf)", e.Message);
    }

    [Theory]
    [InlineData("a = ${b}\nb = ${a}")]
    [InlineData("a = ${a}")]
    [InlineData("a { x = ${a} }")]
    [InlineData("a = ${b}\nb = [ 1, ${c} ]\nc = { d = ${a} }")]
    [InlineData("a = ${b}\nb = ${a}\nc = ${a.x}")]
    public void A_substitution_cycle_is_an_error_not_a_stack_overflow(string hocon)
    {
        var e = Refused(Minimal + "\n" + hocon);
        Assert.Contains("substitution cycle", e.Message);
    }

    [Theory]
    [InlineData("a = ${?b}")]
    [InlineData("a = ${ b }")]
    [InlineData("a = ${\"b\"}")]
    [InlineData("a = [ { t = ${?[x, y] } \"m\", w = 1 } ]")]
    public void A_substitution_akka_would_misread_is_an_error(string hocon)
    {
        var e = Refused(Minimal + "\nb = 1\n" + hocon);
        Assert.Contains("not valid HOCON: line 3, column", e.Message);
        Assert.Contains("expected a path in ${…}", e.Message);
    }

    [Theory]
    [InlineData("a = [ 1 : 2 ]", "line 2, column 9: ':' cannot stand unquoted in a list")]
    [InlineData("a = [ 1 } 2 ]", "line 2, column 9: '}' does not match '['")]
    [InlineData("a = [ { b = 1 } x ]", "line 2, column 18: a block, a list and a string cannot be joined on one line")]
    [InlineData("a = 1 b = 2", "line 2, column 9: expected a new line, ',' or the end of the block after a value")]
    [InlineData("a = { b = 1 }.2", "line 2, column 16: a block, a list and a string cannot be joined on one line")]
    [InlineData("a += 1", "'+=' is not supported")]
    [InlineData("a = 1,, b = 2", "expected a key")]
    public void The_grammar_is_checked_before_akkas_parser(string hocon, string expected)
    {
        var e = Refused(Minimal + "\n" + hocon);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Substitutions_without_a_cycle_still_work()
    {
        var cfg = StrategyConfig.Load(Write(CliRunner.TempDir(), "s.conf", """
            n = 12
            base { lookback = 40 }
            strategy { factors = [ { spec = momentum } ], top-n = ${n}, buffer = ${base.lookback} }
            """));
        Assert.Equal((12, 40), (cfg.TopN, cfg.Buffer));
    }

    [Theory]
    [InlineData(65, "nested more than 64 levels deep")]
    [InlineData(5000, "nested more than 64 levels deep")]
    public void Deep_nesting_is_refused_before_the_recursive_parser_sees_it(int depth, string expected)
    {
        var e = Refused(Minimal + "\nx = " + new string('[', depth) + new string(']', depth));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_long_dotted_key_is_refused_before_the_recursive_parser_sees_it()
    {
        var e = Refused(Minimal + "\n" + string.Join('.', Enumerable.Repeat("a", 20_000)) + " = 1");
        Assert.Contains("dotted segments", e.Message);
    }

    [Theory]
    [InlineData("universe { min-listed-days = 60, exlude-st = on }", "unknown key 'strategy.universe.exlude-st'")]
    [InlineData("execution { slipage = 99 }", "unknown key 'strategy.execution.slipage'")]
    [InlineData("fees { comission-rate = 0.0001 }", "unknown key 'strategy.fees.comission-rate'")]
    [InlineData("fees { stamp-duty = [ { from = \"2030-01-01\", rate = 0.0003, on-buy = on } ] }", "unknown key 'strategy.fees.stamp-duty[0].on-buy'")]
    [InlineData("fees { transfer-fee = [ { from = \"2030-01-01\", rate = 0.00001, on-sells = on } ] }", "unknown key 'strategy.fees.transfer-fee[0].on-sells'")]
    [InlineData("risk { max-order-value { a = 1 } }", "'strategy.risk.max-order-value' must be a single value")]
    [InlineData("risk { daily-order-count = 10.5 }", "'strategy.risk.daily-order-count' = '10.5' must be a whole number")]
    [InlineData("universe = 5", "'strategy.universe' must be a block")]
    [InlineData("top-n = 5.7", "'strategy.top-n' = '5.7' must be a whole number in [1, 5000]")]
    [InlineData("top-n = [5]", "'strategy.top-n' must be a single value")]
    [InlineData("max-weight = NaN", "'strategy.max-weight' = 'NaN'")]
    [InlineData("cash-buffer = Infinity", "'strategy.cash-buffer' = 'Infinity'")]
    [InlineData("universe { min-average-amount = 1e400 }", "'strategy.universe.min-average-amount' = '1e400'")]
    [InlineData("initial-cash = 1e40", "'strategy.initial-cash' = '1e40'")]
    [InlineData("benchmark = \"999999.XX\"", "'strategy.benchmark' = '999999.XX' must be an index code")]
    [InlineData("weighting = 1", "'strategy.weighting' = '1' must be one of")]
    public void Every_level_of_a_strategy_is_strict(string extra, string expected)
    {
        var e = Refused($"strategy {{ factors = [ {{ spec = momentum }} ], {extra} }}");
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("factors = [ { spec = momentum, wieght = 2 } ]", "unknown key 'strategy.factors[0].wieght'")]
    [InlineData("factors = [ { spec = momentum, weight = NaN } ]", "'strategy.factors[0].weight' = 'NaN'")]
    [InlineData("factors = [ { spec = momentum, weight = 0 }, { spec = reversal, weight = 0 } ]", "every weight is 0")]
    [InlineData("factors = [ momentum ]", "'strategy.factors[0]' must be a block")]
    [InlineData("factors = [ { spec = momentum, transforms = [ { a = 1 } ] } ]", "'strategy.factors[0].transforms[0]' must be a single value")]
    public void Factor_blocks_are_strict(string factors, string expected)
    {
        var e = Refused($"strategy {{ {factors} }}");
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("trading.market { fee { commission-rate = 0.0001 } }", "unknown key 'trading.market.fee'")]
    [InlineData("trading.market.fees { stamp-duty = [ { from = \"2030-01-01\", rate = 0.0003, sauce = x } ] }", "unknown key 'trading.market.fees.stamp-duty[0].sauce'")]
    [InlineData("trading.market.fees { stamp-duty = [ { rate = 0.0003 } ] }", "'trading.market.fees.stamp-duty[0].from' is missing")]
    [InlineData("trading.market.fees { min-commission = NaN }", "'trading.market.fees.min-commission' = 'NaN'")]
    public void The_market_file_is_strict_at_every_level(string text, string expected)
    {
        var file = Write(CliRunner.TempDir(), "market.conf", text);
        var e = Assert.Throws<ConfigException>(() => MarketConfig.LoadFees(file));
        Assert.Contains(file, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_node_config_sharing_the_trading_block_still_loads_its_fees()
    {
        var file = Write(CliRunner.TempDir(), "node.conf", "trading {\n journal { x = 1 }\n market.fees { min-commission = 0 }\n}");
        Assert.Equal(0m, MarketConfig.LoadFees(file).MinCommission);
    }

    private static StrategyConfig Example() => StrategyConfig.Load(Path.Combine(CliRunner.RepoRoot, "examples", "momentum-multifactor.conf"));

    private static ConfigException GridRefused(string grid)
    {
        var points = SweepGrid.Points(grid, "examples/momentum-multifactor.conf", "store", null, null);
        return Assert.Throws<ConfigException>(() => SweepGrid.Check(points, Example()));
    }

    [Theory]
    [InlineData("topN=20,-5", "--grid topN=-5: ", "'strategy.top-n' = '-5' must be a whole number")]
    [InlineData("topN=0", "--grid topN=0: ", "'strategy.top-n' = '0' must be a whole number")]
    [InlineData("topN=5.7", "--grid topN=5.7: ", "'strategy.top-n' = '5.7'")]
    [InlineData("maxWeight=0.1,5", "--grid maxWeight=5: ", "'strategy.max-weight' = '5' must be a number in [0.001, 1]")]
    [InlineData("weighting=equal,bogus", "--grid weighting=bogus: ", "'strategy.weighting' = 'bogus' must be one of equal, score, cap")]
    [InlineData("cashBuffer=NaN", "--grid cashBuffer=NaN: ", "'strategy.cash-buffer' = 'NaN'")]
    [InlineData("universe.min-listed-days=60,-1", "--grid universe.min-listed-days=-1: ", "'strategy.universe.min-listed-days' = '-1'")]
    [InlineData("execution.slipage=5", "--grid execution.slipage=5: ", "unknown key 'strategy.execution.slipage'")]
    [InlineData("buffer=10", "--grid buffer=10: ", "'strategy.buffer' (10) must be at least 'strategy.top-n' (20)")]
    [InlineData("lookback=-5", "--grid lookback=-5: ", "lookback")]
    [InlineData("nosuch=1", "--grid nosuch=1: ", "neither a strategy setting")]
    public void Grid_values_meet_the_configs_own_checks_and_name_the_axis(string grid, string prefix, string expected)
    {
        var e = GridRefused(grid);
        Assert.StartsWith(prefix, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Grid_keys_reach_any_strategy_setting_in_either_spelling()
    {
        var cfg = Example();
        var point = SweepGrid.Points("topN=50;universe.minListedDays=120;execution.slippage-bps=9;lookback=30", "f", "s", null, null).Single();
        var applied = SweepGrid.Apply(cfg, point);
        Assert.Equal((50, 50, 120, 9.0), (applied.TopN, applied.Buffer, applied.MinListedDays, applied.Execution.SlippageBps));
        Assert.All(applied.Factors, f => Assert.Contains("lookback=30", f.Spec));
        Assert.Equal("momentum-multifactor[topN=50, universe.minListedDays=120, execution.slippage-bps=9, lookback=30]", applied.Name);
        Assert.Equal(0.08, applied.MaxWeight); // the rest of the file is kept
    }

    [Fact]
    public void A_grid_value_cannot_inject_hocon()
    {
        var e = GridRefused("weighting=equal\\n top-n = 1");
        Assert.Contains("'strategy.weighting'", e.Message);
    }
}
