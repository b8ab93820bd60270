using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Trading.Backtest;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Runtime.Strategy;

namespace Trading.Node.Commands;

/// <summary><c>trading backtest --config FILE --store DIR --out DIR [--start D] [--end D]</c>.</summary>
internal static class BacktestCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "Strategy HOCON (e.g. examples/momentum-multifactor.conf)", Required = true };
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for nav.csv, trades.csv, orders.csv, positions.csv, risk_events.csv, summary.json", Required = true };
        var start = new Option<string?>("--start") { Description = "First trading day YYYY-MM-DD (default: the strategy's start, else the store's first day)" };
        var end = new Option<string?>("--end") { Description = "Last trading day YYYY-MM-DD (default: the strategy's end, else the store's last day)" };
        var cmd = new Command("backtest", "Run a strategy through the live actor tree against the simulated A-share exchange, deterministically")
        {
            config, store, output, start, end,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var cfg = StrategyConfig.Load(parse.GetValue(config)!);
            var s = MarketStore.Open(parse.GetValue(store)!);
            var outDir = parse.GetValue(output)!;
            var run = await BacktestRunner.PrepareAsync(cfg, s, ParseDate(parse.GetValue(start), "--start"), ParseDate(parse.GetValue(end), "--end"), ct);
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
            result.Recorder.Write(outDir, result.Orders, result.SummaryJson);
            RiskCsv.Write(outDir, result.Risk);
            var inputs = await ReportCommands.ReportInputsFromStore(s, ct);
            Trading.Reporting.Html.HtmlReport.Write(outDir, Path.Combine(outDir, "report.html"), inputs with
            {
                StrategyName = cfg.Name,
                Factors = FactorSection(run, cfg),
            });
            Console.WriteLine(result.SummaryJson);
            Console.WriteLine($"Wrote {Path.GetFullPath(outDir)}: nav.csv, trades.csv, orders.csv, positions.csv, risk_events.csv, summary.json{(result.Risk.Count > 0 ? ", risk.csv" : "")}, report.html");
            return 0;
        }));
        return cmd;
    }

    /// <summary>IC analysis of the strategy's factors over its universe (20-day horizon) for the report's factor section.</summary>
    private static IReadOnlyList<Trading.Reporting.Html.FactorReportInput> FactorSection(BacktestRunner.Prepared run, StrategyConfig cfg)
    {
        var universe = new Trading.Research.Universe.UniverseFilter
        {
            ExcludeSt = cfg.ExcludeSt, MinListedDays = cfg.MinListedDays, MinAverageAmount = cfg.MinAverageAmount, ExcludeLimitUp = cfg.ExcludeLimitUp,
        };
        var study = Trading.Research.Analysis.FactorStudy.Run(run.Options.Panel, run.Model.Factors, universe,
            new Trading.Research.Analysis.FactorAnalysisOptions { Horizon = 20 });
        return study.Summaries.Where(x => x.Available).Select(x => new Trading.Reporting.Html.FactorReportInput(x.Factor,
            study.Series[x.Factor].Select(p => new Trading.Reporting.Html.FactorIcObservation(p.Date, p.Ic, p.RankIc)).ToList(),
            x.RankIcDecay.ToDictionary(kv => kv.Key, kv => kv.Value), x.QuantileReturns, x.LongShort) { Horizon = 20 }).ToList();
    }

    private static DateOnly? ParseDate(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new FormatException($"{option} '{text}' is not a date YYYY-MM-DD.");
}
