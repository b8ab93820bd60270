using System.Collections.Immutable;
using Trading.Domain.Calendar;

namespace Trading.Runtime.Clock;

/// <summary>The jobs of a live trading day, in the order they run when due at the same moment.</summary>
public enum ScheduledJob
{
    DayStart,
    PreOpen,
    Rebalance,
    Monitor,
    CancelOpenOrders,
    PostClose,
}

/// <summary>One job of one day at its Shanghai time.</summary>
public sealed record PlannedJob(ScheduledJob Job, DateOnly Day, DateTimeOffset At);

/// <summary>A job to run now: <see cref="Late"/> when it runs more than <c>late-after</c> after its time.</summary>
public sealed record ScheduledJobDue(ScheduledJob Job, DateOnly Day, DateTimeOffset ScheduledAt, DateTimeOffset FiredAt, bool Late);

/// <summary>A job whose time passed while the clock could not fire it and that will not run that day.</summary>
public sealed record ScheduledJobMissed(ScheduledJob Job, DateOnly Day, DateTimeOffset ScheduledAt, DateTimeOffset NoticedAt, string Reason);

/// <summary>
/// What the clock has decided about one Shanghai day: the jobs it fired (<see cref="Ran"/>), those it gave up
/// (<see cref="Missed"/>) and the last monitor slot fired. The node journals it (it changes only when a job fires or
/// is missed) and hands it back after a restart, so nothing of the day runs twice. A marker of another day counts as
/// empty: the day rolls at midnight Shanghai.
/// </summary>
public sealed record DayProgress(DateOnly Day, ImmutableHashSet<ScheduledJob> Ran, ImmutableHashSet<ScheduledJob> Missed, TimeOnly? LastMonitor)
{
    public static DayProgress Empty(DateOnly day) => new(day, [], [], null);

    public bool Decided(ScheduledJob job) => Ran.Contains(job) || Missed.Contains(job);
}

/// <summary>The outcome of one look at the time: what to fire now, in order; what was given up; the next time to look.</summary>
public sealed record ScheduleStep(IReadOnlyList<ScheduledJobDue> Fire, IReadOnlyList<ScheduledJobMissed> Missed, DayProgress Progress, DateTimeOffset NextWake);

/// <summary>
/// The pure schedule: given the trading days, the options, the time and what already happened today, the jobs due
/// now. Rules, for the Shanghai day D of <c>now</c> (time t):
/// <list type="bullet">
/// <item>D not a trading day, or t before day-start: nothing.</item>
/// <item>Only jobs of D, each at most once (a job of a past day is never due; a marker of another day is empty).</item>
/// <item>DayStart runs whenever anything of D runs, first: it rebuilds the day's state (T+1 roll, corporate actions,
/// counters) every other job, the post-close mark-to-market included, stands on.</item>
/// <item>PreOpen runs late (catch-up) before the close; after the close it is missed.</item>
/// <item>Rebalance runs on time (within late-after); later, only with <c>late-rebalance = run</c> and before the
/// cancel-open-orders time; otherwise it is missed and reported.</item>
/// <item>Monitor: at most one, for the current slot (continuous-session start + k × monitor-every, current while
/// t is before the next slot); missed slots are not caught up — a monitor looks at the state now.</item>
/// <item>CancelOpenOrders runs once its time has passed; after the close only if the node acted on D before this look
/// (it may hold D's orders, which the broker expires at the close and the OMS must book so: nothing overnight). A node
/// first started after the close has no orders of D and only runs DayStart + PostClose.</item>
/// <item>PostClose runs once its time has passed, until midnight.</item>
/// </list>
/// </summary>
public sealed class SchedulePlanner
{
    private readonly TradingDays _days;
    private readonly TimeOnly[] _monitorSlots;
    private readonly TimeOnly[] _monitorUntil;

    public SchedulePlanner(TradingDays days, TradingSchedule schedule)
    {
        _days = days;
        Schedule = schedule;
        var slots = schedule.MonitorEvery is { } every ? MonitorSlots(every) : [];
        _monitorSlots = slots.Select(x => x.At).ToArray();
        _monitorUntil = slots.Select(x => x.Until).ToArray();
    }

    public TradingSchedule Schedule { get; }

    public TradingDays Days => _days;

