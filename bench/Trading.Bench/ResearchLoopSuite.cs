using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Trading.Data.Store;
using Trading.Runtime.Strategy;

namespace Trading.Bench;

/// <summary>
/// <c>bench research-loop [--runs 3] [--store DIR] [--trading PATH] [--timings-flag on|off] [--cold-flag on|off]</c>
/// (issue 16, research-loop speed): the whole <c>trading backtest</c> command, exactly as a user types it, on the
/// synthetic 5,000 × 2,430 market, for the bundled example strategy and the top-50 benchmark strategy, beside the
/// floor measured in the same run — <see cref="ResearchFloor"/>, the same portfolio as a plain array-at-a-time
/// computation, whole process. Every measurement is a fresh process timed from start to exit; the runs alternate
/// (floor, example, top-50, …) so that the machine's noise falls on all of them alike.
/// </summary>
internal static class ResearchLoopSuite
{
    /// <summary>A strategy file of the repository and the seconds the whole command should take on it.</summary>
    private sealed record Strategy(string Label, string Config, double TargetSeconds);

    private static readonly Strategy[] Strategies =
    [
        new("example strategy", "examples/momentum-multifactor.conf", 10),
        new("top-50 momentum", "bench/strategies/top50-momentum.conf", 6),
    ];

    private const long PeakTarget = 3L << 30;

    /// <summary>
    /// One timed run of the command: wall seconds, the last VmHWM read while it ran (polled every 20 ms), and its
    /// own <c>timings:</c> line when it printed one.
    /// </summary>
    private sealed record CommandRun(double Seconds, long PolledPeak, Timings? Timings, bool Rebuilt)
    {
        public long Peak => Math.Max(PolledPeak, Timings?.PeakRss ?? -1);
    }

    /// <summary>The command's <c>timings: {json}</c> line: every numeric <c>*_s</c> key a phase, <c>peak_rss_bytes</c> the peak, the rest notes.</summary>
    private sealed record Timings(IReadOnlyList<(string Key, double Seconds)> Phases, long? PeakRss, IReadOnlyList<(string Key, string Value)> Notes)
    {
        public const string Prefix = "timings: ";

