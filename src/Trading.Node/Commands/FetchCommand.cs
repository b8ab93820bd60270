using System.CommandLine;
using System.Globalization;
using Serilog;
using Spectre.Console;
using Trading.Data.Import;
using Trading.Data.Text;
using Trading.Data.TuShare;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading.data.tushare</c> (hocon/base.conf documents each key): how this machine reaches TuShare. Read from a
/// node's file, or from <c>data fetch --config FILE</c>; command-line options win.
/// </summary>
internal sealed record TuShareSettings(TuShareOptions Client, string? TokenFile, IReadOnlyList<string> IndexCodes)
{
    private static readonly string[] Keys = ["base-url", "token-file", "rate-per-minute", "timeout", "retries", "retry-delay", "index"];

    public static TuShareSettings Default { get; } = new(new TuShareOptions(), null, ["000300.SH"]);

    public static TuShareSettings FromConfig(Akka.Configuration.Config root, string file)
    {
        var b = ConfigBlock.Root(root, file).Block("trading", null)?.Block("data", ["tushare"])?.Block("tushare", Keys);
        if (b is null) return Default;
        var d = Default;
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var client = d.Client with
        {
            BaseUrl = b.Text("base-url") is { } u ? BaseUrl(u, b.Where("base-url")) : d.Client.BaseUrl,
            RatePerMinute = b.Int("rate-per-minute", d.Client.RatePerMinute, 1, 100_000),
            Timeout = b.Text("timeout") is { } t ? Trading.Runtime.Clock.TradingSchedule.Duration(b, "timeout", t, 1, 600) : d.Client.Timeout,
            Retries = b.Int("retries", d.Client.Retries, 0, 20),
            RetryDelay = b.Text("retry-delay") is { } rd ? Trading.Runtime.Clock.TradingSchedule.Duration(b, "retry-delay", rd, 0, 60) : d.Client.RetryDelay,
        };
        var tokenFile = b.Text("token-file") is { Length: > 0 } f ? Path.GetFullPath(Path.Combine(dir, f)) : null;
        return new TuShareSettings(client, tokenFile, b.Strings("index") is { } codes ? codes.Select(c => c.Trim()).ToList() : d.IndexCodes);
    }

    public static Uri BaseUrl(string text, string where) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ConfigException($"{where} = '{Printable.Escape(text)}' must be an http:// or https:// address.");
}

/// <summary>
/// The one code path that refreshes a store from TuShare: <c>trading data fetch</c> and the node's pre-open job both
/// call <see cref="RunAsync"/>.
/// </summary>
internal static class DataRefresh
{
    public static async Task<TuShareFetchResult> RunAsync(TuShareSettings settings, string storeDir, TuShareFetchOptions options, CancellationToken ct)
    {
        var token = TuShareToken.Load(settings.TokenFile);
        using var client = new TuShareClient(token, settings.Client);
        Log.Information("Fetching {What} from TuShare at {BaseUrl} into {Store} at {Rate} calls a minute per API",
            string.Join(",", options.What.Select(w => w.Name)), settings.Client.BaseUrl, storeDir, settings.Client.RatePerMinute);
        return await new TuShareFetcher(client).FetchAsync(storeDir, options, ct);
    }

    /// <summary>One line saying what a fetch did.</summary>
    public static string Summary(TuShareFetchResult r, string storeDir) =>
        (r.Import is { Written: true, Store: { } s }
            ? $"{r.TotalRows:N0} rows ({string.Join(", ", r.Rows.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value:N0}"))}) imported into {storeDir} (version {s.Manifest.Version}: {s.Manifest.Bars:N0} bars"
                + (s.Manifest.Days.Length > 0 ? $" to {DateOnly.FromDayNumber(s.Manifest.Days[^1]):yyyy-MM-dd})" : ")")
            : r.Import is null ? $"{storeDir} is up to date: TuShare had nothing new"
            : $"nothing imported into {storeDir}: {r.Import.Rejection}")
        + $"; {r.Calls} calls ({r.Retries} retries) in {r.Elapsed.TotalSeconds:0.0} s";
}

