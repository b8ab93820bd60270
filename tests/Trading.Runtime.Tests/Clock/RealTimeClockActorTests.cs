using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using Trading.Runtime.Clock;
using Trading.Runtime.Tests.Actors;
using static Trading.Runtime.Tests.Clock.ClockFixture;
using J = Trading.Runtime.Clock.ScheduledJob;

namespace Trading.Runtime.Tests.Clock;

/// <summary>
/// The clock actor on a <see cref="FakeTimeProvider"/> whose host zone is New York: time moves only when a test moves
/// it. "Running" moves it a minute at a time (every job time is on a minute, so each step fires at most the one timer
/// the clock armed); "paused" moves the wall clock without firing timers (<see cref="FakeTimeProvider.AdjustTime"/>),
/// as a suspended process sees it, then lets the overdue tick arrive.
/// </summary>
public class RealTimeClockActorTests : RuntimeTestKit
{
    private readonly FakeTimeProvider _time;
    private readonly TestProbe _target;

    public RealTimeClockActorTests()
    {
        _time = new FakeTimeProvider(Sh(9, 30, 16, 0));
        _time.SetLocalTimeZone(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        _target = CreateTestProbe();
    }

    /// <summary>Starts the clock at Shanghai time <paramref name="at"/>.</summary>
    private IActorRef StartAt(DateTimeOffset at, DayProgress? progress = null)
    {
        if (_time.GetUtcNow() != at) _time.SetUtcNow(at);
        return Start(progress);
    }

    private IActorRef Start(DayProgress? progress = null, TradingSchedule? schedule = null) =>
        Sys.ActorOf(RealTimeClockActor.Props(Planner(schedule), _time, _target, progress));

    /// <summary>Every message the target got by the time the clock answered (the clock tells jobs before it answers).</summary>
    private async Task<List<object>> Drain(IActorRef clock)
    {
        await clock.Ask<ClockStatus>(GetClockStatus.Instance, TimeSpan.FromSeconds(10));
        var got = new List<object>();
        while (_target.HasMessages) got.Add(_target.ReceiveOne(TimeSpan.Zero)!);
        return got;
    }

    /// <summary>Runs the process until <paramref name="until"/>, a minute at a time; everything the target got.</summary>
    private async Task<List<object>> RunUntil(IActorRef clock, DateTimeOffset until)
    {
        var got = await Drain(clock);
        while (_time.GetUtcNow() < until)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            got.AddRange(await Drain(clock));
        }
        return got;
    }

    /// <summary>The process sleeps until <paramref name="until"/> (no timer fires), then wakes: its overdue tick arrives.</summary>
    private async Task<List<object>> PauseUntil(IActorRef clock, DateTimeOffset until)
    {
        await Drain(clock);
        _time.AdjustTime(until);
        _time.Advance(RealTimeClockActor.MaxSleep);
        return await Drain(clock);
    }

    private static List<(J Job, DateTimeOffset At)> Jobs(IEnumerable<object> got, bool monitors = false) =>
        got.OfType<ScheduledJobDue>().Where(j => monitors || j.Job != J.Monitor).Select(j => (j.Job, j.ScheduledAt)).ToList();

    [Fact]
    public async Task A_node_up_all_day_fires_every_job_at_its_shanghai_time_in_order()
    {
        var clock = StartAt(Sh(10, 8, 8, 0));
        var got = await RunUntil(clock, Sh(10, 8, 16, 0));
        var due = got.Cast<ScheduledJobDue>().ToList();
        Assert.Equal(Planner().Day(new DateOnly(2026, 10, 8)).Select(p => (p.Job, p.At)), due.Select(d => (d.Job, d.ScheduledAt)));
        Assert.All(due, d => Assert.Equal(d.ScheduledAt, d.FiredAt));
        Assert.All(due, d => Assert.False(d.Late));
        Assert.Equal(TimeSpan.FromHours(-4), _time.LocalTimeZone.GetUtcOffset(_time.GetUtcNow())); // the host is in New York (EDT)
    }

