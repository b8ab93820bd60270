using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Trading.Risk.Tests;

public class OutstandingOrdersTests
{
    private static readonly string[] Symbols = [Main, Sz, ChiNext];

    [Fact]
    public void A_pending_buy_counts_its_cost_until_the_broker_holds_it()
    {
        var buy = Buy(Main, 1000, 10.00m);
        var sell = Sell(Sz, 500, 8.00m);
        var index = OutstandingOrders.Empty
            .WithPending(new OpenOrder(buy, OrderStatus.New, 0, Now), 10_005m)
            .WithPending(new OpenOrder(sell, OrderStatus.New, 0, Now), 999m); // a sell's cost is not a buy's
        Assert.Equal((2, 10_005m), (index.Count, index.PendingBuyCost));
        Assert.True(index.IsPending(buy.Id));

        index = index.WithOpen(new OpenOrder(buy, OrderStatus.PartiallyFilled, 400, Now));
        Assert.Equal((2, 0m, false), (index.Count, index.PendingBuyCost, index.IsPending(buy.Id)));
        Assert.Equal(600, index.Remaining(S(Main), Side.Buy));
        Assert.Equal(0, index.Remaining(S(Main), Side.Sell));
        Assert.Equal(500, index.Remaining(S(Sz), Side.Sell));

        index = index.WithOpen(new OpenOrder(buy, OrderStatus.Filled, 1000, Now)); // finished: gone
        Assert.False(index.Contains(buy.Id));
        Assert.Empty(index.Of(S(Main)));
        Assert.Same(index, index.Without(buy.Id));
    }

    [Fact]
    public void From_leaves_out_finished_orders_and_counts_approvals_the_oms_does_not_report()
    {
        var reported = Buy(Main, 1000, 10.00m);
        var inFlight = Buy(Main, 200, 10.00m);
        var done = Buy(Sz, 100, 5.00m);
        var state = StateWith(reported, inFlight);
        var index = OutstandingOrders.From(
            [new OpenOrder(reported, OrderStatus.Submitted, 0, Now), new OpenOrder(done, OrderStatus.Filled, 100, Now)],
            state.ActiveOrders, o => o.Notional);
        Assert.Equal(2, index.Count);
        Assert.Equal(2_000m, index.PendingBuyCost);
        Assert.Equal(1_200, index.Remaining(S(Main), Side.Buy));
        Assert.False(index.Contains(done.Id));
    }

    private enum Op { Pending, Open, Remove }

    /// <summary>Any sequence of changes leaves the index agreeing with a plain scan of the same orders.</summary>
    [Property(MaxTest = 300)]
    public Property Agrees_with_a_scan_after_any_sequence_of_changes()
    {
        var step = Gen.Elements(Op.Pending, Op.Open, Op.Remove)
            .Zip(Gen.Choose(0, 11).Zip(Gen.Choose(0, 10)));
        var orders = Enumerable.Range(0, 12).Select(i =>
            i % 2 == 0 ? Buy(Symbols[i % 3], 1000, 10.00m + i) : Sell(Symbols[i % 3], 1000, 10.00m + i)).ToArray();
        return Prop.ForAll(step.ListOf().ToArbitrary(), steps =>
        {
            var index = OutstandingOrders.Empty;
            var model = new Dictionary<ClientOrderId, (OpenOrder Order, bool Pending)>();
            foreach (var (op, (which, filledTenths)) in steps)
            {
                var order = orders[which];
                switch (op)
                {
                    case Op.Pending:
                        index = index.WithPending(new OpenOrder(order, OrderStatus.New, 0, Now), order.Notional + 5m);
                        model[order.Id] = (new OpenOrder(order, OrderStatus.New, 0, Now), true);
                        break;
                    case Op.Open:
                        var status = filledTenths == 10 ? OrderStatus.Filled : filledTenths == 0 ? OrderStatus.Submitted : OrderStatus.PartiallyFilled;
                        var open = new OpenOrder(order, status, filledTenths * 100, Now);
                        index = index.WithOpen(open);
                        if (status.IsTerminal()) model.Remove(order.Id); else model[order.Id] = (open, false);
                        break;
                    default:
                        index = index.Without(order.Id);
                        model.Remove(order.Id);
                        break;
                }
            }
            Assert.Equal(model.Count, index.Count);
            Assert.Equal(model.Values.Where(v => v.Pending && v.Order.Order.Side == Side.Buy).Sum(v => v.Order.Order.Notional + 5m), index.PendingBuyCost);
            foreach (var symbol in Symbols.Select(S))
            {
                Assert.Equal(model.Values.Where(v => v.Order.Order.Symbol == symbol).Select(v => v.Order.Id.Value).Order(),
                    index.Of(symbol).Select(o => o.Id.Value).Order());
                foreach (var side in new[] { Side.Buy, Side.Sell })
                    Assert.Equal(model.Values.Where(v => v.Order.Order.Symbol == symbol && v.Order.Order.Side == side).Sum(v => v.Order.Remaining),
                        index.Remaining(symbol, side));
            }
            Assert.Equal(model.Keys.Where(k => model[k].Pending).Select(k => k.Value).Order(), index.Pending.Select(o => o.Id.Value).Order());
        });
    }

    /// <summary>The batch's running index gives the same decisions as rebuilding the context for every order.</summary>
    [Fact]
    public void A_batch_judged_with_the_running_index_equals_one_judged_with_fresh_contexts()
    {
        var chain = PreTradeChain.FromOptions(RiskOptions.Default with { MaxActiveOrders = 7, MaxPositionWeight = 0.2m, MaxRebalanceTurnover = null, CheckRebalanceCash = false });
        var batch = Enumerable.Range(0, 12).Select(i => i % 4 == 3 ? Sell(Symbols[i % 3], 300, 10.00m) : Buy(Symbols[i % 3], 2000 + 500 * i, 10.00m)).ToList();
        RiskContext ctx = Account(200_000m).Hold(Main, 1000, 10.00m).Hold(Sz, 1000, 10.00m).Hold(ChiNext, 1000, 10.00m)
            .WithOpen(Buy(Main, 1000, 9.00m), filled: 300);
        var fast = chain.EvaluateBatch(batch, ctx);

        var state = ctx.State;
        var slow = new List<PreTradeResult>();
        foreach (var order in batch)
        {
            var r = chain.Evaluate(order, new RiskContext(ctx.Account, ctx.Quotes, ctx.OpenOrders, state, ctx.Now) { Market = ctx.Market, Fees = ctx.Fees });
            state = state.Apply(r.ToEvent(ctx.Now));
            slow.Add(r);
        }
        Assert.Equal(slow.Select(r => (r.Approved?.Quantity, r.Rejection?.Rule)), fast.Results.Select(r => (r.Approved?.Quantity, r.Rejection?.Rule)));
        Assert.Contains(fast.Results, r => r.Rejection is not null); // the caps bite somewhere in the batch
        Assert.Contains(fast.Results, r => r.IsApproved);
        Assert.Equal(fast.Results.Count(r => r.IsApproved) + 1, fast.Outstanding.Count);
    }
}
