using System.CommandLine;
using System.Text.Json;
using Serilog;
using Spectre.Console;
using Trading.Data.Import;
using Trading.Data.Store;
using Trading.Data.Text;
using Trading.Data.Validation;

namespace Trading.Node.Commands;

/// <summary><c>trading data import|validate|info|synth|fetch</c>.</summary>
internal static class DataCommands
{
    public static Command Build()
    {
        var data = new Command("data", "Import, validate and inspect market data");
        data.Subcommands.Add(Import());
        data.Subcommands.Add(Validate());
        data.Subcommands.Add(Info());
        data.Subcommands.Add(SynthCommand.Build());
        data.Subcommands.Add(FetchCommand.Build());
        return data;
    }

    private static Option<string> FormatOption()
    {
        var o = new Option<string>("--format") { Description = "Input format: tushare (daily/adj_factor/stock_basic/index_daily/namechange/stk_limit files) or csv (generic long CSV)", Required = true };
        o.AcceptOnlyFromAmong("tushare", "csv");
        return o;
    }

    private static Option<string> InputOption() =>
        new("--input", "-i") { Description = "A file or a folder of .csv / .csv.gz files", Required = true };

    private static SourceFormat ParseFormat(string f) => f == "csv" ? SourceFormat.Csv : SourceFormat.TuShare;

    private static Option<bool> AllowFutureDatesOption() =>
        new("--allow-future-dates") { Description = "Accept trading dates after today in Shanghai (refused by default: no such day has traded)" };

    /// <summary><c>--no-wait</c> and <c>--lock-timeout</c>: how a writer meets another writer of the same store.</summary>
    internal static (Option<bool> NoWait, Option<int> Timeout) LockOptions() =>
        (new Option<bool>("--no-wait") { Description = "Fail at once if another import or synth is writing the store (default: wait for it)" },
         new Option<int>("--lock-timeout") { Description = "Seconds to wait for another writer of the store before giving up", DefaultValueFactory = _ => 600 });

    internal static StoreLockOptions LockSettings(ParseResult parse, (Option<bool> NoWait, Option<int> Timeout) o)
    {
        int seconds = parse.GetValue(o.Timeout);
        if (seconds < 0) throw new FormatException($"--lock-timeout must be 0 or more seconds (got {seconds}).");
        return new StoreLockOptions
        {
            Wait = !parse.GetValue(o.NoWait),
            Timeout = TimeSpan.FromSeconds(seconds),
            OnWaiting = message => Console.Error.WriteLine(message),
        };
    }

    /// <summary>
    /// Refuses a report path that would overwrite the store (anything inside it but its reports/ folder: CURRENT,
    /// manifests, Parquet files, the lock) or one of the input files, before anything is written.
    /// </summary>
    internal static void CheckReportPath(string report, string storeDir, IReadOnlyList<string> inputs)
    {
        var target = Resolve(report);
        if (Directory.Exists(target))
            throw new IOException($"--report '{Printable.Escape(report)}' is a folder; give a file path.");
        var root = Resolve(storeDir);
        var reports = Path.Combine(root, "reports") + Path.DirectorySeparatorChar;
        if ((target == root || target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) && !target.StartsWith(reports, StringComparison.Ordinal))
            throw new IOException($"--report '{Printable.Escape(report)}' is inside the store '{Printable.Escape(storeDir)}', where only its reports/ folder may hold reports; nothing was written.");
        foreach (var input in inputs)
            if (Resolve(input) == target)
                throw new IOException($"--report '{Printable.Escape(report)}' is one of the input files; nothing was written.");
    }

    /// <summary>The full path with symbolic links resolved (of the folder and of the file itself, where they exist).</summary>
    private static string Resolve(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        var dir = Path.GetDirectoryName(full);
        if (dir is not null && Directory.Exists(dir))
        {
            var real = ResolveDirectory(dir);
            full = Path.Combine(real, Path.GetFileName(full));
        }
        try
        {
            if (File.Exists(full) && new FileInfo(full).LinkTarget is not null) return File.ResolveLinkTarget(full, true)?.FullName ?? full;
            if (Directory.Exists(full)) return ResolveDirectory(full);
        }
        catch (IOException) { }
        return full;
    }

    private static string ResolveDirectory(string dir)
    {
        // Walk up: any component may be a link.
        var parent = Path.GetDirectoryName(dir);
        var resolvedParent = parent is null ? null : ResolveDirectory(parent);
        var here = resolvedParent is null ? dir : Path.Combine(resolvedParent, Path.GetFileName(dir));
        try
        {
            var info = new DirectoryInfo(here);
            if (info.LinkTarget is not null) return info.ResolveLinkTarget(true)?.FullName.TrimEnd(Path.DirectorySeparatorChar) ?? here;
        }
        catch (IOException) { }
        return here;
    }

