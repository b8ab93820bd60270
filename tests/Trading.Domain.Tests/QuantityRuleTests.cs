using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Domain.Tests;

public class QuantityRuleTests
{
    private static QuantityRule Rule(string symbol) => MarketRules.Default.Quantity(Symbol.Parse(symbol));

    // A_SHARE_RULES.md §1.1 "Buy qty rule" and "Max per order (limit / market)".
    [Theory]
    [InlineData("600000.SH", 100, 100, 1_000_000, 1_000_000)]
    [InlineData("000001.SZ", 100, 100, 1_000_000, 1_000_000)]
    [InlineData("002594.SZ", 100, 100, 1_000_000, 1_000_000)]
    [InlineData("300750.SZ", 100, 100, 300_000, 150_000)]
    [InlineData("688981.SH", 200, 1, 100_000, 50_000)]
    [InlineData("689009.SH", 200, 1, 100_000, 50_000)]
    [InlineData("830799.BJ", 100, 1, 1_000_000, 1_000_000)]
    [InlineData("920001.BJ", 100, 1, 1_000_000, 1_000_000)]
    public void Default_rule_per_board(string symbol, int minBuy, int step, int maxLimit, int maxMarket)
    {
        var rule = Rule(symbol);

        Assert.Equal(minBuy, rule.MinBuy);
        Assert.Equal(step, rule.Step);
        Assert.Equal(maxLimit, rule.MaxLimitOrder);
        Assert.Equal(maxMarket, rule.MaxMarketOrder);
    }

    [Theory]
    // main board: multiples of 100 up to 1,000,000
    [InlineData("600000.SH", -100, false)]
    [InlineData("600000.SH", 0, false)]
    [InlineData("600000.SH", 1, false)]
    [InlineData("600000.SH", 99, false)]
    [InlineData("600000.SH", 100, true)]
    [InlineData("600000.SH", 101, false)]
    [InlineData("600000.SH", 150, false)]
    [InlineData("600000.SH", 200, true)]
    [InlineData("600000.SH", 12_300, true)]
    [InlineData("600000.SH", 12_345, false)]
    [InlineData("600000.SH", 1_000_000, true)]
    [InlineData("600000.SH", 1_000_100, false)]
    [InlineData("000001.SZ", 100, true)]
    [InlineData("000001.SZ", 250, false)]
    [InlineData("000001.SZ", 1_000_000, true)]
    [InlineData("000001.SZ", 1_000_100, false)]
    // ChiNext: lots of 100, at most 300,000 per limit order
    [InlineData("300750.SZ", 100, true)]
    [InlineData("300750.SZ", 250, false)]
    [InlineData("300750.SZ", 300_000, true)]
    [InlineData("300750.SZ", 300_100, false)]
    // STAR: at least 200, then any number of shares, at most 100,000
    [InlineData("688981.SH", 100, false)]
    [InlineData("688981.SH", 199, false)]
    [InlineData("688981.SH", 200, true)]
    [InlineData("688981.SH", 201, true)]
    [InlineData("688981.SH", 257, true)]
    [InlineData("688981.SH", 100_000, true)]
    [InlineData("688981.SH", 100_001, false)]
    // BSE: at least 100, then any number of shares, at most 1,000,000
    [InlineData("830799.BJ", 99, false)]
    [InlineData("830799.BJ", 100, true)]
    [InlineData("830799.BJ", 101, true)]
    [InlineData("830799.BJ", 1_000_000, true)]
    [InlineData("830799.BJ", 1_000_001, false)]
    public void IsValidBuy(string symbol, long quantity, bool valid)
    {
        Assert.Equal(valid, Rule(symbol).IsValidBuy(quantity));
    }

