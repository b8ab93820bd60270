using Trading.Reporting.Html;

namespace Trading.Reporting.Tests.Html;

/// <summary>risk.csv (the ex-ante risk of each rebalance) is read with the run folder and shown in its own report section.</summary>
public sealed class ExAnteRiskReportTests
{
    private const string RiskCsv = """
        date,section,name,portfolio,benchmark,active,lower,upper,note
        2024-01-31,summary,risk,0.2775,0.2964,0.0697,,,optimised
        2024-01-31,summary,turnover,1,,,,1.8,
        2024-01-31,summary,names,28,,,,,
        2024-01-31,summary,benchmark_proxy,,,,,,"the 300 stocks with the largest 20-day average traded amount, amount-weighted (no valuations or CSI 300 weights in the data)"
        2024-01-31,style,momentum,0.5,0,0.5,,,
        2024-02-29,summary,risk,0.3193,0.3760,0.1288,,,fallback
        2024-02-29,summary,turnover,0.4,,,,,
        2024-02-29,summary,warning,,,,,,"optimiser on 2024-02-29: Infeasible"
        2024-02-29,style,momentum,0.7,0.02,0.68,,,
        2024-02-29,style,liquidity,-1.2,0.05,-1.25,,,
        2024-02-29,industry,银行,0.05,0.12,-0.07,0.07,0.17,
        2024-02-29,industry,软件服务,0.2,0.04,0.16,0,0.09,
        """;

    [Fact]
    public void A_run_with_risk_csv_gets_the_ex_ante_section_and_one_without_does_not()
    {
        var dir = Directory.CreateTempSubdirectory("runfolder-risk-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "nav.csv"), "date,nav,cash,market_value,benchmark\n2024-01-31,100,100,0,\n2024-02-01,101,1,100,\n2024-02-29,99,1,98,\n");
            Assert.DoesNotContain("id=\"sec-exante\"", HtmlReport.Render(RunFolder.Load(dir.FullName)));

            File.WriteAllText(Path.Combine(dir.FullName, "risk.csv"), RiskCsv.Replace("\r\n", "\n") + "\n");
            var run = RunFolder.Load(dir.FullName);
            Assert.Equal(12, run.ExAnte.Count);
            Assert.Equal(0.0697, run.ExAnte[0].Active);
            Assert.True(double.IsNaN(run.ExAnte[1].Lower));
            var html = HtmlReport.Render(run);
            Assert.Contains("id=\"sec-exante\"", html);
            Assert.Contains("Benchmark proxy: the 300 stocks with the largest 20-day average traded amount, amount-weighted", html);
            // Per rebalance: predicted vol, proxy vol, tracking error, turnover and its limit.
            Assert.Contains("<td>2024-01-31</td><td>optimised</td><td class=\"num\">28</td><td class=\"num\">27.75%</td><td class=\"num\">29.64%</td><td class=\"num\">6.97%</td><td class=\"num\">100.00%</td><td class=\"num\">180.00%</td>", html);
            Assert.Contains("<td>2024-02-29</td><td>fallback</td>", html);
            // Styles and industries of the last rebalance; mean active over all rebalances.
            Assert.Contains("<h3>Style exposures on 2024-02-29</h3>", html);
            Assert.Contains("<td>momentum</td><td class=\"num\">0.70</td><td class=\"num\">0.02</td><td class=\"num\">0.68</td><td class=\"num\">0.59</td>", html);
            Assert.Contains("<td>软件服务</td><td class=\"num\">20.00%</td><td class=\"num\">4.00%</td><td class=\"num\">+16.00 pp</td><td class=\"num\">0.00% – 9.00%</td>", html);
        }
        finally { dir.Delete(recursive: true); }
    }
}
