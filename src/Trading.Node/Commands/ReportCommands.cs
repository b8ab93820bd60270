using System.CommandLine;
using System.Globalization;
using Trading.Backtest.Paper;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Runtime.Configuration;
using Trading.Runtime.Hosting;
using Trading.Runtime;
using Trading.Runtime.ReadModels;
using Trading.Runtime.Strategy;
using Trading.Reporting.Html;
using Trading.Reporting.Metrics;

namespace Trading.Node.Commands;

/// <summary><c>trading metrics</c>, <c>trading report</c> and <c>trading report daily</c>.</summary>
internal static class ReportCommands
{
    public static Command Metrics()
    {
        var nav = new Option<string>("--nav") { Description = "CSV with date,nav (a backtest's nav.csv works)", Required = true };
        var benchmark = new Option<string?>("--benchmark") { Description = "CSV with date,close" };
        var json = new Option<bool>("--json") { Description = "Print JSON (QuantStats conventions; see README)" };
        var cmd = new Command("metrics", "Performance metrics of a NAV series: returns, risk, drawdowns, VaR, benchmark-relative") { nav, benchmark, json };
        cmd.SetAction((parse, ct) => Cli.Guard(() =>
        {
            var series = NavCsv.Load(parse.GetValue(nav)!);
            var bench = parse.GetValue(benchmark) is { } b ? BenchmarkCsv.Load(b) : null;
            var report = PerformanceAnalyzer.Analyze(series, bench);
            if (parse.GetValue(json)) Console.WriteLine(report.ToJson());
            else
                Console.WriteLine($"total return {report.TotalReturn:P2}, CAGR {report.Cagr:P2}, volatility {report.Volatility:P2}, Sharpe {report.Sharpe:0.00}, " +
                    $"Sortino {report.Sortino:0.00}, max drawdown {report.MaxDrawdown.Depth:P2} (under water {report.MaxDrawdown.Start:yyyy-MM-dd} → {report.MaxDrawdown.End:yyyy-MM-dd}, valley {report.MaxDrawdown.Valley:yyyy-MM-dd})");
            return 0;
        }));
        return cmd;
    }

    public static Command Report()
    {
        var run = new Option<string>("--run") { Description = "A backtest output folder (nav.csv, trades.csv, …)", Required = true };
        var output = new Option<string?>("--out", "-o") { Description = "HTML file to write (default: <run>/report.html)" };
        var store = new Option<string?>("--store", "-s") { Description = "Store with the stocks' names and industries (shown in Chinese where known)" };
        var cmd = new Command("report", "Write the self-contained HTML report of a backtest run (opens offline)") { run, output, store, Daily() };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var dir = parse.GetValue(run)!;
            var file = parse.GetValue(output) ?? Path.Combine(dir, "report.html");
            var inputs = parse.GetValue(store) is { } s ? await ReportInputsFromStore(MarketStore.Open(s), ct) : null;
            HtmlReport.Write(dir, file, inputs);
            Console.WriteLine($"Wrote {Path.GetFullPath(file)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// <c>trading report daily --config NODE.conf [--date D] [--out FILE]</c>: a node's daily risk statement from its
    /// journal (read models brought up to its end first) and its store — the page the node writes after each close,
    /// written again for any day it closed — and its markdown summary on stdout.
    /// </summary>
    public static Command Daily()
    {
        var config = new Option<string>("--config", "-c") { Description = "The node's HOCON (account, data-dir, journal, store, strategy)", Required = true };
        var date = new Option<string?>("--date") { Description = "The day, YYYY-MM-DD (default: the last day the node closed)" };
        var output = new Option<string?>("--out", "-o") { Description = "HTML file to write (default: <data-dir>/reports/daily/YYYY-MM-DD.html)" };
        var cmd = new Command("daily", "Write a node's daily risk statement (HTML, opens offline) and print its summary") { config, date, output };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var file = parse.GetValue(config)!;
            var root = HoconFile.Load(file);
            var node = TradingNodeOptions.FromConfig(root, file);
            var o = NodeFileOptions.Parse(root, file);
            DateOnly? day = null;
            if (parse.GetValue(date) is { } text)
                day = DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d : throw new FormatException($"--date '{text}' must be YYYY-MM-DD.");
            var journal = o.Journal == JournalKind.Sqlite ? Path.Combine(o.DataDirectory, "journal.db") : null;
            if (journal is not null && !File.Exists(journal))
                throw new FileNotFoundException($"{file}: no journal at {journal}: the node has not run yet", journal);
            var inspector = await JournalInspector.OpenAsync(o.Journal, journal, ct);
            await JournalCommand.CatchUpAsync(o.Journal, journal, inspector.Database, ct);
            var rm = new ReadModels(inspector.Database);
            // The day is checked before the store is loaded: a wrong date fails at once.
            var navs = await rm.NavAsync(node.AccountId, ct);
            if (navs.Count == 0) throw new InvalidDataException($"account '{node.AccountId}' has no NAV in {inspector.Database.Description}: the node has not closed a day yet");
            day ??= navs.Max(n => n.Date);
            if (!navs.Any(n => n.Date == day))
                throw new InvalidDataException($"account '{node.AccountId}' has no NAV on {day:yyyy-MM-dd} (the node closed {navs.Min(n => n.Date):yyyy-MM-dd} to {navs.Max(n => n.Date):yyyy-MM-dd})");
            var outFile = parse.GetValue(output) ?? Path.Combine(o.DataDirectory, "reports", "daily", $"{day:yyyy-MM-dd}.html");
            var cfg = StrategyConfig.Load(o.StrategyFile);
            var store = MarketStore.Open(o.Store);
            var panel = await MarketPanel.LoadAsync(store, ct);
            var index = await store.ReadIndexAsync(ct);
            var request = new StatementRequest(node.AccountId, day, panel, index, cfg.Benchmark, o.StatementHistoryDays, cfg.InitialCash, cfg.Name)
            {
                Notes = new Trading.Dashboard.Notes.NoteStore(inspector.Database, TimeProvider.System).ForStatementAsync,
            };
            var (_, markdown) = await DailyStatementSource.WriteAsync(rm, request, outFile, DateTimeOffset.Now, ct);
            Console.Write(markdown);
            return 0;
        }));
        return cmd;
    }

    /// <summary>Names and industries of the store's stocks for the report.</summary>
    public static async Task<ReportInputs> ReportInputsFromStore(MarketStore store, CancellationToken ct)
    {
        var stocks = await store.ReadStocksAsync(ct);
        return new ReportInputs
        {
            Names = stocks.Where(x => x.Name.Length > 0).ToDictionary(x => x.Symbol.ToString(), x => x.Name),
            Industries = stocks.Where(x => x.Industry.Length > 0).ToDictionary(x => x.Symbol.ToString(), x => x.Industry),
        };
    }
}
