using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Trading.Data.Model;
using Trading.Data.Synthetic;

namespace Trading.Bench.Workloads;

/// <summary>One request the fixture received (the token is not kept).</summary>
public sealed record TuShareFixtureCall(int Number, string Api, IReadOnlyDictionary<string, string> Params, DateTime At);

/// <summary>A canned answer instead of the data: HTTP status and body (TuShare's JSON, or anything).</summary>
public sealed record TuShareFixtureAnswer(int Status, string Body, TimeSpan Delay = default)
{
    public static TuShareFixtureAnswer Error(int code, string msg) =>
        new(200, JsonSerializer.Serialize(new { request_id = "fixture", code, msg, data = (object?)null }));
    /// <summary>TuShare's per-minute throttling message (its code is not confirmed; 40203 as users report).</summary>
    public static TuShareFixtureAnswer Throttled(int perMinute) => Error(40203, $"抱歉，您每分钟最多访问该接口{perMinute}次，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。");
    public static TuShareFixtureAnswer NoPermission => Error(40203, "抱歉，您没有权限访问该接口，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。");
    public static TuShareFixtureAnswer DailyQuota => Error(40203, "抱歉，您每天最多访问该接口2次，权限的具体详情访问：https://tushare.pro/document/1?doc_id=108。");
    public static TuShareFixtureAnswer ServerError => new(500, "<html>Internal Server Error</html>");
    public static TuShareFixtureAnswer Malformed => new(200, "{\"request_id\":\"x\",\"code\":0,\"msg\":\"\",\"data\":{\"fields\":[\"ts_code\",\"trade_date\"],\"items\":[[\"000001.SZ\",\"2024");
    public static TuShareFixtureAnswer EmptyPage => new(200, "{\"request_id\":\"x\",\"code\":0,\"msg\":\"\",\"data\":{\"fields\":[],\"items\":[]}}");
}

