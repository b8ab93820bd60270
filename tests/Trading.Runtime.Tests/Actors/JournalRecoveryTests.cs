using Akka.Actor;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.Actors;

/// <summary>
/// Each durable journal — SQLite (hocon/persistence.sqlite.conf) and PostgreSQL (hocon/persistence.postgres.conf) —
/// keeps the book, the OMS and the risk guard across a restart of the actor system. Each test has a journal of its own
/// (<see cref="TestJournal"/>).
/// </summary>
public class JournalRecoveryTests
{
    private static readonly Symbol S = Symbol.Parse("688981.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private const string Quiet = "akka.loglevel = WARNING\nakka.loggers = [\"Akka.Event.DefaultLogger\"]";

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task Book_and_orders_survive_a_new_actor_system_on_the_same_journal(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        var order = new OrderRequest(ClientOrderId.Create("t", Day, 1), S, Side.Buy, 300, 50.00m, OrderType.Limit, Day);
        var fill = new Fill("x1", order.Id, S, Side.Buy, 300, 50.00m, Day, FeeSchedule.Default.Compute(Side.Buy, 50m, 300, Day));
        PositionBookState before;
        using (var sys = journal.Start("j1", Quiet))
        {
            var book = sys.ActorOf(PositionBookActor.Props("sq"));
            await book.Ask<Deposited>(new Deposit(100_000m, "seed"), TimeSpan.FromSeconds(20));
            var oms = sys.ActorOf(OrderManagerActor.Props("sq", ActorRefs.Nobody, book, () => new DateTime(2024, 1, 2, 9, 30, 0)));
            var ack = oms.Ask<Trading.Runtime.Messages.BatchAcknowledged>(new SubmitApproved([order], 1), TimeSpan.FromSeconds(20));
            // A broker answers only once the order was sent, i.e. after its intent is journaled: wait for that.
            while ((await oms.Ask<OrdersSnapshot>(new GetOrders(), TimeSpan.FromSeconds(20))).Orders.Count == 0) await Task.Delay(10);
            oms.Tell(new Trading.Brokers.OrderAccepted(order.Id, new DateTime(2024, 1, 2, 9, 30, 0), "B1"));
            await ack;
            oms.Tell(new Trading.Brokers.OrderFilled(order.Id, new DateTime(2024, 1, 2, 9, 31, 0), fill, 300, 0));
            await oms.Ask<StepDone>(new Flush(1), TimeSpan.FromSeconds(20));
            before = (await book.Ask<AccountSnapshot>(new GetAccount(), TimeSpan.FromSeconds(20))).Book;
            await sys.Terminate();
        }
        Assert.Equal(300, before.HoldingOf(S).Quantity);
        journal.AfterTermination();

        using var sys2 = journal.Start("j2", Quiet);
        var book2 = sys2.ActorOf(PositionBookActor.Props("sq"));
        var after = (await book2.Ask<AccountSnapshot>(new GetAccount(), TimeSpan.FromSeconds(20))).Book;
        Assert.Equal(before.Cash, after.Cash);
        Assert.Equal(before.Positions, after.Positions);
        var oms2 = sys2.ActorOf(OrderManagerActor.Props("sq", ActorRefs.Nobody, book2, () => DateTime.MinValue));
        var orders = (await oms2.Ask<OrdersSnapshot>(new GetOrders(), TimeSpan.FromSeconds(20))).Orders;
        var recovered = Assert.Single(orders);
        Assert.Equal((OrderStatus.Filled, 300L, 50.00m), (recovered.Status, recovered.FilledQuantity, recovered.AveragePrice));
        await sys2.Terminate();
    }

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task The_risk_guards_kill_switch_survives_a_new_actor_system_on_the_same_journal(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        IActorRef Guard(ActorSystem sys)
        {
            var book = sys.ActorOf(PositionBookActor.Props("rk"));
            var oms = sys.ActorOf(OrderManagerActor.Props("rk", ActorRefs.Nobody, book, () => new DateTime(2024, 1, 2, 9, 30, 0)));
            return sys.ActorOf(RiskGuardActor.Props("rk", Trading.Risk.RiskOptions.Default, oms, book, (s, d) => null, MarketRules.Default,
                FeeSchedule.Default, () => new DateTime(2024, 1, 2, 9, 30, 0)));
        }
        using (var sys = journal.Start("r1", Quiet))
        {
            var status = await Guard(sys).Ask<RiskStatus>(new EngageKillSwitch("test"), TimeSpan.FromSeconds(20));
            Assert.True(status.KillSwitchEngaged);
            await sys.Terminate();
        }
        using var sys2 = journal.Start("r2", Quiet);
        var after = await Guard(sys2).Ask<RiskStatus>(new GetRiskStatus(), TimeSpan.FromSeconds(20));
        Assert.Equal((true, "test"), (after.KillSwitchEngaged, after.Reason));
        await sys2.Terminate();
    }

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task A_node_forgets_orders_finished_days_ago_and_recovers_the_rest_from_its_snapshot(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        const string Extra = "trading.oms.keep-finished-days = 2\n" + Quiet;
        var timeout = TimeSpan.FromSeconds(20);
        var at = new DateTime(2024, 1, 2, 9, 30, 0);
        var old = new OrderRequest(ClientOrderId.Create("t", Day, 1), S, Side.Buy, 200, 50.00m, OrderType.Limit, Day);
        var later = Day.AddDays(5);
        var open = new OrderRequest(ClientOrderId.Create("t", later, 1), S, Side.Buy, 200, 50.00m, OrderType.Limit, later);
        using (var sys = journal.Start("k1", Extra))
        {
            var book = sys.ActorOf(PositionBookActor.Props("keep"));
            var oms = sys.ActorOf(OrderManagerActor.Props("keep", ActorRefs.Nobody, book, () => at));
            oms.Tell(new SubmitApproved([old], 1));
            while ((await oms.Ask<OrdersSnapshot>(new GetOrders(), timeout)).Orders.Count == 0) await Task.Delay(10);
            oms.Tell(new Trading.Brokers.OrderExpired(old.Id, at, 0, "day end"));
            oms.Tell(new SubmitApproved([open], 2));
            while ((await oms.Ask<OrdersSnapshot>(new GetOrders(), timeout)).Orders.Count(o => o.Status != OrderStatus.New) < 2) await Task.Delay(10);
            var rowsBefore = await journal.RowsAsync("orders-keep");
            await oms.Ask<StepDone>(new StartDay(later, 3), timeout); // the expired order finished 5 days before: forgotten
            var kept = (await oms.Ask<OrdersSnapshot>(new GetOrders(), timeout)).Orders;
            Assert.Equal(open.Id, Assert.Single(kept).Id);
            // The snapshot is saved and the events it covers deleted in the background.
            for (var wait = System.Diagnostics.Stopwatch.StartNew(); await journal.RowsAsync("orders-keep") >= rowsBefore && wait.Elapsed < timeout;) await Task.Delay(50);
            var rowsAfter = await journal.RowsAsync("orders-keep");
            Assert.True(rowsAfter < rowsBefore, $"journal rows {rowsAfter} should drop below {rowsBefore} after the snapshot");
            await sys.Terminate();
        }
        using var sys2 = journal.Start("k2", Extra);
        var book2 = sys2.ActorOf(PositionBookActor.Props("keep"));
        var oms2 = sys2.ActorOf(OrderManagerActor.Props("keep", ActorRefs.Nobody, book2, () => at));
        var recovered = (await oms2.Ask<OrdersSnapshot>(new GetOrders(), timeout)).Orders;
        var only = Assert.Single(recovered);
        Assert.Equal((open.Id, OrderStatus.PendingSubmit), (only.Id, only.Status));
        await sys2.Terminate();
    }
}
