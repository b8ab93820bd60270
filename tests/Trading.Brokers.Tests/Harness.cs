using Trading.Brokers.Bridge;
using Trading.Data.Model;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Brokers.Tests;

/// <summary>How a test reaches the exchange: directly, or over the bridge wire on loopback.</summary>
public enum Link { Direct, Bridge }

/// <summary>
/// A simulated exchange with a virtual clock, the day's bars in a dictionary and every pushed report in a list. Orders
/// get client ids t-yyyyMMdd-000001, … in the order they are made. Over <see cref="Link.Bridge"/>, submits, cancels
/// and reports go through a <see cref="BridgeGateway"/> to a <see cref="BridgeServer"/> around the exchange on
/// loopback (the clock's steps still drive the exchange itself), and every step waits for the pushes it caused.
/// </summary>
internal sealed class Harness : IDisposable
{
    public static TheoryData<Link> Links => new() { Link.Direct, Link.Bridge };

    public static readonly Symbol Main = Symbol.Parse("600000.SH");
    public static readonly Symbol Main2 = Symbol.Parse("000001.SZ");
    public static readonly Symbol ChiNext = Symbol.Parse("300750.SZ");
    public static readonly Symbol Star = Symbol.Parse("688981.SH");
    public static readonly Symbol Bse = Symbol.Parse("830799.BJ");

    public static readonly DateOnly Day1 = new(2024, 3, 1);
    public static readonly DateOnly Day2 = new(2024, 3, 4);
    public static readonly DateOnly Day3 = new(2024, 3, 5);

    /// <summary>No slippage, no volume cap: fills at the bar's price, whole.</summary>
    public static SimulatedExchangeOptions Exact => new() { FixedSlippageBps = 0m, ImpactBps = 0m, MaxParticipation = 1m };

    private long _sequence;

    public Harness(SimulatedExchangeOptions? options = null, decimal cash = 1_000_000m, Link link = Link.Direct)
    {
        Exchange = new SimulatedExchange(() => Clock, options ?? Exact);
        if (cash > 0m) Exchange.Deposit(cash);
        if (link == Link.Direct)
        {
            Gateway = Exchange;
            Exchange.Report += Reports.Add;
            Exchange.ConnectAsync(default).GetAwaiter().GetResult();
            return;
        }
        Server = new BridgeServer(Exchange);
        Server.StartAsync().GetAwaiter().GetResult();
        Bridge = new BridgeGateway(new BridgeGatewayOptions("127.0.0.1", Server.Port));
        Gateway = Bridge;
        Bridge.Listen(e =>
        {
            if (e is SequencedReport r) lock (Reports) Reports.Add(r.Report);
        });
        Bridge.ConnectAsync(default).GetAwaiter().GetResult();
    }

    public SimulatedExchange Exchange { get; }

    /// <summary>What submits and cancels go through: the exchange itself, or the bridge client.</summary>
    public IBrokerGateway Gateway { get; }

    public BridgeServer? Server { get; }
    public BridgeGateway? Bridge { get; }
    public List<BrokerReport> Reports { get; } = [];

    /// <summary>Over the bridge, waits until every push the exchange made so far has arrived (a ping's round trip).</summary>
    public void Sync() => Bridge?.PingAsync().GetAwaiter().GetResult();

    public void Dispose()
    {
        Bridge?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
    public DateTime Clock { get; set; }
    public DateOnly Day { get; private set; }
    public Dictionary<Symbol, DailyBar> Bars { get; private set; } = [];

    public DailyBar? BarOf(Symbol symbol) => Bars.TryGetValue(symbol, out var bar) ? bar : null;

    /// <summary>Begins a day whose reference data and matching bars are <paramref name="bars"/>.</summary>
    public Harness Open(DateOnly day, params DailyBar[] bars) => Open(day, bars, null);

    public Harness Open(DateOnly day, DailyBar[] bars, IEnumerable<CorporateAction>? actions, bool withReference = true)
    {
        Day = day;
        Bars = bars.ToDictionary(b => b.Symbol);
        Clock = day.ToDateTime(new TimeOnly(9, 15));
        Exchange.BeginDay(day, withReference ? BarOf : null, actions);
        return this;
    }

    public IReadOnlyList<Fill> Match(FillTiming timing = FillTiming.Open)
    {
        Clock = Day.ToDateTime(timing == FillTiming.Open ? new TimeOnly(9, 30) : new TimeOnly(15, 0));
        var fills = Exchange.MatchBar(Day, timing, BarOf);
        Sync();
        return fills;
    }

    public void Close()
    {
        Clock = Day.ToDateTime(new TimeOnly(15, 0));
        Exchange.EndDay(Day);
        Sync();
    }

    public OrderRequest Buy(Symbol symbol, long quantity, decimal price, OrderType type = OrderType.Limit) =>
        new(ClientOrderId.Create("t", Day, ++_sequence), symbol, Side.Buy, quantity, price, type, Day);

    public OrderRequest Sell(Symbol symbol, long quantity, decimal price, OrderType type = OrderType.Limit) =>
        new(ClientOrderId.Create("t", Day, ++_sequence), symbol, Side.Sell, quantity, price, type, Day);

    public OrderRequest Submit(OrderRequest order, long epoch = 1)
    {
        Gateway.SubmitAsync(order, epoch, default).GetAwaiter().GetResult();
        return order;
    }

    public void Cancel(ClientOrderId id) => Gateway.CancelAsync(id, default).GetAwaiter().GetResult();

    public BrokerOrder Order(ClientOrderId id) => Exchange.Orders.Single(o => o.Id == id);

    public IEnumerable<BrokerReport> ReportsOf(ClientOrderId id) => Reports.Where(r => r.OrderId == id);

    public T LastOf<T>(ClientOrderId id) where T : BrokerReport => ReportsOf(id).OfType<T>().Last();

    public void AssertAccepted(OrderRequest order) =>
        Assert.True(ReportsOf(order.Id).OfType<OrderAccepted>().Any(),
            $"{order.Id} was not accepted: {ReportsOf(order.Id).OfType<OrderRejected>().FirstOrDefault()?.Reason}");

    public string RejectionOf(OrderRequest order) => Assert.Single(ReportsOf(order.Id).OfType<OrderRejected>()).Reason;

    public BrokerPosition? Position(Symbol symbol) => Exchange.Account.PositionOf(symbol);

    /// <summary>
    /// A bar with the day's band computed from <paramref name="preClose"/> like the exchange (normal band of the board).
    /// The amount defaults to volume × the mid of open and close.
    /// </summary>
    public static DailyBar Bar(Symbol symbol, DateOnly day, decimal open, decimal high, decimal low, decimal close,
        decimal preClose = 10m, long volume = 1_000_000, decimal? amount = null, BarFlags flags = BarFlags.None)
    {
        var band = PriceLimit.FromReference(preClose, MarketRules.Default.BandPct(symbol.Board, day, isSt: false));
        return new DailyBar(symbol, day, open, high, low, close, preClose, volume, amount ?? volume * (open + close) / 2m, 1.0,
            flags, band.Up, band.Down);
    }

    /// <summary>A flat bar at one price (10.00 by default): every order at or through it fills there.</summary>
    public static DailyBar Flat(Symbol symbol, DateOnly day, decimal price = 10m, long volume = 1_000_000) =>
        Bar(symbol, day, price, price, price, price, volume: volume);
}
