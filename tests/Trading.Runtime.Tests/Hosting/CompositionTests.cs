using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Trading.Brokers;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Tests.Hosting;

/// <summary>
/// The composition root and the supervisor as the single entry point of a trading brain: the epoch is journaled
/// before any child starts and grows with every start (a stale primary is fenced at the broker), a configured epoch
/// below the journaled one is refused, commands are routed (none to another account), and the options come from HOCON.
/// </summary>
public class CompositionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 35, 0);
    private static readonly Symbol A = Symbol.Parse("600000.SH");
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"composition-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" }) if (File.Exists(f)) File.Delete(f);
    }

    private static TradingBrain Brain(IBrokerGateway gateway) => FlatBrain.For(gateway, At, Timeout);

    private static TradingNodeOptions Node(EpochSource? epoch = null) =>
        new() { AccountId = "acct-1", Epoch = epoch ?? EpochSource.Auto, Broker = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero } };

    /// <summary>One incarnation of the node on the shared SQLite journal: start, buy 100 shares under <paramref name="n"/>, stop.</summary>
    private async Task<NodeStatus> RunOnce(SimulatedExchange exchange, int n, EpochSource? epoch = null)
    {
        using var system = TradingSystem.Create("composition", JournalKind.Sqlite, _db, "akka.loglevel = ERROR");
        var trader = TradingComposition.Start(system, Node(epoch), Brain(exchange));
        var status = await TradingComposition.WaitReadyAsync(trader, Timeout);
        if (n == 1) await trader.Ask<Deposited>(new Deposit(1_000_000m, "seed"), Timeout);
        await trader.Ask<StepDone>(new StartDay(Day, n * 10), Timeout);
        var order = new OrderRequest(ClientOrderId.Create("t", Day, n), A, Side.Buy, 100, 10.00m, OrderType.Limit, Day);
        var result = await trader.Ask<ProposalResult>(new ForAccount("acct-1", new ProposeOrders("t", [order], n * 10 + 1)), Timeout);
        Assert.True(result.Approved.Count == 1, string.Join("; ", result.Rejected.Select(r => $"{r.Rule}: {r.Reason}")));
        await system.Terminate();
        return status;
    }

    [Fact]
    public async Task Every_start_journals_a_higher_epoch_before_trading_and_the_broker_sees_it_on_each_order()
    {
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(1_000_000m);
        exchange.BeginDay(Day);
        var first = await RunOnce(exchange, 1);
        var second = await RunOnce(exchange, 2);
        Assert.Equal(1, first.Epoch);
        Assert.Equal(2, second.Epoch);
        Assert.Equal([1L, 2L], exchange.Orders.OrderBy(o => o.Request.Id.Value).Select(o => o.Epoch).ToArray());
    }

    [Fact]
    public async Task An_order_held_because_the_brain_may_not_trade_stays_journaled_and_the_next_brain_sends_it_under_its_epoch()
    {
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(1_000_000m);
        exchange.BeginDay(Day);
        var order = new OrderRequest(ClientOrderId.Create("t", Day, 1), A, Side.Buy, 100, 10.00m, OrderType.Limit, Day);

        // Brain 1 has lost its lease (MayTrade false): the order is approved and written ahead, but never sent.
        using (var system = TradingSystem.Create("composition", JournalKind.Sqlite, _db, "akka.loglevel = ERROR"))
        {
            var suspended = Inbox.Create(system);
            system.EventStream.Subscribe(suspended.Receiver, typeof(TradingSuspended));
            var trader = TradingComposition.Start(system, Node(), Brain(exchange) with { MayTrade = () => false });
            Assert.Equal(1, (await TradingComposition.WaitReadyAsync(trader, Timeout)).Epoch);
            await trader.Ask<Deposited>(new Deposit(1_000_000m, "seed"), Timeout);
            await trader.Ask<StepDone>(new StartDay(Day, 10), Timeout);
            // Told, not asked: the answer waits for the broker's, which never comes for an order not sent.
            trader.Tell(new ForAccount("acct-1", new ProposeOrders("t", [order], 11)));
            var held = Assert.IsType<TradingSuspended>(await suspended.ReceiveAsync(Timeout));
            Assert.Equal(("acct-1", 1L), (held.AccountId, held.Epoch));
            Assert.Empty(exchange.Orders);
            await system.Terminate();
        }

        // Brain 2 (epoch 2, may trade) recovers the order from the journal and its OMS sends it on connect.
        using (var system = TradingSystem.Create("composition", JournalKind.Sqlite, _db, "akka.loglevel = ERROR"))
        {
            var trader = TradingComposition.Start(system, Node(), Brain(exchange));
            Assert.Equal(2, (await TradingComposition.WaitReadyAsync(trader, Timeout)).Epoch);
            var until = DateTime.UtcNow + Timeout;
            while (exchange.Orders.Count == 0 && DateTime.UtcNow < until) await Task.Delay(20);
            var sent = Assert.Single(exchange.Orders);
            Assert.Equal((order.Id, 2L), (sent.Id, sent.Epoch));
            Assert.Equal(2, exchange.HighestEpoch);
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_configured_epoch_below_the_journaled_one_is_refused_and_nothing_trades()
    {
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(1_000_000m);
        exchange.BeginDay(Day);
        Assert.Equal(5, (await RunOnce(exchange, 1, EpochSource.Of(5))).Epoch);

        using var system = TradingSystem.Create("composition", JournalKind.Sqlite, _db, "akka.loglevel = OFF");
        var trader = TradingComposition.Start(system, Node(EpochSource.Of(4)), Brain(exchange));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => TradingComposition.WaitReadyAsync(trader, Timeout));
        Assert.Contains("trading.epoch = 4 is below the epoch 5", e.Message);
        // A command is answered with the reason, not obeyed.
        var order = new OrderRequest(ClientOrderId.Create("t", Day, 9), A, Side.Buy, 100, 10.00m, OrderType.Limit, Day);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => trader.Ask<ProposalResult>(new ProposeOrders("t", [order], 1), Timeout));
        Assert.Contains("below the epoch 5", refused.Message);
        Assert.Single(exchange.Orders);
        await system.Terminate();
    }

    [Fact]
    public async Task Commands_for_another_account_are_refused_and_commands_sent_before_ready_wait()
    {
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(1_000_000m);
        using var system = TradingSystem.Create("composition", JournalKind.InMemory, extra: "akka.loglevel = ERROR");
        var trader = TradingComposition.Start(system, Node(), Brain(exchange));
        // Sent at once, before the epoch is journaled and the book exists: answered once it is.
        var deposited = await trader.Ask<Deposited>(new Deposit(500m, "seed"), Timeout);
        Assert.Equal(500m, deposited.Cash);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => trader.Ask<RiskStatus>(new ForAccount("someone-else", new EngageKillSwitch("x")), Timeout));
        Assert.Contains("for account 'someone-else'", refused.Message);
        var risk = await trader.Ask<RiskStatus>(new ForAccount("acct-1", new GetRiskStatus()), Timeout);
        Assert.False(risk.KillSwitchEngaged);
        await system.Terminate();
    }

    [Fact]
    public void Node_options_come_from_the_trading_block_and_bad_values_name_their_place()
    {
        var o = TradingNodeOptions.FromConfig(ConfigurationFactory.ParseString("""
            trading { account-id = "huatai-01", epoch = 7, broker { heartbeat-interval = 2s, reconnect-max-backoff = 1m } }
            """), "node.conf");
        Assert.Equal("huatai-01", o.AccountId);
        Assert.Equal(7, o.Epoch.Fixed);
        Assert.Equal(TimeSpan.FromSeconds(2), o.Broker.Heartbeat);
        Assert.Equal(TimeSpan.FromMinutes(1), o.Broker.ReconnectMaxBackoff);
        Assert.Null(TradingNodeOptions.FromConfig(ConfigurationFactory.ParseString("trading.epoch = auto"), "x.conf").Epoch.Fixed);

        var bad = Assert.Throws<Trading.Runtime.Configuration.ConfigException>(() => TradingNodeOptions.FromConfig(ConfigurationFactory.ParseString("trading.epoch = -3"), "node.conf"));
        Assert.Contains("node.conf: 'trading.epoch'", bad.Message);
        var unknown = Assert.ThrowsAny<Exception>(() => TradingNodeOptions.FromConfig(ConfigurationFactory.ParseString("trading.acount-id = x"), "node.conf"));
        Assert.Contains("acount-id", unknown.Message);
        var account = Assert.ThrowsAny<Exception>(() => TradingNodeOptions.FromConfig(ConfigurationFactory.ParseString("trading.account-id = \"a b\""), "node.conf"));
        Assert.Contains("'trading.account-id'", account.Message);
    }
}
