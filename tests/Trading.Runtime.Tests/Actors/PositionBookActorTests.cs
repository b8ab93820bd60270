using Akka.Actor;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.Actors;

public class PositionBookActorTests : RuntimeTestKit
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");

    private static Fill Buy(string id, long qty, decimal price) =>
        new(id, new ClientOrderId("o-" + id), S, Side.Buy, qty, price, new DateOnly(2024, 1, 2), FeeSchedule.Default.Compute(Side.Buy, price, qty, new DateOnly(2024, 1, 2)));

    [Fact]
    public void Books_fills_once_and_recovers_after_a_restart()
    {
        var book = Sys.ActorOf(PositionBookActor.Props("acc1"));
        book.Tell(new Deposit(100_000m, "seed"));
        ExpectMsg<Deposited>().Cash.Equals(100_000m);
        book.Tell(new BookFill(Buy("f1", 1000, 10m)));
        book.Tell(new BookFill(Buy("f1", 1000, 10m))); // duplicate report
        book.Tell(new GetAccount());
        var before = ExpectMsg<AccountSnapshot>().Book;
        Assert.Equal(1000, before.HoldingOf(S).Quantity);
        Assert.Equal(100_000m - 10_005.10m, before.Cash);

        Watch(book);
        Sys.Stop(book);
        ExpectTerminated(book);
        var again = Sys.ActorOf(PositionBookActor.Props("acc1"));
        again.Tell(new GetAccount());
        var after = ExpectMsg<AccountSnapshot>().Book;
        Assert.Equal(before.Cash, after.Cash);
        Assert.Equal(before.Positions, after.Positions);
    }

    [Fact]
    public void Start_day_rolls_t_plus_1_and_answers_the_step()
    {
        var book = Sys.ActorOf(PositionBookActor.Props("acc2"));
        book.Tell(new Deposit(50_000m, "seed"));
        ExpectMsg<Deposited>();
        book.Tell(new BookFill(Buy("f1", 500, 10m)));
        book.Tell(new GetAccount());
        Assert.Equal(0, ExpectMsg<AccountSnapshot>().Book.HoldingOf(S).Sellable);
        book.Tell(new StartDay(new DateOnly(2024, 1, 3), 7));
        Assert.Equal(7, ExpectMsg<StepDone>().Step);
        book.Tell(new GetAccount());
        Assert.Equal(500, ExpectMsg<AccountSnapshot>().Book.HoldingOf(S).Sellable);
    }

    private static OrderReservation Reserve(string id, Side side, long remaining, decimal cash) =>
        new(new OrderRequest(new ClientOrderId(id), Symbol.Parse("600000.SH"), side, 1000, 10.00m, OrderType.Limit, new DateOnly(2024, 1, 2)),
            remaining, cash, new DateTime(2024, 1, 2, 9, 30, 0));

    [Fact]
    public void Frozen_cash_of_open_buys_is_reported_apart_from_cash()
    {
        var book = Sys.ActorOf(PositionBookActor.Props("acc3"));
        book.Tell(new Deposit(10_000m, "seed"));
        ExpectMsg<Deposited>();
        book.Tell(Reserve("a", Side.Buy, 300, 3_000m));
        book.Tell(Reserve("b", Side.Buy, 100, 1_000m));
        book.Tell(Reserve("s", Side.Sell, 500, 0m));
        book.Tell(Reserve("a", Side.Buy, 0, 0m));
        book.Tell(new GetAccount());
        var snap = ExpectMsg<AccountSnapshot>();
        Assert.Equal((1_000m, 9_000m), (snap.FrozenCash, snap.AvailableCash));
        Assert.Equal(["b", "s"], snap.Reservations.Keys.Select(k => k.Value).Order());
        Assert.Equal(500, snap.Reservations[new ClientOrderId("s")].Remaining);
    }

    [Fact]
    public void Every_change_is_published_naming_the_reservation_that_changed()
    {
        var views = CreateTestProbe();
        Sys.EventStream.Subscribe(views.Ref, typeof(AccountChanged));
        var book = Sys.ActorOf(PositionBookActor.Props("acc4"));
        Assert.Null(views.FishForMessage<AccountChanged>(c => c.AccountId == "acc4").Changed); // recovered
        book.Tell(new Deposit(10_000m, "seed"));
        var deposited = views.FishForMessage<AccountChanged>(c => c.AccountId == "acc4");
        Assert.Equal((10_000m, (ClientOrderId?)null), (deposited.Account.Book.Cash, deposited.Changed));

        book.Tell(Reserve("a", Side.Buy, 300, 3_000m));
        var reserved = views.FishForMessage<AccountChanged>(c => c.AccountId == "acc4");
        Assert.Equal((new ClientOrderId("a"), 3_000m), (reserved.Changed!.Value, reserved.Account.FrozenCash));
        Assert.Same(deposited.Account.Book, reserved.Account.Book);

        book.Tell(Reserve("a", Side.Buy, 0, 0m));
        var released = views.FishForMessage<AccountChanged>(c => c.AccountId == "acc4");
        Assert.Equal((new ClientOrderId("a"), 0m), (released.Changed!.Value, released.Account.FrozenCash));
        Assert.Empty(released.Account.Reservations);

        book.Tell(Reserve("never", Side.Buy, 0, 0m)); // releasing what was never reserved changes nothing
        views.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_failing_book_says_so_and_publishes_its_recovered_view_after_the_restart()
    {
        var views = CreateTestProbe();
        Sys.EventStream.Subscribe(views.Ref, typeof(AccountChanged));
        Sys.EventStream.Subscribe(views.Ref, typeof(AccountUnavailable));
        var parent = Sys.ActorOf(Props.Create(() => new RestartingParent(PositionBookActor.Props("acc5"))));
        views.FishForMessage(m => m is AccountChanged { AccountId: "acc5" });
        parent.Tell(new Deposit(5_000m, "seed"));
        views.FishForMessage(m => m is AccountChanged { AccountId: "acc5", Account.Book.Cash: 5_000m });

        parent.Tell(new KillChild()); // the book fails and is restarted
        Assert.Equal("acc5", views.FishForMessage<AccountUnavailable>(m => m is AccountUnavailable).AccountId);
        var recovered = views.FishForMessage<AccountChanged>(m => m is AccountChanged { AccountId: "acc5" });
        Assert.Equal((5_000m, (ClientOrderId?)null), (recovered.Account.Book.Cash, recovered.Changed));
    }

    /// <summary>Restarts its one child on any failure (the trading supervisor's rule for the book) and forwards it everything.</summary>
    private sealed class RestartingParent : ReceiveActor
    {
        public RestartingParent(Props child)
        {
            var book = Context.ActorOf(child);
            Receive<KillChild>(_ => book.Tell(Kill.Instance));
            ReceiveAny(m => book.Forward(m));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Restart);
    }

    private sealed record KillChild;
}
