using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;

namespace Trading.Cluster.Hosting;

/// <summary>
/// The Akka side of <see cref="ClusterSettings"/>: hocon/cluster.conf (shared by every role) with this node's role,
/// address, seeds and timings on top; and the trading singleton's manager and proxy at their well-known paths.
/// </summary>
public static class ClusterHocon
{
    internal static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>The cluster's config for this node (falls back to hocon/cluster.conf).</summary>
    public static Config Build(ClusterSettings s, string? extraRole = null)
    {
        var roles = new List<string> { ClusterSettings.RoleName(s.Role) };
        if (extraRole is not null) roles.Add(extraRole);
        var node = $$"""
            akka.remote.dot-netty.tcp {
              hostname = {{Q(s.Hostname)}}
              port = {{s.Port}}
              {{(s.PublicHostname is { } p ? "public-hostname = " + Q(p) : "")}}
            }
            akka.cluster {
              roles = [{{string.Join(", ", roles.Select(Q))}}]
              seed-nodes = [{{string.Join(", ", (s.SeedNodes.Count == 0 ? [s.SelfAddress] : s.SeedNodes).Select(Q))}}]
              failure-detector {
                heartbeat-interval = {{Ms(s.HeartbeatInterval)}}
                acceptable-heartbeat-pause = {{Ms(s.AcceptableHeartbeatPause)}}
              }
              split-brain-resolver.stable-after = {{Ms(s.StableAfter)}}
              down-removal-margin = {{Ms(s.DownRemovalMargin)}}
            }
            """;
        var config = ConfigurationFactory.ParseString(node);
        // TLS on the cluster's transport where it leaves the host (trading.cluster.control.tls).
        if (Control.ClusterTls.Hocon(s.Control) is { Length: > 0 } tls) config = ConfigurationFactory.ParseString(tls).WithFallback(config);
        // Traders hold the account's fencing lease (the connection string stays out of the config).
        if (s.Role == ClusterRole.Trader) config = config.WithFallback(ConfigurationFactory.ParseString(Lease.PostgresLease.Hocon(s.Lease)));
        return config.WithFallback(Shared);
    }

    /// <summary>hocon/cluster.conf.</summary>
    public static Config Shared => ConfigurationFactory.ParseString(Trading.Runtime.TradingSystem.ReadEmbedded("cluster.conf"));

    /// <summary>The trading singleton's manager at <see cref="ClusterPaths.TraderManager"/> (on traders only).</summary>
    public static IActorRef StartSingleton(ActorSystem system, TraderHostSetup setup) =>
        system.ActorOf(ClusterSingletonManager.Props(TraderHost.Props(setup), StopTrader.Instance,
            ClusterSingletonManagerSettings.Create(system)), ClusterPaths.TraderManager.Split('/')[^1]);

    /// <summary>The proxy at <see cref="ClusterPaths.TraderProxy"/>: delivers to the brain wherever it runs (buffers during a hand-over).</summary>
    public static IActorRef StartProxy(ActorSystem system) =>
        system.ActorOf(ClusterSingletonProxy.Props(ClusterPaths.TraderManager, ClusterSingletonProxySettings.Create(system)),
            ClusterPaths.TraderProxy.Split('/')[^1]);

    /// <summary>The status actor at <see cref="ClusterPaths.Status"/> (every node).</summary>
    public static IActorRef StartStatus(ActorSystem system, ClusterSettings s) =>
        system.ActorOf(ClusterStatusActor.Props(ClusterSettings.RoleName(s.Role)), ClusterPaths.Status.Split('/')[^1]);
}
