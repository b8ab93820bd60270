namespace Trading.Risk;

/// <summary>
/// Every order that may still trade, indexed for the rules: orders open at the broker (with what is left of them)
/// and orders the risk guard approved that the broker does not hold yet ("pending", counted in full because
/// nothing is frozen for them). An immutable value: adding or removing an order is O(log n), and a rule's lookup
/// (count, shares per symbol and side, the few orders of one symbol, the cost of pending buys) never scans the
/// whole book — a 5,000-order batch is judged in linear time and one order costs the same with 10 or 10,000 open.
/// </summary>
public sealed class OutstandingOrders
{
    private readonly ImmutableDictionary<ClientOrderId, Entry> _orders;
    private readonly ImmutableDictionary<Symbol, ImmutableList<ClientOrderId>> _bySymbol;

    private readonly record struct Entry(OpenOrder Order, bool Pending, decimal PendingCost);

    public static OutstandingOrders Empty { get; } = new(ImmutableDictionary<ClientOrderId, Entry>.Empty,
        ImmutableDictionary<Symbol, ImmutableList<ClientOrderId>>.Empty, 0m);

    private OutstandingOrders(ImmutableDictionary<ClientOrderId, Entry> orders,
        ImmutableDictionary<Symbol, ImmutableList<ClientOrderId>> bySymbol, decimal pendingBuyCost)
    {
        _orders = orders;
        _bySymbol = bySymbol;
        PendingBuyCost = pendingBuyCost;
    }

    /// <summary>
    /// The index of <paramref name="open"/> (orders the OMS or broker reports; finished ones are left out) plus the
    /// <paramref name="approved"/> orders it does not report, pending, each costing <paramref name="buyCost"/>.
    /// </summary>
    public static OutstandingOrders From(IEnumerable<OpenOrder> open, IEnumerable<ApprovedOrder> approved, Func<OrderRequest, decimal> buyCost)
    {
        var index = Empty;
        foreach (var o in open)
            if (!o.Status.IsTerminal()) index = index.WithOpen(o);
        foreach (var a in approved)
            if (!index.Contains(a.Id)) index = index.WithPending(new OpenOrder(a.Order, OrderStatus.New, 0, a.At), a.Order.Side == Side.Buy ? buyCost(a.Order) : 0m);
        return index;
    }

    /// <summary>Orders outstanding (open and pending).</summary>
    public int Count => _orders.Count;

    /// <summary>Estimated cost (value + fees) of the pending buys: cash the broker has not frozen for them yet.</summary>
    public decimal PendingBuyCost { get; }

    public bool Contains(ClientOrderId id) => _orders.ContainsKey(id);

    public bool IsPending(ClientOrderId id) => _orders.TryGetValue(id, out var e) && e.Pending;

    public OpenOrder? Find(ClientOrderId id) => _orders.TryGetValue(id, out var e) ? e.Order : null;

    /// <summary>Every outstanding order (no particular order).</summary>
    public IEnumerable<OpenOrder> All => _orders.Values.Select(e => e.Order);

    /// <summary>The approved orders the broker does not hold yet.</summary>
    public IEnumerable<OpenOrder> Pending => _orders.Values.Where(e => e.Pending).Select(e => e.Order);

    /// <summary>The outstanding orders in one symbol (usually a handful).</summary>
    public IEnumerable<OpenOrder> Of(Symbol symbol) =>
        _bySymbol.TryGetValue(symbol, out var ids) ? ids.Select(id => _orders[id].Order) : [];

    /// <summary>Shares of <paramref name="symbol"/> on the <paramref name="side"/> that outstanding orders may still trade.</summary>
    public long Remaining(Symbol symbol, Side side)
    {
        long sum = 0;
        foreach (var o in Of(symbol))
            if (o.Order.Side == side) sum += o.Remaining;
        return sum;
    }

    /// <summary>An approved order the broker does not hold yet; <paramref name="cost"/> is its estimated cost when a buy.</summary>
    public OutstandingOrders WithPending(OpenOrder order, decimal cost) => Set(new Entry(order, true, order.Order.Side == Side.Buy ? cost : 0m));

    /// <summary>An order the broker holds, as it now stands (a pending entry of the same id is replaced; a finished order is removed).</summary>
    public OutstandingOrders WithOpen(OpenOrder order) =>
        order.Status.IsTerminal() ? Without(order.Id) : Set(new Entry(order, false, 0m));

    public OutstandingOrders Without(ClientOrderId id)
    {
        if (!_orders.TryGetValue(id, out var old)) return this;
        var symbol = old.Order.Order.Symbol;
        var ids = _bySymbol[symbol].Remove(id);
        return new(_orders.Remove(id), ids.IsEmpty ? _bySymbol.Remove(symbol) : _bySymbol.SetItem(symbol, ids), PendingBuyCost - old.PendingCost);
    }

    private OutstandingOrders Set(Entry entry)
    {
        var id = entry.Order.Id;
        var symbol = entry.Order.Order.Symbol;
        decimal pending = PendingBuyCost + entry.PendingCost;
        var bySymbol = _bySymbol;
        if (_orders.TryGetValue(id, out var old))
        {
            if (old.Order.Order.Symbol != symbol)
                throw new ArgumentException($"Order {id} changed symbol from {old.Order.Order.Symbol} to {symbol}.", nameof(entry));
            pending -= old.PendingCost;
        }
        else
        {
            bySymbol = bySymbol.SetItem(symbol, (bySymbol.TryGetValue(symbol, out var ids) ? ids : ImmutableList<ClientOrderId>.Empty).Add(id));
        }
        return new(_orders.SetItem(id, entry), bySymbol, pending);
    }
}
