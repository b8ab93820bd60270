using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>Today's market facts for the risk guard: reference price, limits, suspension (pre-open facts only).</summary>
public delegate MarketQuote? QuoteSource(Symbol symbol, DateOnly tradeDate);

/// <summary>
/// The pre-trade gate. Every proposal is judged as a batch by the <see cref="PreTradeChain"/> against the account
/// (position book), the open orders (OMS), today's quotes and the persisted <see cref="RiskState"/> (day counters,
/// kill switch); the decisions are persisted as events before approved orders go on to the OMS. Proposals are
/// handled one at a time (others wait in the stash), so counters never race. The kill switch is persisted state:
/// engaged, it rejects every order, cancels every open one, and stays engaged across restarts.
/// </summary>
public sealed class RiskGuardActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PreTradeChain _chain;
    private readonly IActorRef _orders, _book;
    private readonly QuoteSource _quotes;
    private readonly MarketRules _rules;
    private readonly FeeSchedule _fees;
    private readonly Func<DateTime> _now;
    private readonly TimeSpan _timeout;
    private RiskState _state = RiskState.Empty;

    public static Props Props(string accountId, RiskOptions options, IActorRef orders, IActorRef book, QuoteSource quotes,
        MarketRules rules, FeeSchedule fees, Func<DateTime> now, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new RiskGuardActor(accountId, options, orders, book, quotes, rules, fees, now, timeout));

    public RiskGuardActor(string accountId, RiskOptions options, IActorRef orders, IActorRef book, QuoteSource quotes,
        MarketRules rules, FeeSchedule fees, Func<DateTime> now, TimeSpan timeout)
    {
        PersistenceId = $"risk-guard-{accountId}";
        _chain = PreTradeChain.FromOptions(options);
        _orders = orders;
        _book = book;
        _quotes = quotes;
        _rules = rules;
        _fees = fees;
        _now = now;
        _timeout = timeout;

        Recover<RiskEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is RiskState s) _state = s; });
        Ready();
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(OrderUpdated));
        base.PreStart();
    }

    private void Ready()
    {
        Command<ProposeOrders>(p =>
        {
            var replyTo = Sender;
            Become(Evaluating);
            BuildContext(p).PipeTo(Self, success: ctx => new Evaluate(p, ctx, replyTo), failure: e => new EvaluationFailed(p, replyTo, e));
        });
        Common();
    }

    private void Evaluating()
    {
        Command<Evaluate>(OnEvaluate);
        Command<EvaluationFailed>(f =>
        {
            _log.Error(f.Cause, "Risk evaluation of {Count} orders failed: nothing sent", f.Proposal.Orders.Count);
            f.ReplyTo.Tell(new Status.Failure(f.Cause));
            BackToReady();
        });
        Command<Submitted>(s =>
        {
            s.ReplyTo.Tell(new ProposalResult(s.Step, s.Approved, s.Rejected));
            BackToReady();
        });
        Common();
        CommandAny(_ => Stash.Stash());
    }

    private void BackToReady()
    {
        Become(Ready);
        Stash.UnstashAll();
    }

    private void Common()
    {
        Command<StartDay>(s => Persist(new DayStarted(s.Date), e =>
        {
            _state = _state.Apply(e);
            Sender.Tell(new StepDone(s.Step, "risk-guard"));
        }));
        Command<OrderUpdated>(u =>
        {
            if (u.Order.Status.IsTerminal() && _state.ActiveOrders.Any(a => a.Id == u.Order.Id))
                Persist(new OrderFinished(u.Order.Id), e => _state = _state.Apply(e));
            if (u.Order.Status == OrderStatus.PendingCancel)
                Persist(new Trading.Risk.OrderCancelled(u.Order.Id, u.Order.Request.Symbol, _now()), e => _state = _state.Apply(e));
        });
        Command<EngageKillSwitch>(k => Persist(new KillSwitchEngaged(k.Reason, _now()), e =>
        {
            _state = _state.Apply(e);
            _log.Warning("Kill switch engaged: {Reason}", k.Reason);
            Context.System.EventStream.Publish(new RiskAlert(_now(), "kill-switch", "risk-guard", $"engaged: {k.Reason}"));
            _orders.Tell(new CancelAllOrders("kill switch: " + k.Reason));
            Sender.Tell(Status());
        }));
        Command<ReleaseKillSwitch>(r => Persist(new KillSwitchReleased(r.By, _now()), e =>
        {
            _state = _state.Apply(e);
            Context.System.EventStream.Publish(new RiskAlert(_now(), "kill-switch", "risk-guard", $"released by {r.By}"));
            Sender.Tell(Status());
        }));
        Command<GetRiskStatus>(_ => Sender.Tell(Status()));
        Command<CancelAllOrders>(c => _orders.Forward(c));
    }

    private RiskStatus Status() =>
        new(_state.KillSwitchEngaged, _state.KillSwitch?.Reason, _state.OrderCount, _state.SubmittedAmount);

    private async Task<RiskContext> BuildContext(ProposeOrders p)
    {
        var accountAsk = _book.Ask<AccountSnapshot>(new GetAccount(), _timeout);
        var openAsk = _orders.Ask<OrdersSnapshot>(new GetOrders(OpenOnly: true), _timeout);
        var account = await accountAsk;
        var open = await openAsk;
        var book = account.Book;
        var date = p.Orders.Count > 0 ? p.Orders[0].TradeDate : book.Date;
        var quotes = new Dictionary<Symbol, MarketQuote>();
        foreach (var s in p.Orders.Select(o => o.Symbol).Concat(book.Positions.Keys).Distinct())
            if (_quotes(s, date) is { } q) quotes[s] = q;
        var riskAccount = new RiskAccount(book.Cash, account.FrozenCash, book.Nav,
            book.Positions.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Holding),
            book.Positions.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.MarketValue));
        var openOrders = open.Orders.Where(o => o.Status.IsOpen())
            .Select(o => new OpenOrder(o.Request, o.Status, o.FilledQuantity, o.CreatedAt)).ToList();
        return new RiskContext(riskAccount, quotes, openOrders, _state, _now()) { Market = _rules, Fees = _fees };
    }

    private void OnEvaluate(Evaluate m)
    {
        var batch = _chain.EvaluateBatch(m.Proposal.Orders, m.Context with { State = _state });
        var rejected = batch.Rejected.Select(r => new RiskRejection(r.Requested, r.Rejection!.Rule, r.Rejection.Reason)).ToList();
        var approved = batch.Approved.ToList();
        if (batch.Events.Count == 0)
        {
            Self.Tell(new Submitted(m.Proposal.Step, approved, rejected, m.ReplyTo));
            return;
        }
        int persisted = 0;
        PersistAll(batch.Events, e =>
        {
            _state = _state.Apply(e);
            if (++persisted < batch.Events.Count) return;
            foreach (var r in rejected)
                Context.System.EventStream.Publish(new RiskAlert(_now(), "risk-reject", r.Rule, r.Reason, r.Order.Symbol, r.Order.Id));
            if (approved.Count == 0)
            {
                Self.Tell(new Submitted(m.Proposal.Step, approved, rejected, m.ReplyTo));
                return;
            }
            var step = m.Proposal.Step;
            _orders.Ask<BatchAcknowledged>(new SubmitApproved(approved, step), _timeout)
                .PipeTo(Self, success: _ => new Submitted(step, approved, rejected, m.ReplyTo),
                    failure: e => new EvaluationFailed(m.Proposal, m.ReplyTo, e));
        });
    }

    private sealed record Evaluate(ProposeOrders Proposal, RiskContext Context, IActorRef ReplyTo);
    private sealed record EvaluationFailed(ProposeOrders Proposal, IActorRef ReplyTo, Exception Cause);
    private sealed record Submitted(long Step, IReadOnlyList<OrderRequest> Approved, IReadOnlyList<RiskRejection> Rejected, IActorRef ReplyTo);
}