    [Fact]
    public async Task Started_mid_session_after_the_rebalance_it_rebuilds_state_reports_the_missed_rebalance_and_cancels_at_1455()
    {
        var clock = StartAt(Sh(10, 8, 10, 0));
        var first = await Drain(clock);
        Assert.Equal([(J.DayStart, Sh(10, 8, 8, 45)), (J.PreOpen, Sh(10, 8, 9, 0)), (J.Monitor, Sh(10, 8, 10, 0))], Jobs(first, monitors: true));
        var missed = Assert.Single(first.OfType<ScheduledJobMissed>());
        Assert.Equal(J.Rebalance, missed.Job);

        var rest = await RunUntil(clock, Sh(10, 8, 15, 40));
        Assert.Equal([(J.CancelOpenOrders, Sh(10, 8, 14, 55)), (J.PostClose, Sh(10, 8, 15, 30))], Jobs(rest));
        Assert.Empty(rest.OfType<ScheduledJobMissed>());
    }

    [Fact]
    public async Task Restarted_with_the_journaled_marker_it_does_not_rebalance_again()
    {
        var clock = StartAt(Sh(10, 8, 8, 0));
        await RunUntil(clock, Sh(10, 8, 9, 40));
        var marker = (await clock.Ask<ClockStatus>(GetClockStatus.Instance)).Progress;
        Assert.Contains(J.Rebalance, marker.Ran);
        Sys.Stop(clock);

        var again = Start(marker);
        var got = await RunUntil(again, Sh(10, 8, 15, 0));
        Assert.Equal([(J.CancelOpenOrders, Sh(10, 8, 14, 55))], Jobs(got));
    }

    /// <summary>Restarts its child on any failure (Akka's default strategy stops a killed actor instead).</summary>
    private sealed class RestartingParent : ReceiveActor
    {
        public RestartingParent(Props child)
        {
            var c = Context.ActorOf(child, "clock");
            Receive<string>(_ => Sender.Tell(c));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Restart);
    }

    [Fact]
    public async Task Restarted_by_its_supervisor_it_goes_on_from_what_it_already_fired()
    {
        _time.SetUtcNow(Sh(10, 8, 9, 30));
        var parent = Sys.ActorOf(Props.Create(() => new RestartingParent(RealTimeClockActor.Props(Planner(null), _time, _target, null))));
        var clock = await parent.Ask<IActorRef>("child", TimeSpan.FromSeconds(10));
        Assert.Equal([J.DayStart, J.PreOpen, J.Rebalance], Jobs(await RunUntil(clock, Sh(10, 8, 9, 40))).Select(j => j.Job));
        clock.Tell(Kill.Instance); // ActorKilledException: this parent restarts it
        var got = await RunUntil(clock, Sh(10, 8, 15, 0));
        Assert.Equal([(J.CancelOpenOrders, Sh(10, 8, 14, 55))], Jobs(got));
        Assert.Equal(Enumerable.Range(0, 109).Select(i => Sh(10, 8, 9, 41).AddMinutes(i)).Concat( // 09:41–11:29, 13:00–14:56
                Enumerable.Range(0, 117).Select(i => Sh(10, 8, 13, 0).AddMinutes(i))),
            got.OfType<ScheduledJobDue>().Where(j => j.Job == J.Monitor).Select(j => j.ScheduledAt).Order());
    }

