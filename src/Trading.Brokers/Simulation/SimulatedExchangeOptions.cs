using Trading.Domain.Fees;
using Trading.Domain.Rules;

namespace Trading.Brokers;

/// <summary>What happens to the unfilled part of a protected market order after the bar it met.</summary>
public enum MarketRemainder : byte
{
    /// <summary>Cancelled at once (即时成交剩余撤销; xtquant 42/46/47).</summary>
    Cancel = 1,
    /// <summary>Rests as a limit order at the protective price (剩余转限价; xtquant 43).</summary>
    RestAsLimit = 2,
}

/// <summary>
/// The simulated broker's settings. Defaults: the A-share rulebook and default fees of Trading.Domain, 5 bps fixed
/// slippage plus 100 bps × √participation impact, at most 10% of a bar's volume per order per bar, unfilled orders
/// expire at the close, the rest of a protected market order is cancelled.
/// </summary>
public sealed record SimulatedExchangeOptions
{
    /// <summary>The gateway's name in logs and reports.</summary>
    public string Name { get; init; } = "simulated";

    /// <summary>Lots, ticks and maximum order sizes by board (A_SHARE_RULES.md §1.1).</summary>
    public MarketRules Rules { get; init; } = MarketRules.Default;

    /// <summary>The account's costs (A_SHARE_RULES.md §1.3).</summary>
    public FeeSchedule Fees { get; init; } = FeeSchedule.Default;

    /// <summary>Adverse slippage on every fill, in basis points of the market price (half a spread).</summary>
    public decimal FixedSlippageBps { get; init; } = 5m;

    /// <summary>
    /// Market impact k in basis points: a fill taking a share p of the bar's volume moves its price by k × √p bps
    /// (square-root law; 100 bps gives 10 bps at 1% and 32 bps at the default 10% cap).
    /// </summary>
    public decimal ImpactBps { get; init; } = 100m;

    /// <summary>At most this share of a bar's volume fills per order per bar, in (0, 1]; the rest stays open.</summary>
    public decimal MaxParticipation { get; init; } = 0.10m;

    /// <summary>
    /// Keep orders open over the close into the next day instead of expiring them. A rolled order counts as a new
    /// exchange order each day (the minimum commission applies again) and keeps its cash or shares frozen.
    /// </summary>
    public bool RollOverOpenOrders { get; init; }

    /// <summary>What happens to the unfilled part of a protected market order after the bar it met.</summary>
    public MarketRemainder ProtectedMarketRemainder { get; init; } = MarketRemainder.Cancel;

    internal void Validate()
    {
        if (MaxParticipation is <= 0m or > 1m)
            throw new ArgumentOutOfRangeException(nameof(MaxParticipation), MaxParticipation, "The participation cap is a fraction in (0, 1].");
        if (FixedSlippageBps < 0m) throw new ArgumentOutOfRangeException(nameof(FixedSlippageBps), FixedSlippageBps, "Slippage cannot be negative.");
        if (ImpactBps < 0m) throw new ArgumentOutOfRangeException(nameof(ImpactBps), ImpactBps, "Impact cannot be negative.");
    }
}
