using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Trading.Runtime.Persistence;

namespace Trading.Dashboard.Live;

/// <summary>
/// The live views: their services (<see cref="LiveFeed"/>, <see cref="SnapshotBuilder"/>, the event-stream listener when
/// the dashboard runs on a node) and endpoints — <c>GET /</c> (the page), <c>GET /api/snapshot</c>, the hub
/// <c>/hubs/live</c>, all behind the viewer policy, and the page's public assets under <c>/assets/</c>.
/// Authentication and the policies themselves are the host's (<c>DashboardApp</c>).
/// </summary>
public static class LiveDashboard
{
    public const string HubPath = "/hubs/live";

    public static IServiceCollection AddLiveDashboard(this IServiceCollection services, DashboardSources sources, LiveOptions? options = null)
    {
        services.AddSignalR();
        services.TryAddSingleton(sources);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton((options ?? new LiveOptions()).Validated());
        services.AddSingleton(new SnapshotBuilder(sources));
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<ILiveFeed>(sp => sp.GetRequiredService<LiveFeed>());
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        if (sources.System is { } system)
            services.AddHostedService(sp => new LiveEventSubscription(system, sp.GetRequiredService<ILiveFeed>(), sources.AccountId));
        return services;
    }

    public static IEndpointRouteBuilder MapLiveDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext http) =>
        {
            LiveAssets.Secure(http.Response);
            http.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(LiveAssets.Page, "text/html; charset=utf-8");
        }).RequireAuthorization(DashboardPolicies.Viewer);

        // The handler takes the CancellationToken, not HttpContext, so its IResult is written (see HealthEndpoint).
        endpoints.MapGet("/api/snapshot", async (ILiveFeed feed, CancellationToken aborted) =>
        {
            try
            {
                return Results.Json(await feed.SnapshotAsync(aborted), LiveFeed.Json);
            }
            catch (JournalUnavailableException e)
            {
                return Results.Json(new { error = e.Message }, LiveFeed.Json, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).RequireAuthorization(DashboardPolicies.Viewer);

        endpoints.MapGet("/assets/{file}", (string file, HttpContext http) =>
        {
            if (LiveAssets.Find(file) is not { } asset) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=300";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(asset.Bytes, asset.ContentType);
        }).AllowAnonymous();

        endpoints.MapHub<LiveHub>(HubPath);
        return endpoints;
    }

    /// <summary>Starts the event-stream listener with the host and stops it with the host.</summary>
    private sealed class LiveEventSubscription(ActorSystem system, ILiveFeed feed, string accountId) : IHostedService
    {
        private IActorRef? _listener;

        public Task StartAsync(CancellationToken ct)
        {
            _listener = system.ActorOf(LiveEventListener.Props(feed, accountId), $"dashboard-live-{Guid.NewGuid():N}");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct)
        {
            if (_listener is not null && !system.WhenTerminated.IsCompleted) system.Stop(_listener);
            return Task.CompletedTask;
        }
    }
}
