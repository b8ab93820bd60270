using Trading.Reporting.Html;
using Trading.Reporting.Metrics;

namespace Trading.Reporting.Tests.Html;

/// <summary>The daily risk statement's numbers against a small case worked by hand (see each comment), its page and its summary.</summary>
public sealed class DailyStatementTests
{
    internal static readonly DateOnly Day = new(2024, 12, 2);

    /// <summary>
    /// NAV 100,000 = cash 40,000 + A 30,000 + B 20,000 + C 10,000; previous NAV 98,000; capital 90,000.
    /// A: 1,000 at 30 (prev close 29), 200 bought today for 5,900. B: 2,000 at 10 (prev close 10.5), 500 sold for 5,100.
    /// C: 100 at 100, bought today for 10,000, no previous close in the store. 20 days of history: A and B both
    /// returned x_t = (t − 10) / 1000, C has none, the benchmark 2·x_t + 0.001.
    /// </summary>
    internal static DailyStatementInputs Case(int historyDays = 20, double? modelVolatility = null)
    {
        var x = Enumerable.Range(0, historyDays).Select(t => (t - 10) / 1000.0).ToArray();
        var dates = Enumerable.Range(0, historyDays).Select(t => Day.AddDays(t - historyDays)).ToArray();
        return new DailyStatementInputs
        {
            Account = "paper",
            Date = Day,
            Strategy = "momentum",
            Nav = 100_000m,
            Cash = 40_000m,
            PreviousNav = 98_000m,
            PreviousDate = Day.AddDays(-3),
            Capital = 90_000m,
            Holdings =
            [
                new("600000.SH", "浦发银行", "银行", 1_000, 30m, 29m),
                new("000001.SZ", "平安银行", "银行", 2_000, 10m, 10.5m),
                new("300750.SZ", "宁德时代", null, 100, 100m, null),
            ],
            Fills =
            [
                new("600000.SH", true, 200, 5_900m, 5m),
                new("000001.SZ", false, 500, 5_100m, 6m),
                new("300750.SZ", true, 100, 10_000m, 5m),
            ],
            Orders =
            [
                new("o1", "600000.SH", "Buy", 200, "Filled", 200, null),
                new("o2", "000001.SZ", "Sell", 500, "Filled", 500, null),
                new("o3", "300750.SZ", "Buy", 300, "Cancelled", 100, "close of day"),
                new("o4", "300750.SZ", "Buy", 100, "Rejected", 0, "no cash"),
            ],
            RuleHits =
            [
                new("09:31:00", "risk-reject", "max-position", "600000.SH", "o5", "over 10% of NAV"),
                new("09:31:00", "risk-reject", "max-position", "000001.SZ", "o6", "over 10% of NAV"),
                new("09:32:00", "risk-reject", "price-band", "300750.SZ", "o7", "<script>alert(1)</script>"),
            ],
            Alerts = [new("10:00:00", "drawdown", "monitor", null, null, "intraday drawdown 3%")],
            History = new ReturnHistory(dates, new Dictionary<string, double[]> { ["600000.SH"] = x, ["000001.SZ"] = x },
                x.Select(v => 2 * v + 0.001).ToArray()),
            ModelDailyVolatility = modelVolatility,
        };
    }

    [Fact]
    public void Pnl_weights_industries_and_orders_match_the_hand_computed_case()
    {
        var s = DailyStatement.Build(Case());
        Assert.Equal(60_000m, s.MarketValue);
        Assert.Equal(2_000m, s.DayPnl);                       // 100,000 − 98,000
        Assert.Equal(2_000.0 / 98_000, s.DayReturn, 12);
        Assert.Equal(10_000m, s.CumulativePnl);               // 100,000 − 90,000
        Assert.Equal(10_000.0 / 90_000, s.CumulativeReturn, 12);
        Assert.Equal(0.4, s.CashWeight, 12);

        var a = s.Positions.Single(p => p.Symbol == "600000.SH");
        Assert.Equal(0.3, a.Weight, 12);
        Assert.Equal(900m, a.DayPnl);                         // 30,000 − 800 × 29 − 5,900
        var b = s.Positions.Single(p => p.Symbol == "000001.SZ");
        Assert.Equal(0.2, b.Weight, 12);
        Assert.Equal(-1_150m, b.DayPnl);                      // 20,000 − 2,500 × 10.5 + 5,100
        var c = s.Positions.Single(p => p.Symbol == "300750.SZ");
        Assert.Null(c.DayPnl);                                // no previous close: not invented
        Assert.Equal("其他", c.Industry);
        Assert.Equal(["600000.SH", "000001.SZ", "300750.SZ"], s.Positions.Select(p => p.Symbol));

        Assert.Equal([("银行", 0.5, 2), ("其他", 0.1, 1)], s.Industries.Select(i => (i.Industry, Math.Round(i.Weight, 12), i.Names)));

        var o = s.OrderStats;
        Assert.Equal((4, 2, 1, 1, 1, 0, 3), (o.Orders, o.Filled, o.PartiallyFilled, o.Cancelled, o.Rejected, o.Open, o.Fills));
        Assert.Equal((15_900m, 5_100m, 21_000m, 16m), (o.Bought, o.Sold, o.Turnover, o.Fees));
        Assert.Equal(800.0 / 1_100, o.FillRate, 12);          // filled / ordered quantity
        Assert.Equal([("max-position", 2), ("price-band", 1)], s.RuleHitsByRule);
    }

