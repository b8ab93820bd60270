using Trading.Runtime.Clock;
using static Trading.Runtime.Tests.Clock.ClockFixture;
using J = Trading.Runtime.Clock.ScheduledJob;

namespace Trading.Runtime.Tests.Clock;

public class SchedulePlannerTests
{
    private static readonly DateOnly Oct8 = new(2026, 10, 8);

    private static J[] Jobs(ScheduleStep s) => s.Fire.Select(f => f.Job).ToArray();

    [Fact]
    public void A_trading_day_lists_every_job_in_time_order_at_shanghai_times()
    {
        var day = Planner().Day(Oct8);
        Assert.Equal(5 + 120 + 117, day.Count); // 09:30–11:30 and 13:00–14:57 every minute
        Assert.Equal(day.OrderBy(j => j.At).ThenBy(j => j.Job), day);
        Assert.Equal((J.DayStart, Sh(10, 8, 8, 45)), (day[0].Job, day[0].At));
        Assert.Equal((J.PreOpen, Sh(10, 8, 9, 0)), (day[1].Job, day[1].At));
        Assert.Equal((J.Monitor, Sh(10, 8, 9, 30)), (day[2].Job, day[2].At));
        Assert.Equal(Sh(10, 8, 9, 35), day.Single(j => j.Job == J.Rebalance).At);
        Assert.Equal(Sh(10, 8, 14, 56), day.Last(j => j.Job == J.Monitor).At);
        Assert.Equal(Sh(10, 8, 14, 55), day.Single(j => j.Job == J.CancelOpenOrders).At);
        Assert.Equal((J.PostClose, Sh(10, 8, 15, 30)), (day[^1].Job, day[^1].At));
        Assert.All(day, j => Assert.Equal(Shanghai, j.At.Offset));
    }

    [Fact]
    public void Weekends_and_holidays_have_no_jobs_whether_from_the_store_or_the_config()
    {
        var p = Planner();
        Assert.Empty(p.Day(new DateOnly(2026, 9, 25)));  // weekday without bars in the store
        Assert.Empty(p.Day(new DateOnly(2026, 9, 26)));  // Saturday in the store's range
        Assert.Empty(p.Day(new DateOnly(2026, 10, 1)));  // configured holiday after the store
        Assert.Empty(p.Day(new DateOnly(2026, 10, 10))); // Saturday after the store
        Assert.NotEmpty(p.Day(new DateOnly(2026, 9, 24)));
        Assert.NotEmpty(p.Day(new DateOnly(2026, 10, 9)));
    }

    [Fact]
    public void On_a_holiday_nothing_is_due_and_the_next_wake_is_the_next_trading_days_start()
    {
        var s = Planner().Step(Sh(10, 1, 10, 0), null);
        Assert.Empty(s.Fire);
        Assert.Empty(s.Missed);
        Assert.Equal(Sh(10, 8, 8, 45), s.NextWake);

        var fromStoreHoliday = Planner().Step(Sh(9, 25, 14, 55), null);
        Assert.Empty(fromStoreHoliday.Fire);
        Assert.Equal(Sh(9, 28, 8, 45), fromStoreHoliday.NextWake);
    }

    [Fact]
    public void On_a_weekend_nothing_is_due_and_the_next_wake_is_monday()
    {
        var s = Planner().Step(Sh(10, 10, 9, 35), null);
        Assert.Empty(s.Fire);
        Assert.Equal(Sh(10, 12, 8, 45), s.NextWake);
    }

    [Fact]
    public void Before_day_start_nothing_is_due()
    {
        var s = Planner().Step(Sh(10, 8, 8, 44, 59), null);
        Assert.Empty(s.Fire);
        Assert.Equal(Sh(10, 8, 8, 45), s.NextWake);
    }

    [Fact]
    public void Started_mid_session_before_the_rebalance_catches_up_the_morning_and_rebalances_on_time()
    {
        var p = Planner();
        var s = p.Step(Sh(10, 8, 9, 32, 10), null);
        Assert.Equal([J.DayStart, J.PreOpen, J.Monitor], Jobs(s));
        Assert.All(s.Fire.Take(2), f => Assert.True(f.Late));
        Assert.Equal(Sh(10, 8, 9, 32), s.Fire[2].ScheduledAt);
        Assert.Equal(Sh(10, 8, 9, 33), s.NextWake);

        var r = p.Step(Sh(10, 8, 9, 35), s.Progress);
        Assert.Equal([J.Rebalance, J.Monitor], Jobs(r));
        Assert.False(r.Fire[0].Late);
    }

