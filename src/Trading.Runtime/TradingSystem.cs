using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace Trading.Runtime;

public enum JournalKind
{
    /// <summary>Backtests: in memory.</summary>
    InMemory,
    /// <summary>A single node: SQLite file through Akka.Persistence.Sql.</summary>
    Sqlite,
    /// <summary>A PostgreSQL server through Akka.Persistence.Sql and Npgsql (connection string from the caller or TRADING_PG_CONNECTION).</summary>
    Postgres,
}

/// <summary>A journal for an actor system: config, plugin setup (null: none), start-up action, a description without secrets.</summary>
public sealed record NodeJournal(Config Config, Akka.Actor.Setup.Setup? Setup, Action<ActorSystem> Started, string Description);

/// <summary>Builds an ActorSystem from the project's HOCON (embedded copies of hocon/*.conf) plus overrides.</summary>
public static class TradingSystem
{
    /// <summary>
    /// The config of a node with this journal. <paramref name="connection"/>: the SQLite file (default journal.db);
    /// for PostgreSQL it stays out of the config (see <see cref="Create"/>).
    /// </summary>
    public static Config LoadConfig(JournalKind journal, string? connection = null, string? extra = null)
    {
        var baseConf = ConfigurationFactory.ParseString(ReadEmbedded("base.conf"));
        var persistence = ConfigurationFactory.ParseString(ReadEmbedded(journal switch
        {
            JournalKind.Sqlite => "persistence.sqlite.conf",
            JournalKind.Postgres => "persistence.postgres.conf",
            _ => "persistence.inmem.conf",
        }));
        var config = persistence.WithFallback(baseConf);
        if (journal == JournalKind.Sqlite)
        {
            var path = connection ?? "journal.db";
            config = ConfigurationFactory.ParseString($"""
                akka.persistence.journal.sql.connection-string = "Data Source={path}"
                akka.persistence.snapshot-store.sql.connection-string = "Data Source={path}"
                akka.persistence.query.journal.sql.connection-string = "Data Source={path}"
                """).WithFallback(config);
        }
        if (!string.IsNullOrWhiteSpace(extra)) config = ConfigurationFactory.ParseString(extra).WithFallback(config);
        return config;
    }

    /// <summary>
    /// An actor system with this journal. <paramref name="connection"/>: the SQLite file, or the PostgreSQL connection
    /// string (null: TRADING_PG_CONNECTION), which goes to the plugins in the setup, never into the config. A
    /// PostgreSQL server that cannot be reached or refuses the login fails here, before any actor starts
    /// (<see cref="Persistence.JournalUnavailableException"/>, one line naming host:port/database, not the password).
    /// </summary>
    public static ActorSystem Create(string name, JournalKind journal, string? connection = null, string? extra = null, Akka.Actor.Setup.Setup? with = null)
    {
        var j = Journal(journal, connection, extra);
        var setup = Akka.Actor.Setup.ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(j.Config));
        if (with is not null) setup = setup.And(with);
        if (j.Setup is not null) setup = setup.And(j.Setup);
        var system = ActorSystem.Create(name, setup);
        j.Started(system);
        return system;
    }

    /// <summary>
    /// What an actor system needs for this journal: its config, the plugins' setup (connection strings kept out of the
    /// config) and what to do once the system runs. <see cref="Create"/> uses it, and so does a generic host's
    /// Akka.Hosting builder (<c>AddHocon</c>, <c>AddSetup</c>, <c>AddStartup</c>).
    /// </summary>
    public static NodeJournal Journal(JournalKind journal, string? connection = null, string? extra = null)
    {
        var config = LoadConfig(journal, connection, extra);
        switch (journal)
        {
            case JournalKind.InMemory:
                return new NodeJournal(config, null, _ => { }, "in memory");
            case JournalKind.Postgres:
                var postgres = Persistence.PostgresJournal.Open(config, connection);
                return new NodeJournal(config, postgres.Setup, system =>
                {
                    system.Log.Info("Journal: PostgreSQL at {0}", postgres.Description);
                    Akka.Persistence.Sql.SqlPersistence.Get(system);
                }, $"PostgreSQL at {postgres.Description}");
            default:
                var sqlite = Persistence.SqliteJournal.Open(config);
                return new NodeJournal(config, sqlite.Setup, system =>
                {
                    sqlite.StartCheckpoints(system);
                    // Loads Akka.Persistence.Sql's own defaults (table names, plugin classes) before any persistent actor starts.
                    Akka.Persistence.Sql.SqlPersistence.Get(system);
                }, $"SQLite {connection ?? "journal.db"}");
        }
    }

    public static string ReadEmbedded(string file)
    {
        var asm = typeof(TradingSystem).Assembly;
        var resource = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"HOCON '{file}' is not embedded in {asm.GetName().Name}.");
        using var s = asm.GetManifestResourceStream(resource)!;
        return new StreamReader(s).ReadToEnd();
    }
}
