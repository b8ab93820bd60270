using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Trading.Dashboard.Tests.Hosting;

namespace Trading.Dashboard.Tests.Auth;

/// <summary>Every rule of the dashboard's door, over HTTP against the real pipeline (in-memory server, SQLite users).</summary>
public class AuthRuleTests
{
    [Fact]
    public async Task Anonymous_pages_go_to_the_login_page_and_anonymous_api_calls_get_401()
    {
        await using var d = await TestDashboard.StartAsync();
        var c = d.NewClient();
        var page = await c.GetAsync("/reports/0123456789abcdef");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location?.OriginalString);
        foreach (var api in new[] { "/api/me", "/api/notes", "/api/reports", "/api/audit" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync(api)).StatusCode);
        var login = await c.GetAsync("/login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        // The page's style is a file and there is no inline script: the CSP allows scripts from the dashboard only.
        var csp = login.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("frame-ancestors 'self'", csp);
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", login.Headers.GetValues("Referrer-Policy").Single());
        Assert.DoesNotContain("<script", await login.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/auth/login.css")).StatusCode);
    }

    [Fact]
    public async Task A_login_gives_an_HttpOnly_SameSite_Strict_session_and_api_me_says_who_with_a_csrf_token_and_it_is_audited()
    {
        await using var d = await TestDashboard.StartAsync();
        var c = d.NewClient();
        var r = await c.LoginAsync("ann", TestDashboard.Password);
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/", r.Headers.Location?.OriginalString);
        var session = c.SetCookies.Single(s => s.StartsWith("trading.dashboard=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", session, StringComparison.OrdinalIgnoreCase); // plain HTTP, no certificate
        var me = await (await c.GetAsync("/api/me")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ann", me.GetProperty("user").GetString());
        Assert.Equal("operator", me.GetProperty("role").GetString());
        Assert.False(string.IsNullOrEmpty(me.GetProperty("csrf").GetString()));
        var audit = await d.Audit.RecentAsync();
        Assert.Contains(audit, a => a is { User: "ann", Action: "login", Ok: true });

        await c.FetchCsrfAsync();
        var logout = await c.PostAsync("/logout");
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/me")).StatusCode);
        Assert.Contains(await d.Audit.RecentAsync(), a => a is { User: "ann", Action: "logout" });
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_audited_and_no_password_reaches_the_database_or_the_log()
    {
        var logged = new List<string>();
        var previous = Serilog.Log.Logger;
        Serilog.Log.Logger = new Serilog.LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new ListSink(logged)).CreateLogger();
        try
        {
            await using var d = await TestDashboard.StartAsync();
            var c = d.NewClient();
            const string wrong = "not-the-password-4711";
            var r = await c.LoginAsync("ann", wrong);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Equal("/login?error=wrong", r.Headers.Location?.OriginalString);
            Assert.DoesNotContain(c.SetCookies, s => s.StartsWith("trading.dashboard=", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/me")).StatusCode);
            var unknown = await c.LoginAsync("nobody", wrong);
            Assert.Equal("/login?error=wrong", unknown.Headers.Location?.OriginalString); // the same answer: names are not revealed
            var audit = await d.Audit.RecentAsync();
            Assert.Contains(audit, a => a is { User: "ann", Action: "login failed", Ok: false });
            Assert.Contains(audit, a => a is { User: "nobody", Action: "login failed", Ok: false });
            (await c.LoginAsync("ann", TestDashboard.Password)).EnsureRedirect("/");

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var bytes = await File.ReadAllTextAsync(Path.Combine(d.Dir, "journal.db"), System.Text.Encoding.Latin1);
            Assert.DoesNotContain(wrong, bytes);
            Assert.DoesNotContain(TestDashboard.Password, bytes);
            Assert.NotEmpty(logged);
            Assert.DoesNotContain(logged, l => l.Contains(wrong) || l.Contains(TestDashboard.Password));
        }
        finally
        {
            Serilog.Log.Logger = previous;
        }
    }

    [Fact]
    public async Task After_N_failures_a_user_is_locked_out_even_with_the_right_password_until_the_lock_ends_and_it_is_audited()
    {
        await using var d = await TestDashboard.StartAsync(new DashboardSettings("127.0.0.1", 0) { LockoutAttempts = 3, LockoutDuration = TimeSpan.FromMinutes(15) });
        var c = d.NewClient();
        (await c.LoginAsync("ann", "wrong password 1")).EnsureRedirect("/login?error=wrong");
        (await c.LoginAsync("ann", "wrong password 2")).EnsureRedirect("/login?error=wrong");
        (await c.LoginAsync("ann", "wrong password 3")).EnsureRedirect("/login?error=locked");
        (await c.LoginAsync("ann", TestDashboard.Password)).EnsureRedirect("/login?error=locked");
        var page = await (await c.GetAsync("/login?error=locked")).Content.ReadAsStringAsync();
        Assert.Contains("locked out", page);
        var audit = await d.Audit.RecentAsync();
        Assert.Contains(audit, a => a is { User: "ann", Action: "login locked out" } && a.Detail.Contains("3 failed logins"));
        Assert.Contains(audit, a => a is { User: "ann", Action: "login refused: locked" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/me")).StatusCode);

        d.Time.Now += TimeSpan.FromMinutes(16);
        (await c.LoginAsync("ann", TestDashboard.Password)).EnsureRedirect("/");
        Assert.Equal(0, (await d.Users.ListAsync()).Single(u => u.Name == "ann").Failed);
    }

    [Fact]
    public async Task Logins_beyond_the_rate_per_client_address_get_429()
    {
        await using var d = await TestDashboard.StartAsync(new DashboardSettings("127.0.0.1", 0) { LoginPerMinute = 3, LockoutAttempts = 100 });
        var c = d.NewClient();
        for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Redirect, (await c.LoginAsync("ann", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await c.LoginAsync("ann", TestDashboard.Password)).StatusCode);
        Assert.Contains(await d.Audit.RecentAsync(), a => a.Action == "login rate-limited");
    }

    [Fact]
    public async Task A_viewer_may_not_control_403_and_only_an_admin_reads_the_audit_trail()
    {
        await using var d = await TestDashboard.StartAsync();
        var viewer = await d.LoggedIn("vera");
        var r = await viewer.PostJsonAsync("/api/control", new { command = "pause", args = new[] { "momentum" }, confirm = true });
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/audit")).StatusCode);
        var op = await d.LoggedIn("ann");
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("/api/audit")).StatusCode);
        var admin = await d.LoggedIn("root");
        var trail = await admin.GetAsync("/api/audit");
        Assert.Equal(HttpStatusCode.OK, trail.StatusCode);
        var lines = (await trail.Content.ReadFromJsonAsync<JsonElement[]>())!;
        Assert.Contains(lines, l => l.GetProperty("user").GetString() == "vera" && l.GetProperty("action").GetString() == "login");
        // The refusals are in the trail too (the policy refuses before any handler runs).
        Assert.Contains(await d.Audit.RecentAsync(), a => a.User == "vera" && a.Action == "refused" && a.Detail.Contains("POST /api/control") && !a.Ok);
        Assert.Contains(await d.Audit.RecentAsync(), a => a.User == "ann" && a.Action == "refused" && a.Detail.Contains("GET /api/audit"));
    }

    [Fact]
    public async Task A_state_changing_request_without_the_csrf_token_is_400_login_logout_control_and_notes_alike()
    {
        await using var d = await TestDashboard.StartAsync();
        var anon = d.NewClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await anon.LoginAsync("ann", TestDashboard.Password, withToken: false)).StatusCode);
        var op = await d.LoggedIn("ann");
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/control", new { command = "reconcile", args = Array.Empty<string>(), confirm = true }, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/notes", new { targetKind = "day", targetId = "2024-06-03", text = "x" }, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostAsync("/logout", csrf: false)).StatusCode);
        // Another session's token is not this one's.
        var other = await d.LoggedIn("root");
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonWithToken("/api/notes", new { targetKind = "day", targetId = "2024-06-03", text = "x" }, other.Csrf!)).StatusCode);
        Assert.Empty(await new Trading.Dashboard.Notes.NoteStore(d.Database, d.Time).ListAsync(null, null));
        Assert.Equal(HttpStatusCode.OK, (await op.GetAsync("/api/me")).StatusCode); // still logged in: the refused logout did nothing
    }

    [Fact]
    public async Task Under_HTTPS_the_session_and_csrf_cookies_are_Secure()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using var d = await TestDashboard.StartAsync(new DashboardSettings("127.0.0.1", 0) { Certificate = cert });
        var c = d.NewClient();
        (await c.LoginAsync("ann", TestDashboard.Password)).EnsureRedirect("/");
        Assert.All(c.SetCookies, s => Assert.Contains("secure", s, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(c.SetCookies, s => s.StartsWith("trading.dashboard=", StringComparison.Ordinal));
        Assert.Contains(c.SetCookies, s => s.StartsWith("trading.dashboard.csrf=", StringComparison.Ordinal));
        Assert.True((await c.GetAsync("/api/me")).Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task A_removed_users_session_ends_at_its_next_request()
    {
        await using var d = await TestDashboard.StartAsync();
        var c = await d.LoggedIn("vera");
        Assert.True(await d.Users.RemoveAsync("vera"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_session_slides_while_used_and_ends_after_the_idle_time()
    {
        await using var d = await TestDashboard.StartAsync(new DashboardSettings("127.0.0.1", 0) { SessionIdle = TimeSpan.FromHours(8) });
        var c = await d.LoggedIn("ann");
        d.Time.Now += TimeSpan.FromHours(7);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/me")).StatusCode); // used: renewed for 8 hours from now
        d.Time.Now += TimeSpan.FromHours(7);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/me")).StatusCode); // 14 h after the login, 7 h idle
        d.Time.Now += TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/me")).StatusCode);
    }

    private sealed class ListSink(List<string> lines) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent e)
        {
            lock (lines) lines.Add(e.RenderMessage() + " " + string.Join(" ", e.Properties.Values));
        }
    }
}

internal static class ResponseAssertions
{
    public static void EnsureRedirect(this HttpResponseMessage r, string to)
    {
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal(to, r.Headers.Location?.OriginalString);
    }
}
