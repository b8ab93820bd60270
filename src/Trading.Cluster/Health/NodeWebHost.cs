using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Trading.Cluster.Health;

/// <summary>
/// What a node's own web hosts (the health endpoints, the dashboard) share: a slim Kestrel host beside the node's generic
/// host that logs nothing to the console (the node logs through Serilog), hooks no signal (the node's host decides when it
/// stops, after a hand-over) and listens on one configured address.
/// </summary>
public static class NodeWebHost
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NodeOwnedLifetime>();
        return builder;
    }

    /// <summary>Listens on <paramref name="host"/> (an IP address, <c>localhost</c>, <c>*</c>/<c>0.0.0.0</c> or <c>::</c>) and <paramref name="port"/>.</summary>
    public static void Listen(KestrelServerOptions k, string host, int port, Action<ListenOptions>? configure = null)
    {
        configure ??= _ => { };
        switch (host)
        {
            case "localhost": k.ListenLocalhost(port, configure); break;
            case "*" or "0.0.0.0": k.Listen(IPAddress.Any, port, configure); break;
            case "::": k.Listen(IPAddress.IPv6Any, port, configure); break;
            default: k.Listen(IPAddress.Parse(host), port, configure); break;
        }
    }

    /// <summary>A lifetime that waits for nothing and hooks no signal: the node's host decides when this one stops.</summary>
    private sealed class NodeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
