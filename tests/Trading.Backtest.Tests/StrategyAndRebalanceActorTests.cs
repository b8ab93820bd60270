using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;
using static Trading.Backtest.Tests.HandCalculatedBacktestTests;

namespace Trading.Backtest.Tests;

/// <summary>TestKit specs of the strategy and the rebalancer, with probes for the book, the rebalancer and the risk guard.</summary>
public class StrategyAndRebalanceActorTests() : TestKit(TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = WARNING"))
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly AccountSnapshot Funded = new(PositionBookState.Empty.Apply(new CashDeposited(100_000m, "seed")));

    private static TradeQuote? Quote(Symbol s, DateOnly d) => new(s == A ? 10.00m : 20.00m, PriceLimit.FromReference(s == A ? 10.00m : 20.00m, 0.10m), false);

    [Fact]
    public void A_strategy_answers_at_once_on_other_days_and_hands_its_targets_to_the_rebalancer_on_its_day()
    {
        var book = CreateTestProbe();
        var rebalancer = CreateTestProbe();
        var strategy = Sys.ActorOf(StrategyActor.Props(HalfAndForty(), Panel(), rebalancer.Ref, book.Ref, Timeout));

        strategy.Tell(new Decide(D2, 7)); // not a rebalance day of the plan
        Assert.Equal(7, ExpectMsg<StepDone>().Step);
        book.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        strategy.Tell(new Decide(D1, 8));
        book.ExpectMsg<GetAccount>();
        book.Reply(Funded);
        var target = rebalancer.ExpectMsg<TargetPortfolio>();
        Assert.Equal(("hand", D1, 8L), (target.Strategy, target.Date, target.Step));
        Assert.Equal(new[] { (A, 0.5), (B, 0.4) }.OrderBy(x => x.Item1), target.Weights.Select(kv => (kv.Key, kv.Value)));
        rebalancer.Reply(new ProposalResult(8, [], []));
        Assert.Contains("hand: 2 targets", ExpectMsg<StepDone>().Detail);
    }

    [Fact]
    public void A_rebalance_plans_on_the_books_available_cash_and_tops_up_the_same_day_with_fresh_order_ids()
    {
        var book = CreateTestProbe();
        var risk = CreateTestProbe();
        var rebalancer = Sys.ActorOf(RebalanceActor.Props(risk.Ref, book.Ref, Quote, MarketRules.Default, 0, Timeout));
        var weights = ImmutableSortedDictionary<Symbol, double>.Empty.Add(A, 0.5).Add(B, 0.4);
        rebalancer.Tell(new TargetPortfolio("hand", D1, weights, 3));

        book.ExpectMsg<GetAccount>();
        // 60,000 of the 100,000 are held back for open buys: the plan may spend only the 40,000 available.
        book.Reply(new AccountSnapshot(Funded.Book, 60_000m, ImmutableDictionary<ClientOrderId, OrderReservation>.Empty));
        var first = risk.ExpectMsg<ProposeOrders>();
        Assert.All(first.Orders, o => Assert.Equal((Side.Buy, D1, 0L), (o.Side, o.TradeDate, o.Quantity % 100)));
        Assert.True(first.Orders.Sum(o => o.Notional) <= 40_000m, $"planned {first.Orders.Sum(o => o.Notional)} with 40,000 available");
        risk.Reply(new ProposalResult(3, first.Orders, []));
        Assert.Equal(first.Orders, ExpectMsg<ProposalResult>().Approved);

        // After the open the same target is topped up with what the account now allows; ids never repeat.
        rebalancer.Tell(new TopUp(D1, 4));
        book.ExpectMsg<GetAccount>();
        book.Reply(Funded);
        var second = risk.ExpectMsg<ProposeOrders>();
        Assert.NotEmpty(second.Orders);
        Assert.Empty(second.Orders.Select(o => o.Id).Intersect(first.Orders.Select(o => o.Id)));
        risk.Reply(new ProposalResult(4, second.Orders, []));
        Assert.Contains($"top-up {second.Orders.Count} orders", ExpectMsg<StepDone>().Detail);

        rebalancer.Tell(new TopUp(D2, 5)); // no target for that day
        Assert.Equal("top-up 0 orders", ExpectMsg<StepDone>().Detail);
        book.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
