using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Trading.Brokers;
using Trading.Cluster.Control;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Cluster.Tests.Control;

/// <summary>
/// Every console command against a real brain (the composition root's <see cref="TradingSupervisor"/> on a simulated
/// exchange, in-memory journal), through the endpoint, with one stand-in strategy that reports each decide step it gets.
/// </summary>
public class TraderControlTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 35, 0);
    private static readonly Symbol A = Symbol.Parse("600000.SH"), B = Symbol.Parse("000001.SZ");
    private const string Account = "acct-1";

    public TraderControlTests() : base(TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = WARNING")) { }

    private sealed class ProbeStrategy : ReceiveActor
    {
        public ProbeStrategy(IActorRef probe) => Receive<Decide>(d =>
        {
            probe.Tell(d);
            Sender.Tell(new StepDone(d.Step, "alpha"));
        });
    }

    private TradingNodeSetup Setup(SimulatedExchange exchange, IActorRef decisions)
    {
        var brain = new TradingBrain
        {
            Gateway = exchange,
            Now = () => At,
            Quotes = (s, d) => new TradeQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m), false),
            Risk = RiskOptions.Default with { MaxPositionWeight = null, DuplicateWindow = null },
            StepTimeout = Wait,
            Watchdog = new WatchdogOptions { StuckCheckInterval = TimeSpan.Zero },
        };
        var node = new TradingNodeOptions { AccountId = Account, Broker = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero } };
        return TradingComposition.Setup(node, brain) with
        {
            Strategies = new Dictionary<string, Func<IActorRef, IActorRef, Props>> { ["alpha"] = (_, _) => Props.Create(() => new ProbeStrategy(decisions)) },
        };
    }

    private async Task<IActorRef> StartBrain(TradingNodeSetup setup)
    {
        var trader = Sys.ActorOf(TradingSupervisor.Props(setup));
        await TradingComposition.WaitReadyAsync(trader, Wait);
        return trader;
    }

    private static async Task<ControlReply> Send(IActorRef endpoint, string token, string command, params string[] args)
    {
        var reply = await endpoint.Ask<ControlReply>(new ControlRequest(Guid.NewGuid().ToString("N"), token, command, args), Wait);
        if (reply.Json is { } j) JsonDocument.Parse(j).Dispose(); // every JSON answer parses
        return reply;
    }

    private static MarketBar Bar(Symbol s) => new(s, Day, TimeOnly.MinValue, 10m, 10m, 10m, 10m, 1_000_000, 10_000_000m, PriceLimit.FromReference(10m, 0.10m), false);

    [Fact]
    public async Task Every_command_runs_against_the_brain_with_text_and_json()
    {
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(1_000_000m);
        exchange.BeginDay(Day);
        var decisions = CreateTestProbe();
        var trader = await StartBrain(Setup(exchange, decisions.Ref));
        var control = Sys.ActorOf(TraderControlActor.Props(trader, Account, null, new Dictionary<string, string> { ["600000.SH"] = "浦发银行" }, Wait));
        var endpoint = Sys.ActorOf(ControlEndpointActor.Props(new ControlEndpointSetup(control, ControlFixtures.Users, Wait) { Audit = CreateTestProbe().Ref }));

        await trader.Ask<Deposited>(new Deposit(1_000_000m, "seed"), Wait);
        await trader.Ask<StepDone>(new StartDay(Day, 1), Wait);
        var buyA = new OrderRequest(ClientOrderId.Create("t", Day, 1), A, Side.Buy, 1000, 10.00m, OrderType.Limit, Day);
        Assert.Single((await trader.Ask<ProposalResult>(new ProposeOrders("alpha", [buyA], 2), Wait)).Approved);
        exchange.Match(Day, FillTiming.Close, s => s == A ? Bar(A) : null);
        await trader.Ask<StepDone>(new Flush(3), Wait);
        var buyB = new OrderRequest(ClientOrderId.Create("t", Day, 2), B, Side.Buy, 500, 9.50m, OrderType.Limit, Day);
        Assert.Single((await trader.Ask<ProposalResult>(new ProposeOrders("alpha", [buyB], 4), Wait)).Approved);

        var status = await Send(endpoint, ControlFixtures.Viewer, "status");
        Assert.True(status.Ok, status.Text);
        Assert.Contains("account acct-1: epoch 1, ready", status.Text);
        Assert.Contains("kill switch: off", status.Text);
        Assert.Contains("cluster: no cluster status on this node", status.Text);
        using (var j = JsonDocument.Parse(status.Json!))
        {
            Assert.Equal(1, j.RootElement.GetProperty("brain").GetProperty("node").GetProperty("epoch").GetInt64());
            Assert.Equal(JsonValueKind.Null, j.RootElement.GetProperty("cluster").ValueKind);
        }

        var positions = await Send(endpoint, ControlFixtures.Viewer, "positions");
        Assert.True(positions.Ok, positions.Text);
        Assert.Contains("600000.SH 浦发银行  1000 @", positions.Text);
        using (var j = JsonDocument.Parse(positions.Json!))
        {
            var p = Assert.Single(j.RootElement.GetProperty("positions").EnumerateArray());
            Assert.Equal(("600000.SH", "浦发银行", 1000L, 10_000m), (p.GetProperty("symbol").GetString(), p.GetProperty("name").GetString(),
                p.GetProperty("quantity").GetInt64(), p.GetProperty("value").GetDecimal()));
            Assert.True(p.GetProperty("weight").GetDecimal() is > 0.009m and < 0.011m);
        }

        var orders = await Send(endpoint, ControlFixtures.Viewer, "orders");
        Assert.Contains("2 orders, 1 open", orders.Text);
        using (var j = JsonDocument.Parse(orders.Json!))
        {
            var rows = j.RootElement.GetProperty("orders").EnumerateArray().ToArray();
            Assert.Equal(["000001.SZ", "600000.SH"], rows.Select(r => r.GetProperty("symbol").GetString()));
            Assert.True(rows[0].GetProperty("open").GetBoolean()); // open first
        }

        // pause / resume: a paused strategy is not asked to decide.
        var unknown = await Send(endpoint, ControlFixtures.Operator, "pause", "beta");
        Assert.False(unknown.Ok);
        Assert.Contains("no strategy 'beta' on account 'acct-1' (it runs alpha)", unknown.Text);
        Assert.Contains("strategy alpha paused", (await Send(endpoint, ControlFixtures.Operator, "pause", "alpha")).Text);
        Assert.Contains("alpha (PAUSED)", (await Send(endpoint, ControlFixtures.Viewer, "status")).Text);
        await trader.Ask<StepDone>(new Decide(Day, 5), Wait);
        decisions.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Contains("strategy alpha running", (await Send(endpoint, ControlFixtures.Operator, "resume", "alpha")).Text);
        await trader.Ask<StepDone>(new Decide(Day, 6), Wait);
        Assert.Equal(6, decisions.ExpectMsg<Decide>(Wait).Step);

        var cancel = await Send(endpoint, ControlFixtures.Operator, "cancel-all");
        Assert.Equal("cancel requested for 1 open orders", cancel.Text);

        var kill = await Send(endpoint, ControlFixtures.Admin, "kill", "on", "fat", "finger");
        Assert.True(kill.Ok, kill.Text);
        Assert.True((await trader.Ask<RiskStatus>(new GetRiskStatus(), Wait)).KillSwitchEngaged);
        Assert.Contains("kill switch: ENGAGED (console ada: fat finger)", (await Send(endpoint, ControlFixtures.Viewer, "status")).Text);
        Assert.Contains("usage", (await Send(endpoint, ControlFixtures.Admin, "kill", "maybe")).Text);
        Assert.Equal("kill switch released", (await Send(endpoint, ControlFixtures.Admin, "kill", "off")).Text);
        Assert.False((await trader.Ask<RiskStatus>(new GetRiskStatus(), Wait)).KillSwitchEngaged);

        // reconcile: shares at the broker the journal never heard of → differences, a halt, then ack.
        exchange.TransferInShares(B, 300);
        var reconcile = await Send(endpoint, ControlFixtures.Operator, "reconcile");
        Assert.True(reconcile.Ok, reconcile.Text);
        Assert.Contains("differences; new orders are halted until 'ack'", reconcile.Text);
        await AwaitAssertAsync(async () => Assert.Contains("reconciliation: HALTED", (await Send(endpoint, ControlFixtures.Viewer, "status")).Text), Wait);
        var ack = await Send(endpoint, ControlFixtures.Operator, "ack");
        Assert.Equal("reconciliation acknowledged: new orders may go out", ack.Text);

        var alerts = await Send(endpoint, ControlFixtures.Viewer, "alerts", "50");
        Assert.True(alerts.Ok);
        Assert.Contains("kill-switch", alerts.Text);
        Assert.Contains("usage: alerts [N]", (await Send(endpoint, ControlFixtures.Viewer, "alerts", "-1")).Text);
    }

    [Fact]
    public async Task A_paused_strategy_stays_paused_after_the_brain_restarts_from_its_journal()
    {
        var exchange = new SimulatedExchange(() => At);
        exchange.Deposit(1_000_000m);
        var decisions = CreateTestProbe();
        var setup = Setup(exchange, decisions.Ref);
        var trader = await StartBrain(setup);
        var control = Sys.ActorOf(TraderControlActor.Props(trader, Account, null, timeout: Wait));
        var paused = await control.Ask<ControlReply>(new ControlCall("1", "pause", ["alpha"], "otto", "operator"), Wait);
        Assert.True(paused.Ok, paused.Text);

        Watch(trader);
        Sys.Stop(trader);
        ExpectTerminated(trader, Wait);
        var again = await StartBrain(setup);
        var status = await again.Ask<NodeStatus>(GetNodeStatus.Instance, Wait);
        Assert.Equal(2, status.Epoch);
        Assert.Equal(["alpha"], status.Paused);
        await again.Ask<StepDone>(new Decide(Day, 1), Wait);
        decisions.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        var resumed = await again.Ask<NodeStatus>(new ForAccount(Account, new ResumeStrategy("alpha", "otto")), Wait);
        Assert.Empty(resumed.Paused);
        await again.Ask<StepDone>(new Decide(Day, 2), Wait);
        decisions.ExpectMsg<Decide>(Wait);
    }
}
