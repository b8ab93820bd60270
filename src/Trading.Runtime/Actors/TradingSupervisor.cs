using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Trading.Runtime.State;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>An exception a strategy throws: the supervisor stops the strategy (never trades on broken logic).</summary>
public sealed class StrategyFailedException(string strategy, Exception inner) : Exception($"Strategy {strategy} failed: {inner.Message}", inner)
{
    public string Strategy { get; } = strategy;
}

/// <summary>A late-bound reference: the broker session is created before the OMS it reports to.</summary>
public sealed class ActorRefSlot
{
    public IActorRef Ref { get; set; } = ActorRefs.Nobody;

    /// <summary>
    /// Set by a broker session that lost its link, cleared by the incarnation that connects again: what tells that one
    /// to announce the link is back (a first connect announces nothing). Only one incarnation lives at a time.
    /// </summary>
    public volatile bool LinkLost;

    /// <summary>Set by a broker session the broker fenced out: every later incarnation stays silent (never connects, never sends).</summary>
    public volatile bool Fenced;

    /// <summary>Set while the brain's may-trade check holds orders back (TradingSuspended published once per spell).</summary>
    public volatile bool Suspended;
}

/// <summary>
/// Where a node's epoch comes from. <see cref="Fixed"/>: the configured number, which must not be below the last one
/// the node journaled (a stale configuration never goes back). Null (<c>trading.epoch = auto</c>): one more than the
/// last journaled, so every start of the node fences the incarnations before it.
/// </summary>
public sealed record EpochSource(long? Fixed)
{
    public static readonly EpochSource Auto = new((long?)null);

    public static EpochSource Of(long epoch) => new(epoch);

    /// <summary>The epoch to start with after <paramref name="last"/> (0: none journaled), or why it cannot start.</summary>
    public (long Epoch, string? Refused) Next(long last) => Fixed switch
    {
        null => (last + 1, null),
        long f when f < 1 => (0, $"trading.epoch must be at least 1, not {f}"),
        long f when f < last => (0, $"trading.epoch = {f} is below the epoch {last} this node already ran with: a stale configuration, or another node's journal"),
        long f => (f, null),
    };

    public override string ToString() => Fixed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto";
}

/// <summary>How to build the children of a trading node (the same tree in backtest and live); see <see cref="TradingComposition"/>.</summary>
public sealed record TradingNodeSetup(
    string AccountId,
    Func<ActorRefSlot, long, Props> BrokerSession,         // (OMS slot, epoch) → props
    Func<IActorRef, IActorRef, Props> RiskGuard,          // (orders, book) → props
    Func<IActorRef, IActorRef, IActorRef?, long, Props> Rebalancer,   // (risk guard, book, execution manager or null, epoch) → props
    IReadOnlyDictionary<string, Func<IActorRef, IActorRef, Props>> Strategies, // name → (rebalancer, book) → props
    WatchdogOptions Watchdog,
    Func<DateTime> Now,
    TimeSpan BrokerMinBackoff,
    TimeSpan BrokerMaxBackoff,
    TimeSpan StepTimeout)
{
    public EpochSource Epoch { get; init; } = EpochSource.Auto;

    /// <summary>
    /// The execution manager, (risk guard, OMS) → props, when the strategy slices its orders on an intraday clock (null:
    /// none — every order goes whole, as in backtests on daily bars).
    /// </summary>
    public Func<IActorRef, IActorRef, Props>? Execution { get; init; }

    /// <summary>
    /// Stop the whole brain when a journaled child (position book, OMS, risk guard, execution) stops — a write the
    /// journal refused, e.g. another brain's late write to the same stream after a failover — so its host starts it
    /// again on the journal as it now is (a cluster's trader host does; a single node keeps the default: off).
    /// </summary>
    public bool StopOnChildLoss { get; init; }
}

