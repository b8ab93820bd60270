using System.Reflection;
using Akka.Actor;
using Npgsql;
using Xunit.Sdk;

namespace Trading.Runtime.Tests.Actors;

/// <summary>
/// A fresh durable journal for one test: a new SQLite file, or a new database on the PostgreSQL server of
/// TRADING_PG_CONNECTION (scripts/test.sh starts a throwaway one with scripts/postgres-test.sh), so tests never see
/// each other's rows. Disposing deletes the file or drops the database.
/// </summary>
public sealed class TestJournal : IAsyncDisposable
{
    private readonly string? _admin;
    private readonly string _first;
    private string _connection;

    private TestJournal(JournalKind kind, string connection, string? admin)
    {
        Kind = kind;
        _first = _connection = connection;
        _admin = admin;
    }

    public JournalKind Kind { get; }

    public static async Task<TestJournal> CreateAsync(JournalKind kind)
    {
        if (kind == JournalKind.Sqlite)
            return new TestJournal(kind, Path.Combine(Path.GetTempPath(), $"journal-{Guid.NewGuid():N}.db"), null);
        if (kind != JournalKind.Postgres) throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a durable journal");
        var admin = PostgresServer.Connection();
        var database = $"t_{Guid.NewGuid():N}";
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
            await create.ExecuteNonQueryAsync();
        }
        return new TestJournal(kind, new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString, admin);
    }

    /// <summary>The read models in this journal's database.</summary>
    public Runtime.ReadModels.ReadModelDatabase ReadModels() => Runtime.ReadModels.ReadModelDatabase.For(Kind, _connection);

    /// <summary>The SQLite file, or the PostgreSQL connection string (with its password: tests only).</summary>
    public string Connection => _connection;

    /// <summary>An actor system on this journal.</summary>
    public ActorSystem Start(string name, string extra) => TradingSystem.Create(name, Kind, _connection, extra);

    /// <summary>
    /// Before the next actor system: SQLite's next one opens a copy of the main file alone, without its write-ahead
    /// log — commits never checkpoint themselves (a timer does, and once more at termination), so the main file must
    /// already hold everything. PostgreSQL: the same database.
    /// </summary>
    public void AfterTermination()
    {
        if (Kind != JournalKind.Sqlite) return;
        var copy = _connection + ".copy";
        File.Copy(_connection, copy);
        _connection = copy;
    }

    /// <summary>The journal's rows of one persistence id.</summary>
    public async Task<long> RowsAsync(string persistenceId)
    {
        const string Sql = "SELECT COUNT(*) FROM journal WHERE persistence_id = @id";
        if (Kind == JournalKind.Sqlite)
        {
            await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_connection}");
            await c.OpenAsync();
            await using var q = c.CreateCommand();
            q.CommandText = Sql;
            q.Parameters.AddWithValue("@id", persistenceId);
            return (long)(await q.ExecuteScalarAsync())!;
        }
        await using var pg = new NpgsqlConnection(_connection);
        await pg.OpenAsync();
        await using var p = new NpgsqlCommand(Sql, pg);
        p.Parameters.AddWithValue("id", persistenceId);
        return (long)(await p.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Kind == JournalKind.Sqlite)
        {
            foreach (var f in Directory.GetFiles(Path.GetDirectoryName(_first)!, Path.GetFileName(_first) + "*")) File.Delete(f);
            return;
        }
        var database = new NpgsqlConnectionStringBuilder(_connection).Database;
        await using var c = new NpgsqlConnection(_admin);
        await c.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", c);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>The PostgreSQL server the tests use: TRADING_PG_CONNECTION, set by scripts/test.sh.</summary>
public static class PostgresServer
{
    public static string? Variable => Environment.GetEnvironmentVariable(Runtime.Persistence.PostgresJournal.ConnectionVariable);

    /// <summary>Under CI (CI=true) a missing server fails the PostgreSQL tests; elsewhere they are skipped with this reason.</summary>
    public static string? SkipReason =>
        !string.IsNullOrWhiteSpace(Variable) || IsCi ? null
            : "TRADING_PG_CONNECTION is not set: scripts/test.sh starts a throwaway PostgreSQL for these tests (or: scripts/postgres-test.sh start && eval \"$(scripts/postgres-test.sh env)\")";

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Connection() => string.IsNullOrWhiteSpace(Variable)
        ? throw new InvalidOperationException("TRADING_PG_CONNECTION is not set, and CI=true requires the PostgreSQL journal tests: run them through scripts/test.sh, which starts a throwaway server with scripts/postgres-test.sh")
        : Variable!;
}

/// <summary>A test that needs the PostgreSQL server (skipped without one outside CI, see <see cref="PostgresServer"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = PostgresServer.SkipReason;
}

/// <summary>A theory's <see cref="JournalKind.Postgres"/> row (skipped without a server outside CI, see <see cref="PostgresServer"/>).</summary>
public sealed class PostgresJournalAttribute : DataAttribute
{
    public PostgresJournalAttribute() => Skip = PostgresServer.SkipReason;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[JournalKind.Postgres]];
}
