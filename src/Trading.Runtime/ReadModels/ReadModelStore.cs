using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Akka.Event;
using Trading.Domain.Orders;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.Persistence;
using Trading.Runtime.State;

namespace Trading.Runtime.ReadModels;

/// <summary>One journaled event as a query returns it: its global ordering, its stream and sequence number, when it was written.</summary>
public sealed record JournalEvent(long Ordering, string PersistenceId, long SequenceNr, object Event, DateTime Written);

/// <summary>
/// Writes batches of one tag's events into the read-model tables and the tag's offset, in one transaction: a batch
/// is either all projected with its offset or not at all. Every row is an upsert by its key (an order by account
/// and client id, a fill by its id, a journal row by persistence id and sequence number), and the states the
/// projection folds (orders, the book) carry the sequence number they are at, so projecting events again changes
/// nothing. Reads first, then writes in a short transaction: on SQLite the journal's writer waits only for the writes.
/// </summary>
public sealed class ReadModelStore(ReadModelDatabase database, ILoggingAdapter? log = null)
{
    /// <summary>The tags the projector follows (<c>nav</c> rows come with the book's <c>position</c> events, whose state they need).</summary>
    public static readonly IReadOnlyList<string> ProjectedTags =
        [JournalTagger.Order, JournalTagger.Fill, JournalTagger.Position, JournalTagger.Risk, JournalTagger.Alert, JournalTagger.Audit, JournalTagger.Parent];

    public ReadModelDatabase Database => database;

    /// <summary>The ordering of the last event of <paramref name="tag"/> projected (0: none).</summary>
    public async Task<long> OffsetAsync(string tag, CancellationToken ct = default)
    {
        await using var c = await database.OpenAsync(ct);
        await using var q = ReadModelDatabase.Command(c, null, "SELECT ordering FROM rm_offsets WHERE tag = @tag", ("@tag", tag));
        return await q.ExecuteScalarAsync(ct) is { } v and not DBNull ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
    }

