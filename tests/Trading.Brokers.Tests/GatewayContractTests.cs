using Trading.Domain.Orders;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

/// <summary>The gateway contract: idempotent client order ids, epoch fencing, connection, ordered and reproducible reports.</summary>
public class GatewayContractTests
{
    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void Submitting_the_same_client_order_id_twice_makes_one_order_and_repeats_its_reports(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1, 10.5m));
        var buy = h.Submit(h.Buy(Main, 1000, 10m));
        var frozen = h.Exchange.Account.FrozenCash;

        h.Submit(buy);

        var accepted = h.ReportsOf(buy.Id).OfType<OrderAccepted>().ToArray();
        Assert.Equal(2, accepted.Length);
        Assert.Equal(accepted[0], accepted[1]);
        Assert.Single(h.Exchange.Orders);
        Assert.Equal(frozen, h.Exchange.Account.FrozenCash);
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void A_resubmission_after_fills_replays_the_same_fills_and_changes_nothing(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 1000, 10m));
        h.Match();
        var account = h.Exchange.Account;
        var before = h.ReportsOf(buy.Id).ToArray();

        h.Submit(buy with { Strategy = "replayed", Reason = "after a crash" }); // labels are not terms

        var replay = h.ReportsOf(buy.Id).Skip(before.Length).ToArray();
        Assert.Equal(before, replay);
        Assert.Equal(account.Cash, h.Exchange.Account.Cash);
        Assert.Equal(1000, h.Position(Main)!.Quantity);
        Assert.Single(h.Exchange.Orders);
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void A_rejected_id_stays_rejected_when_resubmitted(Link link)
    {
        using var h = new Harness(cash: 1_000m, link: link).Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 1000, 10m));
        Assert.Equal(RejectRules.Cash, RejectRules.Of(h.RejectionOf(buy)));
        h.Exchange.Deposit(1_000_000m);

        h.Submit(buy);

        Assert.Equal(2, h.ReportsOf(buy.Id).OfType<OrderRejected>().Count());
        Assert.Empty(h.ReportsOf(buy.Id).OfType<OrderAccepted>());
        Assert.Single(h.Exchange.Orders);
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void The_same_id_with_different_terms_is_a_conflict(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 1000, 10m));

        var ex = Assert.Throws<ClientOrderIdConflictException>(() => h.Submit(buy with { Quantity = 2000 }));
        Assert.Equal(buy.Id, ex.OrderId);
        Assert.Contains("quantity 1000 vs 2000", ex.Message);
        Assert.Equal(1000, Assert.Single(h.Exchange.Orders).Request.Quantity);
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void Orders_below_the_highest_epoch_seen_are_rejected(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1));
        var first = h.Submit(h.Buy(Main, 100, 10m), epoch: 2);
        var stale = h.Submit(h.Buy(Main, 100, 10m), epoch: 1);
        var newer = h.Submit(h.Buy(Main, 100, 10m), epoch: 3);
        var fenced = h.Submit(h.Buy(Main, 100, 10m), epoch: 2);

        h.AssertAccepted(first);
        Assert.Equal(RejectRules.Epoch, RejectRules.Of(h.RejectionOf(stale)));
        h.AssertAccepted(newer);
        Assert.Equal(RejectRules.Epoch, RejectRules.Of(h.RejectionOf(fenced)));
        Assert.Equal(3, h.Exchange.HighestEpoch);
        Assert.Equal(new[] { 2L, 1L, 3L, 2L }, h.Exchange.Orders.Select(o => o.Epoch));
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public async Task An_announced_fence_refuses_older_orders_before_any_order_raised_it(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1));

        Assert.Equal(5, await h.Gateway.FenceAsync(5, default)); // the new brain connects: no order of it yet
        var stale = h.Submit(h.Buy(Main, 100, 10m), epoch: 4);    // the old brain wakes from a pause
        var refused = await Assert.ThrowsAsync<FencedOutException>(() => h.Gateway.FenceAsync(4, default));
        Assert.Equal(5, await h.Gateway.FenceAsync(5, default));  // the same brain reconnecting
        var current = h.Submit(h.Buy(Main, 100, 10m), epoch: 5);

        Assert.Equal(RejectRules.Epoch, RejectRules.Of(h.RejectionOf(stale)));
        Assert.Equal((4L, 5L), (refused.Epoch, refused.Highest));
        Assert.DoesNotContain('\n', refused.Message);
        h.AssertAccepted(current);
        Assert.Equal(5, h.Exchange.HighestEpoch);
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void A_stale_primary_replaying_an_existing_id_gets_its_state_not_a_rejection(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1));
        var order = h.Submit(h.Buy(Main, 100, 10m), epoch: 1);
        h.Submit(h.Buy(Main, 100, 10m), epoch: 2);

        h.Submit(order, epoch: 1);

        Assert.Empty(h.ReportsOf(order.Id).OfType<OrderRejected>());
        Assert.Equal(OrderStatus.Submitted, h.Order(order.Id).Status);
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void Cancelling_an_unknown_order_fails(Link link)
    {
        using var h = new Harness(link: link).Open(Day1, Flat(Main, Day1));
        Assert.Throws<KeyNotFoundException>(() => h.Cancel(ClientOrderId.Create("t", Day1, 999)));
    }

    [Fact]
    public async Task A_disconnected_gateway_refuses_calls_and_loses_pushes_that_queries_recover()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        var buy = h.Submit(h.Buy(Main, 1000, 10m));
        await h.Exchange.DisconnectAsync(default);

        Assert.False(h.Exchange.IsConnected);
        Assert.Throws<InvalidOperationException>(() => h.Submit(h.Buy(Main, 100, 10m)));
        Assert.Throws<InvalidOperationException>(() => h.Cancel(buy.Id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Exchange.QueryOrdersAsync(default));

        Assert.Single(h.Match()); // the exchange keeps trading
        Assert.Empty(h.Reports.OfType<OrderFilled>());

        await h.Exchange.ConnectAsync(default);
        var order = Assert.Single(await h.Exchange.QueryOrdersAsync(default));
        Assert.Equal((OrderStatus.Filled, 1000L), (order.Status, order.FilledQuantity));
        h.Submit(buy); // resubmitting the id replays what was missed
        Assert.Single(h.Reports.OfType<OrderFilled>());
    }

    [Fact]
    public void A_handler_may_submit_from_inside_a_report_and_reports_stay_in_order()
    {
        var h = new Harness().Open(Day1, Flat(Main, Day1));
        var second = h.Buy(Main, 100, 10m);
        h.Exchange.Report += r =>
        {
            if (r is OrderAccepted && r.OrderId != second.Id) h.Submit(second);
        };

        var first = h.Submit(h.Buy(Main, 100, 10m));

        Assert.Equal(new[] { first.Id, second.Id }, h.Reports.Select(r => r.OrderId));
    }

    [Theory]
    [MemberData(nameof(Links), MemberType = typeof(Harness))]
    public void The_same_inputs_give_the_same_reports(Link link)
    {
        List<BrokerReport> Run()
        {
            using var h = new Harness(new SimulatedExchangeOptions { MaxParticipation = 0.1m }, link: link);
            h.Exchange.TransferInShares(Main2, 1000);
            h.Open(Day1, Bar(Main, Day1, 10m, 10.3m, 9.9m, 10.1m, volume: 20_000), Bar(Main2, Day1, 20m, 20.4m, 19.8m, 20.2m, preClose: 20m, volume: 20_000));
            h.Submit(h.Buy(Main, 3000, 10.3m));
            h.Submit(h.Sell(Main2, 1000, 19.9m));
            h.Match(FillTiming.Open);
            h.Match(FillTiming.Vwap);
            h.Close();
            return h.Reports;
        }

        var a = Run();
        var b = Run();

        Assert.Equal(a, b);
        Assert.Contains(a, r => r is OrderFilled);
        Assert.Contains(a, r => r is OrderExpired);
    }

    [Fact]
    public void The_bridge_delivers_exactly_the_reports_the_exchange_pushes()
    {
        static List<BrokerReport> Run(Link link)
        {
            using var h = new Harness(new SimulatedExchangeOptions { MaxParticipation = 0.1m }, link: link);
            h.Exchange.TransferInShares(Main2, 1000);
            h.Open(Day1, Bar(Main, Day1, 10m, 10.3m, 9.9m, 10.1m, volume: 20_000), Bar(Main2, Day1, 20m, 20.4m, 19.8m, 20.2m, preClose: 20m, volume: 20_000));
            var buy = h.Submit(h.Buy(Main, 3000, 10.3m));
            h.Submit(h.Sell(Main2, 1000, 19.9m));
            h.Submit(h.Buy(Main, 150, 10.3m)); // rejected: not a lot
            h.Match(FillTiming.Open);
            h.Cancel(buy.Id);
            h.Close();
            return h.Reports;
        }

        var direct = Run(Link.Direct);
        var bridged = Run(Link.Bridge);

        Assert.Equal(direct, bridged); // every field of every report, decimals and times included
        Assert.Contains(direct, r => r is OrderRejected);
        Assert.Contains(direct, r => r is OrderCancelled);
        Assert.Contains(direct, r => r is OrderFilled { Fill.Fees.Total: > 0m });
    }
}
