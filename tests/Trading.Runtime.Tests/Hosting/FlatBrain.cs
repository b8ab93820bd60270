using Trading.Brokers;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Tests.Hosting;

/// <summary>A trading brain for node-level specs: a fixed clock, every stock quoted at 10.00 (±10 %), no position or duplicate caps, no stuck-order timer.</summary>
internal static class FlatBrain
{
    public static TradingBrain For(IBrokerGateway gateway, DateTime at, TimeSpan stepTimeout) => new()
    {
        Gateway = gateway,
        Now = () => at,
        Quotes = (s, d) => new TradeQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m), false),
        Risk = RiskOptions.Default with { MaxPositionWeight = null, DuplicateWindow = null },
        StepTimeout = stepTimeout,
        Watchdog = new WatchdogOptions { StuckCheckInterval = TimeSpan.Zero },
    };
}
