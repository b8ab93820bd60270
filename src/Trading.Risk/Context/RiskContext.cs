using Trading.Domain.Fees;

namespace Trading.Risk;

/// <summary>
/// The account as the risk guard sees it.
/// </summary>
/// <param name="Cash">Cash balance, including the part frozen by open buys (the position book's cash).</param>
/// <param name="FrozenCash">Cash the broker holds for open buy orders (xtquant XtAsset.frozen_cash).</param>
/// <param name="Nav">Net asset value: cash plus the market value of the positions.</param>
/// <param name="Holdings">Shares per symbol under T+1 (held and sellable).</param>
/// <param name="MarketValues">Market value per symbol; where absent, shares × the quote's reference price.</param>
/// <param name="MarginCredit">Financing still available on a margin account; counted only when margin is enabled.</param>
public sealed record RiskAccount(
    decimal Cash,
    decimal FrozenCash,
    decimal Nav,
    IReadOnlyDictionary<Symbol, Holding> Holdings,
    IReadOnlyDictionary<Symbol, decimal> MarketValues,
    decimal MarginCredit = 0m)
{
    public decimal AvailableCash => Cash - FrozenCash;

    public Holding HoldingOf(Symbol symbol) => Holdings.TryGetValue(symbol, out var h) ? h : Holding.Empty;

    public static RiskAccount CashOnly(decimal cash) =>
        new(cash, 0m, cash, ImmutableDictionary<Symbol, Holding>.Empty, ImmutableDictionary<Symbol, decimal>.Empty);
}

/// <summary>Today's market facts about one stock.</summary>
/// <param name="ReferencePrice">The price orders are judged against: the previous close before the open, the last price during the day.</param>
/// <param name="Limit">Today's price band (<see cref="PriceLimit.None"/> on days without one).</param>
/// <param name="Suspended">Trading halted: no order is accepted (A_SHARE_RULES.md §1.4).</param>
/// <param name="BestBid">Best bid shown, when known (the sell reference of the price cage).</param>
/// <param name="BestAsk">Best ask shown, when known (the buy reference of the price cage).</param>
public sealed record MarketQuote(decimal ReferencePrice, PriceLimit Limit, bool Suspended = false, decimal? BestBid = null, decimal? BestAsk = null);

/// <summary>An order live at the broker (from the OMS), or approved by the risk guard and not yet seen by the OMS.</summary>
public sealed record OpenOrder(OrderRequest Order, OrderStatus Status, long FilledQuantity, DateTime SubmittedAt)
{
    public ClientOrderId Id => Order.Id;

    /// <summary>Shares still able to fill: they freeze cash (buys) or sellable shares (sells).</summary>
    public long Remaining => Math.Max(0, Order.Quantity - FilledQuantity);
}

/// <summary>
/// Everything a rule may look at, at one moment: the account, quotes, open orders, the risk state, the time.
/// The clock is injected (virtual in backtests), never read from the wall.
/// </summary>
public sealed record RiskContext(
    RiskAccount Account,
    IReadOnlyDictionary<Symbol, MarketQuote> Quotes,
    IReadOnlyList<OpenOrder> OpenOrders,
    RiskState State,
    DateTime Now,
    bool MarginEnabled = false)
{
    /// <summary>Board rules (lots, ticks, maximum order sizes).</summary>
    public MarketRules Market { get; init; } = MarketRules.Default;

    /// <summary>The account's fee schedule, for the cash estimate of a buy and the proceeds of a sell.</summary>
    public FeeSchedule Fees { get; init; } = FeeSchedule.Default;

    public DateOnly Today => DateOnly.FromDateTime(Now);

    public MarketQuote? QuoteOf(Symbol symbol) => Quotes.TryGetValue(symbol, out var q) ? q : null;

    /// <summary>
    /// Everything that may still trade, indexed: by default the <see cref="OpenOrders"/> the OMS reports plus the
    /// orders <see cref="State"/> approved that it does not report (pending, counted in full since nothing is frozen
    /// for them), built once per context. A risk guard that keeps the index up to date from events sets it instead;
    /// a given index is authoritative and travels with <c>with</c>, so whoever changes <see cref="State"/> of such a
    /// context sets the matching index too (as <see cref="PreTradeChain.EvaluateBatch"/> does).
    /// </summary>
    public OutstandingOrders Outstanding
    {
        get => _outstanding ??= Trading.Risk.OutstandingOrders.From(OpenOrders, State.ActiveOrders, PendingCost);
        init { _outstanding = value; _outstandingGiven = true; }
    }

    // Built on first use; `with` goes through the copy constructor below, which leaves a built (not given) index
    // behind, because a new State means new pending orders.
    private OutstandingOrders? _outstanding;
    private bool _outstandingGiven;

    /// <summary>Orders the risk guard approved that the broker does not hold yet (the rest of a batch, or orders in flight).</summary>
    public IEnumerable<OpenOrder> PendingOrders => Outstanding.Pending;

    private RiskContext(RiskContext original)
    {
        Account = original.Account;
        Quotes = original.Quotes;
        OpenOrders = original.OpenOrders;
        State = original.State;
        Now = original.Now;
        MarginEnabled = original.MarginEnabled;
        Market = original.Market;
        Fees = original.Fees;
        if (original._outstandingGiven)
        {
            _outstanding = original._outstanding;
            _outstandingGiven = true;
        }
    }

    /// <summary>The open orders plus the pending ones: everything that may still trade.</summary>
    public IEnumerable<OpenOrder> OutstandingOrders => Outstanding.All;

    /// <summary>Shares of <paramref name="symbol"/> on the <paramref name="side"/> that outstanding orders may still trade.</summary>
    public long OutstandingQuantity(Symbol symbol, Side side) => Outstanding.Remaining(symbol, side);

    /// <summary>Estimated cost of a buy: value plus fees.</summary>
    public decimal BuyCost(decimal price, long quantity) =>
        price * quantity + Fees.Compute(Side.Buy, price, quantity, Today).Total;

    /// <summary>Estimated proceeds of a sell: value minus fees and stamp duty.</summary>
    public decimal SellProceeds(decimal price, long quantity) =>
        price * quantity - Fees.Compute(Side.Sell, price, quantity, Today).Total;

    /// <summary>Estimated cost of the buys approved but not yet frozen by the broker.</summary>
    public decimal PendingBuyCost => Outstanding.PendingBuyCost;

    /// <summary>
    /// The estimated cost of a pending buy: value + fees at its limit price. The index of outstanding orders keeps it
    /// once per order, so a batch never recomputes the fees of the orders before it.
    /// </summary>
    public decimal PendingCost(OrderRequest order) => BuyCost(order.LimitPrice, order.Quantity);

    /// <summary>
    /// Cash a new buy may use: balance − cash frozen by open buys − cost of pending buys (+ margin credit when
    /// margin is enabled).
    /// </summary>
    public decimal BuyingPower => Account.AvailableCash - PendingBuyCost + (MarginEnabled ? Account.MarginCredit : 0m);
}
