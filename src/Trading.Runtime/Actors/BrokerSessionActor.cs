using Akka.Actor;
using Akka.Event;
using Trading.Brokers;
using Trading.Domain.Orders;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>
/// The link to one broker account over an <see cref="IBrokerGateway"/>, event-driven: the gateway's pushes (numbered
/// reports, changes of the link) arrive here as messages, and every gateway call runs under a timeout from
/// <see cref="BrokerSessionOptions"/> with its result coming back as a message, so the mailbox is never held by a
/// slow call and the heartbeat keeps running behind it.
/// <para>
/// Connecting: submits and cancels are not kept here — the OMS's outbox holds every order written ahead and not
/// acknowledged (and every cancel not yet answered), and re-sends them when this session tells it
/// <see cref="BrokerConnected"/>; a failed connect, which stops this actor, therefore loses nothing. Connected: orders
/// go out stamped with the node's epoch (a stale primary is fenced by the gateway) in the order they arrive here — the
/// gateway serialises its writes, so a submit need not complete before the next call starts. Pushed reports go to the
/// OMS in seq order: a seq jump asks the gateway to replay from the first missing seq (later reports wait), and a
/// replay that answers "gap" or a new broker epoch reconciles in full. After every (re)connect the session
/// reconciles: it replays the broker's view of the day's orders and fills to the OMS, which ignores what it already
/// has. A lost connection (pushed, or seen by the heartbeat) or a failed connect throws, and the BackoffSupervisor
/// around this actor restarts it with exponential backoff. Each loss is published as a <c>broker-link-down</c>
/// <see cref="RiskAlert"/>, the first connect after one as <c>broker-link-up</c> (the notifier pages for both).
/// </para>
/// <para>
/// Fencing (CLUSTER_FAILOVER "fence"): after every connect, and again when the broker starts a new epoch, the session
/// first announces the brain's epoch (<see cref="IBrokerGateway.FenceAsync"/>) and only then reconciles or sends, so a
/// newer brain's fence is up before anything of this one goes out and an old brain that wakes from a pause is refused
/// before its first order. Refused (<see cref="FencedOutException"/>, or a submit refused as <see cref="StaleEpochException"/>),
/// the session never sends again — not this incarnation, not the ones its supervisor restarts: orders stay journaled
/// and unsent for the newer brain to resolve by query — and publishes a <c>fenced</c> <see cref="RiskAlert"/> and a
/// <see cref="Messages.FencedOut"/> (the cluster stops the brain on it). On top, best effort: the brain's
/// <c>MayTrade</c> check (its lease) runs right before every submit; when it says no the order is held unsent (a
/// warning once per order) and <see cref="TradingSuspended"/> is published once.
/// </para>
/// </summary>
public sealed class BrokerSessionActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IBrokerGateway _gateway;
    private readonly ActorRefSlot _orders;
    private readonly long _epoch;
    private readonly BrokerSessionOptions _options;
    private readonly Func<DateTime> _now;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<bool>? _mayTrade;
    private readonly HashSet<ClientOrderId> _held = [];
    private IDisposable? _subscription;

    // Where the pushed stream stands: the broker's epoch, the last seq passed to the OMS, reports waiting for a replay.
    private string _brokerEpoch = "";
    private long _lastSeq;
    private readonly SortedDictionary<long, SequencedReport> _waiting = [];
    private bool _replaying;

    // The account check after the orders are reconciled (see StartAccountCheck).
    private readonly string _accountId;
    private AccountCheck? _check;
    private long _checks;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The orders half only (no account check): for specs of the order stream.</summary>
    /// <param name="submitTimeout">how long a submit may run before its outcome counts as unknown (default 30 s)</param>
    public static Props Props(IBrokerGateway gateway, ActorRefSlot orders, long epoch, TimeSpan heartbeat, Func<DateTime> now, TimeSpan? submitTimeout = null) =>
        Props(gateway, orders, epoch, BrokerSessionOptions.Default with
        {
            Heartbeat = heartbeat,
            SubmitTimeout = submitTimeout ?? BrokerSessionOptions.Default.SubmitTimeout,
            ReconcileAccount = false,
        }, now);

    /// <param name="mayTrade">asked right before every submit (the brain's lease); null: always allowed</param>
    public static Props Props(IBrokerGateway gateway, ActorRefSlot orders, long epoch, BrokerSessionOptions options, Func<DateTime> now,
        string accountId = "main", Func<bool>? mayTrade = null) =>
        Akka.Actor.Props.Create(() => new BrokerSessionActor(gateway, orders, epoch, options, now, accountId, mayTrade));

    public BrokerSessionActor(IBrokerGateway gateway, ActorRefSlot orders, long epoch, BrokerSessionOptions options, Func<DateTime> now,
        string accountId = "main", Func<bool>? mayTrade = null)
    {
        _accountId = accountId;
        _mayTrade = mayTrade;
        _gateway = gateway;
        _orders = orders;
        _epoch = epoch;
        _options = options;
        _now = now;
        if (orders.Fenced) FencedOut();
        else Connecting();
    }

    protected override void PreStart()
    {
        if (_orders.Fenced)
        {
            // An earlier incarnation was fenced out: this one neither connects nor sends.
            _log.Warning("Broker session of {AccountId} stays fenced out (epoch {Epoch}): not connecting", _accountId, _epoch);
            return;
        }
        var self = Self;
        _subscription = _gateway.Listen(e => self.Tell(e));
        Call(_gateway.ConnectAsync(_stopping.Token), _options.ConnectTimeout, s => new Connected(s), e => new ConnectFailed(e));
    }

    protected override void PostStop()
    {
        _subscription?.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Connecting()
    {
        Receive<Connected>(c =>
        {
            _log.Info("Broker {Broker} connected (epoch {Epoch}, broker epoch {BrokerEpoch} at seq {Seq})",
                _gateway.Name, _epoch, c.Session.Epoch, c.Session.LastSeq);
            (_brokerEpoch, _lastSeq) = (c.Session.Epoch, c.Session.LastSeq);
            if (_options.Heartbeat > TimeSpan.Zero) Timers.StartPeriodicTimer("heartbeat", new Heartbeat(), _options.Heartbeat);
            Fence("connected", GoOnline);
        });
        Receive<Fenced>(OnFenced);
        Receive<FenceFailed>(OnFenceFailed);
        Receive<ConnectFailed>(f => throw LinkLost($"Connecting to {_gateway.Name} failed: {Describe(f.Cause, _options.ConnectTimeout)}", f.Cause));
        Receive<ConnectionChanged>(_ => { }); // the connect's own answer decides
        Receive<LookUpOrder>(_ => { }); // the OMS's outbox asks again on BrokerConnected
        // The OMS's outbox re-sends these on BrokerConnected; a copy kept here would die with a failed connect.
        Receive<SubmitToBroker>(m => _log.Debug("Submit of {OrderId} while connecting: left to the OMS's outbox", m.Order.Id));
        Receive<CancelAtBroker>(m => _log.Debug("Cancel of {OrderId} while connecting: left to the OMS's outbox", m.OrderId));
        CallResults();
        ReceiveAny(_ => Stash.Stash()); // pushed reports wait for the connect's cursor (and the fence)
    }

    /// <summary>Connected and fenced: the OMS re-sends its outbox, the session reconciles.</summary>
    private void GoOnline()
    {
        Become(Online);
        if (_orders.LinkLost)
        {
            _orders.LinkLost = false;
            Context.System.EventStream.Publish(new RiskAlert(_now(), LinkUp, _gateway.Name, $"{_gateway.Name} connected again: reconciling", AccountId: _accountId));
        }
        _orders.Ref.Tell(new BrokerConnected(_gateway.Name, _epoch));
        Reconcile("connected");
        Stash.UnstashAll();
    }

    private void Online()
    {
        Receive<SubmitToBroker>(Submit);
        Receive<CancelAtBroker>(Cancel);
        Receive<SequencedReport>(OnReport);
        Receive<ConnectionChanged>(c =>
        {
            if (c.State == ConnectionState.Disconnected)
                throw LinkLost($"{_gateway.Name} disconnected: {c.Reason}", null);
            if (c.Epoch != _brokerEpoch) NewBrokerEpoch(c.Epoch, 0, c.Reason);
        });
        Receive<Flush>(f => _orders.Ref.Forward(f));
        Receive<LookUpOrder>(m => Call(_gateway.QueryOrdersAsync(_stopping.Token), _options.QueryTimeout,
            orders => new LookedUp(m.OrderId, orders), e => new LookUpFailed(m.OrderId, e)));
        Receive<Reconciled>(r =>
        {
            int fills = 0;
            var foreign = new List<ReconciliationDifference>();
            foreach (var o in r.Orders)
            {
                if (o.IsForeign && _options.UnknownDifferences == UnknownDifferencePolicy.Halt)
                {
                    foreign.Add(new ReconciliationDifference("foreign-order",
                        $"broker order {o.BrokerOrderId} ({o.Request.Side} {o.Request.Quantity:N0} {o.Request.Symbol} @ {o.Request.LimitPrice}, {o.Status}, {o.FilledQuantity:N0} filled) was not placed by this system",
                        o.Request.Symbol));
                    continue;
                }
                if (o.IsForeign) _log.Warning("Adopting broker order {BrokerOrderId} placed outside this system ({Id}): unknown-differences = adopt", o.BrokerOrderId, o.Id);
                fills += Replay(o);
            }
            if (r.Orders.Count > 0) _log.Info("Reconciled {Orders} broker orders ({Fills} fills) with the OMS ({Why})", r.Orders.Count, fills, r.Why);
            if (_options.ReconcileAccount) StartAccountCheck(r.Why, foreign);
            else if (foreign.Count > 0) PublishReconciled(r.Why, foreign);
        });
        Receive<ReconcileNow>(m =>
        {
            _log.Info("Reconciliation requested by {By}", m.By);
            Reconcile($"requested by {m.By}");
        });
        Receive<StepDone>(OnCheckFlushed);
        Receive<BrokerAccountQueried>(OnBrokerAccount);
        Receive<AccountSnapshot>(OnBookAccount);
        Receive<AccountCheckFailed>(f =>
        {
            if (_check?.Id != f.Id) return;
            _log.Warning("Account check with {Broker} failed: {Why}; the next reconcile tries again", _gateway.Name, Describe(f.Cause, _options.QueryTimeout));
            _check = null;
        });
        Receive<RetryAccountCheck>(m => { if (_check?.Id == m.Id) NextLook(); });
        Receive<ReconcileFailed>(f => throw LinkLost(
            $"Reconciling with {_gateway.Name} failed: {Describe(f.Cause, _options.QueryTimeout)}", f.Cause));
        Receive<LookedUp>(m =>
        {
            var found = m.Orders.FirstOrDefault(o => o.Id == m.OrderId);
            if (found is null) _orders.Ref.Tell(new BrokerOrderNotFound(m.OrderId));
            else Replay(found);
        });
        Receive<LookUpFailed>(m =>
            // Unresolved: the order stays SubmitUnknown (the watchdog sees it); the next connect asks again.
            _log.Warning(m.Cause, "Looking up {OrderId} at {Broker} failed: {Why}", m.OrderId, _gateway.Name, Describe(m.Cause, _options.QueryTimeout)));
        Receive<Replayed>(OnReplayed);
        Receive<Heartbeat>(_ =>
        {
            if (!_gateway.IsConnected) throw LinkLost($"Heartbeat: {_gateway.Name} is disconnected", null);
        });
        Receive<Fenced>(OnFenced);
        Receive<FenceFailed>(OnFenceFailed);
        CallResults();
    }

    /// <summary>
    /// Fenced out: nothing is sent again, by this incarnation or a later one (<see cref="ActorRefSlot.Fenced"/>). Orders
    /// and cancels that still arrive stay in the OMS's journal unsent; the broker's pushes are left to the newer brain.
    /// </summary>
    private void FencedOut()
    {
        Receive<SubmitToBroker>(m =>
        {
            if (_held.Add(m.Order.Id)) _log.Warning("Order {OrderId} not sent: epoch {Epoch} is fenced out (it stays journaled for the newer brain)", m.Order.Id, _epoch);
        });
        Receive<CancelAtBroker>(m => _log.Warning("Cancel of {OrderId} not sent: epoch {Epoch} is fenced out", m.OrderId, _epoch));
        Receive<Flush>(f => _orders.Ref.Forward(f));
        // The probe after a refused submit: the fence it answers is the one to publish.
        Receive<Fenced>(f => PublishFencedOut(f.Fence > _epoch ? f.Fence : 0, "a submit was refused as stale"));
        Receive<FenceFailed>(f => PublishFencedOut(f.Cause is FencedOutException e ? e.Highest : 0, "a submit was refused as stale"));
        Receive<SubmitFailed>(m => _log.Warning("Submit of {OrderId} failed after the fence: {Why}", m.OrderId, m.Cause.Message));
        ReceiveAny(_ => { });
    }

    // ---- Fencing ----

    /// <summary>
    /// Announces the epoch, then <paramref name="then"/>. An answer already there (the simulator) is acted on at once,
    /// so a backtest's sequence of messages is the one it was before fencing.
    /// </summary>
    private void Fence(string why, Action then)
    {
        var call = _gateway.FenceAsync(_epoch, _stopping.Token);
        if (call.IsCompleted)
        {
            if (call.IsCompletedSuccessfully) OnFenced(new Fenced(call.Result, why, then));
            else OnFenceFailed(new FenceFailed(Unwrap(call.Exception), why));
            return;
        }
        call.WaitAsync(_options.ConnectTimeout).PipeTo(Self, success: f => new Fenced(f, why, then), failure: e => new FenceFailed(Unwrap(e), why));
    }

    private void OnFenced(Fenced f)
    {
        _log.Debug("Broker {Broker}: epoch {Epoch} announced ({Why}), fence {Fence}", _gateway.Name, _epoch, f.Why, f.Fence);
        f.Then();
    }

    private void OnFenceFailed(FenceFailed f)
    {
        if (f.Cause is FencedOutException e)
        {
            EnterFencedOut($"the broker refused epoch {_epoch} ({f.Why}): it has seen epoch {e.Highest}");
            PublishFencedOut(e.Highest, f.Why);
            return;
        }
        throw LinkLost($"Announcing epoch {_epoch} to {_gateway.Name} failed ({f.Why}): {Describe(f.Cause, _options.ConnectTimeout)}", f.Cause);
    }

    private void EnterFencedOut(string why)
    {
        _orders.Fenced = true;
        _log.Error("Broker session of {AccountId} fenced out: {Why}; nothing more is sent", _accountId, why);
        Timers.Cancel("heartbeat");
        Stash.ClearStash();
        Become(FencedOut);
    }

    private bool _fencedPublished;

    private void PublishFencedOut(long highest, string why)
    {
        if (_fencedPublished) return;
        _fencedPublished = true;
        var events = Context.System.EventStream;
        events.Publish(new RiskAlert(_now(), FencedKind, _gateway.Name,
            $"Epoch {_epoch} of account {_accountId} is fenced out at {_gateway.Name}" + (highest > 0 ? $" (the broker has seen epoch {highest})" : "")
            + $": {why}; this brain sends nothing more", AccountId: _accountId));
        events.Publish(new FencedOut(_accountId, _epoch, highest));
    }

    /// <summary>The brain's own check before a send; false (or a check that throws) holds the order.</summary>
    private bool MayTrade(SubmitToBroker m)
    {
        if (_mayTrade is null) return true;
        string? why;
        try
        {
            why = _mayTrade() ? null : "the brain may not trade (its lease is not held)";
        }
        catch (Exception e)
        {
            why = $"the may-trade check failed: {e.Message}";
        }
        if (why is null)
        {
            _orders.Suspended = false;
            return true;
        }
        if (_held.Add(m.Order.Id))
            _log.Warning("Order {OrderId} not sent: {Why} (epoch {Epoch}); it stays journaled", m.Order.Id, why, _epoch);
        if (!_orders.Suspended)
        {
            _orders.Suspended = true;
            Context.System.EventStream.Publish(new TradingSuspended(_accountId, _epoch, why));
        }
        return false;
    }

    /// <summary>The answers of submits and cancels: they may come back to a restarted session, so every state takes them.</summary>
    private void CallResults()
    {
        Receive<SubmitFailed>(m =>
        {
            if (m.Cause is StaleEpochException)
            {
                // Fenced by the broker: the order is not rejected here (the broker did not spend its id); the newer
                // brain resolves it. Ask the fence once more to learn the epoch that holds it.
                EnterFencedOut($"a submit of {m.OrderId} was refused: {m.Cause.Message}");
                _gateway.FenceAsync(_epoch, _stopping.Token).WaitAsync(_options.ConnectTimeout).PipeTo(Self,
                    success: f => new Fenced(f, "probe", () => { }), failure: e => new FenceFailed(Unwrap(e), "probe"));
                return;
            }
            if (m.Cause is ClientOrderIdConflictException)
            {
                _orders.Ref.Tell(new OrderRejected(m.OrderId, _now(), m.Cause.Message));
                return;
            }
            // A timeout or a failure that does not say whether the broker took the order: never guess, never a new id.
            var why = Describe(m.Cause, _options.SubmitTimeout);
            _log.Warning("Submit of {OrderId}: outcome unknown ({Why})", m.OrderId, why);
            _orders.Ref.Tell(new SubmitOutcomeUnknown(m.OrderId, why));
        });
        Receive<CancelFailed>(m =>
        {
            // Unanswered: the OMS's outbox keeps the cancel and re-sends it on the next connect.
            if (m.Cause is KeyNotFoundException) _log.Warning("Cancel of {OrderId}: the broker does not know the order", m.OrderId);
            else _log.Warning("Cancel of {OrderId} failed: {Why}", m.OrderId, Describe(m.Cause, _options.CancelTimeout));
        });
    }

    private void Submit(SubmitToBroker m)
    {
        if (!MayTrade(m)) return;
        var id = m.Order.Id;
        Call(_gateway.SubmitAsync(m.Order, _epoch, _stopping.Token), _options.SubmitTimeout, e => new SubmitFailed(id, e));
    }

    private void Cancel(CancelAtBroker m)
    {
        var id = m.OrderId;
        Call(_gateway.CancelAsync(id, _stopping.Token), _options.CancelTimeout, e => new CancelFailed(id, e));
    }

    // ---- The pushed stream ----

    private void OnReport(SequencedReport e)
    {
        if (e.Epoch != _brokerEpoch)
        {
            NewBrokerEpoch(e.Epoch, e.Seq - 1, "a report of a new epoch");
            OnReport(e);
            return;
        }
        if (e.Seq <= _lastSeq) return; // already passed on (a replay overlapping the live stream)
        if (e.Seq == _lastSeq + 1)
        {
            Forward(e);
            DrainWaiting();
            return;
        }
        _waiting[e.Seq] = e;
        if (_replaying) return;
        _replaying = true;
        var (epoch, from) = (_brokerEpoch, _lastSeq + 1);
        _log.Info("Broker {Broker}: seq {Seq} after {Last}, replaying from {From}", _gateway.Name, e.Seq, _lastSeq, from);
        Call(_gateway.ReplayAsync(epoch, from, _stopping.Token), _options.ReplayTimeout,
            r => new Replayed(epoch, r, null), ex => new Replayed(epoch, null, ex));
    }

    private void OnReplayed(Replayed m)
    {
        if (m.Epoch != _brokerEpoch) return; // a new epoch reconciled meanwhile
        _replaying = false;
        if (m.Result is { Gap: false } result)
            foreach (var e in result.Events.OrderBy(e => e.Seq))
                if (e.Epoch == _brokerEpoch && e.Seq == _lastSeq + 1) Forward(e);
        DrainWaiting();
        if (_waiting.Count == 0) return;
        // The replay could not fill the hole: pass on what is here in order and take the broker's full view.
        var why = m.Failure is { } f ? $"replay failed: {Describe(f, _options.ReplayTimeout)}" : m.Result!.Gap ? "replay gap" : "replay incomplete";
        _log.Warning("Broker {Broker}: missing reports after seq {Last} ({Why}): reconciling", _gateway.Name, _lastSeq, why);
        foreach (var e in _waiting.Values) Forward(e);
        _waiting.Clear();
        Reconcile(why);
    }

    private void NewBrokerEpoch(string epoch, long lastSeq, string why)
    {
        _log.Info("Broker {Broker}: new epoch {Epoch} ({Why}): reconciling", _gateway.Name, epoch, why);
        // Reports waiting for a replay of the old epoch go on as they are; the reconcile covers what is missing.
        foreach (var w in _waiting.Values) _orders.Ref.Tell(w.Report);
        _waiting.Clear();
        _replaying = false;
        (_brokerEpoch, _lastSeq) = (epoch, lastSeq);
        // A rebuilt broker session may have lost a fence it kept in memory: announce again, then reconcile.
        Fence($"new broker epoch: {why}", () => Reconcile($"new broker epoch: {why}"));
    }

    private void Forward(SequencedReport e)
    {
        _orders.Ref.Tell(e.Report);
        _lastSeq = e.Seq;
    }

    private void DrainWaiting()
    {
        while (_waiting.Count > 0)
        {
            var (seq, e) = _waiting.First();
            if (seq > _lastSeq + 1) return;
            _waiting.Remove(seq);
            if (seq == _lastSeq + 1) Forward(e);
        }
    }

    private void Reconcile(string why) =>
        Call(_gateway.QueryOrdersAsync(_stopping.Token), _options.QueryTimeout, orders => new Reconciled(orders, why), e => new ReconcileFailed(e));

    // ---- The account check ----
    //
    // After the broker's orders and fills were replayed into the OMS (the known differences resolved), positions and
    // cash are compared: flush the OMS into the book, ask the broker for its account, then the book for its own, and
    // compare (AccountReconciliation). A difference is looked at again AccountCheckAttempts times, a second apart —
    // a fill on its way between the two answers is not a difference — and only one that stays is published
    // (AccountReconciled), on which the risk guard halts new orders until an operator acknowledges.

    private sealed record AccountCheck(long Id, string Why, IReadOnlyList<ReconciliationDifference> Foreign)
    {
        public int Looks { get; set; }
        public BrokerAccount? Broker { get; set; }
    }

    private sealed record BrokerAccountQueried(long Id, BrokerAccount Account);
    private sealed record AccountCheckFailed(long Id, Exception Cause);
    private sealed record RetryAccountCheck(long Id);

    private void StartAccountCheck(string why, IReadOnlyList<ReconciliationDifference> foreign)
    {
        _check = new AccountCheck(++_checks, why, foreign);
        NextLook();
    }

    private void NextLook()
    {
        var check = _check!;
        check.Looks++;
        check.Broker = null;
        // Negative steps are this session's own flushes (the clock's are positive).
        _orders.Ref.Tell(new Flush(-check.Id));
    }

    private void OnCheckFlushed(StepDone done)
    {
        if (_check is not { } check || done.Step != -check.Id) return;
        var id = check.Id;
        Call(_gateway.QueryAccountAsync(_stopping.Token), _options.QueryTimeout, a => new BrokerAccountQueried(id, a), e => new AccountCheckFailed(id, e));
    }

    private void OnBrokerAccount(BrokerAccountQueried m)
    {
        if (_check is not { } check || check.Id != m.Id) return;
        check.Broker = m.Account;
        _orders.Ref.Tell(new GetAccount());
    }

    private void OnBookAccount(AccountSnapshot book)
    {
        if (_check is not { Broker: { } broker } check) return;
        var differences = check.Foreign.Concat(AccountReconciliation.Compare(book.Book, broker, _options.CashTolerance)).ToList();
        if (differences.Count > 0 && check.Looks < _options.AccountCheckAttempts)
        {
            _log.Debug("Account check {Look}: {Count} difference(s), looking again", check.Looks, differences.Count);
            Timers.StartSingleTimer("account-check", new RetryAccountCheck(check.Id), _options.AccountCheckInterval);
            return;
        }
        _check = null;
        if (differences.Count == 0) _log.Info("Reconciled with {Broker}: positions and cash agree ({Why})", _gateway.Name, check.Why);
        else
            foreach (var d in differences) _log.Warning("Reconciliation difference ({Kind}): {Detail}", d.Kind, d.Detail);
        PublishReconciled(check.Why, differences);
    }

    private void PublishReconciled(string why, IReadOnlyList<ReconciliationDifference> differences) =>
        Context.System.EventStream.Publish(new AccountReconciled(_accountId, _now(), why, differences));

    // ---- Calls ----

    /// <summary>
    /// Runs a gateway call under a timeout; its answer comes back as a message. One that finished at once (the
    /// simulator) is answered at once, so a backtest stays a plain sequence of Tells.
    /// </summary>
    private void Call<T>(Task<T> call, TimeSpan timeout, Func<T, object> success, Func<Exception, object> failure)
    {
        if (call.IsCompleted)
        {
            Self.Tell(call.IsCompletedSuccessfully ? success(call.Result) : failure(Unwrap(call.Exception)));
            return;
        }
        call.WaitAsync(timeout).PipeTo(Self, success: success, failure: e => failure(Unwrap(e)));
    }

    /// <summary>A call whose success needs no answer (submit, cancel): only its failure comes back.</summary>
    private void Call(Task call, TimeSpan timeout, Func<Exception, object> failure)
    {
        if (call.IsCompletedSuccessfully) return;
        if (call.IsCompleted)
        {
            Self.Tell(failure(Unwrap(call.Exception)));
            return;
        }
        var self = Self;
        call.WaitAsync(timeout).ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully) self.Tell(failure(Unwrap(t.Exception)));
        }, TaskScheduler.Default);
    }

    /// <summary>The <see cref="RiskAlert"/> kinds of the link: lost (each failed incarnation says so) and back (the next connect after a loss).</summary>
    public const string LinkDown = "broker-link-down", LinkUp = "broker-link-up";

    /// <summary>The <see cref="RiskAlert"/> kind of a brain fenced out at the broker (critical by default).</summary>
    public const string FencedKind = "fenced";

    /// <summary>
    /// The link is lost: an alert on the event stream (the notifier pages for it), the mark that makes the next connect
    /// announce the link is back, and the exception that stops this incarnation (its supervisor restarts it).
    /// </summary>
    private BrokerUnavailableException LinkLost(string why, Exception? cause)
    {
        _orders.LinkLost = true;
        Context.System.EventStream.Publish(new RiskAlert(_now(), LinkDown, _gateway.Name, why, AccountId: _accountId));
        return new BrokerUnavailableException(why, cause);
    }

    private static Exception Unwrap(Exception? e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerException),
        null => new TaskCanceledException("the call was cancelled"),
        _ => e,
    };

    private static string Describe(Exception e, TimeSpan timeout) => e is TimeoutException ? $"no answer within {timeout}" : e.Message;

    /// <summary>
    /// The broker's view of one order, to the OMS: the order itself (so the OMS can adopt one it does not know), then
    /// its acknowledgement, fills and end, as pushed reports would have said. Returns the number of fills.
    /// </summary>
    private int Replay(BrokerOrder o)
    {
        var at = _now();
        _orders.Ref.Tell(new BrokerOrderFound(o));
        _orders.Ref.Tell(new OrderAccepted(o.Id, at, o.BrokerOrderId));
        long cumulative = 0;
        foreach (var f in o.Fills)
        {
            cumulative += f.Quantity;
            _orders.Ref.Tell(new OrderFilled(o.Id, at, f, cumulative, o.Request.Quantity - cumulative));
        }
        BrokerReport? end = o.Status switch
        {
            OrderStatus.Cancelled => new OrderCancelled(o.Id, at, o.FilledQuantity, o.Reason),
            OrderStatus.Expired => new OrderExpired(o.Id, at, o.FilledQuantity, o.Reason),
            OrderStatus.Rejected => new OrderRejected(o.Id, at, o.Reason),
            _ => null,
        };
        if (end is not null) _orders.Ref.Tell(end);
        return o.Fills.Count;
    }

    private sealed record Connected(GatewaySession Session);
    private sealed record Fenced(long Fence, string Why, Action Then);
    private sealed record FenceFailed(Exception Cause, string Why);
    private sealed record ConnectFailed(Exception Cause);
    private sealed record Heartbeat;
    private sealed record Reconciled(IReadOnlyList<BrokerOrder> Orders, string Why);
    private sealed record ReconcileFailed(Exception Cause);
    private sealed record LookedUp(ClientOrderId OrderId, IReadOnlyList<BrokerOrder> Orders);
    private sealed record LookUpFailed(ClientOrderId OrderId, Exception Cause);
    private sealed record Replayed(string Epoch, ReplayResult? Result, Exception? Failure);
    private sealed record SubmitFailed(ClientOrderId OrderId, Exception Cause);
    private sealed record CancelFailed(ClientOrderId OrderId, Exception Cause);
}

/// <summary>Broker session → OMS: connected (again); re-send the outbox (orders written ahead and not acknowledged, cancels not answered).</summary>
public sealed record BrokerConnected(string Broker, long Epoch);

/// <summary>Broker session → OMS: a submit timed out or failed ambiguously; the broker may or may not hold the order.</summary>
public sealed record SubmitOutcomeUnknown(ClientOrderId OrderId, string Reason);

/// <summary>OMS → broker session: ask the broker for this client id (answered with its replay, or <see cref="BrokerOrderNotFound"/>).</summary>
public sealed record LookUpOrder(ClientOrderId OrderId);

/// <summary>Broker session → OMS: the broker's order, sent ahead of its replayed reports (reconcile, look-up).</summary>
public sealed record BrokerOrderFound(BrokerOrder Order);

/// <summary>Broker session → OMS: the broker's orders of the day do not include this client id.</summary>
public sealed record BrokerOrderNotFound(ClientOrderId OrderId);

public sealed class BrokerUnavailableException(string message, Exception? inner) : Exception(message, inner);
