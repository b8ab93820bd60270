global using System.Collections.Immutable;
global using Trading.Domain.Instruments;
global using Trading.Domain.Orders;
global using Trading.Domain.Positions;
global using Trading.Domain.Rules;
global using static Trading.Risk.Tests.Fixtures;
using System.Globalization;

namespace Trading.Risk.Tests;

/// <summary>Orders, quotes and contexts for the tests: a 600,000 CNY cash account on 2024-03-01 at 10:00.</summary>
internal static class Fixtures
{
    public static readonly DateOnly Day = new(2024, 3, 1);
    public static readonly DateTime Now = new(2024, 3, 1, 10, 0, 0);

    public const string Main = "600000.SH";
    public const string Sz = "000001.SZ";
    public const string ChiNext = "300750.SZ";
    public const string Star = "688981.SH";
    public const string Bse = "830799.BJ";

    private static int _sequence;

    public static Symbol S(string text) => Symbol.Parse(text);

    /// <summary>An exact decimal from text, for [InlineData] rows.</summary>
    public static decimal M(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static ClientOrderId NextId() => ClientOrderId.Create("t", Day, Interlocked.Increment(ref _sequence));

    public static OrderRequest Buy(string symbol, long quantity, decimal price, OrderType type = OrderType.Limit) =>
        new(NextId(), S(symbol), Side.Buy, quantity, price, type, Day);

    public static OrderRequest Sell(string symbol, long quantity, decimal price, OrderType type = OrderType.Limit) =>
        new(NextId(), S(symbol), Side.Sell, quantity, price, type, Day);

    /// <summary>A quote whose band is the board's default band around the reference (main ±10 %, ChiNext/STAR ±20 %, BSE ±30 %).</summary>
    public static MarketQuote Quote(string symbol, decimal reference, decimal? bid = null, decimal? ask = null, bool suspended = false) =>
        new(reference, MarketRules.Default.Limit(S(symbol), Day, new LimitContext(reference, false, null, null)), suspended, bid, ask);

    public static Ctx Account(decimal cash = 600_000m, decimal? nav = null) => new() { Cash = cash, Nav = nav ?? cash };

    public static RiskState StateWith(params OrderRequest[] approved) =>
        approved.Aggregate(RiskState.Empty.Apply(new DayStarted(Day)), (s, o) => s.Apply(new OrderApproved(o, Now.AddMinutes(-5))));

    public static RiskDecision.Reject AssertReject(RiskDecision decision, string rule)
    {
        var reject = Assert.IsType<RiskDecision.Reject>(decision);
        Assert.Equal(rule, reject.Rule);
        Assert.False(string.IsNullOrWhiteSpace(reject.Reason));
        return reject;
    }

    public static void AssertAccept(RiskDecision decision) => Assert.Same(RiskDecision.Accepted, decision);
}

/// <summary>A context builder: set what the test is about, the rest stays neutral.</summary>
internal sealed record Ctx
{
    public decimal Cash { get; init; } = 600_000m;
    public decimal Frozen { get; init; }
    public decimal Nav { get; init; } = 600_000m;
    public decimal MarginCredit { get; init; }
    public bool Margin { get; init; }
    public ImmutableDictionary<Symbol, Holding> Holdings { get; init; } = ImmutableDictionary<Symbol, Holding>.Empty;
    public ImmutableDictionary<Symbol, decimal> MarketValues { get; init; } = ImmutableDictionary<Symbol, decimal>.Empty;
    public ImmutableDictionary<Symbol, MarketQuote> Quotes { get; init; } = ImmutableDictionary<Symbol, MarketQuote>.Empty;
    public ImmutableList<OpenOrder> Open { get; init; } = ImmutableList<OpenOrder>.Empty;
    public RiskState State { get; init; } = RiskState.Empty.Apply(new DayStarted(Day));
    public DateTime At { get; init; } = Now;

    /// <summary>Shares held (all sellable unless said) valued at <paramref name="price"/>, and a quote at that price.</summary>
    public Ctx Hold(string symbol, long quantity, decimal price, long? sellable = null) => this with
    {
        Holdings = Holdings.SetItem(S(symbol), new Holding(quantity, sellable ?? quantity)),
        MarketValues = MarketValues.SetItem(S(symbol), quantity * price),
        Quotes = Quotes.ContainsKey(S(symbol)) ? Quotes : Quotes.SetItem(S(symbol), Fixtures.Quote(symbol, price)),
    };

    public Ctx WithQuote(string symbol, decimal reference, decimal? bid = null, decimal? ask = null, bool suspended = false) =>
        this with { Quotes = Quotes.SetItem(S(symbol), Fixtures.Quote(symbol, reference, bid, ask, suspended)) };

    public Ctx WithQuote(string symbol, MarketQuote quote) => this with { Quotes = Quotes.SetItem(S(symbol), quote) };

    /// <summary>An order open at the broker, submitted a minute ago.</summary>
    public Ctx WithOpen(OrderRequest order, long filled = 0, OrderStatus status = OrderStatus.Submitted, DateTime? submitted = null) =>
        this with { Open = Open.Add(new OpenOrder(order, status, filled, submitted ?? At.AddMinutes(-1))) };

    /// <summary>An order the risk guard approved that the OMS does not report yet.</summary>
    public Ctx WithPending(OrderRequest order) => this with { State = State.Apply(new OrderApproved(order, At.AddSeconds(-30))) };

    public RiskContext Build() =>
        new(new RiskAccount(Cash, Frozen, Nav, Holdings, MarketValues, MarginCredit), Quotes, Open, State, At, Margin);

    public static implicit operator RiskContext(Ctx ctx) => ctx.Build();
}
