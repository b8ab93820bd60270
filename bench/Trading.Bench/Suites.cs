using System.Globalization;

namespace Trading.Bench;

/// <summary>The end-to-end suites: each prints a markdown section for BENCHMARKS.md.</summary>
internal static class Suites
{
    public static Task<int> PanelLoad(Options o)
    {
        int symbols = o.Int("symbols", 5000), days = o.Int("days", 2430), seed = o.Int("seed", 42), runs = o.Int("runs", 3);
        var store = o.Get("store", Path.Combine(Path.GetTempPath(), $"trading-bench-synth-{symbols}x{days}-{seed}"));
        var synth = Measure.RunWorker("synth-store", "--symbols", $"{symbols}", "--days", $"{days}", "--seed", $"{seed}", "--store", store);
        var loads = new List<Sample>();
        var scans = new List<Sample>();
        var full = new List<Sample>();
        for (int r = 0; r < runs; r++)
        {
            scans.Add(Measure.RunWorker("parquet-scan-once", "--store", store));
            loads.Add(Measure.RunWorker("panel-load-once", "--store", store));
            full.Add(Measure.RunWorker("panel-load-once", "--store", store, "--fundamentals", "on"));
        }
        double load = Measure.Median(loads.Select(s => s.Seconds)), scan = Measure.Median(scans.Select(s => s.Seconds));
        long peak = loads.Max(s => s.PeakRssBytes);
        Console.WriteLine($"### Panel load: synthetic {symbols:N0} symbols × {days:N0} days");
        Console.WriteLine();
        Console.WriteLine($"Setup: {synth.Detail} (peak {Measure.Mb(synth.PeakRssBytes)}).");
        Console.WriteLine($"{loads[0].Detail}. {runs} runs, each in a fresh process; median shown.");
        Console.WriteLine();
        Console.WriteLine("| measurement | median s | runs (s) | peak RSS | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| panel load (Parquet → dates × symbols panel, suspensions explicit) | {load:F2} | {string.Join(", ", loads.Select(s => s.Seconds.ToString("F2")))} | {Measure.Mb(peak)} | < 3 s, < 2 GB |");
        Console.WriteLine($"| panel load with valuations and PIT financials (7 more arrays) | {Measure.Median(full.Select(s => s.Seconds)):F2} | {string.Join(", ", full.Select(s => s.Seconds.ToString("F2")))} | {Measure.Mb(full.Max(s => s.PeakRssBytes))} | (no target) |");
        Console.WriteLine($"| baseline: Parquet decode of the same bars, no panel | {scan:F2} | {string.Join(", ", scans.Select(s => s.Seconds.ToString("F2")))} | {Measure.Mb(scans.Max(s => s.PeakRssBytes))} | |");
        Console.WriteLine();
        Console.WriteLine($"Ratio panel load / Parquet decode: **{load / scan:F2}×**. Panel load {(load < 3 ? "meets" : "MISSES")} the 3 s target; peak memory {(peak < 2L << 30 ? "meets" : "MISSES")} the 2 GB target.");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    public static Task<int> ImportSample(Options o)
    {
        int runs = o.Int("runs", 3);
        var input = o.Get("input", Path.Combine(FindRoot(), "data", "ashare-2024-sample"));
        var imports = new List<Sample>();
        var scans = new List<Sample>();
        for (int r = 0; r < runs; r++)
        {
            scans.Add(Measure.RunWorker("csv-scan-once", "--input", input));
            imports.Add(Measure.RunWorker("import-once", "--input", input));
        }
        double imp = Measure.Median(imports.Select(s => s.Seconds)), scan = Measure.Median(scans.Select(s => s.Seconds));
        Console.WriteLine("### Import of the whole bundled 2024 sample");
        Console.WriteLine();
        Console.WriteLine($"{imports[0].Detail}. {runs} runs, each in a fresh process into an empty store; median shown.");
        Console.WriteLine();
        Console.WriteLine("| measurement | median s | runs (s) | peak RSS | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| import (read, validate, enrich, write Parquet, swap) | {imp:F2} | {string.Join(", ", imports.Select(s => s.Seconds.ToString("F2")))} | {Measure.Mb(imports.Max(s => s.PeakRssBytes))} | < 10 s |");
        Console.WriteLine($"| baseline: gunzip + CSV tokenize of the same files | {scan:F2} | {string.Join(", ", scans.Select(s => s.Seconds.ToString("F2")))} | {Measure.Mb(scans.Max(s => s.PeakRssBytes))} | |");
        Console.WriteLine();
        Console.WriteLine($"Ratio import / tokenize: **{imp / scan:F2}×**. Import {(imp < 10 ? "meets" : "MISSES")} the 10 s target.");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    /// <summary>Issue 4 (a): a market-scale backtest through the actor tree against the same strategy in a plain loop.</summary>
    public static Task<int> BacktestScale(Options o)
    {
        int symbols = o.Int("symbols", 5000), days = o.Int("days", 2430), seed = o.Int("seed", 42), runs = o.Int("runs", 1);
        var store = o.Get("store", Path.Combine(Path.GetTempPath(), $"trading-bench-synth-{symbols}x{days}-{seed}"));
        if (!Data.Store.MarketStore.Exists(store))
            Measure.RunWorker("synth-store", "--symbols", $"{symbols}", "--days", $"{days}", "--seed", $"{seed}", "--store", store);
        var actors = new List<Sample>();
        var loops = new List<Sample>();
        // Both engines under the trading program's JIT setting (TieredPGO off, Trading.Node.csproj), as `trading backtest` runs.
        var asTrading = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" };
        for (int r = 0; r < runs; r++)
        {
            loops.Add(Measure.RunWorker(asTrading, "backtest-once", "--store", store, "--engine", "loop"));
            actors.Add(Measure.RunWorker(asTrading, "backtest-once", "--store", store, "--engine", "actors"));
        }
        double a = Measure.Median(actors.Select(s => s.Seconds)), l = Measure.Median(loops.Select(s => s.Seconds));
        var pairs = actors.Zip(loops, (x, y) => x.Seconds / y.Seconds).ToList();
        long bars = (long)symbols * days;
        Console.WriteLine($"### Market-scale backtest: synthetic {symbols:N0} symbols × {days:N0} days, monthly top-50 multi-factor");
        Console.WriteLine();
        Console.WriteLine($"{actors[0].Detail}. Both runs use the same model, planner, risk chain, simulated exchange and book; the actor run adds the supervised tree, messages, in-memory journal, the daily watchdog and the step barriers. {runs} run(s) each, fresh processes; time excludes loading the panel.");
        Console.WriteLine();
        Console.WriteLine("| measurement | median s | bars/s | peak RSS | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| backtest through the actor tree | {a:F2} | {bars / a:N0} | {Measure.Mb(actors.Max(s => s.PeakRssBytes))} | < 20 s |");
        Console.WriteLine($"| baseline: the same strategy in a plain loop | {l:F2} | {bars / l:N0} | {Measure.Mb(loops.Max(s => s.PeakRssBytes))} | |");
        Console.WriteLine();
        Console.WriteLine($"Ratio actors / loop: **{a / l:F2}×** of the medians (target ≤ 2×); run by run (each pair back to back): {string.Join(", ", pairs.Select(p => $"{p:F2}×"))}; actor runs {string.Join(", ", actors.Select(s => $"{s.Seconds:F2}"))} s, loop runs {string.Join(", ", loops.Select(s => $"{s.Seconds:F2}"))} s. Loop detail: {loops[0].Detail}.");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    /// <summary>
    /// Issue 10: the same market-scale strategy weighted by the portfolio optimiser (point-in-time factor risk model,
    /// industry bounds around the benchmark proxy, turnover limit, lot sizer, trade filter) beside equal weights,
    /// both through the actor tree, alternating in fresh processes.
    /// </summary>
    public static Task<int> BacktestOptimised(Options o)
    {
        int symbols = o.Int("symbols", 5000), days = o.Int("days", 2430), seed = o.Int("seed", 42), runs = o.Int("runs", 3);
        var store = o.Get("store", Path.Combine(Path.GetTempPath(), $"trading-bench-synth-{symbols}x{days}-{seed}"));
        if (!Data.Store.MarketStore.Exists(store))
            Measure.RunWorker("synth-store", "--symbols", $"{symbols}", "--days", $"{days}", "--seed", $"{seed}", "--store", store);
        var asTrading = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" };
        var equal = new List<Sample>();
        var optimised = new List<Sample>();
        for (int r = 0; r < runs; r++)
        {
            equal.Add(Measure.RunWorker(asTrading, "backtest-once", "--store", store, "--engine", "actors", "--weighting", "equal"));
            optimised.Add(Measure.RunWorker(asTrading, "backtest-once", "--store", store, "--engine", "actors", "--weighting", "optimised"));
        }
        double e = Measure.Median(equal.Select(x => x.Seconds)), p = Measure.Median(optimised.Select(x => x.Seconds));
        int months = (int)Math.Round(days / 21.0); // monthly rebalances of the synthetic calendar (~21 trading days a month)
        Console.WriteLine($"### Optimised vs equal weights: synthetic {symbols:N0} symbols × {days:N0} days, monthly top-50, through the actor tree");
        Console.WriteLine();
        Console.WriteLine($"Command: `dotnet .build/bench/Trading.Bench.dll backtest-optimised --runs {runs}`. Same store, factors, top-50 selection, risk limits and engine; " +
            "`optimised` adds at each rebalance the point-in-time risk model (industries + momentum, volatility, liquidity over the proxy, candidates and holdings, 120 days) " +
            "and the optimiser (score − λ·tracking variance, long-only, budget, max weight, ± 5 pp industry bounds around the 300-name benchmark proxy, turnover limit), then the lot sizer and the cost-aware trade filter. " +
            $"{runs} run(s) each, alternating, fresh processes; time excludes loading the panel.");
        Console.WriteLine();
        Console.WriteLine("| weighting | median s | runs (s) | peak RSS | detail |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| equal (baseline) | {e:F2} | {string.Join(", ", equal.Select(x => $"{x.Seconds:F2}"))} | {Measure.Mb(equal.Max(x => x.PeakRssBytes))} | {equal[0].Detail} |");
        Console.WriteLine($"| optimised | {p:F2} | {string.Join(", ", optimised.Select(x => $"{x.Seconds:F2}"))} | {Measure.Mb(optimised.Max(x => x.PeakRssBytes))} | {optimised[0].Detail} |");
        Console.WriteLine();
        Console.WriteLine($"Optimised / equal: **{p / e:F2}×**; the optimiser and its risk model add {(p - e):F2} s, about {(p - e) / Math.Max(1, months) * 1000:F0} ms per monthly rebalance (~{months} rebalances).");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    /// <summary>Issue 4 (b): the order path, in memory and with the SQLite journal; with the PostgreSQL journal too when TRADING_PG_CONNECTION names a server (scripts/bench.sh starts one).</summary>
    public static Task<int> OrderPath(Options o)
    {
        int orders = o.Int("orders", 100_000), sqliteOrders = o.Int("sqlite-orders", 20_000), pgOrders = o.Int("pg-orders", sqliteOrders);
        var postgres = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Trading.Runtime.Persistence.PostgresJournal.ConnectionVariable));
        // A live node's runtime settings (README): fully optimised code from the first call, non-concurrent GC.
        var live = new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0", ["DOTNET_gcConcurrent"] = "0" };
        var defaults = new Dictionary<string, string>();
        var rows = new List<(string Journal, string Runtime, int Orders, Sample Sample, string Target)>();
        foreach (var (runtime, env) in new[] { ("live node settings", live), ("runtime defaults", defaults) })
        {
            rows.Add(("in memory", runtime, orders, Measure.RunWorker(env, "order-path-once", "--orders", $"{orders}", "--journal", "inmem"), "p99 < 200 µs"));
            rows.Add(("SQLite", runtime, sqliteOrders, Measure.RunWorker(env, "order-path-once", "--orders", $"{sqliteOrders}", "--journal", "sqlite"), "p99 < 2 ms; 5,000-order rebalance < 1 s"));
            if (postgres)
                rows.Add(("PostgreSQL (local server)", runtime, pgOrders, Measure.RunWorker(env, "order-path-once", "--orders", $"{pgOrders}", "--journal", "postgres"), ""));
        }
        var floor = Measure.RunWorker(live, "hops-once", "--orders", $"{orders}");
        Console.WriteLine("### Order path: proposal → risk guard → OMS (intent journaled) → broker session → exchange → acknowledgement (journaled) → proposer");
        Console.WriteLine();
        Console.WriteLine("One order per proposal, awaited before the next (latency, not pipelined throughput); 1,000 orders a trading day, which then expire; 2,000 warm-up orders first (not measured); then one 5,000-order rebalance as a single batch. Each row is a fresh process.");
        Console.WriteLine();
        Console.WriteLine("| journal | runtime | orders | wall s | result | targets |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine($"| {r.Journal} | {r.Runtime} | {r.Orders:N0} | {r.Sample.Seconds:F1} | {r.Sample.Detail} | {r.Target} |");
        Console.WriteLine($"| baseline: bare actor hops | live node settings | {orders:N0} | {floor.Seconds:F1} | {floor.Detail} | |");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    /// <summary>Issue 11: recovery of the OMS and the book from a SQLite journal of ~1 M events, with the actors' snapshots (see <see cref="RecoveryWorkers"/>).</summary>
    public static Task<int> Recovery(Options o)
    {
        int days = o.Int("days", 41), perDay = o.Int("orders-per-day", 5000), runs = o.Int("runs", 3);
        var file = o.Get("file", Path.Combine(Path.GetTempPath(), $"trading-bench-recovery-{days}x{perDay}.db"));
        var written = File.Exists(file) && o.Get("rewrite", "false") != "true"
            ? null
            : Measure.RunWorker("recovery-write", "--file", file, "--days", $"{days}", "--orders-per-day", $"{perDay}");
        // What `trading node` runs with (Trading.Node.csproj's runtimeconfig: TieredPGO off, concurrent GC, tiered
        // compilation on) — the number the target is about; TieredCompilation=0 is measured beside it (a latency setting
        // some run live nodes with: every method JIT-compiled fully on first use, which a recovery pays for).
        var node = new Dictionary<string, string> { ["DOTNET_TieredPGO"] = "0" };
        var live = new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0", ["DOTNET_gcConcurrent"] = "0" };
        var floor = Measure.RunWorker("recovery-floor-once", "--file", file);
        var full = Enumerable.Range(0, runs).Select(_ => Measure.RunWorker(node, "recovery-once", "--file", file, "--days", $"{days}")).ToList();
        var tiered = Measure.RunWorker(live, "recovery-once", "--file", file, "--days", $"{days}");
        var without = o.Get("without-snapshots", "on") == "on"
            ? Measure.RunWorker(live, "recovery-once", "--file", file, "--days", $"{days}", "--without-snapshots", "true")
            : null;
        var median = Measure.Median(full.Select(x => x.Seconds));
        Console.WriteLine("### Recovery of a node from a SQLite journal of ~1 M events (issue 11)");
        Console.WriteLine();
        Console.WriteLine($"Command: `dotnet .build/bench/Trading.Bench.dll recovery --days {days} --orders-per-day {perDay} --runs {runs}`. " +
            $"{days} days of {perDay:N0} orders (created, sent, acknowledged, filled; the last day's acknowledged and open), one book fill per order, " +
            "written in bulk with the real serializer and tags, the snapshots the actors' own policy leaves (OMS: last day start, keep-finished-days = 5; book: every 500 events), nothing deleted. " +
            "Timed: a fresh process creates the actor system on the file and the OMS and the book recover until both answer (GetOrders, GetAccount).");
        if (written is not null) Console.WriteLine($"Journal: {written.Detail}, written in {written.Seconds:F0} s.");
        Console.WriteLine();
        Console.WriteLine("| measurement | runtime | wall s | peak | result | target |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| recovery, OMS + book, median of {runs} | the node's settings (TieredPGO off) | **{median:F2}** ({string.Join(", ", full.Select(x => x.Seconds.ToString("F2")))}) | {Measure.Mb(full.Max(x => x.PeakRssBytes))} | {full[0].Detail} | < 3 s |");
        Console.WriteLine($"| recovery, OMS + book | TieredCompilation=0, gcConcurrent=0 | {tiered.Seconds:F2} | {Measure.Mb(tiered.PeakRssBytes)} | {tiered.Detail} | |");
        if (without is not null)
            Console.WriteLine($"| recovery without the snapshots (deleted from a copy) | live node settings | {without.Seconds:F2} | {Measure.Mb(without.PeakRssBytes)} | {without.Detail} | (why snapshots) |");
        Console.WriteLine($"| floor: open the file, read + deserialize the 2 snapshots and the events after them, no actors | runtime defaults | {floor.Seconds:F2} | {Measure.Mb(floor.PeakRssBytes)} | {floor.Detail} | |");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    /// <summary>Issues 3 and 5: factors, optimiser, report render, sweep speed-up.</summary>
    public static Task<int> Research(Options o)
    {
        int symbols = o.Int("symbols", 5000), days = o.Int("days", 2430), seed = o.Int("seed", 42);
        var store = o.Get("store", Path.Combine(Path.GetTempPath(), $"trading-bench-synth-{symbols}x{days}-{seed}"));
        if (!Data.Store.MarketStore.Exists(store))
            Measure.RunWorker("synth-store", "--symbols", $"{symbols}", "--days", $"{days}", "--seed", $"{seed}", "--store", store);
        var factors = Measure.RunWorker("factors-once", "--store", store);
        var optimiser = Measure.RunWorker("optimiser-once");
        var report = Measure.RunWorker("report-once");
        var root = FindRoot();
        var sampleStore = o.Get("sample-store", Path.Combine(root, ".store", "sample"));
        var config = Path.Combine(root, "examples", "momentum-multifactor.conf");
        const string grid = "topN=10,20,30,40;maxWeight=0.05,0.08,0.1,0.15";
        var sweep = SweepSpeedup.Measure(root, config, sampleStore, grid, o.Int("sweep-runs", 5));
        var ceiling = Measure.RunWorker("ceiling-once");
        double floor = double.Parse(factors.Detail[(factors.Detail.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine("## Trading.Research and Trading.Reporting (issues 3 and 5)");
        Console.WriteLine();
        Console.WriteLine("| measurement | result | baseline in the same run | target |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| 10 factors + winsorize/z-score/industry-and-size neutralisation, synthetic {symbols:N0} × {days:N0} | **{factors.Seconds:F2} s**, peak {Measure.Mb(factors.PeakRssBytes)} | one-day return × 10 passes, no transforms: {floor:F2} s (ratio {factors.Seconds / floor:F1}×) | < 5 s |");
        Console.WriteLine($"| optimiser: 5,000 names, 31 industries + 4 styles, turnover limit, median of 5 | **{optimiser.Seconds * 1000:F0} ms** | {optimiser.Detail} | < 1 s |");
        Console.WriteLine($"| 10-year daily HTML report (2,430 days, 50 holdings), median warm render | **{report.Seconds:F2} s** | {report.Detail} | < 2 s |");
        Console.WriteLine($"| 16-point sweep on the bundled sample, `scripts/trading sweep` (2 points at a time in threads, the default), median of {sweep.Runs} | **{sweep.Threads:F2} s** | sequential (`--parallel 1`), same runs: {sweep.Sequential:F2} s — speed-up **{sweep.Sequential / sweep.Threads:F2}×** (pairs: {string.Join(", ", sweep.PairRatios.Select(r => r.ToString("F2")))}); 2 worker processes: {sweep.Processes:F2} s ({sweep.Sequential / sweep.Processes:F2}×); this machine's own ceiling, a CPU-only kernel on 2 threads vs 1 in the same run: {ceiling.Detail} | ≥ 1.7× on 2 cores |");
        Console.WriteLine();
        Console.WriteLine($"Factors: {factors.Detail[..factors.Detail.LastIndexOf(';')]}. Sweep grid: `{grid}`; every run wrote the same ranking (NAV checksum {sweep.Checksum}); each command timed from start to exit (process start, panel load, JIT and all), after one untimed run that leaves its JIT profile; sequential and parallel runs alternate.");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    /// <summary>The repository (above the benchmark's binaries).</summary>
    public static string Root => FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
