using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Trading.Bench.Workloads;

/// <summary>
/// Debian's Chromium driven by Microsoft.Playwright, offline: the driver is the one the NuGet package ships (its Node.js
/// and playwright-core, copied beside the assembly under <c>.playwright/</c> by the package's build targets), and the
/// browser is the system's (<see cref="Chromium"/>, installed by scripts/browser-test-deps.sh) — never
/// <c>playwright install</c>, whose download is not reachable. Headless, <c>--no-sandbox</c> (tests run as root).
/// What it needs at run time, checked offline: <c>.playwright/node/linux-x64/node</c> (122 MB) and
/// <c>.playwright/package</c> (14 MB) beside the assembly, and the browser at <see cref="Chromium"/>; with an explicit
/// executable path it neither looks for nor creates <c>~/.cache/ms-playwright</c>.
/// </summary>
public static class DashboardBrowser
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Whether the system browser is there; the message to fail with when it is not.</summary>
    public static string? Missing() => File.Exists(Chromium) ? null
        : $"{Chromium} not found: the dashboard's browser tests and load test need Debian's Chromium. Run scripts/browser-test-deps.sh (as root) and try again.";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (Missing() is { } why) throw new FileNotFoundException(why);
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Timeout = 60_000,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A context as a Chinese user's browser (zh-CN, Shanghai time, a desktop window).</summary>
    public static Task<IBrowserContext> NewContextAsync(IBrowser browser, string? locale = "zh-CN") => browser.NewContextAsync(new BrowserNewContextOptions
    {
        Locale = locale,
        TimezoneId = "Asia/Shanghai",
        ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
    });

    /// <summary>
    /// Logs in through the form at <c>/login</c> and waits for the dashboard's first snapshot to be rendered
    /// (<paramref name="live"/>), or only for the page to know its user (<c>/api/me</c>: role, CSRF token).
    /// </summary>
    public static async Task LoginAsync(IPage page, string baseUrl, string user, string password, bool waitReady = true, bool live = true)
    {
        await page.GotoAsync(baseUrl + "login");
        await page.FillAsync("input[name=username]", user);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
        if (!waitReady) return;
        await page.WaitForURLAsync(baseUrl, new PageWaitForURLOptions { Timeout = 30_000 });
        if (!live)
        {
            await page.WaitForFunctionAsync("() => window.__dashboard && window.__dashboard.me !== null", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
            return;
        }
        try
        {
            await page.WaitForFunctionAsync("() => window.__dashboard && window.__dashboard.ready === true", null,
                new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException e)
        {
            var state = await page.EvaluateAsync<string>("() => JSON.stringify(window.__dashboard ? { connection: window.__dashboard.connection, "
                + "me: !!window.__dashboard.me, messages: window.__dashboard.messages, lastSeq: window.__dashboard.lastSeq } : null)");
            throw new TimeoutException($"{user}'s dashboard at {page.Url} did not render its first snapshot within 30 s; page state {state}", e);
        }
    }
}

/// <summary>
/// What went wrong on a page: console errors, uncaught exceptions, requests that failed, responses of 400 and above
/// (minus those a test expects: <see cref="Expect"/>).
/// </summary>
public sealed class PageRecorder
{
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentQueue<string> _expected = new();

    public PageRecorder(IPage page)
    {
        Page = page;
        // The tab icon is the browser's own request, not the page's: a missing one is cosmetic (the dashboard page
        // declares none to fetch; the login page does not, and Chromium's 404 for it is not counted).
        page.Console += (_, m) => { if (m.Type == "error" && !m.Location.Contains("/favicon.ico", StringComparison.Ordinal)) Add($"console.error: {m.Text} ({m.Location})"); };
        page.PageError += (_, e) => Add($"page error: {e}");
        page.RequestFailed += (_, r) => Add($"request failed: {r.Method} {r.Url}: {r.Failure}");
        page.Response += (_, r) => { if (r.Status >= 400 && !r.Url.EndsWith("/favicon.ico", StringComparison.Ordinal)) Add($"HTTP {r.Status}: {r.Request.Method} {r.Url}"); };
    }

    public IPage Page { get; }
    public IReadOnlyList<string> Problems => [.. _problems.Where(p => !_expected.Any(p.Contains))];

    /// <summary>Problems containing <paramref name="fragment"/> are expected (a test provoking a 403 sees it in the console too).</summary>
    public void Expect(string fragment) => _expected.Enqueue(fragment);

    private void Add(string problem) => _problems.Enqueue(problem);
}
