using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Trading.Dashboard.Live;

namespace Trading.Dashboard.Tests.Live;

/// <summary>
/// The live views on an in-memory server, as DashboardApp composes them, with a test authentication scheme in place of
/// the cookie login (dash-core's): header <c>X-Test-User: ann:viewer</c> signs in as ann with role viewer; no header is
/// anonymous (a browser sends the same as cookie <c>test-user</c>). The policies are the dashboard's: a role and every
/// stronger one. On a real socket (<c>kestrel</c>) for a browser, with <c>/api/me</c> answered as dash-core's would.
/// </summary>
public sealed class LiveTestHost : IAsyncDisposable
{
    public const string UserHeader = "X-Test-User";
    private readonly WebApplication _app;

    private LiveTestHost(WebApplication app) => _app = app;

    public TestServer Server => _app.GetTestServer();
    /// <summary>http://127.0.0.1:port of a host started with <c>kestrel</c>.</summary>
    public Uri Address => new(_app.Urls.First());
    public ILiveFeed Feed => _app.Services.GetRequiredService<ILiveFeed>();

    public static async Task<LiveTestHost> StartAsync(DashboardSources sources, LiveOptions? options = null, bool kestrel = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (kestrel) builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        else builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(TestAuth.Name).AddScheme<AuthenticationSchemeOptions, TestAuth>(TestAuth.Name, null);
        builder.Services.AddAuthorization(o =>
        {
            foreach (var role in DashboardPolicies.Roles) o.AddPolicy(role, p => p.RequireRole(DashboardPolicies.Admitted(role)));
        });
        builder.Services.AddLiveDashboard(sources, options);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapLiveDashboard();
        // dash-core's /api/me, as the contract says; the page asks it which buttons to show.
        app.MapGet("/api/me", (HttpContext http) => Results.Json(new { user = http.User.Identity!.Name, role = http.User.FindFirst(ClaimTypes.Role)!.Value, csrf = "test-csrf" }))
            .RequireAuthorization(DashboardPolicies.Viewer);
        // dash-core's notes list (the live page shows the trading day's notes): none here.
        app.MapGet("/api/notes", () => Results.Json(Array.Empty<object>())).RequireAuthorization(DashboardPolicies.Viewer);
        await app.StartAsync();
        return new LiveTestHost(app);
    }

    public HttpClient Client(string? user = null)
    {
        var c = Server.CreateClient();
        if (user is not null) c.DefaultRequestHeaders.Add(UserHeader, user);
        return c;
    }

    /// <summary>A hub connection as the page makes one (long polling: the in-memory server has no sockets), its messages in <see cref="HubClient.Messages"/>.</summary>
    public async Task<HubClient> ConnectAsync(string user = "ann:viewer")
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, LiveDashboard.HubPath), o =>
            {
                o.HttpMessageHandlerFactory = _ => Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.Headers[UserHeader] = user;
            })
            .Build();
        var client = new HubClient(connection);
        await connection.StartAsync();
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed class HubClient : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        public Channel<(string Name, JsonElement Body)> Messages { get; } = Channel.CreateUnbounded<(string, JsonElement)>();

        public HubClient(HubConnection connection)
        {
            _connection = connection;
            connection.On<JsonElement>("snapshot", m => Messages.Writer.TryWrite(("snapshot", m)));
            connection.On<JsonElement>("update", m => Messages.Writer.TryWrite(("update", m)));
        }

        /// <summary>The next message, or a failure after <paramref name="seconds"/>.</summary>
        public async Task<(string Name, JsonElement Body)> NextAsync(double seconds = 10)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            try { return await Messages.Reader.ReadAsync(timeout.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"no hub message within {seconds} s"); }
        }

        /// <summary>The snapshot message (updates pushed to everyone before it are skipped, as a page does).</summary>
        public async Task<JsonElement> SnapshotAsync(double seconds = 10)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                var (name, body) = await NextAsync(Math.Max(0.01, (until - DateTime.UtcNow).TotalSeconds));
                if (name == "snapshot") return body;
            }
        }

        /// <summary>Updates until one satisfies <paramref name="match"/> (each earlier one is returned in the list too).</summary>
        public async Task<List<JsonElement>> UpdatesUntilAsync(Func<JsonElement, bool> match, double seconds = 10)
        {
            var seen = new List<JsonElement>();
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                var left = (until - DateTime.UtcNow).TotalSeconds;
                if (left <= 0) throw new TimeoutException($"no matching update within {seconds} s; got {seen.Count}: {string.Join(" | ", seen)}");
                var (name, body) = await NextAsync(left);
                if (name != "update") continue;
                seen.Add(body);
                if (match(body)) return seen;
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    private sealed class TestAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "test";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers[UserHeader].ToString();
            if (header.Length == 0) header = Uri.UnescapeDataString(Request.Cookies["test-user"] ?? "");
            if (header.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
            var (user, role) = header.Split(':') is [var u, var r] ? (u, r) : (header, DashboardPolicies.Viewer);
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, role)], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}