    public async Task ApplyAsync(string tag, IReadOnlyList<JournalEvent> batch, CancellationToken ct = default)
    {
        if (batch.Count == 0) return;
        await using var c = await database.OpenAsync(ct);
        var writes = new List<(string Sql, (string, object?)[] Args)>();
        switch (tag)
        {
            case JournalTagger.Order: await Orders(c, batch, writes, ct); break;
            case JournalTagger.Position: await Books(c, batch, writes, ct); break;
            default:
                foreach (var e in batch) Rows(tag, e, writes);
                break;
        }
        writes.Add(("""
            INSERT INTO rm_offsets (tag, ordering, updated) VALUES (@tag, @ordering, @updated)
            ON CONFLICT (tag) DO UPDATE SET ordering = CASE WHEN excluded.ordering > rm_offsets.ordering THEN excluded.ordering ELSE rm_offsets.ordering END,
              updated = excluded.updated
            """, [("@tag", tag), ("@ordering", batch.Max(e => e.Ordering)), ("@updated", Time(DateTime.UtcNow))]));
        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var (sql, args) in writes) await ReadModelDatabase.Execute(c, tx, sql, ct, args);
        await tx.CommitAsync(ct);
    }

    // ---- Rows that are one journal event each: fills, risk events, alerts, audit entries. ----

    private static void Rows(string tag, JournalEvent e, List<(string, (string, object?)[])> writes)
    {
        switch (tag, e.Event)
        {
            case (JournalTagger.Fill, OrderFillReported f):
                writes.Add(("""
                    INSERT INTO rm_fills (account, fill_id, order_id, symbol, side, quantity, price, amount, fees, trade_date, at)
                    VALUES (@account, @fill, @order, @symbol, @side, @quantity, @price, @amount, @fees, @date, @at)
                    ON CONFLICT (account, fill_id) DO NOTHING
                    """, [("@account", AccountOf(e.PersistenceId)), ("@fill", f.Fill.FillId), ("@order", f.OrderId.Value),
                    ("@symbol", f.Fill.Symbol.ToString()), ("@side", f.Fill.Side.ToString()), ("@quantity", f.Fill.Quantity),
                    ("@price", Money(f.Fill.Price)), ("@amount", Money(f.Fill.Amount)), ("@fees", Money(f.Fill.Fees.Total)),
                    ("@date", Date(f.Fill.TradeDate)), ("@at", Time(f.At))]));
                break;
            case (JournalTagger.Risk, RiskEvent r):
                var (at, kind, order, symbol) = r switch
                {
                    OrderApproved a => (a.At, "approved", a.Order.Id.Value, a.Order.Symbol.ToString()),
                    OrderRejectedByRisk x => (x.At, "rejected", x.Order.Id.Value, x.Order.Symbol.ToString()),
                    Trading.Risk.OrderCancelled x => (x.At, "cancel", x.OrderId.Value, x.Symbol.ToString()),
                    OrderFinished x => (e.Written, "finished", x.OrderId.Value, (string?)null),
                    DayStarted => (e.Written, "day-started", null, null),
                    KillSwitchEngaged x => (x.At, "kill-switch-engaged", null, null),
                    KillSwitchReleased x => (x.At, "kill-switch-released", null, null),
                    _ => (e.Written, r.GetType().Name, null, null),
                };
                writes.Add(("""
                    INSERT INTO rm_risk_events (persistence_id, seq, account, at, kind, order_id, symbol, detail)
                    VALUES (@pid, @seq, @account, @at, @kind, @order, @symbol, @detail) ON CONFLICT (persistence_id, seq) DO NOTHING
                    """, [("@pid", e.PersistenceId), ("@seq", e.SequenceNr), ("@account", AccountOf(e.PersistenceId)), ("@at", Time(at)),
                    ("@kind", kind), ("@order", order), ("@symbol", symbol), ("@detail", Json(r))]));
                // The kill switch is an operator's (or the watchdog's) action: it belongs in the audit trail too.
                if (r is KillSwitchEngaged k)
                    writes.Add(Audit(e, k.At, k.Reason.StartsWith("watchdog:", StringComparison.Ordinal) ? "watchdog" : "operator", "kill-switch engage", k.Reason));
                else if (r is KillSwitchReleased rel)
                    writes.Add(Audit(e, rel.At, rel.By, "kill-switch release", $"account {AccountOf(e.PersistenceId)}"));
                break;
            case (JournalTagger.Alert, RiskAlert a):
                writes.Add(("""
                    INSERT INTO rm_alerts (persistence_id, seq, at, kind, source, message, symbol, order_id)
                    VALUES (@pid, @seq, @at, @kind, @source, @message, @symbol, @order) ON CONFLICT (persistence_id, seq) DO NOTHING
                    """, [("@pid", e.PersistenceId), ("@seq", e.SequenceNr), ("@at", Time(a.At)), ("@kind", a.Kind), ("@source", a.Source),
                    ("@message", a.Message), ("@symbol", a.Symbol?.ToString()), ("@order", a.OrderId?.Value)]));
                break;
            case (JournalTagger.Audit, AuditEntry a):
                writes.Add(Audit(e, a.At, a.Actor, a.Action, a.Detail));
                break;
            // Parents: taken by the execution manager, closed when their algo is done (the algo's own events add nothing
            // here: a parent's progress is its children's rows in rm_orders, joined by parent_id).
            case (JournalTagger.Parent, Execution.ParentAccepted p):
                var parent = p.Parent;
                writes.Add(("""
                    INSERT INTO rm_parents (account, parent_id, symbol, side, quantity, limit_price, trade_date, strategy, algo, trading_window,
                      status, accepted_at) VALUES (@account, @id, @symbol, @side, @quantity, @limit, @date, @strategy, @algo, @window, @status, @at)
                    ON CONFLICT (account, parent_id) DO NOTHING
                    """, [("@account", AccountOf(e.PersistenceId)), ("@id", parent.Id), ("@symbol", parent.Symbol.ToString()),
                    ("@side", parent.Side.ToString()), ("@quantity", parent.Quantity), ("@limit", Money(parent.LimitPrice)),
                    ("@date", Date(parent.TradeDate)), ("@strategy", parent.Strategy), ("@algo", parent.Algo.ToString()),
                    ("@window", parent.Window.ToString()), ("@status", Execution.ParentStatus.Working.ToString()), ("@at", Time(p.At))]));
                break;
            case (JournalTagger.Parent, Execution.ParentClosed x):
                writes.Add(("""
                    UPDATE rm_parents SET status = @status, filled_quantity = @filled, average_price = @avg, children = @children,
                      reason = @reason, closed_at = @at WHERE account = @account AND parent_id = @id
                    """, [("@account", AccountOf(e.PersistenceId)), ("@id", x.ParentId), ("@status", x.Outcome.Status.ToString()),
                    ("@filled", x.Outcome.Filled), ("@avg", Money(x.Outcome.AveragePrice)), ("@children", x.Outcome.Children),
                    ("@reason", x.Outcome.Reason), ("@at", Time(x.At))]));
                break;
        }
    }

    private static (string, (string, object?)[]) Audit(JournalEvent e, DateTime at, string actor, string action, string detail) => ("""
        INSERT INTO rm_audit (persistence_id, seq, at, actor, action, detail) VALUES (@pid, @seq, @at, @actor, @action, @detail)
        ON CONFLICT (persistence_id, seq) DO NOTHING
        """, [("@pid", e.PersistenceId), ("@seq", e.SequenceNr), ("@at", Time(at)), ("@actor", actor), ("@action", action), ("@detail", detail)]);

    // ---- The OMS's orders: each order's state folded from its events. ----

    private async Task Orders(DbConnection c, IReadOnlyList<JournalEvent> batch, List<(string, (string, object?)[])> writes, CancellationToken ct)
    {
        var touched = new Dictionary<(string Account, string Id), (OrderState State, long Seq)>();
        foreach (var group in batch.Where(e => e.Event is OrderEvent).GroupBy(e => e.PersistenceId))
        {
            var account = AccountOf(group.Key);
            var (last, _) = await StreamAsync(c, group.Key, ct);
            foreach (var e in group.OrderBy(e => e.SequenceNr))
            {
                if (e.SequenceNr <= last) continue; // projected before
                if (e.SequenceNr > last + 1 && await SnapshotAsync(c, group.Key, e.SequenceNr - 1, ct) is OmsSnapshot snap)
                {
                    // Events deleted after a snapshot before they were projected: the snapshot stands for them.
                    foreach (var o in snap.Orders) touched[(account, o.Id.Value)] = (o, e.SequenceNr - 1);
                    log?.Info("Read models: {0} resumed from its snapshot at {1} (events up to it were deleted before projection)", group.Key, e.SequenceNr - 1);
                }
                else if (e.SequenceNr > last + 1 && last > 0)
                    log?.Warning("Read models: events {0}..{1} of {2} were deleted before they were projected; their orders may be stale", last + 1, e.SequenceNr - 1, group.Key);
                last = e.SequenceNr;
                var oe = (OrderEvent)e.Event;
                var key = (account, oe.OrderId.Value);
                if (OrderState.Start(oe) is { } started)
                {
                    touched[key] = (started, e.SequenceNr);
                    continue;
                }
                var current = touched.TryGetValue(key, out var t) ? t.State : await OrderAsync(c, account, oe.OrderId.Value, ct);
                if (current is null)
                {
                    log?.Warning("Read models: {0} of unknown order {1} in {2} skipped", oe.GetType().Name, oe.OrderId, group.Key);
                    continue;
                }
                touched[key] = (current.Apply(oe).State, e.SequenceNr);
            }
            writes.Add(StreamWrite(group.Key, last, null));
        }
        foreach (var ((account, id), (s, seq)) in touched)
            writes.Add(("""
                INSERT INTO rm_orders (account, order_id, symbol, side, quantity, limit_price, trade_date, strategy, status,
                  filled_quantity, average_price, fees, broker_order_id, reason, created_at, updated_at, last_seq, state, parent_id)
                VALUES (@account, @id, @symbol, @side, @quantity, @limit, @date, @strategy, @status, @filled, @avg, @fees,
                  @broker, @reason, @created, @updated, @seq, @state, @parent)
                ON CONFLICT (account, order_id) DO UPDATE SET status = excluded.status, filled_quantity = excluded.filled_quantity,
                  average_price = excluded.average_price, fees = excluded.fees, broker_order_id = excluded.broker_order_id,
                  reason = excluded.reason, updated_at = excluded.updated_at, last_seq = excluded.last_seq, state = excluded.state
                """, [("@account", account), ("@id", id), ("@symbol", s.Request.Symbol.ToString()), ("@side", s.Request.Side.ToString()),
                ("@quantity", s.Request.Quantity), ("@limit", Money(s.Request.LimitPrice)), ("@date", Date(s.Request.TradeDate)),
                ("@strategy", s.Request.Strategy), ("@status", s.Status.ToString()), ("@filled", s.FilledQuantity),
                ("@avg", Money(s.AveragePrice)), ("@fees", Money(s.Fees)), ("@broker", s.BrokerOrderId), ("@reason", s.Reason),
                ("@created", Time(s.CreatedAt)), ("@updated", Time(s.UpdatedAt)), ("@seq", seq), ("@state", Json(s)), ("@parent", s.Request.ParentId)]));
    }

    private static async Task<OrderState?> OrderAsync(DbConnection c, string account, string id, CancellationToken ct)
    {
        await using var q = ReadModelDatabase.Command(c, null, "SELECT state FROM rm_orders WHERE account = @account AND order_id = @id", ("@account", account), ("@id", id));
        return await q.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<OrderState>(json, JournalSerializer.Options) : null;
    }

    // ---- The position book: its state folded per account; positions replaced, NAV rows at each mark, deposits audited. ----

    private async Task Books(DbConnection c, IReadOnlyList<JournalEvent> batch, List<(string, (string, object?)[])> writes, CancellationToken ct)
    {
        foreach (var group in batch.Where(e => e.Event is BookEvent).GroupBy(e => e.PersistenceId))
        {
            var account = AccountOf(group.Key);
            var (last, json) = await StreamAsync(c, group.Key, ct);
            var state = json is null ? PositionBookState.Empty : JsonSerializer.Deserialize<PositionBookState>(json, JournalSerializer.Options)!;
            int applied = 0;
            foreach (var e in group.OrderBy(e => e.SequenceNr))
            {
                if (e.SequenceNr <= last) continue;
                if (e.SequenceNr > last + 1)
                {
                    if (await SnapshotAsync(c, group.Key, e.SequenceNr - 1, ct) is PositionBookState snap) state = snap;
                    else log?.Warning("Read models: events {0}..{1} of {2} were deleted before they were projected and no snapshot stands for them; positions may be off", last + 1, e.SequenceNr - 1, group.Key);
                }
                last = e.SequenceNr;
                applied++;
                var be = (BookEvent)e.Event;
                state = state.Apply(be);
                if (be is PricesMarked m)
                    writes.Add(("""
                        INSERT INTO rm_nav (account, date, cash, market_value, nav, realised_pnl, fees_paid)
                        VALUES (@account, @date, @cash, @mv, @nav, @pnl, @fees)
                        ON CONFLICT (account, date) DO UPDATE SET cash = excluded.cash, market_value = excluded.market_value,
                          nav = excluded.nav, realised_pnl = excluded.realised_pnl, fees_paid = excluded.fees_paid
                        """, [("@account", account), ("@date", Date(m.Date)), ("@cash", Money(state.Cash)), ("@mv", Money(state.MarketValue)),
                        ("@nav", Money(state.Nav)), ("@pnl", Money(state.RealisedPnl)), ("@fees", Money(state.FeesPaid))]));
                else if (be is CashDeposited d)
                    writes.Add(Audit(e, e.Written, "operator", "deposit", $"{Money(d.Amount)} to {account}: {d.Note}"));
            }
            if (applied == 0) continue;
            writes.Add(StreamWrite(group.Key, last, Json(state)));
            writes.Add(("DELETE FROM rm_positions WHERE account = @account", [("@account", account)]));
            foreach (var (symbol, p) in state.Positions)
                writes.Add(("""
                    INSERT INTO rm_positions (account, symbol, quantity, sellable, cost, last_price, market_value)
                    VALUES (@account, @symbol, @quantity, @sellable, @cost, @price, @mv)
                    """, [("@account", account), ("@symbol", symbol.ToString()), ("@quantity", p.Holding.Quantity), ("@sellable", p.Holding.Sellable),
                    ("@cost", Money(p.Cost)), ("@price", Money(p.LastPrice)), ("@mv", Money(p.MarketValue))]));
        }
    }

    // ---- Shared. ----

    private static async Task<(long Last, string? State)> StreamAsync(DbConnection c, string persistenceId, CancellationToken ct)
    {
        await using var q = ReadModelDatabase.Command(c, null, "SELECT last_seq, state FROM rm_streams WHERE persistence_id = @pid", ("@pid", persistenceId));
        await using var r = await q.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)) : (0, null);
    }

    private static (string, (string, object?)[]) StreamWrite(string persistenceId, long last, string? state) => ("""
        INSERT INTO rm_streams (persistence_id, last_seq, state) VALUES (@pid, @last, @state)
        ON CONFLICT (persistence_id) DO UPDATE SET last_seq = excluded.last_seq, state = excluded.state
        """, [("@pid", persistenceId), ("@last", last), ("@state", state)]);

    /// <summary>The snapshot saved at exactly <paramref name="sequenceNr"/>, when the journal serializer wrote it.</summary>
    private static async Task<object?> SnapshotAsync(DbConnection c, string persistenceId, long sequenceNr, CancellationToken ct)
    {
        await using var q = ReadModelDatabase.Command(c, null,
            "SELECT snapshot, manifest, serializer_id FROM snapshot WHERE persistence_id = @pid AND sequence_number = @seq",
            ("@pid", persistenceId), ("@seq", sequenceNr));
        try
        {
            await using var r = await q.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct) || r.GetInt32(2) != JournalSerializer.Id) return null;
            var bytes = (byte[])r.GetValue(0);
            return JournalSerializer.Types.TryGetValue(r.GetString(1), out var type) ? JsonSerializer.Deserialize(bytes, type, JournalSerializer.Options) : null;
        }
        catch (DbException)
        {
            return null; // no snapshot table yet
        }
    }

    /// <summary>
    /// The account of a runtime persistence id (<c>orders-main</c> → <c>main</c>, <c>algo-main/mom-20240105-000017</c> →
    /// <c>main</c>: an account id has no '/'); the id itself otherwise.
    /// </summary>
    public static string AccountOf(string persistenceId)
    {
        foreach (var prefix in (ReadOnlySpan<string>)["orders-", "position-book-", "risk-guard-", "execution-"])
            if (persistenceId.StartsWith(prefix, StringComparison.Ordinal)) return persistenceId[prefix.Length..];
        if (persistenceId.StartsWith("algo-", StringComparison.Ordinal) && persistenceId.IndexOf('/') is > 5 and var slash)
            return persistenceId[5..slash];
        return persistenceId;
    }

    public static string Money(decimal d) => d.ToString(CultureInfo.InvariantCulture);
    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    public static string Time(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
    private static string Json(object o) => JsonSerializer.Serialize(o, o.GetType(), JournalSerializer.Options);
}
