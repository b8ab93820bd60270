using Akka.Configuration;
using Trading.Dashboard.Live;
using Trading.Runtime.Configuration;

namespace Trading.Dashboard.Tests.Live;

public sealed class LiveOptionsTests
{
    [Fact]
    public void A_live_block_sets_the_poll_and_the_push_rate_and_missing_keys_keep_the_defaults()
    {
        var o = LiveOptions.From(ConfigurationFactory.ParseString("poll-interval = 2s\nmax-pushes-per-second = 25"));
        Assert.Equal(TimeSpan.FromSeconds(2), o.PollInterval);
        Assert.Equal(25, o.MaxPushesPerSecond);
        Assert.Equal(200, o.MaxPendingEvents);
        Assert.Equal(new LiveOptions(), LiveOptions.From(null));
    }

    [Theory]
    [InlineData("poll-interval = fast", "trading.dashboard.live.poll-interval = 'fast'")]
    [InlineData("poll-interval = 10ms", "trading.dashboard.live.poll-interval = 10ms")]
    [InlineData("max-pushes-per-second = 0", "trading.dashboard.live.max-pushes-per-second = '0'")]
    [InlineData("max-pending-events = 2.5", "trading.dashboard.live.max-pending-events = '2.5'")]
    public void A_bad_value_is_one_line_naming_the_key(string hocon, string start)
    {
        var e = Assert.Throws<ConfigException>(() => LiveOptions.From(ConfigurationFactory.ParseString(hocon)));
        Assert.StartsWith(start, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
