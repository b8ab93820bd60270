using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Domain.Orders;

/// <summary>
/// The client order id: unique per account for ever, chosen before the order is sent and persisted with the intent
/// (write ahead), so a replay after a crash recognises an order the broker already has. Format: strategy prefix,
/// trade date and a sequence, e.g. <c>mom-20240105-000017</c>.
/// </summary>
public readonly record struct ClientOrderId(string Value)
{
    public override string ToString() => Value;

    public static ClientOrderId Create(string prefix, DateOnly tradeDate, long sequence) =>
        new($"{prefix}-{tradeDate:yyyyMMdd}-{sequence:D6}");
}

public enum OrderType : byte
{
    /// <summary>Limit order at <see cref="OrderRequest.LimitPrice"/>.</summary>
    Limit = 1,
    /// <summary>Market order protected by a limit (the cage): fills at the market but not beyond <see cref="OrderRequest.LimitPrice"/>.</summary>
    ProtectedMarket = 2,
}

/// <summary>When during the day a simulated order may fill (daily bars; minute bars later).</summary>
public enum FillTiming : byte
{
    Open = 1,
    Close = 2,
    /// <summary>The bar's average price (amount / volume) as a VWAP proxy.</summary>
    Vwap = 3,
}

/// <summary>An order as the strategy, the risk guard and the OMS see it, before it reaches a broker.</summary>
public sealed record OrderRequest(
    ClientOrderId Id,
    Symbol Symbol,
    Side Side,
    long Quantity,
    decimal LimitPrice,
    OrderType Type,
    DateOnly TradeDate,
    string Strategy = "",
    string Reason = "")
{
    public decimal Notional => LimitPrice * Quantity;

    /// <summary>
    /// The parent order this one is a slice of (an execution algo's child), or null for an order sent whole. Not part
    /// of the terms a broker compares (<c>OrderTerms</c>); left out of the journal's JSON when null, so orders sent
    /// whole are written exactly as before.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ParentId { get; init; }
}

public enum OrderStatus : byte
{
    New,
    PendingSubmit,
    Submitted,
    PartiallyFilled,
    Filled,
    PendingCancel,
    Cancelled,
    Rejected,
    Expired,
    /// <summary>
    /// Sent, but the send timed out or failed without saying whether the broker took the order: resolved by asking
    /// the broker for this client id, never by a new id (appended last: stored values of the others do not move).
    /// </summary>
    SubmitUnknown,
}

public static class OrderStatuses
{
    public static bool IsTerminal(this OrderStatus s) => s is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected or OrderStatus.Expired;

    /// <summary>Still able to fill (counts against the active-order cap and freezes cash or shares).</summary>
    public static bool IsOpen(this OrderStatus s) => !s.IsTerminal() && s != OrderStatus.New;
}

/// <summary>One execution reported by a broker. <see cref="FillId"/> is unique per broker: a report seen twice is ignored.</summary>
public sealed record Fill(
    string FillId,
    ClientOrderId OrderId,
    Symbol Symbol,
    Side Side,
    long Quantity,
    decimal Price,
    DateOnly TradeDate,
    FeeBreakdown Fees)
{
    public decimal Amount => Price * Quantity;

    /// <summary>Cash effect: buys pay value + fees; sells receive value − fees.</summary>
    public decimal CashDelta => Side == Side.Buy ? -(Amount + Fees.Total) : Amount - Fees.Total;
}
