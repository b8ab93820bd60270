using System.Collections.Immutable;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Runtime.State;

/// <summary>What happens to an order, as the OMS persists it and the order's actor applies it.</summary>
public abstract record OrderEvent(ClientOrderId OrderId, DateTime At);
public sealed record OrderCreated(ClientOrderId OrderId, DateTime At, OrderRequest Request) : OrderEvent(OrderId, At);
/// <summary>
/// An order the OMS did not know, taken over from the broker's report of it (its terms and broker id): one lost
/// with the last commits before a power cut, or placed outside this node. It starts as Submitted.
/// </summary>
public sealed record OrderAdopted(ClientOrderId OrderId, DateTime At, OrderRequest Request, string BrokerOrderId) : OrderEvent(OrderId, At);
public sealed record OrderSent(ClientOrderId OrderId, DateTime At) : OrderEvent(OrderId, At);
public sealed record OrderAcknowledged(ClientOrderId OrderId, DateTime At, string BrokerOrderId) : OrderEvent(OrderId, At);
public sealed record OrderFillReported(ClientOrderId OrderId, DateTime At, Fill Fill) : OrderEvent(OrderId, At);
public sealed record OrderCancelRequested(ClientOrderId OrderId, DateTime At, string Reason) : OrderEvent(OrderId, At);
/// <summary>The broker ended the order on a cancel; <paramref name="FilledQuantity"/> is what it says was filled by then (null: not said).</summary>
public sealed record OrderCancelReported(ClientOrderId OrderId, DateTime At, string Reason, long? FilledQuantity = null) : OrderEvent(OrderId, At);
public sealed record OrderRejectReported(ClientOrderId OrderId, DateTime At, string Rule, string Reason) : OrderEvent(OrderId, At);
/// <summary>The send timed out or failed ambiguously: the broker may or may not hold the order (see <see cref="OrderStatus.SubmitUnknown"/>).</summary>
public sealed record OrderSubmitUnknown(ClientOrderId OrderId, DateTime At, string Reason) : OrderEvent(OrderId, At);
/// <summary>The order ended with the day; <paramref name="FilledQuantity"/> as with <see cref="OrderCancelReported"/>.</summary>
public sealed record OrderExpireReported(ClientOrderId OrderId, DateTime At, string Reason, long? FilledQuantity = null) : OrderEvent(OrderId, At);

/// <summary>The outcome of applying an event: the new state, or why the event was ignored (illegal or duplicate).</summary>
public readonly record struct Transition(OrderState State, bool Applied, string? Ignored);

