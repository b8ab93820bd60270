using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;
using Npgsql;
using Trading.Cluster.Lease;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Tests.Lease;

/// <summary>The Akka lease over the real PostgreSQL: heartbeat, loss, the local CheckLease, and Akka's LeaseProvider.</summary>
public class PostgresLeaseTests
{
    private static async Task Until(Func<bool> condition, TimeSpan within, string what)
    {
        var end = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > end) Assert.Fail($"not within {within.TotalSeconds:0.#} s: {what}");
            await Task.Delay(20);
        }
    }

    [PostgresFact]
    public async Task The_heartbeat_keeps_the_lease_beyond_its_ttl_and_release_frees_it()
    {
        var name = LeaseDatabase.NewName();
        var lease = LeaseDatabase.Lease(name, "node-a", TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500));
        await using var store = LeaseDatabase.Store();
        Assert.Equal(0, lease.Token);
        Assert.True(await lease.Acquire(_ => Assert.Fail("lost")));
        var token = lease.Token;
        Assert.True(token > 0);
        await Task.Delay(4000); // longer than the ttl: only the heartbeat keeps it
        Assert.True(lease.CheckLease());
        Assert.Equal(token, lease.Token);
        Assert.Null(await store.AcquireAsync(name, "node-b", TimeSpan.FromSeconds(1)));
        Assert.True((await store.CurrentAsync(name))!.SecondsLeft > 1);
        Assert.True(await lease.Release());
        Assert.False(lease.CheckLease());
        Assert.Equal(0, lease.Token);
        Assert.Equal(token + 1, await store.AcquireAsync(name, "node-b", TimeSpan.FromSeconds(1)));
    }

    [PostgresFact]
    public async Task A_stale_owner_renew_is_refused_after_a_takeover_and_its_lost_callback_runs_once()
    {
        var name = LeaseDatabase.NewName();
        // The first renew comes 2 s after the acquire: the takeover below happens before it.
        var lease = LeaseDatabase.Lease(name, "node-a", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));
        await using var store = LeaseDatabase.Store();
        var lost = new List<Exception>();
        Assert.True(await lease.Acquire(e => { lock (lost) lost.Add(e); }));
        var token = lease.Token;
        // A partition long enough for the row to expire, and node-b takes over.
        await LeaseDatabase.ExecuteAsync("UPDATE trading_lease SET expires_at = now() - interval '1 second' WHERE name = @name", name);
        Assert.Equal(token + 1, await store.AcquireAsync(name, "node-b", TimeSpan.FromSeconds(5)));
        Assert.True(lease.CheckLease()); // node-a cannot know yet: its next renew tells it
        await Until(() => { lock (lost) return lost.Count > 0; }, TimeSpan.FromSeconds(4), "the lost callback");
        Assert.False(lease.CheckLease());
        Assert.Equal(0, lease.Token);
        Assert.Contains("refused", Assert.Single(lost).Message);
        Assert.IsAssignableFrom<LeaseException>(lost[0]);
        await Task.Delay(500);
        lock (lost) Assert.Single(lost);
        Assert.False(await lease.Release()); // not ours any more: node-b keeps it
        Assert.Equal("node-b", (await store.CurrentAsync(name))!.Owner);
    }

    [PostgresFact]
    public async Task After_a_pause_longer_than_the_ttl_CheckLease_is_false_at_once_without_a_database_call()
    {
        var name = LeaseDatabase.NewName();
        var clock = new PausableClock();
        await using var store = LeaseDatabase.Store();
        // A heartbeat of 4 s: none falls inside this test's few milliseconds after the pause.
        var lease = LeaseDatabase.Lease(name, "node-a", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4), clock, store);
        int lost = 0;
        Assert.True(await lease.Acquire(_ => Interlocked.Increment(ref lost)));
        Assert.True(lease.CheckLease());
        clock.Pause(TimeSpan.FromSeconds(9)); // past ttl minus the safety margin (8 s), still inside the database's ttl
        var statements = store.Statements;
        Assert.False(lease.CheckLease());
        Assert.Equal(0, lease.Token);
        Assert.Equal(statements, store.Statements);
        Assert.Equal(1, lost);
        Assert.False(lease.CheckLease());
        Assert.Equal(1, lost);
        // The database still has it as ours: a release frees it for the standby before its ttl.
        Assert.Equal("node-a", (await store.CurrentAsync(name))!.Owner);
        Assert.True(await lease.Release());
        Assert.Null((await store.CurrentAsync(name))!.Owner);
    }

    [PostgresFact]
    public async Task The_local_ttl_passing_without_a_successful_renew_loses_the_lease()
    {
        var name = LeaseDatabase.NewName();
        // The database stops answering in time: every renew times out; the lease must be given up at ttl minus margin.
        await using var store = PostgresLeaseStore.Open(LeaseDatabase.Connection, TimeSpan.FromSeconds(1), "TRADING_PG_CONNECTION");
        var lease = LeaseDatabase.Lease(name, "node-a", TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500), store: store);
        int lost = 0;
        Assert.True(await lease.Acquire(_ => Interlocked.Increment(ref lost)));
        var started = DateTime.UtcNow;
        await using (var c = new NpgsqlConnection(LeaseDatabase.Connection))
        {
            await c.OpenAsync();
            await using var tx = await c.BeginTransactionAsync();
            await using var q = new NpgsqlCommand("SELECT 1 FROM trading_lease WHERE name = @name FOR UPDATE", c, tx);
            q.Parameters.AddWithValue("name", name);
            await q.ExecuteScalarAsync(); // renews now wait on this row lock
            await Until(() => Volatile.Read(ref lost) == 1, TimeSpan.FromSeconds(5), "the lost callback");
            // Given up at ttl minus the margin (2.4 s), before the database would let another owner in (3 s).
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), "lost only after the database's ttl");
            Assert.False(lease.CheckLease());
            await tx.RollbackAsync();
        }
        await Task.Delay(400);
        Assert.Equal(1, lost);
        Assert.False(lease.CheckLease());
    }

    [PostgresFact]
    public async Task LeaseProvider_creates_the_lease_from_its_HOCON_with_the_connection_from_the_setup()
    {
        var name = LeaseDatabase.NewName();
        var settings = new Hosting.LeaseSettings(name, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), null);
        var setup = BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(PostgresLease.Hocon(settings) + "\nakka.loglevel = WARNING"))
            .And(new PostgresLeaseSetup(LeaseDatabase.Connection));
        var system = ActorSystem.Create("lease-provider", setup);
        try
        {
            var lease = Assert.IsType<PostgresLease>(LeaseProvider.Get(system).GetLease(name, PostgresLease.ConfigPath, "node-a:4053"));
            Assert.Equal(TimeSpan.FromSeconds(6), lease.Settings.TimeoutSettings.HeartbeatTimeout);
            Assert.Equal(TimeSpan.FromSeconds(1), lease.Settings.TimeoutSettings.HeartbeatInterval);
            Assert.Equal(TimeSpan.FromSeconds(2), lease.Settings.TimeoutSettings.OperationTimeout);
            Assert.Equal(TimeSpan.FromMilliseconds(4800), lease.Validity);
            Assert.True(await lease.Acquire());
            Assert.True(lease.Token > 0);
            await using var store = LeaseDatabase.Store();
            Assert.Equal("node-a:4053", (await store.CurrentAsync(name))!.Owner);
            Assert.True(await lease.Release());
        }
        finally
        {
            await system.Terminate();
        }
    }

    [PostgresFact]
    public async Task The_connection_string_never_reaches_an_exception_message_or_a_log()
    {
        const string Secret = "Hush-9f1c7e";
        var real = new NpgsqlConnectionStringBuilder(LeaseDatabase.Connection);
        // The right server, a wrong password; then a port nobody listens on.
        var wrong = new NpgsqlConnectionStringBuilder(LeaseDatabase.Connection) { Password = Secret }.ConnectionString;
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var closed = new NpgsqlConnectionStringBuilder(LeaseDatabase.Connection) { Port = closedPort, Password = Secret }.ConnectionString;
        foreach (var connection in new[] { wrong, closed })
        {
            var events = new List<string>();
            var setup = BootstrapSetup.Create()
                .WithConfig(ConfigurationFactory.ParseString(PostgresLease.Hocon(new Hosting.LeaseSettings("x", TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), null))))
                .And(new PostgresLeaseSetup(connection));
            var system = ActorSystem.Create("lease-secret", setup);
            try
            {
                var probe = system.ActorOf(Props.Create(() => new Capture(events)));
                system.EventStream.Subscribe(probe, typeof(LogEvent));
                var lease = LeaseProvider.Get(system).GetLease(LeaseDatabase.NewName(), PostgresLease.ConfigPath, "node-a");
                var e = await Assert.ThrowsAsync<LeaseStoreUnavailableException>(() => lease.Acquire());
                Assert.Contains($"{real.Host}:", e.Message);
                Assert.DoesNotContain('\n', e.Message);
                Assert.DoesNotContain(Secret, e.ToString());
                Assert.DoesNotContain(Secret, setup.ToString()!);
                await Task.Delay(200);
                lock (events) Assert.DoesNotContain(events, x => x.Contains(Secret));
            }
            finally
            {
                await system.Terminate();
            }
        }
        var bad = Assert.Throws<ConfigurationException>(() => PostgresLeaseStore.Open($"Host=h;Password={Secret};Bogus;", TimeSpan.FromSeconds(1), "TRADING_PG_CONNECTION"));
        Assert.DoesNotContain(Secret, bad.Message);
    }

    private sealed class Capture : ReceiveActor
    {
        public Capture(List<string> events) => Receive<LogEvent>(e => { lock (events) events.Add(e.ToString() + " " + e.Cause); });
    }
}

