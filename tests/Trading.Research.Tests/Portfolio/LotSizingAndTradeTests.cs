using FsCheck.Xunit;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Research.Portfolio;

namespace Trading.Research.Tests.Portfolio;

public class LotSizerTests
{
    private static readonly DateOnly Day = new(2024, 6, 3);
    private static readonly LotSizingOptions Options = new() { TradeDate = Day };
    private static readonly Symbol Main = Symbol.Parse("600000.SH");
    private static readonly Symbol Star = Symbol.Parse("688001.SH");
    private static readonly Symbol Bse = Symbol.Parse("830799.BJ");

    private static LotSizingResult Size(Symbol s, double w, decimal price, decimal cash, LotSizingOptions? o = null, long held = 0, long sellable = 0) =>
        LotSizer.Size([s], [w], [price], [held], [sellable], cash, o ?? Options);

    [Fact]
    public void Main_board_buys_round_down_to_lots_of_100()
    {
        // 10% of 100,000 at 33.33 = 300.03 shares → 300; a 4th lot would overshoot by 3,332 (worse than 1 short).
        var r = Size(Main, 0.1, 33.33m, 100_000m);
        Assert.Equal(300, r.TargetShares[0]);
        // Fees: commission max(0.025% × 9,999, 5) = 5, transfer 0.001% → 0.10.
        Assert.Equal(100_000m - 9_999m - 5.10m, r.CashLeft);
    }

    [Fact]
    public void Star_buys_200_then_single_shares()
    {
        Assert.Equal(250, Size(Star, 0.5, 200m, 100_000m).TargetShares[0]);
        // 150 shares wanted, below STAR's 200 minimum: 200 is nearer than 0 and affordable, unless overshoot is off.
        Assert.Equal(200, Size(Star, 0.3, 200m, 100_000m).TargetShares[0]);
        Assert.Equal(0, Size(Star, 0.3, 200m, 100_000m, Options with { AllowOvershoot = false }).TargetShares[0]);
    }

    [Fact]
    public void Bse_buys_100_then_single_shares()
    {
        Assert.Equal(123, Size(Bse, 0.1234, 100m, 100_000m).TargetShares[0]);
        Assert.Equal(0, Size(Bse, 0.099, 100m, 100_000m, Options with { AllowOvershoot = false }).TargetShares[0]);
        Assert.Equal(100, Size(Bse, 0.099, 100m, 100_000m).TargetShares[0]);
    }

    [Fact]
    public void Fees_take_a_lot_off_when_the_round_target_costs_more_than_the_cash()
    {
        // 100% of 100,000 at 10 = 10,000 shares, but fees (25 + 1) push it over: 9,900 shares remain.
        var r = Size(Main, 1.0, 10m, 100_000m);
        Assert.Equal(9_900, r.TargetShares[0]);
        Assert.True(r.CashLeft >= 0);
        Assert.Equal(100_000m - 99_000m - FeeSchedule.Default.Compute(Side.Buy, 10m, 9_900, Day).Total, r.CashLeft);
    }

    [Fact]
    public void Sells_round_down_and_carry_the_odd_lot_whole()
    {
        Assert.Equal(0, Size(Main, 0, 10m, 0m, held: 1_050, sellable: 1_050).TargetShares[0]);
        // Target 530 of 1,050: sell 520 rounds down to 500 (a round-lot sell), leaving 550 ≥ 530.
        double w = 530 * 10 / 10_500.0;
        Assert.Equal(550, Size(Main, w, 10m, 0m, held: 1_050, sellable: 1_050).TargetShares[0]);
    }

    [Fact]
    public void Shares_bought_today_cannot_be_sold()
    {
        var r = Size(Main, 0, 10m, 0m, held: 1_000, sellable: 0);
        Assert.Equal(1_000, r.TargetShares[0]);
        Assert.Contains(r.Notes, n => n.Contains("sellable"));
    }

