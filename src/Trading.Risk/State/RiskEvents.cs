namespace Trading.Risk;

/// <summary>
/// Events of the risk guard. The actor persists them, then applies them with <see cref="RiskState.Apply"/>;
/// recovery replays the same function, so the counters and the kill switch survive a restart.
/// </summary>
public abstract record RiskEvent;

/// <summary>The order (after any shrink) passed the chain and goes to the OMS: it counts and is active.</summary>
public sealed record OrderApproved(OrderRequest Order, DateTime At) : RiskEvent;

/// <summary>The chain refused the order; counted for the record, it never reaches the OMS.</summary>
public sealed record OrderRejectedByRisk(OrderRequest Order, string Rule, string Reason, DateTime At) : RiskEvent;

/// <summary>A cancel was requested for an order (counts towards the cancel cap and rate; the order stays active until it finishes).</summary>
public sealed record OrderCancelled(ClientOrderId OrderId, Symbol Symbol, DateTime At) : RiskEvent;

/// <summary>The order reached a final state (filled, cancelled, rejected or expired) and leaves the active set.</summary>
public sealed record OrderFinished(ClientOrderId OrderId) : RiskEvent;

/// <summary>A new trading day: the day counters start from zero; the kill switch stays as it is.</summary>
public sealed record DayStarted(DateOnly Date) : RiskEvent;

/// <summary>From now on every order is rejected, until an operator releases the switch. Engaging it again replaces the reason and time.</summary>
public sealed record KillSwitchEngaged(string Reason, DateTime At) : RiskEvent;

public sealed record KillSwitchReleased(string By, DateTime At) : RiskEvent;

/// <summary>
/// Reconciliation found differences no report explains: new orders are refused (open ones are left alone) until an
/// operator acknowledges. Halting again while halted replaces the reason and time.
/// </summary>
public sealed record ReconciliationHalted(string Reason, DateTime At) : RiskEvent;

/// <summary>An operator checked the differences and lets new orders through again.</summary>
public sealed record ReconciliationAcknowledged(string By, DateTime At) : RiskEvent;
