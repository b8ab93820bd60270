using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Trading.Backtest.Sweeps;
using Trading.Cluster.Sweeps;

namespace Trading.Node.Commands;

/// <summary><c>trading sweep --config FILE --store DIR --grid "topN=20,50;lookback=60,120" --out DIR [--cluster SEEDS]</c>.</summary>
internal static class SweepCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "Strategy HOCON", Required = true };
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var grid = new Option<string>("--grid", "-g") { Description = "Axes separated by ';', values by ',': e.g. \"topN=20,50,100;lookback=60,120\"", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for ranking.csv and sweep.html", Required = true };
        var parallel = new Option<int>("--parallel") { Description = "Points run at once (default: the core count)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var workers = new Option<string>("--workers")
        {
            Description = "threads: one process, the panel and compiled code shared (default, measured faster); processes: a worker process per slot, speaking the JSON-line protocol a cluster worker will",
            DefaultValueFactory = _ => "threads",
        };
        workers.AcceptOnlyFromAmong("threads", "processes");
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Run the points on the cluster's worker nodes: seeds as HOST:PORT or akka.tcp://SYSTEM@HOST:PORT, comma-separated (--parallel and --workers then do not apply)",
        };
        var system = new Option<string>("--system") { Description = "The cluster's actor system name", DefaultValueFactory = _ => "trading" };
        var hostname = new Option<string>("--hostname") { Description = "This sweeper's address in the cluster (workers connect back to it)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "This sweeper's port (0: any free one)", DefaultValueFactory = _ => 0 };
        var clusterTimeout = new Option<int>("--cluster-timeout")
        {
            Description = "Seconds to wait for the cluster to admit this sweeper, and for a worker node while there is none",
            DefaultValueFactory = _ => 20,
        };
        var start = new Option<string?>("--start") { Description = "First trading day YYYY-MM-DD" };
        var end = new Option<string?>("--end") { Description = "Last trading day YYYY-MM-DD" };
        var cache = FactorCacheOptions.Create(); // the sweep reads and keeps the store's decoded bars there (threads)
        var cmd = new Command("sweep", "Run a strategy over a parameter grid in parallel, deterministically per point, and rank the points")
        {
            config, store, grid, output, parallel, workers, start, end, cluster, system, hostname, port, clusterTimeout, cache.Directory, cache.MaxMegabytes,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            int n = parse.GetValue(parallel);
            if (n < 1 || n > 1024) throw new FormatException($"--parallel {n}: must be between 1 and 1024.");
            var clusterOptions = parse.GetValue(cluster) is { } seeds
                ? ClusterOptions(seeds, parse.GetValue(system)!, parse.GetValue(hostname)!, parse.GetValue(port), parse.GetValue(clusterTimeout))
                : null;
            var points = SweepGrid.Points(parse.GetValue(grid)!, parse.GetValue(config)!, parse.GetValue(store)!,
                Date(parse.GetValue(start), "--start"), Date(parse.GetValue(end), "--end"));
            // Everything a point could refuse is checked before the first one runs: each grid value through the
            // strategy's own checks, the dates, and what the strategy names in the store.
            var baseConfig = Trading.Runtime.Strategy.StrategyConfig.Load(parse.GetValue(config)!);
            SweepGrid.Check(points, baseConfig);
            var marketStore = Trading.Data.Store.MarketStore.Open(parse.GetValue(store)!);
            Trading.Backtest.BacktestRunner.CheckAgainstStore(baseConfig, null, await marketStore.ReadIndexAsync(ct), points[0].Start, points[0].End, marketStore.Root);
            var panelCache = cache.Open(parse) is { } folder ? new Trading.Data.Panel.PanelCache(folder.Folder) : null;
            IReadOnlyList<SweepOutcome> outcomes = [];
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"sweep of {points.Count} points", maxValue: points.Count);
                var progress = new Progress<SweepOutcome>(_ => task.Increment(1));
                outcomes = clusterOptions is not null
                    ? await ClusterSweep.RunAsync(points, clusterOptions, progress, notice => Serilog.Log.Warning("Cluster sweep: {Notice}", notice), ct)
                    : n <= 1 || parse.GetValue(workers) == "threads"
                    ? await SweepRunner.RunAsync(points, Math.Max(1, n), panelCache, progress, ct)
                    : await ProcessSweep.RunAsync(points, n, WorkerCommand(), progress, ct);
            });
            if (panelCache is not null) await panelCache.FlushAsync();
            var outDir = parse.GetValue(output)!;
            SweepRunner.Write(outcomes, outDir);
            foreach (var o in SweepRunner.Ranked(outcomes).Take(10))
                Console.WriteLine($"{o.Point.Label,-40} Sharpe {o.Sharpe,6:0.00}  return {o.TotalReturn,8:P2}  max DD {o.MaxDrawdown,8:P2}");
            Console.WriteLine($"Wrote {Path.GetFullPath(outDir)}: ranking.csv, sweep.html");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The sweeper's cluster settings from <c>--cluster</c>, <c>--system</c>, <c>--hostname</c>, <c>--port</c>, <c>--cluster-timeout</c>.</summary>
    internal static SweepClusterOptions ClusterOptions(string seeds, string system, string hostname, int port, int timeout)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(system, "^[A-Za-z0-9][A-Za-z0-9_-]*$"))
            throw new FormatException($"--system '{system}': must be letters, digits, '-' or '_'.");
        if (hostname.Trim().Length == 0 || hostname.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '/' or '@'))
            throw new FormatException($"--hostname '{hostname}': must be a host name or IP address.");
        if (port is < 0 or > 65535) throw new FormatException($"--port {port}: must be 0..65535 (0: any free port).");
        if (timeout is < 1 or > 3600) throw new FormatException($"--cluster-timeout {timeout}: must be 1..3600 seconds.");
        var list = seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Trading.Cluster.Hosting.ClusterSettings.Seed(s, system, "--cluster")).ToList();
        if (list.Count == 0) throw new FormatException("--cluster: give at least one seed node, HOST:PORT or akka.tcp://SYSTEM@HOST:PORT.");
        return new SweepClusterOptions(list, system, hostname.Trim(), port)
        {
            JoinTimeout = TimeSpan.FromSeconds(timeout),
            WorkerTimeout = TimeSpan.FromSeconds(timeout),
        };
    }

    /// <summary>This same program, started as a sweep worker.</summary>
    internal static (string FileName, IReadOnlyList<string> Arguments) WorkerCommand()
    {
        var exe = Environment.ProcessPath!;
        var dll = typeof(SweepCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(exe) == "dotnet" ? (exe, [dll, "sweep-worker"]) : (exe, ["sweep-worker"]);
    }

    /// <summary>The worker side of <see cref="ProcessSweep"/>: points on stdin, outcomes on stdout.</summary>
    public static Command Worker()
    {
        var cmd = new Command("sweep-worker", "Run sweep points read as JSON lines from stdin (used by 'trading sweep'; a cluster worker speaks the same protocol)") { Hidden = true };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            await ProcessSweep.ServeAsync(Console.In, Console.Out, ct);
            return 0;
        }));
        return cmd;
    }

    private static DateOnly? Date(string? text, string option) => text is null ? null
        : DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new FormatException($"{option} '{text}' is not a date YYYY-MM-DD.");
}