    [Fact]
    public void Sells_fund_buys_and_the_reserve_stays_untouched()
    {
        Symbol[] s = [Main, Star];
        var o = Options with { CashReserve = 1_000m, SlippageBps = 10m };
        var r = LotSizer.Size(s, [0, 0.9], [10m, 50m], [10_000, 0], [10_000, 0], 10_000m, o);
        Assert.Equal(0, r.TargetShares[0]);
        Assert.True(r.CashLeft >= 0);
        // NAV 110,000, investable 109,000, 90% → 98,100 / 50 = 1,962 shares at most.
        Assert.InRange(r.TargetShares[1], 1_900, 1_962);
    }

    /// <summary>Random universes on every board: never spends more than the cash (reserve, slippage and fees
    /// included), every quantity is a valid lot, sells never go below target, and without overshoot buys never exceed it.</summary>
    [Property(MaxTest = 300)]
    public bool Never_spends_more_than_the_cash_and_every_quantity_is_valid(int seed)
    {
        var rng = new Random(seed);
        string[] pool = ["600000.SH", "601318.SH", "000001.SZ", "002415.SZ", "300750.SZ", "688001.SH", "688981.SH", "830799.BJ", "920001.BJ", "603259.SH"];
        int n = rng.Next(1, pool.Length + 1);
        var symbols = pool.OrderBy(_ => rng.Next()).Take(n).Select(s => Symbol.Parse(s)).ToArray();
        var prices = symbols.Select(_ => Math.Round((decimal)(1 + rng.NextDouble() * 300), 2)).ToArray();
        var held = symbols.Select(_ => rng.Next(3) == 0 ? 0L : rng.Next(0, 5_000)).ToArray();
        var sellable = held.Select(h => rng.Next(2) == 0 ? h : (long)rng.Next(0, (int)h + 1)).ToArray();
        var raw = symbols.Select(_ => rng.Next(4) == 0 ? 0 : rng.NextDouble()).ToArray();
        double scale = raw.Sum() > 0 ? rng.NextDouble() / raw.Sum() : 0;
        var weights = raw.Select(x => x * scale).ToArray();
        decimal cash = Math.Round((decimal)(rng.NextDouble() * 500_000), 2);
        var options = new LotSizingOptions
        {
            TradeDate = Day,
            AllowOvershoot = rng.Next(2) == 0,
            SlippageBps = rng.Next(0, 30),
            CashReserve = Math.Round((decimal)(rng.NextDouble() * 5_000), 2),
        };
        var r = LotSizer.Size(symbols, weights, prices, held, sellable, cash, options);

        decimal nav = cash, slip = options.SlippageBps / 10_000m, budget = cash - options.CashReserve, spent = 0;
        for (int i = 0; i < n; i++) nav += prices[i] * held[i];
        decimal investable = Math.Max(0, nav - options.CashReserve);
        for (int i = 0; i < n; i++)
        {
            var rule = MarketRules.Default.Quantity(symbols[i]);
            long q = r.TargetShares[i] - held[i];
            double ideal = weights[i] * (double)investable / (double)prices[i];
            if (q < 0)
            {
                if (-q > sellable[i]) return false;
                if (!(rule with { MaxLimitOrder = int.MaxValue }).IsValidSell(-q, sellable[i])) return false;
                if (r.TargetShares[i] < Math.Floor(ideal) - 1e-9) return false; // sold below target
                budget += prices[i] * -q * (1 - slip) - FeeSchedule.Default.Compute(Side.Sell, prices[i], -q, Day).Total;
            }
            else if (q > 0)
            {
                if (q < rule.MinBuy || (q - rule.MinBuy) % rule.Step != 0) return false;
                if (!options.AllowOvershoot && r.TargetShares[i] > ideal + 1e-9) return false;
                spent += prices[i] * q * (1 + slip) + FeeSchedule.Default.Compute(Side.Buy, prices[i], q, Day).Total;
            }
        }
        return spent == 0 || spent <= budget;
    }
}

