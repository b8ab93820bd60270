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
        var config = LoadConfig(journal, connection, extra);
        var setup = Akka.Actor.Setup.ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        if (with is not null) setup = setup.And(with);
        if (journal == JournalKind.InMemory) return ActorSystem.Create(name, setup);
        ActorSystem system;
        if (journal == JournalKind.Postgres)
        {
            var postgres = Persistence.PostgresJournal.Open(config, connection);
            system = ActorSystem.Create(name, setup.And(postgres.Setup));
            system.Log.Info("Journal: PostgreSQL at {0}", postgres.Description);
        }
        else
        {
            var sqlite = Persistence.SqliteJournal.Open(config);
            system = ActorSystem.Create(name, setup.And(sqlite.Setup));
            sqlite.StartCheckpoints(system);
        }
        // Loads Akka.Persistence.Sql's own defaults (table names, plugin classes) before any persistent actor starts.
        Akka.Persistence.Sql.SqlPersistence.Get(system);
        return system;
    }

    private static string ReadEmbedded(string file)
    {
        var asm = typeof(TradingSystem).Assembly;
        var resource = asm.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"HOCON '{file}' is not embedded in {asm.GetName().Name}.");
        using var s = asm.GetManifestResourceStream(resource)!;
        return new StreamReader(s).ReadToEnd();
    }
}
