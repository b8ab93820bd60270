using System.Globalization;
using System.Net;
using Trading.Cluster.Hosting;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Health;

/// <summary>
/// Where a node answers its health probes (<c>trading.cluster.health</c>) and what readiness needs.
/// </summary>
/// <param name="Hostname">The address to listen on: an IP address, <c>localhost</c>, or <c>0.0.0.0</c> / <c>::</c> for all
/// (Kubernetes: the kubelet probes the pod's IP, so all). Default 127.0.0.1: the endpoints are for the host's supervisor
/// and the load balancer's private side, never the internet.</param>
/// <param name="Port">The port; 0 binds a free one (tests: read <see cref="HealthEndpoint.Port"/>). In the config
/// <c>port = 0</c> turns the endpoints off instead (<see cref="FromConfig"/> answers null).</param>
/// <param name="Timeout">How long <c>/health/status</c> waits for the status actor and <c>/health/ready</c> for the journal check.</param>
/// <param name="Role">The node's role: a trader is ready only when its journal answers too.</param>
public sealed record HealthOptions(string Hostname, int Port, TimeSpan Timeout, ClusterRole Role)
{
    /// <summary>
    /// Checks the journal (a trader's readiness): completes when it answers, throws when it does not (the message, one
    /// line without secrets, becomes the reason). Null: no check. <see cref="JournalChecks"/> has the PostgreSQL one.
    /// </summary>
    public Func<CancellationToken, Task>? JournalCheck { get; init; }

    public const int DefaultPort = 8558;

    /// <summary>Override the file per machine, like the cluster's own variables (three nodes on one host need three ports).</summary>
    public const string PortVariable = "TRADING_HEALTH_PORT", HostVariable = "TRADING_HEALTH_HOSTNAME";

    private static readonly string[] Keys = ["port", "hostname", "timeout"];

    /// <summary>
    /// The <c>trading.cluster.health</c> block (<see cref="ClusterSettings.Health"/>; absent: off; a block without a port:
    /// 127.0.0.1:8558) with <see cref="PortVariable"/> / <see cref="HostVariable"/>; null when the port is 0 (off).
    /// Errors are one <see cref="ConfigException"/> line naming the key.
    /// </summary>
    public static HealthOptions? FromConfig(ConfigBlock? block, ClusterRole role, Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        block?.Known(Keys);
        int port;
        if (env(PortVariable) is { Length: > 0 } pt)
        {
            if (!int.TryParse(pt.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535)
                throw new ConfigException($"{PortVariable} = '{pt}' must be a port 0..65535 (0: off).");
        }
        // No health block (and no variable): no endpoint — a port is opened only when asked for (two nodes on one host
        // would otherwise collide on the default).
        else port = block?.Int("port", DefaultPort, 0, 65535) ?? 0;
        if (port == 0) return null;
        var fromEnv = env(HostVariable) is { Length: > 0 };
        var host = (fromEnv ? env(HostVariable)! : block?.String("hostname", "127.0.0.1") ?? "127.0.0.1").Trim();
        if (!IsListenable(host))
            throw new ConfigException($"{(fromEnv ? HostVariable : block!.Where("hostname"))} = '{host}' must be an IP address, localhost, or 0.0.0.0 for all interfaces.");
        var timeout = block is null ? TimeSpan.FromSeconds(2)
            : ClusterSettings.Duration(block, "timeout", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30));
        return new HealthOptions(host, port, timeout, role);
    }

    internal static bool IsListenable(string host) =>
        host is "localhost" or "*" || IPAddress.TryParse(host, out _);
}