        public static Timings? Find(string stderr)
        {
            var line = stderr.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
            if (line is null) return null;
            using var json = JsonDocument.Parse(line[Prefix.Length..]);
            var phases = new List<(string, double)>();
            var notes = new List<(string, string)>();
            long? peak = null;
            foreach (var p in json.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number && p.Name == "peak_rss_bytes") peak = (long)p.Value.GetDouble();
                else if (p.Value.ValueKind == JsonValueKind.Number && p.Name.EndsWith("_s", StringComparison.Ordinal)) phases.Add((p.Name, p.Value.GetDouble()));
                else notes.Add((p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()));
            }
            return new Timings(phases, peak, notes);
        }
    }

    public static async Task<int> Run(Options o)
    {
        int symbols = o.Int("symbols", 5000), days = o.Int("days", 2430), seed = o.Int("seed", 42), runs = o.Int("runs", 3);
        var root = Suites.Root;
        var store = o.Get("store", Path.Combine(Path.GetTempPath(), $"trading-bench-synth-{symbols}x{days}-{seed}"));
        var trading = o.Get("trading", Path.Combine(root, "scripts", "trading"));
        bool timings = OnOff(o, "timings-flag", true), cold = OnOff(o, "cold-flag", true);
        if (!MarketStore.Exists(store))
            Measure.RunWorker("synth-store", "--symbols", $"{symbols}", "--days", $"{days}", "--seed", $"{seed}", "--store", store);
        var market = MarketStore.Open(store);
        var indexCodes = (await market.ReadIndexAsync()).Select(b => b.Code).Distinct().Order(StringComparer.Ordinal).ToList();
        var configs = Strategies.ToDictionary(s => s, s => StrategyConfig.Load(Path.Combine(root, s.Config)));

        // The wrapper builds the command when its sources changed: once here, so that no timed run pays for it.
        await RunCommandAsync(trading, root, ["--help"], expectTimings: false);

        // The cached runs use a cache of their own (not the user's); a cold run gets a fresh, empty one: a first run,
        // which computes everything and fills the cache.
        var benchCache = Path.Combine(Path.GetTempPath(), $"trading-bench-research-loop-cache-{Environment.ProcessId}");
        List<string> Backtest(Strategy s, string output, bool withoutCache, string? config = null)
        {
            List<string> args = ["backtest", "--config", config ?? s.Config, "--store", store, "--out", output];
            if (timings) args.Add("--timings");
            args.AddRange(["--factor-cache", withoutCache ? Path.Combine(benchCache, "cold-" + Guid.NewGuid().ToString("N")) : benchCache]);
            return args;
        }
        // The loop a researcher runs: change a factor weight and run again. Each cached run scales the first factor's
        // weight (× 1, × 1.1, × 1, …) in a copy of the strategy file: every run is a different backtest over the same factors.
        int edits = 0;
        string Edited(Strategy s)
        {
            var file = Path.Combine(Path.GetTempPath(), $"trading-bench-research-loop-{Guid.NewGuid():N}.conf");
            double scale = edits++ % 2 == 0 ? 1.0 : 1.1;
            var text = new System.Text.RegularExpressions.Regex(@"(?<=spec\s*=\s*""[^""]*""\s*,\s*)weight\s*=\s*(-?[0-9.]+)").Replace(File.ReadAllText(Path.Combine(root, s.Config)),
                m => "weight = " + (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * scale).ToString("R", CultureInfo.InvariantCulture), 1);
            if (scale != 1.0 && text == File.ReadAllText(Path.Combine(root, s.Config)))
                throw new InvalidOperationException($"{s.Config}: no factor weight to change (expected spec = \"…\", weight = N)");
            File.WriteAllText(file, text);
            return file;
        }
        // The wrapper rebuilds the command when a source file changed since its last build (someone editing src/
        // while this runs): such a run timed a build too, so it is run again (and counted in the report).
        int rebuilds = 0;
        async Task<CommandRun> Command(Strategy s, bool withoutCache)
        {
            for (int attempt = 1; ; attempt++)
            {
                var output = Path.Combine(Path.GetTempPath(), $"trading-bench-research-loop-{Guid.NewGuid():N}");
                var config = withoutCache ? null : Edited(s);
                var args = Backtest(s, output, withoutCache, config);
                CommandRun run;
                try { run = await RunCommandAsync(trading, root, args, timings); }
                finally
                {
                    if (Directory.Exists(output)) Directory.Delete(output, true);
                    if (config is not null) File.Delete(config);
                    if (withoutCache && Directory.Exists(args[^1])) Directory.Delete(args[^1], true);
                }
                if (!run.Rebuilt) return run;
                rebuilds++;
                if (attempt == 3) throw new InvalidOperationException($"{trading} rebuilt itself in {attempt} runs in a row: its sources keep changing; measure when they are still.");
            }
        }
        (double Wall, Sample Sample) Floor(Strategy s)
        {
            var clock = Stopwatch.StartNew();
            var sample = Measure.RunWorker("research-floor-once", "--store", store, "--config", Path.Combine(root, s.Config));
            return (clock.Elapsed.TotalSeconds, sample);
        }

        // Untimed first runs: the page cache holds the store, and any cache the command keeps on disk is written.
        foreach (var s in Strategies)
        {
            Floor(s);
            await Command(s, withoutCache: false);
        }
        var floors = Strategies.ToDictionary(s => s, _ => new List<(double Wall, Sample Sample)>());
        var commands = Strategies.ToDictionary(s => s, _ => new List<CommandRun>());
        var colds = Strategies.ToDictionary(s => s, _ => new List<CommandRun>());
        for (int r = 0; r < runs; r++)
        {
            foreach (var s in Strategies) floors[s].Add(Floor(s));
            foreach (var s in Strategies) commands[s].Add(await Command(s, withoutCache: false));
            if (cold) foreach (var s in Strategies) colds[s].Add(await Command(s, withoutCache: true));
        }

        var shown = Path.GetFullPath(trading) == Path.Combine(root, "scripts", "trading") ? "scripts/trading" : trading;
        Console.WriteLine($"### Research loop: the whole `trading backtest` command, synthetic {market.Manifest.Symbols.Length:N0} symbols × {market.Manifest.Days.Length:N0} days");
        Console.WriteLine();
        var given = string.Concat(new[] { "store", "trading" }.Where(k => o.Get(k, "") != "").Select(k => $" --{k} {o.Get(k, "")}"));
        Console.WriteLine($"Command: `dotnet .build/bench/Trading.Bench.dll research-loop --runs {runs}{given}{(timings ? "" : " --timings-flag off")}{(cold ? " --cold-flag on" : "")}`, on the store `{store}` " +
            $"({market.Manifest.Bars:N0} bars). It times, each in a fresh process from start to exit (wall clock around the process; peak = the process's VmHWM read every 20 ms" +
            $"{(timings ? ", and the peak the command reports" : "")}), exactly what a user types:");
        Console.WriteLine();
        foreach (var s in Strategies)
            Console.WriteLine($"    {shown} {string.Join(' ', Backtest(s, "<fresh temp dir>", false))}");
        if (cold)
            foreach (var s in Strategies)
                Console.WriteLine($"    {shown} {string.Join(' ', Backtest(s, "<fresh temp dir>", true))}");
        Console.WriteLine();
        Console.WriteLine($"and the floor, the same portfolio as a plain array-at-a-time C# computation, whole process: `dotnet .build/bench/Trading.Bench.dll research-floor-once --store STORE --config FILE` " +
            "(reads only the bars' columns it needs from bars.parquet into dates × symbols arrays; on each decision day the same factors on adjusted closes, the same universe, " +
            "winsorize + z-score, weighted sum, top-N with the rank buffer, equal weights under the max weight; holds them on close-to-close returns — no fills, fees, lots or limit rules). " +
            $"`{shown} --help` ran first (a build is not timed), then every command and floor once untimed (page cache, on-disk caches); then {runs} run(s), alternating floor, example, top-50" +
            $"{(cold ? ", then the two as first runs (an empty factor cache)" : "")}; medians shown." +
            (rebuilds > 0 ? $" {rebuilds} run(s) in which the wrapper rebuilt the command (its sources changed meanwhile) were discarded and run again." : ""));
        Console.WriteLine();
        foreach (var s in Strategies)
        {
            var missing = indexCodes.Contains(configs[s].Benchmark) ? "" : $" — **not in the store** (its index series: {string.Join(", ", indexCodes)})";
            Console.WriteLine($"- {s.Config} names benchmark {configs[s].Benchmark}{missing}.");
        }
        Console.WriteLine();
        foreach (var s in Strategies) Table(s, configs[s], commands[s], colds[s], floors[s], timings);
        if (Directory.Exists(benchCache)) Directory.Delete(benchCache, true);

        // What fresh memory costs here: a first run touches ~2.4 GB of new arrays, a re-run ~1.4 GB.
        var touches = Enumerable.Range(0, runs).SelectMany(_ => new[] { Measure.RunWorker("touch-once", "--mb", "1024", "--huge", "off"), Measure.RunWorker("touch-once", "--mb", "1024", "--huge", "on") }).ToList();
        Console.WriteLine("#### The machine's ceiling for fresh memory");
        Console.WriteLine();
        Console.WriteLine("`dotnet .build/bench/Trading.Bench.dll touch-once --mb 1024 --huge off|on` (a fresh process each: about 1 GB in arrays of 97 MB, a market panel field each, every element written once and then again; the seconds are the first write of the whole GB):");
        Console.WriteLine();
        Console.WriteLine("| pages | first write, s per GB (median) | runs | detail |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var name in new[] { "touch-4k", "touch-huge" })
        {
            var xs = touches.Where(t => t.Name == name).ToList();
            Console.WriteLine($"| {(name == "touch-4k" ? "4 KB (plain arrays)" : "2 MB transparent huge pages (LargeArrays)")} | {Measure.Median(xs.Select(t => t.Seconds)):F2} | {RunList(xs.Select(t => t.Seconds))} | {xs[0].Detail} |");
        }
        Console.WriteLine();
        return 0;
    }

    /// <summary>One strategy's section: the whole command, its phases, the cold variant, the floor, the ratio and the targets.</summary>
    private static void Table(Strategy s, StrategyConfig cfg, List<CommandRun> runs, List<CommandRun> cold, List<(double Wall, Sample Sample)> floors, bool timings)
    {
        double command = Measure.Median(runs.Select(x => x.Seconds)), floor = Measure.Median(floors.Select(x => x.Wall));
        long peak = runs.Max(x => x.Peak);
        bool fast = command < s.TargetSeconds, small = peak > 0 && peak < PeakTarget;
        Console.WriteLine($"#### {s.Label}: `{s.Config}` — {Describe(cfg)}");
        Console.WriteLine();
        Console.WriteLine("| measurement | median s | runs (s) | peak RSS | target | result |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| re-run after an edit (the first factor's weight changed; factors and study from the cache): whole command, wall clock | **{command:F2}** | {RunList(runs.Select(x => x.Seconds))} | {Peaks(runs)} | < {s.TargetSeconds:0} s, < 3 GB | {(fast ? "meets" : "MISSES")}, {(small ? "meets" : "MISSES")} |");
        Phases(runs, "");
        if (cold.Count > 0)
        {
            double first = Measure.Median(cold.Select(x => x.Seconds));
            long firstPeak = cold.Max(x => x.Peak);
            Console.WriteLine($"| first run: empty factor cache (computes every factor and the study, fills the cache) | **{first:F2}** | {RunList(cold.Select(x => x.Seconds))} | {Peaks(cold)} | < {s.TargetSeconds:0} s, < 3 GB | {(first < s.TargetSeconds ? "meets" : "MISSES")}, {(firstPeak > 0 && firstPeak < PeakTarget ? "meets" : "MISSES")} |");
            Phases(cold, " (first run)");
        }
        Console.WriteLine($"| floor: research-floor-once, whole process | {floor:F2} | {RunList(floors.Select(x => x.Wall))} | {Measure.Mb(floors.Max(x => x.Sample.PeakRssBytes))} | | in-process {Measure.Median(floors.Select(x => x.Sample.Seconds)):F2} s |");
        Console.WriteLine();
        var notes = Notes(runs, "").Concat(Notes(cold, " (first run)")).ToList();
        var phases = !timings ? "Phases not shown: run without `--timings` (`--timings-flag off`). "
            : runs.All(x => x.Timings is null) ? "The command printed no `timings:` line: wall time and polled peak only. " : "";
        Console.WriteLine($"Command / floor: **{command / floor:F2}×** (run by run: {string.Join(", ", runs.Zip(floors, (c, f) => $"{c.Seconds / f.Wall:F2}×"))}). " +
            $"Re-run after an edit: the whole command {(fast ? "meets" : "MISSES")} the {s.TargetSeconds:0} s target; its peak memory {(small ? "meets" : "MISSES")} the 3 GB target. " +
            phases + (notes.Count > 0 ? $"Notes from the command, run by run: {string.Join("; ", notes)}. " : "") + $"Floor: {floors[0].Sample.Detail}.");
        Console.WriteLine();
    }

    /// <summary>A row per phase the command reported (in the order first seen), median over the runs that reported it.</summary>
    private static void Phases(List<CommandRun> runs, string suffix)
    {
        var keys = runs.Where(x => x.Timings is not null).SelectMany(x => x.Timings!.Phases.Select(p => p.Key)).Distinct().ToList();
        foreach (var key in keys)
        {
            var values = runs.Where(x => x.Timings is not null).SelectMany(x => x.Timings!.Phases.Where(p => p.Key == key).Select(p => p.Seconds)).ToList();
            Console.WriteLine($"| · {key}{suffix} | {Measure.Median(values):F2} | {RunList(values)} | | | |");
        }
    }

    /// <summary>The command's text notes (e.g. whether its factor cache hit), each key with its values run by run.</summary>
    private static IEnumerable<string> Notes(List<CommandRun> runs, string suffix) =>
        runs.Where(x => x.Timings is not null).SelectMany(x => x.Timings!.Notes).GroupBy(n => n.Key)
            .Select(g => $"{g.Key}{suffix} {string.Join(", ", g.Select(n => n.Value))}");

    private static string Peaks(List<CommandRun> runs)
    {
        long polled = runs.Max(x => x.PolledPeak);
        var reported = runs.Where(x => x.Timings?.PeakRss is not null).Select(x => x.Timings!.PeakRss!.Value).ToList();
        return (polled > 0 ? $"{Measure.Mb(polled)} (VmHWM polled)" : "not read") + (reported.Count > 0 ? $"; {Measure.Mb(reported.Max())} reported" : "");
    }

    private static string RunList(IEnumerable<double> xs) => string.Join(", ", xs.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)));

    /// <summary>The strategy in a few words, from its file: factors, selection, universe.</summary>
    private static string Describe(StrategyConfig c) =>
        $"{c.Factors.Count} factors ({string.Join(", ", c.Factors.Select(f => $"{f.Spec} × {f.Weight:0.##}"))}), top {c.TopN} with buffer {c.Buffer}, max weight {c.MaxWeight:0.###}, {c.Rebalance.ToString().ToLowerInvariant()}; " +
        $"universe: {string.Join(", ", new[]
        {
            c.ExcludeSt ? "no ST" : "",
            c.MinListedDays > 0 ? $"listed ≥ {c.MinListedDays} days" : "",
            c.MinAverageAmount > 0 ? $"mean amount ≥ {c.MinAverageAmount / 1e6:0.#} M CNY" : "",
            c.ExcludeLimitUp ? "not closed at limit-up" : "",
        }.Where(x => x.Length > 0).DefaultIfEmpty("every traded stock"))}";

    private static bool OnOff(Options o, string key, bool fallback) => o.Get(key, fallback ? "on" : "off") switch
    {
        "on" => true,
        "off" => false,
        var v => throw new ArgumentException($"--{key} is on or off, not '{v}'"),
    };

    /// <summary>
    /// Runs the command in <paramref name="root"/> (relative strategy paths, as a user at the repository types them),
    /// timing it from start to exit and polling its VmHWM every 20 ms (the last value read is kept: the wrapper
    /// script execs dotnet in the same process, so the last value is the program's). A failed command stops the suite.
    /// </summary>
    private static async Task<CommandRun> RunCommandAsync(string trading, string root, IReadOnlyList<string> args, bool expectTimings)
    {
        var psi = new ProcessStartInfo(trading) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var exited = p.WaitForExitAsync();
        long peak = -1;
        while (!exited.IsCompleted)
        {
            long hwm = VmHwm(p.Id);
            if (hwm > 0) peak = hwm;
            await Task.WhenAny(exited, Task.Delay(20));
        }
        clock.Stop();
        string output = await stdout, errors = await stderr;
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{trading} {string.Join(' ', args)} failed ({p.ExitCode}): {errors.Trim()} {output.Trim()}" +
                (args.Contains("--timings") ? " — if the command does not know --timings yet, run with --timings-flag off" : "") +
                (args.Contains("--factor-cache") ? " — if it does not know --factor-cache yet, leave --cold-flag off" : ""));
        // scripts/trading says so on stderr when it builds before running the command.
        bool rebuilt = errors.Contains("building trading", StringComparison.Ordinal);
        return new CommandRun(clock.Elapsed.TotalSeconds, peak, expectTimings ? Timings.Find(errors) : null, rebuilt);
    }

    /// <summary>VmHWM of a running process in bytes; −1 once it is gone (or a zombie without memory).</summary>
    private static long VmHwm(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return -1;
    }
}
