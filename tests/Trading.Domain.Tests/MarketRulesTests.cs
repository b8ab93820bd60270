using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class MarketRulesTests
{
    private static readonly MarketRules Rules = MarketRules.Default;

    // A_SHARE_RULES.md §1.1 bands, with the dated changes: ChiNext reform 2020-08-24, main-board ST 5% -> 10% on 2025-07-07.
    [Theory]
    [InlineData(Board.ShanghaiMain, "2024-06-03", false, "0.10")]
    [InlineData(Board.ShenzhenMain, "2024-06-03", false, "0.10")]
    [InlineData(Board.ShanghaiMain, "2000-01-04", false, "0.10")]
    [InlineData(Board.ShanghaiMain, "2025-07-07", false, "0.10")]
    [InlineData(Board.ShanghaiMain, "2024-06-03", true, "0.05")]
    [InlineData(Board.ShanghaiMain, "2025-07-04", true, "0.05")]
    [InlineData(Board.ShanghaiMain, "2025-07-06", true, "0.05")]
    [InlineData(Board.ShanghaiMain, "2025-07-07", true, "0.10")]
    [InlineData(Board.ShanghaiMain, "2025-07-08", true, "0.10")]
    [InlineData(Board.ShenzhenMain, "2025-07-06", true, "0.05")]
    [InlineData(Board.ShenzhenMain, "2025-07-07", true, "0.10")]
    [InlineData(Board.ChiNext, "2019-06-03", false, "0.10")]
    [InlineData(Board.ChiNext, "2020-08-21", false, "0.10")]
    [InlineData(Board.ChiNext, "2020-08-24", false, "0.20")]
    [InlineData(Board.ChiNext, "2024-06-03", false, "0.20")]
    [InlineData(Board.ChiNext, "2020-08-21", true, "0.05")]
    [InlineData(Board.ChiNext, "2020-08-24", true, "0.20")]
    [InlineData(Board.ChiNext, "2024-06-03", true, "0.20")]
    [InlineData(Board.ChiNext, "2025-07-07", true, "0.20")]
    [InlineData(Board.Star, "2019-07-22", false, "0.20")]
    [InlineData(Board.Star, "2024-06-03", false, "0.20")]
    [InlineData(Board.Star, "2024-06-03", true, "0.20")]
    [InlineData(Board.Bse, "2021-11-15", false, "0.30")]
    [InlineData(Board.Bse, "2024-06-03", false, "0.30")]
    [InlineData(Board.Bse, "2024-06-03", true, "0.30")]
    public void BandPct(Board board, string date, bool isSt, string pct)
    {
        Assert.Equal(M(pct), Rules.BandPct(board, D(date), isSt));
    }

    [Fact]
    public void ChiNext_band_has_no_value_before_its_first_entry()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Rules.BandPct(Board.ChiNext, new DateOnly(1990, 1, 2), false));
        Assert.Contains("ChiNext band", ex.Message);
    }

    [Theory]
    [InlineData("600000.SH", "2024-03-01", false, "10.05", "11.06", "9.05")]
    [InlineData("000001.SZ", "2024-03-01", false, "10.05", "11.06", "9.05")]
    [InlineData("600000.SH", "2024-03-01", true, "10.05", "10.55", "9.55")]    // ST 5%: 10.5525, 9.5475
    [InlineData("000001.SZ", "2025-07-04", true, "10.05", "10.55", "9.55")]
    [InlineData("600000.SH", "2025-07-07", true, "10.05", "11.06", "9.05")]    // ST 10% from 2025-07-07
    [InlineData("300750.SZ", "2024-03-01", false, "180.37", "216.44", "144.30")] // 216.444, 144.296
    [InlineData("300750.SZ", "2024-03-01", true, "180.37", "216.44", "144.30")]
    [InlineData("300750.SZ", "2020-08-21", false, "180.37", "198.41", "162.33")] // 10% before the reform: 198.407, 162.333
    [InlineData("300750.SZ", "2020-08-24", false, "180.37", "216.44", "144.30")]
    [InlineData("688981.SH", "2024-03-01", false, "45.67", "54.80", "36.54")]  // 54.804, 36.536
    [InlineData("688981.SH", "2024-03-01", true, "45.67", "54.80", "36.54")]
    [InlineData("830799.BJ", "2024-03-01", false, "12.35", "16.06", "8.65")]   // 16.055, 8.645
    [InlineData("920001.BJ", "2025-01-02", true, "12.35", "16.06", "8.65")]
    public void Limit_per_board(string symbol, string date, bool isSt, string reference, string up, string down)
    {
        var limit = Rules.Limit(Symbol.Parse(symbol), D(date), new LimitContext(M(reference), isSt, null, null));

        Assert.True(limit.IsLimited);
        Assert.Equal(M(up), limit.Up);
        Assert.Equal(M(down), limit.Down);
    }

    // No-limit days after listing: main board 5 from 2023-04-10 (1 before), ChiNext 5 from 2020-08-24 (1 before),
    // STAR 5, BSE 1. TradingDaysListed is 0 on the listing day. With a reference of 10.00 the bands are exact.
    [Theory]
    [InlineData("600000.SH", "2023-04-10", 0, "2023-04-10", null)]
    [InlineData("600000.SH", "2023-04-10", 4, "2023-04-14", null)]
    [InlineData("600000.SH", "2023-04-10", 5, "2023-04-17", "11.00")]
    [InlineData("600000.SH", "2023-04-07", 0, "2023-04-07", null)]
    [InlineData("600000.SH", "2023-04-07", 1, "2023-04-10", "11.00")]
    [InlineData("600000.SH", "2023-04-07", 4, "2023-04-13", "11.00")]
    [InlineData("000001.SZ", "2024-03-01", 0, "2024-03-01", null)]
    [InlineData("000001.SZ", "2024-03-01", 4, "2024-03-07", null)]
    [InlineData("000001.SZ", "2024-03-01", 5, "2024-03-08", "11.00")]
    [InlineData("000001.SZ", "2010-06-01", 0, "2010-06-01", null)]
    [InlineData("000001.SZ", "2010-06-01", 1, "2010-06-02", "11.00")]
    [InlineData("300750.SZ", "2020-08-24", 0, "2020-08-24", null)]
    [InlineData("300750.SZ", "2020-08-24", 4, "2020-08-28", null)]
    [InlineData("300750.SZ", "2020-08-24", 5, "2020-08-31", "12.00")]
    [InlineData("300750.SZ", "2020-08-21", 0, "2020-08-21", null)]
    [InlineData("300750.SZ", "2020-08-21", 1, "2020-08-24", "12.00")]   // listed pre-reform: 1 day; band already 20%
    [InlineData("300750.SZ", "2018-06-11", 1, "2018-06-12", "11.00")]   // pre-reform band 10%
    [InlineData("688981.SH", "2019-07-22", 0, "2019-07-22", null)]
    [InlineData("688981.SH", "2019-07-22", 4, "2019-07-26", null)]
    [InlineData("688981.SH", "2019-07-22", 5, "2019-07-29", "12.00")]
    [InlineData("688981.SH", "2024-03-01", 4, "2024-03-07", null)]
    [InlineData("688981.SH", "2024-03-01", 5, "2024-03-08", "12.00")]
    [InlineData("830799.BJ", "2021-11-15", 0, "2021-11-15", null)]
    [InlineData("830799.BJ", "2021-11-15", 1, "2021-11-16", "13.00")]
    [InlineData("920001.BJ", "2024-11-01", 0, "2024-11-01", null)]
    [InlineData("920001.BJ", "2024-11-01", 1, "2024-11-04", "13.00")]
    public void Ipo_days_without_a_limit(string symbol, string listDate, int daysListed, string date, string? up)
    {
        var s = Symbol.Parse(symbol);
        var limit = Rules.Limit(s, D(date), new LimitContext(10.00m, false, daysListed, D(listDate)));

        Assert.Equal(up is null, Rules.IsNoLimitDay(s.Board, daysListed, D(listDate)));
        if (up is null)
        {
            Assert.Equal(PriceLimit.None, limit);
            Assert.False(limit.IsLimited);
        }
        else
        {
            Assert.Equal(M(up), limit.Up);
            Assert.Equal(20.00m - M(up), limit.Down); // symmetric around 10.00
        }
    }

    [Theory]
    [InlineData(null, "2024-03-01")]
    [InlineData(0, null)]
    [InlineData(null, null)]
    public void Unknown_listing_facts_give_the_normal_band(int? daysListed, string? listDate)
    {
        DateOnly? listed = listDate is null ? null : D(listDate);
        var limit = Rules.Limit(Symbol.Parse("688981.SH"), new DateOnly(2024, 3, 1), new LimitContext(10.00m, false, daysListed, listed));

        Assert.False(Rules.IsNoLimitDay(Board.Star, daysListed, listed));
        Assert.Equal(new PriceLimit(12.00m, 8.00m), limit);
    }

    [Theory]
    [InlineData(Board.ShanghaiMain)]
    [InlineData(Board.ShenzhenMain)]
    [InlineData(Board.ChiNext)]
    [InlineData(Board.Star)]
    [InlineData(Board.Bse)]
    public void Every_board_has_rules_with_a_one_fen_tick(Board board)
    {
        var rules = Rules.For(board);

        Assert.Equal(board, rules.Board);
        Assert.Equal(0.01m, rules.Tick);
    }

    [Fact]
    public void For_symbol_uses_the_symbol_board()
    {
        Assert.Equal(Board.ChiNext, Rules.For(Symbol.Parse("300750.SZ")).Board);
        Assert.Same(Rules.For(Board.Star).Quantity, Rules.Quantity(Symbol.Parse("688981.SH")));
    }

    [Fact]
    public void A_custom_rulebook_replaces_settings()
    {
        var main = Rules.For(Board.ShanghaiMain);
        var custom = new MarketRules(
        [
            main with { StLimitPct = main.StLimitPct.With(new DateOnly(2025, 7, 7), 0.05m, "test: the change did not happen") },
        ]);

        Assert.Equal(0.05m, custom.BandPct(Board.ShanghaiMain, new DateOnly(2025, 8, 1), true));
        Assert.Equal(0.10m, custom.BandPct(Board.ShanghaiMain, new DateOnly(2025, 8, 1), false));
        // The default book is untouched.
        Assert.Equal(0.10m, Rules.BandPct(Board.ShanghaiMain, new DateOnly(2025, 8, 1), true));
        var ex = Assert.Throws<KeyNotFoundException>(() => custom.For(Board.Star));
        Assert.Contains("Star", ex.Message);
    }

    [Fact]
    public void A_rulebook_rejects_two_rules_for_one_board()
    {
        var main = Rules.For(Board.ShanghaiMain);
        Assert.Throws<ArgumentException>(() => new MarketRules([main, main]));
    }
}
