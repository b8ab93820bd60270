using System.Text.Json;
using Microsoft.Playwright;
using Trading.Dashboard.Live;

namespace Trading.Dashboard.Tests.Live;

/// <summary>
/// The page in a real browser: Debian's Chromium (/usr/bin/chromium, scripts/browser-test-deps.sh installs it; Playwright's
/// own browser download is not used) driven by Microsoft.Playwright against the live views on 127.0.0.1. Checks that
/// the page gets ready, every chart renders, a pushed event is drawn, no console error or CSP violation happens, and a
/// viewer has no control buttons. Saves a screenshot under the test project's TestResults/screenshots.
/// </summary>
public sealed class LiveBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_page_renders_every_view_and_draws_pushed_events_without_console_errors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} not found: run scripts/browser-test-deps.sh (as root) and test again");
        await using var db = await ReadModelFixture.CreateAsync();
        var benchmark = new List<(DateOnly, double)>();
        decimal nav = 100_000m;
        double close = 3500;
        for (var i = 0; i < 25; i++)
        {
            var day = new DateOnly(2024, 5, 1).AddDays(i);
            await db.Nav(day.ToString("yyyy-MM-dd"), nav / 2, nav / 2);
            benchmark.Add((day, close));
            nav *= 1 + 0.002m * (i % 5 - 2);
            close *= 1 + 0.0015 * (i % 4 - 1.5);
        }
        await db.SampleAsync();
        benchmark.Add((new DateOnly(2024, 6, 3), close));
        benchmark.Add((new DateOnly(2024, 6, 4), close * 1.01));
        var sources = new DashboardSources("main", db.ReadModels)
        {
            Names = new Dictionary<string, string> { ["000001.SZ"] = "平安银行", ["600000.SH"] = "浦发银行", ["300750.SZ"] = "宁德时代" },
            Industries = new Dictionary<string, string> { ["000001.SZ"] = "银行", ["600000.SH"] = "银行", ["300750.SZ"] = "电力设备" },
            Benchmark = benchmark,
        };
        await using var host = await LiveTestHost.StartAsync(sources, new LiveOptions { PollInterval = TimeSpan.FromMilliseconds(200) }, kestrel: true);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            Timeout = 30_000,
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "zh-CN",
            ViewportSize = new ViewportSize { Width = 1400, Height = 1800 },
        });
        await context.AddCookiesAsync([new Cookie { Name = "test-user", Value = "ann%3Aviewer", Url = host.Address.ToString() }]);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text} ({m.Location})"); };
        page.PageError += (_, e) => errors.Add("page error: " + e);
        page.SetDefaultTimeout(15_000);

        var response = await page.GotoAsync(host.Address.ToString());
        Assert.Equal(200, response!.Status);
        await page.WaitForFunctionAsync("() => window.__dashboard && window.__dashboard.ready === true");

        var charts = await page.EvaluateAsync<JsonElement>("""
            () => ['equity', 'industry', 'top10'].map(name => {
              const el = document.getElementById('chart-' + name), canvas = el.querySelector('canvas'), state = window.__dashboard.charts[name];
              return { name, rendered: !!(state && state.rendered), items: state ? state.items : 0, canvas: !!canvas,
                       width: canvas ? canvas.width : 0, height: canvas ? canvas.height : 0 };
            })
            """);
        foreach (var c in charts.EnumerateArray())
        {
            var name = c.GetProperty("name").GetString();
            Assert.True(c.GetProperty("rendered").GetBoolean(), $"{name} not rendered: {c}");
            Assert.True(c.GetProperty("canvas").GetBoolean() && c.GetProperty("width").GetInt32() > 100 && c.GetProperty("height").GetInt32() > 100, $"{name}: {c}");
            Assert.True(c.GetProperty("items").GetInt32() > 0, $"{name} has no data: {c}");
        }
        Assert.Equal(27, charts[0].GetProperty("items").GetInt32()); // 25 May days + 3 and 4 June... one row per NAV date

        Assert.Equal("97,487.95", await page.TextContentAsync("#t-nav"));
        Assert.Contains("up", await page.GetAttributeAsync("#positions tbody tr:nth-child(1) td:nth-child(9)", "class") ?? ""); // 宁德时代 +1,000: red
        Assert.Equal(2, await page.Locator("#positions tbody tr.changed").CountAsync());
        Assert.Equal("10:15:30 卖出 浦发银行 600股 @ ¥8.20 成交500", await page.TextContentAsync("#trades li:first-child"));
        Assert.Equal("critical", await page.GetAttributeAsync("#alerts li:first-child", "class"));
        // A viewer sees no control: the tab stays hidden and its buttons are not on the page.
        Assert.True(await page.Locator("#controls-tab").IsHiddenAsync());
        Assert.Equal(0, await page.Locator("button[data-command]").CountAsync());

        // One tab at a time: the notes and the report library wait behind theirs.
        Assert.True(await page.Locator("#tab-notes").IsHiddenAsync());
        Assert.True(await page.Locator("#tab-reports").IsHiddenAsync());

        // An expandable parent shows its slice.
        await page.ClickAsync("#orders tbody tr.parent button");
        Assert.Equal(1, await page.Locator("#orders tbody tr.slice").CountAsync());

        // A pushed event is drawn, and its latency recorded.
        var before = await page.EvaluateAsync<int>("() => window.__dashboard.latencies.length");
        host.Feed.Publish(new LiveEvent("failover", DateTime.Now, "critical", "cluster", "浏览器测试 browser probe"));
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#alerts li')].some(li => li.textContent.includes('browser probe'))");
        await page.WaitForFunctionAsync($"() => window.__dashboard.latencies.length > {before}");
        var latency = await page.EvaluateAsync<double>("() => window.__dashboard.latencies[window.__dashboard.latencies.length - 1]");
        Assert.InRange(latency, 0, 5_000);

        var shots = Path.Combine(TestProjectDirectory(), "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "dashboard-live-viewer.png"), FullPage = true });

        Assert.Empty(errors);
    }

    private static string TestProjectDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Trading.Dashboard.Tests.csproj"))) return d.FullName;
        return AppContext.BaseDirectory;
    }
}
