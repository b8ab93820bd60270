using System.Diagnostics;
using Trading.Bench.Workloads;
using Trading.Data.Import;
using Trading.Data.Store;
using Trading.Data.Synthetic;
using Trading.Data.TuShare;

namespace Trading.Data.Tests;

/// <summary>The TuShare client and fetcher against a local stand-in (127.0.0.1, free port) answering in TuShare's format.</summary>
public sealed class TuShareFetchTests : IDisposable
{
    private static readonly SyntheticMarket Market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(40, 30, 11)
    {
        Start = new DateOnly(2024, 3, 1),
    });

    private readonly TuShareFixture _server = new(Market);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tushare-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _server.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string Store => Path.Combine(_dir, "store");
    private static DateOnly Day(int i) => Market.TradingDays[i];

    private TuShareClient Client(string? token = null, int rate = 60_000, int retries = 2, TimeSpan? timeout = null) =>
        new(token ?? _server.Token, new TuShareOptions
        {
            BaseUrl = new Uri(_server.BaseUrl), RatePerMinute = rate, Retries = retries, Timeout = timeout ?? TimeSpan.FromSeconds(10),
            RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(40),
        });

    private static TuShareFetchOptions Options(DateOnly? from, DateOnly to, string? what = null) => new()
    {
        From = from, To = to, What = TuShareDataset.Parse(what), IndexCodes = [SyntheticMarketGenerator.BenchmarkCode],
    };

    private static int BarsOn(IEnumerable<DateOnly> days)
    {
        var set = days.Select(d => d.DayNumber).ToHashSet();
        int n = 0;
        for (int i = 0; i < Market.Bars.Count; i++) if (set.Contains(Market.Bars.Date[i])) n++;
        return n;
    }

    [Fact]
    public async Task Fetches_into_an_empty_store_through_the_validated_import_then_incrementally_from_the_day_after()
    {
        using var client = Client();
        var first = await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(19)));
        Assert.NotNull(first.Import);
        Assert.True(first.Import!.Written, first.Import.Rejection);
        Assert.Equal(0, first.Import.Report.ErrorCount);
        var store = MarketStore.Open(Store);
        Assert.Equal(BarsOn(Market.TradingDays.Take(20)), store.Manifest.Bars);
        Assert.Equal(Day(19).DayNumber, store.Manifest.Days[^1]);
        Assert.Equal(20, (await store.ReadIndexAsync()).Count);
        Assert.True(store.Manifest.Valuations > 0);
        // Published limits (stk_limit) and factors (adj_factor) reached the bars: the same values the market has.
        var bars = await store.ReadBarsAsync();
        var expected = Market.Bars.Rows().Where(b => b.Date <= Day(19)).ToDictionary(b => (b.Symbol, b.Date));
        foreach (var b in bars.Rows())
        {
            var e = expected[(b.Symbol, b.Date)];
            Assert.Equal((e.Close, e.UpLimit, e.DownLimit), (b.Close, b.UpLimit, b.DownLimit));
            Assert.Equal(e.AdjFactor, b.AdjFactor, 6);
        }

        int callsBefore = _server.Calls.Count;
        var second = await new TuShareFetcher(client).FetchAsync(Store, Options(null, Day(29)));
        Assert.True(second.Import!.Written);
        var daily = _server.Calls.Skip(callsBefore).Where(c => c.Api == "daily").Select(c => c.Params["trade_date"]).ToList();
        Assert.Equal(Market.TradingDays.Skip(20).Select(d => d.ToString("yyyyMMdd")), daily);
        Assert.Equal(BarsOn(Market.TradingDays), MarketStore.Open(Store).Manifest.Bars);

        // Nothing new among the daily datasets: no import, no new version (reference data is fetched whole every time).
        int version = MarketStore.Open(Store).Manifest.Version;
        var third = await new TuShareFetcher(client).FetchAsync(Store, Options(null, Day(29), "daily,adj_factor,stk_limit,daily_basic,index_daily"));
        Assert.Null(third.Import);
        Assert.Equal(version, MarketStore.Open(Store).Manifest.Version);
    }

    [Fact]
    public async Task Financials_are_kept_point_in_time_by_announcement_date()
    {
        using var client = Client();
        await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(29), "daily,stock_basic,fina_indicator"));
        var stored = await MarketStore.Open(Store).ReadFinancialsAsync();
        var expected = Market.Financials.Where(r => r.AnnDate >= Day(0) && r.AnnDate <= Day(29)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(r => (r.Symbol, r.AnnDate, r.EndDate)).Order(), stored.Select(r => (r.Symbol, r.AnnDate, r.EndDate)).Order());
        Assert.Equal(Market.Stocks.Count, _server.Calls.Count(c => c.Api == "fina_indicator"));
    }

    [Fact]
    public async Task Income_and_balance_sheets_are_fetched_consolidated_stored_point_in_time_and_merged_with_the_ratios()
    {
        using var client = Client();
        var result = await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(29), "daily,stock_basic,fina_indicator,income,balancesheet"));
        Assert.True(result.Import!.Written, result.Import.Rejection);
        Assert.Equal(0, result.Import.Report.ErrorCount);
        foreach (var api in new[] { "income", "balancesheet" })
        {
            var calls = _server.Calls.Where(c => c.Api == api).ToList();
            Assert.Equal(Market.Stocks.Count, calls.Count); // one per stock
            Assert.All(calls, c => Assert.Equal("1", c.Params["report_type"]));
        }
        var stored = (await MarketStore.Open(Store).ReadFinancialsAsync()).ToDictionary(r => (r.Symbol, r.AnnDate, r.EndDate));
        var expected = Market.Financials.Where(r => r.AnnDate >= Day(0) && r.AnnDate <= Day(29)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, stored.Count); // the three sources of one announcement are one report
        foreach (var e in expected)
        {
            var r = stored[(e.Symbol, e.AnnDate, e.EndDate)];
            Assert.Equal(e.Roe, r.Roe, 1e-6);
            Assert.Equal(1.0, r.Revenue / e.Revenue, 9);
            Assert.Equal(1.0, r.NetIncomeToParent / e.NetIncomeToParent, 9);
            Assert.Equal(1.0, r.TotalAssets / e.TotalAssets, 9);
            Assert.Equal(1.0, r.TotalLiabilities / e.TotalLiabilities, 9);
            Assert.Equal(1.0, r.ParentEquity / e.ParentEquity, 9);
        }
    }

    [Fact]
    public async Task Statements_fetched_after_the_ratios_overlay_them_and_parent_company_rows_never_reach_the_store()
    {
        using var client = Client();
        await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(29), "daily,stock_basic,fina_indicator"));
        // income for the first time: the fixture would send parent-company rows (60 % figures) were report_type not asked.
        var result = await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(29), "income"));
        Assert.True(result.Import!.Written, result.Import.Rejection);
        var reports = await MarketStore.Open(Store).ReadFinancialsAsync();
        var income = reports.Where(r => r.Carries(Trading.Data.Model.ReportParts.Income)).ToList();
        Assert.NotEmpty(income);
        Assert.All(income, r => Assert.True(r.Carries(Trading.Data.Model.ReportParts.Indicators))); // overlaid on the stored ratios
        var expected = Market.Financials.ToDictionary(r => (r.Symbol, r.AnnDate, r.EndDate));
        Assert.All(income, r => Assert.Equal(1.0, r.Revenue / expected[(r.Symbol, r.AnnDate, r.EndDate)].Revenue, 9)); // not the 60 % parent rows

        // A CSV of every report type imported by hand: the parent-company rows are read and skipped.
        var dir = Path.Combine(_dir, "csv");
        Directory.CreateDirectory(dir);
        var e = Market.Financials[0];
        File.WriteAllText(Path.Combine(dir, "income.csv"),
            "ts_code,ann_date,f_ann_date,end_date,report_type,comp_type,basic_eps,total_revenue,revenue,operate_profit,total_profit,n_income,n_income_attr_p,update_flag\n" +
            $"{e.Symbol},{e.AnnDate:yyyyMMdd},,{e.EndDate:yyyyMMdd},6,1,1,1,1,1,1,1,1,1\n");
        var batch = DataImporter.Read(SourceFormat.TuShare, dir);
        Assert.Empty(batch.Incomes);
        Assert.Equal((1L, 0L, 0L), (batch.Report.RowsRead, batch.Report.RowsAccepted, (long)batch.Report.ErrorCount));
    }

    [Fact]
    public async Task A_bad_statement_row_fails_a_strict_fetch_and_the_store_is_as_it_was()
    {
        using var client = Client();
        await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(29), "daily,stock_basic"));
        int version = MarketStore.Open(Store).Manifest.Version;
        var victim = Market.Stocks[0].Symbol.ToString();
        _server.Fault = c => c.Api == "balancesheet" && c.Params["ts_code"] == victim
            ? new(200, $$$"""{"code":0,"msg":"","data":{"fields":["ts_code","ann_date","f_ann_date","end_date","report_type","total_assets","total_liab","total_hldr_eqy_exc_min_int","total_cur_assets","total_cur_liab","money_cap","update_flag"],"items":[["{{{victim}}}","{{{Day(5):yyyyMMdd}}}",null,"20231231","1",-100.0,50.0,10.0,1.0,1.0,1.0,0]]}}""")
            : null;
        var result = await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(29), "balancesheet") with { Import = new ImportOptions { Strict = true } });
        Assert.False(result.Import!.Written);
        var issue = Assert.Single(result.Import.Report.Issues, i => i.Severity == Trading.Data.Validation.IssueSeverity.Error);
        Assert.Equal((Trading.Data.Validation.IssueKind.NegativeValue, "total_assets", victim), (issue.Kind, issue.Column, issue.Symbol));
        Assert.Equal(version, MarketStore.Open(Store).Manifest.Version);
        Assert.Empty(await MarketStore.Open(Store).ReadFinancialsAsync());
    }

    [Fact]
    public async Task Suspend_d_is_fetched_per_day_and_checked_against_the_bars()
    {
        using var client = Client();
        var clean = await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(9), "daily,stock_basic,suspend_d"));
        Assert.True(clean.Import!.Written);
        Assert.Equal(10, _server.Calls.Count(c => c.Api == "suspend_d"));
        Assert.DoesNotContain(clean.Import.Report.Issues, i => i.Kind == Trading.Data.Validation.IssueKind.SuspensionMismatch);

        // TuShare's suspend_d names a stock with a traded bar on day 12 as suspended, beside the day's true
        // suspensions: a warning, the bars still stored.
        var day = Day(12);
        var suspended = Market.Stocks.Where(st =>
        {
            var dates = Market.Bars.Rows().Where(b => b.Symbol == st.Symbol).Select(b => b.Date).ToList();
            return dates.Count > 0 && dates.Min() < day && st.IsListedOn(day) && !dates.Contains(day);
        }).Select(st => st.Symbol.ToString()).ToList();
        var row = Market.Bars.Rows().First(b => b.Date == day && b.Volume > 0);
        var items = string.Join(",", suspended.Append(row.Symbol.ToString()).Select(code => $"[\"{code}\",\"{day:yyyyMMdd}\",null,\"S\"]"));
        _server.Fault = c => c.Api == "suspend_d" && c.Params["trade_date"] == day.ToString("yyyyMMdd")
            ? new(200, "{\"code\":0,\"msg\":\"\",\"data\":{\"fields\":[\"ts_code\",\"trade_date\",\"suspend_timing\",\"suspend_type\"],\"items\":[" + items + "]}}")
            : null;
        var result = await new TuShareFetcher(client).FetchAsync(Store, Options(null, Day(19), "daily,stock_basic,suspend_d"));
        Assert.True(result.Import!.Written);
        var warning = Assert.Single(result.Import.Report.Issues, i => i.Kind == Trading.Data.Validation.IssueKind.SuspensionMismatch);
        Assert.Equal((Trading.Data.Validation.IssueSeverity.Warning, row.Symbol.ToString(), (DateOnly?)day), (warning.Severity, warning.Symbol, warning.Date));
        Assert.Equal(Day(19).DayNumber, MarketStore.Open(Store).Manifest.Days[^1]);
        Assert.Throws<TuShareSetupException>(() => TuShareDataset.Parse("suspend_d"));
    }

    [Fact]
    public async Task The_client_keeps_to_its_rate_and_the_server_never_throttles_it()
    {
        _server.PerSecondLimit = 12; // per API and sliding second; the client runs at 10 a second
        using var client = Client(rate: 600);
        var clock = Stopwatch.StartNew();
        await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(19), "daily"));
        Assert.Equal(0, _server.ThrottledCalls);
        Assert.Equal(0, client.Retries);
        int daily = _server.Calls.Count(c => c.Api == "daily");
        Assert.Equal(20, daily);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds((daily - 2) * 100), $"{daily} calls in {clock.ElapsedMilliseconds} ms at 10/s");
    }

    [Fact]
    public async Task Throttled_and_failed_calls_are_retried_with_backoff()
    {
        int n = 0;
        _server.Fault = c => c.Api == "daily" && Interlocked.Increment(ref n) is 1 or 2 ? (n == 1 ? TuShareFixtureAnswer.Throttled(200) : TuShareFixtureAnswer.ServerError) : null;
        using var client = Client();
        var result = await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(4), "daily"));
        Assert.True(result.Import!.Written);
        Assert.Equal(2, client.Retries);
        Assert.Equal(BarsOn(Market.TradingDays.Take(5)), MarketStore.Open(Store).Manifest.Bars);
    }

    public static TheoryData<string, TuShareFailure, bool> Faults => new()
    {
        { "auth", TuShareFailure.Auth, false },
        { "permission", TuShareFailure.Permission, false },
        { "quota", TuShareFailure.Quota, false },
        { "throttled-always", TuShareFailure.RateLimited, true },
        { "500-always", TuShareFailure.Unavailable, true },
        { "malformed", TuShareFailure.Malformed, false },
        { "missing-field", TuShareFailure.Malformed, false },
        { "ragged-row", TuShareFailure.Malformed, false },
        { "timeout", TuShareFailure.Unavailable, true },
        { "wrong-day", TuShareFailure.Malformed, false },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Each_error_is_mapped_retried_only_when_transient_and_leaves_the_store_as_it_was(string fault, TuShareFailure failure, bool retried)
    {
        using (var seed = Client())
            await new TuShareFetcher(seed).FetchAsync(Store, Options(Day(0), Day(9), "daily"));
        int version = MarketStore.Open(Store).Manifest.Version;
        var before = _server.Calls.Count;
        _server.Fault = c => c.Api != "daily" || c.Params["trade_date"] != Day(12).ToString("yyyyMMdd") ? null : fault switch
        {
            "permission" => TuShareFixtureAnswer.NoPermission,
            "quota" => TuShareFixtureAnswer.DailyQuota,
            "throttled-always" => TuShareFixtureAnswer.Throttled(200),
            "500-always" => TuShareFixtureAnswer.ServerError,
            "malformed" => TuShareFixtureAnswer.Malformed,
            "missing-field" => new(200, """{"code":0,"msg":"","data":{"fields":["ts_code","trade_date"],"items":[["000001.SZ","20240315"]]}}"""),
            "ragged-row" => new(200, """{"code":0,"msg":"","data":{"fields":["ts_code","trade_date","open"],"items":[["000001.SZ","20240315"]]}}"""),
            "timeout" => new(200, "{}", TimeSpan.FromSeconds(2)),
            "wrong-day" => new(200, """{"code":0,"msg":"","data":{"fields":["ts_code","trade_date","open","high","low","close","pre_close","vol","amount"],"items":[["000001.SZ","20240104",10.0,10.2,9.9,10.1,10.0,1000.0,1010.0]]}}"""),
            _ => null,
        };
        using var client = Client(token: fault == "auth" ? "wrong-secret-token-42" : null, timeout: fault == "timeout" ? TimeSpan.FromMilliseconds(200) : null);
        var e = await Assert.ThrowsAsync<TuShareException>(() => new TuShareFetcher(client).FetchAsync(Store, Options(null, Day(20), "daily")));
        Assert.Equal(failure, e.Failure);
        Assert.DoesNotContain("wrong-secret-token-42", e.Message);
        Assert.DoesNotContain(_server.Token, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        int attempts = fault == "auth" ? _server.Calls.Count - before : _server.Calls.Skip(before).Count(c => c.Api == "daily" && c.Params["trade_date"] == Day(12).ToString("yyyyMMdd"));
        Assert.Equal(retried ? 3 : 1, attempts);
        Assert.Equal(version, MarketStore.Open(Store).Manifest.Version);
        Assert.Equal(Day(9).DayNumber, MarketStore.Open(Store).Manifest.Days[^1]);
    }

    [Fact]
    public async Task Empty_pages_at_the_end_are_days_not_yet_published_but_a_gap_before_data_is_refused()
    {
        var last = Day(9).ToString("yyyyMMdd");
        _server.Fault = c => c.Api == "daily" && c.Params["trade_date"] == last ? TuShareFixtureAnswer.EmptyPage : null;
        using var client = Client();
        await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(9), "daily"));
        Assert.Equal(Day(8).DayNumber, MarketStore.Open(Store).Manifest.Days[^1]);
        int version = MarketStore.Open(Store).Manifest.Version;

        var gap = Day(11).ToString("yyyyMMdd");
        _server.Fault = c => c.Api == "daily" && c.Params["trade_date"] == gap ? TuShareFixtureAnswer.EmptyPage : null;
        var e = await Assert.ThrowsAsync<TuShareException>(() => new TuShareFetcher(client).FetchAsync(Store, Options(null, Day(15), "daily")));
        Assert.Equal(TuShareFailure.Malformed, e.Failure);
        Assert.Contains(Day(11).ToString("yyyy-MM-dd"), e.Message);
        Assert.Equal(version, MarketStore.Open(Store).Manifest.Version);
    }

    [Fact]
    public async Task Pages_by_limit_and_offset_where_a_call_reaches_its_cap()
    {
        using var client = Client();
        await new TuShareFetcher(client).FetchAsync(Store, Options(Day(0), Day(2), "daily,stock_basic,namechange"));
        // stock_basic: one call per list status (L, D, P); a page shorter than the cap ends the paging.
        var basics = _server.Calls.Where(c => c.Api == "stock_basic").ToList();
        Assert.Equal(["L", "D", "P"], basics.Select(c => c.Params["list_status"]));
        Assert.All(basics, c => Assert.Equal("0", c.Params["offset"]));
        Assert.Equal(Market.Stocks.Count, (await MarketStore.Open(Store).ReadStocksAsync()).Count);

        // A smaller page than a day's rows: offset 0, 7, 14 … until a short page; every row arrives once.
        using var paged = Client();
        var dir = Path.Combine(_dir, "paged");
        int before = _server.Calls.Count;
        await new TuShareFetcher(paged).FetchAsync(dir, Options(Day(0), Day(0), "daily") with { PageSize = 7 });
        int rows = BarsOn([Day(0)]);
        var offsets = _server.Calls.Skip(before).Where(c => c.Api == "daily").Select(c => int.Parse(c.Params["offset"])).ToList();
        Assert.Equal(Enumerable.Range(0, rows / 7 + 1).Select(k => k * 7), offsets);
        Assert.Equal(rows, MarketStore.Open(dir).Manifest.Bars);

        // Values as the CSV export writes them: null empty, numbers without exponents.
        var table = TuShareProtocol.Parse("x", """{"code":0,"msg":"","data":{"fields":["a","b"],"items":[["1",2.5],[null,1e-7]]}}"""u8, s => s);
        Assert.Equal(["1", "2.5"], table.Rows[0]);
        Assert.Equal(["", "0.0000001"], table.Rows[1]);
    }

    [Fact]
    public void Token_files_readable_by_others_are_refused_and_no_message_holds_the_token()
    {
        if (OperatingSystem.IsWindows()) return;
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "token");
        File.WriteAllText(file, "very-secret-token\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var e = Assert.Throws<TuShareSetupException>(() => TuShareToken.Load(file));
        Assert.Contains("chmod 600", e.Message);
        Assert.DoesNotContain("very-secret-token", e.Message);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal("very-secret-token", TuShareToken.Load(file));
    }
}
