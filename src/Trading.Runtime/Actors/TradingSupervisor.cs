using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
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
}

/// <summary>How to build the children of a trading node (the same tree in backtest and live).</summary>
public sealed record TradingNodeSetup(
    string AccountId,
    Func<ActorRefSlot, Props> BrokerSession,
    Func<IActorRef, IActorRef, Props> RiskGuard,          // (orders, book) → props
    Func<IActorRef, IActorRef, Props> Rebalancer,         // (risk guard, book) → props
    IReadOnlyDictionary<string, Func<IActorRef, IActorRef, Props>> Strategies, // name → (rebalancer, book) → props
    WatchdogOptions Watchdog,
    Func<DateTime> Now,
    TimeSpan BrokerMinBackoff,
    TimeSpan BrokerMaxBackoff,
    TimeSpan StepTimeout);

/// <summary>
/// The root of a trading node. Supervision (each row has a test):
/// <list type="table">
/// <item><term>broker-session</term><description>restarted with exponential backoff (BackoffSupervisor)</description></item>
/// <item><term>strategy-*</term><description>stopped on failure, with an alert: it never trades on broken logic</description></item>
/// <item><term>risk-guard, position-book, orders</term><description>restarted and recovered from the journal; while one is
/// down no order leaves: proposals to a stopped risk guard go unanswered (the rebalancer's asks fail); while the book
/// restarts the risk guard holds every proposal until the book's recovered view arrives; orders for a restarting OMS wait
/// in its mailbox and are journaled before they are sent</description></item>
/// <item><term>rebalancer, watchdog</term><description>restarted</description></item>
/// </list>
/// Clock steps (<see cref="StartDay"/>, <see cref="Decide"/>, <see cref="MarkToMarket"/>) are answered with
/// <see cref="StepDone"/> only when every child involved has answered.
/// </summary>
public sealed class TradingSupervisor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TradingNodeSetup _setup;
    private IActorRef _broker = ActorRefs.Nobody, _book = ActorRefs.Nobody, _orders = ActorRefs.Nobody, _risk = ActorRefs.Nobody,
        _rebalancer = ActorRefs.Nobody, _watchdog = ActorRefs.Nobody;
    private readonly Dictionary<string, IActorRef> _strategies = [];

    public static Props Props(TradingNodeSetup setup) => Akka.Actor.Props.Create(() => new TradingSupervisor(setup));

    public TradingSupervisor(TradingNodeSetup setup)
    {
        _setup = setup;
        Receive<StartDay>(s => Gather(s.Step, [_book, _orders, _risk, _watchdog], s));
        Receive<Decide>(d => Gather(d.Step, _strategies.Values.ToList(), d));
        Receive<MarkToMarket>(OnMark);
        Receive<GetChildren>(_ => Sender.Tell(new Children(_broker, _book, _orders, _risk, _rebalancer, _watchdog, _strategies.ToDictionary())));
        Receive<Terminated>(t =>
        {
            var name = _strategies.FirstOrDefault(kv => kv.Value.Equals(t.ActorRef)).Key;
            if (name is null) return;
            _strategies.Remove(name);
            _watchdog.Tell(new ChildFailed(ChildName(name), "stopped after a failure; it will not trade until restarted by an operator"));
        });
    }

    protected override void PreStart()
    {
        var slot = new ActorRefSlot();
        // The backoff grows while connects keep failing; only a session that stayed up for the longest backoff
        // counts as recovered (Akka's default resets after the shortest, which a slow failure already exceeds).
        _broker = Context.ActorOf(BackoffSupervisor.Props(Backoff.OnFailure(_setup.BrokerSession(slot), "session",
            _setup.BrokerMinBackoff, _setup.BrokerMaxBackoff, 0.2, maxNrOfRetries: -1).WithAutoReset(_setup.BrokerMaxBackoff)), "broker-session");
        _book = Context.ActorOf(PositionBookActor.Props(_setup.AccountId), "position-book");
        _orders = Context.ActorOf(OrderManagerActor.Props(_setup.AccountId, _broker, _book, _setup.Now), "orders");
        slot.Ref = _orders;
        _risk = Context.ActorOf(_setup.RiskGuard(_orders, _book), "risk-guard");
        _rebalancer = Context.ActorOf(_setup.Rebalancer(_risk, _book), "rebalancer");
        _watchdog = Context.ActorOf(WatchdogActor.Props(_setup.Watchdog, _risk, _setup.Now), "watchdog");
        foreach (var (name, props) in _setup.Strategies)
        {
            var child = Context.ActorOf(props(_rebalancer, _book), ChildName(name));
            Context.Watch(child);
            _strategies[name] = child;
        }
    }

    /// <summary>An actor name for a strategy: characters Akka does not allow in paths become '_'.</summary>
    internal static string ChildName(string strategy) =>
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

    /// <summary>Sends a step to each target and answers when all have answered.</summary>
    private void Gather(long step, IReadOnlyList<IActorRef> targets, object message)
    {
        var replyTo = Sender;
        var asks = targets.Where(t => !t.IsNobody()).Select(t => t.Ask<StepDone>(message, _setup.StepTimeout)).ToArray();
        Task.WhenAll(asks).PipeTo(replyTo, success: done => new StepDone(step, string.Join(";", done.Select(d => d.Detail).Where(d => d.Length > 0))),
            failure: e => new Status.Failure(e));
    }

    private void OnMark(MarkToMarket m)
    {
        var replyTo = Sender;
        var book = _book;
        var watchdog = _watchdog;
        var timeout = _setup.StepTimeout;
        async Task<StepDone> Run()
        {
            await book.Ask<StepDone>(m, timeout);
            var account = await book.Ask<AccountSnapshot>(new GetAccount(), timeout);
            await watchdog.Ask<StepDone>(new NavMarked(m.Date, account.Book.Nav), timeout);
            return new StepDone(m.Step, account.Book.Nav.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Run().PipeTo(replyTo, failure: e => new Status.Failure(e));
    }
}

public sealed record GetChildren;
public sealed record Children(IActorRef Broker, IActorRef Book, IActorRef Orders, IActorRef Risk, IActorRef Rebalancer, IActorRef Watchdog,
    IReadOnlyDictionary<string, IActorRef> Strategies);
