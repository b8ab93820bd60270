using Trading.Domain.Fees;
using Trading.Risk;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Strategy;

/// <summary>The fee schedule and risk limits a strategy config asks for.</summary>
public static class StrategyOptions
{
    public static FeeSchedule Fees(StrategyConfig cfg) =>
        cfg.Fees is { } f ? MarketConfig.ParseFees(f, "strategy.fees", cfg.Source) : FeeSchedule.Default;

    public static RiskOptions Risk(StrategyConfig cfg) => RiskConfig.Parse(cfg.Risk, cfg.Source);
}
