using Trading.Cluster.Hosting;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Tests;

public class ClusterSettingsTests
{
    private static ClusterSettings? Parse(string hocon, Dictionary<string, string>? env = null) =>
        ClusterSettings.FromConfig(Akka.Configuration.ConfigurationFactory.ParseString(hocon), "/tmp/node.conf", "acct",
            k => env is not null && env.TryGetValue(k, out var v) ? v : null);

    [Fact]
    public void A_file_without_a_cluster_block_is_a_single_node() => Assert.Null(Parse("trading { account-id = a }"));

    [Fact]
    public void Defaults_are_the_tuned_timings_and_seeds_are_normalised()
    {
        var s = Parse("trading.cluster { role = trader, port = 4100, seed-nodes = [\"127.0.0.1:4100\", \"akka.tcp://trading@10.0.0.2:4101\"] }")!;
        Assert.Equal(ClusterRole.Trader, s.Role);
        Assert.Equal(["akka.tcp://trading@127.0.0.1:4100", "akka.tcp://trading@10.0.0.2:4101"], s.SeedNodes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), s.StableAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.DownRemovalMargin);
        Assert.Equal("trader-acct", s.Lease.Name);
        Assert.Equal("akka.tcp://trading@127.0.0.1:4100", s.SelfAddress);
    }

    [Fact]
    public void The_environment_overrides_role_port_and_seeds()
    {
        var s = Parse("trading.cluster { role = trader, port = 4100 }",
            new() { [ClusterSettings.RoleVariable] = "witness", [ClusterSettings.PortVariable] = "4200", [ClusterSettings.SeedsVariable] = "h1:1, h2:2" })!;
        Assert.Equal(ClusterRole.Witness, s.Role);
        Assert.Equal(4200, s.Port);
        Assert.Equal(["akka.tcp://trading@h1:1", "akka.tcp://trading@h2:2"], s.SeedNodes);
    }

    [Theory]
    [InlineData("trading.cluster { role = brain }", "'trading.cluster.role' = 'brain' must be trader, witness or worker")]
    [InlineData("trading.cluster { role = trader, seed-nodes = [\"nohost\"] }", "'nohost' must be HOST:PORT")]
    [InlineData("trading.cluster { role = trader, seed-nodes = [\"akka.tcp://other@h:1\"] }", "names the actor system 'other'")]
    [InlineData("trading.cluster { role = trader, lease { ttl = 2s, heartbeat-interval = 1500ms } }", "must be less than half of ttl")]
    [InlineData("trading.cluster { role = trader, failure-detector { stable-after = soon } }", "'trading.cluster.failure-detector.stable-after' = 'soon' must be a duration")]
    [InlineData("trading.cluster { role = trader, colour = blue }", "colour")]
    public void Bad_settings_are_one_line_naming_the_key(string hocon, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(hocon));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
