using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Trading.Brokers;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;
using static Trading.Backtest.Tests.HandCalculatedBacktestTests;

namespace Trading.Backtest.Tests;

/// <summary>Each row of the supervision table (TradingSupervisor's documentation), exercised on the real tree.</summary>
public class SupervisionTests() : TestKit(TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = WARNING"))
{
    private static readonly DateTime At = new(2024, 2, 1, 9, 25, 0);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The tree as every node builds it (the composition root), with a fixed quote and a 60 % position cap.</summary>
    private (IActorRef Trader, Kids Kids, SimulatedExchange Exchange) Tree(IStrategyModel model, IBrokerGateway? gateway = null, string account = "sup")
    {
        var panel = Panel();
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(100_000m);
        var node = new TradingNodeOptions
        {
            AccountId = account,
            Broker = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero, ReconnectMinBackoff = TimeSpan.FromMilliseconds(400), ReconnectMaxBackoff = TimeSpan.FromSeconds(8) },
        };
        var brain = new TradingBrain
        {
            Gateway = gateway ?? exchange,
            Now = () => At,
            Quotes = (s, d) => new TradeQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m), false),
            Strategies = [new StrategySpec(new StrategyConfig { Name = model.Name, CashBuffer = 0 }, model, panel)],
            Risk = RiskOptions.Default with { MaxPositionWeight = 0.6m },
            StepTimeout = Timeout,
            Watchdog = new WatchdogOptions(),
        };
        var trader = TradingComposition.Start(Sys, node, brain, "trader-" + account);
        TradingComposition.WaitReadyAsync(trader, Timeout).GetAwaiter().GetResult();
        trader.Ask<Deposited>(new Deposit(100_000m, "seed"), Timeout).GetAwaiter().GetResult();
        return (trader, new Kids(this, trader), exchange);
    }

    /// <summary>The children, found by path — only tests look inside the brain (the supervisor hands out no child).</summary>
    private sealed class Kids(TestKit kit, IActorRef trader)
    {
        private IActorRef Child(string name) => kit.Sys.ActorSelection(trader.Path / name).ResolveOne(Timeout).GetAwaiter().GetResult();
        public IActorRef Risk => Child("risk-guard");
        public IActorRef Book => Child("position-book");
        public IActorRef Orders => Child("orders");
        public IActorRef Rebalancer => Child("rebalancer");
        public IActorRef Strategy(string name) => Child(TradingSupervisor.ChildName(name));
    }

    [Fact]
    public void A_strategy_that_throws_is_stopped_and_raises_an_alert()
    {
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var (trader, kids, exchange) = Tree(new FixedTargetModel("broken", [], new InvalidOperationException("division by zero in a factor")), account: "s1");
        var strategy = kids.Strategy("broken");
        Watch(strategy);
        trader.Tell(new Decide(D1, 1));
        // The clock's step fails at once and the strategy is stopped (either may be seen first).
        var seen = ReceiveN(2, Timeout);
        Assert.Contains(seen, m => m is Status.Failure f && f.Cause.ToString().Contains("division by zero"));
        Assert.Contains(seen, m => m is Terminated t && t.ActorRef.Equals(strategy));
        var alert = alerts.FishForMessage<RiskAlert>(a => a.Kind == "failure");
        Assert.Contains("strategy-broken", alert.Source);
        Assert.Empty(exchange.Orders); // it never traded
    }

    [Fact]
    public void While_the_risk_guard_is_down_no_order_leaves()
    {
        var (trader, kids, exchange) = Tree(HalfAndForty(), account: "s2");
        var risk = kids.Risk;
        Watch(risk);
        Sys.Stop(risk);
        ExpectTerminated(risk);
        var target = new TargetPortfolio("hand", D1, new Dictionary<Symbol, double> { [A] = 0.5 }.ToImmutableSortedDictionary(), 1);
        kids.Rebalancer.Tell(target);
        ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Assert.Empty(exchange.Orders);
    }

    [Fact]
    public async Task The_kill_switch_rejects_new_orders_cancels_open_ones_and_survives_a_restart()
    {
        var (trader, kids, exchange) = Tree(HalfAndForty(), account: "s3");
        exchange.BeginDay(D1);
        var target = new TargetPortfolio("hand", D1, new Dictionary<Symbol, double> { [A] = 0.3 }.ToImmutableSortedDictionary(), 1);
        var first = await kids.Rebalancer.Ask<ProposalResult>(target, Timeout);
        Assert.Single(first.Approved);
        Assert.Single(exchange.Orders, o => o.Status == OrderStatus.Submitted);

        trader.Tell(new ForAccount("s3", new EngageKillSwitch("operator: test")));
        Assert.True(ExpectMsg<RiskStatus>().KillSwitchEngaged);
        AwaitAssert(() => Assert.All(exchange.Orders, o => Assert.Equal(OrderStatus.Cancelled, o.Status)), Timeout);

        // The risk guard restarts (e.g. after a crash) and recovers the switch from its journal.
        var risk = kids.Risk;
        Watch(risk);
        Sys.Stop(risk);
        ExpectTerminated(risk);
        var risk2 = Sys.ActorOf(RiskGuardActor.Props("s3", RiskOptions.Default, kids.Orders, kids.Book,
            (s, d) => new MarketQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m)), MarketRules.Default, Trading.Domain.Fees.FeeSchedule.Default, () => At));
        risk2.Tell(new GetRiskStatus());
        Assert.True(ExpectMsg<RiskStatus>().KillSwitchEngaged);
        var order = new OrderRequest(ClientOrderId.Create("hand", D1, 99), A, Side.Buy, 100, 10.00m, OrderType.Limit, D1);
        var verdict = await risk2.Ask<ProposalResult>(new ProposeOrders("hand", [order], 2), Timeout);
        Assert.Equal(PreTradeChain.KillSwitchRule, Assert.Single(verdict.Rejected).Rule);
    }

    [Fact]
    public void A_broker_session_that_cannot_connect_is_restarted_with_growing_backoff()
    {
        var gateway = new FlakyGateway(failures: 4);
        var (trader, kids, exchange) = Tree(HalfAndForty(), gateway, account: "s4");
        AwaitCondition(() => gateway.Attempts.Count >= 5, TimeSpan.FromSeconds(30));
        var gaps = gateway.Attempts.Zip(gateway.Attempts.Skip(1), (a, b) => b - a).ToList();
        // Waits double (± 20 %): 400 ms, 800, 1,600, 3,200. The first includes the tree's start-up and a loaded machine
        // adds up to a second to any of them, so compare the fourth with the second.
        Assert.True(gaps[3] > gaps[1] * 1.5, $"backoff should grow: {string.Join(", ", gaps.Select(g => g.TotalMilliseconds))} ms");
        Assert.True(gateway.IsConnected);
    }

    /// <summary>A gateway whose first connects fail (timestamps kept to measure the backoff).</summary>
    private sealed class FlakyGateway(int failures) : IBrokerGateway
    {
        private int _left = failures;
        public List<DateTime> Attempts { get; } = [];
        public string Name => "flaky";
        public IDisposable Listen(Action<GatewayEvent> listener) => new GatewayListeners().Add(listener);
        public bool IsConnected { get; private set; }
        public Task<GatewaySession> ConnectAsync(CancellationToken ct)
        {
            lock (Attempts) Attempts.Add(DateTime.UtcNow);
            if (Interlocked.Decrement(ref _left) >= 0) return Task.FromException<GatewaySession>(new IOException("connection refused"));
            IsConnected = true;
            return Task.FromResult(new GatewaySession("flaky", 0));
        }
        public Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct) => Task.FromResult(ReplayResult.Missing);
        public Task DisconnectAsync(CancellationToken ct) { IsConnected = false; return Task.CompletedTask; }
        public Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct) => Task.CompletedTask;
        public Task<long> FenceAsync(long epoch, CancellationToken ct) => Task.FromResult(epoch);
        public Task CancelAsync(ClientOrderId id, CancellationToken ct) => Task.CompletedTask;
        public Task<BrokerAccount> QueryAccountAsync(CancellationToken ct) => Task.FromResult(new BrokerAccount(0, 0, []));
        public Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<BrokerOrder>>([]);
    }
}
