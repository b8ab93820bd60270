using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;

namespace Trading.Runtime.Clock;

/// <summary>Asks the clock for its state; answered with <see cref="ClockStatus"/> (after every message before it).</summary>
public sealed class GetClockStatus
{
    public static readonly GetClockStatus Instance = new();
    private GetClockStatus() { }
}

public sealed record ClockStatus(DayProgress Progress, DateTimeOffset NextWake);

/// <summary>
/// The live node's real-time clock: reads the time from a <see cref="TimeProvider"/> (Shanghai wall time through the
/// schedule's zone, never the host's), asks the <see cref="SchedulePlanner"/> what is due, tells the target each
/// <see cref="ScheduledJobDue"/> (in order) and each <see cref="ScheduledJobMissed"/>, and sleeps on one of the
/// provider's timers until the planner's next wake — at most <see cref="MaxSleep"/>, so a suspended process or a
/// stepped wall clock is noticed within a minute. A tick that arrives late (the process was paused past several jobs)
/// simply finds them all due at once: each fires once, in order, only if it is of today.
/// <para>Timers come from the <see cref="TimeProvider"/> rather than Akka's scheduler so that tests drive the clock
/// with a fake provider (advancing it fires the timer at once, no real waiting); the timer's callback only tells
/// the actor a tick, every decision is made inside the actor.</para>
/// <para>Late ticks are distrusted (CLUSTER_FAILOVER "fence"): after a pause (SIGSTOP/SIGCONT, a long GC) a brain that has
/// meanwhile been replaced would fire its missed jobs at once, before it learns it lost its lease. So a job that fires
/// more than <c>lateTickTolerance</c> (real time: a replay clock's lateness is divided by its speed) after it was due
/// asks <c>mayTrade</c> again first; when it says no, the job is dropped with a warning (it still counts as fired, at
/// most once). Without a <c>mayTrade</c> (a single node) nothing changes.</para>
/// <para>The initial <see cref="DayProgress"/> is what the node journaled (null: nothing today). A job counts as done
/// when it is fired: after a crash it is not fired again (at most once; the target's own recovery finishes it).</para>
/// </summary>
public sealed class RealTimeClockActor : ReceiveActor
{
    /// <summary>The longest the clock sleeps between two looks at the time.</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SchedulePlanner _planner;
    private readonly TimeProvider _time;
    private readonly IActorRef _target;
    private readonly StrongBox<DayProgress?> _marker;
    private readonly Func<bool>? _mayTrade;
    private readonly TimeSpan _lateTickTolerance;
    private DayProgress? _progress;
    private DateTimeOffset _nextWake;
    private ITimer? _timer;

    /// <summary>How late (real time) a job may fire before <c>mayTrade</c> is asked again (<c>trading.node.late-tick-tolerance</c>).</summary>
    public static readonly TimeSpan DefaultLateTickTolerance = TimeSpan.FromSeconds(2);

    public RealTimeClockActor(SchedulePlanner planner, TimeProvider time, IActorRef target, StrongBox<DayProgress?> marker,
        Func<bool>? mayTrade = null, TimeSpan? lateTickTolerance = null)
    {
        _mayTrade = mayTrade;
        _lateTickTolerance = lateTickTolerance ?? DefaultLateTickTolerance;
        _planner = planner;
        _time = time;
        _target = target;
        _marker = marker;
        _progress = marker.Value;
        Receive<Tick>(_ => Look());
        Receive<GetClockStatus>(_ => Sender.Tell(new ClockStatus(_progress!, _nextWake)));
    }

    /// <summary>
    /// The clock with the node's journaled marker (null: nothing today). Every incarnation of the actor shares one box
    /// holding the latest marker, so a restart by its supervisor goes on from what it already fired, not from
    /// <paramref name="progress"/>.
    /// </summary>
    /// <param name="mayTrade">asked before a job that fires later than <paramref name="lateTickTolerance"/> (default 2 s); null: never asked</param>
    public static Props Props(SchedulePlanner planner, TimeProvider time, IActorRef target, DayProgress? progress = null,
        Func<bool>? mayTrade = null, TimeSpan? lateTickTolerance = null)
    {
        var marker = new StrongBox<DayProgress?>(progress);
        return Akka.Actor.Props.Create(() => new RealTimeClockActor(planner, time, target, marker, mayTrade, lateTickTolerance));
    }

    protected override void PreStart() => Look();

    protected override void PostStop() => _timer?.Dispose();

    private void Look()
    {
        var now = _time.GetUtcNow();
        var step = _planner.Step(now, _progress);
        _progress = _marker.Value = step.Progress;
        _nextWake = step.NextWake;
        Arm(now);
        foreach (var m in step.Missed)
        {
            _log.Warning("Scheduled {0} of {1:yyyy-MM-dd} at {2:HH:mm:ss} missed: {3}", m.Job, m.Day, m.ScheduledAt, m.Reason);
            _target.Tell(m);
        }
        foreach (var job in step.Fire)
        {
            if (LateAndMayNotTrade(job, now)) continue;
            if (job.Late) _log.Info("Scheduled {0} of {1:yyyy-MM-dd} at {2:HH:mm:ss} runs late", job.Job, job.Day, job.ScheduledAt);
            _target.Tell(job);
        }
    }

    /// <summary>A job firing past the tolerance (a pause's catch-up) while the brain may not trade: dropped, with a warning.</summary>
    private bool LateAndMayNotTrade(ScheduledJobDue job, DateTimeOffset now)
    {
        if (_mayTrade is null) return false;
        var late = now - job.ScheduledAt;
        if (_time is ReplayTimeProvider replay) late /= replay.Speed;
        if (late <= _lateTickTolerance) return false;
        bool may;
        try { may = _mayTrade(); }
        catch (Exception e)
        {
            _log.Warning("The may-trade check before late {Job} failed: {Error}", job.Job, e.Message);
            may = false;
        }
        if (may) return false;
        _log.Warning("Scheduled {Job} of {Day:yyyy-MM-dd} due at {ScheduledAt:HH:mm:ss} fired {LateSeconds:0.0} s late and this brain may not trade: dropped",
            job.Job, job.Day, job.ScheduledAt, late.TotalSeconds);
        return true;
    }

    /// <summary>Arms the next tick before the jobs go out, so whoever sees a job sees the clock already waiting.</summary>
    private void Arm(DateTimeOffset now)
    {
        _timer?.Dispose();
        var wait = _nextWake - now;
        if (wait > MaxSleep) wait = MaxSleep;
        if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
        var self = Self;
        _timer = _time.CreateTimer(_ => self.Tell(Tick.Instance), null, wait, Timeout.InfiniteTimeSpan);
    }
}
