using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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

    /// <summary>
    /// Starts <paramref name="app"/> and returns the port it bound (the asked one, or the free one chosen for port 0). An
    /// address that cannot be bound disposes the app and is one <see cref="IOException"/> line, <paramref name="describe"/>
    /// of the server's message.
    /// </summary>
    public static async Task<int> StartAsync(WebApplication app, Func<string, string> describe, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new IOException(describe(e.Message), e);
        }
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal)).Port).First();
    }

    /// <summary>A lifetime that waits for nothing and hooks no signal: the node's host decides when this one stops.</summary>
    private sealed class NodeOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
