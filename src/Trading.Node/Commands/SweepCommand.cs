using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Trading.Backtest.Sweeps;

namespace Trading.Node.Commands;

/// <summary><c>trading sweep --config FILE --store DIR --grid "topN=20,50;lookback=60,120" --out DIR</c>.</summary>
internal static class SweepCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "Strategy HOCON", Required = true };
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var grid = new Option<string>("--grid", "-g") { Description = "Axes separated by ';', values by ',': e.g. \"topN=20,50,100;lookback=60,120\"", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for ranking.csv and sweep.html", Required = true };
        var parallel = new Option<int>("--parallel") { Description = "Points run at once (default: the core count)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var start = new Option<string?>("--start") { Description = "First trading day YYYY-MM-DD" };
        var end = new Option<string?>("--end") { Description = "Last trading day YYYY-MM-DD" };
        var cmd = new Command("sweep", "Run a strategy over a parameter grid in parallel, deterministically per point, and rank the points")
        {
            config, store, grid, output, parallel, start, end,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var points = SweepGrid.Points(parse.GetValue(grid)!, parse.GetValue(config)!, parse.GetValue(store)!,
                Date(parse.GetValue(start)), Date(parse.GetValue(end)));
            IReadOnlyList<SweepOutcome> outcomes = [];
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"sweep of {points.Count} points", maxValue: points.Count);
                outcomes = await SweepRunner.RunAsync(points, parse.GetValue(parallel), new Progress<SweepOutcome>(_ => task.Increment(1)), ct);
            });
            var outDir = parse.GetValue(output)!;
            SweepRunner.Write(outcomes, outDir);
            foreach (var o in outcomes.OrderByDescending(o => double.IsNaN(o.Sharpe) ? double.MinValue : o.Sharpe).Take(10))
                Console.WriteLine($"{o.Point.Label,-40} Sharpe {o.Sharpe,6:0.00}  return {o.TotalReturn,8:P2}  max DD {o.MaxDrawdown,8:P2}");
            Console.WriteLine($"Wrote {Path.GetFullPath(outDir)}: ranking.csv, sweep.html");
            return 0;
        }));
        return cmd;
    }

    private static DateOnly? Date(string? text) => text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new FormatException($"'{text}' is not a date YYYY-MM-DD.");
}