/// <summary>The lease's settings and connection, without a server.</summary>
public class PostgresLeaseSettingsTests
{
    [Fact]
    public void Hocon_writes_the_lease_class_timings_and_the_connection_file_for_LeaseProvider()
    {
        var file = "/etc/trading/lease \"pg\".conn";
        var hocon = PostgresLease.Hocon(new Hosting.LeaseSettings("trader-main", TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(2), file));
        var config = ConfigurationFactory.ParseString(hocon).GetConfig(PostgresLease.ConfigPath);
        var s = LeaseSettings.Create(config, "trader-main", "node-a");
        Assert.Equal(TimeSpan.FromSeconds(6), s.TimeoutSettings.HeartbeatTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), s.TimeoutSettings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), s.TimeoutSettings.OperationTimeout);
        Assert.Equal(file, config.GetString("connection-file"));
        Assert.Equal(typeof(PostgresLease), Type.GetType(config.GetString("lease-class"), throwOnError: true));
    }

    [Fact]
    public void The_connection_comes_from_the_setup_then_an_owner_only_file_then_the_environment()
    {
        if (OperatingSystem.IsWindows()) return; // owner-only is a Unix file mode
        var dir = Directory.CreateTempSubdirectory("lease-conn").FullName;
        try
        {
            var file = Path.Combine(dir, "pg.conn");
            File.WriteAllText(file, "Host=h;Password=FromFile\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Func<string, string?> env = k => k == LeaseConnection.Variable ? "Host=h;Password=FromEnv" : null;
            Assert.Equal("Host=s", LeaseConnection.Resolve("Host=s", file, "'k'", env).Connection);
            Assert.Equal("Host=h;Password=FromFile", LeaseConnection.Resolve(null, file, "'k'", env).Connection);
            Assert.Equal("Host=h;Password=FromEnv", LeaseConnection.Resolve(null, null, "'k'", env).Connection);
            Assert.Contains(LeaseConnection.Variable, Assert.Throws<ConfigException>(() => LeaseConnection.Resolve(null, null, "'k'", _ => null)).Message);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var e = Assert.Throws<ConfigException>(() => LeaseConnection.Resolve(null, file, "'trading.cluster.lease.connection-file'", env));
            Assert.Contains("chmod 600", e.Message);
            Assert.DoesNotContain("FromFile", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_validity_no_longer_than_the_heartbeat_is_refused()
    {
        var config = ConfigurationFactory.ParseString(PostgresLease.Hocon(new Hosting.LeaseSettings("n", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(1), null))
            + $"\n{PostgresLease.ConfigPath}.safety-margin = 1200ms").GetConfig(PostgresLease.ConfigPath);
        var store = PostgresLeaseStore.Open("Host=127.0.0.1;Port=1", TimeSpan.FromSeconds(1), "test");
        var e = Record.Exception(() => new PostgresLease(LeaseSettings.Create(config, "n", "o"), store, NoLogger.Instance, TimeProvider.System));
        Assert.True(e is ConfigurationException, e?.ToString());
        Assert.Contains("safety-margin", e!.Message);
    }

    [Fact]
    public void A_heartbeat_of_half_the_ttl_is_refused_naming_the_key_as_Akka_would_refuse_it()
    {
        var e = Assert.Throws<ConfigException>(() => PostgresLease.Hocon(new Hosting.LeaseSettings("n", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), null)));
        Assert.Contains("trading.cluster.lease.heartbeat-interval", e.Message);
    }
}
