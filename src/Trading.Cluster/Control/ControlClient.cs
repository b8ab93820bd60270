using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Trading.Cluster.Hosting;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Control;

/// <summary>The cluster did not answer the console within its timeout (no node at the contacts, or no endpoint).</summary>
public sealed class ClusterUnreachableException(string message) : Exception(message);

/// <summary>
/// The console's side of the protocol: a small actor system (remote provider, an ephemeral port) with a cluster client
/// whose initial contacts are the receptionists of the given nodes; each command is one <see cref="ControlRequest"/>
/// sent to <see cref="ClusterPaths.Control"/> on whichever node answers. The client is not a cluster member, so a
/// console coming and going never disturbs the cluster's membership or its split-brain decisions.
/// </summary>
public sealed class ControlClient : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _client;
    private readonly string _token;
    private readonly string _contacts;
    public TimeSpan Timeout { get; }

    private ControlClient(ActorSystem system, IActorRef client, string token, string contacts, TimeSpan timeout) =>
        (_system, _client, _token, _contacts, Timeout) = (system, client, token, contacts, timeout);

    /// <param name="contacts"><c>HOST:PORT</c> of one or more nodes (comma-separated on the command line).</param>
    /// <param name="tlsHocon">The node's transport TLS (<see cref="ClusterTls.Hocon"/>); empty for none.</param>
    /// <param name="logLevel">Akka's log level (OFF for the console unless asked: a connection failure is one line of our own).</param>
    public static ControlClient Connect(IReadOnlyList<string> contacts, string systemName, string token, TimeSpan timeout, string tlsHocon = "", string logLevel = "OFF")
    {
        if (contacts.Count == 0) throw new ConfigException("--cluster needs at least one HOST:PORT.");
        var seeds = contacts.Select(c => ClusterSettings.Seed(c, systemName, "--cluster")).ToArray();
        var firstHost = new Uri(seeds[0].Replace("akka.tcp://", "tcp://", StringComparison.Ordinal)).Host;
        var (bind, publicHost) = LocalAddress(firstHost);
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = {{logLevel}}
              stdout-loglevel = {{logLevel}}
              actor.provider = remote
              remote.dot-netty.tcp { hostname = "{{bind}}", public-hostname = "{{publicHost}}", port = 0 }
              remote.log-remote-lifecycle-events = off
              cluster.client { establishing-get-contacts-interval = 1s, refresh-contacts-interval = 10s }
            }
            """)
            .WithFallback(ConfigurationFactory.ParseString(tlsHocon))
            .WithFallback(ClusterClientReceptionist.DefaultConfig());
        var system = ActorSystem.Create("console", config);
        // Over TLS Akka.Remote's addresses are akka.ssl.tcp:// (the only transport then loaded).
        var scheme = tlsHocon.Length > 0 ? "akka.ssl.tcp://" : "akka.tcp://";
        var settings = ClusterClientSettings.Create(system).WithInitialContacts(seeds
            .Select(s => ActorPath.Parse(scheme + s["akka.tcp://".Length..] + "/system/receptionist")).ToImmutableHashSet());
        var client = system.ActorOf(ClusterClient.Props(settings), "client");
        return new ControlClient(system, client, token, string.Join(", ", contacts), timeout);
    }

    /// <summary>Sends one command; the cluster's answer, or <see cref="ClusterUnreachableException"/> when none comes in time.</summary>
    public async Task<ControlReply> SendAsync(string command, IReadOnlyList<string> args, CancellationToken ct = default)
    {
        var request = new ControlRequest(Guid.NewGuid().ToString("N"), _token, command, args.ToArray());
        try
        {
            return await _client.Ask<ControlReply>(new ClusterClient.Send(ClusterPaths.Control, request, localAffinity: true), Timeout, ct);
        }
        catch (AskTimeoutException)
        {
            throw new ClusterUnreachableException($"no answer from the cluster at {_contacts} within {Timeout.TotalSeconds:0.#}s (is a node running there, with its control endpoint?)");
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    /// <summary>
    /// Where the console listens: loopback when the cluster is on this machine; otherwise every interface, advertised as
    /// the local address that routes to the cluster (found by a UDP "connect", which sends nothing).
    /// </summary>
    private static (string Bind, string Public) LocalAddress(string host)
    {
        if (host is "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)) return ("127.0.0.1", "127.0.0.1");
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(host, 9);
            return ("0.0.0.0", ((IPEndPoint)s.LocalEndPoint!).Address.ToString());
        }
        catch (SocketException)
        {
            return ("0.0.0.0", Dns.GetHostName());
        }
    }
}