    [Fact]
    public async Task A_process_paused_past_several_jobs_fires_what_is_due_once_in_order_when_it_resumes()
    {
        var clock = StartAt(Sh(10, 8, 8, 0));
        Assert.Equal([J.DayStart, J.PreOpen], Jobs(await RunUntil(clock, Sh(10, 8, 9, 10))).Select(j => j.Job));

        var resumed = await PauseUntil(clock, Sh(10, 8, 14, 55, 30)); // asleep over the rebalance and the cancel time
        var due = resumed.OfType<ScheduledJobDue>().ToList();
        Assert.Equal([J.CancelOpenOrders, J.Monitor], due.Select(d => d.Job));
        Assert.True(due[0].Late);
        Assert.Equal(Sh(10, 8, 14, 56, 30), due[0].FiredAt); // the overdue tick, within a minute of waking
        Assert.Equal(J.Rebalance, Assert.Single(resumed.OfType<ScheduledJobMissed>()).Job);

        var after = await RunUntil(clock, Sh(10, 8, 16, 0));
        Assert.Equal([(J.PostClose, Sh(10, 8, 15, 30))], Jobs(after));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_job_firing_late_after_a_pause_asks_may_trade_again_and_is_dropped_when_the_brain_may_not(bool mayTrade)
    {
        // CLUSTER_FAILOVER: a paused old primary fires its missed ticks at once on waking, before it learns it was replaced.
        _time.SetUtcNow(Sh(10, 8, 8, 0));
        var may = true;
        int asked = 0;
        var clock = Sys.ActorOf(RealTimeClockActor.Props(Planner(null), _time, _target, null, () => { asked++; return may; }, TimeSpan.FromSeconds(2)));
        Assert.Equal([J.DayStart, J.PreOpen], Jobs(await RunUntil(clock, Sh(10, 8, 9, 10))).Select(j => j.Job));
        Assert.Equal(0, asked); // on time: not asked

        may = mayTrade;
        var resumed = await PauseUntil(clock, Sh(10, 8, 9, 34, 50)); // the 09:35 rebalance's tick comes 50 s late
        var due = resumed.OfType<ScheduledJobDue>().ToList();
        Assert.True(asked > 0);
        if (mayTrade) Assert.Contains(J.Rebalance, due.Select(d => d.Job)); // within late-after: it runs, as before
        else Assert.Empty(due);                                            // dropped, not run
        Assert.Empty(resumed.OfType<ScheduledJobMissed>());

        // A tick on time is not distrusted: the 09:36 monitor is told whatever the check says.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([(J.Monitor, Sh(10, 8, 9, 36))], Jobs(await Drain(clock), monitors: true));
    }

    [Fact]
    public async Task Paused_across_midnight_it_never_fires_a_job_of_the_past_day()
    {
        var clock = StartAt(Sh(10, 8, 8, 0));
        await RunUntil(clock, Sh(10, 8, 10, 0));
        var resumed = await PauseUntil(clock, Sh(10, 9, 9, 1));
        Assert.Equal([(J.DayStart, Sh(10, 9, 8, 45)), (J.PreOpen, Sh(10, 9, 9, 0))], Jobs(resumed));
        Assert.Empty(resumed.OfType<ScheduledJobMissed>());
        Assert.All(resumed.OfType<ScheduledJobDue>(), d => Assert.Equal(new DateOnly(2026, 10, 9), d.Day));
    }

    [Fact]
    public async Task The_day_rolls_at_midnight_shanghai_not_at_the_hosts_midnight()
    {
        var clock = StartAt(Sh(10, 8, 15, 0));
        await RunUntil(clock, Sh(10, 8, 23, 59));
        Assert.Equal(new DateOnly(2026, 10, 8), (await clock.Ask<ClockStatus>(GetClockStatus.Instance)).Progress.Day);

        // Shanghai midnight is noon in New York: the marker rolls to the 9th, the next wake is the 9th's day start
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(12, TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _time.LocalTimeZone).Hour);
        var status = await clock.Ask<ClockStatus>(GetClockStatus.Instance);
        Assert.Equal(DayProgress.Empty(new DateOnly(2026, 10, 9)), status.Progress);
        Assert.Equal(Sh(10, 9, 8, 45), status.NextWake);

        var got = await RunUntil(clock, Sh(10, 9, 9, 0));
        Assert.Equal([(J.DayStart, Sh(10, 9, 8, 45)), (J.PreOpen, Sh(10, 9, 9, 0))], Jobs(got));
    }

    [Fact]
    public async Task Over_a_holiday_week_and_a_weekend_it_fires_nothing()
    {
        var clock = StartAt(Sh(10, 1, 0, 0)); // Thursday: National Day holidays, the weekend, holidays to Wednesday
        var got = await RunUntil(clock, Sh(10, 8, 8, 44));
        Assert.Empty(got);
        Assert.Equal(Sh(10, 8, 8, 45), (await clock.Ask<ClockStatus>(GetClockStatus.Instance)).NextWake);
        Assert.Equal([J.DayStart], Jobs(await RunUntil(clock, Sh(10, 8, 8, 45))).Select(j => j.Job));
    }
}