    [Fact]
    public void Var_and_beta_on_a_tiny_series_match_the_hand_computed_values()
    {
        var s = DailyStatement.Build(Case(modelVolatility: 0.01));
        var r = s.Risk;
        // Portfolio returns 0.3·x + 0.2·x = 0.5·x: −0.005, −0.0045, … 0.0045 (C has no history: 0).
        Assert.Equal(20, r.HistoryDays);
        Assert.Equal(-0.005, r.PortfolioReturns[0], 12);
        // 5th percentile of 20 values: position 19 × 0.05 = 0.95 → −0.005 + 0.95 × 0.0005; 1st: 0.19.
        Assert.Equal(0.004525, r.HistoricalVar95, 12);
        Assert.Equal(0.004905, r.HistoricalVar99, 12);
        Assert.Equal(452.50m, s.Money(r.HistoricalVar95));
        Assert.Equal(0.25, r.Beta, 12);                       // cov(0.5x, 2x + c) / var(2x + c)
        // Parametric: z × σ with the model's σ = 1 %.
        Assert.Equal(0.016448536269514722, r.ParametricVar95, 12);
        Assert.Equal(0.023263478740408408, r.ParametricVar99, 12);
        Assert.Equal(1_644.85m, s.Money(r.ParametricVar95));
        Assert.Equal("factor model", r.ParametricSource);

        // Without a model: the sample standard deviation of the same portfolio returns.
        var sample = DailyStatement.Build(Case()).Risk;
        Assert.Equal("sample", sample.ParametricSource);
        Assert.Equal(1.6448536269514722 * ReturnStatistics.StdDev(r.PortfolioReturns), sample.ParametricVar95, 12);
    }

    [Fact]
    public void Too_short_a_history_gives_no_var_or_beta_and_the_page_says_so()
    {
        var s = DailyStatement.Build(Case(historyDays: 5));
        Assert.True(double.IsNaN(s.Risk.HistoricalVar95) && double.IsNaN(s.Risk.Beta));
        Assert.Null(s.Money(s.Risk.HistoricalVar95));
        var html = DailyStatementHtml.Render(s);
        Assert.Contains("Too little history", html);
        Assert.DoesNotContain("id=\"chart-var\"", html);
    }

    [Fact]
    public void A_non_positive_nav_is_an_input_error()
    {
        var e = Assert.Throws<MetricsInputException>(() => DailyStatement.Build(Case() with { Nav = 0m }));
        Assert.Contains("2024-12-02", e.Message);
    }

    [Fact]
    public void The_page_is_self_contained_escaped_and_shows_only_sections_with_data()
    {
        var s = DailyStatement.Build(Case(modelVolatility: 0.01));
        var html = DailyStatementHtml.Render(s);
        Assert.Contains("<script>\n", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("浦发银行", html);
        foreach (var id in DailyStatementHtml.ChartIds.Append("chart-rule-hits")) Assert.Contains($"id=\"{id}\"", html);
        Assert.Contains("+900.00", html);
        Assert.Contains("452.50 (0.45%)", html);
        // No operator action that day: no section for it (nothing invented).
        Assert.DoesNotContain("sec-operator", html);
        var withNote = DailyStatementHtml.Render(DailyStatement.Build(Case() with
        {
            OperatorActions = [new("14:00:00", "kill-switch engage", "operator", null, null, "manual halt")],
        }));
        Assert.Contains("sec-operator", withNote);
        Assert.Contains("manual halt", withNote);
    }

    [Fact]
    public void The_summary_is_a_few_markdown_lines_with_the_headline_numbers_and_the_link()
    {
        var s = DailyStatement.Build(Case(modelVolatility: 0.01));
        var md = DailyStatementHtml.Summary(s, "/data/reports/daily/2024-12-02.html");
        var lines = md.TrimEnd('\n').Split('\n');
        Assert.InRange(lines.Length, 5, 8);
        Assert.Equal("**Daily risk statement · paper · 2024-12-02**", lines[0]);
        Assert.Contains("NAV 100,000.00, day P&L +2,000.00 (+2.04%)", md);
        Assert.Contains("Cumulative P&L +10,000.00 (+11.11%) on capital 90,000.00", md);
        Assert.Contains("VaR 95% 452.50 (0.45%), 99% 490.50 (0.49%) (historical, 20 days); beta 0.25 vs 000300.SH", md);
        Assert.Contains("Risk-rule hits 3 (max-position 2, price-band 1), alerts 1", md);
        Assert.Contains("Orders 4 (2 filled, fill rate 72.7%), turnover 21,000.00, fees 16.00", md);
        Assert.EndsWith("Statement: /data/reports/daily/2024-12-02.html", lines[^1]);
    }
}
