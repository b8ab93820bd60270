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

/// <summary>The answer to every clock step: the step is complete and the tree is quiet.</summary>
public sealed record StepDone(long Step, string Detail = "");

// ---- Orders on their way out. ----

/// <summary>A strategy's target: weights of NAV per symbol (absent = 0), with prices to size them.</summary>
public sealed record TargetPortfolio(string Strategy, DateOnly Date, ImmutableSortedDictionary<Symbol, double> Weights, long Step);

/// <summary>Orders proposed by the rebalancer for the risk guard to judge as one batch.</summary>
public sealed record ProposeOrders(string Strategy, IReadOnlyList<OrderRequest> Orders, long Step);

/// <summary>The risk guard's answer to a proposal: what went on to the OMS (after any shrink) and what it refused.</summary>
public sealed record ProposalResult(long Step, IReadOnlyList<OrderRequest> Approved, IReadOnlyList<RiskRejection> Rejected);

public sealed record RiskRejection(OrderRequest Order, string Rule, string Reason);

/// <summary>Risk-approved orders for the OMS. Only the risk guard sends these.</summary>
public sealed record SubmitApproved(IReadOnlyList<OrderRequest> Orders, long Step);

/// <summary>The OMS has every order of the batch acknowledged or rejected by the broker.</summary>
public sealed record BatchAcknowledged(long Step, int Accepted, int Rejected);

public sealed record CancelOrder(ClientOrderId OrderId, string Reason);
public sealed record CancelAllOrders(string Reason);
/// <summary>The OMS's orders; <paramref name="OpenOnly"/> limits the answer to live ones (what the risk guard needs on every proposal).</summary>
public sealed record GetOrders(bool OpenOnly = false);
public sealed record OrdersSnapshot(IReadOnlyList<OrderState> Orders);

// ---- Account. ----

public sealed record GetAccount;
public sealed record AccountSnapshot(PositionBookState Book, decimal FrozenCash)
{
    public decimal AvailableCash => Book.Cash - FrozenCash;
}
public sealed record Deposit(decimal Amount, string Note);
public sealed record BookFill(Fill Fill);
public sealed record Deposited(decimal Cash);

// ---- Risk guard control. ----

public sealed record EngageKillSwitch(string Reason);
public sealed record ReleaseKillSwitch(string By);
public sealed record GetRiskStatus;
public sealed record RiskStatus(bool KillSwitchEngaged, string? Reason, int OrdersToday, decimal AmountToday);

// ---- Events published on the event stream (watchdog, journal projections, dashboard). ----

/// <summary>Something an operator should see: risk rejections, drawdowns, stuck orders, failures.</summary>
public sealed record RiskAlert(DateTime At, string Kind, string Source, string Message, Symbol? Symbol = null, ClientOrderId? OrderId = null);

/// <summary>An order changed state (for logs, reports and the dashboard).</summary>
public sealed record OrderUpdated(OrderState Order);
