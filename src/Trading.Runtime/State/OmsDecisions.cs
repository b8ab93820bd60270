using Trading.Brokers;
using Trading.Domain.Orders;

namespace Trading.Runtime.State;

/// <summary>What the OMS is to do with a broker report: journal an event, ignore it (and why), or ask the broker about an unknown order.</summary>
public abstract record ReportDecision
{
    public sealed record Journal(OrderEvent Event) : ReportDecision;
    public sealed record Ignore(string Why) : ReportDecision;
    /// <summary>An order this OMS does not know: ask the broker for it (to adopt it). <see cref="First"/>: not already asked.</summary>
    public sealed record LookUp(ClientOrderId OrderId, bool First) : ReportDecision;
}

/// <summary>The OMS's outbox at a (re)connect: sends, cancels and look-ups, in the order to issue them.</summary>
public sealed record Outbox(IReadOnlyList<OrderRequest> Submits, IReadOnlyList<ClientOrderId> Cancels, IReadOnlyList<ClientOrderId> LookUps)
{
    public int Count => Submits.Count + Cancels.Count + LookUps.Count;
}

/// <summary>
/// The OMS's decisions, as a pure state machine with no actor, journal or clock in it: given the orders it has decided
/// (each order's state after every event it chose to journal) and an input — a batch to submit, a broker report, a
/// timeout, a look-up answer, a cancel, a reconnect — it says which events to journal and what to send. The
/// <see cref="Actors.OrderManagerActor"/> persists those events (write ahead) and carries out the sends; recovery
/// rebuilds this from the journal (<see cref="Recovered"/>). Rules:
/// <list type="bullet">
/// <item>a client id is submitted once: a batch's orders already known are reported, never sent again;</item>
/// <item>a report that changes nothing (a fill id already counted, a second acknowledgement, anything after the end)
/// is recognised here, before anything is journaled;</item>
/// <item>a report for an unknown order is never dropped: the broker is asked for it, and its answer adopts it;</item>
/// <item>a send that timed out is <see cref="OrderStatus.SubmitUnknown"/>, resolved by a look-up: found → the
/// broker's view; not found → sent again under the same id, at once the first time and then after a doubling wait
/// (<see cref="ResendDelay"/>, capped at <see cref="MaxResendDelay"/>) for as long as it stays unknown; never a new id;</item>
/// <item>the outbox (orders written ahead and not acknowledged, cancels not answered, unknown outcomes) is re-issued
/// under the same ids after recovery and on every reconnect.</item>
/// </list>
/// </summary>
public sealed class OmsDecisions
{
    /// <summary>Sends of one unknown order (since the last connect) after which it is reported as stuck.</summary>
    public const int StuckAfterResends = 3;

    /// <summary>The longest wait between two sends of an order whose outcome stays unknown.</summary>
    public static readonly TimeSpan MaxResendDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to wait before the send number <paramref name="tries"/> + 1 of an order the broker does not have: none
    /// for the first (the usual case: the first send never arrived), then 1 s, 2 s, 4 s … up to
    /// <see cref="MaxResendDelay"/>. A broker that answers "unknown" to a send it saw a moment ago (a bridge whose
    /// first send to xtquant has not answered yet) is asked again later instead of three times at once and then never.
    /// </summary>
    public static TimeSpan ResendDelay(int tries) => tries <= 0
        ? TimeSpan.Zero
        : TimeSpan.FromSeconds(Math.Min(MaxResendDelay.TotalSeconds, Math.Pow(2, Math.Min(tries - 1, 16))));

    private readonly Dictionary<ClientOrderId, OrderState> _decided = [];
    private readonly Dictionary<ClientOrderId, int> _unknownResends = [];
    private readonly HashSet<ClientOrderId> _lookingUp = [];

    /// <summary>Every order as decided (including events not yet written).</summary>
    public IReadOnlyDictionary<ClientOrderId, OrderState> Orders => _decided;

    /// <summary>Starts from the orders the journal holds (after a recovery).</summary>
    public void Recovered(IEnumerable<OrderState> orders)
    {
        _decided.Clear();
        foreach (var o in orders) _decided[o.Id] = o;
    }

    public void Forget(ClientOrderId id) => _decided.Remove(id);

    /// <summary>
    /// A risk-approved batch: for each order not known yet, its intent (<see cref="OrderCreated"/>) and its send
    /// (<see cref="OrderSent"/>), to journal before sending; <paramref name="known"/> lists the ones refused as already known.
    /// </summary>
    public IReadOnlyList<OrderEvent> Submit(IEnumerable<OrderRequest> orders, DateTime at, out IReadOnlyList<ClientOrderId> known)
    {
        var events = new List<OrderEvent>();
        var dup = new List<ClientOrderId>();
        foreach (var o in orders)
        {
            if (_decided.ContainsKey(o.Id))
            {
                dup.Add(o.Id);
                continue;
            }
            var created = new OrderCreated(o.Id, at, o);
            var sent = new OrderSent(o.Id, at);
            _decided[o.Id] = OrderState.Create(created).Apply(sent).State;
            events.Add(created);
            events.Add(sent);
        }
        known = dup;
        return events;
    }