    [Theory]
    [InlineData("600000.SH", -5, 0)]
    [InlineData("600000.SH", 0, 0)]
    [InlineData("600000.SH", 99, 0)]
    [InlineData("600000.SH", 100, 100)]
    [InlineData("600000.SH", 199, 100)]
    [InlineData("600000.SH", 250, 200)]
    [InlineData("600000.SH", 12_345, 12_300)]
    [InlineData("600000.SH", 999_999, 999_900)]
    [InlineData("600000.SH", 1_000_050, 1_000_000)]
    [InlineData("600000.SH", 5_000_000, 1_000_000)]
    [InlineData("000001.SZ", 1_999, 1_900)]
    [InlineData("300750.SZ", 299_999, 299_900)]
    [InlineData("300750.SZ", 350_000, 300_000)]
    [InlineData("688981.SH", 199, 0)]
    [InlineData("688981.SH", 200, 200)]
    [InlineData("688981.SH", 257, 257)]
    [InlineData("688981.SH", 99_999, 99_999)]
    [InlineData("688981.SH", 150_000, 100_000)]
    [InlineData("830799.BJ", 99, 0)]
    [InlineData("830799.BJ", 100, 100)]
    [InlineData("830799.BJ", 101, 101)]
    [InlineData("830799.BJ", 2_000_000, 1_000_000)]
    public void RoundBuyDown(string symbol, long target, long expected)
    {
        Assert.Equal(expected, Rule(symbol).RoundBuyDown(target));
    }

    // Odd lots are sell-only and the whole odd remainder goes in one order (A_SHARE_RULES.md §1.1).
    [Theory]
    // main board, 250 sellable: odd lot 50
    [InlineData("600000.SH", 250, 250, true)]
    [InlineData("600000.SH", 250, 200, true)]
    [InlineData("600000.SH", 250, 150, true)]   // one lot plus the whole odd 50
    [InlineData("600000.SH", 250, 100, true)]
    [InlineData("600000.SH", 250, 50, true)]    // the whole odd lot alone
    [InlineData("600000.SH", 250, 30, false)]   // part of the odd lot
    [InlineData("600000.SH", 250, 120, false)]  // lot plus part of the odd lot
    [InlineData("600000.SH", 250, 230, false)]
    [InlineData("600000.SH", 250, 260, false)]  // more than sellable
    [InlineData("600000.SH", 250, 300, false)]  // more than sellable, even though a round lot
    [InlineData("600000.SH", 250, 0, false)]
    [InlineData("600000.SH", 250, -100, false)]
    // main board, 1,050 sellable
    [InlineData("000001.SZ", 1_050, 1_050, true)]
    [InlineData("000001.SZ", 1_050, 1_000, true)]
    [InlineData("000001.SZ", 1_050, 550, true)]
    [InlineData("000001.SZ", 1_050, 50, true)]
    [InlineData("000001.SZ", 1_050, 1_020, false)]
    [InlineData("000001.SZ", 1_050, 20, false)]
    // main board, only an odd lot
    [InlineData("600000.SH", 50, 50, true)]
    [InlineData("600000.SH", 50, 30, false)]
    [InlineData("600000.SH", 50, 100, false)]
    // main board, round lots only: no odd lot to carry
    [InlineData("600000.SH", 300, 200, true)]
    [InlineData("600000.SH", 300, 250, false)]
    [InlineData("600000.SH", 300, 50, false)]
    // ChiNext, 350 sellable
    [InlineData("300750.SZ", 350, 350, true)]
    [InlineData("300750.SZ", 350, 300, true)]
    [InlineData("300750.SZ", 350, 250, true)]
    [InlineData("300750.SZ", 350, 50, true)]
    [InlineData("300750.SZ", 350, 320, false)]
    // STAR, 250 sellable: below 200 only as the whole remainder
    [InlineData("688981.SH", 250, 250, true)]
    [InlineData("688981.SH", 250, 210, true)]
    [InlineData("688981.SH", 250, 200, true)]
    [InlineData("688981.SH", 250, 199, false)]
    [InlineData("688981.SH", 250, 150, false)]
    [InlineData("688981.SH", 250, 50, false)]
    [InlineData("688981.SH", 250, 251, false)]
    // STAR, 150 sellable (all of it an odd lot)
    [InlineData("688981.SH", 150, 150, true)]
    [InlineData("688981.SH", 150, 100, false)]
    [InlineData("688981.SH", 150, 149, false)]
    [InlineData("688981.SH", 1_000, 999, true)]
    [InlineData("688981.SH", 1_000, 199, false)]
    // BSE, 150 sellable
    [InlineData("830799.BJ", 150, 150, true)]
    [InlineData("830799.BJ", 150, 120, true)]
    [InlineData("830799.BJ", 150, 100, true)]
    [InlineData("830799.BJ", 150, 99, false)]
    [InlineData("830799.BJ", 150, 50, false)]
    [InlineData("830799.BJ", 60, 60, true)]
    // maximum order size applies to sells too, even for the whole position
    [InlineData("600000.SH", 1_500_000, 1_000_000, true)]
    [InlineData("600000.SH", 1_500_000, 1_000_100, false)]
    [InlineData("600000.SH", 1_000_050, 1_000_050, false)]
    [InlineData("300750.SZ", 400_000, 300_000, true)]
    [InlineData("300750.SZ", 400_000, 300_100, false)]
    [InlineData("688981.SH", 200_000, 100_000, true)]
    [InlineData("688981.SH", 200_000, 100_001, false)]
    [InlineData("830799.BJ", 2_000_000, 1_000_001, false)]
    public void IsValidSell(string symbol, long sellable, long quantity, bool valid)
    {
        var rule = Rule(symbol);

        Assert.Equal(valid, rule.IsValidSell(quantity, sellable));
        Assert.Equal(valid, rule.SellViolation(quantity, sellable) is null);
    }

