using Trading.Research.Factors;
using static Trading.Research.Tests.Factors.TinyMarket;

namespace Trading.Research.Tests.Factors;

/// <summary>Every library factor on <see cref="TinyMarket"/>, against values worked out by hand.</summary>
public class LibraryFactorTests
{
    private static readonly Trading.Data.Panel.MarketPanel P = Panel();

    [Fact]
    public void Momentum_is_the_adjusted_return_from_lookback_to_skip_days_ago()
    {
        var m = new Momentum(lookback: 3, skip: 1);
        Assert.Equal("momentum(lookback=3,skip=1)", m.Name);
        // d3: A 11.55 / 10 − 1 = 0.155 (through the ex-date: raw closes would say 10.5 / 10 − 1);
        //     B 21 / 20 − 1 = 0.05 (d2 is suspended: its carried close counts); C was not listed on d0.
        var (a, b, c) = On(P, m, 3);
        Assert.Equal(0.155, a, 12);
        Assert.Equal(0.05, b, 12);
        Assert.True(double.IsNaN(c));
        // d5: A 12.1 / 11.55 − 1 = 1/21 = 0.047619…; B 23 / 21 − 1 = 0.095238…; C 6 / 5.5 − 1 = 0.090909…
        (a, b, c) = On(P, m, 5);
        Assert.Equal(0.047619047619048, a, 12);
        Assert.Equal(0.095238095238095, b, 12);
        Assert.Equal(0.090909090909091, c, 12);
        // d0..d2 are warm-up days.
        Assert.True(double.IsNaN(On(P, m, 2).A));
    }

    [Fact]
    public void Momentum_is_nan_on_a_suspended_day_and_the_12_1_alias_is_canonical()
    {
        var (a, b, _) = On(P, new Momentum(lookback: 2), 2);
        Assert.Equal(0.155, a, 12); // 11.55 / 10 − 1
        Assert.True(double.IsNaN(b)); // suspended today
        Assert.Equal("momentum(lookback=250,skip=20)", FactorRegistry.Default.Create("momentum_12_1").Name);
    }

    [Fact]
    public void Reversal_is_minus_the_recent_return()
    {
        // d5, lookback 2: A −(13.31 / 13.2 − 1) = −0.008333…; B −(24 / 22 − 1) = −0.090909…; C −(6 / 5.5 − 1) = −0.090909…
        var (a, b, c) = On(P, new Reversal(2), 5);
        Assert.Equal(-0.008333333333333, a, 12);
        Assert.Equal(-0.090909090909091, b, 12);
        Assert.Equal(-0.090909090909091, c, 12);
        // d2, lookback 1: the ex-date. Raw close fell 11 → 10.5, but the holder earned 11.55 / 11 − 1 = +5 %.
        Assert.Equal(-0.05, On(P, new Reversal(1), 2).A, 12);
    }

    [Fact]
    public void Volatility_is_the_sample_std_of_log_returns_skipping_suspended_days()
    {
        // d5, lookback 4 (returns of d2..d5):
        // A ln(11.55/11), ln(13.2/11.55), ln(12.1/13.2), ln(13.31/12.1) → sd 0.0962325181726634
        // B d2 suspended; ln(22/21) (the move across the suspension), ln(23/22), ln(24/23) → sd 0.0019808530636535
        // C ln(5.5/5), 0, ln(6/5.5), 0 → sd 0.0527406313387234
        var (a, b, c) = On(P, new Volatility(4), 5);
        Assert.Equal(0.0962325181726634, a, 12);
        Assert.Equal(0.0019808530636535, b, 12);
        Assert.Equal(0.0527406313387234, c, 12);
        // d2, lookback 2: A ln 1.1 and ln 1.05 → |ln 1.1 − ln 1.05| / √2 = 0.0328946185163370;
        // C has one return (d1 has no previous listed day) < 2 → NaN; B is suspended.
        (a, b, c) = On(P, new Volatility(2), 2);
        Assert.Equal(0.0328946185163370, a, 12);
        Assert.True(double.IsNaN(b));
        Assert.True(double.IsNaN(c));
    }

    [Fact]
    public void Liquidity_is_the_mean_amount_over_traded_days()
    {
        // d3, lookback 3 (d1..d3): A (1100 + 1050 + 1200) / 3; B (2100 + 2200) / 2, d2 suspended is left out;
        // C (500 + 550 + 550) / 3.
        var (a, b, c) = On(P, new Liquidity(3), 3);
        Assert.Equal(1116.666666666667, a, 9);
        Assert.Equal(2150, b, 12);
        Assert.Equal(533.333333333333, c, 9);
        Assert.True(double.IsNaN(On(P, new Liquidity(3), 2).B)); // suspended today (and a warm-up day)
        Assert.True(double.IsNaN(On(P, new Liquidity(3), 1).A)); // warm-up: d0, d1 < lookback − 1
    }

