using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Brokers.Bridge;

/// <summary>
/// Contract types ↔ wire payloads. Reading is all-or-nothing: a payload that lacks a field or has a bad value throws
/// <see cref="BridgeProtocolException"/> before anything is applied.
/// </summary>
internal static class WireMapping
{
    public const string Accepted = "order_accepted", Rejected = "order_rejected", Filled = "order_filled",
        Cancelled = "order_cancelled", Expired = "order_expired";

    public static JsonElement ToPayload<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToElement(value, type);

    public static T FromPayload<T>(Frame frame, JsonTypeInfo<T> type) where T : class
    {
        if (frame.Payload is not { ValueKind: JsonValueKind.Object } payload)
            throw new BridgeProtocolException($"{frame.Kind} {frame.Op}: the payload is missing or not an object");
        try
        {
            return payload.Deserialize(type) ?? throw new BridgeProtocolException($"{frame.Kind} {frame.Op}: empty payload");
        }
        catch (JsonException e)
        {
            throw new BridgeProtocolException($"{frame.Kind} {frame.Op}: bad payload: {OneLine(e.Message)}");
        }
    }

    public static string OneLine(string text) => text.ReplaceLineEndings(" ");

    // ---- Orders ----

    public static PlaceOrderRequest ToWire(OrderRequest o, long epoch) => new(
        o.Id.Value, o.Symbol.ToString(), SideText(o.Side), o.Quantity, o.Type == OrderType.Limit ? "FIX" : "MARKET_PROTECTED",
        o.LimitPrice, o.TradeDate, o.Strategy, o.Reason, epoch);

    public static OrderRequest FromWire(PlaceOrderRequest p) => new(
        Id(p.ClientOrderId), ParseSymbol(p.StockCode), ParseSide(p.Side), p.Volume, p.Price,
        p.PriceType switch
        {
            "FIX" => OrderType.Limit,
            "MARKET_PROTECTED" => OrderType.ProtectedMarket,
            _ => throw new BridgeProtocolException($"unknown price_type '{p.PriceType}'"),
        },
        p.TradeDate, p.StrategyName ?? "", p.Reason ?? "");

    public static OrderDto ToWire(BrokerOrder o) => new(
        ToWire(o.Request, o.Epoch), o.BrokerOrderId, o.Status.ToString(), o.FilledQuantity, o.FilledValue, o.Fees, o.Reason,
        o.Fills.Select(ToWire).ToArray());

    public static BrokerOrder FromWire(OrderDto o, FeeSchedule fees)
    {
        var fills = Required(o.Fills, "fills").Select(f => FromWire(f, fees)).ToArray();
        return new BrokerOrder(
            FromWire(Required(o.Terms, "terms")), Required(o.OrderId, "order_id"), o.Terms.Epoch,
            Enum.TryParse<OrderStatus>(o.Status, out var s) && Enum.IsDefined(s) ? s : throw new BridgeProtocolException($"unknown order status '{o.Status}'"),
            o.FilledQuantity, o.FilledValue, o.Fees ?? fills.Sum(f => f.Fees.Total), o.Reason ?? "", fills);
    }

    public static FillDto ToWire(Fill f) => new(f.FillId, f.OrderId.Value, f.Symbol.ToString(), SideText(f.Side), f.Quantity, f.Price, f.TradeDate,
        new FeesDto(f.Fees.Commission, f.Fees.StampDuty, f.Fees.TransferFee, f.Fees.HandlingFee, f.Fees.RegulatoryFee));

    /// <summary>
    /// A fill; when the bridge sends no fees (xtquant's trades do not break them down) they are the account's
    /// <paramref name="schedule"/>'s, with the broker's own commission in place of the computed one when it is given.
    /// </summary>
    public static Fill FromWire(FillDto f, FeeSchedule schedule)
    {
        var side = ParseSide(f.Side);
        if (f.Quantity <= 0) throw new BridgeProtocolException($"fill {f.FillId}: quantity {f.Quantity} must be positive");
        if (f.Price <= 0m) throw new BridgeProtocolException($"fill {f.FillId}: price {f.Price} must be positive");
        FeeBreakdown breakdown;
        if (f.Fees is { } fees)
            breakdown = new FeeBreakdown(fees.Commission, fees.StampDuty, fees.TransferFee, fees.HandlingFee, fees.RegulatoryFee);
        else
        {
            breakdown = schedule.Compute(side, f.Price, f.Quantity, f.TradeDate);
            if (f.Commission is { } commission)
                breakdown = commission >= 0m ? breakdown with { Commission = commission }
                    : throw new BridgeProtocolException($"fill {f.FillId}: commission {commission} is negative");
        }
        return new Fill(Required(f.FillId, "fill_id"), Id(f.ClientOrderId), ParseSymbol(f.StockCode), side, f.Quantity, f.Price, f.TradeDate, breakdown);
    }

