using Akka.Configuration;
using Trading.Node.Commands;
using Trading.Runtime.Configuration;

namespace Trading.Node.Tests;

/// <summary><c>trading.node.late-tick-tolerance</c>: how late a scheduled job may fire before the brain's may-trade check is asked again.</summary>
public class LateTickToleranceTests
{
    private static NodeFileOptions Parse(string extra) => NodeFileOptions.Parse(ConfigurationFactory.ParseString(
        $"trading.node {{ mode = paper, strategy = s.conf, store = x, data-dir = d {extra} }}"), Path.Combine(Path.GetTempPath(), "node.conf"));

    [Fact]
    public void It_defaults_to_two_seconds_and_reads_a_duration()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Parse("").LateTickTolerance);
        Assert.Equal(TimeSpan.FromSeconds(5), Parse(", late-tick-tolerance = 5s").LateTickTolerance);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("1500ms")]
    public void A_bad_value_names_its_place(string value)
    {
        var e = Assert.Throws<ConfigException>(() => Parse($", late-tick-tolerance = \"{value}\""));
        Assert.Contains("'trading.node.late-tick-tolerance'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