    private static Command Import()
    {
        var format = FormatOption();
        var input = InputOption();
        var store = new Option<string>("--store", "-s") { Description = "Store folder (created if missing)", Required = true };
        var strict = new Option<bool>("--strict") { Description = "Reject the whole input on any error and write nothing" };
        var report = new Option<string?>("--report") { Description = "Where to write the CSV report of every issue (default: <store>/reports/import-<version>.csv); not a store file or an input file" };
        var allowFuture = AllowFutureDatesOption();
        var lockOptions = LockOptions();
        var cmd = new Command("import", "Validate an input and merge it into a store (atomic: the old store stays intact on failure; one writer at a time)")
        {
            format, input, store, strict, report, allowFuture, lockOptions.NoWait, lockOptions.Timeout,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var storeDir = parse.GetValue(store)!;
            var inputPath = parse.GetValue(input)!;
            var lockSettings = LockSettings(parse, lockOptions);
            if (parse.GetValue(report) is { } chosen) CheckReportPath(chosen, storeDir, InputFiles.Discover(inputPath));
            ImportResult result = null!;
            await AnsiConsole.Status().StartAsync("Importing…", async ctx =>
            {
                var progress = new Progress<string>(s => ctx.Status($"Importing: {Markup.Escape(Printable.Escape(s))}"));
                result = await DataImporter.ImportAsync(ParseFormat(parse.GetValue(format)!), inputPath, storeDir,
                    new ImportOptions { Strict = parse.GetValue(strict), Progress = progress, AllowFutureDates = parse.GetValue(allowFuture), Lock = lockSettings }, ct);
            });
            if (!ReportOutcome(result.Report, parse.GetValue(report), storeDir, "import", result.Written ? result.Store!.Manifest.Version : null,
                    result.Rejection, "import", out var reportPath))
                return 1;
            Console.WriteLine($"Imported into {storeDir} (version {result.Store!.Manifest.Version}): {result.Store.Manifest.Bars} bars, {result.Store.Manifest.Symbols.Length} symbols; {result.ReplacedBars} stored bars replaced. Report: {reportPath}");
            return 0;
        }));
        return cmd;
    }

    private static Command Validate()
    {
        var format = FormatOption();
        var input = InputOption();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var allowFuture = AllowFutureDatesOption();
        var cmd = new Command("validate", "Check an input and report every problem; writes nothing (exit code 1 when there are errors)")
        {
            format, input, json, allowFuture,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(() =>
        {
            var report = DataImporter.Validate(ParseFormat(parse.GetValue(format)!), parse.GetValue(input)!, allowFutureDates: parse.GetValue(allowFuture));
            if (parse.GetValue(json)) Console.WriteLine(report.ToJson());
            else PrintReport(report, 50);
            return report.HasErrors ? 1 : 0;
        }));
        return cmd;
    }

    private static Command Info()
    {
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON: symbols, bars, first_date, last_date, boards, gaps…" };
        var cmd = new Command("info", "Summarise a store: symbols, bars, date range, per-board counts, gaps") { store, json };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var s = MarketStore.Open(parse.GetValue(store)!);
            var summary = await StoreSummary.ComputeAsync(s, ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var t = new Table().AddColumn("").AddColumn("");
            t.AddRow("store", Markup.Escape($"{summary.Store} (version {summary.Version})"));
            t.AddRow("symbols", summary.Symbols.ToString("N0"));
            t.AddRow("bars", summary.Bars.ToString("N0"));
            t.AddRow("dates", $"{summary.FirstDate} .. {summary.LastDate} ({summary.TradingDays} trading days)");
            foreach (var (board, c) in summary.Boards) t.AddRow($"  {board}", $"{c.Symbols:N0} symbols, {c.Bars:N0} bars");
            t.AddRow("reference data", $"{summary.StocksWithReference:N0} symbols named");
            t.AddRow("gaps (suspensions)", $"{summary.GapDays:N0} symbol-days in {summary.SymbolsWithGaps:N0} symbols" +
                (summary.LongestGap is { } g ? Markup.Escape($"; longest {g.Symbol} {g.From}..{g.To} ({g.TradingDays} days)") : ""));
            t.AddRow("ST bars / no-limit bars", $"{summary.StBars:N0} / {summary.NoLimitBars:N0}");
            t.AddRow("closes at limit up / down", $"{summary.LimitUpCloses:N0} / {summary.LimitDownCloses:N0}");
            foreach (var (code, ix) in summary.IndexSeriesByCode) t.AddRow(Markup.Escape($"index {Printable.Escape(code)}"), $"{ix.Bars} bars, {ix.First} .. {ix.Last}");
            foreach (var f in summary.CustomFactors) t.AddRow(Markup.Escape($"custom factor {f.Name}"), $"{f.Rows:N0} values, {f.FirstDate:yyyy-MM-dd} .. {f.LastDate:yyyy-MM-dd}");
            AnsiConsole.Write(t.HideHeaders());
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// An import's report: written to <paramref name="requested"/> or to DIR/reports/PREFIX-vNNNNNN.csv (the version
    /// written; PREFIX-rejected-TIME.csv when nothing was), its counts and first issues printed. False, with the
    /// one-line error, when the import was rejected (<paramref name="version"/> null).
    /// </summary>
    internal static bool ReportOutcome(ImportReport report, string? requested, string storeDir, string prefix, int? version, string? rejection,
        string what, out string path)
    {
        path = requested ?? Path.Combine(storeDir, "reports",
            $"{prefix}-{(version is { } v ? $"v{v:D6}" : $"rejected-{DateTime.UtcNow:yyyyMMddHHmmss}")}.csv");
        WriteReport(report, path);
        PrintReport(report, 20);
        if (version is not null) return true;
        Console.Error.WriteLine($"error: {what} rejected: {rejection}; nothing was written. Report: {Printable.Escape(path)}");
        return false;
    }

    internal static void WriteReport(ImportReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var w = new StreamWriter(path);
        report.WriteCsv(w);
    }

    internal static void PrintReport(ImportReport report, int maxIssues)
    {
        Console.WriteLine(report.Summary());
        foreach (var (kind, severity, count) in report.CountsByKind())
            Console.WriteLine($"  {severity.ToString().ToLowerInvariant(),-7} {kind,-26} {count}");
        foreach (var issue in report.Issues.Where(i => i.Severity == IssueSeverity.Error).Concat(report.Issues.Where(i => i.Severity == IssueSeverity.Warning)).Take(maxIssues))
            Console.WriteLine($"  {issue}");
        if (report.Issues.Count > maxIssues) Console.WriteLine($"  … {report.Issues.Count - maxIssues} more in the report file");
        Log.Information("Validation summary {Summary}", report.Summary());
    }
}
