using Akka.Configuration;
using Trading.Runtime.Actors;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Tests.Actors;

public class BrokerSessionOptionsTests
{
    [Fact]
    public void The_broker_block_of_base_conf_is_read_strictly()
    {
        var o = BrokerSessionOptions.From(TradingSystem.LoadConfig(JournalKind.InMemory,
            extra: "trading.broker.submit-timeout = 7s\ntrading.broker.heartbeat-interval = off"));
        Assert.Equal(TimeSpan.FromSeconds(7), o.SubmitTimeout);
        Assert.Equal(TimeSpan.Zero, o.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(10), o.ConnectTimeout); // from base.conf
        Assert.Equal(TimeSpan.FromSeconds(30), o.ReconnectMaxBackoff);

        var typo = Assert.Throws<ConfigException>(() => BrokerSessionOptions.From(ConfigurationFactory.ParseString("trading.broker.submit-timout = 5s")));
        Assert.Contains("trading.broker.submit-timout", typo.Message);
        Assert.Throws<ConfigException>(() => BrokerSessionOptions.From(ConfigurationFactory.ParseString("trading.broker.query-timeout = 5000")));
    }
}
