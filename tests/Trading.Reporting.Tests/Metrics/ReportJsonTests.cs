using System.Text.Json;
using Trading.Reporting.Metrics;
using static Trading.Reporting.Tests.Metrics.MetricsReferenceTests;

namespace Trading.Reporting.Tests.Metrics;

public sealed class ReportJsonTests
{
    private static readonly string[] RequiredKeys =
    [
        "total_return", "cagr", "volatility", "sharpe", "sortino", "calmar", "max_drawdown", "max_drawdown_start",
        "max_drawdown_end", "max_drawdown_recovery", "longest_drawdown_days", "var_95", "cvar_95", "win_rate", "best_day", "worst_day",
        "beta", "alpha", "information_ratio", "tracking_error", "monthly_returns",
    ];

    [Fact]
    public void Json_has_snake_case_keys_and_monthly_table()
    {
        var r = PerformanceAnalyzer.Analyze(General(), GeneralBenchmark());
        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        foreach (var key in RequiredKeys) Assert.True(root.TryGetProperty(key, out _), key);

        Assert.Equal(r.Sharpe, root.GetProperty("sharpe").GetDouble());
        Assert.Equal(r.Benchmark!.Beta, root.GetProperty("beta").GetDouble());
        Assert.Equal("2015-12-29", root.GetProperty("max_drawdown_start").GetString());
        Assert.Equal("2016-01-05", root.GetProperty("max_drawdown_end").GetString());
        Assert.Equal("2016-01-06", root.GetProperty("max_drawdown_recovery").GetString());
        Assert.Equal(8, root.GetProperty("longest_drawdown_days").GetInt32());

        var monthly = root.GetProperty("monthly_returns");
        Assert.Equal(["2015", "2016"], monthly.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["12", "year"], monthly.GetProperty("2015").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["01", "02", "year"], monthly.GetProperty("2016").EnumerateObject().Select(p => p.Name));
        Assert.Equal(r.MonthlyReturns[1].Return, monthly.GetProperty("2016").GetProperty("01").GetDouble());
        Assert.Equal(r.YearlyReturns[1].Return, monthly.GetProperty("2016").GetProperty("year").GetDouble());
        Assert.Equal(7, root.GetProperty("drawdowns").GetArrayLength());
        Assert.False(root.TryGetProperty("series", out _));
    }

    [Fact]
    public void Nan_and_infinity_are_null_and_absent_parts_are_null()
    {
        // two rows: volatility/Sharpe NaN, Calmar +∞; no benchmark, no trades; no drawdown
        var r = PerformanceAnalyzer.Analyze([(new DateOnly(2016, 6, 30), 1.0), (new DateOnly(2016, 7, 1), 1.02)]);
        Assert.True(double.IsPositiveInfinity(r.Calmar));
        using var doc = JsonDocument.Parse(r.ToJson());
        var root = doc.RootElement;
        foreach (var key in new[] { "volatility", "sharpe", "sortino", "calmar", "var_95", "cvar_95", "skew", "kurtosis",
                     "max_drawdown_start", "max_drawdown_end", "beta", "alpha", "information_ratio", "tracking_error",
                     "exposure", "turnover", "trades", "fees" })
            Assert.Equal(JsonValueKind.Null, root.GetProperty(key).ValueKind);
        Assert.Equal(0, root.GetProperty("max_drawdown").GetDouble());
        Assert.Equal(1, root.GetProperty("win_rate").GetDouble());
    }

    [Fact]
    public void Series_are_included_on_request()
    {
        var r = PerformanceAnalyzer.Analyze(General(), GeneralBenchmark(), new TradingActivity(Trades(), Positions()),
            new MetricsOptions { RollingWindow = 10 });
        using var doc = JsonDocument.Parse(r.ToJson(includeSeries: true));
        var series = doc.RootElement.GetProperty("series");
        Assert.Equal(29, series.GetProperty("returns").GetProperty("values").GetArrayLength());
        Assert.Equal("2015-12-22", series.GetProperty("returns").GetProperty("dates")[0].GetString());
        Assert.Equal(30, series.GetProperty("drawdown").GetProperty("values").GetArrayLength());
        Assert.Equal(20, series.GetProperty("rolling_sharpe").GetProperty("values").GetArrayLength());
        Assert.Equal(19, series.GetProperty("rolling_beta").GetProperty("values").GetArrayLength());
        Assert.Equal(29, series.GetProperty("histogram").EnumerateArray().Sum(b => b.GetProperty("count").GetInt32()));
        Assert.Equal(5, series.GetProperty("round_trip_details").GetArrayLength());
        Assert.Equal(11, doc.RootElement.GetProperty("trades").GetInt32());
    }

    [Fact]
    public void Defaults_follow_quantstats_rolling_window_of_126_days()
    {
        var r = PerformanceAnalyzer.Analyze(General());
        Assert.Equal(126, r.RollingWindow);
        Assert.Empty(r.RollingSharpe);
        Assert.Null(r.Benchmark);
        Assert.Null(r.Trading);
        Assert.Equal(0.0, r.Cumulative[0].Value);
        Near(0.062000000000000055, r.Cumulative[^1].Value);
    }
}
