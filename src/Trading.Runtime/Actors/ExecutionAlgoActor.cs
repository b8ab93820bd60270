using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Actors;

/// <summary>
/// What the execution manager and its algos work with: the account, where children go (the risk guard, which passes the
/// approved ones to the OMS) and where they are cancelled and looked up (the OMS), the strategy's algo settings, the
/// clock — <see cref="Now"/> in Shanghai time and <see cref="Time"/> for timers (a paper node's replay clock scales
/// them; tests use a fake) —, the quotes children are priced from, the board rules and the exchanges' price cages.
/// </summary>
public sealed record AlgoSetup(
    string AccountId,
    IActorRef Risk,
    IActorRef Orders,
    ExecutionAlgoOptions Options,
    Func<DateTime> Now,
    TimeProvider Time,
    Func<Symbol, DateOnly, TradeQuote?> Quotes,
    MarketRules Rules,
    IReadOnlyDictionary<Board, PriceCage> Cages)
{
    /// <summary>The cage of a board: the configured one, else 2 % without a tick term (the narrowest the exchanges use).</summary>
    public PriceCage CageOf(Symbol symbol) => Cages.TryGetValue(symbol.Board, out var cage) ? cage : new PriceCage(0.02m, 0);
}

/// <summary>
/// One parent order's algo (TWAP, VWAP), a child of the <see cref="ExecutionManagerActor"/>: the actor shell of
/// <see cref="ExecutionAlgoState"/>. It journals before it acts (<c>algo-{account}/{parent id}</c>): a child's client id is
/// journaled before the child is proposed to the risk guard, a cancel before it is sent. It sleeps on one timer of the
/// setup's <see cref="TimeProvider"/> until its next slice, re-price or window end (at most a minute), and hears of its
/// children from the OMS (<see cref="OrderUpdated"/>, routed by the manager; the risk guard's or OMS's
/// <see cref="ProposalResult"/> for what it proposed). After a restart it recovers its journal, then reconciles with the
/// OMS's orders before it decides anything new: live children are followed, never re-sent; a child the OMS never got is
/// proposed again under its own id; a cancel not yet done is asked again. A stop (risk or broker rejection, a cancel from
/// outside, a suspension, an operator) raises an <c>algo-stopped</c> alert. Once done it tells the manager and stops.
/// </summary>
public sealed class ExecutionAlgoActor : ReceivePersistentActor
{
    /// <summary>The longest it sleeps between two looks (a quote may move, a clock may jump).</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AlgoSetup _s;
    private ExecutionAlgoState _state;
    private ITimer? _timer;
    private bool _lookingUp;

    public static Props Props(AlgoSetup setup, ParentOrder parent) => Akka.Actor.Props.Create(() => new ExecutionAlgoActor(setup, parent));

    public override string PersistenceId { get; }

    public ExecutionAlgoActor(AlgoSetup setup, ParentOrder parent)
    {
        _s = setup;
        _state = new ExecutionAlgoState(parent);
        PersistenceId = $"algo-{setup.AccountId}/{parent.Id}";
        Recover<AlgoEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Command<OrdersSnapshot>(OnOrders);
        Command<OrderUpdated>(u =>
        {
            var (state, events) = _state.Observe(u.Order, _s.Now());
            _state = state;
            Act(new AlgoDecision(events, [], []), look: events.Count > 0);
        });
        Command<ProposalResult>(r =>
        {
            var (state, events) = _state.Judged(r, _s.Now());
            _state = state;
            Act(new AlgoDecision(events, [], []), look: events.Count > 0);
        });
        Command<Status.Failure>(f => _log.Warning("Parent {0}: a proposal was not answered: {1}", Parent.Id, f.Cause.Message));
        Command<Wake>(_ => Look());
        Command<GetParentState>(_ => Sender.Tell(_state));
        Command<StopParent>(m =>
        {
            if (_state.Finished is not null || _state.Stopped is not null) return;
            var stop = new AlgoStopped(Parent.Id, _s.Now(), $"stopped by {m.Reason}");
            _state = _state.Apply(stop);
            Act(new AlgoDecision([stop], [], []), look: true);
        });
    }

    private ParentOrder Parent => _state.Parent;

    private void OnRecovered()
    {
        if (_state.Finished is { } done)
        {
            Context.Parent.Tell(new ParentDone(Parent.Id, done));
            Context.Stop(Self);
            return;
        }
        if (_state.Children.Count > 0)
        {
            // Recovered mid-parent: what the OMS holds decides what is live, what was never sent, what is done.
            _log.Info("Parent {0}: recovered with {1} children; asking the OMS for them", Parent.Id, _state.Children.Count);
            _lookingUp = true;
            _s.Orders.Tell(new GetOrders());
            return;
        }
        Look();
    }

