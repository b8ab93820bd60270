using System.Collections.Immutable;
using Akka.Actor;
using Trading.Brokers;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;
using Trading.Runtime.Tests.Actors;

namespace Trading.Runtime.Tests.Execution;

/// <summary>
/// The whole brain from the composition root with a TWAP algo on a fake intraday clock, against the simulated exchange:
/// the rebalancer's orders become parents, every child goes through the real risk guard and OMS (the guard counts each
/// one), children carry their parent's id to the exchange and back, parents fill slice by slice; a risk rejection of a
/// child stops its parent with an alert; and without an intraday clock (a backtest on daily bars) the same strategy
/// sends its orders whole, exactly as immediate.
/// </summary>
public class ExecutionTreeTests : RuntimeTestKit
{
    private static readonly Symbol A = Symbol.Parse("600000.SH"), B = Symbol.Parse("000001.SZ");
    private static readonly DateOnly Day = AlgoTree.Day;
    private static readonly TimeSpan T = AlgoTree.T;
    private readonly AlgoTree _tree = new();

    private static readonly ExecutionAlgoOptions Twap = new()
    {
        Algo = ExecutionAlgo.Twap, Window = TradingWindow.Parse("09:35-10:15", out _), Slices = 4, RepriceAfter = null,
    };

    private async Task<(IActorRef Trader, SimulatedExchange Exchange)> Start(string account, ExecutionAlgoOptions algo, bool intraday, RiskOptions? risk = null) =>
        (await _tree.StartAsync(Sys, account, algo, intraday, risk), _tree.Exchange);

    private static Task<ProposalResult> Rebalance(IActorRef trader) =>
        trader.Ask<ProposalResult>(new TargetPortfolio("t", Day, ImmutableSortedDictionary<Symbol, double>.Empty.Add(A, 0.04).Add(B, 0.04), 2), T);

    private static IReadOnlyList<Trading.Runtime.State.OrderState> Orders(IActorRef trader) => trader.Ask<OrdersSnapshot>(new GetOrders(), T).Result.Orders;

    private static IReadOnlyList<ParentView> Parents(IActorRef trader) => trader.Ask<ParentsSnapshot>(GetParents.Instance, T).Result.Parents;

    [Fact]
    public async Task Every_child_passes_the_risk_guard_and_the_oms_and_the_parents_fill_slice_by_slice()
    {
        var (trader, exchange) = await Start("tree-twap", Twap, intraday: true);
        var taken = await Rebalance(trader);
        Assert.Equal(2, taken.Approved.Count); // 4,000 shares of each, taken as parents
        Assert.All(taken.Approved, o => Assert.Equal(4_000, o.Quantity));

        for (int slice = 1; slice <= 4; slice++)
        {
            AwaitAssert(() => Assert.Equal(2 * slice, Orders(trader).Count), T); // one child per parent per slice
            exchange.MatchBar(Day, FillTiming.Vwap, AlgoTree.Bar);
            AwaitAssert(() => Assert.All(Orders(trader), o => Assert.Equal(OrderStatus.Filled, o.Status)), T);
            _tree.Time.Advance(TimeSpan.FromMinutes(10));
        }
        var orders = Orders(trader);
        Assert.Equal(8, orders.Count);
        Assert.All(orders, o => Assert.NotNull(o.Request.ParentId));
        Assert.Equal([1_000L, 1_000, 1_000, 1_000], orders.Where(o => o.Request.Symbol == A).OrderBy(o => o.Id.Value, StringComparer.Ordinal).Select(o => o.Request.Quantity));
        Assert.Equal(8, (await trader.Ask<RiskStatus>(new GetRiskStatus(), T)).OrdersToday); // every child judged by the risk guard
        AwaitAssert(() =>
        {
            var parents = Parents(trader);
            Assert.Equal(2, parents.Count);
            Assert.All(parents, p => Assert.Equal((ParentStatus.Filled, 4_000L, 4), (p.Outcome?.Status, p.Filled, p.Children)));
        }, T);
        var book = (await trader.Ask<AccountSnapshot>(new GetAccount(), T)).Book;
        Assert.Equal(4_000, book.HoldingOf(A).Quantity);
        Assert.Equal(4_000, book.HoldingOf(B).Quantity);

        // A second rebalance to the same targets while nothing is open: nothing new (the parents' shares are held).
        Assert.Empty((await Rebalance(trader)).Approved);
    }

    [Fact]
    public async Task A_top_up_while_parents_are_worked_orders_nothing_again()
    {
        var (trader, _) = await Start("tree-topup", Twap, intraday: true);
        Assert.Equal(2, (await Rebalance(trader)).Approved.Count);
        AwaitAssert(() => Assert.Equal(2, Orders(trader).Count), T);
        // The first slices are live, three quarters not yet sent: all of it counts as on its way.
        Assert.Empty((await Rebalance(trader)).Approved);
    }

    [Fact]
    public async Task A_child_the_risk_guard_rejects_stops_its_parent_with_an_alert()
    {
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var (trader, _) = await Start("tree-reject", Twap, intraday: true, RiskOptions.Default with { DuplicateWindow = null, MaxOrderValue = 5_000m });
        Assert.Equal(2, (await Rebalance(trader)).Approved.Count);
        var stopped = alerts.FishForMessage<RiskAlert>(a => a.Kind == "algo-stopped", T);
        Assert.Contains("order-value", stopped.Message);
        AwaitAssert(() => Assert.All(Parents(trader), p => Assert.Equal(ParentStatus.Stopped, p.Outcome?.Status)), T);
        _tree.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(Orders(trader)); // nothing reached the OMS
    }

    [Fact]
    public async Task Without_an_intraday_clock_the_same_algo_sends_every_order_whole()
    {
        var (trader, _) = await Start("tree-daily", Twap, intraday: false);
        var result = await Rebalance(trader);
        var orders = Orders(trader);
        Assert.Equal(2, orders.Count);
        Assert.All(orders, o => Assert.Null(o.Request.ParentId));
        Assert.Equal(result.Approved.Select(o => o.Id), orders.Select(o => o.Id).OrderBy(id => id.Value, StringComparer.Ordinal));
        Assert.Empty(Parents(trader));
    }
}
