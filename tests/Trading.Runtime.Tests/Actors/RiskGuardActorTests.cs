using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.Actors;

/// <summary>The risk guard judges against the view it keeps from the book's events, never asking per proposal.</summary>
public class RiskGuardActorTests : RuntimeTestKit
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly PositionBookState Funded = PositionBookState.Empty.Apply(new CashDeposited(100_000m, "seed"));
    private int _n;

    private OrderRequest Buy(long qty) => new(ClientOrderId.Create("rg", Day, ++_n), S, Side.Buy, qty, 10.00m, OrderType.Limit, Day);

    private (IActorRef Risk, TestProbe Book, TestProbe Oms) Start(string account, IReadOnlyList<OrderState>? reconcileWith = null, RiskOptions? limits = null)
    {
        var book = CreateTestProbe();
        var oms = CreateTestProbe();
        var options = limits ?? RiskOptions.Default with { MaxPositionWeight = null, MaxRebalanceTurnover = null, CheckRebalanceCash = false };
        var risk = Sys.ActorOf(RiskGuardActor.Props(account, options, oms.Ref, book.Ref,
            (s, d) => new MarketQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m)), MarketRules.Default, FeeSchedule.Default, Clock));
        book.ExpectMsg<GetAccount>();
        oms.ExpectMsg<GetOrders>();
        if (reconcileWith is not null) risk.Tell(new StartDay(Day, 0), oms.Ref);
        oms.Reply(new OrdersSnapshot(reconcileWith ?? []));
        return (risk, book, oms);
    }

    private static AccountSnapshot View(PositionBookState book, params OrderReservation[] reserved) =>
        new(book, reserved.Sum(r => r.FrozenCash), reserved.ToImmutableDictionary(r => r.OrderId));

    [Fact]
    public void Proposals_wait_for_the_books_view_then_approved_orders_count_in_full_until_the_book_reserves_them()
    {
        var (risk, book, oms) = Start("rg1");
        var first = Buy(6_000); // 60,000 + fees of 100,000 cash
        risk.Tell(new ProposeOrders("s", [first], 1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        oms.ExpectNoMsg(TimeSpan.Zero);

        book.Reply(View(Funded));
        var submitted = oms.ExpectMsg<SubmitApproved>();
        Assert.Equal(first.Id, Assert.Single(submitted.Orders).Id);
        Assert.Equal(TestActor, submitted.ReplyTo); // the OMS answers the proposer

        // Nothing reserved at the broker yet: the first order is pending and counts in full.
        risk.Tell(new ProposeOrders("s", [Buy(5_000)], 2));
        var refused = ExpectMsg<ProposalResult>();
        Assert.Equal("cash", Assert.Single(refused.Rejected).Rule);
        Assert.Contains("pending buys 60,", refused.Rejected[0].Reason);

        // The book reserves it (cash frozen): counted once, not twice and not zero times.
        var reservation = new OrderReservation(first, 6_000, 60_090m, Clock());
        Sys.EventStream.Publish(new AccountChanged("rg1", View(Funded, reservation), first.Id));
        risk.Tell(new ProposeOrders("s", [Buy(4_000)], 3)); // 40,000 + fees > 39,910 available
        Assert.Equal("cash", Assert.Single(ExpectMsg<ProposalResult>().Rejected).Rule);
        var fits = Buy(3_900);
        risk.Tell(new ProposeOrders("s", [fits], 4));
        Assert.Equal(fits.Id, Assert.Single(oms.ExpectMsg<SubmitApproved>().Orders).Id);

        // Another account's book says nothing about this one.
        Sys.EventStream.Publish(new AccountChanged("other", View(Funded), null));
        risk.Tell(new ProposeOrders("s", [Buy(100)], 5));
        Assert.Equal("cash", Assert.Single(ExpectMsg<ProposalResult>().Rejected).Rule);
    }

    [Fact]
    public void While_the_book_restarts_proposals_wait_and_are_judged_on_its_recovered_view()
    {
        var (risk, book, oms) = Start("rg2");
        book.Reply(View(Funded));
        Sys.EventStream.Publish(new AccountUnavailable("rg2", "boom"));
        var order = Buy(1_000);
        risk.Tell(new ProposeOrders("s", [order], 1));
        oms.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Sys.EventStream.Publish(new AccountChanged("rg2", View(Funded), null));
        Assert.Equal(order.Id, Assert.Single(oms.ExpectMsg<SubmitApproved>().Orders).Id);
    }

    [Fact]
    public void A_finished_order_no_longer_counts_once_the_book_has_released_it()
    {
        var (risk, book, oms) = Start("rg3");
        book.Reply(View(Funded));
        var first = Buy(9_000);
        risk.Tell(new ProposeOrders("s", [first], 1));
        oms.ExpectMsg<SubmitApproved>();
        var second = Buy(2_000);
        risk.Tell(new ProposeOrders("s", [second], 2));
        Assert.Equal("cash", Assert.Single(ExpectMsg<ProposalResult>().Rejected).Rule);

        // The broker cancelled the first: the book releases it, the OMS reports it finished.
        var reserved = new OrderReservation(first, 9_000, 90_135m, Clock());
        Sys.EventStream.Publish(new AccountChanged("rg3", View(Funded, reserved), first.Id));
        Sys.EventStream.Publish(new AccountChanged("rg3", View(Funded), first.Id));
        var state = OrderState.Create(new OrderCreated(first.Id, Clock(), first)).Apply(new OrderSent(first.Id, Clock())).State
            .Apply(new OrderCancelReported(first.Id, Clock(), "cancelled")).State;
        Sys.EventStream.Publish(new OrderUpdated(state, "rg3"));
        AwaitAssert(() =>
        {
            risk.Tell(new GetRiskStatus());
            ExpectMsg<RiskStatus>();
            var again = Buy(2_000);
            risk.Tell(new ProposeOrders("s", [again], 3));
            Assert.Equal(again.Id, Assert.Single(oms.ExpectMsg<SubmitApproved>(TimeSpan.FromMilliseconds(200)).Orders).Id);
        }, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void After_a_restart_the_days_approvals_come_from_the_oms_record()
    {
        var lost = Buy(9_000);
        var sent = OrderState.Create(new OrderCreated(lost.Id, Clock(), lost)).Apply(new OrderSent(lost.Id, Clock())).State;
        var (risk, book, oms) = Start("rg4", [sent]);
        oms.ExpectMsg<StepDone>();
        book.Reply(View(Funded));
        risk.Tell(new GetRiskStatus());
        Assert.Equal(1, ExpectMsg<RiskStatus>().OrdersToday);
        // Its cash is not reserved at the book (the view has none), so it counts as pending: no room for another 2,000.
        risk.Tell(new ProposeOrders("s", [Buy(2_000)], 1));
        Assert.Equal("cash", Assert.Single(ExpectMsg<ProposalResult>().Rejected).Rule);
    }

    [Fact]
    public void A_cancel_rate_above_the_limit_raises_one_alert_a_day()
    {
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var options = RiskOptions.Default with { MaxPositionWeight = null, MaxRebalanceTurnover = null, CheckRebalanceCash = false, MaxCancelRatio = 0.5m, CancelRateMinOrders = 2 };
        var (risk, book, oms) = Start("rg5", limits: options);
        risk.Tell(new StartDay(Day, 1));
        ExpectMsg<StepDone>();
        book.Reply(View(Funded));
        var orders = new[] { Buy(100), Buy(200), Buy(300) };
        risk.Tell(new ProposeOrders("s", orders, 2));
        Assert.Equal(3, oms.ExpectMsg<SubmitApproved>().Orders.Count);
        OrderState Cancelling(OrderRequest o) => OrderState.Create(new OrderCreated(o.Id, Clock(), o)).Apply(new OrderSent(o.Id, Clock())).State
            .Apply(new OrderCancelRequested(o.Id, Clock(), "test")).State;
        Sys.EventStream.Publish(new OrderUpdated(Cancelling(orders[0]), "rg5"));
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // 1 of 3
        Sys.EventStream.Publish(new OrderUpdated(Cancelling(orders[1]), "rg5"));
        var alert = alerts.ExpectMsg<RiskAlert>();
        Assert.Equal(("cancel-rate", "risk-guard"), (alert.Kind, alert.Source));
        Assert.Contains("2 cancels / 3 orders", alert.Message);
        Sys.EventStream.Publish(new OrderUpdated(Cancelling(orders[2]), "rg5"));
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // once a day
    }
}
