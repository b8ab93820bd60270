using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Brokers;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.State;

/// <summary>
/// The OMS's decisions as a pure state machine (no actor): any interleaving of submit (repeated), acknowledgement,
/// fills (trade ids repeating), cancel, cancel report, submit timeout, "not found", "found", reconnect and restart
/// (the decisions rebuilt from what they journaled). Checked after every step: the journal never holds two intents
/// for one client id nor one fill twice; every send of a client id carries that one order; the filled quantity is
/// the sum of the distinct fills; what was decided is exactly what replaying the journal gives; an ended order
/// never moves back.
/// </summary>
public class OmsDecisionsPropertyTests
{
    private enum Op { Submit, Ack, Fill, Cancel, CancelReport, Timeout, NotFound, Found, Reconnect, Restart }

    private static readonly Symbol S = Symbol.Parse("000001.SZ");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 30, 0);
    private static long QuantityOf(int trade) => 100L * (trade + 1); // 100..400: 1,000 in all

    [Property(MaxTest = 500)]
    public Property Any_interleaving_keeps_one_order_per_client_id_and_counts_each_fill_once()
    {
        var step = Gen.Elements(Enum.GetValues<Op>()).Zip(Gen.Choose(0, 1).Zip(Gen.Choose(0, 3)));
        return Prop.ForAll(step.ListOf().ToArbitrary(), steps => Run([.. steps.Select(s => (s.Item1, s.Item2.Item1, s.Item2.Item2))]));
    }

    private static void Run(IReadOnlyList<(Op Op, int Order, int Trade)> steps)
    {
        var orders = Enumerable.Range(0, 2)
            .Select(k => new OrderRequest(ClientOrderId.Create("p", Day, k + 1), S, k == 0 ? Side.Buy : Side.Sell, 1000, 10.00m, OrderType.Limit, Day))
            .ToArray();
        var journal = new List<OrderEvent>();
        var sends = new List<OrderRequest>();
        var ended = new Dictionary<ClientOrderId, OrderStatus>();
        var d = new OmsDecisions();

        void Journal(OrderEvent? e) { if (e is not null) journal.Add(e); }
        Fill FillOf(OrderRequest o, int t) => new($"T{o.Id.Value}-{t}", o.Id, o.Symbol, o.Side, QuantityOf(t), 10.00m, Day,
            FeeSchedule.Default.Compute(o.Side, 10.00m, QuantityOf(t), Day));

        foreach (var (op, k, t) in steps)
        {
            var o = orders[k];
            switch (op)
            {
                case Op.Submit:
                    var events = d.Submit([o], At, out _);
                    journal.AddRange(events);
                    sends.AddRange(events.OfType<OrderCreated>().Select(c => c.Request));
                    break;
                case Op.Ack:
                    Report(d.Report(new OrderAccepted(o.Id, At, $"B{k}")));
                    break;
                case Op.Fill:
                    Report(d.Report(new OrderFilled(o.Id, At, FillOf(o, t), 0, 0)));
                    break;
                case Op.CancelReport:
                    Report(d.Report(new OrderCancelled(o.Id, At, 0, "cancelled")));
                    break;
                case Op.Cancel:
                    Journal(d.Cancel(o.Id, "test", At));
                    break;
                case Op.Timeout:
                    Journal(d.SubmitUnknown(o.Id, "timeout", At, out _));
                    break;
                case Op.NotFound:
                    if (d.NotFound(o.Id, out _) is { } again) sends.Add(again);
                    break;
                case Op.Found:
                    Journal(d.Found(new BrokerOrder(o, $"B{k}", 1, OrderStatus.Submitted, 0, 0, 0, "", []), At));
                    break;
                case Op.Reconnect:
                    sends.AddRange(d.TakeOutbox().Submits);
                    break;
                case Op.Restart:
                    var rebuilt = new OmsDecisions();
                    rebuilt.Recovered(Replay(journal).Values);
                    d = rebuilt;
                    sends.AddRange(d.TakeOutbox().Submits);
                    break;
            }
            Check(d, journal, sends, orders, ended);
        }

        void Report(ReportDecision r)
        {
            if (r is ReportDecision.Journal j) journal.Add(j.Event);
        }
    }

    private static Dictionary<ClientOrderId, OrderState> Replay(IEnumerable<OrderEvent> journal)
    {
        var states = new Dictionary<ClientOrderId, OrderState>();
        foreach (var e in journal)
        {
            if (OrderState.Start(e) is { } s) states[e.OrderId] = s;
            else if (states.TryGetValue(e.OrderId, out var x)) states[e.OrderId] = x.Apply(e).State;
        }
        return states;
    }

    private static void Check(OmsDecisions d, List<OrderEvent> journal, List<OrderRequest> sends, OrderRequest[] orders, Dictionary<ClientOrderId, OrderStatus> ended)
    {
        foreach (var o in orders)
        {
            Assert.True(journal.Count(e => e.OrderId == o.Id && e is OrderCreated or OrderAdopted) <= 1, $"two intents for {o.Id}");
            var fills = journal.OfType<OrderFillReported>().Where(f => f.OrderId == o.Id).Select(f => f.Fill).ToList();
            Assert.Equal(fills.Count, fills.Select(f => f.FillId).Distinct().Count());
            Assert.All(sends.Where(s => s.Id == o.Id), s => Assert.Equal(o, s));
            if (!d.Orders.TryGetValue(o.Id, out var state)) continue;
            Assert.Equal(fills.Sum(f => f.Quantity), state.FilledQuantity);
            var replayed = Replay(journal)[o.Id];
            Assert.Equal(replayed.Status, state.Status);
            Assert.Equal(replayed.FilledQuantity, state.FilledQuantity);
            if (ended.TryGetValue(o.Id, out var end)) Assert.Equal(end, state.Status);
            else if (state.Status.IsTerminal()) ended[o.Id] = state.Status;
        }
    }
}