    /// <summary>The event a broker report means, decided against the order's state.</summary>
    public ReportDecision Report(BrokerReport r)
    {
        OrderEvent? e = r switch
        {
            OrderAccepted a => new OrderAcknowledged(a.OrderId, a.At, a.BrokerOrderId),
            OrderRejected x => new OrderRejectReported(x.OrderId, x.At, "broker", x.Reason),
            OrderFilled f => new OrderFillReported(f.OrderId, f.At, f.Fill),
            OrderCancelled c => new OrderCancelReported(c.OrderId, c.At, c.Reason, c.FilledQuantity),
            OrderExpired x => new OrderExpireReported(x.OrderId, x.At, x.Reason, x.FilledQuantity),
            _ => null,
        };
        if (e is null) return new ReportDecision.Ignore($"{r.GetType().Name} is not an order report");
        if (!_decided.TryGetValue(r.OrderId, out var decided))
            return new ReportDecision.LookUp(r.OrderId, _lookingUp.Add(r.OrderId));
        var t = decided.Apply(e);
        if (!t.Applied) return new ReportDecision.Ignore(t.Ignored ?? "no change");
        _decided[r.OrderId] = t.State;
        return new ReportDecision.Journal(e);
    }

    /// <summary>
    /// A send that timed out or failed ambiguously: the event to journal (the order becomes SubmitUnknown), or null;
    /// <paramref name="lookUp"/> says whether to ask the broker now (an order already unknown is asked again).
    /// </summary>
    public OrderSubmitUnknown? SubmitUnknown(ClientOrderId id, string reason, DateTime at, out bool lookUp)
    {
        lookUp = false;
        if (!_decided.TryGetValue(id, out var s)) return null;
        if (s.Status == OrderStatus.SubmitUnknown)
        {
            lookUp = true;
            return null;
        }
        if (s.Status != OrderStatus.PendingSubmit) return null; // answered meanwhile: nothing is unknown
        var unknown = new OrderSubmitUnknown(id, at, reason);
        _decided[id] = s.Apply(unknown).State;
        return unknown;
    }

    /// <summary>The broker's view of an order: an order this OMS does not know is adopted (the event to journal); null otherwise.</summary>
    public OrderAdopted? Found(BrokerOrder o, DateTime at)
    {
        _lookingUp.Remove(o.Id);
        if (_decided.ContainsKey(o.Id)) return null;
        var adopted = new OrderAdopted(o.Id, at, o.Request, o.BrokerOrderId);
        _decided[o.Id] = OrderState.Adopt(adopted);
        return adopted;
    }

    /// <summary>
    /// The broker does not have the order: for a SubmitUnknown order, the request to send again under the same id,
    /// after <see cref="ResendDelay"/>(<paramref name="tries"/>) (<paramref name="tries"/>: the sends made since the
    /// last connect before this one); null when the order is not (or no longer) unknown.
    /// </summary>
    public OrderRequest? NotFound(ClientOrderId id, out int tries)
    {
        _lookingUp.Remove(id);
        tries = _unknownResends.GetValueOrDefault(id);
        if (!_decided.TryGetValue(id, out var s) || s.Status != OrderStatus.SubmitUnknown) return null;
        _unknownResends[id] = tries + 1;
        return s.Request;
    }

    /// <summary>A delayed resend that is due: the request when the order is still unknown, else null (settled meanwhile).</summary>
    public OrderRequest? ResendDue(ClientOrderId id) =>
        _decided.TryGetValue(id, out var s) && s.Status == OrderStatus.SubmitUnknown ? s.Request : null;

    /// <summary>A cancel to journal and send, or null (unknown, ended, or already being cancelled).</summary>
    public OrderCancelRequested? Cancel(ClientOrderId id, string reason, DateTime at)
    {
        if (!_decided.TryGetValue(id, out var s) || !s.Status.IsOpen() || s.Status == OrderStatus.PendingCancel) return null;
        var request = new OrderCancelRequested(id, at, reason);
        var t = s.Apply(request);
        if (!t.Applied) return null;
        _decided[id] = t.State;
        return request;
    }

    /// <summary>Every open order's id.</summary>
    public IReadOnlyList<ClientOrderId> Open() => _decided.Values.Where(o => o.Status.IsOpen()).Select(o => o.Id).ToList();

    /// <summary>
    /// What to issue again after a recovery or a (re)connect, oldest first: every order written ahead and not
    /// acknowledged (sent again under its own id), every cancel not answered, and a look-up of every unknown outcome
    /// (whose resend count starts over).
    /// </summary>
    public Outbox TakeOutbox()
    {
        var open = _decided.Values.Where(o => o.Status is OrderStatus.PendingSubmit or OrderStatus.PendingCancel or OrderStatus.SubmitUnknown)
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id.Value, StringComparer.Ordinal).ToList();
        var lookUps = open.Where(o => o.Status == OrderStatus.SubmitUnknown).Select(o => o.Id).ToList();
        foreach (var id in lookUps) _unknownResends.Remove(id);
        return new Outbox(
            open.Where(o => o.Status == OrderStatus.PendingSubmit).Select(o => o.Request).ToList(),
            open.Where(o => o.Status == OrderStatus.PendingCancel).Select(o => o.Id).ToList(),
            lookUps);
    }
}
