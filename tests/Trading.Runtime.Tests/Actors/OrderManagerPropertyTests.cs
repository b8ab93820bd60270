using Akka.Actor;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Brokers;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.Actors;

/// <summary>
/// The OMS as a state machine, driven through the real actor (journal, order actors, recovery) by any interleaving
/// of submit, acknowledgement, fills (trade ids repeating), cancel, cancel report, duplicate report, submit timeout,
/// "not found", reconnect and restart: the filled quantity is the sum of the distinct fills, each fill reaches the
/// book once, every send for a client id carries that one order, and a finished order never moves back.
/// </summary>
public class OrderManagerPropertyTests : RuntimeTestKit
{
    private enum Op { Submit, Ack, Fill, Cancel, CancelReport, Duplicate, Timeout, NotFound, Reconnect, Restart }

    private static readonly Symbol S = Symbol.Parse("000001.SZ");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 30, 0);
    private static int _run;

    // Trade t of any order is always the same execution: 100, 200, 300 or 400 shares (1,000 in all).
    private static long QuantityOf(int trade) => 100L * (trade + 1);

    [Property(MaxTest = 60)]
    public Property Filled_is_the_sum_of_distinct_fills_one_order_per_client_id_and_no_way_back_from_the_end()
    {
        var step = Gen.Elements(Enum.GetValues<Op>()).Zip(Gen.Choose(0, 1).Zip(Gen.Choose(0, 3)));
        return Prop.ForAll(step.ListOf().ToArbitrary(), steps => Run([.. steps.Select(s => (s.Item1, s.Item2.Item1, s.Item2.Item2))]));
    }

    private void Run(IReadOnlyList<(Op Op, int Order, int Trade)> steps)
    {
        int run = Interlocked.Increment(ref _run);
        var account = $"prop{run}";
        var orders = Enumerable.Range(0, 2)
            .Select(k => new OrderRequest(ClientOrderId.Create($"p{run}", Day, k + 1), S, k == 0 ? Side.Buy : Side.Sell, 1000, 10.00m, OrderType.Limit, Day))
            .ToArray();
        var ids = orders.Select(o => o.Id).ToHashSet();
        var broker = CreateTestProbe();
        var book = CreateTestProbe();
        var proposer = CreateTestProbe();
        var updates = CreateTestProbe();
        Sys.EventStream.Subscribe(updates.Ref, typeof(OrderUpdated));
        var bookFills = new List<Fill>();
        long flushes = 0;

        IActorRef Start() => Sys.ActorOf(OrderManagerActor.Props(account, broker.Ref, book.Ref, Clock));
        void Settle(IActorRef oms)
        {
            // Flush twice: the first lets the order actors answer, the second the fills those answers produced.
            for (int i = 0; i < 2; i++)
            {
                oms.Tell(new Flush(++flushes));
                book.FishForMessage(m =>
                {
                    if (m is BookFill bf) bookFills.Add(bf.Fill);
                    return m is Flush;
                }, TimeSpan.FromSeconds(5));
            }
        }

        var oms = Start();
        object? last = null;
        foreach (var (op, k, trade) in steps)
        {
            var o = orders[k];
            object? report = op switch
            {
                Op.Ack => new OrderAccepted(o.Id, At, $"B{k}"),
                Op.Fill => new OrderFilled(o.Id, At,
                    new Fill($"{o.Id.Value}-t{trade}", o.Id, S, o.Side, QuantityOf(trade), 10.00m, Day, FeeSchedule.Default.Compute(o.Side, 10m, QuantityOf(trade), Day)), 0, 0),
                Op.CancelReport => new OrderCancelled(o.Id, At, 0, "cancelled"),
                Op.Duplicate => last,
                _ => null,
            };
            switch (op)
            {
                case Op.Submit: oms.Tell(new SubmitApproved([o], 1, proposer.Ref)); break;
                case Op.Cancel: oms.Tell(new CancelOrder(o.Id, "test")); break;
                case Op.Timeout: oms.Tell(new SubmitOutcomeUnknown(o.Id, "timeout")); break;
                case Op.NotFound: oms.Tell(new BrokerOrderNotFound(o.Id)); break;
                case Op.Reconnect: oms.Tell(new BrokerConnected("sim", 1)); break;
                case Op.Restart:
                    Settle(oms);
                    Watch(oms);
                    Sys.Stop(oms);
                    FishForMessage(m => m is Terminated t && t.ActorRef.Equals(oms));
                    oms = Start();
                    break;
                default:
                    if (report is not null) oms.Tell(report);
                    break;
            }
            if (report is not null) last = report;
        }
        Settle(oms);
        oms.Tell(new GetOrders());
        var final = ExpectMsg<OrdersSnapshot>(TimeSpan.FromSeconds(5)).Orders.Where(s => ids.Contains(s.Id)).ToList();
        Sys.Stop(oms);
        Sys.EventStream.Unsubscribe(updates.Ref);

        // One order per client id, and every send for an id carried that order's own terms.
        Assert.Equal(final.Count, final.Select(s => s.Id).Distinct().Count());
        foreach (var m in broker.ReceiveWhile(TimeSpan.FromMilliseconds(50), m => m))
            if (m is SubmitToBroker sb) Assert.Contains(sb.Order, orders);
        foreach (var s in final)
        {
            // Filled = Σ distinct fills; the book heard exactly these fills. A restart hands the journaled fills to the
            // book again (the book keeps each fill id once), so a fill may arrive more than once — always the same fill.
            Assert.Equal(s.FillIds.Sum(f => QuantityOf(f[^1] - '0')), s.FilledQuantity);
            var heard = bookFills.Where(f => f.OrderId == s.Id).ToList();
            foreach (var copies in heard.GroupBy(f => f.FillId)) Assert.Single(copies.Distinct());
            var booked = heard.DistinctBy(f => f.FillId).ToList();
            Assert.Equal(s.FilledQuantity, booked.Sum(f => f.Quantity));
            Assert.Equal(s.FillIds.Order(), booked.Select(f => f.FillId).Order());
            Assert.True(s.FilledQuantity <= s.Request.Quantity);
        }
        Assert.DoesNotContain(bookFills, f => ids.Contains(f.OrderId) && !final.Any(s => s.Id == f.OrderId));
        // A finished order never moves back (as published, and as finally held).
        var ended = new Dictionary<ClientOrderId, OrderStatus>();
        foreach (var u in updates.ReceiveWhile(TimeSpan.FromMilliseconds(50), m => m as OrderUpdated).OfType<OrderUpdated>())
        {
            if (!ids.Contains(u.Order.Id)) continue;
            if (ended.TryGetValue(u.Order.Id, out var end)) Assert.Equal(end, u.Order.Status);
            else if (u.Order.Status.IsTerminal()) ended[u.Order.Id] = u.Order.Status;
        }
        foreach (var s in final)
            if (ended.TryGetValue(s.Id, out var end)) Assert.Equal(end, s.Status);
    }
}
