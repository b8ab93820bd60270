using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Tests.Execution;

/// <summary>
/// The algo's pure state machine under any interleaving of time passing, the risk guard's verdicts (approve, shrink,
/// reject), fills (partial or whole), cancels confirmed with the broker counting more fills than were reported, a cancel
/// from outside, and restarts (the state rebuilt from what it journaled, then reconciled with the OMS). After every
/// step: the shares really filled never exceed the parent, nor do the shares committed; at most one child is out at a
/// time; client ids are never reused; a replacement follows only the confirmed end of the child it re-prices; every
/// child is a board lot priced on the tick inside the cage and the parent's limit; and the journal rebuilds the state.
/// </summary>
public class ExecutionAlgoStatePropertyTests
{
    private enum Op { Tick, Approve, Shrink, Reject, Fill, Confirm, OutsideCancel, Restart }

    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly TradeQuote Quote = new(10.00m, PriceLimit.FromReference(10.00m, 0.10m), false, 200_000);
    private static readonly PriceCage Cage = PriceCage.Defaults[Board.ShanghaiMain];

    [Property(MaxTest = 300)]
    public Property Any_interleaving_keeps_the_parent_whole_and_one_child_out_at_a_time()
    {
        var gen =
            from lots in Gen.Choose(5, 60)
            from slices in Gen.Choose(1, 8)
            from vwap in Gen.Elements(false, true)
            from reprice in Gen.Elements(false, true)
            from capped in Gen.Elements(false, true)
            from steps in Gen.Frequency((4, Gen.Constant(Op.Tick)), (4, Gen.Constant(Op.Approve)), (1, Gen.Constant(Op.Shrink)), (1, Gen.Constant(Op.Reject)),
                (4, Gen.Constant(Op.Fill)), (3, Gen.Constant(Op.Confirm)), (1, Gen.Constant(Op.OutsideCancel)), (1, Gen.Constant(Op.Restart)))
                .Zip(Gen.Choose(0, 100)).ListOf()
            select (lots, slices, vwap, reprice, capped, steps);
        return Prop.ForAll(gen.ToArbitrary(), c => Run(c.lots * 100L, c.slices, c.vwap, c.reprice, c.capped, [.. c.steps]));
    }

