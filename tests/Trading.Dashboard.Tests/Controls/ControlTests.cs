using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Trading.Cluster.Control;
using Trading.Dashboard.Tests.Hosting;
using Trading.Runtime;
using Trading.Runtime.Messages;

namespace Trading.Dashboard.Tests.Controls;

/// <summary>
/// A control from the dashboard goes through the node's control endpoint (at /user/control, as on a node) to the brain
/// as the console's <see cref="ControlCall"/>, with the user and role, and is audited in the console's trail (the
/// endpoint's) and the dashboard's.
/// </summary>
public class ControlTests : Akka.TestKit.Xunit2.TestKit
{
    public ControlTests() : base(TradingSystem.LoadConfig(JournalKind.InMemory)) { }

    private (TestProbe Brain, TestProbe Audit) StartEndpoint()
    {
        var (brain, audit) = (CreateTestProbe(), CreateTestProbe());
        Sys.ActorOf(ControlEndpointActor.Props(new ControlEndpointSetup(brain.Ref, new ConsoleUsers([]), TimeSpan.FromSeconds(5)) { Audit = audit.Ref }), "control");
        return (brain, audit);
    }

    [Fact]
    public async Task An_operators_pause_reaches_the_brain_as_a_ControlCall_with_user_and_role_and_is_audited_in_both_trails()
    {
        var (brain, audit) = StartEndpoint();
        await using var d = await TestDashboard.StartAsync(system: Sys);
        var op = await d.LoggedIn("ann");
        var post = op.PostJsonAsync("/api/control", new { command = "pause", args = new[] { "momentum" }, confirm = true });
        var call = await brain.ExpectMsgAsync<ControlCall>(TestDashboard.Wait);
        Assert.Equal(("pause", "ann", "operator", "dashboard"), (call.Command, call.User, call.Role, call.Channel));
        Assert.Equal(["momentum"], call.Args);
        brain.Reply(new ControlReply(call.RequestId, true, "momentum paused", "{\"paused\":[\"momentum\"]}"));
        var r = await post;
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("ok").GetBoolean());
        Assert.Equal("momentum paused", body.GetProperty("text").GetString());
        Assert.Equal("momentum", body.GetProperty("json").GetProperty("paused")[0].GetString());

        var entry = await audit.ExpectMsgAsync<AuditEntry>(TestDashboard.Wait);
        Assert.Equal(("dashboard:ann", "dashboard pause"), (entry.Actor, entry.Action));
        Assert.Contains("pause momentum → ok: momentum paused", entry.Detail);
        Assert.Contains(await d.Audit.RecentAsync(), a => a is { User: "ann", Action: "control", Ok: true } && a.Detail.Contains("pause momentum → ok"));
    }

    [Fact]
    public async Task A_role_too_low_is_403_an_unconfirmed_control_is_400_and_the_brain_hears_nothing()
    {
        var (brain, _) = StartEndpoint();
        await using var d = await TestDashboard.StartAsync(system: Sys);
        var op = await d.LoggedIn("ann");
        // The console's roles (issue 15: every control is an operator's or an admin's): an operator throws the kill switch.
        var kill = op.PostJsonAsync("/api/control", new { command = "kill", args = new[] { "on" }, confirm = true });
        var opCall = await brain.ExpectMsgAsync<ControlCall>(TestDashboard.Wait);
        Assert.Equal(("kill", "ann", "operator"), (opCall.Command, opCall.User, opCall.Role));
        brain.Reply(new ControlReply(opCall.RequestId, true, "kill switch ENGAGED", null));
        Assert.Equal(HttpStatusCode.OK, (await kill).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/control", new { command = "cancel-all", args = Array.Empty<string>() })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/control", new { command = "rm -rf", confirm = true })).StatusCode);
        await brain.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.Contains(await d.Audit.RecentAsync(), a => a is { User: "ann", Action: "control", Ok: true } && a.Detail.Contains("kill on"));

        // reconcile needs no confirmation; an admin's kill goes through.
        var admin = await d.LoggedIn("root");
        var post = admin.PostJsonAsync("/api/control", new { command = "kill", args = new[] { "on" }, confirm = true });
        var call = await brain.ExpectMsgAsync<ControlCall>(TestDashboard.Wait);
        Assert.Equal(("kill", "root", "admin"), (call.Command, call.User, call.Role));
        brain.Reply(new ControlReply(call.RequestId, true, "kill switch ENGAGED", null));
        Assert.Equal(HttpStatusCode.OK, (await post).StatusCode);
        var reconcile = op.PostJsonAsync("/api/control", new { command = "reconcile" });
        call = await brain.ExpectMsgAsync<ControlCall>(TestDashboard.Wait);
        brain.Reply(new ControlReply(call.RequestId, false, "no broker", null));
        var body = await (await reconcile).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Standalone_controls_are_503()
    {
        await using var d = await TestDashboard.StartAsync();
        var op = await d.LoggedIn("ann");
        var r = await op.PostJsonAsync("/api/control", new { command = "pause", args = new[] { "momentum" }, confirm = true });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal("controls need the dashboard on a node", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString());
    }
}
