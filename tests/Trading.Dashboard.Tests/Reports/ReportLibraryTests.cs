using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Dashboard.Tests.Hosting;

namespace Trading.Dashboard.Tests.Reports;

public class ReportLibraryTests
{
    /// <summary>A backtest run, a sweep and a node's reports folder with two daily statements, plus a secret outside every root.</summary>
    private static (string Root, string Outside) Library()
    {
        var root = Path.Combine(Path.GetTempPath(), "trading-dashboard-tests", Guid.NewGuid().ToString("N"));
        var run = Directory.CreateDirectory(Path.Combine(root, "out", "demo")).FullName;
        File.WriteAllText(Path.Combine(run, "report.html"), "<html><script>var x=1</script>backtest report</html>");
        File.WriteAllText(Path.Combine(run, "summary.json"), """{"strategy":"momentum-multifactor","start":"2024-01-02","end":"2024-06-28"}""");
        var sweep = Directory.CreateDirectory(Path.Combine(root, "out", "sweep-topn")).FullName;
        File.WriteAllText(Path.Combine(sweep, "sweep.html"), "<html>heatmap</html>");
        var reports = Directory.CreateDirectory(Path.Combine(root, "node", "reports", "daily")).FullName;
        File.WriteAllText(Path.Combine(reports, "2024-06-03.html"), "<html>daily 0603</html>");
        File.WriteAllText(Path.Combine(reports, "2024-06-04.html"), "<html>daily 0604</html>");
        File.WriteAllText(Path.Combine(reports, "notes.html"), "<html>not a statement</html>");
        File.WriteAllText(Path.Combine(root, "node", "reports", "summary.json"), """{"strategy":"paper-momentum"}""");
        var outside = Directory.CreateDirectory(Path.Combine(root, "secret")).FullName;
        File.WriteAllText(Path.Combine(outside, "report.html"), "<html>SECRET</html>");
        File.WriteAllText(Path.Combine(outside, "summary.json"), """{"strategy":"secret"}""");
        return (root, outside);
    }

    private static async Task<JsonElement[]> Search(TestDashboard.Client c, string query) =>
        (await (await c.GetAsync("/api/reports" + query)).Content.ReadFromJsonAsync<JsonElement[]>())!;

    [Fact]
    public async Task Backtests_sweeps_and_daily_statements_are_listed_searchable_and_opened_in_place_under_a_sandboxing_csp()
    {
        var (root, _) = Library();
        await using var d = await TestDashboard.StartAsync(reportRoots: [Path.Combine(root, "out"), Path.Combine(root, "node", "reports")]);
        var c = await d.LoggedIn("vera");
        var all = await Search(c, "");
        Assert.Equal(["backtest:2024-06-28", "daily:2024-06-04", "daily:2024-06-03"],
            all.Where(r => r.GetProperty("kind").GetString() != "sweep").Select(r => $"{r.GetProperty("kind").GetString()}:{r.GetProperty("date").GetString()}"));
        Assert.Single(all, r => r.GetProperty("kind").GetString() == "sweep");
        Assert.All(all, r => Assert.Matches("^/reports/[0-9a-f]{16}$", r.GetProperty("url").GetString()!));
        Assert.DoesNotContain(all, r => r.GetRawText().Contains(root.Replace("\\", "\\\\"), StringComparison.Ordinal)); // no paths leave the server

        Assert.Equal("backtest", Assert.Single(await Search(c, "?strategy=momentum-multi")).GetProperty("kind").GetString());
        Assert.Equal(2, (await Search(c, "?strategy=paper")).Length);
        Assert.Equal("2024-06-03", Assert.Single(await Search(c, "?from=2024-06-01&to=2024-06-03&q=daily")).GetProperty("date").GetString());
        Assert.Equal("sweep", Assert.Single(await Search(c, "?q=topn")).GetProperty("kind").GetString());
        Assert.Empty(await Search(c, "?q=nothing-like-this"));
        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync("/api/reports?from=June")).StatusCode);

        var backtest = all.Single(r => r.GetProperty("kind").GetString() == "backtest").GetProperty("url").GetString()!;
        var page = await c.GetAsync(backtest);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("backtest report", await page.Content.ReadAsStringAsync());
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("sandbox allow-scripts", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.Equal(HttpStatusCode.Redirect, (await d.NewClient().GetAsync(backtest)).StatusCode); // anonymous: to the login page
    }

    [Theory]
    [InlineData("/reports/..%2F..%2Fsecret%2Freport.html")]
    [InlineData("/reports/%2e%2e%2fsecret")]
    [InlineData("/reports/..\\secret\\report.html")]
    [InlineData("/reports/0000000000000000")]
    [InlineData("/reports/ABCDEF0123456789")]
    [InlineData("/reports/%2Fetc%2Fpasswd")]
    public async Task Paths_and_unknown_ids_are_404_never_a_file_outside_the_roots(string url)
    {
        var (root, outside) = Library();
        await using var d = await TestDashboard.StartAsync(reportRoots: [Path.Combine(root, "out")]);
        var c = await d.LoggedIn("vera");
        var r = await c.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.DoesNotContain("SECRET", await r.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(outside, "report.html")));
    }

    [Fact]
    public async Task A_symbolic_link_inside_a_root_is_not_followed_out_of_it()
    {
        var (root, outside) = Library();
        if (OperatingSystem.IsWindows()) return;
        Directory.CreateSymbolicLink(Path.Combine(root, "out", "link"), outside);
        await using var d = await TestDashboard.StartAsync(reportRoots: [Path.Combine(root, "out")]);
        var c = await d.LoggedIn("vera");
        Assert.DoesNotContain(await Search(c, ""), r => r.GetProperty("strategy").GetString() == "secret");
    }
}
