using Akka.Configuration;
using Akka.Coordination;
using Akka.Event;
using Npgsql;
using Trading.Cluster.Lease;

namespace Trading.Cluster.Tests.Lease;

/// <summary>
/// The PostgreSQL server of TRADING_PG_CONNECTION (scripts/test.sh starts a throwaway one with scripts/postgres-test.sh;
/// by hand: <c>TRADING_PG_SLOT=lease scripts/postgres-test.sh start --no-fsync</c> and eval its <c>env</c>). As for the
/// journal's tests: without it the tests are skipped with this reason, except under CI (CI=true), where they fail.
/// Every test takes a lease name of its own, so tests never see each other's rows.
/// </summary>
public static class LeaseDatabase
{
    public static string? Variable => Environment.GetEnvironmentVariable(LeaseConnection.Variable);

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? SkipReason =>
        !string.IsNullOrWhiteSpace(Variable) || IsCi ? null
            : "TRADING_PG_CONNECTION is not set: scripts/test.sh starts a throwaway PostgreSQL for these tests (or: scripts/postgres-test.sh start && eval \"$(scripts/postgres-test.sh env)\")";

    public static string Connection => string.IsNullOrWhiteSpace(Variable)
        ? throw new InvalidOperationException("TRADING_PG_CONNECTION is not set, and CI=true requires the PostgreSQL lease tests: run them through scripts/test.sh, which starts a throwaway server with scripts/postgres-test.sh")
        : Variable!;

    public static string NewName() => $"test-{Guid.NewGuid():N}";

    public static PostgresLeaseStore Store(TimeSpan? operationTimeout = null) =>
        PostgresLeaseStore.Open(Connection, operationTimeout ?? TimeSpan.FromSeconds(5), "TRADING_PG_CONNECTION");

    /// <summary>Akka's settings of a lease as <see cref="PostgresLease.Hocon"/> would write them.</summary>
    public static LeaseSettings Settings(string name, string owner, TimeSpan ttl, TimeSpan heartbeat) =>
        LeaseSettings.Create(ConfigurationFactory.ParseString(PostgresLease.Hocon(new Hosting.LeaseSettings(name, ttl, heartbeat, TimeSpan.FromSeconds(5), null)))
            .GetConfig(PostgresLease.ConfigPath), name, owner);

    /// <summary>A lease on the test server, outside an actor system, on <paramref name="time"/>.</summary>
    public static PostgresLease Lease(string name, string owner, TimeSpan ttl, TimeSpan heartbeat, TimeProvider? time = null, PostgresLeaseStore? store = null) =>
        new(Settings(name, owner, ttl, heartbeat), store ?? Store(), NoLogger.Instance, time ?? TimeProvider.System);

    /// <summary>Runs one statement on the test server (tests only: to make a row expire as a long partition would).</summary>
    public static async Task ExecuteAsync(string sql, string name)
    {
        await using var c = new NpgsqlConnection(Connection);
        await c.OpenAsync();
        await using var q = new NpgsqlCommand(sql, c);
        q.Parameters.AddWithValue("name", name);
        await q.ExecuteNonQueryAsync();
    }
}

/// <summary>A test that needs the PostgreSQL server (skipped without one outside CI, see <see cref="LeaseDatabase"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = LeaseDatabase.SkipReason;
}

/// <summary>A monotonic clock that can jump ahead, as it does for a process that was paused (SIGSTOP, a long GC); its timers run on real time.</summary>
public sealed class PausableClock : TimeProvider
{
    private long _jump;

    public void Pause(TimeSpan length) => Interlocked.Add(ref _jump, (long)(length.TotalSeconds * TimestampFrequency));

    public override long GetTimestamp() => base.GetTimestamp() + Interlocked.Read(ref _jump);
}
