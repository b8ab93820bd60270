using System.Text.Json;
using Trading.Bench.Workloads;
using Trading.Data.Synthetic;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 13: <c>trading data fetch --source tushare</c> end to end against a TuShare stand-in on 127.0.0.1, and the
/// paper node's pre-open refresh through the same code.
/// </summary>
[Collection("console")]
public sealed class TuShareFetchCommandTests : IDisposable
{
    private static readonly SyntheticMarket Market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(40, 60, 5)
    {
        Start = new DateOnly(2024, 2, 1),
    });

    private const string Token = "tok-5f2d9c-secret-never-shown";
    private readonly TuShareFixture _server = new(Market, Token);
    private readonly string _dir = CliRunner.TempDir();

    public void Dispose() => _server.Dispose();

    private static string Day(int i) => Market.TradingDays[i].ToString("yyyy-MM-dd");

    private string TokenFile(string token = Token, bool ownerOnly = true)
    {
        var f = Path.Combine(_dir, $"token-{Guid.NewGuid():N}");
        File.WriteAllText(f, token + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(f, ownerOnly ? UnixFileMode.UserRead | UnixFileMode.UserWrite : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        return f;
    }

    /// <summary>A HOCON with the client's settings for tests: the fixture's address, no waiting between retries.</summary>
    private string Config()
    {
        var f = Path.Combine(_dir, "tushare.conf");
        File.WriteAllText(f, $$"""
            trading.data.tushare {
              base-url = "{{_server.BaseUrl}}"
              rate-per-minute = 60000
              retries = 2
              retry-delay = 0s
              timeout = 5s
              index = ["000300.SH"]
            }
            """);
        return f;
    }

    private Task<(int Exit, string Out, string Err)> Fetch(string store, params string[] extra) =>
        CliRunner.Run(["data", "fetch", "--source", "tushare", "--store", store, "--config", Config(), "--token-file", TokenFile(), .. extra]);

    private static async Task<string> LastDate(string store)
    {
        var (exit, output, err) = await CliRunner.Run("data", "info", "--store", store, "--json");
        Assert.True(exit == 0, err);
        return JsonDocument.Parse(output).RootElement.GetProperty("last_date").GetString()!;
    }

    [Fact]
    public async Task Fetch_fills_a_new_store_then_only_what_it_lacks_and_never_shows_the_token()
    {
        var store = Path.Combine(_dir, "store");
        var (exit, output, err) = await Fetch(store, "--from", Day(0), "--to", Day(29));
        Assert.True(exit == 0, err + output);
        Assert.Contains("imported into", output);
        Assert.Equal(Day(29), await LastDate(store));
        Assert.Single(Directory.GetFiles(Path.Combine(store, "reports"), "fetch-v*.csv"));

        int before = _server.Calls.Count;
        (exit, output, err) = await Fetch(store, "--to", Day(39), "--what", "daily,adj_factor,stk_limit");
        Assert.True(exit == 0, err + output);
        Assert.Equal(Day(39), await LastDate(store));
        Assert.Equal(10, _server.Calls.Skip(before).Count(c => c.Api == "daily"));
        Assert.DoesNotContain(Token, output + err);
    }

    [Fact]
    public async Task Statements_and_suspend_d_are_fetched_stored_and_reach_the_factors_and_a_suspension_mismatch_is_a_reported_warning()
    {
        var store = Path.Combine(_dir, "store-statements");
        var (exit, output, err) = await Fetch(store, "--from", Day(0), "--to", Day(39), "--what", "daily,stock_basic,fina_indicator,income,balancesheet,suspend_d");
        Assert.True(exit == 0, err + output);
        Assert.Contains("income ", output);
        Assert.Contains("balancesheet ", output);
        Assert.DoesNotContain("SuspensionMismatch", output); // the fixture's suspend_d agrees with its bars
        Assert.Equal(40, _server.Calls.Count(c => c.Api == "suspend_d"));
        var reports = await Trading.Data.Store.MarketStore.Open(store).ReadFinancialsAsync();
        Assert.Contains(reports, r => r.Carries(Trading.Data.Model.ReportParts.Income) && r.Carries(Trading.Data.Model.ReportParts.BalanceSheet));

        // The new factors compute from the stored statements.
        var outDir = Path.Combine(_dir, "factors-out");
        (exit, output, err) = await CliRunner.Run("factors", "analyze", "--store", store, "--factor", "leverage", "--factor", "net_margin",
            "--horizon", "5", "--universe", "all", "--out", outDir);
        Assert.True(exit == 0, err + output);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement.ToString();
        Assert.DoesNotContain("\"available\":false", summary.Replace(" ", ""));
        var ic = File.ReadAllLines(Path.Combine(outDir, "ic.csv"));
        Assert.Contains(ic, l => l.Contains(",leverage,") && !l.Contains("NaN"));
        Assert.Contains(ic, l => l.Contains(",net_margin,") && !l.Contains("NaN"));

        // suspend_d names a stock with a traded bar as suspended: the fetch succeeds, the report shows the warning.
        var day = Market.TradingDays[45];
        var traded = Market.Bars.Rows().First(b => b.Date == day && b.Volume > 0).Symbol.ToString();
        var real = Market.Stocks.Where(st =>
        {
            var dates = Market.Bars.Rows().Where(b => b.Symbol == st.Symbol).Select(b => b.Date).ToList();
            return dates.Count > 0 && dates.Min() < day && st.IsListedOn(day) && !dates.Contains(day);
        }).Select(st => st.Symbol.ToString());
        var items = string.Join(",", real.Append(traded).Select(code => $"[\"{code}\",\"{day:yyyyMMdd}\",null,\"S\"]"));
        _server.Fault = c => c.Api == "suspend_d" && c.Params["trade_date"] == day.ToString("yyyyMMdd")
            ? new(200, "{\"code\":0,\"msg\":\"\",\"data\":{\"fields\":[\"ts_code\",\"trade_date\",\"suspend_timing\",\"suspend_type\"],\"items\":[" + items + "]}}")
            : null;
        (exit, output, err) = await Fetch(store, "--to", Day(49), "--what", "daily,suspend_d");
        Assert.True(exit == 0, err + output);
        Assert.Contains("SuspensionMismatch", output);
        Assert.Contains($"suspend_d says {traded} was suspended all day on {day:yyyy-MM-dd}", output);
        var reportFile = Directory.GetFiles(Path.Combine(store, "reports"), "fetch-v*.csv").OrderBy(f => f).Last();
        Assert.Contains("SuspensionMismatch", File.ReadAllText(reportFile));
        Assert.Equal(Day(49), await LastDate(store));
        Assert.DoesNotContain(Token, output + err);
    }

    [Theory]
    [InlineData("auth", "error: TuShare refused the token")]
    [InlineData("permission", "error: the TuShare account may not call 'daily'")]
    [InlineData("500", "error: TuShare answered 'daily' with HTTP 500")]
    [InlineData("malformed", "error: TuShare's answer to 'daily' is not in its format (malformed JSON")]
    [InlineData("throttled", "error: TuShare throttled 'daily'")]
    public async Task Each_TuShare_error_is_one_line_exit_1_and_the_store_is_untouched(string fault, string expected)
    {
        var store = Path.Combine(_dir, "store-" + fault);
        var (exit, _, err) = await Fetch(store, "--from", Day(0), "--to", Day(4), "--what", "daily");
        Assert.Equal(0, exit);
        var current = File.ReadAllText(Path.Combine(store, "CURRENT"));
        _server.Fault = c => c.Api != "daily" ? null : fault switch
        {
            "permission" => TuShareFixtureAnswer.NoPermission,
            "500" => TuShareFixtureAnswer.ServerError,
            "malformed" => TuShareFixtureAnswer.Malformed,
            "throttled" => TuShareFixtureAnswer.Throttled(200),
            _ => null,
        };
        string[] args = ["data", "fetch", "--source", "tushare", "--store", store, "--config", Config(), "--to", Day(9), "--what", "daily",
            "--token-file", TokenFile(fault == "auth" ? "a-wrong-token-never-shown" : Token)];
        (exit, var output, err) = await CliRunner.Run(args);
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line);
        Assert.DoesNotContain("a-wrong-token-never-shown", output + err);
        Assert.DoesNotContain(Token, output + err);
        Assert.Equal(current, File.ReadAllText(Path.Combine(store, "CURRENT")));
        Assert.Equal(Day(4), await LastDate(store));
    }

    [Fact]
    public async Task Bad_setups_are_one_line_without_the_token()
    {
        var store = Path.Combine(_dir, "store");
        if (!OperatingSystem.IsWindows())
        {
            var open = TokenFile(ownerOnly: false);
            var (exit, output, err) = await CliRunner.Run("data", "fetch", "--source", "tushare", "--store", store, "--config", Config(), "--token-file", open, "--from", Day(0));
            Assert.Equal(1, exit);
            Assert.Contains("readable or writable by group or others; chmod 600 it", err);
            Assert.DoesNotContain(Token, output + err);
        }
        foreach (var (args, expected) in new[]
        {
            (new[] { "--what", "suspend_d" }, "error: --what: suspend_d is checked against the daily bars of the same fetch; add daily."),
            (new[] { "--what", "bogus" }, "error: --what bogus: unknown"),
            (new[] { "--what", "adj_factor" }, "add daily"),
            (new[] { "--from", "2024-13-01" }, "error: --from '2024-13-01' must be a date"),
            (new[] { "--rate-per-minute", "0" }, "error: --rate-per-minute 0 must be between"),
            (new[] { "--base-url", "ftp://x" }, "must be an http:// or https:// address"),
            (Array.Empty<string>(), "holds no data yet: give --from"),
        })
        {
            var (exit, _, err) = await Fetch(Path.Combine(_dir, "never"), args);
            Assert.Equal(1, exit);
            Assert.Contains(expected, err);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        Assert.False(Directory.Exists(Path.Combine(_dir, "never", "v000001")));

        // Reference data alone needs no dates, even in a new store.
        var (ok, output2, err2) = await Fetch(Path.Combine(_dir, "names"), "--what", "stock_basic");
        Assert.True(ok == 0, err2 + output2);
        Assert.Contains($"{Market.Stocks.Count} rows (stock_basic {Market.Stocks.Count}) imported", output2);
    }

    [Fact]
    public async Task A_node_whose_token_file_others_may_read_does_not_start()
    {
        if (OperatingSystem.IsWindows()) return;
        var (node, _) = await Node(TokenFile(ownerOnly: false));
        var (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.Equal(1, exit);
        Assert.Contains("readable or writable by group or others; chmod 600 it", err);
        Assert.DoesNotContain(Token, output + err);
    }

    private const string Strategy =
        "strategy { name = refresh-test, factors = [ { spec = \"momentum(lookback=10,skip=0)\" } ], top-n = 5, buffer = 6, rebalance = weekly, universe { min-listed-days = 0, min-average-amount = 0 } }";

    private async Task<(string Node, string Store)> Node(string tokenFile)
    {
        var store = Path.Combine(_dir, "node-store");
        if (!Directory.Exists(store))
        {
            var (exit, _, err) = await Fetch(store, "--from", Day(0), "--to", Day(49));
            Assert.True(exit == 0, err);
        }
        File.WriteAllText(Path.Combine(_dir, "strategy.conf"), Strategy);
        var node = Path.Combine(_dir, $"node-{Guid.NewGuid():N}.conf");
        File.WriteAllText(node, $$"""
            trading {
              account-id = "refresh-test"
              node {
                mode = paper
                strategy = "strategy.conf"
                store = "{{store.Replace("\\", "/")}}"
                data-dir = "node-data-{{Guid.NewGuid():N}}"
                journal = sqlite
                paper { replay-day = last, start-at = "08:40", speed = 4000, exit-after-close = on }
                data-refresh { source = tushare, what = [daily, adj_factor, stk_limit, daily_basic] }
              }
              data.tushare {
                base-url = "{{_server.BaseUrl}}"
                token-file = "{{tokenFile.Replace("\\", "/")}}"
                rate-per-minute = 60000
                retries = 1
                retry-delay = 0s
              }
            }
            """);
        return (node, store);
    }

    [Fact]
    public async Task The_nodes_pre_open_job_refreshes_its_store_and_a_failed_refresh_is_an_alert_while_the_day_goes_on()
    {
        var (node, store) = await Node(TokenFile());
        var (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("PreOpen: data refresh: ", output);
        Assert.Contains("closed: the replay is done", output);
        Assert.Equal(Day(59), await LastDate(store));
        var logs = Directory.GetFiles(_dir, "node-*.log", SearchOption.AllDirectories);
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.DoesNotContain(Token, File.ReadAllText(l)));

        // TuShare refuses: the alert says so, the day is traded on the stored data.
        (node, _) = await Node(TokenFile("a-revoked-token"));
        (exit, output, err) = await CliRunner.Run("node", "--config", node);
        Assert.True(exit == 0, err + output);
        Assert.Contains("[alert] data-refresh pre-open: data refresh failed, trading on the stored data: TuShare refused the token", output);
        Assert.Contains("closed: the replay is done", output);
        Assert.DoesNotContain("a-revoked-token", output + err);
    }

    [Fact]
    public void The_shipped_base_conf_reads_as_the_client_defaults()
    {
        var s = Trading.Node.Commands.TuShareSettings.FromConfig(
            Trading.Runtime.TradingSystem.LoadConfig(Trading.Runtime.JournalKind.InMemory), "base.conf");
        Assert.Equal(new Trading.Data.TuShare.TuShareOptions(), s.Client);
        Assert.Null(s.TokenFile);
        Assert.Equal(["000300.SH"], s.IndexCodes);
    }

    [Theory]
    [InlineData("data-refresh { source = wind }", "'trading.node.data-refresh.source' = 'wind' must be tushare or off")]
    [InlineData("data-refresh { source = tushare, what = [suspend_d] }", "'trading.node.data-refresh.what': --what: suspend_d is checked against the daily bars")]
    [InlineData("data-refresh { source = tushare, shedule = x }", "data-refresh")]
    public async Task A_bad_data_refresh_block_is_one_line(string block, string expected)
    {
        var f = Path.Combine(_dir, "bad-node.conf");
        File.WriteAllText(f, $"trading.node {{ mode = paper, strategy = s.conf, store = x, data-dir = d, {block} }}");
        var (exit, _, err) = await CliRunner.Run("node", "--config", f);
        Assert.Equal(1, exit);
        Assert.Contains(expected, err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
