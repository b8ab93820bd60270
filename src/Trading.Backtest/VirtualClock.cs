namespace Trading.Backtest;

/// <summary>The backtest's time: set by the harness at each phase of a trading day, never read from the wall.</summary>
public sealed class VirtualClock
{
    private long _ticks;

    public DateTime Now => new(Interlocked.Read(ref _ticks), DateTimeKind.Unspecified);

    public void Set(DateOnly date, TimeOnly time) => Interlocked.Exchange(ref _ticks, date.ToDateTime(time).Ticks);
}
