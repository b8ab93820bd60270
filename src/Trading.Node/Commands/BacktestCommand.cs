using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Trading.Backtest;
using Trading.Data.Store;
using Trading.Research.Analysis;
using Trading.Research.Factors;
using Trading.Research.Universe;
using Trading.Runtime.Strategy;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading backtest --config FILE --store DIR --out DIR [--start D] [--end D] [--factor-cache DIR|off] [--timings]</c>.
/// The store is loaded with only what the strategy reads; each factor is computed once (or read from the factor cache)
/// and shared by the strategy's rebalances and the report's factor study, which runs beside the backtest on the other
/// core. Every file is the same, byte for byte, as when each part computed its own values one after another.
/// </summary>
internal static class BacktestCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "Strategy HOCON (e.g. examples/momentum-multifactor.conf)", Required = true };
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for nav.csv, trades.csv, orders.csv, positions.csv, risk_events.csv, summary.json", Required = true };
        var start = new Option<string?>("--start") { Description = "First trading day YYYY-MM-DD (default: the strategy's start, else the store's first day)" };
        var end = new Option<string?>("--end") { Description = "Last trading day YYYY-MM-DD (default: the strategy's end, else the store's last day)" };
        var cache = FactorCacheOptions.Create();
        var timings = new Option<bool>("--timings") { Description = "Print each phase's time and the peak memory to stderr (one line: 'timings: {json}')" };
        var cmd = new Command("backtest", "Run a strategy through the live actor tree against the simulated A-share exchange, deterministically")
        {
            config, store, output, start, end, cache.Directory, cache.MaxMegabytes, timings,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var phases = new PhaseTimer();
            var cfg = StrategyConfig.Load(parse.GetValue(config)!);
            var s = MarketStore.Open(parse.GetValue(store)!);
            var outDir = parse.GetValue(output)!;
            var factorCache = cache.Open(parse);
            var panelCache = factorCache is null ? null : new Trading.Data.Panel.PanelCache(factorCache.Folder);
            var run = await BacktestRunner.PrepareAsync(cfg, s, ParseDate(parse.GetValue(start), "--start"), ParseDate(parse.GetValue(end), "--end"), panelCache, ct);
            phases.Lap("load");

            // Each factor's whole panel once, on both cores (or from the cache): the rebalances read their days from it,
            // the factor study all of it. When the cache holds every factor's study (a re-run after changing weights,
            // top-N, execution …), the rebalances compute just their own days instead.
            var book = new FactorBook(run.Options.Panel, factorCache, s.CacheIdentity);
            run.Model.Book = book;
            var studyCache = factorCache is null ? null : new StudyCache(factorCache, s.CacheIdentity);
            var (universe, options) = StudySettings(cfg);
            bool studyCached = studyCache is not null
                && run.Model.Factors.All(f => studyCache.Has(studyCache.Key(f, run.Options.Panel, universe, options)));
            if (!studyCached) book.Prepare(run.Model.Factors);
            else
            {
                // Only the rebalances need factor values: their decision days (the close before each rebalance day) are
                // computed on the other core while the backtest runs on its own.
                var panel = run.Options.Panel;
                var days = panel.Calendar.Between(run.Options.Start ?? cfg.Start ?? panel.Dates[0], run.Options.End ?? cfg.End ?? panel.Dates[^1]).ToArray();
                var decisions = days.Select(panel.DayIndex).Where(t => t > 0 && run.Model.IsRebalanceDay(panel, t)).Select(t => t - 1);
                _ = book.PrefetchAsync(run.Model.Factors, decisions, ct);
            }
            phases.Lap("factors");

            // The study needs nothing from the backtest: it runs on the pool while the backtest keeps its one thread.
            var study = Task.Run(() => FactorSection(run, universe, options, book, studyCache), ct);
            BacktestResult result = null!;
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"backtest {Markup.Escape(cfg.Name)}", maxValue: 1);
                var progress = new Progress<(int Done, int Total, DateOnly Date)>(p =>
                {
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                    task.Description = $"backtest {Markup.Escape(cfg.Name)} {p.Date:yyyy-MM-dd}";
                });
                result = await BacktestEngine.RunAsync(run.Options with { Progress = progress }, ct);
            });
            phases.Lap("backtest");
            result.Recorder.Write(outDir, result.Orders, result.SummaryJson);
            RiskCsv.Write(outDir, result.Risk);
            var factors = await study;
            phases.Lap("study");
            var inputs = await ReportCommands.ReportInputsFromStore(s, ct);
            Trading.Reporting.Html.HtmlReport.Write(outDir, Path.Combine(outDir, "report.html"), inputs with
            {
                StrategyName = cfg.Name,
                Factors = factors,
            });
            await book.FlushAsync(); // the factor cache's writes, begun when each factor was computed
            if (panelCache is not null) await panelCache.FlushAsync();
            phases.Lap("report");
            Console.WriteLine(result.SummaryJson);
            Console.WriteLine($"Wrote {Path.GetFullPath(outDir)}: nav.csv, trades.csv, orders.csv, positions.csv, risk_events.csv, summary.json{(result.Risk.Count > 0 ? ", risk.csv" : "")}, report.html");
            if (parse.GetValue(timings))
            {
                var (hits, misses, _) = book.Counts;
                Console.Error.WriteLine("timings: " + phases.Json(new Dictionary<string, object>
                {
                    ["factor_cache"] = factorCache is null ? "off" : $"{hits} hit, {misses} miss",
                    ["study_cache"] = factorCache is null ? "off" : studyCached ? "hit" : "miss",
                    ["panel_cache"] = panelCache is null ? "off" : panelCache.Hits > 0 ? "hit" : "miss",
                    ["panel"] = $"{run.Options.Panel.DayCount}x{run.Options.Panel.SymbolCount}",
                }));
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The report's factor study: the strategy's universe, a 20-day horizon.</summary>
    private static (UniverseFilter Universe, FactorAnalysisOptions Options) StudySettings(StrategyConfig cfg) => (
        new UniverseFilter { ExcludeSt = cfg.ExcludeSt, MinListedDays = cfg.MinListedDays, MinAverageAmount = cfg.MinAverageAmount, ExcludeLimitUp = cfg.ExcludeLimitUp },
        new FactorAnalysisOptions { Horizon = 20 });

    /// <summary>IC analysis of the strategy's factors over its universe for the report's factor section.</summary>
    private static IReadOnlyList<Trading.Reporting.Html.FactorReportInput> FactorSection(BacktestRunner.Prepared run, UniverseFilter universe,
        FactorAnalysisOptions options, FactorBook book, StudyCache? cache)
    {
        var study = FactorStudy.Run(run.Options.Panel, run.Model.Factors, universe, options, book.Panel, cache);
        return study.Summaries.Where(x => x.Available).Select(x => new Trading.Reporting.Html.FactorReportInput(x.Factor,
            study.Series[x.Factor].Select(p => new Trading.Reporting.Html.FactorIcObservation(p.Date, p.Ic, p.RankIc)).ToList(),
            x.RankIcDecay.ToDictionary(kv => kv.Key, kv => kv.Value), x.QuantileReturns, x.LongShort) { Horizon = options.Horizon }).ToList();
    }

    private static DateOnly? ParseDate(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new FormatException($"{option} '{text}' is not a date YYYY-MM-DD.");
}

/// <summary>The factor cache options a command shares (<c>--factor-cache DIR|off</c>, <c>--factor-cache-max-mb N</c>).</summary>
internal sealed record FactorCacheOptions(Option<string?> Directory, Option<long?> MaxMegabytes)
{
    public static FactorCacheOptions Create() => new(
        new Option<string?>("--factor-cache") { Description = $"Folder of the research cache (a store's decoded bars, factor panels, factor studies), or 'off' (default: {FactorCache.DefaultDirectory()}; entries are keyed by store version, spec and code)" },
        new Option<long?>("--factor-cache-max-mb") { Description = $"Keep the research cache under this size in MB, least recently used out first (default: {FactorCache.DefaultMaxBytes >> 20})" });

    /// <summary>The cache the options name, or null for 'off'.</summary>
    public FactorCache? Open(ParseResult parse)
    {
        var dir = parse.GetValue(Directory);
        long max = parse.GetValue(MaxMegabytes) is { } mb
            ? mb is >= 1 and <= 1L << 30 ? mb << 20 : throw new FormatException($"--factor-cache-max-mb {mb} must be between 1 and {1L << 30}.")
            : FactorCache.DefaultMaxBytes;
        if (string.Equals(dir, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (dir is not null && dir.Trim().Length == 0) throw new FormatException("--factor-cache needs a folder or 'off'.");
        return new FactorCache(dir ?? FactorCache.DefaultDirectory(), max);
    }
}

/// <summary>Wall time of a command's phases, and its peak memory, for <c>--timings</c>.</summary>
internal sealed class PhaseTimer
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly List<(string Name, double Seconds)> _phases = [];
    private double _last;

    public void Lap(string name)
    {
        double now = _total.Elapsed.TotalSeconds;
        _phases.Add((name, now - _last));
        _last = now;
    }

    /// <summary>One JSON object: each phase as <c>NAME_s</c>, <c>total_s</c> (including the process's start), <c>peak_rss_bytes</c>, and the notes.</summary>
    public string Json(IReadOnlyDictionary<string, object> notes)
    {
        var o = new Dictionary<string, object>();
        foreach (var (name, seconds) in _phases) o[$"{name}_s"] = Math.Round(seconds, 3);
        o["total_s"] = Math.Round((DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds, 3);
        o["peak_rss_bytes"] = PeakRss();
        foreach (var (k, v) in notes) o[k] = v;
        return JsonSerializer.Serialize(o);
    }

    /// <summary>Peak resident set (VmHWM) where /proc has it, else the peak working set.</summary>
    private static long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
