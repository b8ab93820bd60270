using Trading.Runtime.Configuration;
using Trading.Runtime.Persistence;

namespace Trading.Cluster.Lease;

/// <summary>
/// The lease's PostgreSQL connection string, handed to an actor system in its setup (like the journal's linq2db
/// options in <see cref="Trading.Runtime.TradingSystem"/>) so it never enters the HOCON, which Akka may print.
/// </summary>
public sealed class PostgresLeaseSetup(string connectionString) : Akka.Actor.Setup.Setup
{
    internal string ConnectionString { get; } = connectionString;

    /// <summary>Never the connection string: a setup may be printed.</summary>
    public override string ToString() => nameof(PostgresLeaseSetup);
}

/// <summary>Where a lease's connection string comes from, first found wins: the actor system's setup, an owner-only file, <c>TRADING_PG_CONNECTION</c>.</summary>
public static class LeaseConnection
{
    /// <summary>The variable the journal reads too: by default the lease lives in the journal's database.</summary>
    public const string Variable = PostgresJournal.ConnectionVariable;

    /// <summary>
    /// The connection string and where it came from (for errors: a place, never the text). <paramref name="file"/>:
    /// <c>connection-file</c>, refused when group or others may read or write it (like an SSH key);
    /// <paramref name="where"/> names that key in errors.
    /// </summary>
    public static (string Connection, string Source) Resolve(string? fromSetup, string? file, string where, Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrWhiteSpace(fromSetup)) return (fromSetup, "the lease's connection (PostgresLeaseSetup)");
        if (file is not null) return (ReadFile(file, where), $"{where} ({file})");
        var env = (environment ?? Environment.GetEnvironmentVariable)(Variable);
        if (!string.IsNullOrWhiteSpace(env)) return (env.Trim(), Variable);
        throw new ConfigException($"the PostgreSQL lease needs a connection string: set {where} (an owner-only file) or {Variable} (Host=…;Port=…;Database=…;Username=…;Password=…)");
    }

    /// <summary>An owner-only file's text; errors name the file, never its content.</summary>
    public static string ReadFile(string file, string where)
    {
        if (!File.Exists(file)) throw new ConfigException($"{where}: {file} does not exist.");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new ConfigException($"{where}: {file} is readable or writable by group or others; chmod 600 it.");
        var text = File.ReadAllText(file).Trim();
        return text.Length > 0 ? text : throw new ConfigException($"{where}: {file} is empty.");
    }
}