/// <summary>
/// A TuShare Pro stand-in on 127.0.0.1 (HttpListener on a free port) answering in TuShare's response format from a
/// synthetic market (Trading.Data.Synthetic: realistic prices, limits, factors, valuations, reports): trade_cal,
/// daily, adj_factor, daily_basic, stk_limit, suspend_d (every listed stock's day without a bar after its first bar,
/// as a full-day S), stock_basic, namechange, index_daily, fina_indicator, income and balancesheet (consolidated
/// rows; a parent-company row, report_type 6, beside each unless report_type=1 is asked), with limit/offset paging. Switches for the failures a client must survive: a wrong token (40101), throttling above
/// <see cref="PerSecondLimit"/> (TuShare's per-minute message), and <see cref="Fault"/> for any canned answer (500,
/// malformed JSON, an empty page, a permission or quota error, a slow answer). Started and stopped by its user.
/// </summary>
public sealed class TuShareFixture : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly SyntheticMarket _m;
    private readonly Dictionary<DateOnly, List<int>> _rowsByDay = [];
    private readonly Dictionary<DateOnly, List<string>> _suspendedByDay = [];
    private readonly ConcurrentQueue<TuShareFixtureCall> _calls = new();
    private readonly ConcurrentDictionary<string, Queue<DateTime>> _recent = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _number, _throttled;

    public string Token { get; }
    public string BaseUrl { get; }
    public SyntheticMarket Market => _m;
    /// <summary>Answers instead of the data when it returns non-null (called for every request with a good token).</summary>
    public Func<TuShareFixtureCall, TuShareFixtureAnswer?>? Fault { get; set; }
    /// <summary>Calls per API allowed in any sliding second; more are answered with TuShare's throttling error. Null: no limit.</summary>
    public int? PerSecondLimit { get; set; }
    public IReadOnlyList<TuShareFixtureCall> Calls => [.. _calls];
    public int ThrottledCalls => Volatile.Read(ref _throttled);

    public TuShareFixture(SyntheticMarket market, string token = "fixture-token-0123456789abcdef")
    {
        _m = market;
        Token = token;
        for (int i = 0; i < market.Bars.Count; i++)
        {
            var day = DateOnly.FromDayNumber(market.Bars.Date[i]);
            if (!_rowsByDay.TryGetValue(day, out var list)) _rowsByDay[day] = list = [];
            list.Add(i);
        }
        for (int k = 0; k < market.Stocks.Count; k++)
        {
            var (start, count) = market.RowsOf(k);
            if (count == 0) continue;
            var stock = market.Stocks[k];
            var first = DateOnly.FromDayNumber(market.Bars.Date[start]);
            var traded = Enumerable.Range(start, count).Select(r => market.Bars.Date[r]).ToHashSet();
            foreach (var day in market.TradingDays)
                if (day > first && stock.IsListedOn(day) && !traded.Contains(day.DayNumber))
                {
                    if (!_suspendedByDay.TryGetValue(day, out var names)) _suspendedByDay[day] = names = [];
                    names.Add(stock.Symbol.ToString());
                }
        }
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { _listener.Start(); BaseUrl = $"http://127.0.0.1:{port}/"; break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => AnswerAsync(ctx));
        }
    }

    private async Task AnswerAsync(HttpListenerContext ctx)
    {
        TuShareFixtureAnswer answer;
        try
        {
            using var body = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            using var doc = JsonDocument.Parse(await body.ReadToEndAsync());
            var root = doc.RootElement;
            var api = root.GetProperty("api_name").GetString() ?? "";
            var token = root.GetProperty("token").GetString();
            var p = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("params", out var ps) && ps.ValueKind == JsonValueKind.Object)
                foreach (var kv in ps.EnumerateObject()) p[kv.Name] = kv.Value.ToString();
            var call = new TuShareFixtureCall(Interlocked.Increment(ref _number), api, p, DateTime.UtcNow);
            _calls.Enqueue(call);
            if (token != Token)
                answer = TuShareFixtureAnswer.Error(40101, $"您的token不对，请确认。({token})"); // echoes what it got: the client must scrub it
            else if (Throttle(api))
            {
                Interlocked.Increment(ref _throttled);
                answer = TuShareFixtureAnswer.Throttled(PerSecondLimit!.Value * 60);
            }
            else answer = Fault?.Invoke(call) ?? new TuShareFixtureAnswer(200, Data(api, p));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            answer = TuShareFixtureAnswer.Error(-2001, "参数错误");
        }
        try
        {
            if (answer.Delay > TimeSpan.Zero) await Task.Delay(answer.Delay, _stop.Token);
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            ctx.Response.StatusCode = answer.Status;
            ctx.Response.ContentType = "application/json; charset=utf-8";
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
        catch (Exception) { /* the client gave up (timeout) or the fixture stops */ }
    }

    private bool Throttle(string api)
    {
        if (PerSecondLimit is not { } limit) return false;
        var q = _recent.GetOrAdd(api, _ => new Queue<DateTime>());
        lock (q)
        {
            var now = DateTime.UtcNow;
            while (q.Count > 0 && now - q.Peek() > TimeSpan.FromSeconds(1)) q.Dequeue();
            if (q.Count >= limit) return true;
            q.Enqueue(now);
            return false;
        }
    }

    private static string Ymd(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static DateOnly? Date(IReadOnlyDictionary<string, string> p, string key) =>
        p.TryGetValue(key, out var s) && DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>The answer to a good call: the rows of <paramref name="api"/> under <paramref name="p"/>, paged by limit/offset.</summary>
    private string Data(string api, IReadOnlyDictionary<string, string> p)
    {
        var (fields, rows) = api switch
        {
            "trade_cal" => TradeCal(p),
            "daily" => PerDay(p, ["ts_code", "trade_date", "open", "high", "low", "close", "pre_close", "vol", "amount"], (b, i) =>
                [b.Open, b.High, b.Low, b.Close, b.PreClose, b.Volume / 100m, Math.Round(b.Amount / 1000m, 3)]),
            "adj_factor" => PerDay(p, ["ts_code", "trade_date", "adj_factor"], (b, i) => [b.AdjFactor]),
            "stk_limit" => PerDay(p, ["ts_code", "trade_date", "pre_close", "up_limit", "down_limit"], (b, i) =>
                b.UpLimit > 0 ? [b.PreClose, b.UpLimit, b.DownLimit] : null),
            "daily_basic" => PerDay(p, ["ts_code", "trade_date", "close", "turnover_rate", "pe_ttm", "pb", "total_share", "float_share", "total_mv", "circ_mv"], (b, i) =>
            {
                var v = _m.Valuations[i];
                return [b.Close, v.TurnoverRate, v.PeTtm, v.Pb, v.TotalShares / 1e4, v.FloatShares / 1e4, v.TotalMarketValue / 1e4, v.CirculatingMarketValue / 1e4];
            }),
            "suspend_d" => (new[] { "ts_code", "trade_date", "suspend_timing", "suspend_type" },
                Date(p, "trade_date") is { } sd && _suspendedByDay.TryGetValue(sd, out var suspended)
                    ? suspended.Select(code => new object?[] { code, Ymd(sd), null, "S" }).ToList()
                    : new List<object?[]>()),
            "stock_basic" => StockBasic(p),
            "namechange" => NameChange(),
            "index_daily" => IndexDaily(p),
            "fina_indicator" => Fina(p),
            "income" => Statement(p, ["ts_code", "ann_date", "f_ann_date", "end_date", "report_type", "comp_type", "basic_eps", "total_revenue", "revenue",
                "operate_profit", "total_profit", "n_income", "n_income_attr_p", "update_flag"], (r, type, scale) =>
                [type, "1", r.BasicEps * scale, r.TotalRevenue * scale, r.Revenue * scale, r.OperatingProfit * scale, r.TotalProfit * scale, r.NetIncome * scale, r.NetIncomeToParent * scale]),
            "balancesheet" => Statement(p, ["ts_code", "ann_date", "f_ann_date", "end_date", "report_type", "total_assets", "total_liab",
                "total_hldr_eqy_exc_min_int", "total_cur_assets", "total_cur_liab", "money_cap", "update_flag"], (r, type, scale) =>
                [type, r.TotalAssets * scale, r.TotalLiabilities * scale, r.ParentEquity * scale, r.CurrentAssets * scale, r.CurrentLiabilities * scale, r.Cash * scale]),
            _ => throw new InvalidOperationException(api),
        };
        int offset = p.TryGetValue("offset", out var o) && int.TryParse(o, out var ov) ? ov : 0;
        int limit = p.TryGetValue("limit", out var l) && int.TryParse(l, out var lv) ? lv : int.MaxValue;
        var page = rows.Skip(offset).Take(limit);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("request_id", "fixture");
            w.WriteNumber("code", 0);
            w.WriteString("msg", "");
            w.WriteStartObject("data");
            w.WriteStartArray("fields");
            foreach (var f in fields) w.WriteStringValue(f);
            w.WriteEndArray();
            w.WriteStartArray("items");
            foreach (var row in page)
            {
                w.WriteStartArray();
                foreach (var v in row)
                {
                    switch (v)
                    {
                        case null: w.WriteNullValue(); break;
                        case string s: w.WriteStringValue(s); break;
                        case decimal d: w.WriteNumberValue(d); break;
                        case double x when double.IsFinite(x): w.WriteNumberValue(Math.Round(x, 6)); break;
                        case double: w.WriteNullValue(); break; // TuShare sends null where a value is missing (pe_ttm of a loss maker)
                        case int n: w.WriteNumberValue(n); break;
                        default: w.WriteStringValue(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
                    }
                }
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private (string[], List<object?[]>) TradeCal(IReadOnlyDictionary<string, string> p)
    {
        var from = Date(p, "start_date") ?? _m.TradingDays[0];
        var to = Date(p, "end_date") ?? _m.TradingDays[^1];
        var open = _m.TradingDays.ToHashSet();
        bool onlyOpen = p.TryGetValue("is_open", out var io) && io == "1";
        var rows = new List<object?[]>();
        for (var d = from; d <= to; d = d.AddDays(1))
            if (!onlyOpen || open.Contains(d)) rows.Add(["SSE", Ymd(d), open.Contains(d) ? 1 : 0]);
        return (["exchange", "cal_date", "is_open"], rows);
    }

    private (string[], List<object?[]>) PerDay(IReadOnlyDictionary<string, string> p, string[] fields, Func<DailyBar, int, object?[]?> values)
    {
        var rows = new List<object?[]>();
        if (Date(p, "trade_date") is { } day && _rowsByDay.TryGetValue(day, out var list))
            foreach (int i in list)
            {
                var b = _m.Bars[i];
                if (values(b, i) is { } v) rows.Add([b.Symbol.ToString(), Ymd(day), .. v]);
            }
        return (fields, rows);
    }

    private (string[], List<object?[]>) StockBasic(IReadOnlyDictionary<string, string> p)
    {
        var status = p.TryGetValue("list_status", out var s) ? s : "L";
        var rows = _m.Stocks
            .Where(x => (x.DelistDate is null ? "L" : "D") == status)
            .Select(x => new object?[] { x.Symbol.ToString(), x.Name, x.Area, x.Industry, x.ListDate is { } l ? Ymd(l) : null, x.DelistDate is { } d ? Ymd(d) : null, status })
            .ToList();
        return (["ts_code", "name", "area", "industry", "list_date", "delist_date", "list_status"], rows);
    }

    private (string[], List<object?[]>) NameChange()
    {
        var rows = new List<object?[]>();
        foreach (var s in _m.Stocks)
            foreach (var spell in s.StSpells)
                rows.Add([s.Symbol.ToString(), "ST" + s.Name, Ymd(spell.From), spell.To is { } t ? Ymd(t) : null, Ymd(spell.From), "ST"]);
        return (["ts_code", "name", "start_date", "end_date", "ann_date", "change_reason"], rows);
    }

    private (string[], List<object?[]>) IndexDaily(IReadOnlyDictionary<string, string> p)
    {
        var code = p.TryGetValue("ts_code", out var c) ? c : "";
        var from = Date(p, "start_date") ?? DateOnly.MinValue;
        var to = Date(p, "end_date") ?? DateOnly.MaxValue;
        var rows = _m.Benchmark.Where(b => b.Code == code && b.Date >= from && b.Date <= to)
            .Select(b => new object?[] { b.Code, Ymd(b.Date), b.Open, b.High, b.Low, b.Close, b.Volume / 100, b.Amount / 1000 }).ToList();
        return (["ts_code", "trade_date", "open", "high", "low", "close", "vol", "amount"], rows);
    }

    private (string[], List<object?[]>) Fina(IReadOnlyDictionary<string, string> p)
    {
        var code = p.TryGetValue("ts_code", out var c) ? c : "";
        var from = Date(p, "start_date") ?? DateOnly.MinValue;
        var to = Date(p, "end_date") ?? DateOnly.MaxValue;
        var rows = _m.Financials.Where(r => r.Symbol.ToString() == code && r.EndDate >= from && r.EndDate <= to)
            .Select(r => new object?[] { r.Symbol.ToString(), Ymd(r.AnnDate), Ymd(r.EndDate), r.Roe, r.NetProfitYoY, r.RevenueYoY, r.Eps, r.Bps, 0 }).ToList();
        return (["ts_code", "ann_date", "end_date", "roe", "netprofit_yoy", "or_yoy", "eps", "bps", "update_flag"], rows);
    }

    /// <summary>
    /// income and balancesheet of one ts_code: start_date/end_date are announcement dates (doc 33, 36). Each report
    /// is consolidated (report_type 1, the synthetic figures) and, unless report_type=1 is asked, also as the parent
    /// company alone (report_type 6, 60 % of them) — figures the import must never store.
    /// </summary>
    private (string[], List<object?[]>) Statement(IReadOnlyDictionary<string, string> p, string[] fields, Func<FinancialReport, string, double, object?[]> values)
    {
        var code = p.TryGetValue("ts_code", out var c) ? c : "";
        var from = Date(p, "start_date") ?? DateOnly.MinValue;
        var to = Date(p, "end_date") ?? DateOnly.MaxValue;
        bool consolidatedOnly = p.TryGetValue("report_type", out var t) && t == "1";
        var rows = new List<object?[]>();
        foreach (var r in _m.Financials.Where(r => r.Symbol.ToString() == code && r.AnnDate >= from && r.AnnDate <= to))
        {
            rows.Add([r.Symbol.ToString(), Ymd(r.AnnDate), Ymd(r.AnnDate), Ymd(r.EndDate), .. values(r, "1", 1.0), 1]);
            if (!consolidatedOnly) rows.Add([r.Symbol.ToString(), Ymd(r.AnnDate), Ymd(r.AnnDate), Ymd(r.EndDate), .. values(r, "6", 0.6), 1]);
        }
        return (fields, rows);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
