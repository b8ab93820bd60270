using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Trading.Bench.Workloads;
using Trading.Dashboard.Audit;
using Trading.Dashboard.Live;

namespace Trading.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against the real server on 127.0.0.1 over a
/// seeded read-model database: the login form, the live views and their charts, pushes arriving without a reload, what
/// a viewer may not do, CSRF, lock-out, and screenshots of the main views (kept in .build/test-results/dashboard-screenshots).
/// Every test also fails on a console error, an uncaught exception or a failed request it did not provoke.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture fixture)
{
    private static readonly LocatorAssertionsToContainTextOptions Soon = new() { Timeout = 30_000 };

    [Fact]
    public async Task Login_through_the_form_shows_the_live_account_in_chinese()
    {
        await using var s = await fixture.OpenAsync();
        await s.Page.GotoAsync(s.Url);
        Assert.EndsWith("/login", s.Page.Url);
        await s.ScreenshotAsync("login");

        await s.LoginAsync(DashboardSite.Operator);
        Assert.Equal(s.Url, s.Page.Url);
        var page = s.Page;
        await Assertions.Expect(page.Locator("#me")).ToHaveTextAsync("ann (operator)");
        await Assertions.Expect(page.Locator("#account")).ToHaveTextAsync(DashboardSite.Account);
        await Assertions.Expect(page.Locator("#trading-day")).ToHaveTextAsync("2024-06-28");
        await Assertions.Expect(page.Locator("#connection")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bon\b"));
        Assert.NotEqual("—", await page.Locator("#t-nav").TextContentAsync());
        // Chinese names, today's buys highlighted, the trade log line as an A-share user reads it
        await Assertions.Expect(page.Locator("#positions tbody")).ToContainTextAsync("贵州茅台");
        await Assertions.Expect(page.Locator("#positions tbody tr.changed")).ToHaveCountAsync(3); // bought 000001, 002594; sold 600000
        await Assertions.Expect(page.Locator("#trades")).ToContainTextAsync("09:30:00 买入 平安银行 1000股 @ ¥13.50 成交1000");
        // red for up, green for down: the buy is red, the sell green
        var buyColour = await page.Locator("#trades li.up").First.EvaluateAsync<string>("e => getComputedStyle(e).color");
        var sellColour = await page.Locator("#trades li.down").First.EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.True(Red(buyColour), $"a buy is drawn in {buyColour}, not red");
        Assert.True(Green(sellColour), $"a sell is drawn in {sellColour}, not green");
        await Assertions.Expect(page.Locator("#alerts")).ToContainTextAsync("quote feed slow");
        await Assertions.Expect(page.Locator("#orders tbody")).ToContainTextAsync("p-1");
        await s.ScreenshotAsync("live");
        s.AssertClean();
    }

    [Fact]
    public async Task Every_chart_renders_pixels_and_the_equity_curve_has_csi300()
    {
        await using var s = await fixture.OpenAsync();
        await s.LoginAsync(DashboardSite.Viewer);
        foreach (var chart in new[] { "equity", "industry", "top10" })
        {
            var state = await s.Page.EvaluateAsync<JsonElement>("""
                name => {
                  const box = document.getElementById('chart-' + name), canvas = box.querySelector('canvas');
                  if (!canvas) return { canvas: false };
                  const ctx = canvas.getContext('2d'), data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
                  let painted = 0;
                  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
                  const chart = echarts.getInstanceByDom(box);
                  return { canvas: true, width: canvas.width, height: canvas.height, painted, pixels: data.length / 4,
                           series: chart ? chart.getOption().series.length : 0, items: (window.__dashboard.charts[name] || {}).items || 0 };
                }
                """, chart);
            Assert.True(state.GetProperty("canvas").GetBoolean(), $"chart {chart} has no canvas");
            Assert.True(state.GetProperty("width").GetInt32() > 100 && state.GetProperty("height").GetInt32() > 100, $"chart {chart} is {state}");
            var painted = state.GetProperty("painted").GetDouble() / state.GetProperty("pixels").GetDouble();
            Assert.True(painted > 0.01, $"chart {chart} painted only {painted:P2} of its pixels: {state}");
            Assert.True(state.GetProperty("items").GetInt32() > 0, $"chart {chart} rendered no items: {state}");
            if (chart == "equity") Assert.Equal(2, state.GetProperty("series").GetInt32()); // the portfolio and CSI 300
        }
        Assert.Equal(21, await s.Page.EvaluateAsync<int>("() => window.__dashboard.charts.equity.items"));
        await s.ScreenshotAsync("charts");
        s.AssertClean();
    }

    [Fact]
    public async Task A_new_position_and_a_pushed_alert_appear_without_a_reload()
    {
        await using var s = await fixture.OpenAsync();
        await s.LoginAsync(DashboardSite.Viewer);
        var page = s.Page;
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var seq = await page.EvaluateAsync<long>("() => window.__dashboard.lastSeq");
        var marker = "浏览器推送 " + Guid.NewGuid().ToString("N")[..8];
        try
        {
            // the read-model path: the projection writes a row, the feed reads it and pushes the change
            await DashboardSite.Position(fixture.Site.Database, "000858.SZ", 200, 200, 29_000m, 146.10m);
            fixture.Site.Feed.Refresh();
            await Assertions.Expect(page.Locator("#positions tbody")).ToContainTextAsync("五粮液", Soon);
            // the event path: what the node's event-stream listener publishes
            fixture.Site.Feed.Publish(new LiveEvent("risk-reject", DateTime.UtcNow, "critical", "browser-test", marker));
            await Assertions.Expect(page.Locator("#alerts li.critical").First).ToContainTextAsync(marker, Soon);
            Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
            Assert.True(await page.EvaluateAsync<long>("() => window.__dashboard.lastSeq") > seq, "no update message counted");
            var latencies = await page.EvaluateAsync<double[]>("() => window.__dashboard.latencies");
            Assert.True(latencies.Length >= 2, $"latencies: {string.Join(", ", latencies)}");
            Assert.All(latencies, l => Assert.InRange(l, 0, 15_000));
            await s.ScreenshotAsync("live-update");
            s.AssertClean();
        }
        finally
        {
            await DashboardSite.Exec(fixture.Site.Database, "DELETE FROM rm_positions WHERE symbol = '000858.SZ'");
            fixture.Site.Feed.Refresh();
        }
    }

    [Fact]
    public async Task A_viewer_gets_no_control_buttons_and_403_from_the_control_api()
    {
        await using var s = await fixture.OpenAsync();
        await s.LoginAsync(DashboardSite.Viewer, live: false);
        await Assertions.Expect(s.Page.Locator("#controls-tab")).ToBeHiddenAsync();
        Assert.Equal(0, await s.Page.Locator("#tab-controls").CountAsync());
        Assert.Equal(0, await s.Page.Locator("button[data-command]").CountAsync());
        s.Recorder.Expect("/api/control");
        // with a valid session and CSRF token: refused by the operator policy, and nothing reached the control path
        Assert.Equal(403, await s.PostAsync("/api/control", """{"command":"kill","args":["on"],"confirm":true}"""));
        Assert.DoesNotContain(await Audit(), a => a.User == DashboardSite.Viewer && a.Action == "control" && a.Ok);
        s.AssertClean();
    }

    [Fact]
    public async Task An_operator_confirms_a_control_before_it_is_sent_and_it_is_audited()
    {
        await using var s = await fixture.OpenAsync();
        await s.LoginAsync(DashboardSite.Operator, live: false);
        var page = s.Page;
        await page.ClickAsync("#controls-tab");
        await Assertions.Expect(page.Locator("#tab-controls")).ToBeVisibleAsync();
        await s.ScreenshotAsync("controls");
        var before = (await Audit()).Count(a => a.User == DashboardSite.Operator && a.Action == "control");

        // cancelled: nothing reaches the server
        await page.ClickAsync("button[data-command=cancel-all]");
        await Assertions.Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("撤销全部挂单");
        await page.ClickAsync("#confirm button[value=cancel]");
        await Assertions.Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        await page.WaitForTimeoutAsync(300);
        Assert.Equal("", await page.Locator("#control-result").TextContentAsync());
        Assert.Equal(before, (await Audit()).Count(a => a.User == DashboardSite.Operator && a.Action == "control"));

        // confirmed: sent, refused by a standalone dashboard (no node behind it), audited
        s.Recorder.Expect("/api/control");
        await page.ClickAsync("button[data-command=cancel-all]");
        await page.ClickAsync("#confirm button[value=ok]");
        await Assertions.Expect(page.Locator("#control-result")).ToContainTextAsync("503", Soon);
        await Assertions.Expect(page.Locator("#control-result")).ToContainTextAsync("controls need the dashboard on a node");
        var audited = (await Audit()).Where(a => a.User == DashboardSite.Operator && a.Action == "control").ToList();
        Assert.Equal(before + 1, audited.Count);
        Assert.Contains(audited, a => a.Detail.StartsWith("cancel-all", StringComparison.Ordinal));
        s.AssertClean();
    }

    [Fact]
    public async Task A_post_without_the_csrf_header_is_rejected_and_with_it_accepted()
    {
        await using var s = await fixture.OpenAsync();
        await s.LoginAsync(DashboardSite.Operator, live: false);
        var text = "CSRF check " + Guid.NewGuid().ToString("N")[..8];
        var body = JsonSerializer.Serialize(new { targetKind = "day", targetId = "2024-06-28", text });
        s.Recorder.Expect("/api/notes");
        Assert.Equal(400, await s.PostAsync("/api/notes", body, csrf: false));
        Assert.Equal(400, await s.Page.EvaluateAsync<int>("""
            async body => (await fetch('/api/notes', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': 'forged' },
              body, credentials: 'same-origin' })).status
            """, body));
        var notes = fixture.Site.App.Services.GetRequiredService<Trading.Dashboard.Notes.NoteStore>();
        Assert.DoesNotContain(await notes.ListAsync(null, null), n => n.Text == text);

        Assert.Equal(200, await s.PostAsync("/api/notes", body));
        await s.Page.ClickAsync(".tabs button[data-tab=notes]");
        await s.Page.FillAsync("#notes-filter input[name=from]", "2024-06-28");
        await s.Page.FillAsync("#notes-filter input[name=to]", "2024-06-28");
        await s.Page.ClickAsync("#notes-filter button[type=submit]");
        await Assertions.Expect(s.Page.Locator("#notes")).ToContainTextAsync(text, Soon);
        await s.ScreenshotAsync("notes");
        // The live page's day timeline shows the trading day's notes beside its trades and alerts.
        await s.Page.ReloadAsync();
        await Assertions.Expect(s.Page.Locator("#day-notes")).ToContainTextAsync(text, Soon);
        s.AssertClean();
    }

    [Fact]
    public async Task Repeated_failed_logins_lock_the_user_out_and_the_page_says_so()
    {
        var user = "lou" + Guid.NewGuid().ToString("N")[..6];
        await fixture.Site.Users.AddAsync(user, DashboardPolicies.Operator, DashboardSite.Password);
        await using var s = await fixture.OpenAsync();
        var page = s.Page;
        for (int i = 1; i <= BrowserFixture.LockoutAttempts; i++)
        {
            await DashboardBrowser.LoginAsync(page, s.Url, user, "not the password " + i, waitReady: false);
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/login\\?error="));
            var error = page.Locator(".error[role=alert]");
            if (i < BrowserFixture.LockoutAttempts) await Assertions.Expect(error).ToContainTextAsync("Wrong user name or password");
            else await Assertions.Expect(error).ToContainTextAsync("locked out");
        }
        // the right password no longer opens it, and no session was made
        await DashboardBrowser.LoginAsync(page, s.Url, user, DashboardSite.Password, waitReady: false);
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/login\\?error=locked"));
        await Assertions.Expect(page.Locator(".error[role=alert]")).ToContainTextAsync("locked out");
        await s.ScreenshotAsync("locked-out");
        await page.GotoAsync(s.Url);
        Assert.EndsWith("/login", page.Url);
        Assert.Contains(await Audit(), a => a.User == user && a.Action == "login locked out");
        s.AssertClean();
    }

    [Fact]
    public async Task The_report_library_searches_and_opens_a_backtest_report_in_place_in_english()
    {
        await using var s = await fixture.OpenAsync(locale: "en-US");
        await s.LoginAsync(DashboardSite.Admin);
        var page = s.Page;
        // the trade log in the user's language
        await Assertions.Expect(page.Locator("#trades")).ToContainTextAsync("BUY 平安银行 1000 sh @ ¥13.50 filled 1000");
        await page.ClickAsync(".tabs button[data-tab=reports]");
        await Assertions.Expect(page.Locator("#reports li")).ToHaveCountAsync(2); // the backtest and the daily statement
        await page.FillAsync("#reports-filter input[name=q]", "momentum-2024");
        await page.ClickAsync("#reports-filter button[type=submit]");
        await Assertions.Expect(page.Locator("#reports li")).ToHaveCountAsync(1);
        await page.ClickAsync("#reports li button");
        // the report's own inline script runs in its sandboxed frame and draws its charts
        var frame = page.FrameLocator("#report-frame");
        await Assertions.Expect(frame.Locator("#chart-equity canvas, #chart-equity svg").First).ToBeVisibleAsync();
        var drawn = await frame.Locator("#chart-equity").EvaluateAsync<int>("e => e.querySelectorAll('canvas, svg path').length");
        Assert.True(drawn > 0, "the report's equity chart drew nothing");
        await s.ScreenshotAsync("reports");
        s.AssertClean();
    }

    [Fact]
    public async Task A_short_load_run_delivers_every_event_to_every_page_and_measures_render_latency()
    {
        _ = fixture.Browser; // fails with the install hint when Chromium is missing
        var result = await DashboardLoad.RunAsync(fixture.Site, fixture.Browser,
            new DashboardLoadOptions(Clients: 2, Rate: 20, Seconds: 1, MarksPerSecond: 2, WarmupSeconds: 0));
        Assert.Equal(20, result.Published);
        Assert.True(result.Pushes > 0);
        Assert.Empty(result.Problems);
        foreach (var c in result.Clients)
        {
            Assert.Equal(result.Published, c.Events);
            Assert.True(c.Updates > 0 && c.Render.Length > 0 && c.Receive.Length == c.Updates, $"client {c.Client}: {c.Updates} updates, {c.Render.Length} renders");
            Assert.All(c.Render, l => Assert.InRange(l, 0, 15_000));
            if (c.HandlerFirst)
            {
                var render = c.Render.Order().ToArray();
                var receive = c.Receive.Order().ToArray();
                Assert.True(DashboardLoad.Percentile(render, 50) >= DashboardLoad.Percentile(receive, 50),
                    $"push→render p50 {DashboardLoad.Percentile(render, 50)} below push→receive p50 {DashboardLoad.Percentile(receive, 50)}");
            }
        }
        Assert.True(result.ServerCpuSeconds > 0);
    }

    private async Task<IReadOnlyList<AuditLine>> Audit() =>
        await fixture.Site.App.Services.GetRequiredService<DashboardAudit>().RecentAsync(1000);

    /// <summary>rgb(r, g, b) with red clearly above green and blue.</summary>
    private static bool Red(string css) => Rgb(css) is var (r, g, b) && r > 150 && r > g + 60 && r > b + 60;

    private static bool Green(string css) => Rgb(css) is var (r, g, b) && g > 100 && g > r + 40 && g > b + 20;

    private static (int R, int G, int B) Rgb(string css)
    {
        var m = System.Text.RegularExpressions.Regex.Match(css, @"rgba?\((\d+),\s*(\d+),\s*(\d+)");
        Assert.True(m.Success, $"not an rgb colour: {css}");
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value));
    }
}
