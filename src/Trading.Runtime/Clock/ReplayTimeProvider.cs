namespace Trading.Runtime.Clock;

/// <summary>
/// Time for a paper node replaying a stored day: it starts at <see cref="Origin"/> (e.g. 08:40 Shanghai of the replayed
/// day) when created and runs <see cref="Speed"/> times faster than the host's clock. Timers wait the scaled time,
/// so the real-time clock's schedule fires at the replayed day's times. Speed 1 is a day in real time. Time stands
/// at <see cref="Origin"/> until <see cref="Start"/> (a node starts it once its state is recovered, so start-up does
/// not eat the replayed morning).
/// </summary>
public sealed class ReplayTimeProvider : TimeProvider
{
    private readonly TimeProvider _host;
    private long _startTimestamp = -1;

    public ReplayTimeProvider(DateTimeOffset origin, double speed, TimeProvider? host = null)
    {
        if (!(speed >= 1 && speed <= 100_000)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "between 1 and 100000");
        Origin = origin;
        Speed = speed;
        _host = host ?? System;
    }

    /// <summary>Lets time run from <see cref="Origin"/> (once; later calls do nothing).</summary>
    public void Start() => Interlocked.CompareExchange(ref _startTimestamp, _host.GetTimestamp(), -1);

    public DateTimeOffset Origin { get; }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow()
    {
        long start = Interlocked.Read(ref _startTimestamp);
        return start < 0 ? Origin.ToUniversalTime() : Origin.ToUniversalTime() + TimeSpan.FromTicks((long)(_host.GetElapsedTime(start).Ticks * Speed));
    }

    public override TimeZoneInfo LocalTimeZone => _host.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _host.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan t) =>
        t == Timeout.InfiniteTimeSpan ? t : TimeSpan.FromTicks(Math.Max(t == TimeSpan.Zero ? 0 : 1, (long)(t.Ticks / Speed)));
}
