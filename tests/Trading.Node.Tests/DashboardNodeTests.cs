using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Trading.Dashboard.Auth;
using Trading.Runtime.ReadModels;

namespace Trading.Node.Tests;

/// <summary>
/// A paper node with a <c>trading.dashboard</c> block serves the dashboard, and its controls reach the running brain
/// through the node's local control endpoint: pause/resume a strategy, the kill switch, cancel-all, reconcile, ack —
/// each audited in the dashboard's trail and, through the node's journal, in rm_audit beside the console's.
/// </summary>
[Collection("console")]
public class DashboardNodeTests
{
    private const string Password = "node test password";

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task Every_control_from_the_dashboard_reaches_the_paper_nodes_brain_and_is_audited_in_both_trails()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "30", "--days", "60", "--seed", "5", "--store", store);
        Assert.True(exit == 0, err);
        await File.WriteAllTextAsync(Path.Combine(dir, "strategy.conf"),
            "strategy { name = dash-test, factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ], top-n = 5, buffer = 6, rebalance = weekly, universe { min-listed-days = 0, min-average-amount = 0 } }");
        var port = FreePort();
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(node, $$"""
            trading {
              account-id = "dash-test"
              node {
                mode = paper, strategy = "strategy.conf", store = "{{store.Replace("\\", "/")}}", data-dir = "node-data", journal = sqlite
                paper { replay-day = last, start-at = "08:40", speed = 1, exit-after-close = off }
              }
              dashboard { bind = "127.0.0.1:{{port}}" }
            }
            """);
        var database = ReadModelDatabase.Sqlite(Path.Combine(Directory.CreateDirectory(Path.Combine(dir, "node-data")).FullName, "journal.db"));
        var users = new DashboardUsers(database, TimeProvider.System);
        await users.AddAsync("root", "admin", Password);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var running = Task.Run(() => Program.RunAsync(["node", "--config", node], stop.Token));
        try
        {
            var jar = new CookieContainer();
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30),
            };
            string page = "";
            for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
            {
                Assert.False(running.IsCompleted, "the node stopped before its dashboard answered");
                try
                {
                    page = await http.GetStringAsync("/login");
                    break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            }
            var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
            var login = await http.PostAsync("/login", new FormUrlEncodedContent([new("username", "root"), new("password", Password), new("__RequestVerificationToken", token)]));
            Assert.Equal("/", login.Headers.Location?.OriginalString);
            var csrf = (await http.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("csrf").GetString()!;

            async Task<JsonElement> Control(string command, params string[] args)
            {
                var req = new HttpRequestMessage(HttpMethod.Post, "/api/control") { Content = JsonContent.Create(new { command, args, confirm = true }) };
                req.Headers.Add("X-CSRF-TOKEN", csrf);
                var r = await http.SendAsync(req);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                return await r.Content.ReadFromJsonAsync<JsonElement>();
            }

            var pause = await Control("pause", "dash-test");
            Assert.True(pause.GetProperty("ok").GetBoolean(), pause.ToString());
            Assert.True(pause.GetProperty("json").GetProperty("paused").GetBoolean());
            Assert.True((await Control("resume", "dash-test")).GetProperty("json").GetProperty("allPaused").GetArrayLength() == 0);
            var kill = (await Control("kill", "on", "test")).GetProperty("json");
            Assert.True(kill.GetProperty("killSwitchEngaged").GetBoolean());
            Assert.Equal("dashboard root: test", kill.GetProperty("reason").GetString()); // the brain's journal says through what
            Assert.False((await Control("kill", "off")).GetProperty("json").GetProperty("killSwitchEngaged").GetBoolean());
            Assert.True((await Control("cancel-all")).GetProperty("ok").GetBoolean());
            Assert.True((await Control("ack")).GetProperty("ok").GetBoolean());
            Assert.True((await Control("reconcile")).TryGetProperty("text", out _));
            var failover = await Control("failover");
            Assert.False(failover.GetProperty("ok").GetBoolean());
            Assert.Contains("not a cluster node", failover.GetProperty("text").GetString());

            // The console's trail: the endpoint journals each entry (tag audit), the node projects it into rm_audit.
            var readModels = new ReadModels(database);
            IReadOnlyList<AuditRow> rows = [];
            for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(250))
            {
                rows = (await readModels.AuditAsync()).Where(a => a.Actor == "dashboard:root").ToArray();
                if (rows.Count >= 8) break;
            }
            Assert.Equal(["dashboard ack", "dashboard cancel-all", "dashboard failover", "dashboard kill", "dashboard pause", "dashboard reconcile", "dashboard resume"],
                rows.Select(r => r.Action).Distinct().Order(StringComparer.Ordinal));
            var trail = await new Trading.Dashboard.Audit.DashboardAudit(database, TimeProvider.System).RecentAsync();
            Assert.Equal(8, trail.Count(a => a is { User: "root", Action: "control" }));
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }
}
