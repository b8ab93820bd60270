using System.Collections.Immutable;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Runtime.State;

namespace Trading.Runtime.Messages;

// ---- The clock: a step is one phase of one trading day; every step is acknowledged when the tree is quiet. ----

/// <summary>A new trading day begins (T+1 roll, day counters reset).</summary>
public sealed record StartDay(DateOnly Date, long Step);

/// <summary>Strategies decide with data up to the previous close and send their orders before the open.</summary>
public sealed record Decide(DateOnly Date, long Step);

/// <summary>Everything sent before this has been processed along the report path (broker → OMS → position book).</summary>
public sealed record Flush(long Step);

/// <summary>Close of day: positions marked at the closes, monitors run.</summary>
public sealed record MarkToMarket(DateOnly Date, ImmutableDictionary<Symbol, decimal> Closes, long Step);

/// <summary>The answer to <see cref="MarkToMarket"/>: the day is closed, with the account as marked (the clock records it).</summary>
public sealed record MarkedToMarket(long Step, AccountSnapshot Account);

/// <summary>The answer to every other clock step: the step is complete and the tree is quiet.</summary>
public sealed record StepDone(long Step, string Detail = "");

// ---- Orders on their way out. ----

/// <summary>A strategy's target: weights of NAV per symbol (absent = 0), with prices to size them.</summary>
public sealed record TargetPortfolio(string Strategy, DateOnly Date, ImmutableSortedDictionary<Symbol, double> Weights, long Step);

/// <summary>Orders proposed by the rebalancer for the risk guard to judge as one batch.</summary>
public sealed record ProposeOrders(string Strategy, IReadOnlyList<OrderRequest> Orders, long Step);

/// <summary>The risk guard's answer to a proposal: what went on to the OMS (after any shrink) and what it refused.</summary>
public sealed record ProposalResult(long Step, IReadOnlyList<OrderRequest> Approved, IReadOnlyList<RiskRejection> Rejected);

public sealed record RiskRejection(OrderRequest Order, string Rule, string Reason);

/// <summary>
/// Risk-approved orders for the OMS. Only the risk guard sends these. With <paramref name="ReplyTo"/>, the OMS
/// answers the proposer itself with a <see cref="ProposalResult"/> (carrying <paramref name="Rejected"/>) once the
/// broker has acknowledged or rejected every order; otherwise it answers the sender with
/// <see cref="BatchAcknowledged"/>.
/// </summary>
public sealed record SubmitApproved(IReadOnlyList<OrderRequest> Orders, long Step, Akka.Actor.IActorRef? ReplyTo = null, IReadOnlyList<RiskRejection>? Rejected = null);

/// <summary>The OMS has every order of the batch acknowledged or rejected by the broker.</summary>
public sealed record BatchAcknowledged(long Step, int Accepted, int Rejected);

public sealed record CancelOrder(ClientOrderId OrderId, string Reason);
public sealed record CancelAllOrders(string Reason);
/// <summary>Every order the OMS holds (the risk guard takes the day's approvals from it after a restart).</summary>
public sealed record GetOrders;
public sealed record OrdersSnapshot(IReadOnlyList<OrderState> Orders);

// ---- Account. ----

public sealed record GetAccount;
/// <summary>
/// The account as the book holds it: cash and positions, and what open orders hold back at the broker
/// (<paramref name="Reservations"/>: the unfilled shares of every open order and the cash of open buys, as the OMS
/// reports them; <paramref name="FrozenCash"/> is their cash total).
/// </summary>
public sealed record AccountSnapshot(PositionBookState Book, decimal FrozenCash, ImmutableDictionary<ClientOrderId, OrderReservation> Reservations)
{
    public AccountSnapshot(PositionBookState book) : this(book, 0m, ImmutableDictionary<ClientOrderId, OrderReservation>.Empty) { }

    public decimal AvailableCash => Book.Cash - FrozenCash;
}

/// <summary>
/// OMS → position book: what an open order holds back at the broker — its unfilled shares and, for a buy, the
/// cash frozen for them. <paramref name="Remaining"/> = 0 releases it (the order is done). Not persisted: the OMS
/// rebuilds it on recovery.
/// </summary>
public sealed record OrderReservation(OrderRequest Order, long Remaining, decimal FrozenCash, DateTime Since)
{
    public ClientOrderId OrderId => Order.Id;

    public static OrderReservation Of(OrderState s) =>
        new(s.Request, s.Status.IsOpen() ? s.RemainingQuantity : 0, s.FrozenCash(), s.CreatedAt);
}

/// <summary>Published by the position book when it fails: until it has recovered, its last view is not to be trusted.</summary>
public sealed record AccountUnavailable(string AccountId, string Reason);

/// <summary>
/// Published by the position book after every change, so readers (the risk guard) keep a current view without
/// asking. <paramref name="Changed"/> names the one reservation that changed, when that is all that did; the
/// reservations are otherwise the same instance as before, unless the book rebuilt them (after a restart).
/// </summary>
public sealed record AccountChanged(string AccountId, AccountSnapshot Account, ClientOrderId? Changed);
public sealed record Deposit(decimal Amount, string Note);
public sealed record BookFill(Fill Fill);
public sealed record Deposited(decimal Cash);

// ---- Risk guard control. ----

public sealed record EngageKillSwitch(string Reason);
public sealed record ReleaseKillSwitch(string By);
public sealed record GetRiskStatus;
/// <param name="ReconcileHalt">why new orders are halted by reconciliation, null when they are not</param>
public sealed record RiskStatus(bool KillSwitchEngaged, string? Reason, int OrdersToday, decimal AmountToday, string? ReconcileHalt = null);

// ---- Reconciliation with the broker. ----

/// <summary>Reconcile now (an operator's request): the broker's orders and fills, then positions and cash.</summary>
public sealed record ReconcileNow(string By);

/// <summary>An operator has checked what reconciliation found; new orders may go out again (answered with <see cref="RiskStatus"/>).</summary>
public sealed record AcknowledgeReconciliation(string By);

/// <summary>
/// Published after each reconciliation of an account with its broker: what no report explained
/// (<see cref="Differences"/> empty when the journal and the broker agree). The risk guard halts new orders on
/// differences; the read models and the dashboard show it.
/// </summary>
public sealed record AccountReconciled(string AccountId, DateTime At, string Why, IReadOnlyList<Trading.Runtime.State.ReconciliationDifference> Differences)
{
    public bool Agrees => Differences.Count == 0;
}

// ---- Events published on the event stream (watchdog, journal projections, dashboard). ----

/// <summary>Something an operator should see: risk rejections, drawdowns, stuck orders, failures.</summary>
public sealed record RiskAlert(DateTime At, string Kind, string Source, string Message, Symbol? Symbol = null, ClientOrderId? OrderId = null, string? AccountId = null);

/// <summary>An order changed state (for logs, reports and the dashboard).</summary>
public sealed record OrderUpdated(OrderState Order, string AccountId);
