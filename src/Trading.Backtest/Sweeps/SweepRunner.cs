using System.Globalization;
using System.Net;
using System.Text;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Sweeps;

/// <summary>What one sweep point produced.</summary>
public sealed record SweepOutcome(SweepPoint Point, decimal FinalNav, double TotalReturn, double Sharpe, double MaxDrawdown, int Trades, decimal Fees, double Seconds);

/// <summary>
/// Runs sweep points in parallel (up to the core count), each a full, deterministic backtest through the actor tree
/// with its own actor system; the panel is loaded once and shared read-only. Writes a ranking table (CSV, best
/// Sharpe first) and an HTML page with a heatmap when the grid has two axes.
/// </summary>
public static class SweepRunner
{
    public static Task<IReadOnlyList<SweepOutcome>> RunAsync(IReadOnlyList<SweepPoint> points, int parallelism,
        IProgress<SweepOutcome>? progress = null, CancellationToken ct = default) => RunAsync(points, parallelism, null, progress, ct);

    /// <summary>As above, the store's decoded bars read from (or written to) <paramref name="cache"/> (see <see cref="PanelCache"/>).</summary>
    public static async Task<IReadOnlyList<SweepOutcome>> RunAsync(IReadOnlyList<SweepPoint> points, int parallelism, PanelCache? cache,
        IProgress<SweepOutcome>? progress = null, CancellationToken ct = default)
    {
        if (points.Count == 0) return [];
        // Each run creates its actor system on a pool thread, which blocks until the system's loggers answer; with the
        // pool at its minimum (the core count) concurrent start-ups wait for the pool to grow. Give it room up front.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 8 * Math.Max(1, parallelism)), io);
        var first = points[0];
        var baseConfig = StrategyConfig.Load(first.ConfigFile);
        var configs = SweepGrid.Check(points, baseConfig);
        var store = MarketStore.Open(first.Store);
        var panel = await MarketPanel.LoadAsync(store, PanelContents.All, cache, ct);
        var index = await store.ReadIndexAsync(ct);
        // Every point against the store before any runs (a grid may set what the store must have, e.g. weighting=cap).
        for (int i = 0; i < points.Count; i++)
            BacktestRunner.CheckAgainstStore(configs[i], panel, index, points[i].Start, points[i].End, points[i].Store);
        var results = new SweepOutcome[points.Count];
        // One book for every point: a factor's cross-section on a decision day is computed by the first point that
        // asks and read by the rest (a grid over weights, top-N or buffers asks for the same ones at every point).
        var book = new Trading.Research.Factors.FactorBook(panel);
        await Parallel.ForEachAsync(points, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, async (p, token) =>
        {
            var outcome = await RunPointAsync(p, baseConfig, panel, index, token, book);
            results[p.Index] = outcome;
            progress?.Report(outcome);
        });
        return results;
    }

