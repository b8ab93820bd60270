using System.Collections.Immutable;
using System.Text;
using Akka.Serialization;
using Akka.Util;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Positions;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Execution;
using Trading.Runtime.Persistence;
using Trading.Runtime.State;
using Trading.Runtime.Tests.Actors;

namespace Trading.Runtime.Tests;

public class JournalSerializerTests : RuntimeTestKit
{
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 30, 0);
    private static readonly Symbol S = Symbol.Parse("688981.SH");
    private static readonly OrderRequest Order = new(ClientOrderId.Create("t", Day, 1), S, Side.Sell, 250, 51.23m, OrderType.ProtectedMarket, Day);
    private static readonly Fill AFill = new("f1", Order.Id, S, Side.Sell, 200, 51.20m, Day, FeeSchedule.Default.Compute(Side.Sell, 51.20m, 200, Day));

    private static readonly ParentOrder Parent = new("t-20240102-000009", S, Side.Sell, 250, 50.00m, ExecutionAlgo.Vwap,
        new TradingWindow(new TimeOnly(9, 35), new TimeOnly(14, 50)), Day, "t", "exit");
    private static readonly ParentOutcome Outcome = new(ParentStatus.Incomplete, 100, 51.2m, 2, "window ended with 150 of 250 unfilled");

    /// <summary>One instance of every type the serializer writes; a new journal type without one here fails the test.</summary>
    private static readonly object[] Samples =
    [
        new OrderCreated(Order.Id, At, Order), new OrderSent(Order.Id, At), new OrderAcknowledged(Order.Id, At, "B-7"),
        new OrderFillReported(Order.Id, At, AFill), new OrderCancelRequested(Order.Id, At, "operator"),
        new OrderCancelReported(Order.Id, At, "cancelled"), new OrderRejectReported(Order.Id, At, "broker", "price: 超出涨跌停"),
        new OrderExpireReported(Order.Id, At, "day end"), new OrderSubmitUnknown(Order.Id, At, "no answer within 00:00:30"),
        new OrderAdopted(Order.Id, At, Order, "B-8"),
        new CashDeposited(600_000.01m, "seed"), new FillBooked(AFill), new DayOpened(Day),
        new PricesMarked(Day, ImmutableDictionary<Symbol, decimal>.Empty.Add(S, 51.2m).Add(Symbol.Parse("000001.SZ"), 10.01m)),
        new CorporateActionBooked(S, Day, 0.123m, 0.3m),
        new OrderApproved(Order, At), new OrderRejectedByRisk(Order, "cash", "no cash", At),
        new Trading.Risk.OrderCancelled(Order.Id, S, At), new OrderFinished(Order.Id), new DayStarted(Day),
        new KillSwitchEngaged("drawdown 12%", At), new KillSwitchReleased("ops", At),
        new ReconciliationHalted("1 difference(s) with the broker", At), new ReconciliationAcknowledged("ops", At),
        PositionBookState.Empty.Apply(new CashDeposited(100_000m, "seed")).Apply(new DayOpened(Day))
            .Apply(new FillBooked(AFill with { Side = Side.Buy, OrderId = new ClientOrderId("b") })),
        RiskState.Empty.Apply(new DayStarted(Day)).Apply(new OrderApproved(Order, At)).Apply(new KillSwitchEngaged("x", At)).Apply(new ReconciliationHalted("y", At)),
        new Trading.Runtime.Messages.RiskAlert(At, "risk-reject", "cash", "no cash", S, Order.Id),
        new Trading.Runtime.Messages.AuditEntry(At, "alice", "kill-switch engage", "manual"),
        new Trading.Runtime.Actors.OmsSnapshot([OrderState.Create(new OrderCreated(Order.Id, At, Order)).Apply(new OrderSent(Order.Id, At)).State
            .Apply(new OrderFillReported(Order.Id, At, AFill)).State]),
        new EpochStarted(3, At),
        new JobFired(Trading.Runtime.Clock.ScheduledJob.Rebalance, Day, new DateTimeOffset(At, TimeSpan.FromHours(8))),
        new JobDone(Trading.Runtime.Clock.ScheduledJob.Rebalance, Day),
        new StrategyPaused("alpha", "console otto", At),
        new StrategyResumed("alpha", "console otto", At),
        new JobMissed(Trading.Runtime.Clock.ScheduledJob.PreOpen, Day, new DateTimeOffset(At, TimeSpan.FromHours(8)), "late"),
        new OrderCancelReported(Order.Id, At, "cancelled with 100 filled", 100),
        new ParentAccepted(Parent, At), new ParentClosed(Parent.Id, At, Outcome),
        new SlicesPlanned(Parent.Id, At, [new Slice(0, new TimeOnly(9, 35), 200), new Slice(2, new TimeOnly(13, 5, 30), 50)], 0, 5_000),
        new ChildDecided(Parent.Id, At, Order with { ParentId = Parent.Id }, 0, null),
        new ChildDecided(Parent.Id, At, Order with { Id = new ClientOrderId("p-002"), ParentId = Parent.Id }, 0, Order.Id),
        new ChildCancelDecided(Parent.Id, At, Order.Id, CancelReasons.Reprice),
        new ChildEnded(Parent.Id, At, Order.Id, OrderStatus.Cancelled, 250, 100, 5_123.00m, "cancelled"),
        new AlgoStopped(Parent.Id, At, "risk"), new AlgoFinished(Parent.Id, At, Outcome),
    ];

    [Fact]
    public void Every_journal_type_has_a_sample_and_round_trips_through_the_configured_serializer()
    {
        Assert.Equal(JournalSerializer.Types.Values.Select(t => t.FullName).Order(), Samples.Select(s => s.GetType().FullName).Distinct().Order());
        foreach (var sample in Samples)
        {
            var serializer = Assert.IsType<JournalSerializer>(Sys.Serialization.FindSerializerFor(sample));
            var bytes = serializer.ToBinary(sample);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, serializer.Manifest(sample));
            Assert.Equal(sample.GetType(), back.GetType());
            Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
            if (sample is not (PricesMarked or PositionBookState or Trading.Runtime.Actors.OmsSnapshot or SlicesPlanned)) Assert.Equal(sample, back); // records with value equality
        }
        var book = (PositionBookState)Samples.Single(s => s is PositionBookState);
        var bookBack = (PositionBookState)Sys.Serialization.Deserialize(Sys.Serialization.FindSerializerFor(book).ToBinary(book), JournalSerializer.Id, "snapshot/PositionBookState");
        Assert.Equal(book.Positions.ToArray(), bookBack.Positions.ToArray());
        Assert.Equal((book.Cash, book.FeesPaid), (bookBack.Cash, bookBack.FeesPaid));
    }

    [Fact]
    public void Symbols_and_ids_are_written_as_text_and_an_unknown_manifest_is_named()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(Samples[0]);
        var json = Encoding.UTF8.GetString(serializer.ToBinary(new OrderCreated(Order.Id, At, Order)));
        Assert.Contains("\"688981.SH\"", json);
        Assert.Contains($"\"{Order.Id.Value}\"", json);
        Assert.Contains("\"ProtectedMarket\"", json);
        var e = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "order/NoSuchEvent"));
        Assert.Contains("order/NoSuchEvent", e.Message);
    }

    [Fact]
    public void Rows_written_by_the_earlier_newtonsoft_serializer_still_read()
    {
        var old = new OrderCreated(Order.Id, At, Order);
        var newtonsoft = Assert.IsType<NewtonSoftJsonSerializer>(Sys.Serialization.FindSerializerForType(typeof(object))); // the configured default // Akka's JSON serializer, the journal's before
        var bytes = newtonsoft.ToBinary(old);
        Assert.Equal(old, Sys.Serialization.Deserialize(bytes, newtonsoft.Identifier, old.GetType().TypeQualifiedName()));
    }
}
