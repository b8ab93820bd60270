using System.Collections.Immutable;
using Akka.Actor;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.ReadModels;
using Trading.Runtime.Tests.Actors;

namespace Trading.Runtime.Tests.ReadModels;

/// <summary>
/// The read models projected from a journal a real OMS, book, risk guard, alert log and audit log wrote, on SQLite
/// and on PostgreSQL: the rows, idempotent replay, and resuming from the stored offsets.
/// </summary>
public class ReadModelProjectorTests
{
    internal static readonly Symbol S = Symbol.Parse("688981.SH");
    internal static readonly DateOnly Day = new(2024, 1, 2);
    internal const string Quiet = "akka.loglevel = WARNING\nakka.loggers = [\"Akka.Event.DefaultLogger\"]";
    private static readonly TimeSpan T = TimeSpan.FromSeconds(20);

    /// <summary>
    /// One trading session on <paramref name="sys"/>: a deposit, a buy of 300 filled in two parts, a mark to market,
    /// the kill switch engaged (an alert and an audit row) and an operator's audit entry. Returns when all is journaled.
    /// </summary>
    internal static async Task RunSessionAsync(ActorSystem sys, string account, int orderNo = 1)
    {
        // One alert log and one audit log per system (one writer per persistence id).
        if (orderNo == 1)
        {
            await sys.ActorOf(AlertLogActor.Props(), "alert-log").Ask<StepDone>(new Flush(0), T); // subscribed
            await sys.ActorOf(AuditLogActor.Props(), "audit-log").Ask<StepDone>(new Flush(0), T);
        }
        var alerts = await sys.ActorSelection("/user/alert-log").ResolveOne(T);
        var audit = await sys.ActorSelection("/user/audit-log").ResolveOne(T);
        var at = new DateTime(2024, 1, 2, 9, 30, 0);
        var book = sys.ActorOf(PositionBookActor.Props(account));
        await book.Ask<Deposited>(new Deposit(100_000m, "seed"), T);
        var oms = sys.ActorOf(OrderManagerActor.Props(account, ActorRefs.Nobody, book, () => at));
        var guard = sys.ActorOf(RiskGuardActor.Props(account, Trading.Risk.RiskOptions.Default, oms, book, (s, d) => null, MarketRules.Default,
            FeeSchedule.Default, () => at));
        var order = new OrderRequest(ClientOrderId.Create("t", Day, orderNo), S, Side.Buy, 300, 50.00m, OrderType.Limit, Day);
        var ack = oms.Ask<BatchAcknowledged>(new SubmitApproved([order], 1), T);
        while ((await oms.Ask<OrdersSnapshot>(new GetOrders(), T)).Orders.Count(o => o.Id == order.Id) == 0) await Task.Delay(10);
        oms.Tell(new Trading.Brokers.OrderAccepted(order.Id, at, "B" + orderNo));
        await ack;
        Fill Part(string id, long qty) => new(id, order.Id, S, Side.Buy, qty, 50.00m, Day, FeeSchedule.Default.Compute(Side.Buy, 50m, qty, Day));
        oms.Tell(new Trading.Brokers.OrderFilled(order.Id, at.AddMinutes(1), Part($"x{orderNo}a", 100), 100, 200));
        oms.Tell(new Trading.Brokers.OrderFilled(order.Id, at.AddMinutes(2), Part($"x{orderNo}b", 200), 300, 0));
        await oms.Ask<StepDone>(new Flush(1), T);
        await book.Ask<AccountSnapshot>(new MarkToMarket(Day, ImmutableDictionary<Symbol, decimal>.Empty.Add(S, 52m), 2), T);
        await guard.Ask<RiskStatus>(new EngageKillSwitch("test stop"), T);
        sys.EventStream.Publish(new AuditEntry(at, "alice", "console login", "from 10.0.0.1"));
        await alerts.Ask<StepDone>(new Flush(3), T);
        await audit.Ask<StepDone>(new Flush(3), T);
    }

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task A_sessions_journal_projects_into_every_read_model_and_projecting_again_changes_nothing(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        using var sys = journal.Start("rm1", Quiet);
        await RunSessionAsync(sys, "acct");
        var db = journal.ReadModels();
        var counts = await ReadModelProjector.CatchUpAsync(sys, db);
        // order: created, sent, acknowledged, two fills; position: deposit, two fills, a mark; risk: the kill switch.
        Assert.Equal(5, counts["order"]);
        Assert.Equal(2, counts["fill"]);
        Assert.Equal(4, counts["position"]);
        Assert.Equal(1, counts["risk"]);
        Assert.Equal(1, counts["alert"]);
        Assert.Equal(1, counts["audit"]);

        var rm = new Trading.Runtime.ReadModels.ReadModels(db);
        var order = Assert.Single(await rm.OrdersAsync("acct"));
        Assert.Equal(("Filled", 300L, 50.00m, "B1"), (order.Status, order.FilledQuantity, order.AveragePrice, order.BrokerOrderId));
        var fills = await rm.FillsAsync("acct");
        Assert.Equal(["x1a", "x1b"], fills.Select(f => f.FillId));
        Assert.Equal(15_000m, fills.Sum(f => f.Amount));
        var position = Assert.Single(await rm.PositionsAsync("acct"));
        Assert.Equal((S.ToString(), 300L, 52m, 15_600m), (position.Symbol, position.Quantity, position.LastPrice, position.MarketValue));
        var nav = Assert.Single(await rm.NavAsync("acct"));
        var fees = fills.Sum(f => f.Fees);
        Assert.Equal((Day, 100_000m - 15_000m - fees, 100_000m - 15_000m - fees + 15_600m), (nav.Date, nav.Cash, nav.Nav));
        Assert.Equal("kill-switch-engaged", Assert.Single(await rm.RiskEventsAsync("acct")).Kind);
        var alert = Assert.Single(await rm.AlertsAsync());
        Assert.Equal(("kill-switch", "engaged: test stop"), (alert.Kind, alert.Message));
        var audit = await rm.AuditAsync();
        Assert.Equal(["console login", "deposit", "kill-switch engage"], audit.Select(a => a.Action).Order());
        Assert.Contains(audit, a => a.Action == "deposit" && a.Detail.StartsWith("100000 to acct", StringComparison.Ordinal));

        var before = await DumpAsync(rm);
        // Resumes from the stored offsets: nothing new, nothing streamed again.
        Assert.All(await ReadModelProjector.CatchUpAsync(sys, db), kv => Assert.Equal(0, kv.Value));
        // Replay from the start (offsets forgotten): every event is projected again, and no row changes.
        await using (var c = await db.OpenAsync())
            await ReadModelDatabase.Execute(c, null, "DELETE FROM rm_offsets", default);
        Assert.Equal(5, (await ReadModelProjector.CatchUpAsync(sys, db))["order"]);
        Assert.Equal(before, await DumpAsync(rm));
        Assert.All(await rm.LagAsync(), l => Assert.Equal(0, l.Behind));

        // The bulk catch-up (straight from the journal's tables, for `trading journal export`) builds the same rows.
        await using (var c = await db.OpenAsync())
            foreach (var table in new[] { "rm_offsets", "rm_streams", "rm_orders", "rm_fills", "rm_positions", "rm_nav", "rm_risk_events", "rm_alerts", "rm_audit" })
                await ReadModelDatabase.Execute(c, null, $"DELETE FROM {table}", default);
        Assert.Empty(await rm.OrdersAsync());
        var bulk = await ReadModelProjector.CatchUpInBulkAsync(sys, db);
        Assert.Equal(counts.OrderBy(kv => kv.Key), bulk.OrderBy(kv => kv.Key));
        Assert.Equal(before, await DumpAsync(rm));
        await sys.Terminate();
    }

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task The_live_projector_follows_the_journal_and_a_new_one_resumes_from_the_stored_offset(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        using var sys = journal.Start("rm2", Quiet + "\nakka.persistence.query.journal.sql { refresh-interval = 50ms, journal-sequence-retrieval.query-delay = 50ms }");
        var db = journal.ReadModels();
        var rm = new Trading.Runtime.ReadModels.ReadModels(db);
        var projector = sys.ActorOf(ReadModelProjector.Props(db));
        await RunSessionAsync(sys, "live");
        await Eventually(async () => (await rm.FillsAsync("live")).Count == 2 && (await rm.AuditAsync()).Count == 3 && (await rm.NavAsync()).Count == 1);
        await Eventually(async () => (await rm.LagAsync()).All(l => l.Behind == 0));
        await projector.GracefulStop(T);
        var offsets = await rm.LagAsync();

        // Written while no projector runs: a second order on another account.
        await RunSessionAsync(sys, "live2", orderNo: 2);
        Assert.Equal(5, (await rm.LagAsync()).Single(l => l.Tag == "order").Behind);
        // A catch-up from the stored offsets streams only the new events (from 0 it would be twice as many).
        var counts = await ReadModelProjector.CatchUpAsync(sys, db);
        Assert.Equal((5L, 2L, 4L), (counts["order"], counts["fill"], counts["position"]));
        // Every tag the session writes moved on (no parent orders here: that tag has nothing).
        Assert.True((await rm.LagAsync()).Zip(offsets, (now, then) => now.Offset > then.Offset || now.Tag == "parent").All(moved => moved), "every tag's offset moved on");
        Assert.Equal(2, (await rm.OrdersAsync()).Count);
        Assert.Equal(["live", "live2"], (await rm.PositionsAsync()).Select(p => p.Account));
        await sys.Terminate();
    }

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task Events_deleted_after_a_snapshot_before_they_were_projected_are_stood_for_by_the_snapshot(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        using var sys = journal.Start("rm3", Quiet);
        var book = sys.ActorOf(PositionBookActor.Props("gap"));
        // The book snapshots at its 500th event and then deletes the events the snapshot covers.
        for (int i = 0; i < PositionBookActor.SnapshotEvery + 2; i++) await book.Ask<Deposited>(new Deposit(1m, $"d{i}"), T);
        await Eventually(async () => await journal.RowsAsync("position-book-gap") < 10);
        await book.Ask<AccountSnapshot>(new MarkToMarket(Day, ImmutableDictionary<Symbol, decimal>.Empty, 1), T);

        var db = journal.ReadModels();
        Assert.Equal(3, (await ReadModelProjector.CatchUpAsync(sys, db))["position"]); // two deposits and the mark survive
        var nav = Assert.Single(await new Trading.Runtime.ReadModels.ReadModels(db).NavAsync("gap"));
        Assert.Equal(PositionBookActor.SnapshotEvery + 2m, nav.Cash); // 500 from the snapshot, not 2
        await sys.Terminate();
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("the read models did not catch up within 30 s");
            await Task.Delay(50);
        }
    }

    private static async Task<string> DumpAsync(Trading.Runtime.ReadModels.ReadModels rm) => string.Join('\n',
        (await rm.OrdersAsync()).Select(x => x.ToString())
            .Concat((await rm.FillsAsync()).Select(x => x.ToString()))
            .Concat((await rm.PositionsAsync()).Select(x => x.ToString()))
            .Concat((await rm.NavAsync()).Select(x => x.ToString()))
            .Concat((await rm.RiskEventsAsync()).Select(x => x.ToString()))
            .Concat((await rm.AlertsAsync()).Select(x => x.ToString()))
            .Concat((await rm.AuditAsync()).Select(x => x.ToString())));
}
