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
/// <see cref="SnapshotEvery"/> events keeps recovery fast. A fill reported twice is ignored.
/// </summary>
public sealed class PositionBookActor : ReceivePersistentActor
{
    public const int SnapshotEvery = 500;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PositionBookState _state = PositionBookState.Empty;
    private readonly Dictionary<ClientOrderId, decimal> _frozen = [];

    public static Props Props(string accountId) => Akka.Actor.Props.Create(() => new PositionBookActor(accountId));

    public PositionBookActor(string accountId)
    {
        PersistenceId = $"position-book-{accountId}";

        Recover<BookEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is PositionBookState s) _state = s; });

        Command<Deposit>(d => PersistAndReply(new CashDeposited(d.Amount, d.Note), () => new Deposited(_state.Cash)));
        Command<BookFill>(f =>
        {
            var e = new FillBooked(f.Fill);
            if (!_state.Accepts(e))
            {
                _log.Warning("Ignored duplicate fill {FillId} of order {OrderId}", f.Fill.FillId, f.Fill.OrderId);
                return;
            }
            PersistAndReply(e, null);
        });
        Command<StartDay>(s => PersistAndReply(new DayOpened(s.Date), () => new StepDone(s.Step, "position-book")));
        Command<MarkToMarket>(m => PersistAndReply(new PricesMarked(m.Date, m.Closes), () => new StepDone(m.Step, "position-book")));
        Command<CorporateActionBooked>(c => PersistAndReply(c, null));
        Command<FrozenCashChanged>(f =>
        {
            if (f.Amount > 0) _frozen[f.OrderId] = f.Amount; else _frozen.Remove(f.OrderId);
        });
        Command<GetAccount>(_ => Sender.Tell(new AccountSnapshot(_state, _frozen.Values.Sum())));
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
        });
    }
}

/// <summary>The OMS tells the book how much cash an open buy holds back (0 when it is done). Not persisted: the OMS rebuilds it.</summary>
public sealed record FrozenCashChanged(ClientOrderId OrderId, decimal Amount);