    // ---- Reports ----

    public static (string Op, ReportDto Payload) ToWire(BrokerReport r) => r switch
    {
        OrderAccepted a => (Accepted, new ReportDto(a.OrderId.Value, a.At, OrderId: a.BrokerOrderId)),
        OrderRejected j => (Rejected, new ReportDto(j.OrderId.Value, j.At, Reason: j.Reason)),
        OrderFilled f => (Filled, new ReportDto(f.OrderId.Value, f.At, Fill: ToWire(f.Fill), CumulativeQuantity: f.CumulativeQuantity, RemainingQuantity: f.RemainingQuantity)),
        OrderCancelled c => (Cancelled, new ReportDto(c.OrderId.Value, c.At, Reason: c.Reason, FilledQuantity: c.FilledQuantity)),
        OrderExpired e => (Expired, new ReportDto(e.OrderId.Value, e.At, Reason: e.Reason, FilledQuantity: e.FilledQuantity)),
        _ => throw new ArgumentException($"Unknown report {r.GetType().Name}", nameof(r)),
    };

    public static BrokerReport FromWire(string? op, ReportDto p, FeeSchedule fees)
    {
        var id = Id(p.ClientOrderId);
        return op switch
        {
            Accepted => new OrderAccepted(id, p.At, Required(p.OrderId, "order_id")),
            Rejected => new OrderRejected(id, p.At, Required(p.Reason, "reason")),
            Filled => new OrderFilled(id, p.At, FromWire(Required(p.Fill, "fill"), fees), Required(p.CumulativeQuantity, "cumulative_quantity"),
                Required(p.RemainingQuantity, "remaining_quantity")),
            Cancelled => new OrderCancelled(id, p.At, Required(p.FilledQuantity, "filled_quantity"), p.Reason ?? ""),
            Expired => new OrderExpired(id, p.At, Required(p.FilledQuantity, "filled_quantity"), p.Reason ?? ""),
            _ => throw new BridgeProtocolException($"unknown event op '{op}'"),
        };
    }

    // ---- Account ----

    public static AssetResponse ToWire(BrokerAccount a) =>
        new(a.Cash, a.FrozenCash, a.Positions.Select(p => new PositionDto(p.Symbol.ToString(), p.Quantity, p.Sellable, p.Frozen)).ToArray());

    public static BrokerAccount FromWire(AssetResponse a) =>
        new(a.Cash, a.FrozenCash, Required(a.Positions, "positions").Select(p => new BrokerPosition(ParseSymbol(p.StockCode), p.Volume, p.Sellable, p.Frozen)).ToArray());

    // ---- Plumbing ----

    private static string SideText(Side s) => s == Side.Buy ? "BUY" : "SELL";

    private static Side ParseSide(string? s) => s switch
    {
        "BUY" => Side.Buy,
        "SELL" => Side.Sell,
        _ => throw new BridgeProtocolException($"unknown side '{s}'"),
    };

    private static ClientOrderId Id(string? s) =>
        string.IsNullOrWhiteSpace(s) ? throw new BridgeProtocolException("client_order_id is missing") : new ClientOrderId(s);

    private static Symbol ParseSymbol(string? s)
    {
        try { return Symbol.Parse(Required(s, "stock_code")); }
        catch (FormatException e) { throw new BridgeProtocolException(OneLine(e.Message)); }
    }

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new BridgeProtocolException($"{field} is missing");

    private static T Required<T>(T? value, string field) where T : struct =>
        value ?? throw new BridgeProtocolException($"{field} is missing");
}

/// <summary>A line the wire cannot take: malformed JSON, a truncated line, a missing field. The link is reset.</summary>
public sealed class BridgeProtocolException(string message) : IOException(message);

/// <summary>The bridge answered a request with an error the contract has no exception for.</summary>
public sealed class BridgeRequestException(string code, string message) : IOException($"{code}: {message}")
{
    public string Code { get; } = code;
}
