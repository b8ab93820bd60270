using System.Data.Common;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;

namespace Trading.Runtime.Persistence;

/// <summary>
/// The embedded SQLite journal's settings, which no connection string can carry (trading.journal.sqlite in
/// hocon/persistence.sqlite.conf):
/// <list type="bullet">
/// <item>WAL mode (persistent in the file): a commit appends to the log instead of rewriting pages.</item>
/// <item><c>synchronous = NORMAL</c> on every pooled connection the journal opens (a linq2db interceptor): in WAL
/// mode a commit no longer waits for the disk. A crash of the process loses nothing; a power cut may lose the last
/// commits but never corrupts the file — and the broker session reconciles the day's orders and fills with the
/// broker on every connect, which is where the truth of such a tail lives. <c>FULL</c> restores a sync per commit.</item>
/// <item>Checkpoints off the write path: SQLite's automatic checkpoint runs inside whichever commit crosses the
/// threshold (every ~300 commits here, several milliseconds each — the p99 of the order path); instead a timer
/// checkpoints passively (never blocking writers) every <c>checkpoint-interval</c>, so the log stays small.</item>
/// <item><c>busy_timeout</c>: a connection that finds the file busy waits inside SQLite (short, growing sleeps)
/// instead of Microsoft.Data.Sqlite's retry loop, which sleeps 150 ms between attempts.</item>
/// </list>
/// </summary>
public sealed class SqliteJournal
{
    // The query plugin (the read models' EventsByTag) reads the same database with the same options.
    private static readonly string[] Plugins = ["akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql", "akka.persistence.query.journal.sql"];
    private readonly IReadOnlyList<string> _connectionStrings;
    private readonly TimeSpan _checkpointInterval;

    private SqliteJournal(IReadOnlyList<string> connectionStrings, MultiDataOptionsSetup setup, TimeSpan checkpointInterval)
    {
        _connectionStrings = connectionStrings;
        Setup = setup;
        _checkpointInterval = checkpointInterval;
    }

    /// <summary>The linq2db options of the journal and snapshot store, for the actor system's setup.</summary>
    public MultiDataOptionsSetup Setup { get; }

    /// <summary>Every SQLite file the configured journal plugins use (the node's, the risk guard's) in WAL mode, with the options above.</summary>
    public static SqliteJournal Open(Config config)
    {
        var synchronous = config.GetString("trading.journal.sqlite.synchronous", "NORMAL").ToUpperInvariant();
        if (synchronous is not ("OFF" or "NORMAL" or "FULL" or "EXTRA"))
            throw new ConfigurationException($"trading.journal.sqlite.synchronous must be OFF, NORMAL, FULL or EXTRA, not '{synchronous}'.");
        var interval = config.GetTimeSpan("trading.journal.sqlite.checkpoint-interval", TimeSpan.FromSeconds(1), allowInfinite: false);
        if (interval < TimeSpan.Zero)
            throw new ConfigurationException($"trading.journal.sqlite.checkpoint-interval must not be negative, not {interval}.");
        var plugins = Plugins.Where(p => config.HasPath(p + ".connection-string")).ToList();
        var files = plugins.Select(p => config.GetString(p + ".connection-string")).Distinct().ToList();
        foreach (var file in files) Execute(file, "PRAGMA journal_mode=WAL;");
        // With a checkpoint timer the commits never checkpoint themselves; without one SQLite's default (1,000 pages) stays.
        var pragmas = $"PRAGMA synchronous={synchronous}; PRAGMA wal_autocheckpoint={(interval > TimeSpan.Zero ? 0 : 1000)}; PRAGMA busy_timeout=10000;";
        var setup = new MultiDataOptionsSetup();
        foreach (var plugin in plugins)
            setup.AddDataOptions(plugin, new DataOptions()
                .UseConnectionString(config.GetString(plugin + ".provider-name"), config.GetString(plugin + ".connection-string"))
                .UseInterceptor(new Pragmas(pragmas)));
        return new SqliteJournal(files, setup, interval);
    }

    /// <summary>Passive checkpoints every interval on a connection of their own, until the system terminates (then a last one).</summary>
    public void StartCheckpoints(ActorSystem system)
    {
        if (_checkpointInterval <= TimeSpan.Zero) return;
        var log = Akka.Event.Logging.GetLogger(system, nameof(SqliteJournal));
        int running = 0;
        void Checkpoint()
        {
            if (Interlocked.Exchange(ref running, 1) == 1) return;
            try
            {
                foreach (var file in _connectionStrings) Execute(file, "PRAGMA wal_checkpoint(PASSIVE);");
            }
            catch (Exception e)
            {
                log.Warning(e, "SQLite journal checkpoint failed; the next one retries");
            }
            finally
            {
                Volatile.Write(ref running, 0);
            }
        }
        var timer = new Timer(_ => Checkpoint(), null, _checkpointInterval, _checkpointInterval);
        system.RegisterOnTermination(() =>
        {
            timer.Dispose();
            Checkpoint();
        });
    }

    /// <summary>One statement on a connection of its own.</summary>
    private static void Execute(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal sealed class Pragmas(string sql) : ConnectionInterceptor
    {
        public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
