using Trading.Runtime.Clock;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Tests.Clock;

public class TradingScheduleConfigTests
{
    private const string File = "node.conf";

    private static TradingSchedule Parse(string block) => TradingSchedule.Parse(HoconFile.Parse($"trading {{ schedule {{ {block} }} }}", File), File);

    [Fact]
    public void The_shipped_base_conf_reads_as_the_defaults()
    {
        var s = TradingSchedule.Parse(TradingSystem.LoadConfig(JournalKind.InMemory), "base.conf");
        var d = TradingSchedule.Default;
        Assert.Equal((d.DayStart, d.PreOpen, d.Rebalance, d.MonitorEvery, d.CancelOpenOrders, d.PostClose, d.LateAfter, d.LateRebalance),
            (s.DayStart, s.PreOpen, s.Rebalance, s.MonitorEvery, s.CancelOpenOrders, s.PostClose, s.LateAfter, s.LateRebalance));
        Assert.Equal(new TimeOnly(9, 35), s.Rebalance);
        Assert.Equal(TimeSpan.FromMinutes(1), s.MonitorEvery);
        Assert.Equal(TimeSpan.FromHours(8), s.TimeZone.BaseUtcOffset);
        Assert.Empty(s.Holidays);
    }

    [Fact]
    public void A_full_block_is_read()
    {
        var s = Parse("""
            day-start = "08:30", pre-open = "09:26", rebalance = "13:00:30", monitor-every = 5m, cancel-open-orders = "14:56:59"
            post-close = "16:00", late-after = 2m, late-rebalance = run, time-zone = "Asia/Shanghai", holidays = ["2026-10-01", "20261002"]
            """);
        Assert.Equal((new TimeOnly(8, 30), new TimeOnly(9, 26), new TimeOnly(13, 0, 30), TimeSpan.FromMinutes(5)), (s.DayStart, s.PreOpen, s.Rebalance, s.MonitorEvery));
        Assert.Equal((new TimeOnly(14, 56, 59), new TimeOnly(16, 0), TimeSpan.FromMinutes(2), LateRebalance.Run), (s.CancelOpenOrders, s.PostClose, s.LateAfter, s.LateRebalance));
        Assert.Equal([new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 2)], s.Holidays);
        Assert.Null(Parse("monitor-every = off").MonitorEvery);
    }

    [Theory]
    [InlineData("rebalance = \"12:00\"", "'trading.schedule.rebalance' = '12:00:00' must be inside continuous trading")]
    [InlineData("rebalance = \"09:20\"", "'trading.schedule.rebalance' = '09:20:00' must be inside continuous trading")]
    [InlineData("rebalance = \"14:58\"", "'trading.schedule.rebalance' = '14:58:00' must be inside continuous trading")]
    [InlineData("cancel-open-orders = \"14:58\"", "'trading.schedule.cancel-open-orders' = '14:58:00' must be inside continuous trading")]
    [InlineData("cancel-open-orders = \"15:10\"", "'trading.schedule.cancel-open-orders' = '15:10:00' must be inside continuous trading")]
    [InlineData("cancel-open-orders = \"09:35\"", "'trading.schedule.cancel-open-orders' = '09:35:00' must be after the rebalance (09:35:00)")]
    [InlineData("rebalance = \"14:00\", cancel-open-orders = \"10:00\"", "'trading.schedule.cancel-open-orders' = '10:00:00' must be after the rebalance")]
    [InlineData("post-close = \"14:59\"", "'trading.schedule.post-close' = '14:59:00' must be at or after the close (15:00)")]
    [InlineData("pre-open = \"09:30\"", "'trading.schedule.pre-open' = '09:30:00' must be before the continuous open")]
    [InlineData("day-start = \"09:00\"", "'trading.schedule.day-start' = '09:00:00' must be before pre-open")]
    [InlineData("pre-open = \"9:00\"", "'trading.schedule.pre-open' = '9:00' must be a Shanghai time HH:mm")]
    [InlineData("post-close = \"24:00\"", "'trading.schedule.post-close' = '24:00' must be a Shanghai time")]
    [InlineData("rebalance = \"09:61\"", "'trading.schedule.rebalance' = '09:61' must be a Shanghai time")]
    [InlineData("monitor-every = 60", "'trading.schedule.monitor-every' = '60' must be a duration with a unit")]
    [InlineData("monitor-every = 0s", "'trading.schedule.monitor-every' = '0s' must be whole seconds between 1s and 3600s")]
    [InlineData("monitor-every = 1500ms", "'trading.schedule.monitor-every' = '1500ms' must be whole seconds")]
    [InlineData("late-after = 2h", "'trading.schedule.late-after' = '2h' must be whole seconds between 1s and 3600s")]
    [InlineData("late-rebalance = maybe", "'trading.schedule.late-rebalance' = 'maybe' must be one of skip, run")]
    [InlineData("time-zone = \"America/New_York\"", "'trading.schedule.time-zone' = 'America/New_York' is not Beijing time (UTC+8)")]
    [InlineData("time-zone = \"Mars/Olympus\"", "'trading.schedule.time-zone' = 'Mars/Olympus' is not a time zone this host knows")]
    [InlineData("holidays = [\"2026-10-01\", \"2026-13-01\"]", "'trading.schedule.holidays[1]' = '2026-13-01' must be a date")]
    [InlineData("rebalanse = \"09:40\"", "unknown key 'trading.schedule.rebalanse'")]
    [InlineData("rebalance { at = \"09:40\" }", "'trading.schedule.rebalance' must be a single value")]
    public void Bad_values_are_one_line_errors_naming_the_file_and_key(string block, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(block));
        Assert.StartsWith(File + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_schedule_that_is_not_a_block_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => TradingSchedule.Parse(HoconFile.Parse("trading { schedule = 5 }", File), File));
        Assert.Equal("node.conf: 'trading.schedule' must be a block { … }.", e.Message);
    }
}
