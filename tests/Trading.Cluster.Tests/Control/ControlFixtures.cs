using Akka.Actor;
using Akka.Configuration;
using Trading.Cluster.Control;
using Trading.Runtime;

namespace Trading.Cluster.Tests.Control;

/// <summary>Users, tokens and actor systems for the console specs.</summary>
internal static class ControlFixtures
{
    public const string Viewer = "viewer-token-0123456789abcdefghijklmnopqrstuvwxyz", Operator = "operator-token-0123456789abcdefghijklmnopqrstuvw",
        Admin = "admin-token-0123456789abcdefghijklmnopqrstuvwxyz01";

    public static ConsoleUsers Users { get; } = new([
        new ConsoleUser("vera", ConsoleRole.Viewer, ConsoleUsers.Hash(Viewer)),
        new ConsoleUser("otto", ConsoleRole.Operator, ConsoleUsers.Hash(Operator)),
        new ConsoleUser("ada", ConsoleRole.Admin, ConsoleUsers.Hash(Admin)),
    ]);

    /// <summary>A one-member cluster on 127.0.0.1 with an ephemeral port and the in-memory journal (the endpoint's audit trail).</summary>
    public static ActorSystem ClusterNode(string name = "trading", string extra = "") => ActorSystem.Create(name,
        ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.min-nr-of-members = 1
            {{extra}}
            """).WithFallback(TradingSystem.LoadConfig(JournalKind.InMemory)).WithFallback(Akka.Cluster.Tools.Client.ClusterClientReceptionist.DefaultConfig()));

    /// <summary>Joins the node to itself and waits until it is Up.</summary>
    public static async Task<int> JoinSelf(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(15));
        return cluster.SelfAddress.Port!.Value;
    }
}

/// <summary>A stand-in brain: answers every call with what it got (user and role), so a test sees what reached the brain.</summary>
internal sealed class EchoBrain : ReceiveActor
{
    public EchoBrain() => Receive<ControlCall>(c =>
        Sender.Tell(new ControlReply(c.RequestId, true, $"{c.Command} by {c.User} ({c.Role}) [{string.Join(",", c.Args)}]", "{\"echo\":true}")));
}