    [Fact]
    public void Started_after_the_rebalance_time_rebuilds_state_and_skips_the_rebalance_by_default()
    {
        var s = Planner().Step(Sh(10, 8, 10, 0, 30), null);
        Assert.Equal([J.DayStart, J.PreOpen, J.Monitor], Jobs(s));
        var missed = Assert.Single(s.Missed);
        Assert.Equal((J.Rebalance, Sh(10, 8, 9, 35)), (missed.Job, missed.ScheduledAt));
        Assert.Contains("late-rebalance = skip", missed.Reason);
        Assert.Equal(Sh(10, 8, 10, 1), s.NextWake);
        // decided: a later look never brings it back
        Assert.DoesNotContain(J.Rebalance, Jobs(Planner().Step(Sh(10, 8, 10, 1), s.Progress)));
    }

    [Fact]
    public void With_late_rebalance_run_a_node_started_after_the_rebalance_time_rebalances_late_once()
    {
        var p = Planner(TradingSchedule.Default with { LateRebalance = LateRebalance.Run });
        var s = p.Step(Sh(10, 8, 10, 0, 30), null);
        Assert.Equal([J.DayStart, J.PreOpen, J.Rebalance, J.Monitor], Jobs(s));
        Assert.True(s.Fire[2].Late);
        Assert.Empty(s.Missed);
        Assert.DoesNotContain(J.Rebalance, Jobs(p.Step(Sh(10, 8, 10, 1), s.Progress)));
    }

    [Fact]
    public void A_rebalance_a_few_seconds_behind_its_time_is_on_time()
    {
        var s = Planner().Step(Sh(10, 8, 9, 35, 59), Planner().Step(Sh(10, 8, 9, 34), null).Progress);
        Assert.Equal([J.Rebalance, J.Monitor], Jobs(s));
        Assert.False(s.Fire[0].Late);
    }

    [Fact]
    public void Started_after_the_cancel_time_cancels_and_never_rebalances_even_when_late_runs_are_allowed()
    {
        var p = Planner(TradingSchedule.Default with { LateRebalance = LateRebalance.Run });
        var s = p.Step(Sh(10, 8, 14, 56, 5), null);
        Assert.Equal([J.DayStart, J.PreOpen, J.CancelOpenOrders, J.Monitor], Jobs(s));
        Assert.Equal(J.Rebalance, Assert.Single(s.Missed).Job);
        Assert.Contains("cancel-open-orders", s.Missed[0].Reason);
    }

    [Fact]
    public void Started_after_the_close_only_rebuilds_the_day_and_runs_the_post_close()
    {
        var p = Planner();
        var s = p.Step(Sh(10, 8, 15, 10), null);
        Assert.Equal([J.DayStart], Jobs(s));
        Assert.Equal([J.PreOpen, J.Rebalance, J.CancelOpenOrders], s.Missed.Select(m => m.Job));
        Assert.Equal(Sh(10, 8, 15, 30), s.NextWake);

        var post = p.Step(Sh(10, 8, 15, 30), s.Progress);
        Assert.Equal([J.PostClose], Jobs(post));
        Assert.Empty(post.Missed);
        Assert.Empty(p.Step(Sh(10, 8, 23, 0), post.Progress).Fire);
        Assert.Equal(Sh(10, 9, 8, 45), p.Step(Sh(10, 8, 23, 0), post.Progress).NextWake);
    }

    [Fact]
    public void A_node_restarted_after_the_close_that_traded_today_cancels_its_open_orders_then_marks_to_market()
    {
        var p = Planner();
        var morning = p.Step(Sh(10, 8, 9, 35), p.Step(Sh(10, 8, 9, 0), null).Progress);
        Assert.Contains(J.Rebalance, morning.Progress.Ran);
        var s = p.Step(Sh(10, 8, 16, 0), morning.Progress); // the journaled marker after a crash at 09:40
        Assert.Equal([J.CancelOpenOrders, J.PostClose], Jobs(s));
        Assert.True(s.Fire[0].Late);
        Assert.Single(p.Step(Sh(10, 8, 16, 0), null).Missed, m => m.Job == J.PreOpen);
    }

