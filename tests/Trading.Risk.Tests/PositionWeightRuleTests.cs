namespace Trading.Risk.Tests;

/// <summary>600,000 NAV, 10 % cap: 60,000 CNY per name, 6,000 shares at 10.00 including what is held and open.</summary>
public class PositionWeightRuleTests
{
    private static readonly PositionWeightRule Shrinking = new(0.10m, shrink: true);
    private static readonly PositionWeightRule Rejecting = new(0.10m, shrink: false);

    [Fact]
    public void Buy_up_to_the_cap_exactly_is_accepted() =>
        AssertAccept(Shrinking.Check(Buy(Main, 6_000, 10.00m), Account()));

    [Fact]
    public void Buy_above_the_cap_shrinks_to_the_cap()
    {
        var shrink = Assert.IsType<RiskDecision.Shrink>(Shrinking.Check(Buy(Main, 6_100, 10.00m), Account()));
        Assert.Equal(6_000, shrink.NewQuantity);
        Assert.Equal("position-weight", shrink.Rule);
        Assert.Contains("61,000.00", shrink.Reason);
        Assert.Contains("10.17%", shrink.Reason);
        Assert.Contains("6,100 to 6,000", shrink.Reason);
    }

    [Fact]
    public void Rejects_instead_of_shrinking_when_so_configured()
    {
        var reject = AssertReject(Rejecting.Check(Buy(Main, 6_100, 10.00m), Account()), "position-weight");
        Assert.Contains("above 10.00%", reject.Reason);
    }

    [Theory]
    [InlineData(2_000, 4_000, 0)]      // 20,000 held + 40,000 = 60,000: at the cap
    [InlineData(2_000, 5_000, 4_000)]  // room 40,000 / 10 = 4,000
    [InlineData(1_950, 5_000, 4_000)]  // room 40,500 / 10 = 4,050, lot-rounded down to 4,000
    [InlineData(1_950, 4_000, 0)]      // 19,500 + 40,000 = 59,500
    public void Counts_the_existing_position(long held, long buy, long shrunkTo)
    {
        var decision = Shrinking.Check(Buy(Main, buy, 10.00m), Account().Hold(Main, held, 10.00m));
        if (shrunkTo == 0) AssertAccept(decision);
        else Assert.Equal(shrunkTo, Assert.IsType<RiskDecision.Shrink>(decision).NewQuantity);
    }

    [Fact]
    public void Values_a_position_without_market_value_at_the_reference_price()
    {
        var ctx = Account().WithQuote(Main, 10.00m) with { Holdings = ImmutableDictionary<Symbol, Holding>.Empty.Add(S(Main), new Holding(2_000, 2_000)) };
        Assert.Equal(4_000, Assert.IsType<RiskDecision.Shrink>(Shrinking.Check(Buy(Main, 5_000, 10.00m), ctx)).NewQuantity);
    }

    [Fact]
    public void Counts_open_and_pending_buys_of_the_symbol()
    {
        // 2,000 held + 500 left of an open buy of 800 (300 filled, already in the holding) + 500 pending = 3,000 × 10.00
        var ctx = Account().Hold(Main, 2_000, 10.00m)
            .WithOpen(Buy(Main, 800, 10.00m), filled: 300)
            .WithPending(Buy(Main, 500, 10.00m))
            .WithOpen(Buy(Sz, 5_000, 10.00m)); // another symbol does not count
        Assert.Equal(3_000, Assert.IsType<RiskDecision.Shrink>(Shrinking.Check(Buy(Main, 4_000, 10.00m), ctx)).NewQuantity);
    }

    [Fact]
    public void Less_than_one_lot_of_room_rejects_even_when_shrinking()
    {
        // 5,950 held: room 500 CNY = 50 shares < 100
        var reject = AssertReject(Shrinking.Check(Buy(Main, 100, 10.00m), Account().Hold(Main, 5_950, 10.00m)), "position-weight");
        Assert.Contains("room for 50 shares", reject.Reason);
    }

    [Fact]
    public void Star_shrinks_in_one_share_steps_above_200()
    {
        // cap 60,000 / 50.00 = 1,200 shares; 943 held leaves 257, a valid STAR quantity
        var ctx = Account().Hold(Star, 943, 50.00m);
        Assert.Equal(257, Assert.IsType<RiskDecision.Shrink>(Shrinking.Check(Buy(Star, 500, 50.00m), ctx)).NewQuantity);
    }

    [Fact]
    public void Star_rejects_when_the_room_is_below_its_200_minimum()
    {
        // 1,050 held leaves 150 shares: below STAR's 200-share minimum buy
        AssertReject(Shrinking.Check(Buy(Star, 500, 50.00m), Account().Hold(Star, 1_050, 50.00m)), "position-weight");
    }

    [Fact]
    public void Sells_always_pass() =>
        AssertAccept(Rejecting.Check(Sell(Main, 10_000, 10.00m), Account().Hold(Main, 10_000, 10.00m)));
}
