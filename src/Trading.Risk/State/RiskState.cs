namespace Trading.Risk;

/// <summary>An order the risk guard let through, with the time it did.</summary>
public sealed record ApprovedOrder(OrderRequest Order, DateTime At)
{
    public ClientOrderId Id => Order.Id;
}

/// <summary>A cancel requested today.</summary>
public sealed record CancelRecord(ClientOrderId OrderId, Symbol Symbol, DateTime At);

/// <summary>Why and when the kill switch was engaged.</summary>
public sealed record KillSwitchState(string Reason, DateTime At);

/// <summary>
/// The risk guard's memory, as an immutable value changed only by <see cref="Apply"/>. The day's approved orders
/// and cancels are kept as lists and every counter is derived from them, so there is one source of truth and the
/// state serialises as plain records and lists (no dictionary keyed by a struct). A day holds a few hundred
/// orders at most, so the derived counts cost nothing that matters.
/// </summary>
/// <param name="TradingDay">The day the counters belong to (set by <see cref="DayStarted"/>).</param>
/// <param name="OrdersToday">Orders approved today, in order, with their time (counts, amount, duplicates).</param>
/// <param name="CancelsToday">Cancels requested today.</param>
/// <param name="RejectionsToday">Orders refused today.</param>
/// <param name="ActiveOrders">Approved orders not yet finished (whatever day they were approved).</param>
/// <param name="KillSwitch">Set while the kill switch is engaged.</param>
public sealed record RiskState(
    DateOnly TradingDay,
    ImmutableList<ApprovedOrder> OrdersToday,
    ImmutableList<CancelRecord> CancelsToday,
    int RejectionsToday,
    ImmutableList<ApprovedOrder> ActiveOrders,
    KillSwitchState? KillSwitch)
{
    public static RiskState Empty { get; } =
        new(default, ImmutableList<ApprovedOrder>.Empty, ImmutableList<CancelRecord>.Empty, 0, ImmutableList<ApprovedOrder>.Empty, null);

    /// <summary>A state after replaying <paramref name="events"/> from <see cref="Empty"/>, as recovery does.</summary>
    public static RiskState Replay(IEnumerable<RiskEvent> events) => events.Aggregate(Empty, (s, e) => s.Apply(e));

    public bool KillSwitchEngaged => KillSwitch is not null;

    /// <summary>
    /// Set while new orders are halted because reconciliation found what no report explains (a manual trade, a position
    /// or cash that does not add up), until an operator acknowledges it. Unlike the kill switch it cancels nothing.
    /// </summary>
    public KillSwitchState? ReconcileHalt { get; init; }

    public int OrderCount => OrdersToday.Count;

    // Derived indexes, built on first use and carried forward incrementally by Apply (a record's `with` copies
    // them), so a rule's lookup is O(1)/O(log n) instead of a scan of the day's orders: a 5,000-order rebalance
    // is judged in linear time. They are not part of the state's identity or its serialised form.
    private decimal? _submitted;
    private ImmutableDictionary<Symbol, int>? _perSymbol;
    private ImmutableHashSet<ClientOrderId>? _active;

    /// <summary>Value (price × quantity, both sides) of today's approved orders.</summary>
    public decimal SubmittedAmount => _submitted ??= OrdersToday.Sum(o => o.Order.Notional);

    public int OrderCountOf(Symbol symbol) =>
        (_perSymbol ??= OrdersToday.GroupBy(o => o.Order.Symbol).ToImmutableDictionary(g => g.Key, g => g.Count())).GetValueOrDefault(symbol);

    public int CancelCount => CancelsToday.Count;

    public int CancelCountOf(Symbol symbol) => CancelsToday.Count(c => c.Symbol == symbol);

    public bool IsActive(ClientOrderId id) => (_active ??= ActiveOrders.Select(o => o.Id).ToImmutableHashSet()).Contains(id);

    private RiskState Approve(OrderApproved a)
    {
        bool active = IsActive(a.Order.Id);
        var next = this with
        {
            OrdersToday = OrdersToday.Add(new ApprovedOrder(a.Order, a.At)),
            ActiveOrders = active ? ActiveOrders : ActiveOrders.Add(new ApprovedOrder(a.Order, a.At)),
        };
        next._submitted = SubmittedAmount + a.Order.Notional;
        var perSymbol = _perSymbol ??= OrdersToday.GroupBy(o => o.Order.Symbol).ToImmutableDictionary(g => g.Key, g => g.Count());
        next._perSymbol = perSymbol.SetItem(a.Order.Symbol, perSymbol.GetValueOrDefault(a.Order.Symbol) + 1);
        next._active = active ? _active : _active!.Add(a.Order.Id);
        return next;
    }

    private RiskState Finish(OrderFinished f)
    {
        if (!IsActive(f.OrderId)) return this;
        // A scan without allocation, then one O(log n) removal (RemoveAll would rebuild the whole list per order).
        var next = this with { ActiveOrders = ActiveOrders.RemoveAt(ActiveOrders.FindIndex(o => o.Id == f.OrderId)) };
        next._active = _active!.Remove(f.OrderId);
        return next;
    }

    public RiskState Apply(RiskEvent e) => e switch
    {
        OrderApproved a => Approve(a),
        OrderRejectedByRisk => this with { RejectionsToday = RejectionsToday + 1 },
        OrderCancelled c => this with { CancelsToday = CancelsToday.Add(new CancelRecord(c.OrderId, c.Symbol, c.At)) },
        OrderFinished f => Finish(f),
        // A-share orders are day orders: what was still active from an earlier day has expired at the exchange.
        DayStarted d => new RiskState(d.Date, ImmutableList<ApprovedOrder>.Empty, ImmutableList<CancelRecord>.Empty, 0,
            ActiveOrders.RemoveAll(o => o.Order.TradeDate < d.Date), KillSwitch) { ReconcileHalt = ReconcileHalt },
        KillSwitchEngaged k => this with { KillSwitch = new KillSwitchState(k.Reason, k.At) },
        KillSwitchReleased => this with { KillSwitch = null },
        ReconciliationHalted h => this with { ReconcileHalt = new KillSwitchState(h.Reason, h.At) },
        ReconciliationAcknowledged => this with { ReconcileHalt = null },
        _ => throw new ArgumentException($"Unknown risk event {e.GetType().Name}.", nameof(e)),
    };

    // Immutable collections compare by reference; two replays of one journal must compare equal.
    public bool Equals(RiskState? other) =>
        other is not null
        && TradingDay == other.TradingDay
        && RejectionsToday == other.RejectionsToday
        && Equals(KillSwitch, other.KillSwitch)
        && Equals(ReconcileHalt, other.ReconcileHalt)
        && OrdersToday.SequenceEqual(other.OrdersToday)
        && CancelsToday.SequenceEqual(other.CancelsToday)
        && ActiveOrders.SequenceEqual(other.ActiveOrders);

    public override int GetHashCode() => HashCode.Combine(TradingDay, RejectionsToday, KillSwitch, OrdersToday.Count, CancelsToday.Count, ActiveOrders.Count);
}