    [Fact]
    public void Restarting_with_the_journaled_marker_never_repeats_a_job()
    {
        var p = Planner();
        var s = p.Step(Sh(10, 8, 9, 35), null);
        Assert.Contains(J.Rebalance, Jobs(s));
        var again = p.Step(Sh(10, 8, 9, 35, 20), s.Progress);
        Assert.Empty(again.Fire); // same monitor slot, everything else decided
        Assert.Equal(s.Progress, again.Progress);
    }

    [Fact]
    public void The_day_rolls_at_midnight_shanghai_whatever_zone_the_instant_is_written_in()
    {
        var p = Planner();
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var full = p.Step(Sh(10, 8, 15, 30), p.Step(Sh(10, 8, 9, 0), null).Progress).Progress;

        // 23:59:59 in Shanghai = 11:59:59 in New York on the 8th: still the 8th, everything decided
        var lastSecond = TimeZoneInfo.ConvertTime(Sh(10, 8, 23, 59, 59), newYork);
        Assert.Equal(new DateOnly(2026, 10, 8), DateOnly.FromDateTime(lastSecond.DateTime));
        var late = p.Step(lastSecond, full);
        Assert.Empty(late.Fire);
        Assert.Equal(new DateOnly(2026, 10, 8), late.Progress.Day);

        // midnight in Shanghai is noon of the 8th in New York: a new day, its marker empty, nothing before day start
        var midnight = TimeZoneInfo.ConvertTime(Sh(10, 9, 0, 0), newYork);
        Assert.Equal(new DateOnly(2026, 10, 8), DateOnly.FromDateTime(midnight.DateTime));
        var roll = p.Step(midnight, full);
        Assert.Empty(roll.Fire);
        Assert.Equal(DayProgress.Empty(new DateOnly(2026, 10, 9)), roll.Progress);
        Assert.Equal(Sh(10, 9, 8, 45), roll.NextWake);

        // a look after a pause across midnight fires the new day's jobs only, never the old day's
        var resumed = p.Step(TimeZoneInfo.ConvertTime(Sh(10, 9, 9, 1), newYork), p.Step(Sh(10, 8, 10, 0), null).Progress);
        Assert.Equal([J.DayStart, J.PreOpen], Jobs(resumed));
        Assert.All(resumed.Fire, f => Assert.Equal(new DateOnly(2026, 10, 9), f.Day));
    }

    [Fact]
    public void A_look_after_a_long_pause_fires_what_is_due_once_in_order_and_one_monitor_only()
    {
        var p = Planner();
        var early = p.Step(Sh(10, 8, 9, 0), null);
        var s = p.Step(Sh(10, 8, 14, 56, 30), early.Progress);
        Assert.Equal([J.CancelOpenOrders, J.Monitor], Jobs(s));
        Assert.Equal(Sh(10, 8, 14, 56), s.Fire[1].ScheduledAt);
        Assert.Equal(J.Rebalance, Assert.Single(s.Missed).Job);
    }

    [Fact]
    public void Monitors_are_not_fired_at_lunch_and_can_be_turned_off()
    {
        var p = Planner();
        var morning = p.Step(Sh(10, 8, 11, 29, 30), p.Step(Sh(10, 8, 9, 36), null).Progress);
        Assert.Equal([J.Monitor], Jobs(morning));
        var lunch = p.Step(Sh(10, 8, 12, 0), morning.Progress);
        Assert.Empty(lunch.Fire);
        Assert.Equal(Sh(10, 8, 13, 0), lunch.NextWake);

        var off = Planner(TradingSchedule.Default with { MonitorEvery = null });
        Assert.DoesNotContain(off.Day(Oct8), j => j.Job == J.Monitor);
        Assert.Equal([J.DayStart, J.PreOpen], Jobs(off.Step(Sh(10, 8, 10, 0), null)));
    }
}