    private void OnOrders(OrdersSnapshot snapshot)
    {
        _lookingUp = false;
        var (state, decision) = _state.Reconcile(snapshot.Orders, _s.Now());
        _state = state;
        if (decision.Resubmit.Count > 0)
            _log.Warning("Parent {0}: {1} children the OMS never got are proposed again under their own ids", Parent.Id, decision.Resubmit.Count);
        Act(decision, look: true);
    }

    /// <summary>Decides what is due now and acts on it, then sleeps until the next thing to look at.</summary>
    private void Look()
    {
        if (_state.Finished is not null) return;
        var now = _s.Now();
        var (state, decision) = _state.Decide(new AlgoContext(now, _s.Quotes(Parent.Symbol, Parent.TradeDate), _s.Rules.Quantity(Parent.Symbol),
            _s.Rules.For(Parent.Symbol).Tick, _s.CageOf(Parent.Symbol), _s.Options));
        _state = state;
        // Ending with children the OMS has not shown yet: ask it, so one it never got does not hold the parent open.
        if (!_lookingUp && _state.Finished is null && _state.IsEnding(now) && _state.Children.Any(c => !c.Ended && c.Seen is null))
        {
            _lookingUp = true;
            _s.Orders.Tell(new GetOrders());
        }
        Act(decision, look: false);
        Arm(now);
    }

    /// <summary>Journals the decision's events, then acts: proposals, cancels, alerts, the end.</summary>
    private void Act(AlgoDecision d, bool look)
    {
        if (d.Resubmit.Count > 0) _s.Risk.Tell(new ProposeOrders(Parent.Strategy, d.Resubmit, 0));
        foreach (var c in d.Recancel) _s.Orders.Tell(new CancelOrder(c.Id, $"{Parent.Id}: {c.CancelWhy}"));
        if (d.Events.Count == 0)
        {
            if (look) Look();
            return;
        }
        // The state already holds the decision (decided, then journaled); the sends wait for the write. Effects run in the
        // last event's handler: before any command that arrived meanwhile, so sends keep the order of the decisions.
        int left = d.Events.Count;
        PersistAll(d.Events, _ =>
        {
            if (--left == 0) Effects(d.Events, look);
        });
    }

    private void Effects(IReadOnlyList<AlgoEvent> events, bool look)
    {
        var children = events.OfType<ChildDecided>().Select(e => e.Child).ToList();
        if (children.Count > 0) _s.Risk.Tell(new ProposeOrders(Parent.Strategy, children, 0));
        foreach (var c in events.OfType<ChildCancelDecided>()) _s.Orders.Tell(new CancelOrder(c.ChildId, $"{Parent.Id}: {c.Why}"));
        foreach (var stop in events.OfType<AlgoStopped>())
        {
            _log.Warning("Parent {0} stopped: {1}", Parent.Id, stop.Reason);
            Context.System.EventStream.Publish(new RiskAlert(stop.At, "algo-stopped", "execution", $"parent {Parent.Id}: {stop.Reason}",
                Parent.Symbol, AccountId: _s.AccountId));
        }
        if (events.OfType<AlgoFinished>().LastOrDefault() is { } finished)
        {
            var o = finished.Outcome;
            _log.Info($"Parent {Parent.Id} done: {o.Status}, {o.Filled} of {Parent.Quantity} at {o.AveragePrice} ({o.Children} children) {o.Reason}");
            _timer?.Dispose();
            Context.Parent.Tell(new ParentDone(Parent.Id, finished.Outcome));
            Context.Stop(Self);
            return;
        }
        if (look) Look();
    }

    /// <summary>One timer of the setup's clock until the next look (at most <see cref="MaxSleep"/>); none once done.</summary>
    private void Arm(DateTime now)
    {
        _timer?.Dispose();
        _timer = null;
        if (_state.Finished is not null) return;
        var wait = (_state.NextWake(now, _s.Options) ?? now + MaxSleep) - now;
        if (wait > MaxSleep) wait = MaxSleep;
        if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
        var self = Self;
        _timer = _s.Time.CreateTimer(_ => self.Tell(Wake.Instance), null, wait, Timeout.InfiniteTimeSpan);
    }

    protected override void PostStop()
    {
        _timer?.Dispose();
        base.PostStop();
    }

    private sealed class Wake
    {
        public static readonly Wake Instance = new();
    }
}

/// <summary>An algo → its manager: the parent is done (journaled by the algo; the manager closes it in its registry).</summary>
internal sealed record ParentDone(string ParentId, ParentOutcome Outcome);
