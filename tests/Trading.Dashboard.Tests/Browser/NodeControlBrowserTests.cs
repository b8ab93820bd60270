using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PlaywrightAssertions = Microsoft.Playwright.Assertions;
using Trading.Bench.Workloads;
using Trading.Cluster.Control;
using Trading.Dashboard.Audit;
using Trading.Runtime;
using Trading.Runtime.Messages;

namespace Trading.Dashboard.Tests.Browser;

/// <summary>
/// A control clicked in the browser on a dashboard served by a node: the node's control endpoint at /user/control (as a
/// node starts it) in front of a stand-in brain. The confirmed click reaches the brain as the console's
/// <see cref="ControlCall"/> with the user and role, its answer is shown on the page, and both audit trails have it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NodeControlBrowserTests(BrowserFixture fixture) : Akka.TestKit.Xunit2.TestKit(TradingSystem.LoadConfig(JournalKind.InMemory))
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_confirmed_pause_clicked_by_an_operator_reaches_the_brain_and_its_answer_is_shown_and_audited()
    {
        var (brain, consoleAudit) = (CreateTestProbe(), CreateTestProbe());
        Sys.ActorOf(ControlEndpointActor.Props(new ControlEndpointSetup(brain.Ref, new ConsoleUsers([]), TimeSpan.FromSeconds(10)) { Audit = consoleAudit.Ref }),
            "control");
        await using var site = await DashboardSite.StartAsync(system: Sys);
        var context = await DashboardBrowser.NewContextAsync(fixture.Browser);
        try
        {
            context.SetDefaultTimeout(30_000);
            var page = await context.NewPageAsync();
            var recorder = new PageRecorder(page);
            await DashboardBrowser.LoginAsync(page, site.Url, DashboardSite.Operator, DashboardSite.Password, live: false);
            await page.ClickAsync("#controls-tab");
            await page.FillAsync("#ctl-strategy", "momentum");
            await page.ClickAsync("button[data-command=pause]");
            await PlaywrightAssertions.Expect(page.Locator("#confirm-text")).ToContainTextAsync("momentum");
            await brain.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // nothing before the confirmation
            await page.ClickAsync("#confirm button[value=ok]");

            var call = await brain.ExpectMsgAsync<ControlCall>(Wait);
            Assert.Equal(("pause", DashboardSite.Operator, "operator"), (call.Command, call.User, call.Role));
            Assert.Equal(["momentum"], call.Args);
            brain.Reply(new ControlReply(call.RequestId, true, "momentum paused", "{\"paused\":[\"momentum\"]}"));
            await PlaywrightAssertions.Expect(page.Locator("#control-result")).ToContainTextAsync("200 momentum paused");

            var entry = await consoleAudit.ExpectMsgAsync<AuditEntry>(Wait);
            Assert.Equal(("dashboard:ann", "dashboard pause"), (entry.Actor, entry.Action));
            var audit = await site.App.Services.GetRequiredService<DashboardAudit>().RecentAsync(100);
            Assert.Contains(audit, a => a is { User: DashboardSite.Operator, Action: "control", Ok: true } && a.Detail.Contains("pause momentum → ok"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "control-on-node.png") });
            Assert.True(recorder.Problems.Count == 0, "problems on the page:\n" + string.Join("\n", recorder.Problems));
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
