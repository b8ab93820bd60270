using System.CommandLine;
using Trading.Data.Store;
using Trading.Reporting.Html;
using Trading.Reporting.Metrics;

namespace Trading.Node.Commands;

/// <summary><c>trading metrics</c> and <c>trading report</c>.</summary>
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
        var cmd = new Command("report", "Write the self-contained HTML report of a backtest run (opens offline)") { run, output, store };
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
