using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Actors;

/// <summary>
/// Targets − positions → lot-rounded orders (<see cref="RebalancePlanner"/>) → the risk guard. A rebalance runs in
/// two rounds, as a trader would: before the open the sells and the buys the available cash covers; after the
/// open's fills (<see cref="TopUp"/>) the buys the sale proceeds now pay for (A-share sale proceeds are usable the
/// same day). The day's target is kept until the next day starts. With an execution algo the planned orders go to the
/// execution manager as parents instead, each sliced over its window.
/// </summary>
public sealed class RebalanceActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _risk, _book;
    private readonly Func<Symbol, DateOnly, TradeQuote?> _quotes;
    private readonly MarketRules _rules;
    private readonly double _cashBuffer;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, TargetPortfolio> _today = [];
    private readonly Dictionary<string, long> _sequence = [];

    private readonly PlannerSizing? _sizing;

    private readonly long _sequenceBase;
    private readonly string _accountId;
    private readonly IActorRef? _execution;

    /// <param name="sequenceBase">
    /// where the day's client order ids start: each incarnation of a node has its own range ((epoch − 1) × 10,000), so
    /// a rebalance re-run after a crash never reuses an id the OMS already holds for another order
    /// </param>
    /// <param name="execution">
    /// the execution manager when the strategy slices its orders: the planned orders go there as parents (each worked by
    /// its algo, whose children pass the risk guard), and open parents' unfilled shares count as pending
    /// (<see cref="Execution.ParentPending"/>); null: orders go whole to the risk guard
    /// </param>
    public static Props Props(IActorRef risk, IActorRef book, Func<Symbol, DateOnly, TradeQuote?> quotes, MarketRules rules, double cashBuffer, TimeSpan timeout, PlannerSizing? sizing = null, long sequenceBase = 0, string accountId = "", IActorRef? execution = null) =>
        Akka.Actor.Props.Create(() => new RebalanceActor(risk, book, quotes, rules, cashBuffer, timeout, sizing, sequenceBase, accountId, execution));

    public RebalanceActor(IActorRef risk, IActorRef book, Func<Symbol, DateOnly, TradeQuote?> quotes, MarketRules rules, double cashBuffer, TimeSpan timeout, PlannerSizing? sizing = null, long sequenceBase = 0, string accountId = "", IActorRef? execution = null)
    {
        _execution = execution;
        _sequenceBase = sequenceBase;
        _accountId = accountId;
        _sizing = sizing;
        _risk = risk;
        _book = book;
        _quotes = quotes;
        _rules = rules;
        _cashBuffer = cashBuffer;
        _timeout = timeout;

        ReceiveAsync<TargetPortfolio>(async t =>
        {
            if (!_today.TryGetValue(t.Strategy, out var old) || old.Date != t.Date) _sequence[t.Strategy] = _sequenceBase;
            _today[t.Strategy] = t;
            Sender.Tell(await Round(t, t.Step));
        });
        ReceiveAsync<TopUp>(async u =>
        {
            var results = new List<ProposalResult>();
            foreach (var t in _today.Values.Where(t => t.Date == u.Date).OrderBy(t => t.Strategy, StringComparer.Ordinal))
                results.Add(await Round(t, u.Step));
            Sender.Tell(new StepDone(u.Step, $"top-up {results.Sum(r => r.Approved.Count)} orders"));
        });
    }

    /// <summary>One round: plan against the account now, send to the risk guard, wait for its verdict and the OMS's acknowledgement.</summary>
    private async Task<ProposalResult> Round(TargetPortfolio t, long step)
    {
        // With parents being worked, the execution manager is asked before the book (see ParentPending: a race then
        // counts a share twice, never not at all).
        var parents = _execution is null ? null : (await _execution.Ask<ParentsSnapshot>(GetParents.Instance, _timeout)).Parents;
        var account = await _book.Ask<AccountSnapshot>(new GetAccount(), _timeout);
        var (pending, cash) = parents is null
            ? (RebalancePlanner.PendingOf(account.Reservations.Values), account.AvailableCash)
            : Execution.ParentPending.Of(account, parents);
        long seq = _sequence.GetValueOrDefault(t.Strategy, _sequenceBase);
        var orders = RebalancePlanner.Plan(t.Strategy, t.Date, t.Weights, account.Book, cash,
            s => _quotes(s, t.Date), _rules, _cashBuffer, ref seq, sizing: _sizing, pending: pending);
        _sequence[t.Strategy] = seq;
        if (orders.Count == 0) return new ProposalResult(step, [], []);
        var result = await (_execution ?? _risk).Ask<ProposalResult>(new ProposeOrders(t.Strategy, orders, step), _timeout);
        Context.System.EventStream.Publish(new ProposalJudged(_accountId, t.Strategy, result));
        _log.Debug("Rebalance {Strategy} {Date}: {Approved} approved, {Rejected} rejected", t.Strategy, t.Date, result.Approved.Count, result.Rejected.Count);
        return result;
    }
}

/// <summary>Published on the event stream after each round: the risk guard's verdict on a strategy's proposal, for its account.</summary>
public sealed record ProposalJudged(string AccountId, string Strategy, ProposalResult Result);

/// <summary>After the open's fills: send the buys that sale proceeds now pay for.</summary>
public sealed record TopUp(DateOnly Date, long Step);
