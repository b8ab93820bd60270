namespace Trading.Runtime.Messages;

/// <summary>
/// An operator's action, for the audit trail (<see cref="Actors.AuditLogActor"/>): who did what, when, and the
/// detail (a reason, an amount). Published on the event stream by whoever carries the action out (the risk guard
/// for the kill switch, the position book for a deposit, later the console's commands); the audit log journals it.
/// </summary>
public sealed record AuditEntry(DateTime At, string Actor, string Action, string Detail);
