using System.Data.Common;
using System.Globalization;

namespace Trading.Runtime.ReadModels;

public sealed record OrderRow(string Account, string OrderId, string Symbol, string Side, long Quantity, decimal LimitPrice, DateOnly TradeDate,
    string Strategy, string Status, long FilledQuantity, decimal AveragePrice, decimal Fees, string? BrokerOrderId, string? Reason,
    string CreatedAt, string UpdatedAt)
{
    /// <summary>The parent order this one is a child of (an execution algo's slice); null for an order sent whole.</summary>
    public string? ParentId { get; init; }
}

/// <summary>
/// A parent order and how its algo worked it: <see cref="Status"/> Working until it is closed (then the outcome: filled,
/// average price, children, why it is not whole); <see cref="ChildrenFilled"/> and <see cref="ChildOrders"/> are its
/// children's rows in rm_orders (current while it works).
/// </summary>
public sealed record ParentRow(string Account, string ParentId, string Symbol, string Side, long Quantity, decimal LimitPrice, DateOnly TradeDate,
    string Strategy, string Algo, string Window, string Status, long? FilledQuantity, decimal? AveragePrice, int? Children, string? Reason,
    string AcceptedAt, string? ClosedAt, long ChildrenFilled, int ChildOrders);

public sealed record FillRow(string Account, string FillId, string OrderId, string Symbol, string Side, long Quantity, decimal Price,
    decimal Amount, decimal Fees, DateOnly TradeDate, string At);

public sealed record PositionRow(string Account, string Symbol, long Quantity, long Sellable, decimal Cost, decimal LastPrice, decimal MarketValue);

public sealed record NavRow(string Account, DateOnly Date, decimal Cash, decimal MarketValue, decimal Nav, decimal RealisedPnl, decimal FeesPaid);

public sealed record RiskEventRow(string Account, long Seq, string At, string Kind, string? OrderId, string? Symbol, string Detail);

public sealed record AlertRow(long Seq, string At, string Kind, string Source, string Message, string? Symbol, string? OrderId);

public sealed record AuditRow(string PersistenceId, long Seq, string At, string Actor, string Action, string Detail);

/// <summary>How far the read models of one tag are behind the journal.</summary>
public sealed record TagLag(string Tag, long Events, long Offset, long Behind);

