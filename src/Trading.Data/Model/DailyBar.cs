using Trading.Domain.Instruments;

namespace Trading.Data.Model;

[Flags]
public enum BarFlags : byte
{
    None = 0,
    /// <summary>No trading that day (no bar in the source; made explicit in panels).</summary>
    Suspended = 1,
    /// <summary>Under risk warning (ST / *ST) that day.</summary>
    St = 2,
    /// <summary>A day without a price limit (first days after an IPO).</summary>
    NoLimit = 4,
    /// <summary>The pre-close was derived (previous close × factor ratio), not given by the source.</summary>
    DerivedPreClose = 8,
    /// <summary>Panel only: the stock was not listed (before listing or after delisting) that day.</summary>
    NotListed = 16,
}

/// <summary>
/// One stock's day. Prices are raw (unadjusted) CNY on the 0.01 tick; <see cref="Volume"/> in shares,
/// <see cref="Amount"/> in CNY; <see cref="AdjFactor"/> a cumulative backward factor (hfq = raw × factor).
/// <see cref="UpLimit"/>/<see cref="DownLimit"/> are 0 when the day has no limit or no reference price.
/// </summary>
public readonly record struct DailyBar(
    Symbol Symbol,
    DateOnly Date,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal PreClose,
    long Volume,
    decimal Amount,
    double AdjFactor,
    BarFlags Flags = BarFlags.None,
    decimal UpLimit = 0m,
    decimal DownLimit = 0m)
{
    public bool IsSuspended => (Flags & BarFlags.Suspended) != 0;
    public bool IsSt => (Flags & BarFlags.St) != 0;
    public bool HasLimit => UpLimit > 0m;
    /// <summary>Closed at the limit-up price (a buy could not be filled at the close).</summary>
    public bool ClosedAtLimitUp => HasLimit && Close >= UpLimit;
    public bool ClosedAtLimitDown => HasLimit && Close <= DownLimit;
    /// <summary>Locked at limit-up all day: one price, at the limit (unbuyable).</summary>
    public bool LockedLimitUp => HasLimit && Low >= UpLimit;
    public bool LockedLimitDown => HasLimit && High <= DownLimit;
}

/// <summary>One day of an index (e.g. CSI 300, 000300.SH). Index levels are not on the stock tick, so doubles.</summary>
public readonly record struct IndexBar(string Code, DateOnly Date, double Open, double High, double Low, double Close, double Volume, double Amount);
