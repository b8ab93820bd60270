namespace Trading.Risk.Tests;

public class DrawdownMonitorTests
{
    private static readonly DrawdownMonitor Monitor = new([0.05m, 0.10m], killSwitchAt: 0.20m);

    private static (DrawdownState State, List<MonitorAlert> Alerts) Run(params decimal[] navs)
    {
        var state = DrawdownState.Start;
        var alerts = new List<MonitorAlert>();
        foreach (var nav in navs)
        {
            var observed = Monitor.Observe(state, nav, Now);
            state = observed.State;
            alerts.AddRange(observed.Alerts);
        }
        return (state, alerts);
    }

    [Fact]
    public void Below_the_first_threshold_nothing_is_raised()
    {
        var (state, alerts) = Run(600_000m, 620_000m, 589_001m); // 5.0 % of 620,000 is 31,000
        Assert.Empty(alerts);
        Assert.Equal(620_000m, state.Peak);
    }

    [Fact]
    public void Each_threshold_alerts_once_per_crossing()
    {
        // 570,000 is exactly 5 % under 600,000; 565,000 stays in the same crossing; 540,000 is 10 %
        var (_, alerts) = Run(600_000m, 570_000m, 565_000m, 569_000m, 540_000m, 530_000m);
        Assert.Equal(2, alerts.Count);
        Assert.Contains("570,000.00 is 5.00% below its peak 600,000.00, past the 5.00% threshold", alerts[0].Message);
        Assert.Contains("past the 10.00% threshold", alerts[1].Message);
        Assert.All(alerts, a => Assert.False(a.EngageKillSwitch));
    }

    [Fact]
    public void A_recovery_rearms_the_thresholds()
    {
        // 580,000 is 3.3 % down: both re-armed; 570,000 crosses 5 % again
        var (state, alerts) = Run(600_000m, 540_000m, 580_000m, 570_000m);
        Assert.Equal(3, alerts.Count);
        Assert.Contains("past the 5.00% threshold", alerts[2].Message);
        Assert.Equal(1, state.Alerted);
    }

    [Fact]
    public void A_gap_crosses_several_thresholds_at_once_and_the_last_asks_for_the_kill_switch()
    {
        var (_, alerts) = Run(600_000m, 480_000m); // 20 %
        Assert.Equal([false, false, true], alerts.Select(a => a.EngageKillSwitch));
        Assert.Contains("engage the kill switch", alerts[2].Message);
    }

    [Fact]
    public void Thresholds_must_be_fractions() => Assert.Throws<ArgumentOutOfRangeException>(() => new DrawdownMonitor([5m]));
}

public class StuckOrderMonitorTests
{
    private static readonly StuckOrderMonitor Monitor = new(TimeSpan.FromMinutes(2));

    [Fact]
    public void Orders_older_than_the_timeout_without_a_final_report_are_stuck()
    {
        var submitted = Now;
        var stuck = Buy(Main, 100, 10.00m);
        var orders = new[]
        {
            new OpenOrder(stuck, OrderStatus.Submitted, 0, submitted),
            new OpenOrder(Buy(Sz, 100, 10.00m), OrderStatus.Filled, 100, submitted),              // final
            new OpenOrder(Buy(Star, 200, 10.00m), OrderStatus.PartiallyFilled, 100, submitted.AddSeconds(2)),
        };

        Assert.Empty(Monitor.Check(orders, submitted.AddMinutes(2)));                      // exactly the timeout: not yet
        var alert = Assert.Single(Monitor.Check(orders, submitted.AddMinutes(2).AddSeconds(1)));
        Assert.Equal(stuck.Id, alert.OrderId);
        Assert.Equal(S(Main), alert.Symbol);
        Assert.Contains("Submitted 121 s after submission, longer than 120 s", alert.Message);
        Assert.Equal(2, Monitor.Check(orders, submitted.AddMinutes(3)).Count);
    }

    [Fact]
    public void Orders_the_oms_never_reported_are_watched_through_the_context()
    {
        RiskContext ctx = Account().WithPending(Buy(Main, 100, 10.00m)); // approved 30 s before Now
        Assert.Single(Monitor.Check(ctx.OutstandingOrders, Now.AddMinutes(2)));
    }
}

public class CancelRateMonitorTests
{
    private static readonly CancelRateMonitor Monitor = new(0.5m, 10);

    private static RiskState DayWith(int orders, int cancels)
    {
        var state = StateWith(Enumerable.Range(0, orders).Select(i => Buy(Main, 100, 10.00m + i * 0.01m)).ToArray());
        for (int i = 0; i < cancels; i++) state = state.Apply(new OrderCancelled(NextId(), S(Main), Now));
        return state;
    }

    [Theory]
    [InlineData(10, 5, false)]  // 50 %: not above
    [InlineData(10, 6, true)]   // 60 %
    [InlineData(9, 9, false)]   // too few orders to judge
    [InlineData(0, 3, false)]
    public void Ratio_above_the_cap_once_enough_orders(int orders, int cancels, bool alerted)
    {
        var alert = Monitor.Check(DayWith(orders, cancels), Now);
        Assert.Equal(alerted, alert is not null);
        if (alert is not null) Assert.Contains("6 cancels / 10 orders = 60.0%", alert.Message);
    }
}