/// <summary>
/// What reports, the console and the dashboard read: the read-model tables (<see cref="ReadModelStore"/>), per
/// account where the rows have one (null: every account), in a stable order. Times are ISO 8601 text as stored.
/// </summary>
public sealed class ReadModels(ReadModelDatabase database)
{
    public Task<IReadOnlyList<OrderRow>> OrdersAsync(string? account = null, CancellationToken ct = default) => QueryAsync(
        "SELECT account, order_id, symbol, side, quantity, limit_price, trade_date, strategy, status, filled_quantity, average_price, fees, broker_order_id, reason, created_at, updated_at, parent_id FROM rm_orders",
        account, "created_at, order_id", r => new OrderRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), M(r, 5),
            D(r, 6), r.GetString(7), r.GetString(8), r.GetInt64(9), M(r, 10), M(r, 11), S(r, 12), S(r, 13), r.GetString(14), r.GetString(15)) { ParentId = S(r, 16) }, ct);

    public Task<IReadOnlyList<ParentRow>> ParentsAsync(string? account = null, CancellationToken ct = default) => QueryAsync(
        """
        SELECT p.account, p.parent_id, p.symbol, p.side, p.quantity, p.limit_price, p.trade_date, p.strategy, p.algo, p.trading_window, p.status,
          p.filled_quantity, p.average_price, p.children, p.reason, p.accepted_at, p.closed_at,
          (SELECT COALESCE(SUM(o.filled_quantity), 0) FROM rm_orders o WHERE o.account = p.account AND o.parent_id = p.parent_id),
          (SELECT COUNT(*) FROM rm_orders o WHERE o.account = p.account AND o.parent_id = p.parent_id)
        FROM rm_parents p
        """, account, "accepted_at, parent_id", r => new ParentRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
            r.GetInt64(4), M(r, 5), D(r, 6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10), r.IsDBNull(11) ? null : r.GetInt64(11),
            r.IsDBNull(12) ? null : M(r, 12), r.IsDBNull(13) ? null : Convert.ToInt32(r.GetValue(13), CultureInfo.InvariantCulture), S(r, 14), r.GetString(15), S(r, 16),
            Convert.ToInt64(r.GetValue(17), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(18), CultureInfo.InvariantCulture)), ct, alias: "p.");

    public Task<IReadOnlyList<FillRow>> FillsAsync(string? account = null, CancellationToken ct = default) => QueryAsync(
        "SELECT account, fill_id, order_id, symbol, side, quantity, price, amount, fees, trade_date, at FROM rm_fills",
        account, "at, fill_id", r => new FillRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
            M(r, 6), M(r, 7), M(r, 8), D(r, 9), r.GetString(10)), ct);

    public Task<IReadOnlyList<PositionRow>> PositionsAsync(string? account = null, CancellationToken ct = default) => QueryAsync(
        "SELECT account, symbol, quantity, sellable, cost, last_price, market_value FROM rm_positions",
        account, "account, symbol", r => new PositionRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), M(r, 4), M(r, 5), M(r, 6)), ct);

    public Task<IReadOnlyList<NavRow>> NavAsync(string? account = null, CancellationToken ct = default) => QueryAsync(
        "SELECT account, date, cash, market_value, nav, realised_pnl, fees_paid FROM rm_nav",
        account, "account, date", r => new NavRow(r.GetString(0), D(r, 1), M(r, 2), M(r, 3), M(r, 4), M(r, 5), M(r, 6)), ct);

    public Task<IReadOnlyList<RiskEventRow>> RiskEventsAsync(string? account = null, CancellationToken ct = default) => QueryAsync(
        "SELECT account, seq, at, kind, order_id, symbol, detail FROM rm_risk_events",
        account, "account, seq", r => new RiskEventRow(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), S(r, 4), S(r, 5), r.GetString(6)), ct);

    public Task<IReadOnlyList<AlertRow>> AlertsAsync(CancellationToken ct = default) => QueryAsync(
        "SELECT seq, at, kind, source, message, symbol, order_id FROM rm_alerts", null, "at, seq",
        r => new AlertRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), S(r, 5), S(r, 6)), ct);

    public Task<IReadOnlyList<AuditRow>> AuditAsync(CancellationToken ct = default) => QueryAsync(
        "SELECT persistence_id, seq, at, actor, action, detail FROM rm_audit", null, "at, persistence_id, seq",
        r => new AuditRow(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)), ct);

    /// <summary>Per projected tag: events in the journal's tag table, the offset projected up to, and how many events lie beyond it.</summary>
    public async Task<IReadOnlyList<TagLag>> LagAsync(CancellationToken ct = default)
    {
        await database.EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        var lags = new List<TagLag>();
        foreach (var tag in ReadModelStore.ProjectedTags)
        {
            await using var q = ReadModelDatabase.Command(c, null, """
                SELECT (SELECT COUNT(*) FROM tags WHERE tag = @tag),
                       COALESCE((SELECT ordering FROM rm_offsets WHERE tag = @tag), 0),
                       (SELECT COUNT(*) FROM tags WHERE tag = @tag AND ordering_id > COALESCE((SELECT ordering FROM rm_offsets WHERE tag = @tag), 0))
                """, ("@tag", tag));
            await using var r = await q.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            lags.Add(new TagLag(tag, r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));
        }
        return lags;
    }

    /// <param name="alias">the table's alias in <paramref name="select"/> ("p."), for the account filter and the order</param>
    private async Task<IReadOnlyList<T>> QueryAsync<T>(string select, string? account, string orderBy, Func<DbDataReader, T> read, CancellationToken ct,
        string alias = "")
    {
        await database.EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        var sql = select + (account is null ? "" : $" WHERE {alias}account = @account") + " ORDER BY "
            + string.Join(", ", orderBy.Split(", ").Select(key => alias + key));
        await using var q = account is null ? ReadModelDatabase.Command(c, null, sql) : ReadModelDatabase.Command(c, null, sql, ("@account", account));
        await using var r = await q.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await r.ReadAsync(ct)) rows.Add(read(r));
        return rows;
    }

    private static decimal M(DbDataReader r, int i) => decimal.Parse(r.GetString(i), NumberStyles.Number, CultureInfo.InvariantCulture);
    private static DateOnly D(DbDataReader r, int i) => DateOnly.ParseExact(r.GetString(i), "yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static string? S(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
