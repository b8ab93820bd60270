using System.Diagnostics;
using System.Globalization;
using System.Text;
using Trading.Bench.Workloads;

namespace Trading.Bench;

/// <summary>
/// <c>bench failover --trials 100 [--seed 1] [--fault kill|pause|graceful|none] [--pause-ms 9000] [--trading PATH/trading.dll]
/// [--out FILE]</c>: issue 14's tally (<see cref="ClusterFailoverDriver"/>): per trial a witness and two traders on
/// loopback with a PostgreSQL journal and lease (the server from <c>TRADING_PG_CONNECTION</c>; scripts/bench.sh starts
/// one), the primary SIGKILLed, paused or asked to leave at a random point of its paper day (faults take turns unless
/// one is named). Reports failover time (median, max) per fault, stale orders accepted, duplicates, lost fills and
/// mismatches; one CSV row per trial.
/// </summary>
internal static class FailoverSuite
{
    public static async Task<int> Run(Options o)
    {
        int trials = o.Int("trials", 100), seed = o.Int("seed", 1), pauseMs = o.Int("pause-ms", 9000);
        // The faults take turns; `none` (the false-downing control: no fault, the day must run through on the primary) only when named.
        FailoverFault[] faults = [FailoverFault.Kill, FailoverFault.Pause, FailoverFault.Graceful];
        FailoverFault? only = null;
        if (o.Get("fault", "") is { Length: > 0 } f)
        {
            if (!Enum.TryParse<FailoverFault>(f, ignoreCase: true, out var parsed)) { Console.Error.WriteLine($"error: --fault {f} must be kill, pause, graceful or none"); return 1; }
            only = parsed;
        }
        var pg = Environment.GetEnvironmentVariable("TRADING_PG_CONNECTION");
        if (string.IsNullOrWhiteSpace(pg)) { Console.Error.WriteLine("error: TRADING_PG_CONNECTION is not set (scripts/postgres-test.sh start && eval \"$(scripts/postgres-test.sh env)\")"); return 1; }
        if (await KillNineSuite.Prepare(o, "failover") is not var (trading, root, store)) return 1;
        var rng = new Random(seed);
        var results = new List<FailoverTrial>();
        var sw = Stopwatch.StartNew();
        var log = new StringBuilder("trial,fault,at_ms,injected,failover_s,epoch_before,epoch_after,broker_orders,node_orders,bought_symbols,duplicates,lost_fills,mismatches,stale_accepted,stale_refused,detail\n");
        for (int t = 1; t <= trials; t++)
        {
            var fault = only ?? faults[(t - 1) % faults.Length];
            // The primary's paper day runs ~7 s at 3000x: a point anywhere from before its rebalance to after its close.
            int at = rng.Next(0, 7000);
            FailoverTrial r;
            try { r = await ClusterFailoverDriver.RunAsync(trading, store, root, pg, t, fault, at, TimeSpan.FromSeconds(120), pauseMs); }
            catch (Exception e) { r = new FailoverTrial(t, fault, at, false, double.NaN, 0, 0, new KillTrial(t, at, false, 0, 0, 0, 0, 1, e.Message), 0, 0, "driver: " + e.Message); }
            results.Add(r);
            var c = r.Check;
            log.AppendLine(FormattableString.Invariant($"{r.Trial},{r.Fault},{r.AtMs},{r.Injected},{r.FailoverSeconds:F2},{r.EpochBefore},{r.EpochAfter},{c.BrokerOrders},{c.NodeOrders},{c.BoughtSymbols},{c.Duplicates},{c.LostFills},{c.Mismatches},{r.StaleAccepted},{r.StaleRefused},\"{r.Detail.Replace("\"", "'")}\""));
            // Per trial on stderr (progress); the summary table on stdout (scripts/bench.sh writes it into BENCHMARKS.md).
            Console.Error.WriteLine(FormattableString.Invariant($"trial {t}/{trials}: {r.Fault}{(r.Fault == FailoverFault.None ? " (no fault: the primary must keep the day)" : $" at {r.AtMs} ms{(r.Injected ? "" : " (primary had finished)")}")}: failover {r.FailoverSeconds:F2} s, epoch {r.EpochBefore} → {r.EpochAfter}; broker {c.BrokerOrders} orders ({c.BoughtSymbols} bought), duplicates {c.Duplicates}, lost fills {c.LostFills}, mismatches {c.Mismatches}, stale accepted {r.StaleAccepted}, stale refused {r.StaleRefused} {r.Detail}"));
            if (r.Clean) try { Directory.Delete(Path.Combine(root, $"trial-{t:D4}"), true); } catch (IOException) { }
        }
        Console.WriteLine(FormattableString.Invariant($"### Cluster failover (issue 14): a witness and two traders on loopback, PostgreSQL journal and lease, the xtquant bridge + fakextquant"));
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Command: `dotnet .build/bench/Trading.Bench.dll failover --trials {trials} --seed {seed}{(only is { } one ? $" --fault {one.ToString().ToLowerInvariant()}" : "")}` ({sw.Elapsed.TotalMinutes:F1} min). The primary is SIGKILLed, paused {pauseMs / 1000.0:0.#} s (SIGSTOP … SIGCONT, longer than the lease's 6 s ttl) or handed over by the console's `failover`, at a random point of its paper day; failover = fault (for a hand-over: the cluster's answer to the command) → the standby's brain running."));
        Console.WriteLine();
        Console.WriteLine("| fault | trials | failover median | max | stale orders accepted | stale refused at the broker | duplicates | lost fills | position/cash mismatches | rebalances completed |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var g in results.GroupBy(r => r.Fault).OrderBy(g => g.Key))
        {
            var times = g.Where(r => r.Injected && !double.IsNaN(r.FailoverSeconds)).Select(r => r.FailoverSeconds).Order().ToArray();
            Console.WriteLine(FormattableString.Invariant(
                $"| {g.Key.ToString().ToLowerInvariant()} | {g.Count()} ({times.Length} injected) | {(times.Length > 0 ? times[times.Length / 2] : double.NaN):F2} s | {(times.Length > 0 ? times[^1] : double.NaN):F2} s | {g.Sum(r => r.StaleAccepted)} | {g.Sum(r => r.StaleRefused)} | {g.Sum(r => r.Check.Duplicates)} | {g.Sum(r => r.Check.LostFills)} | {g.Sum(r => r.Check.Mismatches)} | {g.Count(r => r.Check.RebalanceComplete)} of {g.Count()} |"));
        }
        Console.WriteLine();
        var outFile = o.Get("out", Path.Combine(root, "failover.csv"));
        await File.WriteAllTextAsync(outFile, log.ToString());
        Console.Error.WriteLine(FormattableString.Invariant(
            $"failover: {trials} trials in {sw.Elapsed.TotalMinutes:F1} min: stale accepted {results.Sum(r => r.StaleAccepted)}, duplicates {results.Sum(r => r.Check.Duplicates)}, lost fills {results.Sum(r => r.Check.LostFills)}, mismatches {results.Sum(r => r.Check.Mismatches)}, rebalances completed {results.Count(r => r.Check.RebalanceComplete)} of {trials}, unclean {results.Count(r => !r.Clean)}; rows in {outFile}"));
        return results.All(r => r.Clean) ? 0 : 1;
    }
}