/// <summary><c>trading data fetch --source tushare --store DIR …</c>.</summary>
internal static class FetchCommand
{
    public static Command Build()
    {
        var source = new Option<string>("--source") { Description = "Where from: tushare (TuShare Pro over HTTP)", Required = true };
        source.AcceptOnlyFromAmong("tushare");
        var store = new Option<string>("--store", "-s") { Description = "Store folder (created if missing)", Required = true };
        var from = new Option<string?>("--from") { Description = "First day, YYYY-MM-DD (default: the day after what the store holds, per dataset)" };
        var to = new Option<string?>("--to") { Description = "Last day, YYYY-MM-DD (default: today in Shanghai)" };
        var what = new Option<string?>("--what")
        {
            Description = "Datasets, comma-separated: daily, adj_factor, stk_limit, daily_basic, suspend_d, index_daily, stock_basic, namechange, fina_indicator, income, balancesheet (trade_cal always; default: all but suspend_d and the per-stock fina_indicator, income, balancesheet)",
        };
        var index = new Option<string?>("--index") { Description = "Index series to fetch, comma-separated (default 000300.SH; the store's own series always)" };
        var config = new Option<string?>("--config", "-c") { Description = "A HOCON file whose trading.data.tushare block sets base-url, token-file, rate-per-minute, timeout, retries, index" };
        var tokenFile = new Option<string?>("--token-file") { Description = $"File holding the token, owner-only permissions (default: ${TuShareToken.Variable})" };
        var baseUrl = new Option<string?>("--base-url") { Description = $"TuShare's address (default {TuShareOptions.DefaultBaseUrl})" };
        var rate = new Option<int?>("--rate-per-minute") { Description = "Calls a minute per API, the account's points tier (default 200)" };
        var strict = new Option<bool>("--strict") { Description = "Reject the whole fetch on any invalid row and write nothing" };
        var report = new Option<string?>("--report") { Description = "Where to write the validation report (default: <store>/reports/fetch-<version>.csv)" };
        var lockOptions = DataCommands.LockOptions();
        var cmd = new Command("fetch", "Refresh a store from TuShare Pro: only what it lacks, through the same validated atomic import as data import")
        {
            source, store, from, to, what, index, config, tokenFile, baseUrl, rate, strict, report, lockOptions.NoWait, lockOptions.Timeout,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var storeDir = parse.GetValue(store)!;
            var settings = parse.GetValue(config) is { } file ? TuShareSettings.FromConfig(HoconFile.Load(file), file) : TuShareSettings.Default;
            if (parse.GetValue(tokenFile) is { } tf) settings = settings with { TokenFile = tf };
            if (parse.GetValue(baseUrl) is { } u) settings = settings with { Client = settings.Client with { BaseUrl = TuShareSettings.BaseUrl(u, "--base-url") } };
            if (parse.GetValue(rate) is { } r)
                settings = settings with { Client = settings.Client with { RatePerMinute = r is >= 1 and <= 100_000 ? r : throw new FormatException($"--rate-per-minute {r} must be between 1 and 100000.") } };
            if (parse.GetValue(index) is { } codes)
                settings = settings with { IndexCodes = codes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) };
            if (parse.GetValue(report) is { } chosen) DataCommands.CheckReportPath(chosen, storeDir, []);
            var options = new TuShareFetchOptions
            {
                From = Day(parse.GetValue(from), "--from"),
                To = Day(parse.GetValue(to), "--to"),
                What = TuShareDataset.Parse(parse.GetValue(what)),
                IndexCodes = settings.IndexCodes,
                Import = new ImportOptions { Strict = parse.GetValue(strict), Lock = DataCommands.LockSettings(parse, lockOptions) },
            };
            var result = await WithProgressAsync(options, o => DataRefresh.RunAsync(settings, storeDir, o, ct));
            if (result.Import is { } import)
            {
                if (!DataCommands.ReportOutcome(import.Report, parse.GetValue(report), storeDir, "fetch",
                        import.Written ? import.Store!.Manifest.Version : null, import.Rejection, "fetch", out var reportPath))
                    return 1;
                Console.WriteLine($"Fetched {DataRefresh.Summary(result, storeDir)}. Report: {reportPath}");
                return 0;
            }
            Console.WriteLine(DataRefresh.Summary(result, storeDir));
            return 0;
        }));
        return cmd;
    }

    private static DateOnly? Day(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new FormatException($"{option} '{Printable.Escape(text)}' must be a date YYYY-MM-DD.");

    /// <summary>
    /// A progress bar on stderr when it is a terminal (Spectre.Console's, as the other commands use); otherwise a plain
    /// line every 10 seconds, so a log or a pipe is not flooded with redraws.
    /// </summary>
    private static async Task<TuShareFetchResult> WithProgressAsync(TuShareFetchOptions options, Func<TuShareFetchOptions, Task<TuShareFetchResult>> run)
    {
        if (!Console.IsErrorRedirected && !Console.IsOutputRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            TuShareFetchResult result = null!;
            await console.Progress().AutoClear(true).StartAsync(async ctx =>
            {
                var task = ctx.AddTask("TuShare: trade_cal", maxValue: 1);
                var progress = new Immediate<TuShareFetchProgress>(p =>
                {
                    task.MaxValue = p.Planned;
                    task.Value = p.Done;
                    task.Description = $"TuShare: {p.Dataset}";
                });
                result = await run(options with { Progress = progress });
            });
            return result;
        }
        var last = DateTime.UtcNow;
        var lines = new Immediate<TuShareFetchProgress>(p =>
        {
            if (DateTime.UtcNow - last < TimeSpan.FromSeconds(10)) return;
            last = DateTime.UtcNow;
            Log.Information("TuShare fetch: {Dataset}, {Done} of {Planned} calls", p.Dataset, p.Done, p.Planned);
            Console.Error.WriteLine($"fetch: {p.Dataset}, {p.Done} of {p.Planned} calls");
        });
        return await run(options with { Progress = lines });
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class Immediate<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
