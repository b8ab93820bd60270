using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Trading.Dashboard.Live;

/// <summary>The live views: their services and endpoints (SignalR hub, snapshot API, static pages).</summary>
public static class LiveDashboard
{
    public static IServiceCollection AddLiveDashboard(this IServiceCollection services, DashboardSources sources) => services;

    public static IEndpointRouteBuilder MapLiveDashboard(this IEndpointRouteBuilder endpoints) => endpoints;
}
