using Akka.Actor;
using Npgsql;
using Serilog;
using Serilog.Core;
using Trading.Runtime.Actors;
using Trading.Runtime.Persistence;
using LogEvent = Serilog.Events.LogEvent;

namespace Trading.Runtime.Tests.Actors;

/// <summary>The PostgreSQL journal's connection handling: the password stays out of logs, errors and the config.</summary>
[Collection("serilog-static")]
public class PostgresJournalTests
{
    private sealed class Collect : ILogEventSink
    {
        public readonly List<LogEvent> Events = [];
        public void Emit(LogEvent e) { lock (Events) Events.Add(e); }

        public string Text()
        {
            lock (Events)
                return string.Join('\n', Events.Select(e => $"{e.RenderMessage()} {string.Join(' ', e.Properties.Select(p => $"{p.Key}={p.Value}"))} {e.Exception}"));
        }
    }

    [PostgresFact]
    public async Task A_wrong_password_fails_in_one_line_naming_the_server_and_no_password_reaches_logs_or_errors()
    {
        var real = new NpgsqlConnectionStringBuilder(PostgresServer.Connection());
        var wrong = new NpgsqlConnectionStringBuilder(real.ConnectionString) { Password = "wrong-" + Guid.NewGuid().ToString("N") };
        var sink = new Collect();
        var previous = Log.Logger;
        Log.Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        try
        {
            const string Verbose = "akka.loglevel = DEBUG\nakka.log-config-on-start = on";
            var e = Assert.Throws<JournalUnavailableException>(() => TradingSystem.Create("pw-wrong", JournalKind.Postgres, wrong.ConnectionString, Verbose));
            Assert.DoesNotContain('\n', e.Message);
            Assert.StartsWith($"PostgreSQL journal at {real.Host}:{real.Port}/{real.Database} as {real.Username}: ", e.Message);
            Assert.Contains("password authentication failed", e.Message);
            Assert.False(e.ToString().Contains(wrong.Password!), "the exception shows the password");

            // With the right password the node says where its journal is — and still not the password, even with
            // Akka's whole config printed at start and a write and a recovery through the journal.
            using (var system = TradingSystem.Create("pw-right", JournalKind.Postgres, real.ConnectionString, Verbose))
            {
                var book = system.ActorOf(PositionBookActor.Props("pw"));
                await book.Ask<Runtime.Messages.Deposited>(new Runtime.Messages.Deposit(1_000m, "seed"), TimeSpan.FromSeconds(20));
                await system.Terminate();
            }
            var logged = sink.Text();
            Assert.Contains("Journal: PostgreSQL at", logged);
            Assert.Contains($"{real.Host}:{real.Port}/{real.Database} as {real.Username}", logged);
            Assert.Contains("akka.persistence", logged); // the printed config is in there
            // (Assert.False, not DoesNotContain: a failure must not print the password into the test log either.)
            Assert.False(logged.Contains(real.Password!), "the log output shows the password");
            Assert.False(logged.Contains(wrong.Password!), "the log output shows the wrong password");
        }
        finally
        {
            Log.Logger = previous;
        }
    }

    [PostgresFact]
    public void A_server_that_does_not_answer_is_named_with_its_port()
    {
        var real = new NpgsqlConnectionStringBuilder(PostgresServer.Connection());
        // A port on which nothing listens (just freed by the OS): the connection is refused.
        var closed = new NpgsqlConnectionStringBuilder(real.ConnectionString) { Port = FreePort(), Timeout = 5 };
        var e = Assert.Throws<JournalUnavailableException>(() => TradingSystem.Create("pw-closed", JournalKind.Postgres, closed.ConnectionString, "akka.loglevel = WARNING"));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"PostgreSQL journal at {real.Host}:{closed.Port}/{real.Database} as {real.Username}: ", e.Message);
        Assert.False(e.ToString().Contains(real.Password!), "the exception shows the password");
    }

    [PostgresFact]
    public async Task Journal_sessions_commit_as_configured_whatever_the_servers_default()
    {
        async Task<string> Setting(string extra)
        {
            var journal = PostgresJournal.Open(TradingSystem.LoadConfig(JournalKind.Postgres, extra: extra), PostgresServer.Connection());
            await using var c = new NpgsqlConnection(journal.ConnectionString);
            await c.OpenAsync();
            await using var q = new NpgsqlCommand("SHOW synchronous_commit", c);
            return (string)(await q.ExecuteScalarAsync())!;
        }
        // (scripts/test.sh's server runs with synchronous_commit = off.)
        Assert.Equal("on", await Setting(""));
        Assert.Equal("local", await Setting("trading.journal.postgres.synchronous-commit = local"));
    }

    [Fact]
    public void A_missing_or_malformed_connection_string_is_a_config_error_without_its_secret()
    {
        var config = TradingSystem.LoadConfig(JournalKind.Postgres);
        var missing = Assert.Throws<Akka.Configuration.ConfigurationException>(() => PostgresJournal.Open(config, " "));
        Assert.Contains(PostgresJournal.ConnectionVariable, missing.Message);
        // A ';' inside an unquoted password splits it: the tail would be an unknown keyword — and must not be shown.
        var malformed = Assert.Throws<Akka.Configuration.ConfigurationException>(() => PostgresJournal.Open(config, "Host=db;Username=u;Password=abc;tailofsecret=1"));
        Assert.DoesNotContain("tailofsecret", malformed.ToString());
        Assert.Contains("not a valid Npgsql connection string", malformed.Message);
        // The config itself never carries a connection string for PostgreSQL.
        Assert.Equal("", config.GetString("akka.persistence.journal.sql.connection-string", ""));
        var bad = TradingSystem.LoadConfig(JournalKind.Postgres, extra: "trading.journal.postgres.synchronous-commit = sometimes");
        var setting = Assert.Throws<Akka.Configuration.ConfigurationException>(() => PostgresJournal.Open(bad, "Host=db;Username=u;Password=p"));
        Assert.Contains("trading.journal.postgres.synchronous-commit", setting.Message);
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
