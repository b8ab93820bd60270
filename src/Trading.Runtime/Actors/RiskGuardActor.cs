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
/// errs on the safe side (see <see cref="PositionBookActor"/>). Decisions change the state at once (the next
/// proposal sees them). An approval is journaled once, by the OMS's write-ahead of the order it sends — not a second
/// time here, which would put one more commit in front of every order on a single-writer journal; the guard's own
/// journal keeps what only it knows (day starts, rejections, cancels, the kill switch). After every (re)start the
/// guard takes the day's approved orders and which of them are finished from the OMS's record before it judges
/// anything, so caps, cash and duplicates hold across restarts. The OMS answers the proposer once the broker has
/// acknowledged the orders; the guard
/// meanwhile judges the next proposal, with the first one's orders pending. While the book is unavailable (not yet
/// heard from, or restarting) proposals wait. The kill switch is persisted state (written before it acts): engaged,
/// it rejects every order, cancels every open one, and stays engaged across restarts.
/// </summary>
public sealed class RiskGuardActor : ReceivePersistentActor, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _accountId;
    private readonly PreTradeChain _chain;
    private readonly CancelRateMonitor _cancelRate;
    private bool _cancelRateAlerted; // once a day
    private readonly IActorRef _orders, _book;
    private readonly QuoteSource _quotes;
    private readonly MarketRules _rules;
    private readonly FeeSchedule _fees;
    private readonly Func<DateTime> _now;
    private RiskState _state = RiskState.Empty;
    private AccountSnapshot? _account;       // the book's last view; null until heard from and while it restarts
    private RiskAccount? _riskAccount;       // _account as the rules see it, built on first use
    private OutstandingOrders? _outstanding; // null: rebuild from _state and _account on first use
    private bool _reconciled;                // today's orders at the OMS counted after (re)start

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string accountId, RiskOptions options, IActorRef orders, IActorRef book, QuoteSource quotes,
        MarketRules rules, FeeSchedule fees, Func<DateTime> now) =>
        Akka.Actor.Props.Create(() => new RiskGuardActor(accountId, options, orders, book, quotes, rules, fees, now));

    public RiskGuardActor(string accountId, RiskOptions options, IActorRef orders, IActorRef book, QuoteSource quotes,
        MarketRules rules, FeeSchedule fees, Func<DateTime> now)
    {
        PersistenceId = $"risk-guard-{accountId}";
        _accountId = accountId;
        _chain = PreTradeChain.FromOptions(options);
        _cancelRate = CancelRateMonitor.FromOptions(options);
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
        Context.System.EventStream.Subscribe(Self, typeof(AccountReconciled));
        AskForAccount();
        base.PreStart();
    }

    private void AskForAccount()
    {
        _book.Tell(new GetAccount());
        if (!_reconciled) _orders.Tell(new GetOrders());
        Timers.StartPeriodicTimer("account", new AskAccount(), TimeSpan.FromSeconds(1));
    }

    /// <summary>Proposals wait (stashed) until the book's view arrives; it is asked for once a second meanwhile.</summary>
    private void WaitingForAccount()
    {
        Command<AskAccount>(_ =>
        {
            _log.Warning("Risk guard {Account}: no {What} yet; proposals wait", _accountId,
                _account is null ? "account view from the position book" : "order list from the OMS");
            if (_account is null) _book.Tell(new GetAccount());
            if (!_reconciled) _orders.Tell(new GetOrders());
        });
        Command<AccountSnapshot>(a => { SetAccount(a, null); TryOnline(); });
        Command<AccountChanged>(c => { if (c.AccountId == _accountId) { SetAccount(c.Account, null); TryOnline(); } });
        Command<OrdersSnapshot>(Reconcile);
        Command<ProposeOrders>(_ => Stash.Stash());
        Common();
    }

    /// <summary>The day's approvals from the OMS's record (its write-ahead of every order it sent), and which are finished.</summary>
    private void Reconcile(OrdersSnapshot snapshot)
    {
        if (_reconciled) return;
        var today = _state.TradingDay;
        var known = _state.OrdersToday.Select(o => o.Id).ToHashSet(); // journals written before approvals moved to the OMS
        int counted = 0;
        foreach (var o in snapshot.Orders.Where(o => o.Request.TradeDate == today && !known.Contains(o.Id)).OrderBy(o => o.CreatedAt))
        {
            Apply(new OrderApproved(o.Request, o.CreatedAt));
            if (o.Status.IsTerminal()) Apply(new OrderFinished(o.Id));
            counted++;
        }
        if (counted > 0) _log.Info("Risk guard {Account}: {Count} of today's orders taken from the OMS's record", _accountId, counted);
        _reconciled = true;
        TryOnline();
    }

    private void TryOnline()
    {
        if (_account is null || !_reconciled) return;
        Timers.Cancel("account");
        Become(Ready);
        Stash.UnstashAll();
    }

    private void Ready()
    {
        Command<ProposeOrders>(OnPropose);
        Command<AccountSnapshot>(_ => { }); // a late answer to an earlier GetAccount; the events are newer
        Command<OrdersSnapshot>(_ => { });
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
            if (u.AccountId != _accountId) return; // another account's order on the same event stream
            var id = u.Order.Id;
            if (u.Order.Status.IsTerminal() && _state.IsActive(id))
                Apply(new OrderFinished(id)); // the OMS's journal holds the order's end
            if (u.Order.Status == OrderStatus.PendingCancel)
                Persist(new Trading.Risk.OrderCancelled(id, u.Order.Request.Symbol, _now()), e =>
                {
                    Apply(e);
                    if (!_cancelRateAlerted && _cancelRate.Check(_state, _now()) is { } alert)
                    {
                        _cancelRateAlerted = true;
                        _log.Warning("Cancel rate: {Message}", alert.Message);
                        Context.System.EventStream.Publish(new RiskAlert(_now(), alert.Monitor, "risk-guard", alert.Message, AccountId: _accountId));
                    }
                });
        });
        Command<EngageKillSwitch>(k => Persist(new KillSwitchEngaged(k.Reason, _now()), e =>
        {
            Apply(e);
            _log.Warning("Kill switch engaged: {Reason}", k.Reason);
            Context.System.EventStream.Publish(new RiskAlert(_now(), "kill-switch", "risk-guard", $"engaged: {k.Reason}", AccountId: _accountId));
            _orders.Tell(new CancelAllOrders("kill switch: " + k.Reason));
            Sender.Tell(Status());
        }));
        Command<ReleaseKillSwitch>(r => Persist(new KillSwitchReleased(r.By, _now()), e =>
        {
            Apply(e);
            Context.System.EventStream.Publish(new RiskAlert(_now(), "kill-switch", "risk-guard", $"released by {r.By}", AccountId: _accountId));
            Sender.Tell(Status());
        }));
        Command<GetRiskStatus>(_ => Sender.Tell(Status()));
        Command<CancelAllOrders>(c => _orders.Forward(c));
        Command<AccountUnavailable>(_ => { });
        Command<AccountReconciled>(r =>
        {
            if (r.AccountId != _accountId || r.Agrees) return;
            var reason = $"{r.Differences.Count} difference(s) with the broker ({r.Why}): " + string.Join("; ", r.Differences.Take(5).Select(d => d.Detail))
                + (r.Differences.Count > 5 ? $"; and {r.Differences.Count - 5} more" : "");
            Persist(new ReconciliationHalted(reason, _now()), e =>
            {
                Apply(e);
                _log.Warning("New orders halted by reconciliation: {Reason}", reason);
                Context.System.EventStream.Publish(new RiskAlert(_now(), "reconciliation", "risk-guard", $"new orders halted: {reason}", AccountId: _accountId));
            });
        });
        Command<AcknowledgeReconciliation>(a =>
        {
            if (_state.ReconcileHalt is null)
            {
                Sender.Tell(Status());
                return;
            }
            Persist(new ReconciliationAcknowledged(a.By, _now()), e =>
            {
                Apply(e);
                _log.Warning("Reconciliation halt acknowledged by {By}: new orders go out again", a.By);
                Context.System.EventStream.Publish(new RiskAlert(_now(), "reconciliation", "risk-guard", $"acknowledged by {a.By}: new orders allowed again", AccountId: _accountId));
                Sender.Tell(Status());
            });
        });
    }

    private RiskStatus Status() =>
        new(_state.KillSwitchEngaged, _state.KillSwitch?.Reason, _state.OrderCount, _state.SubmittedAmount, _state.ReconcileHalt?.Reason);

    private void Apply(RiskEvent e)
    {
        _state = _state.Apply(e);
        switch (e)
        {
            case OrderApproved a when _outstanding is not null:
                _outstanding = null; // only recovery applies approvals one by one: rebuild
                break;
            case OrderFinished f when _outstanding is not null && _account?.Reservations.ContainsKey(f.OrderId) != true:
                _outstanding = _outstanding.Without(f.OrderId);
                break;
            case DayStarted:
                _outstanding = null; // earlier days' orders have expired: rebuilt on first use
                _cancelRateAlerted = false;
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
        // The decisions hold from now on. Approvals are journaled by the OMS's write-ahead (see the class summary);
        // rejections only here, in the background.
        _state = batch.State;
        _outstanding = batch.Outstanding;
        var rejections = batch.Events.Where(e => e is not OrderApproved).ToList();
        if (rejections.Count > 0) PersistAllAsync(rejections, _ => { });
        foreach (var r in rejected)
            Context.System.EventStream.Publish(new RiskAlert(_now(), "risk-reject", r.Rule, r.Reason, r.Order.Symbol, r.Order.Id, AccountId: _accountId));
        if (approved.Count == 0) replyTo.Tell(new ProposalResult(p.Step, approved, rejected));
        else _orders.Tell(new SubmitApproved(approved, p.Step, replyTo, rejected));
    }

    private sealed record AskAccount;
}
