using Trading.Domain.Orders;

namespace Trading.Brokers;

/// <summary>
/// What a broker pushes about one order, in the order it happened. A report may arrive twice (a resubmission of the
/// same client order id replays the order's reports; a reconnect may replay pushes): receivers de-duplicate fills by
/// <see cref="Fill.FillId"/> and never move an order back from a terminal state.
/// </summary>
public abstract record BrokerReport(ClientOrderId OrderId, DateTime At);

/// <summary>The counter took the order (xtquant 50 已报).</summary>
public sealed record OrderAccepted(ClientOrderId OrderId, DateTime At, string BrokerOrderId) : BrokerReport(OrderId, At);

/// <summary>The counter refused the order (xtquant 57 废单); <see cref="Reason"/> says which rule.</summary>
public sealed record OrderRejected(ClientOrderId OrderId, DateTime At, string Reason) : BrokerReport(OrderId, At);

/// <summary>One execution. The order is filled when <see cref="RemainingQuantity"/> is 0 (xtquant 55 部成 / 56 已成).</summary>
public sealed record OrderFilled(ClientOrderId OrderId, DateTime At, Fill Fill, long CumulativeQuantity, long RemainingQuantity)
    : BrokerReport(OrderId, At);

/// <summary>Cancelled with <see cref="FilledQuantity"/> shares already done (xtquant 54 已撤, or 53 部撤 when some filled).</summary>
public sealed record OrderCancelled(ClientOrderId OrderId, DateTime At, long FilledQuantity, string Reason) : BrokerReport(OrderId, At);

/// <summary>Ended unfilled (or partly filled) at the close: A-share orders live for one trading day.</summary>
public sealed record OrderExpired(ClientOrderId OrderId, DateTime At, long FilledQuantity, string Reason) : BrokerReport(OrderId, At);
