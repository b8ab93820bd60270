using System.Net;
using Trading.Dashboard.Live;

namespace Trading.Dashboard.Tests.Live;

/// <summary>The page behind the viewer policy, its assets public, each with its content type; the page loads no inline script.</summary>
public sealed class LivePageTests
{
    [Fact]
    public async Task The_page_needs_a_viewer_and_carries_a_strict_script_policy()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", db.ReadModels));

        using var anonymous = host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/")).StatusCode);
        using var stranger = host.Client("eve:guest");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/")).StatusCode);

        using var viewer = host.Client("ann:viewer");
        var page = await viewer.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        foreach (var asset in new[] { "/assets/echarts.min.js", "/assets/signalr.min.js", "/assets/dashboard.js", "/assets/dashboard.css" })
            Assert.Contains(asset, html);
        // No inline script: every <script> has a src (the CSP would block any other).
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", html);
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
    }

    [Theory]
    [InlineData("echarts.min.js", "text/javascript", "echarts")]
    [InlineData("signalr.min.js", "text/javascript", "signalR")]
    [InlineData("dashboard.js", "text/javascript", "__dashboard")]
    [InlineData("dashboard.css", "text/css", ".up")]
    public async Task Assets_are_public_with_their_content_types(string file, string type, string contains)
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await using var host = await LiveTestHost.StartAsync(new DashboardSources("main", db.ReadModels));
        using var anonymous = host.Client();

        var response = await anonymous.GetAsync("/assets/" + file);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(contains, await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/assets/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/assets/..%2Fappsettings.json")).StatusCode);
    }
}
