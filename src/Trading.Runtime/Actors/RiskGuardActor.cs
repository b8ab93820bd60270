using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Positions;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>Today's market facts for the risk guard: reference price, limits, suspension (pre-open facts only).</summary>
public delegate MarketQuote? QuoteSource(Symbol symbol, DateOnly tradeDate);

/// <summary>
/// The pre-trade gate. Every proposal is judged as a batch by the <see cref="PreTradeChain"/> against a view the
/// guard keeps current from events instead of asking for it: the account and what open orders reserve (the
/// position book's <see cref="AccountChanged"/>), its own approvals not yet reserved (pending, in full), today's
/// quotes, and the persisted <see cref="RiskState"/> (day counters, kill switch). Every race between those sources
/// errs on the safe side (see <see cref="PositionBookActor"/>). The decisions are persisted as events before the
/// approved orders go on to the OMS, which answers the proposer once the broker has acknowledged them; the guard
/// meanwhile judges the next proposal, with the first one's orders pending. While the book is unavailable (not yet
/// heard from, or restarting) proposals wait. The kill switch is persisted state: engaged, it rejects every order,
/// cancels every open one, and stays engaged across restarts.
/// </summary>
public sealed class RiskGuardActor : ReceivePersistentActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _accountId;
    private readonly PreTradeChain _chain;
    private readonly IActorRef _orders, _book;
    private readonly QuoteSource _quotes;
    private readonly MarketRules _rules;
    private readonly FeeSchedule _fees;
    private readonly Func<DateTime> _now;
    private RiskState _state = RiskState.Empty;
    private AccountSnapshot? _account;       // the book's last view; null until heard from and while it restarts
    private RiskAccount? _riskAccount;       // _account as the rules see it, built on first use
    private OutstandingOrders? _outstanding; // null: rebuild from _state and _account on first use

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string accountId, RiskOptions options, IActorRef orders, IActorRef book, QuoteSource quotes,
        MarketRules rules, FeeSchedule fees, Func<DateTime> now, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new RiskGuardActor(accountId, options, orders, book, quotes, rules, fees, now, timeout));

    public RiskGuardActor(string accountId, RiskOptions options, IActorRef orders, IActorRef book, QuoteSource quotes,
        MarketRules rules, FeeSchedule fees, Func<DateTime> now, TimeSpan timeout)
    {
        PersistenceId = $"risk-guard-{accountId}";
        _accountId = accountId;
        _chain = PreTradeChain.FromOptions(options);
        _orders = orders;
        _book = book;
        _quotes = quotes;
        _rules = rules;
        _fees = fees;
        _now = now;

        Recover<RiskEvent>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(o => { if (o.Snapshot is RiskState s) _state = s; });
        WaitingForAccount();
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(OrderUpdated));
        Context.System.EventStream.Subscribe(Self, typeof(AccountChanged));
        Context.System.EventStream.Subscribe(Self, typeof(AccountUnavailable));
        AskForAccount();
        base.PreStart();
    }

    private void AskForAccount()
    {
        _book.Tell(new GetAccount());
        Timers.StartPeriodicTimer("account", new AskAccount(), TimeSpan.FromSeconds(1));
    }

    /// <summary>Proposals wait (stashed) until the book's view arrives; it is asked for once a second meanwhile.</summary>
    private void WaitingForAccount()
    {
        Command<AskAccount>(_ =>
        {
            _log.Warning("Risk guard {Account}: no account view from the position book yet; proposals wait", _accountId);
            _book.Tell(new GetAccount());
        });
        Command<AccountSnapshot>(a => Online(a));
        Command<AccountChanged>(c => { if (c.AccountId == _accountId) Online(c.Account); });
        Command<ProposeOrders>(_ => Stash.Stash());
        Common();
    }

    private void Online(AccountSnapshot account)
    {
        Timers.Cancel("account");
        SetAccount(account, null);
        Become(Ready);
        Stash.UnstashAll();
    }

    private void Ready()
    {
        Command<ProposeOrders>(OnPropose);
        Command<AccountSnapshot>(_ => { }); // a late answer to an earlier GetAccount; the events are newer
        Command<AccountChanged>(c => { if (c.AccountId == _accountId) SetAccount(c.Account, c.Changed); });
        Command<AccountUnavailable>(u =>
        {
            if (u.AccountId != _accountId) return;
            _log.Warning("Risk guard {Account}: position book unavailable ({Reason}); proposals wait", _accountId, u.Reason);
            _account = null;
            _riskAccount = null;
            _outstanding = null;
            Become(WaitingForAccount);
            AskForAccount();
        });
        Common();
    }

    private void Common()
    {
        Command<StartDay>(s => Persist(new DayStarted(s.Date), e =>
        {
            Apply(e);
            Sender.Tell(new StepDone(s.Step, "risk-guard"));
        }));
        Command<OrderUpdated>(u =>
        {
            var id = u.Order.Id;
            if (u.Order.Status.IsTerminal() && _state.IsActive(id))
                Persist(new OrderFinished(id), Apply);
            if (u.Order.Status == OrderStatus.PendingCancel)
                Persist(new Trading.Risk.OrderCancelled(id, u.Order.Request.Symbol, _now()), Apply);
        });
        Command<EngageKillSwitch>(k => Persist(new KillSwitchEngaged(k.Reason, _now()), e =>
        {
            Apply(e);
            _log.Warning("Kill switch engaged: {Reason}", k.Reason);
            Context.System.EventStream.Publish(new RiskAlert(_now(), "kill-switch", "risk-guard", $"engaged: {k.Reason}"));
            _orders.Tell(new CancelAllOrders("kill switch: " + k.Reason));
            Sender.Tell(Status());
        }));
        Command<ReleaseKillSwitch>(r => Persist(new KillSwitchReleased(r.By, _now()), e =>
        {
            Apply(e);
            Context.System.EventStream.Publish(new RiskAlert(_now(), "kill-switch", "risk-guard", $"released by {r.By}"));
            Sender.Tell(Status());
        }));
        Command<GetRiskStatus>(_ => Sender.Tell(Status()));
        Command<CancelAllOrders>(c => _orders.Forward(c));
        Command<AccountUnavailable>(_ => { });
    }

    private RiskStatus Status() =>
        new(_state.KillSwitchEngaged, _state.KillSwitch?.Reason, _state.OrderCount, _state.SubmittedAmount);

    private void Apply(RiskEvent e)
    {
        _state = _state.Apply(e);
        switch (e)
        {
            case OrderFinished f when _outstanding is not null && _account?.Reservations.ContainsKey(f.OrderId) != true:
                _outstanding = _outstanding.Without(f.OrderId);
                break;
            case DayStarted:
                _outstanding = null; // earlier days' orders have expired: rebuilt on first use
                break;
        }
    }

    /// <summary>A new view of the book: the account is rebuilt on first use; the index follows the one reservation that changed.</summary>
    private void SetAccount(AccountSnapshot account, ClientOrderId? changed)
    {
        var before = _account;
        _account = account;
        if (!ReferenceEquals(before?.Book, account.Book) || before?.FrozenCash != account.FrozenCash) _riskAccount = null;
        if (_outstanding is null || before is null || ReferenceEquals(before.Reservations, account.Reservations)) return;
        if (changed is not { } id)
        {
            _outstanding = null; // rebuilt (the book restarted)
            return;
        }
        if (account.Reservations.TryGetValue(id, out var r)) _outstanding = _outstanding.WithOpen(Open(r));
        else _outstanding = _outstanding.Without(id); // done at the broker
    }

    private static OpenOrder Open(OrderReservation r) => new(r.Order, OrderStatus.Submitted, r.Order.Quantity - r.Remaining, r.Since);

    private RiskContext BuildContext(DateOnly date)
    {
        var account = _account!;
        _riskAccount ??= new RiskAccount(account.Book.Cash, account.FrozenCash, account.Book.Nav,
            new ProjectedDictionary<Symbol, Position, Holding>(account.Book.Positions, p => p.Holding),
            new ProjectedDictionary<Symbol, Position, decimal>(account.Book.Positions, p => p.MarketValue));
        var context = new RiskContext(_riskAccount, new QuoteLookup(_quotes, date), [], _state, _now()) { Market = _rules, Fees = _fees };
        _outstanding ??= OutstandingOrders.From(account.Reservations.Values.Select(Open), _state.ActiveOrders, context.PendingCost);
        return context with { Outstanding = _outstanding };
    }

    private void OnPropose(ProposeOrders p)
    {
        var replyTo = Sender;
        var date = p.Orders.Count > 0 ? p.Orders[0].TradeDate : DateOnly.FromDateTime(_now());
        var batch = _chain.EvaluateBatch(p.Orders, BuildContext(date));
        var rejected = batch.Rejected.Select(r => new RiskRejection(r.Requested, r.Rejection!.Rule, r.Rejection.Reason)).ToList();
        var approved = batch.Approved.ToList();
        if (batch.Events.Count == 0)
        {
            replyTo.Tell(new ProposalResult(p.Step, approved, rejected));
            return;
        }
        int persisted = 0;
        // Persist (not async): commands wait until every decision is stored, so nothing changes the view meanwhile
        // and the index after the batch is the one the chain computed.
        PersistAll(batch.Events, e =>
        {
            _state = _state.Apply(e);
            if (++persisted < batch.Events.Count) return;
            _outstanding = batch.Outstanding;
            foreach (var r in rejected)
                Context.System.EventStream.Publish(new RiskAlert(_now(), "risk-reject", r.Rule, r.Reason, r.Order.Symbol, r.Order.Id));
            if (approved.Count == 0) replyTo.Tell(new ProposalResult(p.Step, approved, rejected));
            else _orders.Tell(new SubmitApproved(approved, p.Step, replyTo, rejected));
        });
    }

    private sealed record AskAccount;
}
