using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;
using Trading.Runtime.Tests.Actors;

namespace Trading.Runtime.Tests.Execution;

/// <summary>
/// The execution manager and its algos against TestKit probes for the risk guard and the OMS, on a
/// <see cref="FakeTimeProvider"/>: time moves only when a test moves it. The probes answer as the real ones would
/// (the risk guard's or OMS's <see cref="ProposalResult"/> to the proposer; the OMS's <see cref="OrderUpdated"/> on the
/// event stream, built by applying OMS events to <see cref="OrderState"/>).
/// </summary>
public class ExecutionAlgoActorTests : RuntimeTestKit
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private static readonly TimeSpan T = TimeSpan.FromSeconds(5);
    private const string Account = "algo-test";

    private FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 2, 9, 35, 0, Shanghai));
    private readonly TestProbe _risk, _oms, _alerts;

    public ExecutionAlgoActorTests()
    {
        _risk = CreateTestProbe();
        _oms = CreateTestProbe();
        _alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(_alerts.Ref, typeof(RiskAlert));
    }

    private DateTime ShanghaiNow() => _time.GetUtcNow().ToOffset(Shanghai).DateTime;

    private static ExecutionAlgoOptions Twap(int slices = 4, TimeSpan? reprice = null, string window = "09:35-10:15") =>
        new() { Algo = ExecutionAlgo.Twap, Window = TradingWindow.Parse(window, out _), Slices = slices, RepriceAfter = reprice, RepriceTicks = 2 };

    private IActorRef Manager(ExecutionAlgoOptions options) => Sys.ActorOf(ExecutionManagerActor.Props(new AlgoSetup(Account, _risk.Ref, _oms.Ref, options,
        ShanghaiNow, _time, (_, _) => new TradeQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m), false, 1_000_000), MarketRules.Default, PriceCage.Defaults)));

    private static OrderRequest Planned(long quantity, Side side = Side.Buy, int n = 1) =>
        new(ClientOrderId.Create("s", Day, n), S, side, quantity, side == Side.Buy ? 10.20m : 9.80m, OrderType.ProtectedMarket, Day, "s", "target");

    private string Start(IActorRef manager, OrderRequest planned)
    {
        manager.Tell(new ProposeOrders("s", [planned], 7));
        var taken = ExpectMsg<ProposalResult>(T);
        Assert.Equal((7L, planned.Id), (taken.Step, Assert.Single(taken.Approved).Id));
        return planned.Id.Value;
    }

    /// <summary>The next children the algo proposes to the risk guard (one batch).</summary>
    private IReadOnlyList<OrderRequest> Proposed() => _risk.ExpectMsg<ProposeOrders>(T).Orders;

    /// <summary>The OMS has the child: acknowledged (the risk guard's answer goes back to the algo, the update on the event stream).</summary>
    private OrderState Ack(OrderRequest child)
    {
        _risk.Reply(new ProposalResult(0, [child], []));
        var s = OrderState.Create(new OrderCreated(child.Id, ShanghaiNow(), child)).Apply(new OrderSent(child.Id, ShanghaiNow())).State
            .Apply(new OrderAcknowledged(child.Id, ShanghaiNow(), "B" + child.Id.Value)).State;
        return Publish(s);
    }

    private OrderState Fill(OrderState s, long quantity, decimal? price = null)
    {
        var p = price ?? s.Request.LimitPrice;
        var fill = new Fill($"F{s.Id.Value}-{s.FillIds.Count}", s.Id, s.Request.Symbol, s.Request.Side, quantity, p, Day,
            FeeSchedule.Default.Compute(s.Request.Side, p, quantity, Day));
        return Publish(s.Apply(new OrderFillReported(s.Id, ShanghaiNow(), fill)).State);
    }

    private OrderState Cancelled(OrderState s, long? brokerFilled = null) =>
        Publish(s.Apply(new OrderCancelRequested(s.Id, ShanghaiNow(), "x")).State.Apply(new OrderCancelReported(s.Id, ShanghaiNow(), "cancelled", brokerFilled ?? s.FilledQuantity)).State);

    private OrderState Publish(OrderState s)
    {
        Sys.EventStream.Publish(new OrderUpdated(s, Account));
        return s;
    }

    /// <summary>Waits until the algo has handled everything sent to it so far (its state, asked through the manager).</summary>
    private ExecutionAlgoState StateOf(IActorRef manager, string parent) => manager.Ask<ExecutionAlgoState>(new GetParentState(parent), T).Result;

    private ParentView ViewOf(IActorRef manager, string parent) =>
        manager.Ask<ParentsSnapshot>(GetParents.Instance, T).Result.Parents.Single(p => p.Parent.Id == parent);

    private void Advance(TimeSpan by) => _time.Advance(by);

    [Fact]
    public void Twap_sends_one_child_per_slice_at_its_time_and_finishes_when_filled()
    {
        var manager = Manager(Twap());
        var parent = Start(manager, Planned(1_000));

        // 09:35–10:15 in four slices, ten minutes apart: 200, 300, 200, 300 (cumulative targets rounded to lots).
        var first = Assert.Single(Proposed());
        Assert.Equal((parent, 200L, 10.00m, OrderType.Limit), (first.ParentId, first.Quantity, first.LimitPrice, first.Type));
        Assert.Equal(parent + "-001", first.Id.Value);
        Fill(Ack(first), 200);
        StateOf(manager, parent);
        Advance(TimeSpan.FromMinutes(9));
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing before 09:45

        var ids = new List<ClientOrderId> { first.Id };
        foreach (var expected in new[] { 300L, 200, 300 })
        {
            Advance(TimeSpan.FromMinutes(1));
            var child = Assert.Single(Proposed());
            Assert.Equal(expected, child.Quantity);
            ids.Add(child.Id);
            Fill(Ack(child), child.Quantity);
            if (ids.Count == 4) break; // filled: the algo is done
            StateOf(manager, parent);
            Advance(TimeSpan.FromMinutes(9));
        }
        Assert.Equal(4, ids.Distinct().Count());
        AwaitAssert(() =>
        {
            var view = ViewOf(manager, parent);
            Assert.Equal((ParentStatus.Filled, 1_000L, 4), (view.Outcome?.Status, view.Filled, view.Children));
        }, T);
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Vwap_children_follow_the_profile_and_catch_up_what_the_schedule_owes()
    {
        var options = Twap(slices: 8, window: "09:30-14:57") with { Algo = ExecutionAlgo.Vwap };
        _time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 9, 30, 0, Shanghai));
        var manager = Manager(options);
        var parent = Start(manager, Planned(10_000));
        var plan = StateOf(manager, parent).Plan!;
        var q = plan.Slices.Select(s => s.Quantity).ToArray();
        Assert.True(q[0] > q[3] && q[7] > q[3], string.Join(",", q)); // the U shape: open and close heavier than late morning
        Assert.Equal(10_000, q.Sum());

        var first = Assert.Single(Proposed());
        Assert.Equal(q[0], first.Quantity);
        // Half of it fills and the child stays out: the next slice waits for it (one child at a time) ...
        var live = Fill(Ack(first), 1_000);
        StateOf(manager, parent);
        Advance(plan.Slices[1].At - plan.Slices[0].At);
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // ... and once it has filled, sends what the schedule owes by now: the second slice (the first one is done).
        Fill(live, q[0] - 1_000);
        var second = Assert.Single(Proposed());
        Assert.Equal(q[1], second.Quantity);
        // The second child is cancelled from outside: that stops the parent (nothing more is sent), with an alert.
        Cancelled(Ack(second));
        var alert = _alerts.FishForMessage<RiskAlert>(a => a.Kind == "algo-stopped", T);
        Assert.Contains("cancelled outside the algo", alert.Message);
        AwaitAssert(() => Assert.Equal(ParentStatus.Stopped, ViewOf(manager, parent).Outcome?.Status), T);
    }

    [Fact]
    public void An_unfilled_child_is_cancelled_then_replaced_under_a_fresh_id_inside_the_cage_only_once_the_cancel_is_confirmed()
    {
        var manager = Manager(Twap(slices: 2, reprice: TimeSpan.FromSeconds(60)));
        var parent = Start(manager, Planned(600));
        var first = Assert.Single(Proposed());
        Assert.Equal((300L, 10.00m), (first.Quantity, first.LimitPrice)); // passive: at the reference
        var live = Fill(Ack(first), 100);
        StateOf(manager, parent);

        Advance(TimeSpan.FromSeconds(60));
        var cancel = _oms.ExpectMsg<CancelOrder>(T);
        Assert.Equal(first.Id, cancel.OrderId);
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no replacement before the cancel is confirmed

        // The broker confirms the cancel saying 200 had filled (its last fill report trails): the rest is 100, not 200.
        Cancelled(live, brokerFilled: 200);
        var replacement = Assert.Single(Proposed());
        Assert.NotEqual(first.Id, replacement.Id);
        Assert.Equal(parent + "-002", replacement.Id.Value);
        Assert.Equal(100, replacement.Quantity);
        var ceiling = PriceCage.Defaults[Board.ShanghaiMain].BuyCeiling(10.00m, 0.01m);
        Assert.Equal(10.18m, replacement.LimitPrice); // two ticks inside the cage (10.20)
        Assert.True(replacement.LimitPrice <= ceiling && replacement.LimitPrice > first.LimitPrice);

        var state = StateOf(manager, parent);
        Assert.Equal(200 + 100, state.Committed); // filled 200 + the replacement; nothing decided beyond the slice
        Assert.True(state.Committed <= 600);
        // A replacement is at the best price already: it is not cancelled again for nothing.
        var working = Ack(replacement);
        StateOf(manager, parent);
        Advance(TimeSpan.FromSeconds(61));
        _oms.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // Once it fills, the next slice (09:55) starts at the re-price level: the market is beyond the reference.
        Fill(working, 100);
        StateOf(manager, parent);
        Advance(TimeSpan.FromMinutes(19));
        var next = Assert.Single(Proposed());
        Assert.Equal((parent + "-003", 300L, 10.18m), (next.Id.Value, next.Quantity, next.LimitPrice));
    }

    [Fact]
    public void The_window_end_cancels_the_live_children_and_the_parent_reports_what_filled()
    {
        var manager = Manager(Twap(slices: 2, window: "09:35-09:55"));
        var parent = Start(manager, Planned(1_000));
        var a = Fill(Ack(Assert.Single(Proposed())), 300); // 300 of 500, still out
        StateOf(manager, parent);
        Advance(TimeSpan.FromMinutes(10));
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // the second slice waits for the first child
        StateOf(manager, parent);
        Advance(TimeSpan.FromMinutes(10));
        var cancel = _oms.ExpectMsg<CancelOrder>(T);
        Assert.Equal(a.Id, cancel.OrderId);
        Assert.Contains("window end", cancel.Reason);
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Cancelled(a);
        AwaitAssert(() =>
        {
            var outcome = ViewOf(manager, parent).Outcome;
            Assert.NotNull(outcome);
            Assert.Equal((ParentStatus.Incomplete, 300L), (outcome.Status, outcome.Filled));
            Assert.Contains("700 of 1000 unfilled", outcome.Reason);
        }, T);
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_risk_rejection_stops_the_parent_with_an_alert()
    {
        var manager = Manager(Twap());
        var parent = Start(manager, Planned(1_000));
        var first = Assert.Single(Proposed());
        _risk.Reply(new ProposalResult(0, [], [new RiskRejection(first, "max-order-value", "too big")]));
        var alert = _alerts.FishForMessage<RiskAlert>(a => a.Kind == "algo-stopped", T);
        Assert.Contains("max-order-value", alert.Message);
        Assert.Equal((Account, S), (alert.AccountId, alert.Symbol));
        AwaitAssert(() => Assert.Equal(ParentStatus.Stopped, ViewOf(manager, parent).Outcome?.Status), T);
        Advance(TimeSpan.FromMinutes(30));
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no later slice goes out
    }

    [Fact]
    public void A_restart_mid_parent_goes_on_without_sending_a_filled_or_live_child_again()
    {
        var options = Twap(slices: 4);
        var manager = Manager(options);
        var parent = Start(manager, Planned(1_000));
        var a = Fill(Ack(Assert.Single(Proposed())), 200);
        StateOf(manager, parent);
        Advance(TimeSpan.FromMinutes(10));
        var b = Fill(Ack(Assert.Single(Proposed())), 300);
        StateOf(manager, parent);
        Advance(TimeSpan.FromMinutes(10));
        var c = Assert.Single(Proposed()); // decided and proposed, never reached the OMS (the node died)
        StateOf(manager, parent);

        Watch(manager);
        Sys.Stop(manager);
        ExpectTerminated(manager, T);
        var again = Manager(options);

        // The manager (for its parents' fills) and the algo (for its children) ask the OMS: a and b filled, c unknown.
        var orders = new List<OrderState> { a, b };
        for (int i = 0; i < 2; i++)
        {
            _oms.FishForMessage(m => m is GetOrders, T);
            _oms.LastSender.Tell(new OrdersSnapshot(orders), _oms.Ref);
        }

        // Only c goes again, under its own id; nothing for a or b.
        var resent = Assert.Single(Proposed());
        Assert.Equal(c.Id, resent.Id);
        var live = Ack(resent);
        var state = StateOf(again, parent);
        Assert.Equal(3, state.Children.Count);
        Assert.Equal(700, state.Committed); // a 200 and b 300 filled, c 200 out
        // The last slice is due while c works: it waits (one child at a time), then goes with c's end.
        Advance(TimeSpan.FromMinutes(10));
        _risk.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Fill(live, 200);
        var d = Assert.Single(Proposed());
        Assert.Equal((parent + "-004", 300L), (d.Id.Value, d.Quantity));
        Assert.Equal(1_000, StateOf(again, parent).Committed);
    }
}
