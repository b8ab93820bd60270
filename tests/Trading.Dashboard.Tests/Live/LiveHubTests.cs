using System.Net;
using System.Text.Json;
using Akka.Actor;
using Trading.Cluster.Hosting;
using Trading.Dashboard.Live;
using Trading.Runtime.Messages;

namespace Trading.Dashboard.Tests.Live;

/// <summary>The hub end to end on an in-memory server: snapshot on connect, updates on a read-model change, on Publish and off the event stream.</summary>
public sealed class LiveHubTests
{
    private static readonly LiveOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(100), MaxPushesPerSecond = 5 };

    private static bool Changed(JsonElement update, string section) =>
        update.GetProperty("changed").EnumerateArray().Any(c => c.GetString() == section);

    private static IEnumerable<JsonElement> Events(JsonElement update) => update.GetProperty("events").EnumerateArray();

    [Fact]
    public async Task A_client_gets_the_snapshot_then_an_update_when_the_read_models_change()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();
        await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", db.ReadModels), Fast);
        await using var client = await host.ConnectAsync();

        var body = await client.SnapshotAsync();
        Assert.Equal("main", body.GetProperty("snapshot").GetProperty("accountId").GetString());
        Assert.Equal(2, body.GetProperty("snapshot").GetProperty("trades").GetArrayLength());
        Assert.True(body.GetProperty("sentAt").GetInt64() > DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
        // The feed's first read after a client connects pushes every section once.
        await client.UpdatesUntilAsync(u => Changed(u, "trades"));

        await db.Fill("f3", "o1", "000001.SZ", "Buy", 100, 13.55m, 1m, "2024-06-05", "2024-06-05T11:00:00.0000000");

        var updates = await client.UpdatesUntilAsync(u => Changed(u, "trades"));
        var update = updates[^1];
        var lines = update.GetProperty("sections").GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("text").GetString()).ToList();
        Assert.Equal("11:00:00 买入 000001.SZ 1000股 @ ¥13.55 成交100", lines[0]); // no names given: the symbol stands in
        Assert.True(Changed(update, "overview")); // the cash moved with the fill
        Assert.False(Changed(update, "alerts"));  // nothing else did
        Assert.True(update.GetProperty("seq").GetInt64() > body.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Published_events_reach_every_client_coalesced_into_at_most_the_configured_pushes_a_second()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", db.ReadModels), Fast);
        await using var a = await host.ConnectAsync();
        await using var b = await host.ConnectAsync("bob:admin");
        await a.SnapshotAsync();
        await b.SnapshotAsync();

        var started = DateTime.UtcNow;
        for (var i = 0; i < 50; i++)
        {
            host.Feed.Publish(new LiveEvent("load", DateTime.Now, "info", "test", $"tick {i}"));
            await Task.Delay(10);
        }

        foreach (var client in new[] { a, b })
        {
            var updates = (await client.UpdatesUntilAsync(u => Events(u).Any(e => e.GetProperty("text").GetString() == "tick 49")))
                .Where(u => Events(u).Any()).ToList();
            var texts = updates.SelectMany(Events).Select(e => e.GetProperty("text").GetString()).ToList();
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"tick {i}"), texts);
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            // 50 events in about half a second at most 5 pushes a second: a handful of messages, not 50.
            Assert.InRange(updates.Count, 1, (int)Math.Ceiling(seconds * Fast.MaxPushesPerSecond) + 1);
            var seqs = updates.Select(u => u.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
    }

    [Fact]
    public async Task Alerts_and_brain_events_on_the_nodes_event_stream_are_pushed_at_once()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        var system = ActorSystem.Create("dashboard-live-test", "akka.loglevel = WARNING");
        try
        {
            await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", db.ReadModels) { System = system }, Fast);
            await using var client = await host.ConnectAsync();
            var snapshot = await client.SnapshotAsync();
            Assert.Equal("single", snapshot.GetProperty("snapshot").GetProperty("cluster").GetProperty("mode").GetString());

            // The listener subscribes as the host starts; publish until it hears (bounded by UpdatesUntilAsync's timeout).
            using var publishing = new CancellationTokenSource();
            var publisher = Task.Run(async () =>
            {
                while (!publishing.IsCancellationRequested)
                {
                    system.EventStream.Publish(new RiskAlert(DateTime.Now, "kill-switch", "risk-guard", "engaged: drill", AccountId: "main"));
                    system.EventStream.Publish(new RiskAlert(DateTime.Now, "kill-switch", "risk-guard", "another account's", AccountId: "other"));
                    system.EventStream.Publish(new BrainStarted("main", 7, "akka.tcp://trading@10.0.0.2:4053", DateTime.Now));
                    await Task.Delay(100);
                }
            });
            var updates = await client.UpdatesUntilAsync(u => Events(u).Any(e => e.GetProperty("kind").GetString() == "brain-started"));
            await publishing.CancelAsync();
            await publisher;
            var events = updates.SelectMany(Events).ToList();
            var alert = events.First(e => e.GetProperty("kind").GetString() == "kill-switch");
            Assert.Equal("critical", alert.GetProperty("severity").GetString());
            Assert.Equal("engaged: drill", alert.GetProperty("text").GetString());
            Assert.DoesNotContain(events, e => e.GetProperty("text").GetString() == "another account's");
            Assert.Contains("epoch 7", events.First(e => e.GetProperty("kind").GetString() == "brain-started").GetProperty("text").GetString());
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task The_hub_and_the_snapshot_need_a_viewer()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", db.ReadModels), Fast);

        using var anonymous = host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(LiveDashboard.HubPath + "/negotiate?negotiateVersion=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/snapshot")).StatusCode);
        using var stranger = host.Client("eve:guest");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/api/snapshot")).StatusCode);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => host.ConnectAsync("eve:guest"));

        using var viewer = host.Client("ann:viewer");
        var response = await viewer.GetAsync("/api/snapshot");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("main", json.RootElement.GetProperty("accountId").GetString());
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_is_a_503_with_one_line()
    {
        var missing = Trading.Runtime.ReadModels.ReadModelDatabase.Sqlite(Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "journal.db"));
        await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", new Trading.Runtime.ReadModels.ReadModels(missing)), Fast);
        using var viewer = host.Client("ann:viewer");

        var response = await viewer.GetAsync("/api/snapshot");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("journal database", text);
        Assert.DoesNotContain("\\n   at ", text);
    }
}
