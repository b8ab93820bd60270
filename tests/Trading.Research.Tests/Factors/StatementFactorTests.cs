using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Research.Factors;

namespace Trading.Research.Tests.Factors;

/// <summary>
/// <c>leverage</c> and <c>net_margin</c>: figures of the consolidated balance sheet and income statement (TuShare
/// balancesheet, income), point in time, on a hand-made market of two stocks over six days.
/// </summary>
public class StatementFactorTests
{
    private static readonly Symbol A = Symbol.Parse("000001.SZ"), B = Symbol.Parse("600000.SH");
    private static readonly DateOnly[] Days = [new(2024, 1, 2), new(2024, 1, 3), new(2024, 1, 4), new(2024, 1, 5), new(2024, 1, 8), new(2024, 1, 9)];
    private static readonly DateOnly Q3 = new(2023, 9, 30), Annual = new(2023, 12, 31);

    private static FinancialReport Indicators(Symbol s, int ann, DateOnly end, double roe) => new(s, Days[ann], end, roe, 1, 1, 0.1, 5);

    private static FinancialReport Statements(Symbol s, int ann, DateOnly end, double revenue, double profit, double assets, double liabilities) =>
        FinancialReport.Empty(s, Days[ann], end) with
        {
            Revenue = revenue, TotalRevenue = revenue, NetIncomeToParent = profit, NetIncome = profit,
            TotalAssets = assets, TotalLiabilities = liabilities, ParentEquity = assets - liabilities,
        };

    /// <summary>
    /// A: Q3 ratios announced d1, Q3 statements d2 (revenue 200, profit 30; assets 1000, liabilities 600); the annual
    /// ratios d3 — a fina_indicator announcement without statements — and the annual statements d4 (800, 100; 1200,
    /// 600). B: statements d1 with no revenue (a bank's) and a zero total assets figure.
    /// </summary>
    private static MarketPanel Panel(bool withAnnual = true)
    {
        var bars = new BarTable();
        foreach (var s in new[] { A, B })
            for (int d = 0; d < Days.Length; d++)
                bars.Add(new DailyBar(s, Days[d], 10m, 10m, 10m, 10m, 10m, 100, 1000m, 1.0));
        var reports = new List<FinancialReport>
        {
            Indicators(A, 1, Q3, 5),
            Statements(A, 2, Q3, 200, 30, 1000, 600),
            Statements(B, 1, Q3, double.NaN, 50, 0, 10),
        };
        if (withAnnual)
        {
            reports.Add(Indicators(A, 3, Annual, 8));
            reports.Add(Statements(A, 4, Annual, 800, 100, 1200, 600));
        }
        var stocks = new[] { new StockInfo(A, "平安银行", "Banks", new(2000, 1, 1), null, []), new StockInfo(B, "浦发银行", "Banks", new(2000, 1, 1), null, []) };
        return MarketPanel.FromBars(bars, stocks, null, reports);
    }

    [Fact]
    public void Leverage_is_liabilities_over_assets_of_the_latest_balance_sheet_known_that_day()
    {
        var panel = Panel();
        var f = FactorEngine.Compute(panel, FactorRegistry.Default.Create("leverage"));
        int a = panel.SymbolIndex(A), b = panel.SymbolIndex(B);
        Assert.Equal("leverage", f.Name);
        Assert.True(double.IsNaN(f[0, a]));   // nothing announced
        Assert.True(double.IsNaN(f[1, a]));   // only ratios announced: no balance sheet yet
        Assert.Equal(0.6, f[2, a], 12);       // Q3: 600 / 1000
        Assert.Equal(0.6, f[3, a], 12);       // the annual ratios carry no balance sheet: Q3's stays
        Assert.Equal(0.5, f[4, a], 12);       // annual: 600 / 1200
        Assert.Equal(0.5, f[5, a], 12);
        Assert.True(double.IsNaN(f[3, b]));   // total assets 0: no ratio
    }

    [Fact]
    public void Net_margin_is_parent_profit_over_revenue_of_the_same_statement_in_percent()
    {
        var panel = Panel();
        var f = FactorEngine.Compute(panel, FactorRegistry.Default.Create("net_margin"));
        int a = panel.SymbolIndex(A), b = panel.SymbolIndex(B);
        Assert.True(double.IsNaN(f[1, a]));
        Assert.Equal(15.0, f[2, a], 12);      // 30 / 200
        Assert.Equal(15.0, f[3, a], 12);
        Assert.Equal(12.5, f[4, a], 12);      // 100 / 800
        Assert.True(double.IsNaN(f[2, b]));   // no revenue
        // ROE still reads fina_indicator's latest ratios, not the statements-only announcements.
        var roe = FactorEngine.Compute(panel, new ReturnOnEquity());
        Assert.Equal(5, roe[2, a]);
        Assert.Equal(8, roe[4, a]);
    }

    [Fact]
    public void A_statement_announced_on_day_t_is_not_visible_before_t()
    {
        var with = Panel(withAnnual: true);
        var without = Panel(withAnnual: false);
        foreach (var name in new[] { "leverage", "net_margin" })
        {
            var f = FactorEngine.Compute(with, FactorRegistry.Default.Create(name));
            var g = FactorEngine.Compute(without, FactorRegistry.Default.Create(name));
            for (int d = 0; d < 4; d++) // the annual statements come on d4: every earlier day is identical without them
                for (int s = 0; s < with.SymbolCount; s++)
                    Assert.Equal(BitConverter.DoubleToInt64Bits(g[d, s]), BitConverter.DoubleToInt64Bits(f[d, s]));
            int a = with.SymbolIndex(A);
            Assert.NotEqual(g[4, a], f[4, a]); // …and from d4 on they count
        }
    }

    [Fact]
    public void Without_reports_they_are_unavailable()
    {
        var bars = new BarTable();
        bars.Add(new DailyBar(A, Days[0], 10m, 10m, 10m, 10m, 10m, 100, 1000m, 1.0));
        var bare = MarketPanel.FromBars(bars, [new StockInfo(A, "平安银行", "Banks", null, null, [])]);
        Assert.Contains("balance sheets", new Leverage().Availability(bare).Reason);
        Assert.Contains("income statements", new NetMargin().Availability(bare).Reason);
    }
}