    /// <summary>
    /// One point, as a worker would run it; with <paramref name="book"/> (on <paramref name="panel"/>) its factor values
    /// are shared with the other points that use it. The outcome is the same with or without.
    /// </summary>
    public static async Task<SweepOutcome> RunPointAsync(SweepPoint p, StrategyConfig baseConfig, MarketPanel panel,
        IReadOnlyList<Data.Model.IndexBar> index, CancellationToken ct = default, Trading.Research.Factors.FactorBook? book = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cfg = SweepGrid.Apply(baseConfig, p);
        var options = new BacktestOptions
        {
            Strategy = cfg,
            Model = new FactorStrategyModel(cfg) { Book = book },
            Panel = panel,
            Benchmark = index,
            Fees = StrategyOptions.Fees(cfg),
            Risk = StrategyOptions.Risk(cfg),
            Start = p.Start,
            End = p.End,
            LogLevel = "ERROR",
        };
        var r = await BacktestEngine.RunAsync(options, ct);
        var metrics = Trading.Reporting.Metrics.PerformanceAnalyzer.Analyze(r.Recorder.Nav.Select(n => (n.Date, (double)n.Nav)).ToList());
        return new SweepOutcome(p, r.Recorder.Nav[^1].Nav, metrics.TotalReturn, metrics.Sharpe, metrics.MaxDrawdown.Depth,
            r.Recorder.Fills.Count, r.Recorder.Fills.Sum(f => f.Fees.Total), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Best Sharpe first (NaN last), ties by point index: the order of ranking.csv, the page and the console.</summary>
    public static List<SweepOutcome> Ranked(IEnumerable<SweepOutcome> outcomes) =>
        outcomes.OrderByDescending(o => double.IsNaN(o.Sharpe) ? double.MinValue : o.Sharpe).ThenBy(o => o.Point.Index).ToList();

    public static void Write(IReadOnlyList<SweepOutcome> outcomes, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var inv = CultureInfo.InvariantCulture;
        var keys = outcomes[0].Point.Parameters.Select(p => p.Key).ToList();
        var ranked = Ranked(outcomes);
        // Through the CSV writer: a grid value may hold a comma or a quote (a dotted key's value, a factor spec).
        Data.Csv.CsvTable.Write(Path.Combine(outDir, "ranking.csv"),
            ["rank", "point", .. keys, "sharpe", "total_return", "max_drawdown", "final_nav", "trades", "fees"],
            ranked.Select((o, i) => (string?[])
            [
                (i + 1).ToString(inv), o.Point.Index.ToString(inv), .. o.Point.Parameters.Select(p => p.Value),
                o.Sharpe.ToString("0.######", inv), o.TotalReturn.ToString("0.########", inv), o.MaxDrawdown.ToString("0.########", inv),
                o.FinalNav.ToString(inv), o.Trades.ToString(inv), o.Fees.ToString(inv),
            ]));
        File.WriteAllText(Path.Combine(outDir, "sweep.html"), Html(outcomes, keys), new UTF8Encoding(false));
    }

    /// <summary>A self-contained page: the ranking and, for a 2-D grid, a Sharpe heatmap (CSS colours, no scripts).</summary>
    private static string Html(IReadOnlyList<SweepOutcome> outcomes, IReadOnlyList<string> keys)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Sweep</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>");
        sb.Append("<h1>Parameter sweep</h1>");
        if (keys.Count == 2)
        {
            var rows = outcomes.Select(o => o.Point.Parameters[0].Value).Distinct().ToList();
            var cols = outcomes.Select(o => o.Point.Parameters[1].Value).Distinct().ToList();
            var finite = outcomes.Select(o => o.Sharpe).Where(double.IsFinite).ToList();
            double lo = finite.Count > 0 ? finite.Min() : 0, hi = finite.Count > 0 ? finite.Max() : 1;
            sb.Append(inv, $"<h2>Sharpe by {WebUtility.HtmlEncode(keys[0])} × {WebUtility.HtmlEncode(keys[1])}</h2><table class=\"heatmap\"><tr><th></th>");
            foreach (var c in cols) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
            sb.Append("</tr>");
            foreach (var r in rows)
            {
                sb.Append("<tr><th>").Append(WebUtility.HtmlEncode(r)).Append("</th>");
                foreach (var c in cols)
                {
                    var o = outcomes.First(x => x.Point.Parameters[0].Value == r && x.Point.Parameters[1].Value == c);
                    double t = hi > lo && double.IsFinite(o.Sharpe) ? (o.Sharpe - lo) / (hi - lo) : 0.5;
                    int red = (int)(255 * (1 - t)), green = (int)(200 * t + 55);
                    sb.Append(inv, $"<td style=\"background:rgb({red},{green},120)\">{o.Sharpe:0.00}</td>");
                }
                sb.Append("</tr>");
            }
            sb.Append("</table>");
        }
        sb.Append("<h2>Ranking</h2><table><tr><th>#</th>");
        foreach (var k in keys) sb.Append("<th>").Append(WebUtility.HtmlEncode(k)).Append("</th>");
        sb.Append("<th>Sharpe</th><th>total return</th><th>max drawdown</th><th>trades</th></tr>");
        int rank = 0;
        foreach (var o in Ranked(outcomes))
        {
            sb.Append(inv, $"<tr><td>{++rank}</td>");
            foreach (var p in o.Point.Parameters) sb.Append("<td>").Append(WebUtility.HtmlEncode(p.Value)).Append("</td>");
            sb.Append(inv, $"<td>{o.Sharpe:0.00}</td><td>{o.TotalReturn:P2}</td><td>{o.MaxDrawdown:P2}</td><td>{o.Trades}</td></tr>");
        }
        sb.Append("</table></body></html>");
        return sb.ToString();
    }
}