    [Theory]
    [InlineData("600000.SH", 100, 200, "T+1")]
    [InlineData("600000.SH", 250, 0, "must be positive")]
    [InlineData("600000.SH", 250, 30, "whole odd lot of 50")]
    [InlineData("600000.SH", 2_000_000, 1_000_100, "maximum order of 1000000")]
    [InlineData("688981.SH", 250, 150, "minimum of 200")]
    public void SellViolation_explains_why(string symbol, long sellable, long quantity, string fragment)
    {
        var why = Rule(symbol).SellViolation(quantity, sellable);

        Assert.NotNull(why);
        Assert.Contains(fragment, why);
    }

    [Theory]
    // main board, 250 sellable
    [InlineData("600000.SH", 250, 250, 250)]
    [InlineData("600000.SH", 250, 260, 250)]
    [InlineData("600000.SH", 250, 240, 200)]
    [InlineData("600000.SH", 250, 199, 150)]
    [InlineData("600000.SH", 250, 149, 100)]
    [InlineData("600000.SH", 250, 99, 50)]
    [InlineData("600000.SH", 250, 50, 50)]
    [InlineData("600000.SH", 250, 49, 0)]
    [InlineData("600000.SH", 250, 0, 0)]
    [InlineData("600000.SH", 250, -10, 0)]
    // main board, 1,050 sellable
    [InlineData("600000.SH", 1_050, 1_049, 1_000)]
    [InlineData("600000.SH", 1_050, 999, 950)]
    // round lots only
    [InlineData("600000.SH", 300, 250, 200)]
    [InlineData("600000.SH", 300, 99, 0)]
    // nothing sellable (bought today)
    [InlineData("600000.SH", 0, 100, 0)]
    // capped at the maximum order
    [InlineData("600000.SH", 1_000_050, 2_000_000, 1_000_000)]
    [InlineData("300750.SZ", 400_050, 400_050, 300_000)]
    // STAR
    [InlineData("688981.SH", 250, 240, 240)]
    [InlineData("688981.SH", 250, 250, 250)]
    [InlineData("688981.SH", 250, 300, 250)]
    [InlineData("688981.SH", 250, 199, 0)]
    [InlineData("688981.SH", 150, 100, 0)]
    [InlineData("688981.SH", 150, 150, 150)]
    [InlineData("688981.SH", 150, 1_000, 150)]
    [InlineData("688981.SH", 150_000, 150_000, 100_000)]
    // BSE
    [InlineData("830799.BJ", 150, 120, 120)]
    [InlineData("830799.BJ", 150, 99, 0)]
    [InlineData("830799.BJ", 150, 150, 150)]
    [InlineData("830799.BJ", 60, 1_000, 60)]
    public void RoundSellDown(string symbol, long sellable, long target, long expected)
    {
        var rule = Rule(symbol);
        var result = rule.RoundSellDown(target, sellable);

        Assert.Equal(expected, result);
        if (result != 0) Assert.True(rule.IsValidSell(result, sellable));
    }

    [Fact]
    public void A_custom_rule_is_a_record()
    {
        var rule = new QuantityRule(100, 100, 1_000_000, 1_000_000);

        Assert.Equal(MarketRules.Default.Quantity(Symbol.Parse("600000.SH")), rule);
        Assert.Equal(500, (rule with { MaxLimitOrder = 500 }).RoundBuyDown(1_000));
    }
}
