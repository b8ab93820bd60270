using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Trading.Cluster.Control;
using Trading.Runtime;
using Trading.Runtime.Messages;

namespace Trading.Dashboard.Tests.Controls;

/// <summary>
/// The endpoint's trusted entry (no token) is for its own actor system only: a <see cref="LocalControlRequest"/> from
/// another node is refused and audited, and the brain hears nothing; from a local sender it gets the console's role
/// check.
/// </summary>
public class LocalControlRequestTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Remote = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        """);

    public LocalControlRequestTests() : base(Remote.WithFallback(TradingSystem.LoadConfig(JournalKind.InMemory))) { }

    [Fact]
    public async Task A_local_request_from_another_node_is_refused_and_audited_and_a_local_one_gets_the_role_check()
    {
        var (brain, audit) = (CreateTestProbe(), CreateTestProbe());
        var endpoint = Sys.ActorOf(ControlEndpointActor.Props(new ControlEndpointSetup(brain.Ref, new ConsoleUsers([]), TimeSpan.FromSeconds(5)) { Audit = audit.Ref }), "control");
        var address = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;

        using var other = ActorSystem.Create(Sys.Name, Remote.WithFallback(TradingSystem.LoadConfig(JournalKind.InMemory)));
        try
        {
            var remote = await other.ActorSelection($"{address}/user/control").ResolveOne(TimeSpan.FromSeconds(10));
            var reply = await remote.Ask<ControlReply>(new LocalControlRequest("r1", "mallory", "admin", "kill", ["on"], "dashboard"), TimeSpan.FromSeconds(10));
            Assert.False(reply.Ok);
            Assert.Contains("from another node is refused", reply.Text);
            var entry = await audit.ExpectMsgAsync<AuditEntry>(TimeSpan.FromSeconds(10));
            Assert.StartsWith("dashboard:mallory@akka.tcp://", entry.Actor);
            Assert.Contains("kill on → refused", entry.Detail);
            await brain.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        }
        finally
        {
            await other.Terminate();
        }

        var low = await endpoint.Ask<ControlReply>(new LocalControlRequest("r2", "vera", "viewer", "cancel-all", [], "dashboard"), TimeSpan.FromSeconds(5));
        Assert.Equal((false, "role viewer may not cancel-all; needs operator"), (low.Ok, low.Text));
        Assert.Equal("dashboard:vera", (await audit.ExpectMsgAsync<AuditEntry>(TimeSpan.FromSeconds(5))).Actor);
        var ok = endpoint.Ask<ControlReply>(new LocalControlRequest("r3", "ann", "operator", "cancel-all", [], "dashboard"), TimeSpan.FromSeconds(5));
        var call = await brain.ExpectMsgAsync<ControlCall>(TimeSpan.FromSeconds(5));
        Assert.Equal(("cancel-all", "ann", "operator"), (call.Command, call.User, call.Role));
        brain.Reply(new ControlReply(call.RequestId, true, "2 orders cancelled", null));
        Assert.True((await ok).Ok);
    }
}
