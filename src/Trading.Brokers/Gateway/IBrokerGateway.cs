using Trading.Domain.Instruments;
using Trading.Domain.Orders;

namespace Trading.Brokers;

/// <summary>
/// A broker account as the runtime's BrokerSessionActor drives it: the simulated exchange in backtests, a miniQMT
/// bridge or a PTrade hand-off live. Every acknowledgement comes back as a <see cref="BrokerReport"/> through
/// <see cref="Report"/>; the queries are for reconciliation after a restart or a reconnect.
/// </summary>
public interface IBrokerGateway
{
    string Name { get; }

    /// <summary>Pushed reports, in the order they happened. Reports produced while disconnected are lost, as live pushes are: query to catch up.</summary>
    event Action<BrokerReport>? Report;

    Task ConnectAsync(CancellationToken ct);

    Task DisconnectAsync(CancellationToken ct);

    bool IsConnected { get; }

    /// <summary>
    /// Sends an order; the outcome arrives as <see cref="OrderAccepted"/> or <see cref="OrderRejected"/>. Idempotent by
    /// <see cref="OrderRequest.Id"/>: a client order id the broker already has never creates a second order, its
    /// reports are sent again (this makes write-ahead and replay safe). The same id with different terms fails with
    /// <see cref="ClientOrderIdConflictException"/>. <paramref name="epoch"/> fences a stale primary: a new order
    /// whose epoch is below the highest the gateway has seen is rejected.
    /// </summary>
    Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct);

    /// <summary>
    /// Asks to cancel; the outcome arrives as <see cref="OrderCancelled"/>. Cancelling an order that has already ended
    /// sends its final report again. An id the broker does not know fails with <see cref="KeyNotFoundException"/>.
    /// </summary>
    Task CancelAsync(ClientOrderId id, CancellationToken ct);

    /// <summary>Cash, frozen cash and positions (quantity, T+1 sellable, frozen by open sells), for reconciliation.</summary>
    Task<BrokerAccount> QueryAccountAsync(CancellationToken ct);

    /// <summary>Every order of the trading day (rejected ones included) and any older order still open, with status and fills.</summary>
    Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct);
}

/// <summary>Thrown when a client order id is submitted again with different terms (bridge status <c>conflict</c>).</summary>
public sealed class ClientOrderIdConflictException(ClientOrderId id, string detail)
    : InvalidOperationException($"Client order id {id} is already used by a different order: {detail}.")
{
    public ClientOrderId OrderId { get; } = id;
}

/// <summary>
/// A broker account. <see cref="Cash"/> is the whole balance, <see cref="FrozenCash"/> the part held back for open
/// buys (xtquant's <c>XtAsset.cash</c> is the available part, <see cref="AvailableCash"/>).
/// </summary>
public sealed record BrokerAccount(decimal Cash, decimal FrozenCash, IReadOnlyList<BrokerPosition> Positions)
{
    public decimal AvailableCash => Cash - FrozenCash;

    public BrokerPosition? PositionOf(Symbol symbol) =>
        Positions.FirstOrDefault(p => p.Symbol == symbol);
}

/// <summary>
/// Shares of one stock: <see cref="Quantity"/> held, <see cref="Sellable"/> under T+1, <see cref="Frozen"/> committed to
/// open sell orders. <see cref="Available"/> is what a new sell may use (xtquant <c>can_use_volume</c>).
/// </summary>
public sealed record BrokerPosition(Symbol Symbol, long Quantity, long Sellable, long Frozen)
{
    public long Available => Sellable - Frozen;
}

/// <summary>An order as the broker knows it: its terms, status, what filled (with every fill) and why it ended.</summary>
public sealed record BrokerOrder(
    OrderRequest Request,
    string BrokerOrderId,
    long Epoch,
    OrderStatus Status,
    long FilledQuantity,
    decimal FilledValue,
    decimal Fees,
    string Reason,
    IReadOnlyList<Fill> Fills)
{
    public ClientOrderId Id => Request.Id;

    /// <summary>Shares still able to fill (0 once the order has ended).</summary>
    public long RemainingQuantity => Status.IsOpen() ? Request.Quantity - FilledQuantity : 0;

    public decimal AveragePrice => FilledQuantity > 0 ? FilledValue / FilledQuantity : 0m;
}
