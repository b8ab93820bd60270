namespace Trading.Node.Tests;

/// <summary>
/// Issue 11: <c>trading node</c> in paper mode — the same actors as the backtest on the real-time clock (replayed,
/// accelerated), a paper day's orders equal a backtest's of the same day, a restart after the day runs nothing twice,
/// and bad node files are one line.
/// </summary>
[Collection("console")]
public class PaperNodeTests
{
    private static readonly Lazy<Task<string>> Store = new(async () =>
    {
        var store = Path.Combine(CliRunner.TempDir(), "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "40", "--days", "90", "--seed", "11", "--store", store);
        Assert.True(exit == 0, err);
        return store;
    });

    private const string Strategy =
        "strategy { name = paper-test, factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ], top-n = 6, buffer = 8, rebalance = weekly, universe { min-listed-days = 0, min-average-amount = 0 } }";

    private static async Task<(string Dir, string NodeFile, string StrategyFile)> Files(string extra = "", string strategyText = Strategy)
    {
        var store = await Store.Value;
        var dir = CliRunner.TempDir();
        var strategy = Path.Combine(dir, "strategy.conf");
        await File.WriteAllTextAsync(strategy, strategyText);
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(node, $$"""
            trading {
              account-id = "paper-test"
              node {
                mode = paper
                strategy = "strategy.conf"
                store = "{{store.Replace("\\", "/")}}"
                data-dir = "node-data"
                journal = sqlite
                paper { replay-day = last-rebalance, start-at = "08:40", speed = 4000, exit-after-close = on }
              }
              {{extra}}
            }
            """);
        return (dir, node, strategy);
    }

    /// <summary>(order id, symbol, side, quantity, limit price) of every order in an orders.csv.</summary>
    private static string[] Orders(string csv) =>
        File.ReadAllLines(csv).Skip(1).Select(l => string.Join(",", l.Split(',')[1..6])).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task A_paper_day_sends_the_same_orders_as_a_backtest_of_that_day_and_a_restart_runs_nothing_twice()
    {
        var (dir, node, strategy) = await Files();
        var (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("closed: the replay is done", output);
        Assert.Contains("\"nav\":", output); // the day's summary
        var reports = Path.Combine(dir, "node-data", "reports");
        var day = File.ReadAllLines(Path.Combine(reports, "nav.csv"))[1].Split(',')[0];
        var paper = Orders(Path.Combine(reports, "orders.csv"));
        Assert.NotEmpty(paper);

        // The backtest from the trading day before (a report needs two NAV rows; that day is no rebalance day of a weekly strategy
        // whose last rebalance is the replayed day), so the replayed day starts from the same untouched account.
        var panel = await Trading.Data.Panel.MarketPanel.LoadAsync(Trading.Data.Store.MarketStore.Open(await Store.Value));
        var before = panel.Dates[panel.DayIndex(DateOnly.Parse(day)) - 1].ToString("yyyy-MM-dd");
        var backtestOut = Path.Combine(dir, "backtest");
        (exit, _, err) = await CliRunner.Run("backtest", "--config", strategy, "--store", await Store.Value, "--start", before, "--end", day, "--out", backtestOut);
        Assert.True(exit == 0, err);
        Assert.Equal(Orders(Path.Combine(backtestOut, "orders.csv")), paper);
        Assert.True(File.Exists(Path.Combine(dir, "node-data", "journal.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "node-data", "logs"), "node-*.log"));

        // Restarted on the same journal: the day is closed, nothing runs again, no second order.
        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("already closed in the journal", output);
        Assert.DoesNotContain("Rebalance:", output);
        Assert.Equal(paper, Orders(Path.Combine(reports, "orders.csv")));
    }

    [Fact]
    public async Task A_post_close_interrupted_before_its_end_was_journaled_runs_again_on_restart_and_writes_the_day_reports()
    {
        // A node stopped in its post-close (killed, or a cluster hand-over mid-close: issue 14's failover benchmark) had
        // journaled the job as run but not as done: the restarted node must write the day's reports, not skip the day.
        var (dir, node, _) = await Files();
        var (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        var reports = Path.Combine(dir, "node-data", "reports");
        var nav = File.ReadAllLines(Path.Combine(reports, "nav.csv"));
        var orders = Orders(Path.Combine(reports, "orders.csv"));
        // The post-close's end, taken back out of the journal; its reports gone.
        await using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dir, "node-data", "journal.db")};Pooling=false"))
        {
            await c.OpenAsync();
            await using var q = c.CreateCommand();
            q.CommandText = """
                DELETE FROM journal WHERE persistence_id LIKE 'day-%' AND manifest LIKE '%JobDone%'
                  AND sequence_number = (SELECT MAX(sequence_number) FROM journal WHERE persistence_id LIKE 'day-%')
                """;
            Assert.Equal(1, await q.ExecuteNonQueryAsync());
        }
        Directory.Delete(reports, recursive: true);

        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("its interrupted post-close ran again", output);
        Assert.DoesNotContain("Rebalance:", output);
        Assert.Equal(nav, File.ReadAllLines(Path.Combine(reports, "nav.csv")));
        Assert.Equal(orders, Orders(Path.Combine(reports, "orders.csv")));

        // Once done, it is done: a third start runs nothing.
        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("already closed in the journal", output);
    }

    [Fact]
    public async Task A_paper_day_through_the_xtquant_bridge_sends_the_same_orders_as_one_through_the_in_process_simulator()
    {
        // Fills at the day's open with no slippage or impact, as the fake fills a marketable order: the two brokers'
        // fills, and so the top-up after them, are the same.
        const string exact = Strategy + "\nstrategy.execution { slippage-bps = 0, impact = 0, volume-cap = 1 }";
        // In process: the simulated exchange inside the node.
        var (simDir, simNode, _) = await Files(strategyText: exact);
        var (exit, output, err) = await CliRunner.Run("node", "--config", simNode);
        Assert.True(exit == 0, err + output);
        var simOrders = Orders(Path.Combine(simDir, "node-data", "reports", "orders.csv"));
        Assert.NotEmpty(simOrders);
        var day = DateOnly.Parse(File.ReadAllLines(Path.Combine(simDir, "node-data", "reports", "nav.csv"))[1].Split(',')[0]);

        // Through the channel the live node uses: gateway → qmt_bridge.py → fakextquant, each its own process, the
        // fake's prices written from the same stored day at the strategy's fill timing.
        var (dir, node, strategyFile) = await Files(strategyText: exact);
        var initialCash = Trading.Runtime.Strategy.StrategyConfig.Load(strategyFile).InitialCash;
        var fixture = Path.Combine(dir, "fixture.json");
        (exit, output, err) = await CliRunner.Run("broker-sim", "--config", node, "--write-fixture", fixture);
        Assert.True(exit == 0, err + output);
        await using var qmt = await Trading.Bench.Workloads.QmtProcesses.Start(CliRunner.RepoRoot, fixture, "paper-test", initialCash, day, matchEveryMs: 50);
        await File.AppendAllTextAsync(node, $"\ntrading.node.broker {{ kind = bridge, host = \"127.0.0.1\", port = {qmt.Port} }}\n");
        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("bridge at 127.0.0.1", output);
        var reports = Path.Combine(dir, "node-data", "reports");
        Assert.Equal(simOrders, Orders(Path.Combine(reports, "orders.csv")));

        // The node's account is the broker's, to the fen, and its trades report has every fill the broker made.
        using var state = System.Text.Json.JsonDocument.Parse(await qmt.Ctl("state"));
        var brokerCash = decimal.Parse(state.RootElement.GetProperty("asset").GetProperty("cash").GetRawText(), System.Globalization.CultureInfo.InvariantCulture);
        var nav = File.ReadAllLines(Path.Combine(reports, "nav.csv"));
        var header = nav[0].Split(',');
        var cash = decimal.Parse(nav[^1].Split(',')[Array.IndexOf(header, "cash")], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(brokerCash, cash);
        Assert.Equal(state.RootElement.GetProperty("trades").GetArrayLength(), File.ReadAllLines(Path.Combine(reports, "trades.csv")).Length - 1);
        Assert.DoesNotContain("reconciliation", output);
    }

    [Fact]
    public async Task A_twap_paper_day_works_each_order_as_a_parent_whose_children_stay_within_it_and_a_restart_sends_none_again()
    {
        var twap = Strategy[..^1].TrimEnd() + "\n  execution { algo = twap, window = \"09:35-11:00\", slices = 3, reprice-after = 2m, reprice-ticks = 1 }\n}";
        var (dir, node, _) = await Files("schedule { monitor-every = 1m }", twap);
        var (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("worked by twap over 09:35-11:00, 3 slices", output);
        Assert.Contains("closed: the replay is done", output);
        var reports = Path.Combine(dir, "node-data", "reports");
        var orders = File.ReadAllLines(Path.Combine(reports, "orders.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var parents = File.ReadAllLines(Path.Combine(reports, "parents.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.NotEmpty(parents);
        Assert.True(orders.Count >= parents.Count, $"{orders.Count} orders for {parents.Count} parents");
        var childOf = new Dictionary<string, string>();
        foreach (var p in parents)
        {
            // date,parent_id,symbol,side,quantity,limit_price,algo,window,status,filled_quantity,average_price,children,reason
            Assert.Equal(("twap", "09:35-11:00"), (p[6], p[7]));
            var children = p[11].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(children);
            foreach (var c in children) childOf[c] = p[1];
            var rows = orders.Where(o => children.Contains(o[1])).ToList();
            Assert.Equal(children.Length, rows.Count);
            Assert.All(rows, o => Assert.Equal((p[2], p[3]), (o[2], o[3])));
            long filled = rows.Sum(o => long.Parse(o[7])), quantity = long.Parse(p[4]);
            Assert.Equal(long.Parse(p[9]), filled);
            Assert.True(filled <= quantity, $"parent {p[1]} filled {filled} of {quantity}");
            // Every child's price within the parent's limit (a buy never above it, a sell never below).
            Assert.All(rows, o => Assert.True(p[3] == "buy" ? decimal.Parse(o[5]) <= decimal.Parse(p[5]) : decimal.Parse(o[5]) >= decimal.Parse(p[5]), $"{o[1]} at {o[5]}"));
        }
        Assert.All(orders, o => Assert.True(childOf.ContainsKey(o[1]), $"{o[1]} is no parent's child"));

        // The read models of the node's journal hold the same parents, and each child's parent id.
        var journal = Path.Combine(dir, "node-data", "journal.db");
        var exported = Path.Combine(dir, "parents-export.csv");
        (exit, _, err) = await CliRunner.Run("journal", "export", "--journal", journal, "--what", "parents", "--out", exported);
        Assert.True(exit == 0, err);
        Assert.Equal(parents.Select(p => p[1]).Order(), File.ReadAllLines(exported).Skip(1).Select(l => l.Split(',')[1]).Order());
        var exportedOrders = Path.Combine(dir, "orders-export.csv");
        (exit, _, err) = await CliRunner.Run("journal", "export", "--journal", journal, "--what", "orders", "--out", exportedOrders);
        Assert.True(exit == 0, err);
        var lines = File.ReadAllLines(exportedOrders);
        Assert.EndsWith(",parent_id", lines[0]);
        Assert.All(lines.Skip(1).Select(l => l.Split(',')), o => Assert.Equal(childOf[o[1]], o[^1]));

        // Restarted on the same journal: nothing runs again, no child is sent twice.
        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("already closed in the journal", output);
        Assert.Equal(orders.Count, File.ReadAllLines(Path.Combine(reports, "orders.csv")).Length - 1);
    }

    public static TheoryData<string, string> BadNodeFiles => new()
    {
        { "trading.node { mode = live, strategy = s.conf, store = x, data-dir = d }", "'trading.node.mode' = 'live'" },
        { "trading.node { mode = paper, strategy = s.conf, store = x, data-dir = d, journal = mysql }", "'trading.node.journal' = 'mysql'" },
        { "trading.node { mode = paper, strategy = s.conf, store = x, data-dir = d, paper { speed = 0 } }", "'trading.node.paper.speed'" },
        { "trading { epoch = -1, node { mode = paper, strategy = s.conf, store = x, data-dir = d } }", "'trading.epoch' = '-1'" },
        { "trading.node { mode = paper, strategy = s.conf, store = x, data-dir = d, paper { replay-dya = last } }", "replay-dya" },
        { "trading.account-id = \"\"", "'trading.account-id'" },
        { "trading.node { mode = paper, strategy = s.conf, store = x, data-dir = d, broker { kind = bridge, secret-file = nowhere.key } }", "'trading.node.broker.secret-file'" },
    };

    [Fact]
    public async Task A_bridge_secret_readable_by_others_is_refused_in_one_line_that_does_not_show_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var dir = CliRunner.TempDir();
        var key = Path.Combine(dir, "bridge.key");
        await File.WriteAllTextAsync(key, "topsecret-xyz-123\n");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var f = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(f, "trading.node { mode = paper, strategy = s.conf, store = x, data-dir = d, broker { kind = bridge, secret-file = bridge.key } }");
        var (exit, output, err) = await CliRunner.Run("node", "--config", f);
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("chmod 600", line);
        Assert.DoesNotContain("topsecret", err + output);
    }

    [Theory]
    [InlineData("execution { algo = twapp }", "'strategy.execution.algo' = 'twapp' must be one of immediate, twap, vwap")]
    [InlineData("execution { algo = twap, window = \"09:35-16:00\" }", "'strategy.execution.window' = '09:35-16:00' must end inside continuous trading")]
    [InlineData("execution { participation = -0.1 }", "'strategy.execution.participation' = '-0.1' must be a number in [0, 1]")]
    [InlineData("execution { reprice-after = soon }", "'strategy.execution.reprice-after' = 'soon' must be a duration with a unit")]
    public async Task A_bad_execution_algo_value_is_one_line_for_the_backtest_and_the_node(string block, string expected)
    {
        var dir = CliRunner.TempDir();
        var strategy = Path.Combine(dir, "bad.conf");
        await File.WriteAllTextAsync(strategy, "strategy {\n  factors = [ { spec = momentum } ]\n  " + block + "\n}");
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(node, "trading.node { mode = paper, strategy = bad.conf, store = x, data-dir = d }");
        foreach (var args in new[] { new[] { "backtest", "--config", strategy, "--store", dir, "--out", dir }, ["node", "--config", node] })
        {
            var (exit, _, err) = await CliRunner.Run(args);
            Assert.Equal(1, exit);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", line);
            Assert.Contains(expected, line);
        }
    }

    [Fact]
    public async Task An_algo_window_ending_after_the_nodes_cancel_of_open_orders_is_one_line()
    {
        var dir = CliRunner.TempDir();
        await File.WriteAllTextAsync(Path.Combine(dir, "s.conf"), "strategy {\n  factors = [ { spec = momentum } ]\n  execution { algo = vwap, window = \"13:00-14:57\" }\n}");
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(node, "trading.node { mode = paper, strategy = s.conf, store = x, data-dir = d }");
        var (exit, _, err) = await CliRunner.Run("node", "--config", node);
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("'strategy.execution.window' = '13:00-14:57' ends after trading.schedule.cancel-open-orders (14:55:00)", line);
    }

    [Theory]
    [MemberData(nameof(BadNodeFiles))]
    public async Task A_bad_node_file_is_one_line(string text, string expected)
    {
        var f = Path.Combine(CliRunner.TempDir(), "node.conf");
        await File.WriteAllTextAsync(f, text);
        var (exit, _, err) = await CliRunner.Run("node", "--config", f);
        Assert.Equal(1, exit);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, err);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }
}
