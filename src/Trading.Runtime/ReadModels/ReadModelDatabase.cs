using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Trading.Runtime.Persistence;

namespace Trading.Runtime.ReadModels;

/// <summary>
/// The database of a node's journal, where its read models live beside it (tables <c>rm_*</c>): the SQLite file or
/// the PostgreSQL database. The SQL is written once for both (<c>INSERT … ON CONFLICT</c>, TEXT, BIGINT); money is
/// stored as invariant decimal text (exact), dates and times as ISO 8601 text. The connection string stays inside:
/// <see cref="Description"/> is what logs and errors show (the file, or host:port/database as user).
/// </summary>
public sealed class ReadModelDatabase
{
    private readonly string _connection;

    private ReadModelDatabase(JournalKind kind, string connection, string description)
    {
        Kind = kind;
        _connection = connection;
        Description = description;
    }

    public JournalKind Kind { get; }

    /// <summary>The SQLite file, or host:port/database as user — never a password.</summary>
    public string Description { get; }

    public static ReadModelDatabase Sqlite(string path) => new(JournalKind.Sqlite,
        new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ConnectionString, path);

    /// <summary>The PostgreSQL database of <paramref name="connection"/> (null: TRADING_PG_CONNECTION).</summary>
    public static ReadModelDatabase Postgres(string? connection)
    {
        connection ??= Environment.GetEnvironmentVariable(PostgresJournal.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new Akka.Configuration.ConfigurationException($"the PostgreSQL journal needs a connection string: set {PostgresJournal.ConnectionVariable}");
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(connection); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw new Akka.Configuration.ConfigurationException($"{PostgresJournal.ConnectionVariable} (or the given connection) is not a valid Npgsql connection string");
        }
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "trading-read-models";
        return new ReadModelDatabase(JournalKind.Postgres, b.ConnectionString, PostgresJournal.Describe(b));
    }

    /// <summary>The read models of the journal <see cref="TradingSystem.Create"/> opens with the same arguments.</summary>
    public static ReadModelDatabase For(JournalKind journal, string? connection) => journal switch
    {
        JournalKind.Sqlite => Sqlite(connection ?? "journal.db"),
        JournalKind.Postgres => Postgres(connection),
        _ => throw new ArgumentOutOfRangeException(nameof(journal), journal, "read models need a durable journal"),
    };

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection c = Kind == JournalKind.Sqlite ? new SqliteConnection(_connection) : new NpgsqlConnection(_connection);
        try
        {
            await c.OpenAsync(ct);
            // The journal writes the same file: wait inside SQLite for its lock rather than fail (as the journal does).
            if (Kind == JournalKind.Sqlite) await Execute(c, null, "PRAGMA busy_timeout=10000;", ct);
            return c;
        }
        catch (Exception e) when (e is NpgsqlException or SqliteException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await c.DisposeAsync();
            throw new JournalUnavailableException($"journal database {Description}: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>Creates the read-model tables that are missing, and the columns added since a table was created (idempotent).</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        foreach (var ddl in Schema) await Execute(c, null, ddl, ct);
        foreach (var (table, column, type) in AddedColumns)
        {
            await using var probe = Command(c, null, Kind == JournalKind.Sqlite
                ? "SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column"
                : "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = @table AND column_name = @column AND table_schema = current_schema()",
                ("@table", table), ("@column", column));
            if (Convert.ToInt64(await probe.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
                await Execute(c, null, $"ALTER TABLE {table} ADD COLUMN {column} {type}", ct);
        }
    }

    /// <summary>Columns added to tables after their first release: created on a database that lacks them.</summary>
    internal static readonly (string Table, string Column, string Type)[] AddedColumns =
    [
        // The parent order of an execution algo's child (null: an order sent whole).
        ("rm_orders", "parent_id", "TEXT"),
    ];

    internal static async Task<int> Execute(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            if (value is null) p.DbType = System.Data.DbType.String;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private static string OneLine(string s) => string.Join(' ', s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>The tables. Keys make every write an upsert, so projecting the same events twice changes nothing.</summary>
    internal static readonly string[] Schema =
    [
        // Per tag: the journal ordering of the last event projected (written in the same transaction as its rows).
        "CREATE TABLE IF NOT EXISTS rm_offsets (tag TEXT PRIMARY KEY, ordering BIGINT NOT NULL, updated TEXT NOT NULL)",
        // Per persistence id whose state the projector folds (OMS, book): the last sequence number applied and the
        // state after it (JSON, the journal serializer's), so a restart goes on from there.
        "CREATE TABLE IF NOT EXISTS rm_streams (persistence_id TEXT PRIMARY KEY, last_seq BIGINT NOT NULL, state TEXT)",
        """
        CREATE TABLE IF NOT EXISTS rm_orders (account TEXT NOT NULL, order_id TEXT NOT NULL, symbol TEXT NOT NULL,
          side TEXT NOT NULL, quantity BIGINT NOT NULL, limit_price TEXT NOT NULL, trade_date TEXT NOT NULL,
          strategy TEXT NOT NULL, status TEXT NOT NULL, filled_quantity BIGINT NOT NULL, average_price TEXT NOT NULL,
          fees TEXT NOT NULL, broker_order_id TEXT, reason TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
          last_seq BIGINT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (account, order_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_parents (account TEXT NOT NULL, parent_id TEXT NOT NULL, symbol TEXT NOT NULL,
          side TEXT NOT NULL, quantity BIGINT NOT NULL, limit_price TEXT NOT NULL, trade_date TEXT NOT NULL,
          strategy TEXT NOT NULL, algo TEXT NOT NULL, trading_window TEXT NOT NULL, status TEXT NOT NULL,
          filled_quantity BIGINT, average_price TEXT, children INTEGER, reason TEXT, accepted_at TEXT NOT NULL, closed_at TEXT,
          PRIMARY KEY (account, parent_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_fills (account TEXT NOT NULL, fill_id TEXT NOT NULL, order_id TEXT NOT NULL,
          symbol TEXT NOT NULL, side TEXT NOT NULL, quantity BIGINT NOT NULL, price TEXT NOT NULL, amount TEXT NOT NULL,
          fees TEXT NOT NULL, trade_date TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (account, fill_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_positions (account TEXT NOT NULL, symbol TEXT NOT NULL, quantity BIGINT NOT NULL,
          sellable BIGINT NOT NULL, cost TEXT NOT NULL, last_price TEXT NOT NULL, market_value TEXT NOT NULL,
          PRIMARY KEY (account, symbol))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_nav (account TEXT NOT NULL, date TEXT NOT NULL, cash TEXT NOT NULL,
          market_value TEXT NOT NULL, nav TEXT NOT NULL, realised_pnl TEXT NOT NULL, fees_paid TEXT NOT NULL,
          PRIMARY KEY (account, date))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_risk_events (persistence_id TEXT NOT NULL, seq BIGINT NOT NULL, account TEXT NOT NULL,
          at TEXT NOT NULL, kind TEXT NOT NULL, order_id TEXT, symbol TEXT, detail TEXT NOT NULL, PRIMARY KEY (persistence_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_alerts (persistence_id TEXT NOT NULL, seq BIGINT NOT NULL, at TEXT NOT NULL,
          kind TEXT NOT NULL, source TEXT NOT NULL, message TEXT NOT NULL, symbol TEXT, order_id TEXT,
          PRIMARY KEY (persistence_id, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS rm_audit (persistence_id TEXT NOT NULL, seq BIGINT NOT NULL, at TEXT NOT NULL,
          actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, PRIMARY KEY (persistence_id, seq))
        """,
    ];
}
