using Trading.Node.Commands;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 10: every failure a user can provoke ends as one line <c>error: …</c> and exit code 1, with no stack trace
/// on the console — config crashes, bad dates, bad grids, bad numbers, and anything unexpected.
/// </summary>
[Collection("console")]
public class CliHardeningTests
{
    private static readonly Lazy<Task<string>> SynthStore = new(async () =>
    {
        var store = Path.Combine(CliRunner.TempDir(), "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "30", "--days", "80", "--seed", "7", "--store", store);
        Assert.True(exit == 0, err);
        return store;
    });

    private static string Strategy(string body, string? dir = null)
    {
        var f = Path.Combine(dir ?? CliRunner.TempDir(), "s.conf");
        File.WriteAllText(f, body);
        return f;
    }

    private const string Good = "strategy { factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ], top-n = 5, buffer = 8, universe { min-listed-days = 0, min-average-amount = 0 } }";

    private static void AssertOneLineError(int exit, string err, string expected)
    {
        Assert.Equal(1, exit);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got:\n{err}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", err);
        Assert.Contains(expected, lines[0]);
    }

    public static TheoryData<string, string> ConfigCases => new()
    {
        { "strategy { factors = [ { spec = momentum } ], include \"missing.conf\" }", "include \"missing.conf\"" },
        { "a = ${b}\nb = ${a}\n" + "strategy { factors = [ { spec = momentum } ] }", "substitution cycle" },
        { "strategy { factors = [ { spec = momentum } ], top-n = ${strategy.top-n} }", "substitution cycle" },
        { "strategy { factors = [ { spec = momentum } ], execution { slipage = 99 } }", "unknown key 'strategy.execution.slipage'" },
        { "strategy { factors = [ { spec = momentum } ], top-n = 5.7 }", "'strategy.top-n' = '5.7' must be a whole number" },
        { "strategy { factors = [ { spec = momentum, weight = 0 } ] }", "every weight is 0" },
        { "x = " + new string('{', 3000), "nested more than 64 levels deep" },
    };

    [Theory]
    [MemberData(nameof(ConfigCases))]
    public async Task A_bad_strategy_file_is_one_line_for_backtest_and_sweep(string text, string expected)
    {
        var file = Strategy(text);
        var (exit, _, err) = await CliRunner.Run("backtest", "--config", file, "--store", "nowhere", "--out", CliRunner.TempDir());
        AssertOneLineError(exit, err, expected);
        (exit, _, err) = await CliRunner.Run("sweep", "--config", file, "--store", "nowhere", "--grid", "topN=5,6", "--out", CliRunner.TempDir());
        AssertOneLineError(exit, err, expected);
    }

    [Theory]
    [InlineData("--start", "2024-06-01", "--end", "2024-01-01", "--end 2024-01-01 is before --start 2024-06-01")]
    [InlineData("--start", "2031-01-01", "--end", "2031-02-01", "no trading days between 2031-01-01 and 2031-02-01")]
    [InlineData("--start", "2024-13-01", "--end", "2025-01-01", "--start '2024-13-01' is not a date")]
    public async Task Bad_dates_are_one_line(string o1, string v1, string o2, string v2, string expected)
    {
        var store = await SynthStore.Value;
        var (exit, _, err) = await CliRunner.Run("backtest", "--config", Strategy(Good), "--store", store, "--out", CliRunner.TempDir(), o1, v1, o2, v2);
        AssertOneLineError(exit, err, expected);
    }

    [Fact]
    public async Task A_benchmark_missing_from_the_store_is_an_error_before_the_run()
    {
        var store = await SynthStore.Value;
        var file = Strategy(Good.Replace("top-n = 5", "benchmark = \"000905.SH\", top-n = 5"));
        var (exit, _, err) = await CliRunner.Run("backtest", "--config", file, "--store", store, "--out", CliRunner.TempDir());
        AssertOneLineError(exit, err, "'strategy.benchmark' = '000905.SH' is not in the store");
        (exit, _, err) = await CliRunner.Run("sweep", "--config", file, "--store", store, "--grid", "topN=5,6", "--out", CliRunner.TempDir());
        AssertOneLineError(exit, err, "'strategy.benchmark' = '000905.SH' is not in the store");
    }

    [Fact]
    public async Task Cap_weighting_on_a_store_without_valuations_is_an_error_not_equal_weights()
    {
        // The bundled sample has bars, names and the CSI 300 series but no daily_basic valuations.
        var store = Path.Combine(CliRunner.TempDir(), "sample");
        var (exit, _, err) = await CliRunner.Run("data", "import", "--format", "tushare", "--input",
            Path.Combine(CliRunner.RepoRoot, "data", "ashare-2024-sample"), "--store", store);
        Assert.True(exit == 0, err);
        var file = Strategy(Good.Replace("top-n = 5", "weighting = cap, top-n = 5"));
        (exit, _, err) = await CliRunner.Run("backtest", "--config", file, "--store", store, "--out", CliRunner.TempDir());
        AssertOneLineError(exit, err, "'strategy.weighting' = cap needs market values");
        (exit, _, err) = await CliRunner.Run("sweep", "--config", Strategy(Good), "--store", store, "--grid", "weighting=equal,cap", "--out", CliRunner.TempDir());
        AssertOneLineError(exit, err, "'strategy.weighting' = cap needs market values");
    }

    [Theory]
    [InlineData("topN=-5", "1", "--grid topN=-5: ")]
    [InlineData("topN=0", "1", "--grid topN=0: ")]
    [InlineData("maxWeight=5", "1", "--grid maxWeight=5: ")]
    [InlineData("weighting=bogus", "1", "--grid weighting=bogus: ")]
    [InlineData("topN=5,6", "0", "--parallel 0: must be between 1 and 1024")]
    [InlineData("topN=5,6", "-3", "--parallel -3: must be between 1 and 1024")]
    [InlineData("topN=5,6", "abc", "'abc'")]
    [InlineData("topN", "1", "--grid: axis 'topN' must look like key=v1,v2")]
    public async Task Bad_sweep_arguments_are_one_line_and_nothing_runs(string grid, string parallel, string expected)
    {
        var store = await SynthStore.Value;
        var output = Path.Combine(CliRunner.TempDir(), "out");
        var (exit, _, err) = await CliRunner.Run("sweep", "--config", Strategy(Good), "--store", store, "--grid", grid, "--parallel", parallel, "--out", output);
        AssertOneLineError(exit, err, expected);
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("79228162514264337593543950335", "9223372036854775807", "--price 79228162514264337593543950335 is above")]
    [InlineData("999999", "9223372036854775807", "--quantity 9223372036854775807 is above")]
    [InlineData("10", "100", "--date '2024-02-30' is not a date")]
    public async Task Fees_with_huge_numbers_or_a_bad_date_are_one_line(string price, string quantity, string expected)
    {
        var (exit, _, err) = await CliRunner.Run("fees", "--side", "buy", "--price", price, "--quantity", quantity,
            "--date", expected.Contains("--date") ? "2024-02-30" : "2024-01-02");
        AssertOneLineError(exit, err, expected);
    }

    [Fact]
    public async Task An_empty_nav_file_is_named()
    {
        var nav = Path.Combine(CliRunner.TempDir(), "nav.csv");
        File.WriteAllText(nav, "");
        var (exit, _, err) = await CliRunner.Run("metrics", "--nav", nav);
        AssertOneLineError(exit, err, $"{nav} line 1: the file is empty");
    }

    [Theory]
    [InlineData("sweep", "--help")]
    [InlineData("backtest", "-h")]
    public async Task Help_still_shows_the_usage(string command, string help)
    {
        var (exit, output, err) = await CliRunner.Run(command, help);
        Assert.Equal(0, exit);
        Assert.Contains("--config", output);
        Assert.Equal("", err);
    }

    [Fact]
    public async Task A_command_line_error_is_one_line_not_the_usage_text()
    {
        var (exit, _, err) = await CliRunner.Run("backtest", "--config", "x.conf");
        AssertOneLineError(exit, err, "--store");
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_pointing_at_the_log()
    {
        var old = Console.Error;
        var e = new StringWriter();
        Console.SetError(e);
        try
        {
            Exception thrown;
            try { throw new InvalidOperationException("boom\nsecond line"); }
            catch (Exception x) { thrown = x; }
            int exit = Cli.Fail(thrown);
            AssertOneLineError(exit, e.ToString(), "error: internal error: boom; second line (InvalidOperationException; details in ");
            Assert.Contains(Logging.LogFile, e.ToString());
        }
        finally { Console.SetError(old); }
    }

    [Fact]
    public async Task An_exception_escaping_a_command_is_one_line()
    {
        // A command whose action throws something no Guard lists: System.CommandLine's default handler printed the trace.
        var root = new System.CommandLine.RootCommand();
        var cmd = new System.CommandLine.Command("explode");
        cmd.SetAction((Func<System.CommandLine.ParseResult, int>)(_ => throw new NotSupportedException("kaboom")));
        root.Subcommands.Add(cmd);
        var old = Console.Error;
        var e = new StringWriter();
        Console.SetError(e);
        try
        {
            int exit = await Program.InvokeAsync(root.Parse(["explode"]));
            AssertOneLineError(exit, e.ToString(), "internal error: kaboom (NotSupportedException;");
        }
        finally { Console.SetError(old); }
    }
}
