using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Domain.Orders;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>
/// The execution manager of a node whose strategy slices its orders (<c>strategy.execution.algo</c> = twap or vwap, on a
/// host with an intraday clock): the rebalancer proposes its planned orders here instead of to the risk guard, and each
/// becomes a <see cref="ParentOrder"/> worked by one <see cref="ExecutionAlgoActor"/> (child <c>algo-{parent id}</c>),
/// whose children pass the risk guard and the OMS like any order. Write ahead: a parent is journaled
/// (<c>execution-{account}</c>, <see cref="ParentAccepted"/>) before its algo starts, and closed
/// (<see cref="ParentClosed"/>) once its algo is done, so a restart starts the algos of the open parents again — each goes
/// on from its own journal. It routes the OMS's <see cref="OrderUpdated"/> of a child to its parent's algo and keeps
/// each parent's fills as the OMS reports them, which is what <see cref="GetParents"/> answers (the rebalancer counts an
/// open parent's unfilled shares as on their way; a paper node writes parents.csv).
/// </summary>
public sealed class ExecutionManagerActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AlgoSetup _s;
    private readonly Dictionary<string, Entry> _parents = [];
    private readonly List<Entry> _order = [];

    private sealed class Entry(ParentOrder parent, DateTime acceptedAt)
    {
        public ParentOrder Parent { get; } = parent;
        public DateTime AcceptedAt { get; } = acceptedAt;
        public ParentOutcome? Outcome { get; set; }
        public Dictionary<ClientOrderId, (long Filled, decimal Value)> Fills { get; } = [];

        public ParentView View() => new(Parent, AcceptedAt, Outcome?.Filled ?? Fills.Values.Sum(f => f.Filled), Fills.Values.Sum(f => f.Value),
            Outcome?.Children ?? Fills.Count, Outcome);
    }

    public static Props Props(AlgoSetup setup) => Akka.Actor.Props.Create(() => new ExecutionManagerActor(setup));

    public override string PersistenceId { get; }

    public ExecutionManagerActor(AlgoSetup setup)
    {
        _s = setup;
        PersistenceId = $"execution-{setup.AccountId}";
        Recover<ParentAccepted>(Accept);
        Recover<ParentClosed>(Close);
        Recover<RecoveryCompleted>(_ =>
        {
            var open = _order.Where(e => e.Outcome is null).ToList();
            foreach (var e in open) StartAlgo(e.Parent);
            if (open.Count > 0)
            {
                _log.Info("Execution: {0} open parents resume", open.Count);
                _s.Orders.Tell(new GetOrders()); // their children's fills so far
            }
        });
        Command<ProposeOrders>(OnPropose);
        Command<OrderUpdated>(OnOrderUpdated);
        Command<OrdersSnapshot>(s =>
        {
            foreach (var o in s.Orders) Count(o);
        });
        Command<ParentDone>(d =>
        {
            if (!_parents.TryGetValue(d.ParentId, out var e) || e.Outcome is not null) return;
            Persist(new ParentClosed(d.ParentId, _s.Now(), d.Outcome), Close);
        });
        Command<GetParents>(_ => Sender.Tell(new ParentsSnapshot(_order.Select(e => e.View()).ToList())));
        Command<StopParent>(m => ToAlgo(m.ParentId, m));
        Command<GetParentState>(m => ToAlgo(m.ParentId, m));
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(OrderUpdated));
        base.PreStart();
    }

    private void Accept(ParentAccepted e)
    {
        if (_parents.ContainsKey(e.Parent.Id)) return;
        var entry = new Entry(e.Parent, e.At);
        _parents[e.Parent.Id] = entry;
        _order.Add(entry);
    }

    private void Close(ParentClosed e)
    {
        if (_parents.TryGetValue(e.ParentId, out var entry)) entry.Outcome = e.Outcome;
    }

    /// <summary>
    /// The rebalancer's planned orders, each a parent: journaled, then its algo started; answered with the orders taken
    /// (a parent id already known — a rebalance run again — is not taken twice).
    /// </summary>
    private void OnPropose(ProposeOrders p)
    {
        var replyTo = Sender;
        var known = p.Orders.Where(o => _parents.ContainsKey(o.Id.Value)).ToList();
        foreach (var o in known) _log.Warning("Parent {0} already known; not worked twice", o.Id);
        var now = _s.Now();
        var accepted = p.Orders.Where(o => !_parents.ContainsKey(o.Id.Value))
            .Select(o => new ParentAccepted(ParentOrder.Of(o, _s.Options.Algo, _s.Options.Window), now)).ToList();
        if (accepted.Count == 0)
        {
            replyTo.Tell(new ProposalResult(p.Step, [], []));
            return;
        }
        PersistAll(accepted, e =>
        {
            Accept(e);
            StartAlgo(e.Parent);
        });
        DeferAsync(p, _ =>
        {
            _log.Info("Execution: {0} parents of {1} taken ({2} {3})", accepted.Count, p.Strategy, _s.Options.Algo, _s.Options.Window);
            replyTo.Tell(new ProposalResult(p.Step, p.Orders.Where(o => !known.Contains(o)).ToList(), []));
        });
    }

    private void OnOrderUpdated(OrderUpdated u)
    {
        if (u.AccountId != _s.AccountId || u.Order.Request.ParentId is not { } parentId) return;
        Count(u.Order);
        ToAlgo(parentId, u);
    }

    private void Count(State.OrderState o)
    {
        if (o.Request.ParentId is not { } parentId || !_parents.TryGetValue(parentId, out var e)) return;
        var before = e.Fills.GetValueOrDefault(o.Id);
        if (o.FilledQuantity >= before.Filled) e.Fills[o.Id] = (o.FilledQuantity, o.FilledValue);
    }

    /// <summary>To the algo of a parent still being worked (forwarded: it answers the sender); nothing otherwise.</summary>
    private static void ToAlgo(string parentId, object message)
    {
        if (Context.Child(AlgoName(parentId)) is { } algo && !algo.IsNobody()) algo.Forward(message);
    }

    private void StartAlgo(ParentOrder parent)
    {
        var name = AlgoName(parent.Id);
        if (!Context.Child(name).IsNobody()) return;
        Context.ActorOf(ExecutionAlgoActor.Props(_s, parent), name);
    }

    public static string AlgoName(string parentId) => "algo-" + Uri.EscapeDataString(parentId);
}
