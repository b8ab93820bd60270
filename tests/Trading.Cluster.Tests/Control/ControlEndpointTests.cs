using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.TestKit;
using Trading.Cluster.Control;
using Trading.Runtime;
using Trading.Runtime.Messages;

namespace Trading.Cluster.Tests.Control;

/// <summary>
/// The endpoint's door: a missing or wrong token and a role too low are refused with a clear message, everything is
/// audited with its outcome, what reaches the brain carries the user and role but not the token, and the token is in no
/// audit entry and no log line.
/// </summary>
public class ControlEndpointTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public ControlEndpointTests() : base(TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = DEBUG")) { }

    private (IActorRef Endpoint, TestProbe Brain, TestProbe Audit, TestProbe Logs) Start()
    {
        var (brain, audit, logs) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        Sys.EventStream.Subscribe(logs.Ref, typeof(LogEvent));
        var endpoint = Sys.ActorOf(ControlEndpointActor.Props(new ControlEndpointSetup(brain.Ref, ControlFixtures.Users, TimeSpan.FromSeconds(5)) { Audit = audit.Ref }));
        return (endpoint, brain, audit, logs);
    }

    private async Task<ControlReply> Send(IActorRef endpoint, string token, string command, params string[] args) =>
        await endpoint.Ask<ControlReply>(new ControlRequest("r-" + command, token, command, args), Wait);

    [Fact]
    public async Task A_missing_or_wrong_token_and_a_role_too_low_are_refused_and_audited_and_the_brain_hears_nothing()
    {
        var (endpoint, brain, audit, _) = Start();

        var missing = await Send(endpoint, "", "status");
        Assert.False(missing.Ok);
        Assert.Contains("no token given", missing.Text);
        Assert.Equal("console:(no token)", audit.ExpectMsg<AuditEntry>(Wait).Actor);

        var wrong = await Send(endpoint, ControlFixtures.Admin + "x", "kill", "on");
        Assert.Equal((false, "token not recognised"), (wrong.Ok, wrong.Text));
        var e = audit.ExpectMsg<AuditEntry>(Wait);
        Assert.Equal(("console:(unknown)", "console kill"), (e.Actor, e.Action));
        Assert.Contains("kill on → refused: token not recognised", e.Detail);

        var low = await Send(endpoint, ControlFixtures.Viewer, "cancel-all");
        Assert.Equal((false, "role viewer may not cancel-all; needs operator"), (low.Ok, low.Text));
        Assert.Contains("refused: role viewer may not cancel-all", audit.ExpectMsg<AuditEntry>(Wait).Detail);

        var viewerKill = await Send(endpoint, ControlFixtures.Viewer, "kill", "on");
        Assert.Equal("role viewer may not kill; needs operator", viewerKill.Text);
        audit.ExpectMsg<AuditEntry>(Wait);

        var unknown = await Send(endpoint, ControlFixtures.Admin, "rm-rf");
        Assert.Contains("unknown command 'rm-rf'", unknown.Text);
        audit.ExpectMsg<AuditEntry>(Wait);
        brain.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task An_allowed_command_goes_to_the_brain_with_user_and_role_and_is_audited_with_its_result_and_the_token_is_nowhere()
    {
        var (endpoint, brain, audit, logs) = Start();
        var reply = endpoint.Ask<ControlReply>(new ControlRequest("r9", ControlFixtures.Operator, "pause", ["alpha"]), Wait);
        var call = brain.ExpectMsg<ControlCall>(Wait);
        Assert.Equal(("r9", "pause", "otto", "operator"), (call.RequestId, call.Command, call.User, call.Role));
        Assert.Equal(["alpha"], call.Args);
        brain.Reply(new ControlReply("r9", true, "strategy alpha paused: it skips its decisions until resumed", "{}"));
        Assert.True((await reply).Ok);
        var entry = audit.ExpectMsg<AuditEntry>(Wait);
        Assert.Equal(("console:otto", "console pause"), (entry.Actor, entry.Action));
        Assert.Equal("pause alpha → ok: strategy alpha paused: it skips its decisions until resumed", entry.Detail);

        // A brain that does not answer: the console hears why, the audit says failed.
        var late = Send(endpoint, ControlFixtures.Admin, "orders");
        brain.ExpectMsg<ControlCall>(Wait);
        var timedOut = await late;
        Assert.False(timedOut.Ok);
        Assert.Contains("did not answer within 5s", timedOut.Text);
        Assert.Contains("orders → failed", audit.ExpectMsg<AuditEntry>(Wait).Detail);

        await Send(endpoint, ControlFixtures.Viewer + "-wrong", "status");
        audit.ExpectMsg<AuditEntry>(Wait);
        var lines = logs.ReceiveWhile(TimeSpan.FromMilliseconds(500), m => m as LogEvent).Select(l => l!.ToString()).ToArray();
        Assert.True(lines.Any(l => l.Contains("pause alpha") && l.Contains("otto")), string.Join("\n", lines));
        foreach (var token in new[] { ControlFixtures.Operator, ControlFixtures.Admin, ControlFixtures.Viewer })
            Assert.DoesNotContain(lines, l => l.Contains(token[..20]));
    }

    [Fact]
    public async Task Without_an_audit_actor_the_endpoint_journals_its_entries_under_its_own_persistence_id()
    {
        var endpoint = Sys.ActorOf(ControlEndpointActor.Props(new ControlEndpointSetup(Sys.ActorOf(Props.Create<EchoBrain>()), ControlFixtures.Users, Wait)));
        Assert.True((await Send(endpoint, ControlFixtures.Viewer, "positions")).Ok);
        Assert.False((await Send(endpoint, "nope", "positions")).Ok);
        var entries = await AwaitJournaled($"control-audit-{Sys.Name}@local:0", 2);
        Assert.Equal(["positions → ok: positions by vera (viewer) []", "positions → refused: token not recognised"], entries.Select(e => e.Detail));
        Assert.DoesNotContain(entries, e => e.ToString().Contains(ControlFixtures.Viewer[..20]));
    }

    private async Task<IReadOnlyList<AuditEntry>> AwaitJournaled(string persistenceId, int count)
    {
        for (var deadline = DateTime.UtcNow + Wait; ; await Task.Delay(50))
        {
            var reader = Sys.ActorOf(Props.Create(() => new AuditReader(persistenceId)));
            var entries = await reader.Ask<AuditEntry[]>("entries", Wait);
            if (entries.Length >= count || DateTime.UtcNow > deadline) return entries;
        }
    }

    private sealed class AuditReader : ReceivePersistentActor
    {
        private readonly List<AuditEntry> _entries = [];
        public override string PersistenceId { get; }

        public AuditReader(string id)
        {
            PersistenceId = id;
            Recover<AuditEntry>(_entries.Add);
            Command<string>(_ =>
            {
                Sender.Tell(_entries.ToArray());
                Context.Stop(Self);
            });
        }
    }
}
