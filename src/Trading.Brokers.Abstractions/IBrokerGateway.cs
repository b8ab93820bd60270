using Trading.Domain.Instruments;
using Trading.Domain.Orders;

namespace Trading.Brokers;

/// <summary>
/// A broker account as the runtime's BrokerSessionActor drives it: the simulated exchange in backtests, a miniQMT
/// bridge (Trading.Brokers.Bridge) or a PTrade hand-off live. Event-driven: everything the broker pushes — reports and
/// changes of the link — reaches the listeners given to <see cref="Listen"/> as <see cref="GatewayEvent"/>s; the calls
/// only say whether the broker took the request. The queries are for reconciliation after a restart or a reconnect.
/// <para>
/// <b>Sequence.</b> Every report is a <see cref="SequencedReport"/> numbered gap-free within an epoch (BROKER_BRIDGES
/// §2.1). A new epoch starts whenever the broker side restarts or rebuilds its session; a receiver that sees a seq
/// jump asks <see cref="ReplayAsync"/> from the first missing seq, and one that sees a new epoch (or a replay that
/// answers <see cref="ReplayResult.Gap"/>) reconciles in full with <see cref="QueryOrdersAsync"/>.
/// </para>
/// <para>
/// <b>Order of writes.</b> Submits and cancels reach the broker in the order the calls were <i>made</i>, not the order
/// they complete: the gateway serialises its writes (a single writer), so a caller may start the next call without
/// awaiting the previous one. Listeners are called one event at a time, in seq order, never concurrently.
/// </para>
/// </summary>
public interface IBrokerGateway
{
    string Name { get; }

    /// <summary>
    /// Adds a listener for pushed events; disposing the result removes it. Listeners must not block (tell an actor).
    /// Events produced while disconnected are not pushed: <see cref="ReplayAsync"/> or the queries catch up.
    /// </summary>
    IDisposable Listen(Action<GatewayEvent> listener);

    /// <summary>
    /// Connects; the session says where the pushed stream continues (events after <see cref="GatewaySession.LastSeq"/>
    /// of <see cref="GatewaySession.Epoch"/> will be pushed). Listeners also get <see cref="ConnectionChanged"/>.
    /// </summary>
    Task<GatewaySession> ConnectAsync(CancellationToken ct);

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
    /// Announces a brain's epoch before it sends anything (CLUSTER_FAILOVER "fence"): the broker side raises its fence to
    /// <paramref name="epoch"/> — durably where it keeps a journal — and answers the fence now in force, so an older
    /// brain that wakes from a pause is refused at once, not only after the new one's first order. An epoch below the
    /// fence fails with <see cref="FencedOutException"/>; the caller must then send nothing more.
    /// </summary>
    Task<long> FenceAsync(long epoch, CancellationToken ct);

    /// <summary>
    /// Asks to cancel; the outcome arrives as <see cref="OrderCancelled"/>. Cancelling an order that has already ended
    /// sends its final report again. An id the broker does not know fails with <see cref="KeyNotFoundException"/>.
    /// </summary>
    Task CancelAsync(ClientOrderId id, CancellationToken ct);

    /// <summary>Cash, frozen cash and positions (quantity, T+1 sellable, frozen by open sells), for reconciliation.</summary>
    Task<BrokerAccount> QueryAccountAsync(CancellationToken ct);

    /// <summary>Every order of the trading day (rejected ones included) and any older order still open, with status and fills.</summary>
    Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct);

    /// <summary>
    /// The reports of <paramref name="epoch"/> from <paramref name="fromSeq"/> on, in order; <see cref="ReplayResult.Gap"/>
    /// when they are no longer all kept (or the epoch is not the current one): then reconcile with the queries.
    /// </summary>
    Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct);
}

/// <summary>
/// What differs between two requests under one client order id, or null when their terms agree. Labels (strategy,
/// reason) are not terms: a replay after a crash may carry other labels.
/// </summary>
public static class OrderTerms
{
    public static string? Conflict(OrderRequest had, OrderRequest got)
    {
        var diffs = new List<string>();
        if (had.Symbol != got.Symbol) diffs.Add($"symbol {had.Symbol} vs {got.Symbol}");
        if (had.Side != got.Side) diffs.Add($"side {had.Side} vs {got.Side}");
        if (had.Quantity != got.Quantity) diffs.Add($"quantity {had.Quantity} vs {got.Quantity}");
        if (had.LimitPrice != got.LimitPrice) diffs.Add($"price {had.LimitPrice} vs {got.LimitPrice}");
        if (had.Type != got.Type) diffs.Add($"type {had.Type} vs {got.Type}");
        if (had.TradeDate != got.TradeDate) diffs.Add($"trade date {had.TradeDate:yyyy-MM-dd} vs {got.TradeDate:yyyy-MM-dd}");
        return diffs.Count == 0 ? null : string.Join(", ", diffs);
    }
}

/// <summary>
/// Thrown when a new order carries an epoch below the highest the broker side has seen (bridge error
/// <c>stale_epoch</c>): a stale primary is fenced; the order is rejected, never retried.
/// </summary>
public sealed class StaleEpochException(ClientOrderId id, string detail)
    : InvalidOperationException($"Order {id} refused: {detail}")
{
    public ClientOrderId OrderId { get; } = id;
}

/// <summary>
/// Thrown by <see cref="IBrokerGateway.FenceAsync"/> (bridge error <c>fenced_out</c>) when <see cref="Epoch"/> is below
/// the fence <see cref="Highest"/> already raised: a newer brain owns the account; this one must not send again.
/// </summary>
public sealed class FencedOutException(long epoch, long highest)
    : InvalidOperationException($"Epoch {epoch} is fenced out: the broker side has already seen epoch {highest} (a newer brain trades this account).")
{
    public long Epoch { get; } = epoch;
    public long Highest { get; } = highest;
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

    /// <summary>The prefix of the client order id a bridge gives an order no client of this system placed (typed into the broker's client).</summary>
    public const string ForeignPrefix = "manual-";

    /// <summary>Placed outside this system: a bridge names such orders <c>manual-&lt;broker order id&gt;</c>.</summary>
    public bool IsForeign => Request.Id.Value.StartsWith(ForeignPrefix, StringComparison.Ordinal);
}
