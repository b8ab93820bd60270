using System.Globalization;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Tests.Live;

/// <summary>
/// A temporary SQLite read-model database (the tables a node projects into) with rows written straight in SQL: the
/// dashboard only reads them, so the tests need no journal. Deleted on dispose.
/// </summary>
public sealed class ReadModelFixture : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dashboard-live-");

    private ReadModelFixture() => Database = ReadModelDatabase.Sqlite(Path.Combine(_dir.FullName, "journal.db"));

    public ReadModelDatabase Database { get; }
    public ReadModels ReadModels => new(Database);

    public static async Task<ReadModelFixture> CreateAsync()
    {
        var f = new ReadModelFixture();
        await f.Database.EnsureSchemaAsync();
        return f;
    }

    public Task Nav(string date, decimal cash, decimal mv) => Exec(
        "INSERT INTO rm_nav (account, date, cash, market_value, nav, realised_pnl, fees_paid) VALUES ('main', @d, @c, @m, @n, '0', '0')",
        ("@d", date), ("@c", M(cash)), ("@m", M(mv)), ("@n", M(cash + mv)));

    public Task Position(string symbol, long quantity, long sellable, decimal cost, decimal last) => Exec(
        "INSERT INTO rm_positions (account, symbol, quantity, sellable, cost, last_price, market_value) VALUES ('main', @s, @q, @sq, @c, @l, @m)",
        ("@s", symbol), ("@q", quantity), ("@sq", sellable), ("@c", M(cost)), ("@l", M(last)), ("@m", M(quantity * last)));

    public Task Fill(string id, string order, string symbol, string side, long quantity, decimal price, decimal fees, string date, string at) => Exec(
        """
        INSERT INTO rm_fills (account, fill_id, order_id, symbol, side, quantity, price, amount, fees, trade_date, at)
        VALUES ('main', @id, @o, @s, @side, @q, @p, @a, @f, @d, @at)
        """, ("@id", id), ("@o", order), ("@s", symbol), ("@side", side), ("@q", quantity), ("@p", M(price)), ("@a", M(quantity * price)),
        ("@f", M(fees)), ("@d", date), ("@at", at));

    public Task Order(string id, string symbol, string side, long quantity, decimal limit, string date, string status, long filled, decimal avg,
        string at, string? parent = null) => Exec(
        """
        INSERT INTO rm_orders (account, order_id, symbol, side, quantity, limit_price, trade_date, strategy, status, filled_quantity,
          average_price, fees, broker_order_id, reason, created_at, updated_at, last_seq, state, parent_id)
        VALUES ('main', @id, @s, @side, @q, @l, @d, 'momentum', @st, @fq, @avg, '0', NULL, NULL, @at, @at, 1, '{}', @p)
        """, ("@id", id), ("@s", symbol), ("@side", side), ("@q", quantity), ("@l", M(limit)), ("@d", date), ("@st", status), ("@fq", filled),
        ("@avg", M(avg)), ("@at", at), ("@p", parent));

    public Task Parent(string id, string symbol, string side, long quantity, decimal limit, string date, string at) => Exec(
        """
        INSERT INTO rm_parents (account, parent_id, symbol, side, quantity, limit_price, trade_date, strategy, algo, trading_window, status, accepted_at)
        VALUES ('main', @id, @s, @side, @q, @l, @d, 'momentum', 'Twap', '09:30-10:30', 'Working', @at)
        """, ("@id", id), ("@s", symbol), ("@side", side), ("@q", quantity), ("@l", M(limit)), ("@d", date), ("@at", at));

    public Task Alert(long seq, string at, string kind, string message) => Exec(
        "INSERT INTO rm_alerts (persistence_id, seq, at, kind, source, message, symbol, order_id) VALUES ('alerts-main', @seq, @at, @k, 'risk-guard', @m, NULL, NULL)",
        ("@seq", seq), ("@at", at), ("@k", kind), ("@m", message));

    public async Task Exec(string sql, params (string Name, object? Value)[] args)
    {
        await using var c = await Database.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        await cmd.ExecuteNonQueryAsync();
    }

    private static string M(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The sample account: marked on 3 and 4 June; on 5 June (the trading day, not yet marked) a whole buy of 平安银行
    /// and a TWAP slice selling part of 600000.SH (no Chinese name given: the symbol stands for it).
    /// </summary>
    public async Task SampleAsync()
    {
        await Nav("2024-06-03", 50_000m, 50_000m);
        await Nav("2024-06-04", 60_000m, 42_000m);
        await Order("o1", "000001.SZ", "Buy", 1000, 13.50m, "2024-06-05", "Filled", 1000, 13.50m, "2024-06-05T09:29:58.0000000");
        await Parent("p1", "600000.SH", "Sell", 1200, 8.10m, "2024-06-05", "2024-06-05T10:00:00.0000000");
        await Order("p1-1", "600000.SH", "Sell", 600, 8.10m, "2024-06-05", "PartiallyFilled", 500, 8.20m, "2024-06-05T10:15:00.0000000", parent: "p1");
        await Order("old", "600000.SH", "Buy", 100, 8.00m, "2024-06-04", "Filled", 100, 8.00m, "2024-06-04T09:31:00.0000000");
        await Fill("f1", "o1", "000001.SZ", "Buy", 1000, 13.50m, 5m, "2024-06-05", "2024-06-05T09:30:00.0000000");
        await Fill("f2", "p1-1", "600000.SH", "Sell", 500, 8.20m, 7.05m, "2024-06-05", "2024-06-05T10:15:30.0000000");
        await Position("000001.SZ", 1000, 0, 13_505m, 13.60m);
        await Position("600000.SH", 1500, 1500, 12_000m, 8.20m);
        await Position("300750.SZ", 100, 100, 20_000m, 210m);
        await Alert(1, "2024-06-05T10:01:00.0000000", "risk-reject", "order too large");
        await Alert(2, "2024-06-05T10:02:00.0000000", "kill-switch", "engaged: test");
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { _dir.Delete(recursive: true); } catch (IOException) { } // best effort
        return ValueTask.CompletedTask;
    }
}
