using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Brokers.Bridge;

/// <summary>
/// One line of the bridge wire, the envelope of BROKER_BRIDGES §2.1: <c>kind</c> is req | resp | evt | hb; <c>id</c>
/// pairs a resp with its req; <c>epoch</c>/<c>seq</c> number evt (and say where the stream is on hb); <c>ok</c>/<c>err</c>
/// answer a req. Field names are snake_case, decimals are JSON strings.
/// </summary>
public sealed record Frame
{
    public const int Version = 1;

    public int V { get; init; } = Version;
    public string Kind { get; init; } = "";
    public string? Id { get; init; }
    public string? Op { get; init; }
    public DateTimeOffset Ts { get; init; }
    public string? Epoch { get; init; }
    public long? Seq { get; init; }
    public bool? Ok { get; init; }
    public FrameError? Err { get; init; }
    public JsonElement? Payload { get; init; }
}

/// <param name="Fence">with <c>fenced_out</c>: the fence in force, so the client need not parse <paramref name="Msg"/></param>
public sealed record FrameError(string Code, string Msg, long? Fence = null);

/// <summary>The kinds and the error codes of the wire.</summary>
public static class Wire
{
    public const string Request = "req", Response = "resp", Event = "evt", Heartbeat = "hb";

    public const string Hello = "hello", PlaceOrder = "place_order", CancelOrder = "cancel_order", QueryOrders = "query_orders",
        QueryAsset = "query_asset", Replay = "replay", Ping = "ping", Connection = "connection",
        // A brain announces its epoch before it sends (IBrokerGateway.FenceAsync): {epoch} → {fence}.
        Fence = "fence";

    /// <summary>Error codes: the client maps them back to the contract's exceptions.</summary>
    public const string Conflict = "conflict", UnknownOrder = "unknown_order", NotConnected = "not_connected",
        BadRequest = "bad_request", Failed = "failed",
        // The xtquant bridge's: a new order below the highest epoch seen; an outcome the bridge cannot know yet
        // (xtquant did not answer in time: the order may be live, resolved by a look-up, never by a new id).
        StaleEpoch = "stale_epoch", Unknown = "unknown",
        // A fence op whose epoch is below the fence already raised; the message says "epoch E is below fence H".
        FencedOut = "fenced_out";
}

// ---- Payloads ----

public sealed record ResumeCursor(string Epoch, long Seq);

public sealed record HelloRequest(string Client, string Account, ResumeCursor? Resume);

/// <param name="Replay">ok: the events after the resume cursor follow this answer; gap: they are lost (reconcile); none: no cursor was given.</param>
public sealed record HelloResponse(string BridgeVersion, string Account, string Epoch, long LastSeq, string Replay);

public sealed record PlaceOrderRequest(
    string ClientOrderId, string StockCode, string Side, long Volume, string PriceType, decimal Price, DateOnly TradeDate,
    string StrategyName, string Reason, long Epoch);

/// <param name="Status">accepted | duplicate (the id was already placed with these terms: nothing new was sent)</param>
public sealed record PlaceOrderResponse(string ClientOrderId, string Status, string? OrderId);

public sealed record CancelOrderRequest(string ClientOrderId);

public sealed record CancelOrderResponse(string Status);

public sealed record FenceRequest(long Epoch);

/// <param name="Fence">the fence now in force (the announced epoch when it was accepted)</param>
public sealed record FenceResponse(long Fence);

public sealed record ReplayRequest(string Epoch, long FromSeq);

public sealed record ReplayResponse(IReadOnlyList<Frame> Events, bool Gap);

public sealed record FeesDto(decimal Commission, decimal StampDuty, decimal TransferFee, decimal HandlingFee, decimal RegulatoryFee);

/// <param name="Fees">the fees broken down (the simulator's bridge), or null: the gateway computes them from the account's
/// fee schedule (the xtquant bridge, whose trades carry at most <paramref name="Commission"/>)</param>
public sealed record FillDto(string FillId, string ClientOrderId, string StockCode, string Side, long Quantity, decimal Price, DateOnly TradeDate,
    FeesDto? Fees, decimal? Commission = null);

/// <summary>A report; which fields are set depends on the evt op (order_accepted, order_rejected, order_filled, order_cancelled, order_expired).</summary>
public sealed record ReportDto(
    string ClientOrderId, DateTime At, string? OrderId = null, string? Reason = null, FillDto? Fill = null,
    long? CumulativeQuantity = null, long? RemainingQuantity = null, long? FilledQuantity = null);

public sealed record ConnectionDto(string State, string Reason);

public sealed record OrderDto(
    PlaceOrderRequest Terms, string OrderId, string Status, long FilledQuantity, decimal FilledValue, decimal? Fees, string Reason,
    IReadOnlyList<FillDto> Fills);

public sealed record QueryOrdersResponse(long AsOfSeq, IReadOnlyList<OrderDto> Orders);

public sealed record PositionDto(string StockCode, long Volume, long Sellable, long Frozen);

public sealed record AssetResponse(decimal Cash, decimal FrozenCash, IReadOnlyList<PositionDto> Positions);

public sealed record Empty;

/// <summary>Decimals as JSON strings (<c>"10.25"</c>), so no side rounds them through a double; numbers are read too.</summary>
public sealed class DecimalAsStringConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
            JsonTokenType.Number => reader.GetDecimal(),
            _ => throw new JsonException($"expected a decimal string, got {reader.TokenType}"),
        };

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(DecimalAsStringConverter)])]
[JsonSerializable(typeof(Frame))]
[JsonSerializable(typeof(HelloRequest))]
[JsonSerializable(typeof(HelloResponse))]
[JsonSerializable(typeof(PlaceOrderRequest))]
[JsonSerializable(typeof(PlaceOrderResponse))]
[JsonSerializable(typeof(CancelOrderRequest))]
[JsonSerializable(typeof(CancelOrderResponse))]
[JsonSerializable(typeof(FenceRequest))]
[JsonSerializable(typeof(FenceResponse))]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(ReplayResponse))]
[JsonSerializable(typeof(ReportDto))]
[JsonSerializable(typeof(ConnectionDto))]
[JsonSerializable(typeof(QueryOrdersResponse))]
[JsonSerializable(typeof(AssetResponse))]
[JsonSerializable(typeof(Empty))]
internal sealed partial class BridgeJson : JsonSerializerContext;
