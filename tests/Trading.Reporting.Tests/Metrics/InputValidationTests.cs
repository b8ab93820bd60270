using Trading.Domain.Rules;
using Trading.Reporting.Metrics;

namespace Trading.Reporting.Tests.Metrics;

public sealed class InputValidationTests
{
    private static readonly DateOnly D1 = new(2016, 1, 4), D2 = new(2016, 1, 5), D3 = new(2016, 1, 6);

    private static MetricsInputException Fails(IReadOnlyList<(DateOnly, double)> nav, IReadOnlyList<(DateOnly, double)>? benchmark = null) =>
        Assert.Throws<MetricsInputException>(() => PerformanceAnalyzer.Analyze(nav, benchmark));

    [Fact]
    public void Fewer_than_two_rows()
    {
        Assert.Contains("NAV series has 1 row; at least 2 are needed", Fails([(D1, 1.0)]).Message);
        Assert.Contains("NAV series has 0 rows", Fails([]).Message);
    }

    [Theory]
    [InlineData(0.0, "NAV row 2 (2016-01-05): NAV is 0; it must be positive")]
    [InlineData(-1.5, "NAV row 2 (2016-01-05): NAV is -1.5; it must be positive")]
    [InlineData(double.NaN, "NAV row 2 (2016-01-05): NAV is NaN; it must be a finite positive number")]
    [InlineData(double.PositiveInfinity, "NAV row 2 (2016-01-05): NAV is Infinity; it must be a finite positive number")]
    public void Non_positive_or_non_finite_nav(double bad, string message)
    {
        var e = Fails([(D1, 1.0), (D2, bad), (D3, 1.0)]);
        Assert.Equal(message, e.Message);
        Assert.Equal(2, e.Row);
    }

    [Fact]
    public void Unsorted_dates()
    {
        var e = Fails([(D1, 1.0), (D3, 1.01), (D2, 1.02)]);
        Assert.Equal("NAV row 3 (2016-01-05): date 2016-01-05 is earlier than the previous row's 2016-01-06; dates must be sorted ascending", e.Message);
        Assert.Equal(3, e.Row);
    }

    [Fact]
    public void Duplicate_dates()
    {
        var e = Fails([(D1, 1.0), (D2, 1.01), (D2, 1.02)]);
        Assert.Equal("NAV row 3 (2016-01-05): duplicate date 2016-01-05 (same as the previous row)", e.Message);
    }

    [Fact]
    public void Benchmark_is_validated_and_must_share_two_dates()
    {
        var nav = new List<(DateOnly, double)> { (D1, 1.0), (D2, 1.01), (D3, 1.02) };
        Assert.Equal("benchmark row 1 (2016-01-04): benchmark close is -3; it must be positive",
            Fails(nav, [(D1, -3.0), (D2, 3.0)]).Message);
        Assert.Equal("the benchmark shares 1 date with the NAV series; at least 2 are needed",
            Fails(nav, [(D3, 3.0), (new DateOnly(2016, 1, 7), 3.1)]).Message);
    }

    [Fact]
    public void Bad_trades_name_their_row()
    {
        var nav = new List<(DateOnly, double)> { (D1, 1.0), (D2, 1.01) };
        var trades = new List<TradeRecord>
        {
            new(D1, "600000.SH", Side.Buy, 100, 10, 1000, 5),
            new(D2, "600000.SH", Side.Sell, 0, 10, 1000, 5),
        };
        var e = Assert.Throws<MetricsInputException>(() => PerformanceAnalyzer.Analyze(nav, activity: new TradingActivity(trades)));
        Assert.Equal("trade row 2 (2016-01-05, 600000.SH): quantity is 0; it must be positive", e.Message);
    }

    [Fact]
    public void Exposure_falls_back_to_market_value()
    {
        var nav = new List<(DateOnly, double)> { (D1, 100.0), (D2, 101.0), (D3, 102.0), (new DateOnly(2016, 1, 7), 103.0) };
        var mv = new List<(DateOnly, double)> { (D1, 0.0), (D2, 50.0), (D3, 0.0) }; // 2016-01-07 has no row: flat
        var s = PerformanceAnalyzer.Analyze(nav, activity: new TradingActivity(MarketValue: mv)).Trading!;
        Assert.Equal(0.25, s.Exposure);
        Assert.Null(s.NumberOfTrades);
        Assert.True(double.IsNaN(s.AverageHoldingDays));
        Assert.True(double.IsNaN(s.Turnover));
    }
}
