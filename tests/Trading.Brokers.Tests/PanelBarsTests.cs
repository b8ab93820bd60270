using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Orders;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

public class PanelBarsTests
{
    [Fact]
    public void A_panel_gives_the_exchange_traded_and_suspended_bars_by_day()
    {
        var table = new BarTable();
        var traded = Bar(Main, Day1, 10m, 10.5m, 9.9m, 10.2m, volume: 123_400, amount: 1_250_000m);
        table.Add(traded);
        table.Add(Bar(Main, Day3, 10.2m, 10.4m, 10.1m, 10.3m, preClose: 10.2m));
        table.Add(Flat(Main2, Day1));
        table.Add(Flat(Main2, Day2));
        table.Add(Flat(Main2, Day3));
        var panel = MarketPanel.FromBars(table);

        var day1 = PanelBars.On(panel, Day1);
        var day2 = PanelBars.On(panel, Day2);

        Assert.Equal(traded, day1(Main));
        var suspended = day2(Main);
        Assert.NotNull(suspended);
        Assert.True(suspended.Value.IsSuspended);
        Assert.Equal(0, suspended.Value.Volume);
        Assert.Null(day1(Star));                                   // not in the panel
        Assert.Null(PanelBars.On(panel, new DateOnly(2024, 3, 2))(Main)); // not a trading day of the panel
    }

    [Fact]
    public async Task The_exchange_runs_on_a_panel()
    {
        var table = new BarTable();
        table.Add(Flat(Main, Day1));
        table.Add(Flat(Main, Day3));
        table.Add(Flat(Main2, Day2));
        var panel = MarketPanel.FromBars(table);
        var exchange = new SimulatedExchange(() => default, Exact);
        await exchange.ConnectAsync(default);
        exchange.Deposit(100_000m);
        var reports = new List<BrokerReport>();
        exchange.Report += reports.Add;

        exchange.BeginDay(Day2, PanelBars.On(panel, Day2));
        var order = new OrderRequest(ClientOrderId.Create("p", Day2, 1), Main, Trading.Domain.Rules.Side.Buy, 100, 10m, OrderType.Limit, Day2);
        await exchange.SubmitAsync(order, 1, default);

        Assert.Equal(RejectRules.Suspended, RejectRules.Of(Assert.IsType<OrderRejected>(Assert.Single(reports)).Reason));
    }
}
