using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Trading.Dashboard.Audit;
using Trading.Dashboard.Auth;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Tests.Hosting;

/// <summary>A clock the test moves (lock-outs end, sessions idle out).</summary>
internal sealed class TestTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// A dashboard on the in-memory test server over a temporary SQLite database, with users of each role. Clients keep
/// their cookies (<see cref="Client"/>) and do what a browser does: fetch the login form's token, post it, fetch
/// <c>/api/me</c>'s token for later posts.
/// </summary>
internal sealed class TestDashboard : IAsyncDisposable
{
    public const string Password = "correct horse battery";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private TestDashboard(WebApplication app, string dir, ReadModelDatabase database, TestTime time, bool https)
    {
        App = app;
        Dir = dir;
        Database = database;
        Time = time;
        Https = https;
    }

    public WebApplication App { get; }
    public string Dir { get; }
    public ReadModelDatabase Database { get; }
    public TestTime Time { get; }
    public bool Https { get; }
    public DashboardAudit Audit => new(Database, Time);
    public DashboardUsers Users => new(Database, Time);

    public static async Task<TestDashboard> StartAsync(DashboardSettings? settings = null, ActorSystem? system = null, IReadOnlyList<string>? reportRoots = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "trading-dashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var database = ReadModelDatabase.Sqlite(Path.Combine(dir, "journal.db"));
        var time = new TestTime(new DateTimeOffset(2024, 6, 3, 1, 30, 0, TimeSpan.Zero));
        var users = new DashboardUsers(database, time);
        await users.AddAsync("vera", DashboardPolicies.Viewer, Password);
        await users.AddAsync("ann", DashboardPolicies.Operator, Password);
        await users.AddAsync("root", DashboardPolicies.Admin, Password);
        settings ??= new DashboardSettings("127.0.0.1", 0);
        var sources = new DashboardSources("paper", new ReadModels(database)) { System = system, ReportRoots = reportRoots ?? [] };
        var app = DashboardApp.Create(settings, database, sources, time, web => web.UseTestServer());
        await app.StartAsync();
        return new TestDashboard(app, dir, database, time, settings.Https);
    }

    public Client NewClient() => new(App.GetTestServer(), Https);

    /// <summary>A logged-in client of <paramref name="user"/>, with its CSRF token.</summary>
    public async Task<Client> LoggedIn(string user)
    {
        var c = NewClient();
        var r = await c.LoginAsync(user, Password);
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/", r.Headers.Location?.OriginalString);
        await c.FetchCsrfAsync();
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, true); } catch (IOException) { }
    }

    /// <summary>An HTTP client with a cookie jar (what a browser keeps), redirects not followed.</summary>
    internal sealed class Client
    {
        private static readonly Regex TokenField = new("name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\"");
        private readonly CookieJar _jar;
        private readonly HttpClient _http;

        public Client(TestServer server, bool https)
        {
            _jar = new CookieJar(server.CreateHandler());
            _http = new HttpClient(_jar) { BaseAddress = new Uri(https ? "https://localhost/" : "http://localhost/") };
        }

        public string? Csrf { get; private set; }
        public List<string> SetCookies => _jar.SetCookies;

        public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

        public async Task<HttpResponseMessage> LoginAsync(string user, string password, bool withToken = true)
        {
            var page = await (await _http.GetAsync("/login")).Content.ReadAsStringAsync();
            var m = TokenField.Match(page);
            Assert.True(m.Success, "the login page has the antiforgery field");
            var form = new List<KeyValuePair<string, string>> { new("username", user), new("password", password) };
            if (withToken) form.Add(new(m.Groups[1].Value, WebUtility.HtmlDecode(m.Groups[2].Value)));
            return await _http.PostAsync("/login", new FormUrlEncodedContent(form));
        }

        public async Task FetchCsrfAsync()
        {
            var me = await _http.GetFromJsonAsync<JsonElement>("/api/me");
            Csrf = me.GetProperty("csrf").GetString();
        }

        public Task<HttpResponseMessage> PostJsonAsync(string path, object body, bool csrf = true)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            if (csrf && Csrf is not null) req.Headers.Add("X-CSRF-TOKEN", Csrf);
            return _http.SendAsync(req);
        }

        public Task<HttpResponseMessage> PostJsonWithToken(string path, object body, string token)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            req.Headers.Add("X-CSRF-TOKEN", token);
            return _http.SendAsync(req);
        }

        public Task<HttpResponseMessage> PostAsync(string path, bool csrf = true)
        {
            var req = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("") };
            if (csrf && Csrf is not null) req.Headers.Add("X-CSRF-TOKEN", Csrf);
            return _http.SendAsync(req);
        }
    }

    /// <summary>Keeps cookies across requests (the test server's handler has none) and records every Set-Cookie header.</summary>
    private sealed class CookieJar : DelegatingHandler
    {
        private readonly CookieContainer _cookies = new();
        public List<string> SetCookies { get; } = [];

        public CookieJar(HttpMessageHandler inner) : base(inner) { }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var header = _cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, ct);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
                foreach (var v in values)
                {
                    SetCookies.Add(v);
                    _cookies.SetCookies(request.RequestUri!, v);
                }
            return response;
        }
    }
}
