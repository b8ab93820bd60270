using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Domain.Orders;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>
/// The OMS. Write ahead, then act: an order's intent (<see cref="OrderCreated"/>, with its client order id) is
/// persisted before it is sent, and every broker report is persisted before it changes anything. Each live order
/// has an <see cref="OrderActor"/> child running its state machine. Recovery replays the events into order states
/// and recreates children for the open ones, then re-sends the outbox — every order written ahead and not
/// acknowledged, every cancel not answered — under the same client ids, as it does on each reconnect of the broker
/// session (<see cref="BrokerConnected"/>); the broker's idempotent client ids make a resend harmless.
/// Only the risk guard sends <see cref="SubmitApproved"/>.
/// With <c>trading.oms.keep-finished-days</c> = N &gt; 0 (a live node), each day start forgets orders that finished more
/// than N days before and saves a snapshot of the rest, then deletes the journaled events it covers: memory and
/// recovery time stay bounded by the recent days, not by the node's whole history. Backtests keep every order (0),
/// as their orders.csv lists them all.
/// </summary>
public sealed class OrderManagerActor : ReceivePersistentActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _broker;
    private readonly IActorRef _book;
    private readonly Func<DateTime> _now;
    // As the order actors report them (what GetOrders answers and the book's reservations follow).
    private readonly Dictionary<ClientOrderId, OrderState> _orders = [];
    // The decisions (pure): each order after every event this OMS has decided to journal, applied when decided (before
    // the write completes), so a duplicate report is recognised before anything is journaled.
    private readonly OmsDecisions _decisions = new();
    private readonly Dictionary<ClientOrderId, IActorRef> _children = [];
    // Each order of a batch still waiting for the broker's first answer → its batch.
    private readonly Dictionary<ClientOrderId, Batch> _batches = [];
    private PendingFlush? _flush;
    private long _flushToken;
    private readonly int _keepFinishedDays;
    // Fills replayed from the journal after the last snapshot: handed to the book again on recovery (it keeps each fill
    // id once), because a crash between this journal's write and the book's loses the book's copy, not this one.
    private readonly List<Fill> _recoveredFills = [];

    private sealed class Batch(SubmitApproved request, IActorRef replyTo, int waiting)
    {
        public SubmitApproved Request { get; } = request;
        public IActorRef ReplyTo { get; } = replyTo;
        public int Waiting = waiting, Accepted, Rejected;

        public object Answer() => Request.ReplyTo is null
            ? new BatchAcknowledged(Request.Step, Accepted, Rejected)
            : new ProposalResult(Request.Step, Request.Orders, Request.Rejected ?? []);
    }

    private sealed record PendingFlush(long Token, long Step, IActorRef ReplyTo, HashSet<ClientOrderId> Waiting);

    private readonly string _accountId;

    public static Props Props(string accountId, IActorRef broker, IActorRef book, Func<DateTime> now) =>
        Akka.Actor.Props.Create(() => new OrderManagerActor(accountId, broker, book, now));

    public OrderManagerActor(string accountId, IActorRef broker, IActorRef book, Func<DateTime> now)
    {
        PersistenceId = $"orders-{accountId}";
        _accountId = accountId;
        _broker = broker;
        _book = book;
        _now = now;

        Recover<OrderEvent>(e =>
        {
            if (OrderState.Start(e) is { } started) _orders[e.OrderId] = started;
            else if (_orders.TryGetValue(e.OrderId, out var s))
            {
                var t = s.Apply(e);
                _orders[e.OrderId] = t.State;
                if (t.Applied && e is OrderFillReported f) _recoveredFills.Add(f.Fill);
            }
        });
        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is not OmsSnapshot s) return;
            _orders.Clear();
            _recoveredFills.Clear();
            foreach (var order in s.Orders) _orders[order.Id] = order;
        });
        Recover<RecoveryCompleted>(_ => OnRecovered());
        _keepFinishedDays = Context.System.Settings.Config.GetInt("trading.oms.keep-finished-days", 0);
        Command<StartDay>(s => DeferAsync(s, OnStartDay));
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "OMS snapshot failed; the journal keeps every event"));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "Deleting journaled OMS events failed"));

        Command<SubmitApproved>(Submit);
        Command<BrokerConnected>(_ => ResendOutbox("broker connected"));
        Command<SubmitOutcomeUnknown>(OnSubmitUnknown);
        Command<BrokerOrderNotFound>(OnNotFound);
        Command<ResendUnknown>(OnResendDue);
        Command<BrokerOrderFound>(OnFound);
        Command<Trading.Brokers.BrokerReport>(OnReport);
        Command<FillAccepted>(f =>
        {
            _book.Tell(new BookFill(f.Fill));
        });
        Command<OrderStateChanged>(OnStateChanged);
        Command<CancelOrder>(c => RequestCancel(c.OrderId, c.Reason));
        Command<CancelAllOrders>(c =>
        {
            foreach (var id in _decisions.Open()) RequestCancel(id, c.Reason);
            Sender.Tell(new StepDone(0, "cancel-all"));
        });
        Command<GetOrders>(g => DeferAsync(g, _ => Sender.Tell(new OrdersSnapshot(_orders.Values.ToList()))));
        Command<Flush>(f => DeferAsync(f, StartFlush));
        // The book's view, for the broker session's reconciliation (it knows only this actor): after a Flush, in order.
        Command<GetAccount>(m => _book.Forward(m));
        Command<OrderFlushed>(OnOrderFlushed);
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A delayed resend of an order whose outcome is still unknown (see <see cref="OnNotFound"/>).</summary>
    private sealed record ResendUnknown(ClientOrderId OrderId);

    private void OnRecovered()
    {
        _decisions.Recovered(_orders.Values);
        // Before anything else reaches the book from here: every journaled fill again (the book ignores the ones it has).
        foreach (var fill in _recoveredFills) _book.Tell(new BookFill(fill));
        if (_recoveredFills.Count > 0) _log.Info("OMS handed {Fills} journaled fills to the book again (it keeps each once)", _recoveredFills.Count);
        _recoveredFills.Clear();
        foreach (var s in _orders.Values.Where(o => !o.Status.IsTerminal()))
        {
            _children[s.Id] = Context.ActorOf(OrderActor.Props(s), ChildName(s.Id));
            _book.Tell(OrderReservation.Of(s));
        }
        if (_orders.Count > 0)
            _log.Info("OMS recovered {Orders} orders, {Open} open", _orders.Count, _children.Count);
        // Written ahead but never acknowledged: the send may or may not have reached the broker; the same id makes
        // sending again safe (the broker returns the order it has, never a second one).
        ResendOutbox("recovered");
    }

    /// <summary>
    /// The outbox: every order written ahead and not yet acknowledged is sent again under its own client id (the
    /// broker de-duplicates by id: an order it already has comes back as that order, never a second one), then every
    /// cancel not yet answered. Sent after recovery and whenever the broker session (re)connects.
    /// </summary>
    private void ResendOutbox(string why)
    {
        var outbox = _decisions.TakeOutbox();
        if (outbox.Count == 0) return;
        foreach (var o in outbox.Submits) _broker.Tell(new SubmitToBroker(o));
        foreach (var id in outbox.Cancels) _broker.Tell(new CancelAtBroker(id));
        foreach (var id in outbox.LookUps) _broker.Tell(new LookUpOrder(id));
        _log.Info("OMS outbox ({Why}): {Count} orders sent again under their own client ids", why, outbox.Count);
    }

    /// <summary>
    /// A send timed out or failed without saying whether the broker took the order: the order is SubmitUnknown
    /// (journaled; its cash stays reserved) and the broker is asked for this client id. Never a new id: two ids
    /// would be two orders if both sends arrived.
    /// </summary>
    private void OnSubmitUnknown(SubmitOutcomeUnknown m)
    {
        var unknown = _decisions.SubmitUnknown(m.OrderId, m.Reason, _now(), out bool lookUp);
        if (lookUp) _broker.Tell(new LookUpOrder(m.OrderId));
        if (unknown is null) return;
        PersistAsync(unknown, e =>
        {
            var t = _orders[e.OrderId].Apply(e);
            if (t.Applied) _orders[e.OrderId] = t.State;
            if (_children.TryGetValue(e.OrderId, out var child)) child.Tell(e);
            _broker.Tell(new LookUpOrder(e.OrderId));
        });
    }

    /// <summary>
    /// The broker's view of an order, ahead of its replayed reports. One the OMS does not know is adopted: journaled
    /// as <see cref="OrderAdopted"/> and from then on an order like any other (its replayed fills reach the book once,
    /// through its order actor). Decided before it is persisted, so the reports right behind it find the order.
    /// </summary>
    private void OnFound(BrokerOrderFound m)
    {
        var o = m.Order;
        if (_decisions.Found(o, _now()) is not { } adopted) return;
        var state = _decisions.Orders[o.Id];
        _orders[o.Id] = state;
        _children[o.Id] = Context.ActorOf(OrderActor.Props(state), ChildName(o.Id));
        _log.Warning("Order {OrderId} ({Side} {Quantity} {Symbol}) adopted from the broker", o.Id, o.Request.Side, o.Request.Quantity, o.Request.Symbol);
        PersistAsync(adopted, _ =>
        {
            _book.Tell(OrderReservation.Of(state));
            Context.System.EventStream.Publish(new OrderUpdated(state, _accountId));
        });
    }

    /// <summary>
    /// The broker's orders do not include a SubmitUnknown order: the send never arrived, so it is sent again under
    /// the same client id (a late first copy is then recognised by the broker as the same order, never a second
    /// one). Not rejected: a first send still in flight could be taken later, and the broker would then hold an
    /// order the OMS had written off, with its cash released. The first resend goes at once; while the order stays
    /// unknown (a bridge answers "unknown" for a while after a send to xtquant that has not answered yet), each next
    /// one waits twice as long, up to <see cref="OmsDecisions.MaxResendDelay"/>, with a stuck-order warning.
    /// </summary>
    private void OnNotFound(BrokerOrderNotFound m)
    {
        if (_decisions.NotFound(m.OrderId, out int tries) is not { } again) return;
        var delay = OmsDecisions.ResendDelay(tries);
        if (delay == TimeSpan.Zero)
        {
            _broker.Tell(new SubmitToBroker(again));
            return;
        }
        if (tries >= OmsDecisions.StuckAfterResends)
            _log.Warning("Order {OrderId} is still unknown to the broker after {Count} sends; sending it again in {Delay}", m.OrderId, tries, delay);
        Timers.StartSingleTimer("resend-" + m.OrderId.Value, new ResendUnknown(m.OrderId), delay);
    }

    private void OnResendDue(ResendUnknown m)
    {
        if (_decisions.ResendDue(m.OrderId) is { } again) _broker.Tell(new SubmitToBroker(again));
    }

    /// <summary>A new day: with a retention set, forget orders that finished before it and snapshot the rest.</summary>
    private void OnStartDay(StartDay s)
    {
        if (_keepFinishedDays > 0)
        {
            // Run deferred (see the constructor): every decided event is journaled by now, so the decided states are
            // exactly what the events up to LastSequenceNr say, and the snapshot may stand for them.
            var before = s.Date.AddDays(-_keepFinishedDays);
            var old = _decisions.Orders.Values.Where(o => o.Status.IsTerminal() && o.Request.TradeDate < before).Select(o => o.Id).ToList();
            foreach (var id in old)
            {
                _orders.Remove(id);
                _decisions.Forget(id);
            }
            SaveSnapshot(new OmsSnapshot([.. _decisions.Orders.Values.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id.Value, StringComparer.Ordinal)]));
            if (old.Count > 0) _log.Info("OMS: {Count} orders finished before {Date} forgotten, {Kept} kept", old.Count, before, _orders.Count);
        }
        Sender.Tell(new StepDone(s.Step, "orders"));
    }

    private static string ChildName(ClientOrderId id) => "order-" + Uri.EscapeDataString(id.Value);

    private void Submit(SubmitApproved m)
    {
        var replyTo = m.ReplyTo ?? Sender;
        var events = _decisions.Submit(m.Orders, _now(), out var known);
        foreach (var dup in known) _log.Warning("Order {OrderId} already known; not sent again", dup);
        var batch = new Batch(m, replyTo, events.Count / 2);
        if (events.Count == 0)
        {
            replyTo.Tell(batch.Answer());
            return;
        }
        foreach (var e in events) _batches[e.OrderId] = batch;
        // Async persistence pipelines the journal writes (commands are not stashed meanwhile); each handler still
        // runs only after its event is stored, in order, and Flush/GetOrders wait for the handlers (DeferAsync).
        PersistAllAsync(events, e =>
        {
            if (e is OrderCreated c)
            {
                var state = OrderState.Create(c);
                _orders[c.OrderId] = state;
                _children[c.OrderId] = Context.ActorOf(OrderActor.Props(state), ChildName(c.OrderId));
                return;
            }
            var sent = _orders[e.OrderId].Apply(e).State;
            _orders[e.OrderId] = sent;
            _children[e.OrderId].Tell(e);
            _book.Tell(OrderReservation.Of(sent));
            _broker.Tell(new SubmitToBroker(sent.Request));
        });
    }

    private void OnReport(Trading.Brokers.BrokerReport r)
    {
        switch (_decisions.Report(r))
        {
            case ReportDecision.LookUp { First: true }:
                // Not dropped: the broker holds an order this OMS does not (lost with the last commits before a power
                // cut, or placed elsewhere). Its terms come with the broker's view of it, which replays this report too.
                _log.Warning("Broker report {Report} for unknown order {OrderId}: asking the broker for it to adopt it", r.GetType().Name, r.OrderId);
                _broker.Tell(new LookUpOrder(r.OrderId));
                break;
            case ReportDecision.Ignore i:
                // A report that changes nothing (a reconnect's or a resubmission's replay) is never journaled.
                _log.Debug("Broker report for {OrderId} not journaled: {Why}", r.OrderId, i.Why);
                break;
            case ReportDecision.Journal j:
                PersistAsync(j.Event, persisted =>
                {
                    if (_children.TryGetValue(persisted.OrderId, out var child)) child.Tell(persisted);
                    else _log.Warning("Report {Event} for finished order {OrderId} ignored", persisted.GetType().Name, persisted.OrderId);
                });
                break;
        }
    }

    private void OnStateChanged(OrderStateChanged m)
    {
        var s = m.State;
        var before = _orders.TryGetValue(s.Id, out var b0) ? OrderReservation.Of(b0) : null;
        _orders[s.Id] = s;
        // The book hears only what changes the reservation (a fill, the end); an acknowledgement changes nothing there.
        var now = OrderReservation.Of(s);
        if (before is null || before.Remaining != now.Remaining || before.FrozenCash != now.FrozenCash) _book.Tell(now);
        Context.System.EventStream.Publish(new OrderUpdated(s, _accountId));
        if ((s.Status is OrderStatus.Submitted or OrderStatus.Rejected or OrderStatus.Filled or OrderStatus.PartiallyFilled
            or OrderStatus.Cancelled or OrderStatus.Expired) && _batches.Remove(s.Id, out var batch))
        {
            if (s.Status == OrderStatus.Rejected) batch.Rejected++; else batch.Accepted++;
            if (--batch.Waiting == 0) batch.ReplyTo.Tell(batch.Answer());
        }
        if (s.Status.IsTerminal() && _children.Remove(s.Id, out var child))
        {
            // A finished order has nothing more to hand back; a flush it may never answer (stopped) need not wait.
            Context.Stop(child);
            if (_flush is { } f && f.Waiting.Remove(s.Id) && f.Waiting.Count == 0) FinishFlush();
        }
    }

    private void RequestCancel(ClientOrderId id, string reason)
    {
        if (_decisions.Cancel(id, reason, _now()) is not { } request) return;
        PersistAsync(request, e =>
        {
            if (_children.TryGetValue(id, out var child)) child.Tell(e);
            _broker.Tell(new CancelAtBroker(id));
        });
    }

    /// <summary>
    /// Reports arrive here before the flush (same path); each live order answers after what it already has, and
    /// the book is flushed after the fills the orders handed back — then the clock may move on.
    /// </summary>
    private void StartFlush(Flush f)
    {
        var token = ++_flushToken;
        var waiting = _children.Keys.ToHashSet();
        _flush = new PendingFlush(token, f.Step, Sender, waiting);
        foreach (var (_, child) in _children) child.Tell(new FlushOrder(token));
        if (waiting.Count == 0) FinishFlush();
    }

    private void OnOrderFlushed(OrderFlushed m)
    {
        if (_flush is not { } f || f.Token != m.Token) return;
        f.Waiting.Remove(m.OrderId);
        if (f.Waiting.Count == 0) FinishFlush();
    }

    private void FinishFlush()
    {
        var f = _flush!;
        _flush = null;
        _book.Tell(new Flush(f.Step), f.ReplyTo);
    }

    protected override void PostStop()
    {
        foreach (var b in _batches.Values.Distinct()) b.ReplyTo.Tell(new Status.Failure(new InvalidOperationException("OMS stopped")));
        base.PostStop();
    }
}

/// <summary>OMS → broker session: send this order (the session stamps the epoch).</summary>
public sealed record SubmitToBroker(OrderRequest Order);

/// <summary>OMS → broker session: cancel this order at the broker.</summary>
public sealed record CancelAtBroker(ClientOrderId OrderId);

/// <summary>The OMS's orders at a day start (a live node's snapshot; see <see cref="OrderManagerActor"/>).</summary>
public sealed record OmsSnapshot(ImmutableList<OrderState> Orders);