    [Fact]
    public void Turnover_is_the_mean_rate_with_volume_over_float_where_the_rate_is_missing()
    {
        // d5, lookback 3 (d3..d5): A 1.2, (missing → 100 / 10,000 × 100 = 1.0), 0.8 → 1.0; B (0.5 + 0.7 + 0.6) / 3 = 0.6;
        // C (2.0 + 2.2 + 2.4) / 3 = 2.2.
        var (a, b, c) = On(P, new Turnover(3), 5);
        Assert.Equal(1.0, a, 12);
        Assert.Equal(0.6, b, 12);
        Assert.Equal(2.2, c, 12);
        Assert.Equal(0.5, On(P, new Turnover(3), 3).B, 12); // d1 0.5, d2 suspended, d3 0.5
    }

    [Fact]
    public void Size_is_log_market_value_falling_back_to_close_times_shares()
    {
        // d5: A ln(12.1 × 20,000) = ln 242,000 = 12.3966930051388; B has no market value: ln(24 × 50,000) = 13.9978321147582;
        // C ln(6 × 1,000) = 8.6995147482102.
        var (a, b, c) = On(P, new Size(), 5);
        Assert.Equal(12.3966930051388, a, 12);
        Assert.Equal(13.9978321147582, b, 12);
        Assert.Equal(8.6995147482102, c, 12);
        Assert.True(double.IsNaN(On(P, new Size(), 2).B)); // suspended: valuation carried, but no trade
    }

    [Fact]
    public void Value_factors_invert_pe_and_pb_where_positive()
    {
        var (a, b, c) = On(P, new EarningsYield(), 5);
        Assert.Equal(0.05, a, 15);      // 1 / 20
        Assert.True(double.IsNaN(b));   // PE −5: a loss
        Assert.True(double.IsNaN(c));   // PE missing
        (a, b, c) = On(P, new BookToPrice(), 5);
        Assert.Equal(0.5, a, 15);       // 1 / 2
        Assert.Equal(0.25, b, 15);      // 1 / 4
        Assert.True(double.IsNaN(c));   // PB −1
    }

    [Fact]
    public void Report_factors_use_the_latest_period_announced_by_the_day()
    {
        var roe = FactorEngine.Compute(P, new ReturnOnEquity());
        int a = P.SymbolIndex(A), b = P.SymbolIndex(B), c = P.SymbolIndex(C);
        Assert.True(double.IsNaN(roe[0, a]));   // 01-02: nothing announced
        Assert.Equal(5, roe[1, a]);             // 01-03: Q3
        Assert.Equal(5, roe[2, a]);
        Assert.Equal(8, roe[3, a]);             // 01-05: annual
        Assert.Equal(8, roe[4, a]);             // 01-08: Q3 restated, an older period: the annual stays
        Assert.True(double.IsNaN(roe[5, b]));   // no reports
        Assert.True(double.IsNaN(roe[4, c]));   // ROE missing in C's report
        var profit = FactorEngine.Compute(P, new ProfitGrowth());
        Assert.Equal(10, profit[2, a]);
        Assert.Equal(12, profit[4, a]);
        Assert.Equal(-20, profit[4, c]);
        Assert.True(double.IsNaN(profit[1, c])); // C's report is announced 01-04
        var revenue = FactorEngine.Compute(P, new RevenueGrowth());
        Assert.Equal(4, revenue[3, a]);
        Assert.Equal(7, revenue[3, c]);
        Assert.True(double.IsNaN(revenue[2, b]));
    }

    [Fact]
    public void Ma_deviation_compares_the_close_with_its_mean_over_traded_days()
    {
        // d5, lookback 3: A 13.31 / ((13.2 + 12.1 + 13.31) / 3) − 1 = 0.034188…; B 24 / 23 − 1; C 6 / (17.5 / 3) − 1.
        var (a, b, c) = On(P, new MovingAverageDeviation(3), 5);
        Assert.Equal(0.0341880341880343, a, 12);
        Assert.Equal(0.0434782608695652, b, 12);
        Assert.Equal(0.0285714285714287, c, 12);
        // d3: B traded on d1 and d3 only: 22 / ((21 + 22) / 2) − 1.
        Assert.Equal(0.0232558139534884, On(P, new MovingAverageDeviation(3), 3).B, 12);
    }
}
