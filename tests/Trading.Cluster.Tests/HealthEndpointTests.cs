using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Trading.Cluster.Health;
using Trading.Cluster.Hosting;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Tests;

/// <summary>The health endpoints over real HTTP against a real cluster node (127.0.0.1, port 0, joining itself).</summary>
public sealed class HealthEndpointTests
{
    private static ActorSystem ClusterNode(string role) => ActorSystem.Create("health", ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster.roles = [{{role}}]
        akka.coordinated-shutdown.exit-clr = off
        """));

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<(HttpStatusCode Code, JsonElement Body)> Get(HealthEndpoint e, string path)
    {
        using var r = await Http.GetAsync($"http://127.0.0.1:{e.Port}{path}");
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(text.StartsWith('{'), $"{path}: {(int)r.StatusCode} '{text}'");
        return (r.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Stands in for the lead's status actor: answers <see cref="GetClusterStatus"/> with a fixed view.</summary>
    private sealed class StatusStub : ReceiveActor
    {
        public StatusStub(ClusterStatusView view) => Receive<GetClusterStatus>(_ => Sender.Tell(view));
    }

    [Fact]
    public async Task Live_is_200_ready_waits_for_Up_and_the_journal_and_status_is_the_views_json()
    {
        var system = ClusterNode("trader");
        var journalUp = true;
        var options = new HealthOptions("127.0.0.1", 0, TimeSpan.FromSeconds(1), ClusterRole.Trader)
        {
            JournalCheck = _ => journalUp ? Task.CompletedTask : throw new InvalidOperationException("PostgreSQL at db:5432/trading: connection refused"),
        };
        var endpoint = await HealthEndpoint.StartAsync(system, options, CancellationToken.None);
        try
        {
            var live = await Get(endpoint, "/health/live");
            Assert.Equal(HttpStatusCode.OK, live.Code);
            Assert.True(live.Body.GetProperty("ok").GetBoolean());

            var before = await Get(endpoint, "/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.Code);
            Assert.Contains("not Up", before.Body.GetProperty("reasons")[0].GetString());
            Assert.Equal("trader", before.Body.GetProperty("role").GetString());

            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.Join(cluster.SelfAddress);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            (HttpStatusCode Code, JsonElement Body) ready;
            while ((ready = await Get(endpoint, "/health/ready")).Code != HttpStatusCode.OK && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.Equal(HttpStatusCode.OK, ready.Code);
            Assert.Equal("Up", ready.Body.GetProperty("member").GetString());
            Assert.Equal(cluster.SelfAddress.ToString(), ready.Body.GetProperty("address").GetString());

            // A trader whose journal does not answer cannot take over: not ready, and the body says why.
            journalUp = false;
            var noJournal = await Get(endpoint, "/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, noJournal.Code);
            Assert.Equal("journal: PostgreSQL at db:5432/trading: connection refused", noJournal.Body.GetProperty("reasons")[0].GetString());
            journalUp = true;

            // No status actor yet: 503 with the reason; then the view as JSON.
            var none = await Get(endpoint, "/health/status");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, none.Code);
            Assert.Contains("no answer from /user/cluster-status", none.Body.GetProperty("error").GetString());
            var view = new ClusterStatusView(cluster.SelfAddress.ToString(), "trader",
                [new ClusterMemberView(cluster.SelfAddress.ToString(), ["trader"], "Up", true, true)],
                cluster.SelfAddress.ToString(), "acct", cluster.SelfAddress.ToString(), 7, new DateTime(2026, 1, 5, 1, 30, 0, DateTimeKind.Utc), null, null, "connected");
            system.ActorOf(Props.Create(() => new StatusStub(view)), "cluster-status");
            var status = await Get(endpoint, "/health/status");
            Assert.Equal(HttpStatusCode.OK, status.Code);
            Assert.Equal(7, status.Body.GetProperty("epoch").GetInt64());
            Assert.Equal("acct", status.Body.GetProperty("accountId").GetString());
            Assert.Equal("Up", status.Body.GetProperty("members")[0].GetProperty("status").GetString());
            Assert.True(status.Body.GetProperty("members")[0].GetProperty("isPrimary").GetBoolean());

            await system.Terminate();
            var dead = await Get(endpoint, "/health/live");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, dead.Code);
            Assert.Equal("the actor system has terminated", dead.Body.GetProperty("reasons")[0].GetString());
        }
        finally
        {
            await endpoint.DisposeAsync();
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_witness_is_ready_without_a_journal_and_an_unreachable_postgres_is_named_without_its_password()
    {
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var port = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        var check = JournalChecks.Postgres($"Host=127.0.0.1;Port={port};Database=trading;Username=trader;Password=s3cret-pw;Timeout=3");

        var system = ClusterNode("witness");
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var up = new TaskCompletionSource();
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            cluster.Join(cluster.SelfAddress);
            await up.Task.WaitAsync(TimeSpan.FromSeconds(20));

            var witness = new HealthOptions("127.0.0.1", 0, TimeSpan.FromSeconds(4), ClusterRole.Witness) { JournalCheck = check };
            // The member-up callback can run before the cluster's read view (what the check reads) says Up: poll briefly.
            HealthReport ready;
            var until = DateTime.UtcNow.AddSeconds(10);
            while (!(ready = await HealthChecks.ReadyAsync(system, witness, CancellationToken.None)).Ok && DateTime.UtcNow < until) await Task.Delay(100);
            Assert.True(ready.Ok, string.Join("; ", ready.Reasons));

            var trader = witness with { Role = ClusterRole.Trader };
            var report = await HealthChecks.ReadyAsync(system, trader, CancellationToken.None);
            Assert.False(report.Ok);
            var reason = Assert.Single(report.Reasons);
            Assert.StartsWith($"journal: PostgreSQL at 127.0.0.1:{port}/trading as trader: ", reason);
            Assert.DoesNotContain("s3cret-pw", reason);
            Assert.DoesNotContain('\n', reason);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_address()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var system = ActorSystem.Create("health-bind", "akka.loglevel = WARNING");
        try
        {
            var e = await Assert.ThrowsAsync<IOException>(() =>
                HealthEndpoint.StartAsync(system, new HealthOptions("127.0.0.1", port, TimeSpan.FromSeconds(1), ClusterRole.Worker), CancellationToken.None));
            Assert.StartsWith($"health endpoint 127.0.0.1:{port}: ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            taken.Stop();
            await system.Terminate();
        }
    }

    [Fact]
    public async Task AddTradingHealth_starts_with_the_nodes_host_after_its_actor_system_and_stops_with_it()
    {
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var port = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();
        var file = ConfigurationFactory.ParseString($"trading.cluster {{ role = witness, port = 0, health {{ port = {port} }} }}");
        var cluster = ClusterSettings.FromConfig(file, "/etc/trading/witness.conf", "acct", _ => null)!;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("health-hosted", (akka, _) => akka.AddHocon(
            "akka.loglevel = WARNING\nakka.actor.provider = cluster\nakka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }", HoconAddMode.Prepend));
        builder.Services.AddTradingHealth(cluster, journalCheck: null);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var live = await Http.GetAsync($"http://127.0.0.1:{port}/health/live");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            using var ready = await Http.GetAsync($"http://127.0.0.1:{port}/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode); // never joined: not Up
        }
        finally
        {
            await host.StopAsync();
        }
        await Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync($"http://127.0.0.1:{port}/health/live"));
    }

    [Fact]
    public void Health_off_adds_nothing_to_the_host()
    {
        var cluster = ClusterSettings.FromConfig(ConfigurationFactory.ParseString("trading.cluster { role = worker, health { port = 0 } }"), "/n.conf", "a", _ => null)!;
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddTradingHealth(cluster, null);
        Assert.Empty(services);
    }

    private static HealthOptions? Parse(string hocon, Dictionary<string, string>? env = null) =>
        HealthOptions.FromConfig(ConfigBlock.Root(ConfigurationFactory.ParseString(hocon), "/etc/trading/node.conf").Block("trading.cluster.health", null),
            ClusterRole.Trader, k => env is not null && env.TryGetValue(k, out var v) ? v : null);

    [Fact]
    public void Defaults_port_zero_off_and_environment_overrides()
    {
        // No health block: no endpoint (two nodes on one host would collide on a default port); a block without a port: 8558.
        Assert.Null(Parse("trading.cluster { role = trader }"));
        Assert.Equal(new HealthOptions("127.0.0.1", 8558, TimeSpan.FromSeconds(2), ClusterRole.Trader), Parse("trading.cluster.health { hostname = \"127.0.0.1\" }"));
        Assert.Null(Parse("trading.cluster.health { port = 0 }"));
        Assert.Equal(new HealthOptions("0.0.0.0", 9000, TimeSpan.FromMilliseconds(500), ClusterRole.Trader),
            Parse("trading.cluster.health { port = 8558, hostname = \"0.0.0.0\", timeout = 500ms }", new() { [HealthOptions.PortVariable] = "9000" }));
        Assert.Equal("10.1.2.3", Parse("trading.cluster.health { port = 8600 }", new() { [HealthOptions.HostVariable] = "10.1.2.3" })!.Hostname);
        Assert.Null(Parse("trading.cluster.health { port = 8600 }", new() { [HealthOptions.PortVariable] = "0" }));
    }

    [Theory]
    [InlineData("trading.cluster.health { port = 70000 }", null, "'trading.cluster.health.port'")]
    [InlineData("trading.cluster.health { port = eighty }", null, "'trading.cluster.health.port'")]
    [InlineData("trading.cluster.health { hostname = \"health.example.com\" }", null, "'trading.cluster.health.hostname' = 'health.example.com' must be an IP address")]
    [InlineData("trading.cluster.health { timeout = 5 }", null, "'trading.cluster.health.timeout' = '5' must be a duration")]
    [InlineData("trading.cluster.health { prot = 1 }", null, "unknown key 'trading.cluster.health.prot'")]
    [InlineData("trading.cluster.health { }", "-1", "TRADING_HEALTH_PORT = '-1' must be a port")]
    public void Bad_health_settings_are_one_line_naming_the_key(string hocon, string? envPort, string expected)
    {
        var env = envPort is null ? null : new Dictionary<string, string> { [HealthOptions.PortVariable] = envPort };
        var e = Assert.Throws<ConfigException>(() => Parse(hocon, env));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
