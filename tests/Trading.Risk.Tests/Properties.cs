using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Trading.Risk.Tests;

/// <summary>FsCheck properties; the oracles restate the rules in integer fen and share arithmetic.</summary>
public class Properties
{
    private static readonly string[] Symbols = [Main, Sz, ChiNext, Star, Bse];

    /// <summary>600,000 NAV, 10 % cap = 6,000,000 fen: accept, shrink to the largest valid quantity under the cap, or reject.</summary>
    [Property(MaxTest = 2000)]
    public Property Position_weight_shrinks_to_the_largest_valid_quantity_under_the_cap()
    {
        var gen = Gen.Elements(Symbols).Zip(Gen.Choose(100, 50_000)).Zip(Gen.Choose(0, 20_000).Zip(Gen.Choose(1, 50_000)));
        var rule = new PositionWeightRule(0.10m, shrink: true);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var ((symbol, priceFen), (held, quantity)) = t;
            decimal price = priceFen / 100m;
            var lots = MarketRules.Default.Quantity(S(symbol));
            const long capFen = 6_000_000;
            long existingFen = (long)held * priceFen;
            bool fits(long q) => existingFen + q * priceFen <= capFen;

            var decision = rule.Check(Buy(symbol, quantity, price), Account().Hold(symbol, held, price));
            switch (decision)
            {
                case RiskDecision.Accept:
                    Assert.True(fits(quantity));
                    break;
                case RiskDecision.Shrink s:
                    Assert.False(fits(quantity));
                    Assert.True(s.NewQuantity < quantity);
                    Assert.True(lots.IsValidBuy(s.NewQuantity), $"{s.NewQuantity} is not a valid buy of {symbol}");
                    Assert.True(fits(s.NewQuantity));
                    long next = s.NewQuantity + lots.Step;
                    Assert.True(!fits(next) || next > lots.MaxLimitOrder, $"{next} would still fit");
                    break;
                case RiskDecision.Reject:
                    Assert.False(fits(quantity));
                    Assert.False(fits(lots.MinBuy));
                    break;
            }
        });
    }

    /// <summary>Whatever the order, the default chain approves at most what was asked, in a valid quantity, or names its rule.</summary>
    [Property(MaxTest = 500)]
    public Property The_default_chain_never_enlarges_and_approves_only_valid_orders()
    {
        var chain = PreTradeChain.FromOptions(RiskOptions.Default);
        var names = chain.Rules.Select(r => r.Name).ToHashSet();
        var gen = Gen.Elements(Symbols).Zip(Gen.Elements(Side.Buy, Side.Sell))
            .Zip(Gen.Choose(1, 30_000).Zip(Gen.Choose(900, 1_100)));
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var ((symbol, side), (quantity, priceFen)) = t;
            var order = side == Side.Buy ? Buy(symbol, quantity, priceFen / 100m) : Sell(symbol, quantity, priceFen / 100m);
            var ctx = Account().Hold(symbol, 3_050, 10.00m, sellable: 2_050).WithQuote(symbol, 10.00m, bid: 9.99m, ask: 10.00m);

            var result = chain.Evaluate(order, ctx);

            if (result.Approved is { } approved)
            {
                Assert.True(approved.Quantity <= quantity);
                var lots = MarketRules.Default.Quantity(S(symbol));
                if (side == Side.Buy) Assert.True(lots.IsValidBuy(approved.Quantity));
                else Assert.True(lots.IsValidSell(approved.Quantity, 2_050));
            }
            else Assert.Contains(result.Rejection!.Rule, names);
        });
    }

    /// <summary>A new day zeroes the day's counters after any history and never touches the kill switch.</summary>
    [Property(MaxTest = 300)]
    public Property A_new_day_resets_counters_and_keeps_the_kill_switch()
    {
        var evt = Gen.Choose(0, 5).Select(k => k switch
        {
            0 => (RiskEvent)new OrderApproved(Buy(Main, 100, 10.00m), Now),
            1 => new OrderRejectedByRisk(Buy(Main, 100, 10.00m), "cash", "no", Now),
            2 => new OrderCancelled(NextId(), S(Sz), Now),
            3 => new KillSwitchEngaged("x", Now),
            4 => new KillSwitchReleased("y", Now),
            _ => new OrderApproved(Sell(Sz, 100, 10.00m), Now),
        });
        return Prop.ForAll(Gen.ListOf(evt).ToArbitrary(), events =>
        {
            var before = RiskState.Replay(new RiskEvent[] { new DayStarted(Day) }.Concat(events));
            var after = before.Apply(new DayStarted(Day.AddDays(1)));
            Assert.Equal(0, after.OrderCount + after.CancelCount + after.RejectionsToday);
            Assert.Empty(after.ActiveOrders); // every order was for the previous day
            Assert.Equal(before.KillSwitch, after.KillSwitch);
            Assert.Equal(after, RiskState.Replay(new RiskEvent[] { new DayStarted(Day) }.Concat(events).Append(new DayStarted(Day.AddDays(1)))));
        });
    }
}