    private static void Run(long quantity, int slices, bool vwap, bool reprice, bool capped, IReadOnlyList<(Op, int)> steps)
    {
        var options = new ExecutionAlgoOptions
        {
            Algo = vwap ? ExecutionAlgo.Vwap : ExecutionAlgo.Twap, Window = TradingWindow.Parse("09:35-10:35", out _), Slices = slices,
            RepriceAfter = reprice ? TimeSpan.FromSeconds(60) : null, RepriceTicks = 2, Participation = capped ? 0.005 : 0, // cap: 1,000 shares
        };
        var parent = new ParentOrder("p-1", S, Side.Buy, quantity, 10.20m, options.Algo, options.Window, Day, "s", "target");
        var now = new DateTime(2024, 1, 2, 9, 35, 0);
        var journal = new List<AlgoEvent>();
        var state = new ExecutionAlgoState(parent);
        var oms = new Dictionary<ClientOrderId, OrderState>(); // what the OMS holds
        var real = new Dictionary<ClientOrderId, long>();       // shares really filled at the broker
        var pending = new List<OrderRequest>();                 // proposed, not yet judged
        var ids = new HashSet<ClientOrderId>();
        int fills = 0;

        void Record(IReadOnlyList<AlgoEvent> events)
        {
            journal.AddRange(events);
            foreach (var e in events.OfType<ChildDecided>())
            {
                Assert.True(ids.Add(e.Child.Id), $"client id {e.Child.Id} decided twice");
                var o = e.Child;
                Assert.Equal(parent.Id, o.ParentId);
                Assert.True(o.Quantity > 0 && o.Quantity % 100 == 0, $"{o.Quantity} is not a lot");
                Assert.True(o.LimitPrice % 0.01m == 0 && o.LimitPrice <= parent.LimitPrice && o.LimitPrice <= Cage.BuyCeiling(10.00m, 0.01m));
                if (capped) Assert.True(o.Quantity <= 1_000, $"{o.Quantity} over the cap");
                if (e.Replaces is { } r)
                    Assert.True(state.Child(r) is { Ended: true, CancelWhy: CancelReasons.Reprice }, $"{o.Id} replaces {r} before its cancel was confirmed");
                pending.Add(o);
            }
        }
        void Observe(OrderState o)
        {
            oms[o.Id] = o;
            var (next, events) = state.Observe(o, now);
            state = next;
            Record(events);
        }
        void Decide()
        {
            var (next, d) = state.Decide(new AlgoContext(now, Quote, MarketRules.Default.Quantity(S), 0.01m, Cage, options));
            state = next;
            Record(d.Events);
        }
        OrderState Fill(OrderState o, long q) =>
            o.Apply(new OrderFillReported(o.Id, now, new Fill($"f{++fills}", o.Id, S, Side.Buy, q, o.Request.LimitPrice, Day,
                FeeSchedule.Default.Compute(Side.Buy, o.Request.LimitPrice, q, Day)))).State;

        Decide();
        foreach (var (op, n) in steps)
        {
            var working = oms.Values.Where(o => o.Status.IsOpen()).OrderBy(o => o.Id.Value, StringComparer.Ordinal).ToList();
            switch (op)
            {
                case Op.Tick:
                    now = now.AddMinutes(n % 15 + 1);
                    break;
                case Op.Approve or Op.Shrink or Op.Reject when pending.Count > 0 && (op != Op.Reject || n < 20):
                    var child = pending[0];
                    pending.RemoveAt(0);
                    if (op == Op.Reject)
                    {
                        var (next, events) = state.Judged(new ProposalResult(0, [], [new RiskRejection(child, "cash", "no cash")]), now);
                        state = next;
                        Record(events);
                        break;
                    }
                    var taken = op == Op.Shrink && child.Quantity > 100 ? child with { Quantity = child.Quantity - 100 } : child;
                    var (judged, none) = state.Judged(new ProposalResult(0, [taken], []), now);
                    state = judged;
                    Record(none);
                    Observe(OrderState.Create(new OrderCreated(taken.Id, now, taken)).Apply(new OrderSent(taken.Id, now)).State
                        .Apply(new OrderAcknowledged(taken.Id, now, "B")).State);
                    real[taken.Id] = 0;
                    break;
                case Op.Fill when working.Count > 0:
                    var w = working[n % working.Count];
                    long q = Math.Max(100, w.RemainingQuantity * (n % 3 + 1) / 3 / 100 * 100);
                    q = Math.Min(q, w.RemainingQuantity);
                    real[w.Id] += q;
                    Observe(Fill(w, q));
                    break;
                case Op.Confirm when working.FirstOrDefault(o => state.Child(o.Id)?.CancelWhy is not null) is { } cancelled:
                    // The broker cancels, having filled up to 100 shares more than were reported (their report trails).
                    long more = Math.Min(cancelled.RemainingQuantity, n % 2 * 100);
                    real[cancelled.Id] += more;
                    Observe(cancelled.Apply(new OrderCancelRequested(cancelled.Id, now, "x")).State
                        .Apply(new OrderCancelReported(cancelled.Id, now, "cancelled", cancelled.FilledQuantity + more)).State);
                    break;
                case Op.OutsideCancel when working.Count > 0 && n < 10:
                    var x = working[0];
                    Observe(x.Apply(new OrderCancelRequested(x.Id, now, "kill switch")).State.Apply(new OrderCancelReported(x.Id, now, "cancelled", x.FilledQuantity)).State);
                    break;
                case Op.Restart:
                    state = journal.Aggregate(new ExecutionAlgoState(parent), (s, e) => s.Apply(e));
                    var (reconciled, decision) = state.Reconcile([.. oms.Values], now);
                    state = reconciled;
                    Record(decision.Events);
                    // A restart loses what was in flight; children the OMS never got are proposed again under their own
                    // ids (never a new one).
                    Assert.All(decision.Resubmit, o => Assert.Contains(o.Id, ids));
                    pending.Clear();
                    pending.AddRange(decision.Resubmit);
                    break;
            }
            Decide();

            Assert.True(real.Values.Sum() <= quantity, $"{real.Values.Sum()} filled of {quantity}");
            Assert.True(state.Committed <= quantity, $"{state.Committed} committed of {quantity}");
            Assert.True(state.Children.Count(ch => !ch.Ended) <= 1, $"{state.Children.Count(ch => !ch.Ended)} children out at once");
            foreach (var ch in state.Children.Where(ch => ch.Ended)) Assert.Equal(real.GetValueOrDefault(ch.Id), ch.Filled);
            var replayed = journal.Aggregate(new ExecutionAlgoState(parent), (s, e) => s.Apply(e));
            Assert.Equal(state.Children.Select(ch => (ch.Id, ch.Ended, ch.CancelWhy, ch.Ended ? ch.Filled : 0)),
                replayed.Children.Select(ch => (ch.Id, ch.Ended, ch.CancelWhy, ch.Ended ? ch.Filled : 0)));
            Assert.Equal((state.Stopped, state.Finished), (replayed.Stopped, replayed.Finished));
            if (state.Finished is { } done) Assert.Equal(state.Filled, done.Filled);
        }
    }
}
