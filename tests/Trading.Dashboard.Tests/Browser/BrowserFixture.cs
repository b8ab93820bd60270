using Microsoft.Playwright;
using Trading.Bench.Workloads;

namespace Trading.Dashboard.Tests.Browser;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "dashboard-browser";
}

/// <summary>
/// One Chromium (Debian's, through Playwright: <see cref="DashboardBrowser"/>) and one seeded dashboard on a real
/// socket for the whole browser collection; each test opens its own context (its own cookies) and page. Lock-out is at
/// three failed logins so its test is short (it uses a user of its own). Without /usr/bin/chromium every test fails with
/// the message naming scripts/browser-test-deps.sh — they do not skip.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const int LockoutAttempts = 3;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private DashboardSite? _site;

    public DashboardSite Site => _site ?? throw new InvalidOperationException("the dashboard did not start");

    /// <summary><c>&lt;repo&gt;/.build/test-results/dashboard-screenshots/</c>: kept after the run as the tests' artefacts.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(RepoRoot(), ".build", "test-results", "dashboard-screenshots");

    public async Task InitializeAsync()
    {
        _site = await DashboardSite.StartAsync(new DashboardSettings("127.0.0.1", 0) { LoginPerMinute = 10_000, LockoutAttempts = LockoutAttempts });
        if (DashboardBrowser.Missing() is null) (_playwright, _browser) = await DashboardBrowser.LaunchAsync();
        // The machine is shared and often loaded: waiting for a page state is bounded, but not by Playwright's 5 s.
        Assertions.SetDefaultExpectTimeout(20_000);
        Directory.CreateDirectory(ScreenshotDir);
    }

    public IBrowser Browser
    {
        get
        {
            if (DashboardBrowser.Missing() is { } why) Assert.Fail(why);
            return _browser ?? throw new InvalidOperationException("Chromium did not start");
        }
    }

    /// <summary>A fresh context (no cookies) and page, recording its problems; closed on dispose.</summary>
    public async Task<BrowserSession> OpenAsync(string? locale = "zh-CN")
    {
        var context = await DashboardBrowser.NewContextAsync(Browser, locale);
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(this, context, page, new PageRecorder(page));
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_site is not null) await _site.DisposeAsync();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Trading.Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Trading.Actors.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>One test's browser context and page.</summary>
public sealed class BrowserSession(BrowserFixture fixture, IBrowserContext context, IPage page, PageRecorder recorder) : IAsyncDisposable
{
    public IPage Page => page;
    public PageRecorder Recorder => recorder;
    public string Url => fixture.Site.Url;

    /// <summary>Logs in; <paramref name="live"/>: and waits for the live views (else only for the page to know its user).</summary>
    public async Task LoginAsync(string user, bool live = true)
    {
        try
        {
            await DashboardBrowser.LoginAsync(page, fixture.Site.Url, user, DashboardSite.Password, live: live);
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"{e.Message}\nproblems on the page:\n{string.Join("\n", recorder.Problems)}");
        }
    }

    /// <summary>Saves the whole page as <c>NAME.png</c> in <see cref="BrowserFixture.ScreenshotDir"/>.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var file = Path.Combine(BrowserFixture.ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 1000, $"screenshot {file} is empty");
    }

    /// <summary>No console error, page error, failed request or unexpected 4xx/5xx on this page so far.</summary>
    public void AssertClean() => Assert.True(recorder.Problems.Count == 0, "problems on the page:\n" + string.Join("\n", recorder.Problems));

    /// <summary><c>fetch</c> from inside the page (its cookies); the CSRF header from <c>/api/me</c> unless <paramref name="csrf"/> is false.</summary>
    public Task<int> PostAsync(string path, string json, bool csrf = true) => page.EvaluateAsync<int>("""
        async ([path, json, csrf]) => {
          const headers = { 'Content-Type': 'application/json' };
          if (csrf) headers['X-CSRF-TOKEN'] = window.__dashboard.me.csrf;
          const r = await fetch(path, { method: 'POST', headers, body: json, credentials: 'same-origin' });
          return r.status;
        }
        """, new object[] { path, json, csrf });

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
