using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Trading.Dashboard;
using Trading.Dashboard.Auth;
using Trading.Dashboard.Live;
using Trading.Runtime.ReadModels;

namespace Trading.Bench.Workloads;

/// <summary>
/// The real dashboard (<see cref="DashboardApp"/>, Kestrel on 127.0.0.1, a free port) over a temporary SQLite read-model
/// database seeded with one account's trading day — the tables a paper node projects into — and a user of each role
/// created through the dashboard's own user store. What the browser tests open and what <c>bench dashboard-load</c>
/// loads; deleted on dispose. Standalone unless given an actor system (then controls go to its /user/control, events of
/// its event stream are pushed); standalone, controls answer 503 and the views poll the database.
/// </summary>
public sealed class DashboardSite : IAsyncDisposable
{
    public const string Account = "paper";
    public const string Password = "correct horse battery staple";
    public const string Viewer = "vera", Operator = "ann", Admin = "root";
    /// <summary>The trading day of the seeded account (the last NAV row is the day before: the page shows an estimate).</summary>
    public static readonly DateOnly Day = new(2024, 6, 28);

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["000001.SZ"] = "平安银行", ["600000.SH"] = "浦发银行", ["600519.SH"] = "贵州茅台", ["300750.SZ"] = "宁德时代",
        ["601318.SH"] = "中国平安", ["000858.SZ"] = "五粮液", ["002594.SZ"] = "比亚迪",
    };

    public static readonly IReadOnlyDictionary<string, string> Industries = new Dictionary<string, string>
    {
        ["000001.SZ"] = "银行", ["600000.SH"] = "银行", ["600519.SH"] = "食品饮料", ["300750.SZ"] = "电力设备",
        ["601318.SH"] = "非银金融", ["000858.SZ"] = "食品饮料", ["002594.SZ"] = "汽车",
    };

    private readonly DirectoryInfo _dir;

    private DashboardSite(DirectoryInfo dir, WebApplication app, ReadModelDatabase database, string url)
    {
        _dir = dir;
        App = app;
        Database = database;
        Url = url;
    }

    public WebApplication App { get; }
    public ReadModelDatabase Database { get; }
    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; }
    public ILiveFeed Feed => App.Services.GetRequiredService<ILiveFeed>();
    public DashboardUsers Users => App.Services.GetRequiredService<DashboardUsers>();

    /// <summary>
    /// Seeds, creates the users and starts the dashboard. <paramref name="settings"/> defaults to 127.0.0.1:0 with the
    /// login rate out of the way (every browser of a test or of the load test logs in from the same address).
    /// </summary>
    public static async Task<DashboardSite> StartAsync(DashboardSettings? settings = null, IReadOnlyList<string>? reportRoots = null,
        Akka.Actor.ActorSystem? system = null)
    {
        var dir = Directory.CreateTempSubdirectory("trading-dashboard-site-");
        var database = ReadModelDatabase.Sqlite(Path.Combine(dir.FullName, "journal.db"));
        await database.EnsureSchemaAsync();
        await SeedAsync(database);
        var users = new DashboardUsers(database, TimeProvider.System);
        await users.AddAsync(Viewer, DashboardPolicies.Viewer, Password);
        await users.AddAsync(Operator, DashboardPolicies.Operator, Password);
        await users.AddAsync(Admin, DashboardPolicies.Admin, Password);
        settings ??= new DashboardSettings("127.0.0.1", 0) { LoginPerMinute = 10_000 };
        var sources = new DashboardSources(Account, new ReadModels(database))
        {
            Names = Names, Industries = Industries, Benchmark = Benchmark(), ReportRoots = [WriteReports(dir.FullName), .. reportRoots ?? []],
            System = system,
        };
        var app = DashboardApp.Create(settings, database, sources, TimeProvider.System);
        await app.StartAsync();
        var port = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).First();
        return new DashboardSite(dir, app, database, $"http://127.0.0.1:{port}/");
    }

    /// <summary>
    /// A report library: one real backtest report (the HTML report of a synthetic 120-day run, its chart library inline)
    /// with its summary.json, and a node's daily risk statement.
    /// </summary>
    private static string WriteReports(string dir)
    {
        var root = Path.Combine(dir, "reports");
        var run = Directory.CreateDirectory(Path.Combine(root, "runs", "momentum-2024"));
        var (folder, extra) = Trading.Reporting.Html.ReportBenchmarks.SyntheticRun(120, 10, seed: 7);
        File.WriteAllText(Path.Combine(run.FullName, "report.html"), Trading.Reporting.Html.HtmlReport.Render(folder, extra));
        File.WriteAllText(Path.Combine(run.FullName, "summary.json"),
            "{\"strategy\":\"momentum\",\"end\":\"" + Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "\"}");
        var daily = Directory.CreateDirectory(Path.Combine(root, "node", "daily"));
        File.WriteAllText(Path.Combine(daily.FullName, Day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".html"),
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>日终风险报告</title></head><body><h1>日终风险报告 Daily risk statement</h1></body></html>");
        return root;
    }

    /// <summary>Twenty-one trading days of NAV ending the day before <see cref="Day"/>, CSI 300 closes for the same days.</summary>
    private static IReadOnlyList<DateOnly> NavDays()
    {
        var days = new List<DateOnly>();
        for (var d = Day.AddDays(-1); days.Count < 21; d = d.AddDays(-1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days.Insert(0, d);
        return days;
    }

    private static IReadOnlyList<(DateOnly Date, double Close)> Benchmark()
    {
        var closes = new List<(DateOnly, double)>();
        double close = 3600;
        int i = 0;
        foreach (var d in NavDays().Append(Day))
        {
            close *= 1 + 0.006 * Math.Sin(i * 1.3) + 0.001;
            closes.Add((d, Math.Round(close, 2)));
            i++;
        }
        return closes;
    }

    /// <summary>The day: NAV history, five positions (two bought today), a filled buy, a TWAP parent with slices, alerts.</summary>
    private static async Task SeedAsync(ReadModelDatabase db)
    {
        var bench = Benchmark();
        decimal nav = 790_000m; // the last close ≈ 811k: cash ≈ 308k beside the 503k the positions were worth before today's trades
        int i = 0;
        foreach (var d in NavDays())
        {
            // moves with the index and a little of its own, so the beta estimate has something to find
            if (i > 0) nav *= 1m + (decimal)(1.1 * (bench[i].Close / bench[i - 1].Close - 1) + 0.0007 * Math.Cos(i));
            nav = Math.Round(nav, 2);
            await Nav(db, d, Math.Round(nav * 0.38m, 2), nav - Math.Round(nav * 0.38m, 2));
            i++;
        }
        var day = Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string At(string time) => $"{day}T{time}.0000000";
        await Position(db, "600519.SH", 100, 100, 168_000m, 1_712.50m);
        await Position(db, "300750.SZ", 600, 600, 110_400m, 186.20m);
        await Position(db, "601318.SH", 2_500, 2_500, 105_000m, 43.80m);
        await Position(db, "600000.SH", 12_000, 12_000, 96_000m, 8.45m);
        await Position(db, "000001.SZ", 1_000, 0, 13_505m, 13.62m);
        await Position(db, "002594.SZ", 300, 0, 75_900m, 251.30m);
        await Order(db, "o-1", "000001.SZ", "Buy", 1_000, 13.50m, day, "Filled", 1_000, 13.50m, At("09:29:58"));
        await Fill(db, "f-1", "o-1", "000001.SZ", "Buy", 1_000, 13.50m, 5m, day, At("09:30:00"));
        await Order(db, "o-2", "002594.SZ", "Buy", 300, 253.00m, day, "Filled", 300, 252.98m, At("09:35:12"));
        await Fill(db, "f-2", "o-2", "002594.SZ", "Buy", 300, 252.98m, 22.77m, day, At("09:35:14"));
        await Parent(db, "p-1", "600000.SH", "Sell", 3_000, 8.40m, day, At("10:00:00"));
        await Order(db, "p-1-1", "600000.SH", "Sell", 1_000, 8.40m, day, "Filled", 1_000, 8.46m, At("10:00:05"), parent: "p-1");
        await Fill(db, "f-3", "p-1-1", "600000.SH", "Sell", 1_000, 8.46m, 12.69m, day, At("10:00:07"));
        await Order(db, "p-1-2", "600000.SH", "Sell", 1_000, 8.40m, day, "PartiallyFilled", 400, 8.45m, At("10:20:05"), parent: "p-1");
        await Fill(db, "f-4", "p-1-2", "600000.SH", "Sell", 400, 8.45m, 5.07m, day, At("10:20:09"));
        await Alert(db, 1, At("09:31:10"), "risk-reject", "000858.SZ: order value above the per-order limit");
        await Alert(db, 2, At("10:05:00"), "broker-link", "quote feed slow: 2.3 s behind");
    }

    public static Task Nav(ReadModelDatabase db, DateOnly date, decimal cash, decimal mv) => Exec(db,
        "INSERT INTO rm_nav (account, date, cash, market_value, nav, realised_pnl, fees_paid) VALUES (@a, @d, @c, @m, @n, '0', '0')",
        ("@a", Account), ("@d", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("@c", M(cash)), ("@m", M(mv)), ("@n", M(cash + mv)));

    /// <summary>Writes a position row as the projection does (replacing the symbol's row).</summary>
    public static async Task Position(ReadModelDatabase db, string symbol, long quantity, long sellable, decimal cost, decimal last)
    {
        await Exec(db, "DELETE FROM rm_positions WHERE account = @a AND symbol = @s", ("@a", Account), ("@s", symbol));
        await Exec(db,
            "INSERT INTO rm_positions (account, symbol, quantity, sellable, cost, last_price, market_value) VALUES (@a, @s, @q, @sq, @c, @l, @m)",
            ("@a", Account), ("@s", symbol), ("@q", quantity), ("@sq", sellable), ("@c", M(cost)), ("@l", M(last)), ("@m", M(quantity * last)));
    }

    public static Task Fill(ReadModelDatabase db, string id, string order, string symbol, string side, long quantity, decimal price, decimal fees,
        string date, string at) => Exec(db,
        """
        INSERT INTO rm_fills (account, fill_id, order_id, symbol, side, quantity, price, amount, fees, trade_date, at)
        VALUES (@a, @id, @o, @s, @side, @q, @p, @amt, @f, @d, @at)
        """, ("@a", Account), ("@id", id), ("@o", order), ("@s", symbol), ("@side", side), ("@q", quantity), ("@p", M(price)),
        ("@amt", M(quantity * price)), ("@f", M(fees)), ("@d", date), ("@at", at));

    public static Task Order(ReadModelDatabase db, string id, string symbol, string side, long quantity, decimal limit, string date, string status,
        long filled, decimal avg, string at, string? parent = null) => Exec(db,
        """
        INSERT INTO rm_orders (account, order_id, symbol, side, quantity, limit_price, trade_date, strategy, status, filled_quantity,
          average_price, fees, broker_order_id, reason, created_at, updated_at, last_seq, state, parent_id)
        VALUES (@a, @id, @s, @side, @q, @l, @d, 'momentum', @st, @fq, @avg, '0', NULL, NULL, @at, @at, 1, '{}', @p)
        """, ("@a", Account), ("@id", id), ("@s", symbol), ("@side", side), ("@q", quantity), ("@l", M(limit)), ("@d", date), ("@st", status),
        ("@fq", filled), ("@avg", M(avg)), ("@at", at), ("@p", parent));

    public static Task Parent(ReadModelDatabase db, string id, string symbol, string side, long quantity, decimal limit, string date, string at) => Exec(db,
        """
        INSERT INTO rm_parents (account, parent_id, symbol, side, quantity, limit_price, trade_date, strategy, algo, trading_window, status, accepted_at)
        VALUES (@a, @id, @s, @side, @q, @l, @d, 'momentum', 'Twap', '10:00-11:00', 'Working', @at)
        """, ("@a", Account), ("@id", id), ("@s", symbol), ("@side", side), ("@q", quantity), ("@l", M(limit)), ("@d", date), ("@at", at));

    public static Task Alert(ReadModelDatabase db, long seq, string at, string kind, string message) => Exec(db,
        "INSERT INTO rm_alerts (persistence_id, seq, at, kind, source, message, symbol, order_id) VALUES ('alerts-paper', @seq, @at, @k, 'risk-guard', @m, NULL, NULL)",
        ("@seq", seq), ("@at", at), ("@k", kind), ("@m", message));

    public static async Task Exec(ReadModelDatabase db, string sql, params (string Name, object? Value)[] args)
    {
        await using var c = await db.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        await cmd.ExecuteNonQueryAsync();
    }

    private static string M(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try { await App.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        }
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
