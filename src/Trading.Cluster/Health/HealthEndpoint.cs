using System.Net;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trading.Cluster.Hosting;

namespace Trading.Cluster.Health;

/// <summary>
/// A node's HTTP health endpoints on Kestrel (<c>trading.cluster.health</c>):
/// <list type="bullet">
/// <item><c>GET /health/live</c> — 200 while the actor system runs and answers, else 503 (a supervisor restarts the process).</item>
/// <item><c>GET /health/ready</c> — 200 when the member is Up (a trader's journal answering too), else 503; the JSON
/// body gives the reasons.</item>
/// <item><c>GET /health/status</c> — the <see cref="Hosting.ClusterStatusView"/> of <c>/user/cluster-status</c> as JSON,
/// 503 when it does not answer in time.</item>
/// </list>
/// A host of its own beside the node's generic host, so a node's composition stays as it is: the node starts it once its
/// actor system runs (<see cref="StartAsync"/>) or registers it (<see cref="HealthServiceCollectionExtensions.AddTradingHealth"/>).
/// </summary>
public sealed class HealthEndpoint : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    private readonly WebApplication _app;

    private HealthEndpoint(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The bound port (the asked one, or the free one chosen for port 0).</summary>
    public int Port { get; }

    /// <summary>
    /// Listens on <see cref="HealthOptions.Hostname"/>:<see cref="HealthOptions.Port"/>. A port that cannot be bound (in
    /// use, not allowed) is an <see cref="IOException"/> with one line naming the address.
    /// </summary>
    public static async Task<HealthEndpoint> StartAsync(ActorSystem system, HealthOptions options, CancellationToken ct)
    {
        // Kestrel's console chatter off, no signal hooked: the node's own host (and its systemd/Windows service lifetime)
        // decides when this one stops, after a hand-over.
        var builder = NodeWebHost.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 0;
            NodeWebHost.Listen(k, options.Hostname, options.Port);
        });
        var app = builder.Build();
        // The handlers take the request's CancellationToken, not HttpContext: a lambda of HttpContext returning a Task binds
        // as a RequestDelegate, and its IResult would be dropped (an empty 200).
        app.MapGet("/health/live", async (CancellationToken aborted) =>
            Report(await HealthChecks.LiveAsync(system, options, aborted)));
        app.MapGet("/health/ready", async (CancellationToken aborted) =>
            Report(await HealthChecks.ReadyAsync(system, options, aborted)));
        app.MapGet("/health/status", async (CancellationToken aborted) =>
        {
            var (view, error) = await HealthChecks.StatusAsync(system, options, aborted);
            return view is not null
                ? Results.Json(view, Json)
                : Results.Json(new { error }, Json, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        var bound = await NodeWebHost.StartAsync(app, message =>
            $"health endpoint {options.Hostname}:{options.Port}: {HealthChecks.OneLine(message)} (trading.cluster.health.port, or {HealthOptions.PortVariable})", ct);
        system.Log.Info("Health endpoints on http://{0}:{1}/health/{{live,ready,status}}", options.Hostname, bound);
        return new HealthEndpoint(app, bound);
    }

    private static IResult Report(HealthReport r) =>
        Results.Json(new { ok = r.Ok, role = r.Role, member = r.Member, address = r.Address, reasons = r.Reasons }, Json,
            statusCode: r.Ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);

    /// <summary>Stops listening (requests in flight get <paramref name="ct"/>'s time to finish).</summary>
    public Task StopAsync(CancellationToken ct) => _app.StopAsync(ct);

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Registration of the health endpoints on a node's generic host.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Starts <see cref="HealthEndpoint"/> with the host and stops it first on shutdown. Call after <c>AddAkka</c>:
    /// hosted services start in the order they were added, and this one needs the actor system running.
    /// <paramref name="options"/> null (health off): nothing is added.
    /// </summary>
    public static IServiceCollection AddTradingHealth(this IServiceCollection services, HealthOptions? options)
    {
        if (options is null) return services;
        return services.AddHostedService(sp => new HealthHostedService(sp, options));
    }

    /// <summary>
    /// The node's one line: the health endpoints of <paramref name="cluster"/>'s <c>trading.cluster.health</c> block (off
    /// when its port is 0), a trader's readiness also asking <paramref name="journalCheck"/> (e.g.
    /// <see cref="JournalChecks.Postgres"/>; null: none). Config errors are one <see cref="Trading.Runtime.Configuration.ConfigException"/> line.
    /// </summary>
    public static IServiceCollection AddTradingHealth(this IServiceCollection services, ClusterSettings cluster, Func<CancellationToken, Task>? journalCheck) =>
        services.AddTradingHealth(HealthOptions.FromConfig(cluster.Health, cluster.Role) is { } o ? o with { JournalCheck = journalCheck } : null);

    private sealed class HealthHostedService(IServiceProvider services, HealthOptions options) : IHostedService
    {
        private HealthEndpoint? _endpoint;

        public async Task StartAsync(CancellationToken cancellationToken) =>
            _endpoint = await HealthEndpoint.StartAsync(services.GetRequiredService<ActorSystem>(), options, cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_endpoint is not null) await _endpoint.DisposeAsync();
        }
    }
}