/// <summary>
/// The root of a trading brain for one account, and its <b>single entry point</b>: every command is sent here and
/// routed to the child that owns it (no child reference is handed out), so the whole brain can run as a cluster
/// singleton behind one proxy. Before any child starts it recovers its journal (<c>trader-{account}</c>) and persists
/// the epoch of this incarnation (<see cref="EpochSource"/>); the broker session stamps that epoch on every order, so a
/// stale primary is fenced at the broker. Commands that arrive before the children exist wait (stashed).
/// <para>Routing: clock steps <see cref="StartDay"/>, <see cref="Decide"/>, <see cref="MarkToMarket"/> are gathered
/// here (below); <see cref="TopUp"/>, <see cref="TargetPortfolio"/> → rebalancer; <see cref="Flush"/> → broker session
/// (→ OMS); <see cref="Deposit"/>, <see cref="GetAccount"/>, <see cref="CorporateActionBooked"/> → position book; <see cref="GetOrders"/>,
/// <see cref="CancelOrder"/>, <see cref="CancelAllOrders"/> → OMS; <see cref="GetParents"/>, <see cref="StopParent"/>, <see cref="GetParentState"/> → execution
/// manager (when the strategy slices its orders; <see cref="GetParents"/> is answered empty otherwise); <see cref="ProposeOrders"/>,
/// <see cref="EngageKillSwitch"/>, <see cref="ReleaseKillSwitch"/>, <see cref="GetRiskStatus"/> → risk guard;
/// <see cref="PauseStrategy"/>, <see cref="ResumeStrategy"/> are the supervisor's own (journaled here). Each is
/// forwarded, so the child answers the original sender. <see cref="ForAccount"/> wraps any of them with the account
/// id, checked here (a command for another account is refused, not obeyed).</para>
/// Supervision (each row has a test):
/// <list type="table">
/// <item><term>broker-session</term><description>restarted with exponential backoff (BackoffSupervisor)</description></item>
/// <item><term>strategy-*</term><description>stopped on failure, with an alert: it never trades on broken logic</description></item>
/// <item><term>risk-guard, position-book, orders</term><description>restarted and recovered from the journal; while one is
/// down no order leaves: proposals to a stopped risk guard go unanswered (the rebalancer's asks fail); while the book
/// restarts the risk guard holds every proposal until the book's recovered view arrives; orders for a restarting OMS wait
/// in its mailbox and are journaled before they are sent</description></item>
/// <item><term>execution</term><description>restarted and recovered from the journal: the open parents' algos start again and
/// each goes on from its own journal (an algo that fails is restarted the same way)</description></item>
/// <item><term>rebalancer, watchdog</term><description>restarted</description></item>
/// </list>
/// Clock steps (<see cref="StartDay"/>, <see cref="Decide"/>, <see cref="MarkToMarket"/>) are answered with
/// <see cref="StepDone"/> only when every child involved has answered.
/// </summary>
public sealed class TradingSupervisor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TradingNodeSetup _setup;
    private IActorRef _broker = ActorRefs.Nobody, _book = ActorRefs.Nobody, _orders = ActorRefs.Nobody, _risk = ActorRefs.Nobody,
        _rebalancer = ActorRefs.Nobody, _watchdog = ActorRefs.Nobody, _execution = ActorRefs.Nobody;
    private readonly Dictionary<string, IActorRef> _strategies = [];
    /// <summary>Strategies an operator paused (journaled: a restart or a failover keeps them paused).</summary>
    private readonly SortedSet<string> _paused = new(StringComparer.Ordinal);
    private OpenStep? _pending;
    private long _lastEpoch, _epoch;
    private string? _refused;

    public static Props Props(TradingNodeSetup setup) => Akka.Actor.Props.Create(() => new TradingSupervisor(setup));

    public override string PersistenceId { get; }

    public TradingSupervisor(TradingNodeSetup setup)
    {
        _setup = setup;
        PersistenceId = $"trader-{setup.AccountId}";
        Recover<EpochStarted>(e => _lastEpoch = Math.Max(_lastEpoch, e.Epoch));
        Recover<StrategyPaused>(e => _paused.Add(e.Name));
        Recover<StrategyResumed>(e => _paused.Remove(e.Name));
        Recover<RecoveryCompleted>(_ => Self.Tell(Begin.Instance));
        Command<Begin>(_ => OnBegin());
        Command<GetNodeStatus>(_ => Sender.Tell(CurrentStatus()));
        CommandAny(_ =>
        {
            if (_refused is null) Stash.Stash();
            else Sender.Tell(new Akka.Actor.Status.Failure(new InvalidOperationException(_refused)));
        });
    }

    private NodeStatus CurrentStatus() => new(_setup.AccountId, _epoch, _refused is null && _epoch > 0, _refused, _strategies.Keys.Order(StringComparer.Ordinal).ToArray())
    {
        Paused = _paused.Where(_setup.Strategies.ContainsKey).ToArray(),
    };

    private void OnBegin()
    {
        var (epoch, refused) = _setup.Epoch.Next(_lastEpoch);
        if (refused is not null)
        {
            // The brain does not start: nothing would fence it. Commands are answered with the reason.
            _refused = refused;
            _log.Error("Trading node {0} not started: {1}", _setup.AccountId, refused);
            Context.System.EventStream.Publish(new RiskAlert(_setup.Now(), "failure", "trader", $"not started: {refused}", AccountId: _setup.AccountId));
            Stash.UnstashAll();
            return;
        }
        Persist(new EpochStarted(epoch, _setup.Now()), e =>
        {
            _epoch = e.Epoch;
            _log.Info("Trading node {0} starts with epoch {1}", _setup.AccountId, _epoch);
            StartChildren();
            Become(Ready);
            Stash.UnstashAll();
        });
    }

    private void Ready()
    {
        Command<StartDay>(s => Gather(s.Step, [_book, _orders, _risk, _watchdog], s));
        // A paused strategy is not asked to decide: it sends no target, and the step is done without it.
        Command<Decide>(d => Gather(d.Step, _strategies.Where(kv => !_paused.Contains(kv.Key)).Select(kv => kv.Value).ToList(), d));
        Command<PauseStrategy>(p => SetPaused(p.Name, p.By, paused: true));
        Command<ResumeStrategy>(r => SetPaused(r.Name, r.By, paused: false));
        Command<MarkToMarket>(OnMark);
        Command<AccountSnapshot>(OnMarked);
        Command<StepDone>(OnStepDone);
        Command<Akka.Actor.Status.Failure>(f => FinishStep(f));
        Command<StepTimedOut>(t =>
        {
            if (_pending is { } p && p.Step == t.Step)
                FinishStep(new Akka.Actor.Status.Failure(new TimeoutException($"step {t.Step}: no answer within {_setup.StepTimeout} from {string.Join(", ", p.Waiting().Select(a => a.Path.Name))}")));
        });
        // Commands, each to the child that owns it (forwarded: the child answers the sender).
        Command<TopUp>(m => _rebalancer.Forward(m));
        Command<TargetPortfolio>(m => _rebalancer.Forward(m));
        Command<Flush>(m => _broker.Forward(m));
        Command<FlushOrders>(m => _orders.Forward(new Flush(m.Step)));
        Command<Deposit>(m => _book.Forward(m));
        Command<CorporateActionBooked>(m => _book.Forward(m));
        Command<GetAccount>(m => _book.Forward(m));
        Command<GetOrders>(m => _orders.Forward(m));
        Command<CancelOrder>(m => _orders.Forward(m));
        Command<CancelAllOrders>(m => _orders.Forward(m));
        Command<ProposeOrders>(m => _risk.Forward(m));
        Command<EngageKillSwitch>(m => _risk.Forward(m));
        Command<ReleaseKillSwitch>(m => _risk.Forward(m));
        Command<GetRiskStatus>(m => _risk.Forward(m));
        Command<AcknowledgeReconciliation>(m => _risk.Forward(m));
        Command<ReconcileNow>(m => _broker.Forward(m));
        Command<GetParents>(m =>
        {
            if (_execution.IsNobody()) Sender.Tell(new ParentsSnapshot([]));
            else _execution.Forward(m);
        });
        Command<StopParent>(m => _execution.Forward(m));
        Command<GetParentState>(m => _execution.Forward(m));
        Command<ForAccount>(m =>
        {
            if (m.AccountId == _setup.AccountId) Self.Forward(m.Command);
            else Sender.Tell(new Akka.Actor.Status.Failure(new InvalidOperationException(
                $"{m.Command.GetType().Name} is for account '{m.AccountId}', this node trades '{_setup.AccountId}'")));
        });
        Command<GetNodeStatus>(_ => Sender.Tell(CurrentStatus()));
        Command<Terminated>(t =>
        {
            if (_setup.StopOnChildLoss && new[] { _book, _orders, _risk, _execution }.Contains(t.ActorRef))
            {
                _log.Error("Trading node {0}: {1} stopped (a journal write refused?); stopping the brain so it starts again from the journal", _setup.AccountId, t.ActorRef.Path.Name);
                Context.Stop(Self);
                return;
            }
            var name = _strategies.FirstOrDefault(kv => kv.Value.Equals(t.ActorRef)).Key;
            if (name is null) return;
            _strategies.Remove(name);
            _watchdog.Tell(new ChildFailed(ChildName(name), "stopped after a failure; it will not trade until restarted by an operator"));
        });
    }

    /// <summary>
    /// Pauses or resumes a configured strategy, journaled before it is answered (with the <see cref="NodeStatus"/>), so
    /// the new brain after a failover or a restart keeps it paused. An unknown name is refused; pausing a paused one is
    /// answered without a second event.
    /// </summary>
    private void SetPaused(string name, string by, bool paused)
    {
        if (!_setup.Strategies.ContainsKey(name))
        {
            var known = _setup.Strategies.Keys.Order(StringComparer.Ordinal).ToArray();
            Sender.Tell(new Akka.Actor.Status.Failure(new InvalidOperationException(
                $"no strategy '{name}' on account '{_setup.AccountId}' (it runs {(known.Length == 0 ? "none" : string.Join(", ", known))})")));
            return;
        }
        if (_paused.Contains(name) == paused)
        {
            Sender.Tell(CurrentStatus());
            return;
        }
        NodeEvent e = paused ? new StrategyPaused(name, by, _setup.Now()) : new StrategyResumed(name, by, _setup.Now());
        Persist(e, _ =>
        {
            if (paused) _paused.Add(name);
            else _paused.Remove(name);
            _log.Warning("Strategy {Strategy} of {Account} {Action} by {By}", name, _setup.AccountId, paused ? "paused" : "resumed", by);
            Sender.Tell(CurrentStatus());
        });
    }

    private void StartChildren()
    {
        var slot = new ActorRefSlot();
        var epoch = _epoch;
        // The backoff grows while connects keep failing; only a session that stayed up for the longest backoff
        // counts as recovered (Akka's default resets after the shortest, which a slow failure already exceeds).
        _broker = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnFailure(_setup.BrokerSession(slot, epoch), "session",
            _setup.BrokerMinBackoff, _setup.BrokerMaxBackoff, 0.2, maxNrOfRetries: -1).WithAutoReset(_setup.BrokerMaxBackoff)), "broker-session");
        _book = Context.ActorOf(PositionBookActor.Props(_setup.AccountId), "position-book");
        _orders = Context.ActorOf(OrderManagerActor.Props(_setup.AccountId, _broker, _book, _setup.Now), "orders");
        slot.Ref = _orders;
        _risk = Context.ActorOf(_setup.RiskGuard(_orders, _book), "risk-guard");
        if (_setup.Execution is { } execution) _execution = Context.ActorOf(execution(_risk, _orders), "execution");
        if (_setup.StopOnChildLoss)
            foreach (var child in new[] { _book, _orders, _risk, _execution }.Where(c => !c.IsNobody())) Context.Watch(child);
        _rebalancer = Context.ActorOf(_setup.Rebalancer(_risk, _book, _execution.IsNobody() ? null : _execution, epoch), "rebalancer");
        _watchdog = Context.ActorOf(WatchdogActor.Props(_setup.Watchdog, _risk, _setup.Now, _setup.AccountId), "watchdog");
        foreach (var (name, props) in _setup.Strategies)
        {
            var child = Context.ActorOf(props(_rebalancer, _book), ChildName(name));
            Context.Watch(child);
            _strategies[name] = child;
        }
    }

    /// <summary>An actor name for a strategy: characters Akka does not allow in paths become '_'.</summary>
    public static string ChildName(string strategy) =>
        "strategy-" + System.Text.RegularExpressions.Regex.Replace(strategy, @"[^A-Za-z0-9\-_.*$+:@&=,!~';()]", "_");

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(ex =>
    {
        if (ex is StrategyFailedException s)
        {
            _log.Error(ex, "Strategy {Strategy} failed and is stopped", s.Strategy);
            return Directive.Stop;
        }
        _log.Warning(ex, "A child of the trading supervisor failed; restarting it");
        return Directive.Restart;
    });

    /// <summary>
    /// Sends a step to each target and answers when all have answered (their details joined in target order), with the
    /// first failure, or with a timeout naming who did not answer. Replies come back here as plain messages, counted
    /// against the one open step — no ask, task or thread hop per target (the clock sends one step at a time).
    /// </summary>
    private OpenStep? Gather(long step, IReadOnlyList<IActorRef> targets, object message)
    {
        var live = targets.Where(t => !t.IsNobody()).ToArray();
        if (_pending is { } open)
        {
            Sender.Tell(new Akka.Actor.Status.Failure(new InvalidOperationException($"step {step} sent while step {open.Step} is still open")));
            return null;
        }
        if (live.Length == 0)
        {
            Sender.Tell(new StepDone(step));
            return null;
        }
        var timeout = Context.System.Scheduler.ScheduleTellOnceCancelable(_setup.StepTimeout, Self, new StepTimedOut(step), Self);
        _pending = new OpenStep(step, Sender, live, timeout);
        foreach (var t in live) t.Tell(message, Self);
        return _pending;
    }

    private void OnStepDone(StepDone d)
    {
        if (_pending is not { } p || d.Step != p.Step) return;
        int i = Array.IndexOf(p.Targets, Sender);
        if (i < 0 || p.Details[i] is not null) return; // not asked, or answered twice
        p.Details[i] = d.Detail;
        if (p.Details.All(x => x is not null))
            FinishStep(p.Account is { } account
                ? new MarkedToMarket(p.Step, account)
                : new StepDone(p.Step, string.Join(";", p.Details.Where(x => x!.Length > 0))));
    }

    /// <summary>
    /// Close of day in two plain hops, like the other steps: the book marks and answers with the account, then the
    /// watchdog sees the NAV (engaging the kill switch first if it must); the clock gets the account as marked.
    /// </summary>
    private void OnMark(MarkToMarket m)
    {
        if (Gather(m.Step, [_book], m) is { } open) open.Marking = m;
    }

    private void OnMarked(AccountSnapshot account)
    {
        if (_pending is not { Marking: { } m, Account: null } p || !Sender.Equals(_book)) return;
        p.Account = account;
        if (_watchdog.IsNobody())
        {
            FinishStep(new MarkedToMarket(m.Step, account));
            return;
        }
        p.WaitFor(_watchdog);
        _watchdog.Tell(new NavMarked(m.Date, account.Book.Nav, m.Step), Self);
    }

    private void FinishStep(object answer)
    {
        if (_pending is not { } p) return;
        _pending = null;
        p.Timeout.Cancel();
        p.ReplyTo.Tell(answer);
    }

    private sealed record StepTimedOut(long Step);

    private sealed class OpenStep(long step, IActorRef replyTo, IActorRef[] targets, ICancelable timeout)
    {
        public long Step { get; } = step;
        public IActorRef ReplyTo { get; } = replyTo;
        public IActorRef[] Targets { get; private set; } = targets;
        public ICancelable Timeout { get; } = timeout;
        public string?[] Details { get; private set; } = new string?[targets.Length];
        /// <summary>A close of day: the mark, and the book's account once it has answered.</summary>
        public MarkToMarket? Marking { get; set; }
        public AccountSnapshot? Account { get; set; }
        public void WaitFor(params IActorRef[] next) => (Targets, Details) = (next, new string?[next.Length]);
        public IEnumerable<IActorRef> Waiting() => Targets.Where((_, i) => Details[i] is null);
    }
}

