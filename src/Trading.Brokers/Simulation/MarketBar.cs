using Trading.Data.Model;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Brokers;

/// <summary>
/// One bar as the matching sees it, whatever its length: a day now, a minute later. <see cref="Start"/> tells bars of
/// one day apart (midnight for a daily bar); the volume cap counts per order per bar, so matching the same bar at the
/// open and again at the close cannot take its volume twice. Prices are raw CNY; <see cref="Limit"/> is the day's band.
/// </summary>
public readonly record struct MarketBar(
    Symbol Symbol,
    DateOnly Date,
    TimeOnly Start,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    long Volume,
    decimal Amount,
    PriceLimit Limit,
    bool Suspended)
{
    /// <summary>Traded at one price all bar, at limit-up: a buy cannot be filled (the queue at the limit never clears).</summary>
    public bool LockedLimitUp => Limit.IsLimited && Low >= Limit.Up;

    /// <summary>Traded at one price all bar, at limit-down: a sell cannot be filled.</summary>
    public bool LockedLimitDown => Limit.IsLimited && High <= Limit.Down;

    /// <summary>The bar's average price, amount / volume, inside [low, high] (null without volume).</summary>
    public decimal? Vwap => Volume > 0 ? Math.Clamp(Amount / Volume, Low, High) : null;

    /// <summary>The market price at a fill timing (the VWAP proxy falls back to the close without volume).</summary>
    public decimal PriceAt(FillTiming timing) => timing switch
    {
        FillTiming.Open => Open,
        FillTiming.Close => Close,
        FillTiming.Vwap => Vwap ?? Close,
        _ => throw new ArgumentOutOfRangeException(nameof(timing), timing, "Unknown fill timing."),
    };

    /// <summary>A daily bar for matching; its band is <see cref="DailyBar.UpLimit"/>/<see cref="DailyBar.DownLimit"/> (none when 0).</summary>
    public static MarketBar FromDaily(in DailyBar bar) => new(
        bar.Symbol, bar.Date, TimeOnly.MinValue, bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.Amount,
        LimitOf(bar), bar.IsSuspended);

    /// <summary>The band a daily bar carries, or <see cref="PriceLimit.None"/> on a day without one.</summary>
    public static PriceLimit LimitOf(in DailyBar bar) => bar.HasLimit ? new PriceLimit(bar.UpLimit, bar.DownLimit) : PriceLimit.None;
}
