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
}
