using Trading.Domain.Rules;
using Akka.Actor;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Tests.Actors;

public class WatchdogActorTests : RuntimeTestKit
{
    [Fact]
    public void Watchdog_defaults_are_the_risk_blocks_defaults()
    {
        // one default per setting: the stuck-order timeout was 30 s here and 2 min in RiskOptions
        var d = new WatchdogOptions();
        var r = Trading.Risk.RiskOptions.Default;
        Assert.Equal(r.StuckOrderTimeout, d.StuckAfter);
        Assert.Equal(r.KillSwitchDrawdown, d.KillSwitchDrawdown);
        Assert.Equal<decimal>(r.DrawdownAlerts, d.DrawdownAlerts);
    }

    [Fact]
    public void Drawdown_alerts_once_per_level_and_engages_the_kill_switch_past_its_level()
    {
        var risk = CreateTestProbe();
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var watchdog = Sys.ActorOf(WatchdogActor.Props(new WatchdogOptions { DrawdownAlerts = [0.05m, 0.10m], KillSwitchDrawdown = 0.20m }, risk.Ref, Clock));

        watchdog.Tell(new NavMarked(new DateOnly(2024, 1, 2), 1_000_000m));
        ExpectMsg<StepDone>();
        watchdog.Tell(new NavMarked(new DateOnly(2024, 1, 3), 940_000m)); // −6 %: the 5 % alert
        ExpectMsg<StepDone>();
        Assert.Contains("5.00%", alerts.ExpectMsg<RiskAlert>().Message);
        watchdog.Tell(new NavMarked(new DateOnly(2024, 1, 4), 945_000m)); // still past 5 %: no second alert
        ExpectMsg<StepDone>();
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        risk.ExpectNoMsg(TimeSpan.FromMilliseconds(50));

        watchdog.Tell(new NavMarked(new DateOnly(2024, 1, 5), 790_000m)); // −21 %: 10 % and 20 % levels
        ExpectMsg<StepDone>();
        Assert.Contains("10.00%", alerts.ExpectMsg<RiskAlert>().Message);
        Assert.Contains("kill switch", alerts.ExpectMsg<RiskAlert>().Message);
        Assert.StartsWith("watchdog:", risk.ExpectMsg<EngageKillSwitch>().Reason);
    }

    private static Trading.Runtime.State.OrderState Stuck(int n, Trading.Domain.Orders.OrderStatus status, DateTime since)
    {
        var day = new DateOnly(2024, 1, 2);
        var o = new Trading.Domain.Orders.OrderRequest(Trading.Domain.Orders.ClientOrderId.Create("w", day, n),
            Trading.Domain.Instruments.Symbol.Parse("600000.SH"), Side.Buy, 100, 10m, Trading.Domain.Orders.OrderType.Limit, day);
        return Trading.Runtime.State.OrderState.Create(new Trading.Runtime.State.OrderCreated(o.Id, since, o)) with { Status = status, UpdatedAt = since };
    }

    [Fact]
    public void Stuck_orders_are_checked_on_a_timer_and_alerted_once_each()
    {
        // Before: nothing ever sent CheckStuckOrders, so a stuck order was never reported.
        var at = new DateTime(2024, 1, 2, 9, 30, 0);
        var now = at;
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var watchdog = Sys.ActorOf(WatchdogActor.Props(new WatchdogOptions
        {
            StuckAfter = TimeSpan.FromMinutes(2), StuckCheckInterval = TimeSpan.FromMilliseconds(50),
        }, CreateTestProbe().Ref, () => now));
        var a = Stuck(1, Trading.Domain.Orders.OrderStatus.SubmitUnknown, at);
        var b = Stuck(2, Trading.Domain.Orders.OrderStatus.Submitted, at); // acknowledged: not stuck
        watchdog.Tell(new OrderUpdated(a, "wd"));
        watchdog.Tell(new OrderUpdated(b, "wd"));
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // not yet past the timeout
        now = at.AddMinutes(3);
        var alert = alerts.ExpectMsg<RiskAlert>(TimeSpan.FromSeconds(3));
        Assert.Equal(("stuck-order", a.Id), (alert.Kind, alert.OrderId));
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(400)); // many more ticks, no second alert
        // Stuck again in another state (a cancel nobody answers): one more alert.
        watchdog.Tell(new OrderUpdated(a with { Status = Trading.Domain.Orders.OrderStatus.PendingCancel }, "wd"));
        Assert.Equal(a.Id, alerts.ExpectMsg<RiskAlert>(TimeSpan.FromSeconds(3)).OrderId);
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Without_a_timer_the_close_of_day_step_checks_for_stuck_orders()
    {
        var at = new DateTime(2024, 1, 2, 9, 30, 0);
        var now = at;
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var watchdog = Sys.ActorOf(WatchdogActor.Props(new WatchdogOptions { StuckCheckInterval = TimeSpan.Zero }, CreateTestProbe().Ref, () => now));
        var a = Stuck(1, Trading.Domain.Orders.OrderStatus.PendingSubmit, at);
        watchdog.Tell(new OrderUpdated(a, "wd"));
        now = at.AddHours(6);
        watchdog.Tell(new NavMarked(new DateOnly(2024, 1, 2), 1_000_000m, 4));
        Assert.Equal(a.Id, alerts.ExpectMsg<RiskAlert>().OrderId); // published before the step is done
        ExpectMsg<StepDone>();
        watchdog.Tell(new NavMarked(new DateOnly(2024, 1, 2), 1_000_000m, 5));
        ExpectMsg<StepDone>();
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
