using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Domain.Orders;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>
/// Cash, positions (T+1), cost and NAV of the account. Every change is an event persisted before it is applied
/// (<see cref="PositionBookState.Apply"/>); recovery replays the same function; a snapshot every
/// <see cref="SnapshotEvery"/> events keeps recovery fast. A fill reported twice is ignored. The book also holds
/// what open orders reserve at the broker (from the OMS, not persisted), and publishes an
/// <see cref="AccountChanged"/> after every change: the risk guard keeps its view from these instead of asking.
/// A fill and the shrinking of its order's reservation arrive from the OMS in that order, so every published view
/// errs on the safe side (the fill's cash already spent, its shares still reserved) and never the other way.
/// </summary>
public sealed class PositionBookActor : ReceivePersistentActor
{
    public const int SnapshotEvery = 500;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PositionBookState _state = PositionBookState.Empty;
    private readonly string _accountId;
    private ImmutableDictionary<ClientOrderId, OrderReservation> _reservations = ImmutableDictionary<ClientOrderId, OrderReservation>.Empty;
    private decimal _frozen;

    public static Props Props(string accountId) => Akka.Actor.Props.Create(() => new PositionBookActor(accountId));

    public PositionBookActor(string accountId)
    {
        PersistenceId = $"position-book-{accountId}";
        _accountId = accountId;

        Recover<BookEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is PositionBookState s) _state = s; });
        Recover<RecoveryCompleted>(_ => Publish(null));

        Command<Deposit>(d => PersistAndReply(new CashDeposited(d.Amount, d.Note), () => new Deposited(_state.Cash)));
        Command<BookFill>(f =>
        {
            var e = new FillBooked(f.Fill);
            if (!_state.Accepts(e))
            {
                _log.Debug("Fill {FillId} of order {OrderId} already booked", f.Fill.FillId, f.Fill.OrderId);
                return;
            }
            PersistAndReply(e, null);
        });
        Command<StartDay>(s => PersistAndReply(new DayOpened(s.Date), () => new StepDone(s.Step, "position-book")));
        // Answered with the account as marked: the close of day needs it at once (NAV for the watchdog and the clock).
        Command<MarkToMarket>(m => PersistAndReply(new PricesMarked(m.Date, m.Closes), Snapshot));
        Command<CorporateActionBooked>(c => PersistAndReply(c, null));
        Command<OrderReservation>(r =>
        {
            bool had = _reservations.TryGetValue(r.OrderId, out var old);
            if (had) _frozen -= old!.FrozenCash;
            if (r.Remaining > 0)
            {
                _reservations = _reservations.SetItem(r.OrderId, r);
                _frozen += r.FrozenCash;
            }
            else if (had) _reservations = _reservations.Remove(r.OrderId);
            else return;
            Publish(r.OrderId);
        });
        Command<GetAccount>(_ => Sender.Tell(Snapshot()));
        Command<Flush>(f => Sender.Tell(new StepDone(f.Step, "position-book")));
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Position book snapshot failed"));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Deleting journaled book events failed"));
    }

    public override string PersistenceId { get; }

    private void PersistAndReply(BookEvent e, Func<object>? reply)
    {
        var sender = Sender;
        Persist(e, persisted =>
        {
            _state = _state.Apply(persisted);
            if (reply is not null) sender.Tell(reply());
            if (LastSequenceNr % SnapshotEvery == 0) SaveSnapshot(_state);
            Publish(null);
        });
    }

    protected override void PreRestart(Exception reason, object message)
    {
        Context.System.EventStream.Publish(new AccountUnavailable(_accountId, reason.Message));
        base.PreRestart(reason, message);
    }

    private AccountSnapshot Snapshot() => new(_state, _frozen, _reservations);

    private void Publish(ClientOrderId? changed) =>
        Context.System.EventStream.Publish(new AccountChanged(_accountId, Snapshot(), changed));
}
