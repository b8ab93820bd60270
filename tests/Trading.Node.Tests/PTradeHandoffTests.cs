using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Rules;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.PTrade;
using Trading.Runtime.Strategy;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 13 part 3, end to end: `trading ptrade export` writes the day's target file, python3 runs
/// scripts/ptrade_strategy.py unmodified against the PTrade simulator (scripts/tests/ptrade_sim.py), `trading ptrade
/// import` records the acknowledgements and fills in the node's journal, whose positions then equal the simulator's.
/// </summary>
[Collection("console")]
public class PTradeHandoffTests
{
    private const string Account = "main";
    private const decimal Capital = 1_000_000m;

    /// <summary>python3 on the PATH; a missing one fails the test with the way to install it (it is not skipped).</summary>
    private static string Python3()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "python3");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail("python3 is not on the PATH: the PTrade template runs under it. Install it with scripts/python-test-deps.sh.");
        return "";
    }

    private static async Task<(int Exit, string Out, string Err)> RunPython(params string[] args)
    {
        var psi = new ProcessStartInfo(Python3()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); Assert.Fail("the PTrade simulator did not finish within 60 s"); }
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>A node journal whose account holds <see cref="Capital"/> in cash.</summary>
    private static async Task Seed(string journal)
    {
        using var system = TradingSystem.Create("ptrade-seed", JournalKind.Sqlite, journal, "akka.loglevel = WARNING");
        var book = system.ActorOf(PositionBookActor.Props(Account), "position-book");
        await book.Ask<Deposited>(new Deposit(Capital, "test capital"), TimeSpan.FromSeconds(30));
        await system.Terminate();
    }

    private static string Ymd(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Export_trade_in_the_simulator_and_import_reconcile_the_journal_over_two_days()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, output, err) = await CliRunner.Run("data", "synth", "--symbols", "30", "--days", "80", "--seed", "11", "--store", store);
        Assert.True(exit == 0, err);
        var conf = Path.Combine(dir, "s.conf");
        File.WriteAllText(conf, "strategy { name = handoff, initial-cash = 1000000, factors = [ { spec = \"momentum(lookback=10,skip=0)\" } ], "
            + "top-n = 5, buffer = 5, rebalance = daily, universe { min-listed-days = 0, min-average-amount = 0, exclude-limit-up = off } }\n"
            // Risk caps out of the way: this test checks the weights' lots through the hand-off; the caps' effect on the
            // targets is checked against a backtest in A_portfolio_strategy_exports_the_quantities_its_backtest_buys_on_the_same_day.
            + "strategy.risk { max-order-value = 100000000, max-position-weight = 1 }\n");
        var journal = Path.Combine(dir, "journal.db");
        await Seed(journal);
        var research = Path.Combine(dir, "research");   // PTrade's research directory: both ways
        Directory.CreateDirectory(research);
        var panel = await MarketPanel.LoadAsync(MarketStore.Open(store));
        var model = new FactorStrategyModel(StrategyConfig.Load(conf));
        var template = Path.Combine(CliRunner.RepoRoot, "scripts", "ptrade_strategy.py");
        var sim = Path.Combine(CliRunner.RepoRoot, "scripts", "tests", "ptrade_sim.py");

        // The node's config names the same strategy, store, journal (data-dir/journal.db) and account: day 2 goes through it.
        var nodeConf = Path.Combine(dir, "node.conf");
        File.WriteAllText(nodeConf, $"trading {{ account-id = \"{Account}\", node {{ mode = paper, strategy = \"s.conf\", store = \"store\", data-dir = \".\" }} }}");
        var simPositions = new JsonObject();   // code → [amount, enable_amount] at the start of the day
        decimal simCash = Capital;
        int fillsSoFar = 0, ordersSoFar = 0;
        foreach (int day in new[] { 60, 70 })
        {
            var date = panel.Dates[day];
            (exit, output, err) = day == 60
                ? await CliRunner.Run("ptrade", "export", "--strategy", conf, "--store", store, "--date", date.ToString("yyyy-MM-dd"),
                    "--out", research, "--journal", journal, "--account", Account)
                : await CliRunner.Run("ptrade", "export", "--config", nodeConf, "--date", date.ToString("yyyy-MM-dd"), "--out", research);
            Assert.True(exit == 0, err + output);
            var targetFile = Path.Combine(research, $"targets_{Ymd(date)}_v1.json");
            Assert.True(File.Exists(Path.ChangeExtension(targetFile, ".ok")));
            var targets = PTradeTargets.Read(targetFile);
            Assert.Equal(panel.Dates[day - 1], targets.DecisionDate);

            // The same targets as the strategy and the planner's sizing give on the decision day (no look at day itself).
            var book = await PTradeJournal.ReadBookAsync(JournalKind.Sqlite, journal, Account);
            decimal Close(Trading.Domain.Instruments.Symbol s) => Money.FromDouble(panel.Close[panel.Cell(day - 1, panel.SymbolIndex(s))]);
            decimal nav = book.Cash + book.Positions.Sum(p => p.Value.Quantity * Close(p.Key));
            var weights = model.Targets(panel, day - 1, book.Positions.ToDictionary(p => p.Key, p => (double)(p.Value.Quantity * Close(p.Key) / nav)));
            var expected = weights.Select(w => (PTradeTargets.Code(w.Key), RebalancePlanner.TargetQuantity(w.Value, nav * 0.99m, Close(w.Key), MarketRules.Default.Quantity(w.Key))))
                .Where(x => x.Item2 > 0).ToHashSet();
            Assert.NotEmpty(expected);
            Assert.Subset(targets.Positions.Select(p => (p.Code, p.Target)).ToHashSet(), expected);
            Assert.All(targets.Positions.Where(p => !expected.Any(e => e.Item1 == p.Code)), p => Assert.Equal(0, p.Target));

            // PTrade's day: the template, unmodified, against the simulator.
            var prices = new JsonObject();
            foreach (var leg in targets.Positions)
                prices[leg.Code] = (double)Close(Trading.Domain.Instruments.Symbol.Parse(leg.Code));
            var accountFile = Path.Combine(dir, $"account-{day}.json");
            var resultFile = Path.Combine(dir, $"result-{day}.json");
            // Day 1: the counter fills only half of the largest buy (the rest expires at the close).
            var fillRatio = new JsonObject();
            if (day == 60) fillRatio[targets.Positions.MaxBy(p => p.Target)!.Code] = 0.5;
            File.WriteAllText(accountFile, new JsonObject
            {
                ["cash"] = (double)simCash, ["positions"] = simPositions.DeepClone(), ["prices"] = prices, ["fill_ratio"] = fillRatio,
            }.ToJsonString());
            var py = await RunPython(sim, "--template", template, "--research", research, "--date", Ymd(date), "--account", accountFile, "--result", resultFile);
            Assert.True(py.Exit == 0, py.Err);
            var result = JsonNode.Parse(File.ReadAllText(resultFile))!;
            Assert.Empty(result["refused"]!.AsArray());
            Assert.True(File.Exists(Path.Combine(research, $"ack_{Ymd(date)}_v1.json")));
            Assert.True(File.Exists(Path.Combine(research, $"fills_{Ymd(date)}_v1.json")));
            int dayFills = result["orders"]!.AsArray().Count(o => o!["filled"]!.GetValue<long>() > 0);
            ordersSoFar += result["orders"]!.AsArray().Count;
            if (day == 60) Assert.Contains(result["orders"]!.AsArray(), o => o!["filled"]!.GetValue<long>() < Math.Abs(o["amount"]!.GetValue<long>()));
            if (day == 70) Assert.Contains(result["orders"]!.AsArray(), o => o!["amount"]!.GetValue<long>() < 0);   // day 2 sells (yesterday's buys: T+1)

            // Back into the journal; the journal's positions are then the simulator's.
            (exit, output, err) = day == 60
                ? await CliRunner.Run("ptrade", "import", "--acks", research, "--journal", journal, "--account", Account)
                : await CliRunner.Run("ptrade", "import", "--acks", research, "--config", nodeConf);
            Assert.True(exit == 0, err + output);
            Assert.Contains($"{dayFills} new fills ({fillsSoFar} already in the journal)", output);
            fillsSoFar += dayFills;
            book = await PTradeJournal.ReadBookAsync(JournalKind.Sqlite, journal, Account);
            var simHeld = result["positions"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value![0]!.GetValue<long>());
            Assert.Equal(simHeld.OrderBy(kv => kv.Key), book.Positions.ToDictionary(p => PTradeTargets.Code(p.Key), p => p.Value.Quantity).OrderBy(kv => kv.Key));
            // Cash: the simulator charges no fees; the journal charges the market's.
            simCash = result["cash"]!.GetValue<decimal>();
            Assert.Equal(simCash - book.FeesPaid, book.Cash, 2);
            Assert.True(book.FeesPaid > 0);

            // The next day starts with everything sellable.
            simPositions = new JsonObject(simHeld.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value, kv.Value))));
        }

        // Importing the same files again changes nothing.
        var before = await PTradeJournal.ReadBookAsync(JournalKind.Sqlite, journal, Account);
        (exit, output, err) = await CliRunner.Run("ptrade", "import", "--acks", research, "--journal", journal, "--account", Account);
        Assert.True(exit == 0, err);
        Assert.Contains($"0 new orders, 0 new fills ({fillsSoFar} already in the journal)", output);
        var again = await PTradeJournal.ReadBookAsync(JournalKind.Sqlite, journal, Account);
        Assert.Equal(before.Cash, again.Cash);
        Assert.Equal(before.Positions, again.Positions);

        // The read models see them as the account's orders and fills.
        var fillsCsv = Path.Combine(dir, "fills.csv");
        (exit, _, err) = await CliRunner.Run("journal", "export", "--journal", journal, "--what", "fills", "--out", fillsCsv, "--account", Account);
        Assert.True(exit == 0, err);
        Assert.Equal(fillsSoFar, File.ReadAllLines(fillsCsv).Length - 1);
        var ordersCsv = Path.Combine(dir, "orders.csv");
        (exit, _, err) = await CliRunner.Run("journal", "export", "--journal", journal, "--what", "orders", "--out", ordersCsv, "--account", Account);
        Assert.True(exit == 0, err);
        var orderRows = File.ReadAllLines(ordersCsv).Skip(1).ToList();
        Assert.Equal(ordersSoFar, orderRows.Count);
        Assert.All(orderRows, r => Assert.Contains("ptrade-v1-", r));
        // The half-filled order of day 1 ended expired with what was filled, every other one filled.
        Assert.Single(orderRows, r => r.Contains(",Expired,"));
        Assert.Equal(ordersSoFar - 1, orderRows.Count(r => r.Contains(",Filled,")));

        // An acknowledgement of a different target file (its checksum) is reported and not imported.
        var ackFile = Path.Combine(research, $"ack_{Ymd(panel.Dates[70])}_v1.json");
        var ack = JsonNode.Parse(File.ReadAllText(ackFile))!;
        ack["sha256"] = new string('0', 64);
        File.WriteAllText(ackFile, ack.ToJsonString());
        (exit, output, err) = await CliRunner.Run("ptrade", "import", "--acks", research, "--journal", journal, "--account", Account);
        Assert.Equal(1, exit);
        Assert.Contains("a different target file", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Export_versions_each_file_and_refuses_bad_input_in_one_line()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "20", "--days", "40", "--seed", "3", "--store", store);
        Assert.True(exit == 0, err);
        var conf = Path.Combine(dir, "s.conf");
        File.WriteAllText(conf, "strategy { factors = [ { spec = \"momentum(lookback=10,skip=0)\" } ], top-n = 4, universe { min-listed-days = 0, min-average-amount = 0 } }");
        var m = MarketStore.Open(store).Manifest;
        var date = DateOnly.FromDayNumber(m.Days[^1]).AddDays(1).ToString("yyyy-MM-dd");   // tomorrow: decided on the store's last close
        var outDir = Path.Combine(dir, "out");
        for (int v = 1; v <= 2; v++)
        {
            (exit, var output, err) = await CliRunner.Run("ptrade", "export", "--strategy", conf, "--store", store, "--date", date, "--out", outDir, "--capital", "500000");
            Assert.True(exit == 0, err);
            Assert.Contains($"version {v}", output);
        }
        var t = PTradeTargets.Read(Path.Combine(outDir, $"targets_{date.Replace("-", "")}_v2.json"));
        Assert.Equal(500_000m, t.Nav);
        Assert.Equal(4, t.Positions.Count);
        Assert.All(t.Positions, p => Assert.Equal(0, p.Target % 100));
        // The checksum is what Python's hashlib computes over the canonical array (the template's check).
        var py = JsonSerializer.Serialize(t.Positions.Select(p => new { code = p.Code, target = p.Target }));
        Assert.Equal(PTradeTargets.Canonical(t.Positions), py);

        (exit, _, err) = await CliRunner.Run("ptrade", "export", "--strategy", conf, "--store", store, "--date", "1999-01-01", "--out", outDir);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: --date 1999-01-01: the store has no trading day before it", err);
        (exit, _, err) = await CliRunner.Run("ptrade", "import", "--acks", Path.Combine(dir, "none"), "--journal", Path.Combine(dir, "j.db"));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: --acks", err);
        var notJournal = Path.Combine(dir, "not-a-journal.db");
        File.WriteAllText(notJournal, "hello");
        (exit, _, err) = await CliRunner.Run("ptrade", "export", "--strategy", conf, "--store", store, "--date", date, "--out", outDir, "--journal", notJournal);
        Assert.Equal(1, exit);
        Assert.Contains("is not a journal", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
    [Fact]
    public async Task A_portfolio_strategy_exports_the_quantities_its_backtest_buys_on_the_same_day()
    {
        // The portfolio block sizes trades with fees (greedy lots under the cash budget) and skips trades below the
        // minimum value: the target file must be what the planner would hold, not the weights rounded on their own.
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "30", "--days", "60", "--seed", "5", "--store", store);
        Assert.True(exit == 0, err);
        var conf = Path.Combine(dir, "p.conf");
        File.WriteAllText(conf, """
            strategy {
              name = sized
              initial-cash = 300000
              factors = [ { spec = "momentum(lookback=10,skip=0)" } ]
              top-n = 6
              rebalance = monthly
              universe { min-listed-days = 0, min-average-amount = 0 }
              portfolio { lot-sizing = on, min-trade-value = 20000 }
            }
            """);
        var bt = Path.Combine(dir, "bt");
        (exit, var output, err) = await CliRunner.Run("backtest", "--config", conf, "--store", store, "--out", bt);
        Assert.True(exit == 0, err + output);
        var rows = File.ReadAllLines(Path.Combine(bt, "orders.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var first = rows[0][0];
        // The rebalance's own orders: the first per stock (an unfilled protected-market order is sent again later that day).
        var bought = rows.Where(r => r[0] == first && r[3] == "buy")
            .GroupBy(r => PTradeTargets.Code(Trading.Domain.Instruments.Symbol.Parse(r[2])))
            .ToDictionary(g => g.Key, g => long.Parse(g.First()[4], CultureInfo.InvariantCulture));
        Assert.NotEmpty(bought);

        var outDir = Path.Combine(dir, "out");
        (exit, output, err) = await CliRunner.Run("ptrade", "export", "--strategy", conf, "--store", store, "--date", first, "--out", outDir, "--capital", "300000");
        Assert.True(exit == 0, err + output);
        var t = PTradeTargets.Read(Path.Combine(outDir, $"targets_{first.Replace("-", "")}_v1.json"));
        Assert.Equal(bought, t.Positions.Where(p => p.Target > 0).ToDictionary(p => p.Code, p => p.Target));
    }
}
