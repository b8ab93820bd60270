using Akka.Actor;
using Akka.Configuration;

namespace Trading.Runtime;

public enum JournalKind
{
    /// <summary>Backtests: in memory.</summary>
    InMemory,
    /// <summary>A single node: SQLite file through Akka.Persistence.Sql.</summary>
    Sqlite,
}

/// <summary>Builds an ActorSystem from the project's HOCON (embedded copies of hocon/*.conf) plus overrides.</summary>
public static class TradingSystem
{
    public static Config LoadConfig(JournalKind journal, string? sqlitePath = null, string? extra = null)
    {
        var baseConf = ConfigurationFactory.ParseString(ReadEmbedded("base.conf"));
        var persistence = ConfigurationFactory.ParseString(ReadEmbedded(journal == JournalKind.Sqlite ? "persistence.sqlite.conf" : "persistence.inmem.conf"));
        var config = persistence.WithFallback(baseConf);
        if (journal == JournalKind.Sqlite)
        {
            var path = sqlitePath ?? "journal.db";
            config = ConfigurationFactory.ParseString($"""
                akka.persistence.journal.sql.connection-string = "Data Source={path}"
                akka.persistence.snapshot-store.sql.connection-string = "Data Source={path}"
                """).WithFallback(config);
        }
        if (!string.IsNullOrWhiteSpace(extra)) config = ConfigurationFactory.ParseString(extra).WithFallback(config);
        return config;
    }

    public static ActorSystem Create(string name, JournalKind journal, string? sqlitePath = null, string? extra = null, Akka.Actor.Setup.Setup? with = null)
    {
        var config = LoadConfig(journal, sqlitePath, extra);
        var setup = Akka.Actor.Setup.ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        if (with is not null) setup = setup.And(with);
        if (journal == JournalKind.InMemory) return ActorSystem.Create(name, setup);
        var sqlite = Persistence.SqliteJournal.Open(config);
        var system = ActorSystem.Create(name, setup.And(sqlite.Setup));
        sqlite.StartCheckpoints(system);
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