public class TradeListTests
{
    private static readonly DateOnly Day = new(2024, 6, 3);
    private static readonly TradeCostModel Costs = new() { TradeDate = Day, SlippageBps = 10 };
    private static readonly Symbol[] Names = new[] { "600000.SH", "600036.SH", "601318.SH" }.Select(Symbol.Parse).ToArray();

    [Fact]
    public void Trades_whose_cost_exceeds_the_expected_benefit_are_skipped_but_exits_are_kept()
    {
        // Name 0: buy 100 × 10 = 1,000; cost = 5 commission + 0.01 transfer + 1 slippage = 6.01 > benefit 1,000 × 0.5% = 5.
        // Name 1: buy 20,000 × 10 = 200,000; cost 50 + 2 + 200 = 252 < benefit 1,000: kept.
        // Name 2: exit of 5,000 shares: kept whatever it costs.
        var list = TradeListBuilder.Build(Names, [10_000, 0, 5_000], [10_000, 0, 5_000], [10_100, 20_000, 0], [10m, 10m, 10m],
            1_000_000m, Costs, new TradeFilter { ExpectedAlpha = 0.005 });
        var byIndex = list.Trades.ToDictionary(t => t.Index);
        Assert.True(byIndex[0].Skipped);
        Assert.Equal(6.01m, byIndex[0].Cost);
        Assert.Equal(5m, byIndex[0].ExpectedBenefit);
        Assert.Contains("exceeds expected benefit", byIndex[0].Reason);
        Assert.False(byIndex[1].Skipped);
        Assert.Equal(252m, byIndex[1].Cost);
        Assert.False(byIndex[2].Skipped);
        Assert.Equal(Side.Sell, list.Trades[0].Side); // sells first
        Assert.Equal([10_000L, 20_000, 0], list.FinalShares);
    }

    [Fact]
    public void A_minimum_trade_value_skips_small_trades()
    {
        var list = TradeListBuilder.Build(Names, [10_000, 0, 0], [10_000, 0, 0], [10_100, 300, 0], [10m, 10m, 10m],
            1_000_000m, Costs, new TradeFilter { ExpectedAlpha = 1, MinTradeValue = 2_000m });
        Assert.All(list.Trades.Where(t => t.Index == 0), t => Assert.Contains("below the minimum", t.Reason));
        Assert.False(list.Trades.Single(t => t.Index == 1).Skipped);
    }

    [Fact]
    public void Buys_that_relied_on_a_skipped_sell_are_dropped_until_the_cash_fits()
    {
        // Sell 500 of name 0 is not worth it (α 0.1%), so the 4,000 buy of name 1 (α 50%) no longer fits in 3,000 of cash.
        var list = TradeListBuilder.Build(Names[..2], [1_000, 0], [1_000, 0], [500, 400], [10m, 10m], 3_000m, Costs,
            new TradeFilter { ExpectedAlphaByName = [0.001, 0.5] });
        Assert.All(list.Trades, t => Assert.True(t.Skipped));
        Assert.Contains("not enough cash", list.Trades.Single(t => t.Index == 1).Reason);
        Assert.Equal(3_000m, list.CashAfter);
        Assert.Equal([1_000L, 0], list.FinalShares);
    }

    [Fact]
    public void Quantities_are_made_valid_for_the_board()
    {
        // Buy 150 on the main board → 100; sell 1,049 of 1,050 sellable → 1,000 (a round-lot sell).
        var list = TradeListBuilder.Build(Names[..2], [0, 1_050], [0, 1_050], [150, 1], [10m, 10m], 100_000m, Costs, TradeFilter.None);
        Assert.Equal(100, list.Trades.Single(t => t.Index == 0).Quantity);
        Assert.Equal(1_000, list.Trades.Single(t => t.Index == 1).Quantity);
    }
}
