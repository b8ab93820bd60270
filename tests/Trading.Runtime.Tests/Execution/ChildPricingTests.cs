using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Execution;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Tests.Execution;

/// <summary>Children's prices: passive at the reference, a replacement K ticks inside the cage's edge; always on the tick,
/// inside the band with a tick to spare, inside the cage, never beyond the parent's limit.</summary>
public class ChildPricingTests
{
    private const decimal Tick = 0.01m;
    private static readonly PriceCage MainCage = PriceCage.Defaults[Board.ShanghaiMain], StarCage = PriceCage.Defaults[Board.Star];

    private static TradeQuote Quote(decimal reference, decimal band = 0.10m) => new(reference, PriceLimit.FromReference(reference, band), false);

    [Fact]
    public void A_replacement_goes_to_the_cage_edge_less_the_configured_ticks()
    {
        var q = Quote(10.00m);
        Assert.Equal(10.00m, ChildPricing.Passive(Side.Buy, q, 10.20m, Tick));
        Assert.Equal(10.18m, ChildPricing.Aggressive(Side.Buy, q, 10.20m, Tick, MainCage, 2)); // cage 10.20 (2 % > 10 ticks), − 2 ticks
        Assert.Equal(9.82m, ChildPricing.Aggressive(Side.Sell, q, 9.80m, Tick, MainCage, 2));
        Assert.Equal(10.05m, ChildPricing.Aggressive(Side.Buy, q, 10.05m, Tick, MainCage, 2)); // never above the parent's limit
        Assert.Equal(3.10m, ChildPricing.Aggressive(Side.Buy, Quote(3.00m), 3.50m, Tick, MainCage, 0)); // 10 ticks wider than 2 % at 3.00
        Assert.Equal(50.98m, ChildPricing.Aggressive(Side.Buy, Quote(50.00m, 0.20m), 60m, Tick, StarCage, 2)); // STAR: 2 %, no tick term
        Assert.Equal(10.00m, ChildPricing.Aggressive(Side.Buy, q, 10.20m, Tick, MainCage, 50)); // never less aggressive than passive
    }

    [Fact]
    public void Prices_stay_a_tick_inside_the_band()
    {
        var nearUp = new TradeQuote(10.00m, new PriceLimit(10.10m, 9.00m), false);
        Assert.Equal(10.09m, ChildPricing.Aggressive(Side.Buy, nearUp, 10.20m, Tick, MainCage, 0));
        var atUp = new TradeQuote(11.00m, new PriceLimit(11.00m, 9.00m), false);
        Assert.Equal(10.99m, ChildPricing.Passive(Side.Buy, atUp, 11.20m, Tick));
        Assert.Null(ChildPricing.Passive(Side.Buy, new TradeQuote(10.00m, new PriceLimit(11.00m, 10.50m), false), 10.20m, Tick)); // parent limit below the band
    }

    [Property(MaxTest = 300)]
    public Property Every_price_is_on_the_tick_inside_band_cage_and_parent_limit()
    {
        var gen =
            from fen in Gen.Choose(100, 20_000)
            from side in Gen.Elements(Side.Buy, Side.Sell)
            from star in Gen.Elements(false, true)
            from ticks in Gen.Choose(0, 30)
            from slack in Gen.Choose(-300, 300)
            select (fen / 100m, side, star, ticks, slack);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var (reference, side, star, ticks, slack) = c;
            var q = Quote(reference, star ? 0.20m : 0.10m);
            var cage = star ? StarCage : MainCage;
            var parentLimit = side == Side.Buy ? reference + slack * Tick : reference - slack * Tick;
            foreach (var p in new[] { ChildPricing.Passive(side, q, parentLimit, Tick), ChildPricing.Aggressive(side, q, parentLimit, Tick, cage, ticks) })
            {
                if (p is not { } price) continue;
                Assert.Equal(0, price % Tick);
                Assert.True(side == Side.Buy ? price >= q.Limit.Down && price < q.Limit.Up : price > q.Limit.Down && price <= q.Limit.Up, $"{price} vs {q.Limit}");
                if (side == Side.Buy)
                {
                    Assert.True(price <= cage.BuyCeiling(reference, Tick) && price <= parentLimit && price < q.Limit.Up, $"buy {price}");
                }
                else
                {
                    Assert.True(price >= cage.SellFloor(reference, Tick) && price >= parentLimit && price > q.Limit.Down, $"sell {price}");
                }
            }
            var passive = ChildPricing.Passive(side, q, parentLimit, Tick);
            var aggressive = ChildPricing.Aggressive(side, q, parentLimit, Tick, cage, ticks);
            if (passive is { } pp && aggressive is { } aa) Assert.True(side == Side.Buy ? aa >= pp : aa <= pp);
        });
    }
}
