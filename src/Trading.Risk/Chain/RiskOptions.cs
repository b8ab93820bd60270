namespace Trading.Risk;

/// <summary>
/// Every limit of the risk guard, with defaults for a cash account of about 600,000 CNY. A strategy config sets
/// what it needs (<c>options with { MaxPositionWeight = 0.08m }</c>); a null limit switches its rule off.
/// </summary>
public sealed record RiskOptions
{
    public static RiskOptions Default { get; } = new();

    // ---- size and exposure ----

    /// <summary>Largest position as a fraction of NAV after the order, open buys included (0.10 = 60,000 CNY of 600,000).</summary>
    public decimal? MaxPositionWeight { get; init; } = 0.10m;

    /// <summary>Cut a buy to the position cap (lot-rounded) instead of rejecting it.</summary>
    public bool ShrinkToPositionWeight { get; init; } = true;

    /// <summary>Largest order value in CNY.</summary>
    public decimal? MaxOrderValue { get; init; } = 100_000m;

    /// <summary>Largest order in shares; the board's own maximum applies as well.</summary>
    public long? MaxOrderQuantity { get; init; } = 100_000;

    /// <summary>Value submitted per day, both sides (2 × NAV).</summary>
    public decimal? MaxDailyAmount { get; init; } = 1_200_000m;

    // ---- counts ----

    public int? MaxDailyOrders { get; init; } = 200;

    public int? MaxDailyOrdersPerSymbol { get; init; } = 20;

    public int? MaxActiveOrders { get; init; } = 50;

    public int? MaxDailyCancels { get; init; } = 100;

    public int? MaxDailyCancelsPerSymbol { get; init; } = 20;

    /// <summary>The same symbol, side, quantity and price again within this time is a duplicate.</summary>
    public TimeSpan? DuplicateWindow { get; init; } = TimeSpan.FromSeconds(10);

    // ---- prices ----

    /// <summary>Largest distance of the limit price from the reference price (fat-finger band).</summary>
    public decimal? MaxPriceDeviation { get; init; } = 0.05m;

    /// <summary>Block prices outside the day's band, buys at limit-up and sells at limit-down.</summary>
    public bool BlockLimitPrices { get; init; } = true;

    /// <summary>The exchanges' price cage per board (A_SHARE_RULES.md §1.1); null switches the rule off.</summary>
    public ImmutableDictionary<Board, PriceCage>? PriceCages { get; init; } = PriceCage.Defaults;

    // ---- symbols ----

    public ImmutableHashSet<Symbol> Blacklist { get; init; } = ImmutableHashSet<Symbol>.Empty;

    /// <summary>Also refuse sells of black-listed symbols (off: a position must stay closable).</summary>
    public bool BlacklistBlocksSells { get; init; }

    /// <summary>When set, buys only of these symbols.</summary>
    public ImmutableHashSet<Symbol>? Whitelist { get; init; }

    // ---- validity and funding ----

    public bool CheckSuspended { get; init; } = true;

    public bool CheckLotAndTick { get; init; } = true;

    public bool CheckSellable { get; init; } = true;

    public bool CheckCash { get; init; } = true;

    public bool PreventSelfTrade { get; init; } = true;

    // ---- a whole rebalance ----

    /// <summary>Largest (buys + sells) / NAV of one rebalance batch: building from cash passes, a full rotation does not.</summary>
    public decimal? MaxRebalanceTurnover { get; init; } = 1.0m;

    /// <summary>A batch's buys (with fees) must fit in the buying power plus its sells' proceeds.</summary>
    public bool CheckRebalanceCash { get; init; } = true;

    // ---- in-trade monitors ----

    /// <summary>Drawdowns from the NAV peak that raise an alert, once per crossing.</summary>
    public ImmutableArray<decimal> DrawdownAlerts { get; init; } = [0.05m, 0.10m, 0.15m];

    /// <summary>A drawdown at which the alert asks for the kill switch.</summary>
    public decimal? KillSwitchDrawdown { get; init; } = 0.20m;

    /// <summary>An order without a final report after this long is stuck.</summary>
    public TimeSpan StuckOrderTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Cancels / orders in a day above this ratio raise an alert…</summary>
    public decimal MaxCancelRatio { get; init; } = 0.5m;

    /// <summary>…once the day has at least this many orders.</summary>
    public int CancelRateMinOrders { get; init; } = 20;
}