/// <summary>
/// One order's explicit state machine: New → PendingSubmit → Submitted → PartiallyFilled → Filled, with
/// PendingCancel → Cancelled, Rejected and Expired as the other ends, and PendingSubmit → SubmitUnknown when a send
/// timed out or failed ambiguously (left by the broker's answer for the same client id, like PendingSubmit). An illegal transition or a fill reported
/// twice (same fill id) is ignored with a reason, never double-counted. Pure: the OMS replays the same events.
/// </summary>
public sealed record OrderState(
    OrderRequest Request,
    OrderStatus Status,
    long FilledQuantity,
    decimal FilledValue,
    decimal Fees,
    string? BrokerOrderId,
    string? Rule,
    string? Reason,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    ImmutableHashSet<string> FillIds)
{
    public static OrderState Create(OrderCreated e) =>
        new(e.Request, OrderStatus.New, 0, 0m, 0m, null, null, null, e.At, e.At, ImmutableHashSet<string>.Empty);

    public static OrderState Adopt(OrderAdopted e) =>
        new(e.Request, OrderStatus.Submitted, 0, 0m, 0m, e.BrokerOrderId, null, "adopted from the broker's report", e.At, e.At, ImmutableHashSet<string>.Empty);

    /// <summary>The state an order's first event creates (<see cref="OrderCreated"/> or <see cref="OrderAdopted"/>), else null.</summary>
    public static OrderState? Start(OrderEvent e) => e switch
    {
        OrderCreated c => Create(c),
        OrderAdopted a => Adopt(a),
        _ => null,
    };

    /// <summary>
    /// What the broker said was filled when it ended the order (cancel or expiry); null before the end or when it did not
    /// say. A fill report may trail the end report (xtquant pushes order and trade rows separately): whoever re-sends
    /// the rest of a cancelled order (an execution algo) takes the larger of this and <see cref="FilledQuantity"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? ReportedFilledQuantity { get; init; }

    /// <summary>The filled quantity an ended order is known to have: the larger of the fills counted and the broker's word.</summary>
    public long FinalFilledQuantity => Math.Max(FilledQuantity, ReportedFilledQuantity ?? 0);

    public ClientOrderId Id => Request.Id;
    public long RemainingQuantity => Request.Quantity - FilledQuantity;
    public decimal AveragePrice => FilledQuantity > 0 ? FilledValue / FilledQuantity : 0m;

    public Transition Apply(OrderEvent e)
    {
        if (e.OrderId != Id) return Ignore($"event for {e.OrderId} sent to order {Id}");
        switch (e)
        {
            case OrderSent when Status == OrderStatus.New:
                return Ok(this with { Status = OrderStatus.PendingSubmit, UpdatedAt = e.At });
            case OrderSubmitUnknown u when Status == OrderStatus.PendingSubmit:
                return Ok(this with { Status = OrderStatus.SubmitUnknown, Reason = u.Reason, UpdatedAt = e.At });
            case OrderAcknowledged a when Status is OrderStatus.PendingSubmit or OrderStatus.SubmitUnknown:
                return Ok(this with { Status = OrderStatus.Submitted, BrokerOrderId = a.BrokerOrderId, UpdatedAt = e.At });
            case OrderAcknowledged when Status is OrderStatus.Submitted or OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.PendingCancel:
                return Ignore("duplicate acknowledgement");
            case OrderFillReported f:
                return ApplyFill(f);
            case OrderCancelRequested when Status is OrderStatus.Submitted or OrderStatus.PartiallyFilled or OrderStatus.PendingSubmit or OrderStatus.SubmitUnknown:
                return Ok(this with { Status = OrderStatus.PendingCancel, UpdatedAt = e.At, Reason = ((OrderCancelRequested)e).Reason });
            case OrderCancelReported c when Status.IsOpen():
                return Ok(this with { Status = OrderStatus.Cancelled, Reason = c.Reason, UpdatedAt = e.At, ReportedFilledQuantity = c.FilledQuantity });
            case OrderRejectReported r when Status is OrderStatus.New or OrderStatus.PendingSubmit or OrderStatus.SubmitUnknown or OrderStatus.Submitted or OrderStatus.PendingCancel && FilledQuantity == 0:
                return Ok(this with { Status = OrderStatus.Rejected, Rule = r.Rule, Reason = r.Reason, UpdatedAt = e.At });
            case OrderExpireReported x when Status.IsOpen():
                return Ok(this with { Status = OrderStatus.Expired, Reason = x.Reason, UpdatedAt = e.At, ReportedFilledQuantity = x.FilledQuantity });
            default:
                return Ignore($"{e.GetType().Name} is not allowed in state {Status}");
        }
    }

    private Transition ApplyFill(OrderFillReported f)
    {
        var fill = f.Fill;
        if (FillIds.Contains(fill.FillId)) return Ignore($"duplicate fill {fill.FillId}");
        if (Status is not (OrderStatus.Submitted or OrderStatus.PartiallyFilled or OrderStatus.PendingCancel or OrderStatus.PendingSubmit or OrderStatus.SubmitUnknown))
            return Ignore($"fill {fill.FillId} in state {Status}");
        if (fill.Quantity <= 0 || fill.Quantity > RemainingQuantity)
            return Ignore($"fill {fill.FillId} of {fill.Quantity} exceeds the remaining {RemainingQuantity}");
        if (fill.Symbol != Request.Symbol || fill.Side != Request.Side)
            return Ignore($"fill {fill.FillId} is for {fill.Side} {fill.Symbol}, not {Request.Side} {Request.Symbol}");
        long filled = FilledQuantity + fill.Quantity;
        var status = filled == Request.Quantity ? OrderStatus.Filled
            : Status == OrderStatus.PendingCancel ? OrderStatus.PendingCancel : OrderStatus.PartiallyFilled;
        return Ok(this with
        {
            Status = status,
            FilledQuantity = filled,
            FilledValue = FilledValue + fill.Amount,
            Fees = Fees + fill.Fees.Total,
            FillIds = FillIds.Add(fill.FillId),
            UpdatedAt = f.At,
        });
    }

    private static Transition Ok(OrderState s) => new(s, true, null);
    private Transition Ignore(string why) => new(this, false, why);

    /// <summary>
    /// The share of a buy's value held back for its fees on top of the value itself (commission, transfer fee, the
    /// exchanges' fees; 0.15 % covers them at any commission rate a retail account pays). The one value the planner,
    /// the OMS's frozen cash and the book's reservations share.
    /// </summary>
    public const decimal FeeAllowanceRate = 0.0015m;

    /// <summary>Cash an open buy still holds back: the unfilled part at its limit price plus the fee allowance.</summary>
    public decimal FrozenCash() =>
        Request.Side == Side.Buy && Status.IsOpen() ? Money.RoundFen(RemainingQuantity * Request.LimitPrice * (1 + FeeAllowanceRate)) : 0m;
}
