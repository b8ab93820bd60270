using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Runtime.Clock;
using static Trading.Runtime.Tests.Clock.ClockFixture;
using J = Trading.Runtime.Clock.ScheduledJob;

namespace Trading.Runtime.Tests.Clock;

/// <summary>
/// The clock's loop (look, fire, sleep until the next wake or at most a minute — what <see cref="RealTimeClockActor"/>
/// does) simulated over 24 Sept – 1 Oct 2026 (a store holiday, a weekend, three trading days, a configured holiday)
/// with a random start, random pauses (no look inside one; the overdue tick comes when it ends), timers a few seconds
/// late, and random late-rebalance and monitor settings. The journaled marker is the state carried across pauses.
/// </summary>
public class ClockScheduleProperties
{
    public sealed record Scenario(int StartMinute, (int Start, int Length)[] Pauses, bool LateRun, int MonitorSeconds, int Seed)
    {
        public override string ToString() =>
            $"start {Origin.AddMinutes(StartMinute):MM-dd HH:mm}, pauses [{string.Join(", ", Pauses.Select(p => $"{Origin.AddMinutes(p.Start):MM-dd HH:mm}+{p.Length}m"))}], " +
            $"late-rebalance {(LateRun ? "run" : "skip")}, monitor {MonitorSeconds}s, seed {Seed}";
    }

    private static readonly DateTimeOffset Origin = Sh(9, 24, 0, 0);
    private static readonly DateTimeOffset End = Sh(10, 2, 0, 0);

    private static Gen<Scenario> Scenarios() =>
        from start in Gen.Choose(0, 2 * 1440 - 1)
        from n in Gen.Choose(0, 5)
        from pauses in Gen.Choose(0, 7 * 1440).Zip(Gen.OneOf(Gen.Choose(1, 120), Gen.Choose(1, 2 * 1440))).ArrayOf(n)
        from late in Gen.Elements(false, true)
        from monitor in Gen.Elements(0, 60, 420, 2700)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Scenario(start, pauses, late, monitor, seed);

    private static List<ScheduledJobDue> Simulate(Scenario s, SchedulePlanner planner, List<DateTimeOffset> looks)
    {
        var rng = new Random(s.Seed);
        var pauses = s.Pauses.Select(p => (From: Origin.AddMinutes(p.Start), To: Origin.AddMinutes(p.Start + p.Length))).ToArray();
        var fired = new List<ScheduledJobDue>();
        DayProgress? marker = null;
        var now = Origin.AddMinutes(s.StartMinute);
        while (now < End)
        {
            looks.Add(now);
            var step = planner.Step(now, marker);
            marker = step.Progress;
            fired.AddRange(step.Fire);
            var wait = step.NextWake - now;
            if (wait > RealTimeClockActor.MaxSleep) wait = RealTimeClockActor.MaxSleep;
            var next = now + wait + TimeSpan.FromMilliseconds(rng.Next(0, 5000)); // timers fire a little late
            foreach (var (from, to) in pauses.OrderBy(p => p.From))
                if (next >= from && next < to) next = to; // asleep: the tick arrives when the process wakes
            now = next;
        }
        return fired;
    }

    [Property(MaxTest = 150)]
    public Property Rebalance_at_most_once_a_day_and_the_cancel_once_whenever_the_node_traded_and_saw_the_cancel_time()
    {
        return Prop.ForAll(Scenarios().ToArbitrary(), s =>
        {
            var schedule = TradingSchedule.Default with
            {
                LateRebalance = s.LateRun ? LateRebalance.Run : LateRebalance.Skip,
                MonitorEvery = s.MonitorSeconds == 0 ? null : TimeSpan.FromSeconds(s.MonitorSeconds),
            };
            var planner = Planner(schedule);
            var looks = new List<DateTimeOffset>();
            var fired = Simulate(s, planner, looks);

            foreach (var f in fired)
            {
                Assert.Equal(planner.DayOf(f.FiredAt), f.Day);                     // never a job of a past day
                Assert.True(planner.Days.IsTradingDay(f.Day), $"{f.Job} on {f.Day}");
                Assert.True(f.FiredAt >= f.ScheduledAt);
            }
            foreach (var day in fired.GroupBy(f => f.Day))
            {
                var jobs = day.ToList();
                Assert.Equal(J.DayStart, jobs[0].Job);                               // the day's state first
                foreach (var job in new[] { J.DayStart, J.PreOpen, J.Rebalance, J.CancelOpenOrders, J.PostClose })
                    Assert.True(jobs.Count(j => j.Job == job) <= 1, $"{job} twice on {day.Key}");
                var monitors = jobs.Where(j => j.Job == J.Monitor).Select(j => j.ScheduledAt).ToList();
                Assert.Equal(monitors.Distinct().Count(), monitors.Count);           // a monitor slot at most once
                if (jobs.FirstOrDefault(j => j.Job == J.Rebalance) is { } r)
                {
                    Assert.True(r.FiredAt < planner.At(day.Key, schedule.CancelOpenOrders));
                    Assert.True(s.LateRun || !r.Late);
                }
            }

            for (var d = DateOnly.FromDateTime(Origin.DateTime); d < DateOnly.FromDateTime(End.DateTime); d = d.AddDays(1))
            {
                var ofDay = fired.Where(f => f.Day == d).ToList();
                var cancels = ofDay.Count(f => f.Job == J.CancelOpenOrders);
                bool tradedBeforeClose = ofDay.Any(f => f.FiredAt < planner.At(d, new TimeOnly(15, 0)));
                bool sawCancelTime = looks.Any(l => l >= planner.At(d, schedule.CancelOpenOrders) && planner.DayOf(l) == d);
                if (tradedBeforeClose && sawCancelTime) Assert.Equal(1, cancels);
                if (!planner.Days.IsTradingDay(d)) Assert.Empty(ofDay);

                // up, unpaused, from before the rebalance through it: the rebalance runs on time, once
                var rebalanceAt = planner.At(d, schedule.Rebalance);
                bool upThrough = planner.Days.IsTradingDay(d) && Origin.AddMinutes(s.StartMinute) < rebalanceAt.AddMinutes(-1)
                                 && !s.Pauses.Any(p => Origin.AddMinutes(p.Start) < rebalanceAt.AddMinutes(2) && Origin.AddMinutes(p.Start + p.Length) > rebalanceAt.AddMinutes(-1));
                if (upThrough) Assert.Single(ofDay, f => f.Job == J.Rebalance && !f.Late);
            }
        });
    }
}