/// <summary>Sent to the supervisor by itself once its journal is recovered: persist the epoch, start the children.</summary>
internal sealed class Begin
{
    public static readonly Begin Instance = new();
}

/// <summary>Asks a trading node for its <see cref="NodeStatus"/> (answered also before it is ready).</summary>
public sealed record GetNodeStatus
{
    public static readonly GetNodeStatus Instance = new();
}

/// <summary>
/// A trading node's state: <see cref="Ready"/> once its epoch is journaled and its children started;
/// <see cref="Refused"/> says why it will not start (e.g. a configured epoch below the journaled one).
/// </summary>
public sealed record NodeStatus(string AccountId, long Epoch, bool Ready, string? Refused, IReadOnlyList<string> Strategies)
{
    /// <summary>The strategies an operator paused (<see cref="PauseStrategy"/>): they skip their decide steps.</summary>
    public IReadOnlyList<string> Paused { get; init; } = [];
}

/// <summary>
/// An operator pauses a strategy: it skips its decide steps (no new targets) until resumed; its open orders and
/// positions are untouched. Journaled by the supervisor; answered with the <see cref="NodeStatus"/>, or a failure for
/// an unknown name.
/// </summary>
public sealed record PauseStrategy(string Name, string By);

/// <summary>An operator resumes a paused strategy (answered as <see cref="PauseStrategy"/>).</summary>
public sealed record ResumeStrategy(string Name, string By);

/// <summary>
/// Answered (with <see cref="StepDone"/>) once the OMS has recovered and everything it handed the book — the
/// journaled fills it gives back on recovery included — is booked; unlike <see cref="Flush"/> it does not wait for the
/// broker's connection. A node reads its account only after this following a restart.
/// </summary>
public sealed record FlushOrders(long Step);

/// <summary>A command for the trading node of one account (the console and the cluster address nodes this way).</summary>
public sealed record ForAccount(string AccountId, object Command);