    /// <summary>The Shanghai (exchange-zone) wall time of an instant.</summary>
    public DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Schedule.TimeZone);

    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(Local(instant).DateTime);

    public DateTimeOffset At(DateOnly day, TimeOnly time)
    {
        var wall = day.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(wall, Schedule.TimeZone.GetUtcOffset(wall));
    }

    /// <summary>Every job of a day in firing order (none on a non-trading day).</summary>
    public IReadOnlyList<PlannedJob> Day(DateOnly day)
    {
        if (!_days.IsTradingDay(day)) return [];
        var s = Schedule;
        var jobs = new List<(TimeOnly T, ScheduledJob J)>
        {
            (s.DayStart, ScheduledJob.DayStart), (s.PreOpen, ScheduledJob.PreOpen), (s.Rebalance, ScheduledJob.Rebalance),
            (s.CancelOpenOrders, ScheduledJob.CancelOpenOrders), (s.PostClose, ScheduledJob.PostClose),
        };
        jobs.AddRange(_monitorSlots.Select(t => (t, ScheduledJob.Monitor)));
        return jobs.OrderBy(x => x.T).ThenBy(x => x.J).Select(x => new PlannedJob(x.J, day, At(day, x.T))).ToList();
    }

    /// <summary>The jobs due at <paramref name="now"/> given what already happened today (<paramref name="progress"/>).</summary>
    public ScheduleStep Step(DateTimeOffset now, DayProgress? progress)
    {
        var local = Local(now);
        var day = DateOnly.FromDateTime(local.DateTime);
        var t = TimeOnly.FromDateTime(local.DateTime);
        var before = progress is { } p && p.Day == day ? p : DayProgress.Empty(day);
        var s = Schedule;
        var fire = new List<(TimeOnly T, ScheduledJob J, bool Late)>();
        var missed = new List<ScheduledJobMissed>();
        var ran = before.Ran.ToBuilder();
        var gaveUp = before.Missed.ToBuilder();
        var lastMonitor = before.LastMonitor;

        if (_days.IsTradingDay(day) && t >= s.DayStart)
        {
            bool afterClose = t >= TradingSessions.Close;
            bool actedToday = before.Ran.Count > 0;
            void Decide(ScheduledJob job, TimeOnly at, bool run, string? whyNot)
            {
                if (before.Decided(job) || t < at) return;
                if (run)
                {
                    fire.Add((at, job, now - At(day, at) > s.LateAfter));
                    ran.Add(job);
                }
                else
                {
                    missed.Add(new ScheduledJobMissed(job, day, At(day, at), now, whyNot!));
                    gaveUp.Add(job);
                }
            }

            Decide(ScheduledJob.DayStart, s.DayStart, true, null);
            Decide(ScheduledJob.PreOpen, s.PreOpen, !afterClose, "the clock first looked after the close");
            bool onTime = now - At(day, s.Rebalance) <= s.LateAfter;
            bool beforeCancel = t < s.CancelOpenOrders;
            Decide(ScheduledJob.Rebalance, s.Rebalance, beforeCancel && (onTime || s.LateRebalance == LateRebalance.Run),
                !beforeCancel ? "the clock first looked after the cancel-open-orders time" : "late and late-rebalance = skip");
            Decide(ScheduledJob.CancelOpenOrders, s.CancelOpenOrders, !afterClose || actedToday,
                "the node first ran after the close: it placed no orders today");
            Decide(ScheduledJob.PostClose, s.PostClose, true, null);

            if (CurrentMonitorSlot(t) is { } slot && (lastMonitor is null || lastMonitor < slot))
            {
                fire.Add((slot, ScheduledJob.Monitor, false));
                lastMonitor = slot;
            }
        }

        var due = fire.OrderBy(x => x.T).ThenBy(x => x.J)
            .Select(x => new ScheduledJobDue(x.J, day, At(day, x.T), now, x.Late)).ToList();
        var after = new DayProgress(day, ran.ToImmutable(), gaveUp.ToImmutable(), lastMonitor);
        return new ScheduleStep(due, missed, after, NextWake(day, t, after));
    }

    /// <summary>The next instant strictly after (day, t) at which something of the schedule may be due.</summary>
    private DateTimeOffset NextWake(DateOnly day, TimeOnly t, DayProgress progress)
    {
        if (_days.IsTradingDay(day))
        {
            var s = Schedule;
            TimeOnly? next = null;
            void Consider(TimeOnly at, bool pending)
            {
                if (pending && at > t && (next is null || at < next)) next = at;
            }
            Consider(s.DayStart, !progress.Decided(ScheduledJob.DayStart));
            Consider(s.PreOpen, !progress.Decided(ScheduledJob.PreOpen));
            Consider(s.Rebalance, !progress.Decided(ScheduledJob.Rebalance));
            Consider(s.CancelOpenOrders, !progress.Decided(ScheduledJob.CancelOpenOrders));
            Consider(s.PostClose, !progress.Decided(ScheduledJob.PostClose));
            int i = Array.BinarySearch(_monitorSlots, t);
            i = i >= 0 ? i + 1 : ~i;
            if (i < _monitorSlots.Length) Consider(_monitorSlots[i], true);
            if (next is { } n) return At(day, n);
        }
        return _days.Next(day) is { } d ? At(d, Schedule.DayStart) : At(day.AddDays(1), TimeOnly.MinValue);
    }

    private TimeOnly? CurrentMonitorSlot(TimeOnly t)
    {
        int i = Array.BinarySearch(_monitorSlots, t);
        i = i >= 0 ? i : ~i - 1;
        return i >= 0 && t < _monitorUntil[i] ? _monitorSlots[i] : null;
    }

    /// <summary>Each continuous session's start + k × every before the session's end, current until the next slot or the session's end.</summary>
    private static List<(TimeOnly At, TimeOnly Until)> MonitorSlots(TimeSpan every)
    {
        var slots = new List<(TimeOnly, TimeOnly)>();
        foreach (var seg in TradingSessions.Segments.Where(x => x.Phase == SessionPhase.Continuous).OrderBy(x => x.Start))
            for (var at = seg.Start.ToTimeSpan(); at < seg.End.ToTimeSpan(); at += every)
                slots.Add((TimeOnly.FromTimeSpan(at), TimeOnly.FromTimeSpan(at + every < seg.End.ToTimeSpan() ? at + every : seg.End.ToTimeSpan())));
        return slots;
    }
}
