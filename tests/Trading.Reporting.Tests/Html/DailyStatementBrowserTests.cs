using Trading.Reporting.Html;

namespace Trading.Reporting.Tests.Html;

/// <summary>The daily risk statement in headless Chromium, through the report's browser harness.</summary>
public sealed partial class BrowserRenderTests
{
    [Fact]
    public void Daily_statement_renders_every_chart_without_console_errors()
    {
        RequireChromium();
        var html = DailyStatementHtml.Render(DailyStatement.Build(DailyStatementTests.Case(historyDays: 60, modelVolatility: 0.01)));
        var r = Open(html);
        Assert.True(r.Errors.Length == 0, "console errors:\n" + string.Join("\n", r.Errors));
        Assert.NotNull(r.Echarts);
        var expected = DailyStatementHtml.ChartIds.Append("chart-rule-hits").ToList();
        Assert.Equal(expected.Order(), r.Charts.Select(c => c.Id).Order());
        Assert.Equal(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Ready);
        foreach (var c in r.Charts)
        {
            Assert.True(c.Svg, $"{c.Id}: no <svg> after load");
            Assert.True(c.Shapes > 5, $"{c.Id}: the svg holds only {c.Shapes} shapes");
            Assert.True(c.Width > 100 && c.Height > 100, $"{c.Id}: {c.Width}×{c.Height} px");
        }
    }
}
