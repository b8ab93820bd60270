using Akka.Configuration;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using Npgsql;

namespace Trading.Runtime.Persistence;

/// <summary>
/// The PostgreSQL journal (hocon/persistence.postgres.conf): Akka.Persistence.Sql over linq2db's PostgreSQL provider
/// and Npgsql. The connection string (with its password) never enters the HOCON — Akka can print a config
/// (<c>log-config-on-start</c>, config errors) — but travels to the journal and snapshot store in their linq2db
/// options (the actor system's setup). Logs and errors name the server as <see cref="Describe"/> does:
/// host:port/database and user, never the password.
/// </summary>
public sealed class PostgresJournal
{
    /// <summary>The variable a node reads its connection string from when none is given.</summary>
    public const string ConnectionVariable = "TRADING_PG_CONNECTION";

    // The query plugin (the read models' EventsByTag) reads the same database with the same options.
    private static readonly string[] Plugins = ["akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql", "akka.persistence.query.journal.sql"];

    private PostgresJournal(MultiDataOptionsSetup setup, string description, string connectionString)
    {
        Setup = setup;
        Description = description;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string the plugins use (with the password: for tests, never for logs).</summary>
    internal string ConnectionString { get; }

    /// <summary>The linq2db options of the journal and snapshot store, for the actor system's setup.</summary>
    public MultiDataOptionsSetup Setup { get; }

    /// <summary>host:port/database as user — what logs and errors show of the connection.</summary>
    public string Description { get; }

    /// <summary>
    /// Checks the settings and that the server accepts the connection (a node that cannot journal must not start),
    /// then builds the plugins' options. <paramref name="connection"/> null: <see cref="ConnectionVariable"/>.
    /// Throws <see cref="ConfigurationException"/> for a missing or malformed connection string or a bad setting and
    /// <see cref="JournalUnavailableException"/> when the server cannot be reached or refuses the login — one-line
    /// messages without the password.
    /// </summary>
    public static PostgresJournal Open(Config config, string? connection)
    {
        connection ??= Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new ConfigurationException($"the PostgreSQL journal needs a connection string: set {ConnectionVariable} (Host=…;Port=…;Database=…;Username=…;Password=…)");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Not e.Message: a stray ';' in a password would show part of it as an "unknown keyword".
            throw new ConfigurationException($"{ConnectionVariable} (or the given connection) is not a valid Npgsql connection string: expected Host=…;Port=…;Database=…;Username=…;Password=…");
        }
        var synchronousCommit = config.GetString("trading.journal.postgres.synchronous-commit", "on").ToLowerInvariant();
        if (synchronousCommit is not ("on" or "off" or "local" or "remote_write" or "remote_apply"))
            throw new ConfigurationException($"trading.journal.postgres.synchronous-commit must be on, off, local, remote_write or remote_apply, not '{synchronousCommit}'.");
        // Sent in the startup packet of every journal connection (a session setting; the server's default stays).
        builder.Options = $"{builder.Options} -c synchronous_commit={synchronousCommit}".Trim();
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "trading-journal";
        var description = Describe(builder);
        Check(builder.ConnectionString, description);

        var setup = new MultiDataOptionsSetup();
        foreach (var plugin in Plugins)
            setup.AddDataOptions(plugin, new DataOptions().UseConnectionString(config.GetString(plugin + ".provider-name"), builder.ConnectionString));
        return new PostgresJournal(setup, description, builder.ConnectionString);
    }

    /// <summary>host:port/database as user, from a connection string; never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder b) =>
        $"{b.Host ?? "localhost"}:{b.Port}/{b.Database ?? b.Username ?? "?"} as {b.Username ?? Environment.UserName}";

    /// <summary>Opens one connection (from the pool the journal then uses) or throws a one-line error naming the server.</summary>
    private static void Check(string connectionString, string description)
    {
        try
        {
            using var c = new NpgsqlConnection(connectionString);
            c.Open();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new JournalUnavailableException($"PostgreSQL journal at {description}: {Reason(e)}", e);
        }
    }

    /// <summary>What went wrong, on one line: Npgsql's message and, when it only says it failed to connect, why.</summary>
    private static string Reason(Exception e)
    {
        var reason = e.Message;
        if (e is NpgsqlException { InnerException: { } inner } && inner is not NpgsqlException) reason += $" ({inner.Message})";
        return string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
    }
}

/// <summary>The journal's server cannot be reached or refuses the connection; the message is one line, without secrets.</summary>
public sealed class JournalUnavailableException(string message, Exception inner) : Exception(message, inner);
