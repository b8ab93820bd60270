using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class PriceLimitTests
{
    // Limit price = round_half_up(reference × (1 ± pct), 2) (A_SHARE_RULES.md §1.1). Every product worked by hand:
    [Theory]
    [InlineData("10.00", "0.10", "11.00", "9.00")]
    [InlineData("10.05", "0.10", "11.06", "9.05")]     // 11.055 -> 11.06; 9.045 -> 9.05 (banker's would give 11.06 / 9.04)
    [InlineData("3.35", "0.10", "3.69", "3.02")]       // 3.685 -> 3.69; 3.015 -> 3.02
    [InlineData("18.15", "0.10", "19.97", "16.34")]    // 19.965 -> 19.97; 16.335 -> 16.34
    [InlineData("8.18", "0.10", "9.00", "7.36")]       // 8.998 -> 9.00; 7.362 -> 7.36
    [InlineData("6.87", "0.10", "7.56", "6.18")]       // 7.557 -> 7.56; 6.183 -> 6.18
    [InlineData("12.34", "0.10", "13.57", "11.11")]    // 13.574 -> 13.57; 11.106 -> 11.11
    [InlineData("10.05", "0.05", "10.55", "9.55")]     // 10.5525 -> 10.55; 9.5475 -> 9.55
    [InlineData("8.10", "0.05", "8.51", "7.70")]       // 8.505 -> 8.51; 7.695 -> 7.70
    [InlineData("4.70", "0.05", "4.94", "4.47")]       // 4.935 -> 4.94; 4.465 -> 4.47
    [InlineData("24.95", "0.20", "29.94", "19.96")]
    [InlineData("12.34", "0.20", "14.81", "9.87")]     // 14.808 -> 14.81; 9.872 -> 9.87
    [InlineData("45.67", "0.20", "54.80", "36.54")]    // 54.804 -> 54.80; 36.536 -> 36.54
    [InlineData("12.34", "0.30", "16.04", "8.64")]     // 16.042 -> 16.04; 8.638 -> 8.64
    [InlineData("12.35", "0.30", "16.06", "8.65")]     // 16.055 -> 16.06; 8.645 -> 8.65
    [InlineData("1.00", "0.30", "1.30", "0.70")]
    [InlineData("5000.00", "0.10", "5500.00", "4500.00")]
    [InlineData("1999.99", "0.20", "2399.99", "1599.99")] // 2399.988 -> 2399.99; 1599.992 -> 1599.99
    [InlineData("0.05", "0.10", "0.06", "0.05")]       // 0.055 -> 0.06; 0.045 -> 0.05 (half up)
    [InlineData("0.01", "0.10", "0.01", "0.01")]       // 0.011 -> 0.01; 0.009 -> 0.01: the band collapses onto the reference
    [InlineData("0.01", "0.60", "0.02", "0.01")]       // 0.016 -> 0.02; 0.004 would round to 0.00 and is held at 0.01
    [InlineData("0.04", "0.90", "0.08", "0.01")]       // 0.076 -> 0.08; 0.004 -> 0.00 -> 0.01
    public void FromReference_rounds_half_up_to_the_fen(string reference, string pct, string up, string down)
    {
        var limit = PriceLimit.FromReference(M(reference), M(pct));

        Assert.Equal(M(up), limit.Up);
        Assert.Equal(M(down), limit.Down);
        Assert.True(limit.IsLimited);
    }

    [Theory]
    [InlineData("0", "0.10")]
    [InlineData("-1.00", "0.10")]
    [InlineData("10.00", "0")]
    [InlineData("10.00", "-0.10")]
    [InlineData("10.00", "1")]
    [InlineData("10.00", "1.5")]
    public void FromReference_rejects_non_positive_references_and_bands_outside_0_1(string reference, string pct)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PriceLimit.FromReference(M(reference), M(pct)));
    }

    [Theory]
    [InlineData("8.99", false, false, true)]
    [InlineData("9.00", true, false, true)]
    [InlineData("9.01", true, false, false)]
    [InlineData("10.99", true, false, false)]
    [InlineData("11.00", true, true, false)]
    [InlineData("11.01", false, true, false)]
    public void Contains_and_limit_checks(string price, bool contains, bool atOrAboveUp, bool atOrBelowDown)
    {
        var limit = new PriceLimit(11.00m, 9.00m);

        Assert.Equal(contains, limit.Contains(M(price)));
        Assert.Equal(atOrAboveUp, limit.IsAtOrAboveUp(M(price)));
        Assert.Equal(atOrBelowDown, limit.IsAtOrBelowDown(M(price)));
    }

    [Fact]
    public void None_has_no_band()
    {
        var none = PriceLimit.None;

        Assert.False(none.IsLimited);
        Assert.True(none.Contains(0.01m));
        Assert.True(none.Contains(1_000_000m));
        Assert.False(none.IsAtOrAboveUp(1_000_000m));
        Assert.False(none.IsAtOrBelowDown(0.01m));
        Assert.Equal("[no limit]", none.ToString());
    }

    [Fact]
    public void ToString_prints_the_band_with_two_decimals()
    {
        Assert.Equal("[9.00, 11.00]", new PriceLimit(11m, 9m).ToString());
        Assert.Equal("[9.05, 11.06]", PriceLimit.FromReference(10.05m, 0.10m).ToString());
    }

    // REAL limit-up closes, SZSE main board 2024 (/work/shared/data/ashare-2024/daily.csv.gz): close == high ==
    // round_half_up(pre_close × 1.1). Most have a pre_close ending in 5, so pre_close × 1.1 ends in an exact
    // half fen and banker's rounding (or truncation) would give a price one fen lower.
    [Theory]
    [InlineData("000017.SZ", "20240122", "10.55", "11.61")]  // 11.605
    [InlineData("000066.SZ", "20241023", "10.55", "11.61")]  // 11.605
    [InlineData("000560.SZ", "20241016", "3.35", "3.69")]    // 3.685
    [InlineData("000520.SZ", "20240418", "2.55", "2.81")]    // 2.805
    [InlineData("000623.SZ", "20240930", "15.75", "17.33")]  // 17.325
    [InlineData("000718.SZ", "20241212", "2.75", "3.03")]    // 3.025
    [InlineData("001266.SZ", "20240306", "24.95", "27.45")]  // 27.445
    [InlineData("001696.SZ", "20241008", "14.75", "16.23")]  // 16.225
    [InlineData("002095.SZ", "20241128", "24.15", "26.57")]  // 26.565
    [InlineData("002188.SZ", "20240516", "4.75", "5.23")]    // 5.225
    [InlineData("002272.SZ", "20240719", "4.15", "4.57")]    // 4.565
    [InlineData("002315.SZ", "20240219", "27.75", "30.53")]  // 30.525
    [InlineData("002423.SZ", "20240131", "8.35", "9.19")]    // 9.185
    [InlineData("000063.SZ", "20241008", "31.15", "34.27")]  // 34.265
    [InlineData("000049.SZ", "20240709", "25.15", "27.67")]  // 27.665
    [InlineData("000002.SZ", "20240517", "8.18", "9.00")]    // 8.998, carries into the units
    [InlineData("000002.SZ", "20240429", "6.87", "7.56")]    // 7.557
    public void Real_2024_limit_up_closes(string symbol, string date, string preClose, string close)
    {
        var limit = MarketRules.Default.Limit(Symbol.Parse(symbol), D(date), new LimitContext(M(preClose), false, null, null));

        Assert.Equal(M(close), limit.Up);
        // Same result for a long-listed stock whose listing date is known.
        var known = MarketRules.Default.Limit(Symbol.Parse(symbol), D(date), new LimitContext(M(preClose), false, 1_000, new DateOnly(1995, 1, 3)));
        Assert.Equal(M(close), known.Up);
    }

    // REAL limit-down closes, same data: close == low == round_half_up(pre_close × 0.9).
    [Theory]
    [InlineData("000550.SZ", "20240805", "28.25", "25.43")]  // 25.425
    [InlineData("000717.SZ", "20240205", "2.25", "2.03")]    // 2.025
    [InlineData("000890.SZ", "20241223", "3.85", "3.47")]    // 3.465
    [InlineData("001278.SZ", "20241009", "17.85", "16.07")]  // 16.065
    [InlineData("002178.SZ", "20241112", "8.85", "7.97")]    // 7.965
    [InlineData("002455.SZ", "20241009", "8.65", "7.79")]    // 7.785
    public void Real_2024_limit_down_closes(string symbol, string date, string preClose, string close)
    {
        var limit = MarketRules.Default.Limit(Symbol.Parse(symbol), D(date), new LimitContext(M(preClose), false, null, null));

        Assert.Equal(M(close), limit.Down);
    }

    // REAL 5% (risk-warning) limits from the same data: stocks named ST/*ST whose daily moves stayed within about
    // 5% at the time, locked at round_half_up(pre_close × 1.05) or × 0.95 (ST status inferred from the lock).
    [Theory]
    [InlineData("000615.SZ", "20240827", "1.70", "1.79", true)]   // *ST美谷, 1.785
    [InlineData("000908.SZ", "20240719", "1.30", "1.37", true)]   // *ST景峰, 1.365
    [InlineData("002005.SZ", "20240626", "0.90", "0.95", true)]   // ST德豪, 0.945
    [InlineData("000525.SZ", "20240321", "8.10", "8.51", true)]   // 8.505
    [InlineData("000909.SZ", "20240228", "4.70", "4.47", false)]  // ST数源, 4.465
    public void Real_2024_ST_limits(string symbol, string date, string preClose, string close, bool up)
    {
        var limit = MarketRules.Default.Limit(Symbol.Parse(symbol), D(date), new LimitContext(M(preClose), true, null, null));

        Assert.Equal(M(close), up ? limit.Up : limit.Down);
    }
}
