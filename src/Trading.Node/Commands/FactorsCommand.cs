using System.CommandLine;
using Spectre.Console;
using Trading.Data.Import;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Research.Analysis;
using Trading.Research.Factors;
using Trading.Research.Universe;

namespace Trading.Node.Commands;

/// <summary><c>trading factors analyze|list|import</c>.</summary>
internal static class FactorsCommand
{
    public static Command Build()
    {
        var factors = new Command("factors", "Factor research: IC, rank IC, quantile returns, decay, turnover");
        factors.Subcommands.Add(Analyze());
        factors.Subcommands.Add(List());
        factors.Subcommands.Add(Import());
        return factors;
    }

    private static Command List()
    {
        var cmd = new Command("list", "The factors the registry knows, with their parameters");
        cmd.SetAction(_ =>
        {
            foreach (var name in FactorRegistry.Default.Names) Console.WriteLine(name);
            return 0;
        });
        return cmd;
    }

    private static Command Analyze()
    {
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var factor = new Option<string[]>("--factor", "-f") { Description = "Factor spec, e.g. 'momentum(lookback=60,skip=0)'; repeat for several", Required = true, AllowMultipleArgumentsPerToken = false };
        var horizon = new Option<int>("--horizon") { Description = "Forward-return horizon in trading days", DefaultValueFactory = _ => 20 };
        var universe = new Option<string>("--universe") { Description = "all (every stock with data at t and t+N) or default (tradable, not ST, 60 days listed, liquid, not limit-up)", DefaultValueFactory = _ => "default" };
        universe.AcceptOnlyFromAmong("all", "default");
        var output = new Option<string>("--out", "-o") { Description = "Output folder for ic.csv, summary.json, quantiles.csv, decay.csv", Required = true };
        var cmd = new Command("analyze", "Compute factors on a store and analyse them against forward returns") { store, factor, horizon, universe, output };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            int h = parse.GetValue(horizon);
            if (h < 1) throw new FormatException("--horizon must be at least 1.");
            var specs = parse.GetValue(factor)!;
            var created = specs.Select(s => FactorRegistry.Default.Create(s)).ToList();
            var s = MarketStore.Open(parse.GetValue(store)!);
            FactorStudy.Result result = null!;
            await AnsiConsole.Status().StartAsync("Loading the panel…", async ctx =>
            {
                var panel = await MarketPanel.LoadAsync(s, ct);
                var progress = new Progress<string>(p => ctx.Status($"Analysing {Markup.Escape(p)}…"));
                result = FactorStudy.Run(panel, created, UniverseFilter.Parse(parse.GetValue(universe)!), new FactorAnalysisOptions { Horizon = h }, progress);
            });
            var outDir = parse.GetValue(output)!;
            FactorStudy.Write(result, outDir);
            var t = new Table().AddColumns("factor", "mean IC", "mean rank IC", "ICIR", "rank ICIR", "long-short (ann.)", "days");
            foreach (var x in result.Summaries)
                t.AddRow(Markup.Escape(x.Factor), x.Available ? F(x.MeanIc) : "unavailable", F(x.MeanRankIc), F(x.Icir), F(x.RankIcir), F(x.LongShortAnnualised), x.Days.ToString());
            AnsiConsole.Write(t);
            foreach (var x in result.Summaries.Where(x => !x.Available)) Console.WriteLine($"{x.Factor} unavailable: {x.Reason}");
            Console.WriteLine($"Wrote {Path.GetFullPath(outDir)}: ic.csv, summary.json, quantiles.csv, decay.csv");
            return 0;
        }));
        return cmd;
    }

    private static Command Import()
    {
        var input = new Option<string>("--input", "-i") { Description = "A date,symbol,value CSV (or .csv.gz), or a folder of them", Required = true };
        var name = new Option<string>("--name", "-n") { Description = "The factor's name: a strategy uses it as custom(name=NAME)", Required = true };
        var store = new Option<string>("--store", "-s") { Description = "Store folder (must hold the market data the values refer to)", Required = true };
        var strict = new Option<bool>("--strict") { Description = "Reject the whole input on any error and write nothing" };
        var replace = new Option<bool>("--replace") { Description = "Replace the stored factor's values (default: merge, new rows replace stored ones with the same date and symbol)" };
        var report = new Option<string?>("--report") { Description = "Where to write the CSV report of every issue (default: <store>/reports/factor-<name>-<version>.csv)" };
        var lockOptions = DataCommands.LockOptions();
        var cmd = new Command("import", "Validate custom factor values and store them under a name (atomic; one writer at a time)")
        {
            input, name, store, strict, replace, report, lockOptions.NoWait, lockOptions.Timeout,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var storeDir = parse.GetValue(store)!;
            var inputPath = parse.GetValue(input)!;
            var factorName = parse.GetValue(name)!;
            if (parse.GetValue(report) is { } chosen) DataCommands.CheckReportPath(chosen, storeDir, InputFiles.Discover(inputPath));
            var result = await CustomFactorImporter.ImportAsync(inputPath, factorName, storeDir, new CustomFactorImportOptions
            {
                Strict = parse.GetValue(strict),
                Replace = parse.GetValue(replace),
                Lock = DataCommands.LockSettings(parse, lockOptions),
            }, ct);
            if (!DataCommands.ReportOutcome(result.Report, parse.GetValue(report), storeDir, $"factor-{factorName}",
                    result.Written ? result.Store!.Manifest.Version : null, result.Rejection, "factor import", out var reportPath))
                return 1;
            var entry = result.Store!.Manifest.CustomFactors.Single(f => f.Name == factorName);
            Console.WriteLine($"Imported custom factor '{factorName}' into {storeDir} (version {result.Store.Manifest.Version}): {entry.Rows} values, {entry.FirstDate:yyyy-MM-dd} .. {entry.LastDate:yyyy-MM-dd}; {result.ReplacedRows} stored values replaced. Use it as custom(name={factorName}). Report: {reportPath}");
            return 0;
        }));
        return cmd;
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.0000") : "-";
}
