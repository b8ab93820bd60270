using System.Globalization;
using System.Text.RegularExpressions;
using Trading.Reporting.Html;
using Xunit.Abstractions;

namespace Trading.Reporting.Tests.Html;

/// <summary>The timing test and the browser tests (which start Chromium) must not run at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuHeavyCollection
{
    public const string Name = "html-report-cpu-heavy";
}

public sealed partial class HtmlReportTests
{
    private static readonly Lazy<(RunFolder Run, string Html)> Demo = new(() =>
    {
        var run = RunFolder.Load(HtmlFixtures.DemoRun);
        return (run, HtmlReport.Render(run, HtmlFixtures.DemoInputs(run)));
    });

    private static string Between(string html, string start, string end)
    {
        int i = html.IndexOf(start, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{start}' not found");
        int j = html.IndexOf(end, i + start.Length, StringComparison.Ordinal);
        Assert.True(j >= 0, $"'{end}' not found after '{start}'");
        return html[(i + start.Length)..j];
    }

    /// <summary>The report without the library's source (which has its own strings: XML namespaces, markup in tooltips).</summary>
    private static string WithoutLibrary(string html) => html.Replace(LibraryBody(html), "", StringComparison.Ordinal);

    /// <summary>The body of the script element that holds ECharts (found by its licence header).</summary>
    private static string LibraryBody(string html)
    {
        int licence = html.IndexOf("Licensed to the Apache Software Foundation", StringComparison.Ordinal);
        Assert.True(licence > 0, "ECharts' licence header not found: the library is not inlined");
        int open = html.LastIndexOf("<script>", licence, StringComparison.Ordinal) + "<script>".Length;
        int close = html.IndexOf("</script>", licence, StringComparison.Ordinal);
        return html[open..close];
    }

    private static string Commentary(string html) => Between(html, "<div class=\"commentary\" id=\"commentary\">", "</div>");

    [Fact]
    public void Loads_the_fixture_run_folder()
    {
        var run = Demo.Value.Run;
        Assert.Equal(242, run.Nav.Count);
        Assert.Equal(451, run.Trades.Count);
        Assert.Equal(527, run.Orders.Count);
        Assert.Equal(4008, run.Positions.Count);
        Assert.Equal(7, run.RiskEvents.Count);
        Assert.Equal("momentum-multifactor", run.SummaryString("strategy"));
        // a quoted message with commas survives the CSV reader
        Assert.Contains(run.RiskEvents, e => e.Message.StartsWith("drawdown 6.82 % from peak 665,187.19", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_chart_container_and_section_is_present()
    {
        var html = Demo.Value.Html;
        foreach (var id in HtmlReport.CoreChartIds.Concat(["chart-rejections", "chart-factor-0-ic", "chart-factor-0-decay", "chart-factor-0-quantiles"]))
            Assert.Matches($"<div class=\"chart[^\"]*\" id=\"{id}\"", html);
        foreach (var section in new[] { "sec-metrics", "sec-commentary", "sec-equity", "sec-drawdown", "sec-returns", "sec-rolling",
                     "sec-distribution", "sec-holdings", "sec-turnover", "sec-factors", "sec-trades", "sec-risk" })
            Assert.Contains($"id=\"{section}\"", html);
        Assert.Contains("id=\"equity-log\"", html);                // log-scale toggle
        Assert.Contains("<h1>momentum-multifactor</h1>", html);     // strategy name from summary.json
        Assert.Contains("2024-01-02 – 2024-12-31", html);            // period
        Assert.Contains("benchmark 000300.SH 沪深300", html);
        Assert.Contains("@media print", html);
        Assert.Contains("size: A4", html);
        Assert.Contains("break-before: page", html);
    }

    [Fact]
    public void Key_metrics_table_shows_strategy_and_benchmark()
    {
        var table = Between(Demo.Value.Html, "<table class=\"metrics\">", "</table>");
        foreach (var label in new[] { "Total return", "CAGR", "Sharpe", "Sortino", "Max drawdown", "Beta", "Information ratio", "Cost drag" })
            Assert.Contains($"<td>{label}", table);
        Assert.Contains("<th class=\"num\">Benchmark</th>", table);
        Assert.Contains("+12.98%", table); // summary.json total_return 0.12975167
    }

    [Fact]
    public void Commentary_names_the_max_drawdown_date_and_the_benchmark_and_costs()
    {
        var (run, html) = Demo.Value;
        var text = Commentary(html);
        var trough = HtmlFixtures.MaxDrawdownTrough(run).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains($"to the trough on {trough}", text);
        Assert.Contains("maximum drawdown was", text);
        Assert.Contains("excess return of", text);
        Assert.Contains("beta was", text);
        Assert.Contains("best month was", text);
        Assert.Contains("worst", text);
        Assert.Contains("cost drag of", text);
        Assert.Contains("4,902.00 CNY in fees", text); // summary.json fees_paid
        Assert.Contains("rejected 2 orders", text);
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("∞", text);
    }

    [Fact]
    public void Names_in_chinese_and_unknown_industries_grouped()
    {
        var run = Demo.Value.Run;
        var (names, industries) = HtmlFixtures.Stocks();
        var html = Demo.Value.Html;
        var top = Between(html, "<table class=\"holdings\" id=\"top-holdings\">", "</table>");
        Assert.Equal(10, Regex.Matches(top, "<tr><td>").Count);
        var latest = Between(html, "<table class=\"holdings\" id=\"latest-holdings\">", "</table>");
        Assert.Equal(10, Regex.Matches(latest, "<tr><td>").Count);
        Assert.DoesNotContain("<td class=\"num\">0.00%</td><td", latest); // every one held on the last day
        Assert.Contains(names.Values, n => top.Contains(n, StringComparison.Ordinal)); // e.g. 平安银行
        Assert.Contains("银行", html);

        var partial = industries.Take(5).ToDictionary();
        var html2 = HtmlReport.Render(run, new ReportInputs { Names = names, Industries = partial });
        Assert.Contains("其他", Between(html2, "id=\"report-data\">", "</script>"));
        var english = HtmlReport.Render(run, new ReportInputs { UnknownIndustry = "Other" });
        Assert.Contains("\"Other\"", Between(english, "id=\"report-data\">", "</script>"));
    }

    [Fact]
    public void Self_contained_no_external_resources_and_library_inlined()
    {
        var html = Demo.Value.Html;
        // ECharts itself, inlined (its licence header and its UMD global)
        Assert.Contains("Licensed to the Apache Software Foundation", html);
        Assert.Contains(".echarts={}", html);
        Assert.True(html.Length > 1_000_000, "the library is ~1 MB");
        // nothing is loaded from anywhere
        Assert.DoesNotMatch(@"<script[^>]*\ssrc\s*=", html);
        Assert.DoesNotMatch(@"<link\b", html);
        Assert.DoesNotMatch(@"<(img|iframe|source|video|audio|embed|object)\b[^>]*\s(src|data)\s*=\s*[""']?\s*(https?:)?//", html);
        Assert.DoesNotMatch(@"\shref\s*=\s*[""']?\s*(https?:)?//", html);
        Assert.DoesNotMatch(@"url\(\s*[""']?\s*(https?:)?//", html);
        Assert.DoesNotContain("@import", html);
        Assert.Contains("Content-Security-Policy", html);
        // outside the library's own source (XML namespaces, its licence URL) there is no URL at all
        var library = LibraryBody(html);
        var rest = WithoutLibrary(html);
        Assert.DoesNotContain("http://", rest);
        Assert.DoesNotContain("https://", rest);
        // the library's few URL strings are namespaces / licence text, never fetched resources
        foreach (Match m in Regex.Matches(library, @"https?://[^\s""')]+"))
            Assert.Matches(@"^https?://(www\.w3\.org/|www\.apache\.org/licenses/|github\.com/ecomfe/zrender/blob/master/LICENSE)", m.Value);
    }

    [Fact]
    public void Data_is_inlined_as_json()
    {
        var json = Between(Demo.Value.Html, "<script type=\"application/json\" id=\"report-data\">", "</script>");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(242, root.GetProperty("dates").GetArrayLength());
        Assert.Equal(242, root.GetProperty("equity").GetArrayLength());
        Assert.Equal(242, root.GetProperty("benchmark").GetArrayLength());
        Assert.Equal(1.0, root.GetProperty("equity")[0].GetDouble());
        Assert.Equal(10, root.GetProperty("holdings").GetProperty("labels").GetArrayLength());
        Assert.Equal(13, root.GetProperty("monthly").GetProperty("values")[0].GetArrayLength());
        Assert.Equal(1, root.GetProperty("factors").GetArrayLength());
        Assert.True(root.GetProperty("industry").GetProperty("industries").GetArrayLength() > 3);
    }

    [Fact]
    public void Text_is_html_encoded()
    {
        var run = Demo.Value.Run;
        const string evil = "<img src=x onerror=alert(1)>&\"'";
        const string closer = "</script><script>alert('x')</script>";
        var symbol = run.Positions[^1].Symbol;
        var risky = new RunFolder(run.Nav, run.Trades, run.Orders, run.Positions,
            [.. run.RiskEvents, new RunRiskEvent("2024-12-31T09:15:00", "custom<b>", "rule&co", symbol, "", closer)],
            run.SummaryJson!.Replace("momentum-multifactor", "a<b>&c"));
        var extra = new ReportInputs
        {
            Names = new Dictionary<string, string> { [symbol] = evil },
            Industries = new Dictionary<string, string> { [symbol] = closer },
            Factors = [HtmlFixtures.Factor(run, "f</script><x>")],
        };
        var html = WithoutLibrary(HtmlReport.Render(risky, extra));
        Assert.DoesNotContain("<img src=x", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<b>", html);
        Assert.DoesNotContain("<x>", html);
        Assert.Contains("<h1>a&lt;b&gt;&amp;c</h1>", html);
        Assert.Contains("custom&lt;b&gt;", html);
        Assert.Contains("&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html);
        // three script elements and one data island, whatever the data holds
        Assert.Equal(3, Regex.Matches(html, "<script").Count);
        Assert.Equal(3, Regex.Matches(html, "</script>").Count);
    }

    [Fact]
    public void Output_is_deterministic_and_timestamp_only_when_given()
    {
        var run = Demo.Value.Run;
        var a = HtmlReport.Render(run, HtmlFixtures.DemoInputs(run));
        Assert.Equal(Demo.Value.Html, a);
        Assert.DoesNotContain("generated", a);
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(8));
        var b = HtmlReport.Render(run, HtmlFixtures.DemoInputs(run) with { GeneratedAt = at });
        Assert.Contains("generated 2025-01-02 03:04:05 +08:00", b);
    }

    [Fact]
    public void Factor_section_only_with_factor_data()
    {
        var run = Demo.Value.Run;
        var html = HtmlReport.Render(run, HtmlFixtures.DemoInputs(run, withFactor: false));
        Assert.DoesNotContain("id=\"sec-factors\"", html);
        Assert.DoesNotContain("chart-factor-", html[..html.IndexOf("<script", StringComparison.Ordinal)]);
        Assert.Contains("Mean rank IC", Demo.Value.Html);
        Assert.Contains("Long-short", Demo.Value.Html);
    }

    [Fact]
    public void Renders_a_run_without_benchmark_trades_or_positions()
    {
        var nav = Enumerable.Range(0, 30).Select(i => new RunNav(new DateOnly(2024, 3, 1).AddDays(i), 1_000_000m + i * 1000m - (i % 7) * 3000m, 1_000_000m, 0m, double.NaN)).ToList();
        var html = HtmlReport.Render(new RunFolder(nav), ReportInputs.None);
        Assert.Contains("id=\"chart-equity\"", html);
        Assert.Contains("no benchmark", Commentary(html));
        Assert.Contains("No trades in the run.", html);
        Assert.Contains("no order was filled", Commentary(html), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Writes_a_report_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.html");
        try
        {
            HtmlReport.Write(HtmlFixtures.DemoRun, path, HtmlFixtures.DemoInputs(Demo.Value.Run));
            Assert.Equal(Demo.Value.Html, File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }
}

[Collection(CpuHeavyCollection.Name)]
public sealed class HtmlReportPerformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Ten_year_report_renders_within_two_seconds()
    {
        // 2,430 days × 50 holdings; best of three after a warm-up (JIT, embedded assets), as the machine is shared
        ReportBenchmarks.RenderTenYears();
        var times = new List<TimeSpan>();
        string html = "";
        for (int i = 0; i < 3; i++) times.Add(ReportBenchmarks.RenderTenYears(out html));
        var best = times.Min();
        output.WriteLine($"10-year report: {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:F0} ms"))}; {html.Length / 1024} KB");
        Assert.True(best < TimeSpan.FromSeconds(2), $"10-year report took {best.TotalMilliseconds:F0} ms at best (budget 2,000 ms)");
        Assert.Contains("id=\"chart-factor-0-ic\"", html);
        Assert.Contains("样本", html);
    }
}

public sealed class RunFolderTests
{
    [Fact]
    public void A_bad_cell_names_file_line_and_column()
    {
        var dir = Directory.CreateTempSubdirectory("runfolder-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "nav.csv"), "date,nav,cash,market_value,benchmark\n2024-01-02,100,100,0,3000\n2024-01-03,1O1,100,0,3001\n");
            var e = Assert.Throws<Trading.Reporting.Metrics.MetricsInputException>(() => RunFolder.Load(dir.FullName));
            Assert.Contains("nav.csv line 3: column 'nav': cannot read '1O1'", e.Message);
            Assert.Equal(3, e.Line);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Only_nav_csv_is_required()
    {
        var dir = Directory.CreateTempSubdirectory("runfolder-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "nav.csv"), "date,nav,cash,market_value,benchmark\n2024-01-02,100,100,0,\n2024-01-03,101,100,1,\n2024-01-04,99,100,1,\n");
            var run = RunFolder.Load(dir.FullName);
            Assert.Equal(3, run.Nav.Count);
            Assert.True(double.IsNaN(run.Nav[0].Benchmark));
            Assert.Empty(run.Trades);
            Assert.Null(run.SummaryJson);
            Assert.Contains("id=\"chart-equity\"", HtmlReport.Render(run));
            Assert.Throws<DirectoryNotFoundException>(() => RunFolder.Load(Path.Combine(dir.FullName, "missing")));
        }
        finally { dir.Delete(recursive: true); }
    }
}
