using System.Globalization;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 13: the daily risk statement — written by a paper node after its post-close (reports/daily/D.html, its
/// summary on the console), written again by <c>trading report daily</c> from the node's journal and store, and
/// bad inputs as one line with exit code 1. One paper day (a daily order cap makes the risk rules reject some orders).
/// </summary>
[Collection("console")]
public class DailyStatementCommandTests
{
    private sealed record PaperRun(string Dir, string NodeFile, string Day, string Output);

    private static readonly Lazy<Task<PaperRun>> Run = new(async () =>
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, output, err) = await CliRunner.Run("data", "synth", "--symbols", "40", "--days", "90", "--seed", "11", "--store", store);
        Assert.True(exit == 0, err);
        await File.WriteAllTextAsync(Path.Combine(dir, "strategy.conf"),
            "strategy { name = stmt-test, factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ], top-n = 6, buffer = 8, rebalance = weekly, "
            + "universe { min-listed-days = 0, min-average-amount = 0 } }\nstrategy.risk { daily-order-count = 4 }\n");
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(node, """
            trading {
              account-id = "paper-stmt"
              node {
                mode = paper
                strategy = "strategy.conf"
                store = "store"
                data-dir = "node-data"
                journal = sqlite
                paper { replay-day = last-rebalance, start-at = "08:40", speed = 4000, exit-after-close = on }
                statement { history-days = 60 }
              }
            }
            """);
        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        var day = File.ReadAllLines(Path.Combine(dir, "node-data", "reports", "nav.csv"))[1].Split(',')[0];
        return new PaperRun(dir, node, day, output);
    });

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    [Fact]
    public async Task The_node_writes_the_statement_after_the_close_and_report_daily_writes_it_again_from_the_journal()
    {
        var run = await Run.Value;
        var page = Path.Combine(run.Dir, "node-data", "reports", "daily", run.Day + ".html");
        Assert.True(File.Exists(page), run.Output);
        Assert.Contains($"**Daily risk statement · paper-stmt · {run.Day}**", run.Output);
        Assert.Contains($"Statement: {page}", run.Output);
        var html = await File.ReadAllTextAsync(page);
        Assert.Contains("id=\"chart-industry-pie\"", html);
        Assert.Contains("id=\"chart-var\"", html);

        // The NAV of the summary is the node's, and on its first day all of it is P&L against the initial cash.
        var nav = decimal.Parse(File.ReadAllLines(Path.Combine(run.Dir, "node-data", "reports", "nav.csv"))[1].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Contains($"- NAV {nav.ToString("N2", CultureInfo.InvariantCulture)}, day P&L ", run.Output);
        var pnl = nav - 600_000m;
        Assert.Contains($"Cumulative P&L {(pnl >= 0 ? "+" : "−")}{Math.Abs(pnl).ToString("N2", CultureInfo.InvariantCulture)}", run.Output);

        // The order cap rejected orders: each rule hit is listed, and counted in the summary.
        int listed = html.Split("<td>risk-reject</td>").Length - 1;
        Assert.True(listed > 0, "the daily order cap rejected nothing");
        Assert.Contains($"- Risk-rule hits {listed} (", run.Output);
        Assert.Contains("id=\"chart-rule-hits\"", html);

        var outFile = Path.Combine(run.Dir, "again", "statement.html");
        var (exit, output, err) = await CliRunner.Run("report", "daily", "--config", run.NodeFile, "--date", run.Day, "--out", outFile);
        Assert.True(exit == 0, err + output);
        var lines = Lines(output);
        Assert.InRange(lines.Length, 5, 8);
        Assert.Equal($"- Statement: {outFile}", lines[^1]);
        Assert.True(File.Exists(outFile));
        // The same numbers as the node's own statement (only the link differs).
        var nodeSummary = Lines(run.Output[run.Output.IndexOf("**Daily risk statement", StringComparison.Ordinal)..]).Take(lines.Length - 1);
        Assert.Equal(nodeSummary, lines.Take(lines.Length - 1));

        // Without --date: the last day the node closed, into data-dir/reports/daily.
        File.Delete(page);
        (exit, output, err) = await CliRunner.Run("report", "daily", "--config", run.NodeFile);
        Assert.True(exit == 0, err + output);
        Assert.True(File.Exists(page));
    }

    [Theory]
    [InlineData("--date", "2001-01-02", "has no NAV on 2001-01-02")]
    [InlineData("--date", "02/12/2024", "--date '02/12/2024' must be YYYY-MM-DD")]
    public async Task A_day_without_data_or_a_bad_date_is_one_line_and_exit_code_1(string option, string value, string message)
    {
        var run = await Run.Value;
        var (exit, output, err) = await CliRunner.Run("report", "daily", "--config", run.NodeFile, option, value);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", err);
        Assert.Single(Lines(err.Trim()));
        Assert.Contains(message, err);
    }

    [Theory]
    [InlineData("", "no journal at")]
    [InlineData("statement { history-days = 3 }", "'trading.node.statement.history-days'")]
    [InlineData("statement { colour = red }", "colour")]
    public async Task A_node_that_never_ran_or_a_bad_statement_block_is_one_line_and_exit_code_1(string extra, string message)
    {
        var dir = CliRunner.TempDir();
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(Path.Combine(dir, "s.conf"), "strategy { name = s, factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ] }");
        await File.WriteAllTextAsync(node, $"trading.node {{ mode = paper, strategy = s.conf, store = store, data-dir = node-data, {extra} }}");
        var (exit, output, err) = await CliRunner.Run("report", "daily", "--config", node);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", err);
        Assert.Single(Lines(err.Trim()));
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(Path.Combine(dir, "node-data", "reports")));
    }
}
