using System.Diagnostics;
using System.Globalization;
using System.Text;
using Trading.Bench.Workloads;

namespace Trading.Bench;

/// <summary>
/// <c>bench kill9 --trials 200 [--seed 1] [--broker sim|qmt] [--fault NAME] [--trading PATH/trading.dll] [--out FILE]</c>: the kill -9
/// tally of issues 11 (sim: broker-sim) and 12 (qmt: qmt_bridge.py + fakextquant).
/// Each trial starts a broker process and a paper node, SIGKILLs the node after a random delay, restarts it, and
/// compares broker and node (<see cref="KillNineDriver"/>). With qmt, the trials also take turns at a channel fault
/// (<see cref="QmtFault"/>: none, a bridge kill, an xtquant client restart, a disconnect storm, duplicate trade pushes,
/// trades before their order) at a random moment of the first run. Writes one line per trial and the tally.
/// </summary>
internal static class KillNineSuite
{
    private static readonly QmtFault[] Faults = Enum.GetValues<QmtFault>();

    /// <summary>
    /// What a process-fault suite needs: the Release CLI (<c>--trading</c>), a folder of its own and the drivers' small
    /// synthetic store (40 symbols, 90 days) in it; null (after an error line) when the CLI is missing or the store fails.
    /// </summary>
    internal static async Task<(string Trading, string Root, string Store)?> Prepare(Options o, string name)
    {
        var trading = Path.GetFullPath(o.Get("trading", Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Trading.Node", "bin", "Release", "net10.0", "trading.dll")));
        if (!File.Exists(trading)) { Console.Error.WriteLine($"error: {trading} not found (build src/Trading.Node -c Release first)"); return null; }
        var root = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}");
        var store = Path.Combine(root, "store");
        Directory.CreateDirectory(root);
        var synth = Process.Start(new ProcessStartInfo("dotnet", ["exec", trading, "data", "synth", "--symbols", "40", "--days", "90", "--seed", "11", "--store", store]) { RedirectStandardOutput = true })!;
        await synth.WaitForExitAsync();
        if (synth.ExitCode != 0) { Console.Error.WriteLine("error: synth store failed"); return null; }
        return (trading, root, store);
    }

    public static async Task<int> Run(Options o)
    {
        int trials = o.Int("trials", 200), seed = o.Int("seed", 1);
        var broker = o.Get("broker", "sim");
        if (broker is not ("sim" or "qmt")) { Console.Error.WriteLine($"error: --broker {broker} must be sim or qmt"); return 1; }
        QmtFault? only = null;
        if (o.Get("fault", "") is { Length: > 0 } f)
        {
            if (!Enum.TryParse<QmtFault>(f, ignoreCase: true, out var parsed) || broker != "qmt")
            {
                Console.Error.WriteLine($"error: --fault {f} must be one of {string.Join(", ", Faults)} (with --broker qmt)");
                return 1;
            }
            only = parsed;
        }
        int minDelay = o.Int("min-delay-ms", 800), maxDelay = o.Int("max-delay-ms", 6000);
        if (await Prepare(o, "kill9") is not var (trading, root, store)) return 1;
        var rng = new Random(seed);
        var results = new List<KillTrial>();
        var sw = Stopwatch.StartNew();
        var log = new StringBuilder("trial,fault,kill_after_ms,killed,broker_orders,node_orders,bought_symbols,duplicates,lost_fills,mismatches,detail\n");
        for (int t = 1; t <= trials; t++)
        {
            int delay = rng.Next(minDelay, maxDelay + 1);
            var fault = broker != "qmt" ? QmtFault.None : only ?? Faults[t % Faults.Length];
            // Mostly while the first node trades, sometimes in the gap between its SIGKILL and the restart.
            int faultAt = fault == QmtFault.None ? 0 : rng.Next(0, delay + 1500);
            KillTrial r;
            try { r = await KillNineDriver.RunAsync(trading, store, root, t, delay, TimeSpan.FromSeconds(120), broker, fault, faultAt); }
            catch (Exception e) { r = new KillTrial(t, delay, false, 0, 0, 0, 0, 1, "driver: " + e.Message) { Fault = fault }; }
            results.Add(r);
            log.AppendLine(FormattableString.Invariant($"{r.Trial},{r.Fault},{r.KillAfterMs},{r.Killed},{r.BrokerOrders},{r.NodeOrders},{r.BoughtSymbols},{r.Duplicates},{r.LostFills},{r.Mismatches},\"{r.Detail.Replace("\"", "'")}\""));
            Console.WriteLine(FormattableString.Invariant($"trial {t}/{trials}: {(fault == QmtFault.None ? "" : $"{fault} at {faultAt} ms, ")}kill after {delay} ms{(r.Killed ? "" : " (finished first)")}: broker {r.BrokerOrders} orders ({r.BoughtSymbols} stocks bought), node {r.NodeOrders}; duplicates {r.Duplicates}, lost fills {r.LostFills}, mismatches {r.Mismatches} {r.Detail}"));
            if (r.Clean) try { Directory.Delete(Path.Combine(root, $"trial-{t:D4}"), true); } catch (IOException) { }
        }
        foreach (var g in results.GroupBy(r => r.Fault).OrderBy(g => g.Key))
            Console.WriteLine(FormattableString.Invariant($"  {g.Key}: {g.Count()} trials, duplicates {g.Sum(r => r.Duplicates)}, lost fills {g.Sum(r => r.LostFills)}, mismatches {g.Sum(r => r.Mismatches)}"));
        var outFile = o.Get("out", Path.Combine(root, "kill9.csv"));
        await File.WriteAllTextAsync(outFile, log.ToString());
        int killed = results.Count(r => r.Killed);
        Console.WriteLine(FormattableString.Invariant(
            $"kill9: {trials} trials ({killed} killed mid-run) in {sw.Elapsed.TotalMinutes:F1} min: duplicates {results.Sum(r => r.Duplicates)}, lost fills {results.Sum(r => r.LostFills)}, mismatches {results.Sum(r => r.Mismatches)}, broker orders {results.Sum(r => r.BrokerOrders)}, rebalances completed {results.Count(r => r.RebalanceComplete)} of {trials}; per-trial rows in {outFile}"));
        return results.All(r => r.Clean) ? 0 : 1;
    }
}
