using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Trading.Dashboard.Live;

/// <summary>
/// The page and its assets, embedded in the assembly (Trading.Dashboard.csproj: <c>wwwroot/</c> and, from npm at build
/// time, ECharts and the SignalR browser client), so a node serves them with no files beside it.
/// </summary>
public static class LiveAssets
{
    public sealed record Asset(byte[] Bytes, string ContentType);

    private static readonly FrozenDictionary<string, Asset> Assets = new Dictionary<string, Asset>
    {
        ["dashboard.css"] = Load("dashboard.css", "text/css; charset=utf-8"),
        ["dashboard.js"] = Load("dashboard.js", "text/javascript; charset=utf-8"),
        ["echarts.min.js"] = Load("echarts.min.js", "text/javascript; charset=utf-8"),
        ["signalr.min.js"] = Load("signalr.min.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static byte[] Page { get; } = Load("index.html", "text/html").Bytes;

    /// <summary>A public asset by file name; null for anything else (no paths, no page).</summary>
    public static Asset? Find(string file) => Assets.GetValueOrDefault(file);

    /// <summary>
    /// The page's security headers. Scripts only from this origin (the page has no inline script); inline styles are
    /// allowed because ECharts writes its tooltips as HTML with style attributes. Frames only from this origin (the
    /// report library opens reports in place).
    /// </summary>
    public static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
    }

    private static Asset Load(string file, string contentType)
    {
        var name = "Trading.Dashboard.assets." + file;
        using var stream = typeof(LiveAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded (build Trading.Dashboard: it fetches the npm assets)");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Asset(copy.ToArray(), contentType);
    }
}
