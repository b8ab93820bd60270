using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Trading.Reporting.Html;

namespace Trading.Reporting.Tests.Html;

/// <summary>
/// Opens the report in a real browser: Debian's Chromium, headless, offline, with a script injected first in the
/// page that records console errors, uncaught exceptions and CSP violations (any attempted network request) and,
/// after load, whether every chart container holds a rendered &lt;svg&gt; or &lt;canvas&gt;. Needs
/// /usr/bin/chromium: scripts/browser-test-deps.sh installs it. Without it the tests fail (they do not skip).
/// </summary>
[Collection(CpuHeavyCollection.Name)]
public sealed partial class BrowserRenderTests
{
    private const string Chromium = "/usr/bin/chromium";

    private const string Probe = """
        <script>
        (function () {
          var errors = [];
          window.__reportErrors = errors;
          var origError = console.error;
          console.error = function () { errors.push('console.error: ' + Array.prototype.map.call(arguments, String).join(' ')); return origError.apply(console, arguments); };
          window.addEventListener('error', function (e) { errors.push('uncaught: ' + (e.message || String(e.error))); });
          window.addEventListener('unhandledrejection', function (e) { errors.push('unhandled rejection: ' + String(e.reason)); });
          document.addEventListener('securitypolicyviolation', function (e) { errors.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI); });
          window.addEventListener('load', function () {
            var charts = Array.prototype.map.call(document.querySelectorAll('.chart'), function (el) {
              var svg = el.querySelector('svg'), canvas = el.querySelector('canvas');
              return { id: el.id, svg: !!svg, canvas: !!canvas, shapes: svg ? svg.querySelectorAll('path,rect,text').length : 0,
                       width: el.clientWidth, height: el.clientHeight };
            });
            var logBox = document.getElementById('equity-log'), toggled = false;
            try { if (logBox) { logBox.checked = true; logBox.dispatchEvent(new Event('change')); toggled = true; } } catch (e) { errors.push('toggle: ' + e); }
            var out = document.createElement('pre');
            out.id = 'browser-probe';
            out.textContent = JSON.stringify({ errors: errors, charts: charts, toggled: toggled,
              echarts: typeof echarts === 'object' ? echarts.version : null, ready: document.documentElement.getAttribute('data-charts') });
            document.body.appendChild(out);
          });
        })();
        </script>
        """;

    private sealed record ChartState(string Id, bool Svg, bool Canvas, int Shapes, int Width, int Height);
    private sealed record ProbeResult(string[] Errors, ChartState[] Charts, bool Toggled, string? Echarts, string? Ready);

    private static void RequireChromium()
    {
        if (!File.Exists(Chromium))
            Assert.Fail($"{Chromium} not found: the browser test of the HTML report needs Debian's Chromium. Run scripts/browser-test-deps.sh (as root) and test again.");
    }

    private static (int Exit, string Stdout, string Stderr) RunChromium(IEnumerable<string> args, TimeSpan timeout)
    {
        var profile = Directory.CreateTempSubdirectory("report-chromium-");
        try
        {
            var psi = new ProcessStartInfo(Chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                         "--disable-extensions", "--mute-audio", "--window-size=1280,2200", $"--user-data-dir={profile.FullName}" })
                psi.ArgumentList.Add(a);
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish within {timeout.TotalSeconds:F0} s; stderr: {stderr.Result}");
            }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string WriteReport(string html, string name)
    {
        var dir = Directory.CreateTempSubdirectory("report-html-");
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, html, new UTF8Encoding(false));
        return path;
    }

    private static ProbeResult Open(string html)
    {
        int head = html.IndexOf("<head>", StringComparison.Ordinal) + "<head>".Length;
        // after the charset meta so the page's encoding is still declared first
        int afterCharset = html.IndexOf('\n', html.IndexOf("<meta charset", head, StringComparison.Ordinal)) + 1;
        var probed = html.Insert(afterCharset, Probe);
        var path = WriteReport(probed, "report.html");
        try
        {
            var (exit, dom, stderr) = RunChromium(["--enable-logging=stderr", "--v=0", "--dump-dom", "--virtual-time-budget=5000",
                new Uri(path).AbsoluteUri], TimeSpan.FromSeconds(120));
            Assert.True(exit == 0, $"chromium exited with {exit}: {stderr}");
            var m = Regex.Match(dom, "<pre id=\"browser-probe\">(.*?)</pre>", RegexOptions.Singleline);
            Assert.True(m.Success, $"the probe did not report (page did not load?); stderr: {stderr}");
            var json = System.Net.WebUtility.HtmlDecode(m.Groups[1].Value);
            var result = JsonSerializer.Deserialize<ProbeResult>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
            // the console as Chromium logs it (errors the page's own hooks could not see, e.g. a script that failed to parse)
            var consoleErrors = stderr.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal)
                && (l.Contains("Uncaught", StringComparison.Ordinal) || l.Contains("Error", StringComparison.Ordinal) || l.Contains("Refused", StringComparison.Ordinal))).ToArray();
            return result with { Errors = [.. result.Errors, .. consoleErrors] };
        }
        finally
        {
            try { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); } catch (IOException) { }
        }
    }

    private static void AssertRendered(ProbeResult r, IEnumerable<string> expectedIds)
    {
        Assert.True(r.Errors.Length == 0, "console errors:\n" + string.Join("\n", r.Errors));
        Assert.NotNull(r.Echarts);
        Assert.True(r.Toggled, "log-scale toggle failed");
        var ids = r.Charts.Select(c => c.Id).ToHashSet();
        foreach (var id in expectedIds) Assert.Contains(id, ids);
        Assert.Equal(r.Charts.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Ready);
        foreach (var c in r.Charts)
        {
            Assert.True(c.Svg || c.Canvas, $"{c.Id}: no <svg> or <canvas> child after load");
            Assert.True(c.Shapes > 5, $"{c.Id}: the svg holds only {c.Shapes} shapes");
            Assert.True(c.Width > 100 && c.Height > 100, $"{c.Id}: {c.Width}×{c.Height} px");
        }
    }

    [Fact]
    public void Demo_report_renders_every_chart_without_console_errors()
    {
        RequireChromium();
        var run = RunFolder.Load(HtmlFixtures.DemoRun);
        var html = HtmlReport.Render(run, HtmlFixtures.DemoInputs(run));
        var r = Open(html);
        AssertRendered(r, HtmlReport.CoreChartIds.Concat(["chart-rejections", "chart-factor-0-ic", "chart-factor-0-decay", "chart-factor-0-quantiles"]));
    }

    [Fact]
    public void Ten_year_report_renders_every_chart_without_console_errors()
    {
        RequireChromium();
        ReportBenchmarks.RenderTenYears(out var html);
        var r = Open(html);
        AssertRendered(r, HtmlReport.CoreChartIds);
    }

    [Fact]
    public void Report_prints_to_a_multi_page_a4_pdf()
    {
        RequireChromium();
        var run = RunFolder.Load(HtmlFixtures.DemoRun);
        var path = WriteReport(HtmlReport.Render(run, HtmlFixtures.DemoInputs(run)), "report.html");
        var pdf = Path.Combine(Path.GetDirectoryName(path)!, "report.pdf");
        try
        {
            var (exit, _, stderr) = RunChromium(["--no-pdf-header-footer", "--virtual-time-budget=5000", $"--print-to-pdf={pdf}", new Uri(path).AbsoluteUri],
                TimeSpan.FromSeconds(120));
            Assert.True(exit == 0 && File.Exists(pdf), $"print-to-pdf failed ({exit}): {stderr}");
            var bytes = File.ReadAllBytes(pdf);
            var text = Encoding.Latin1.GetString(bytes);
            Assert.StartsWith("%PDF", text);
            int pages = Regex.Matches(text, @"/Type\s*/Page\b").Count;
            Assert.True(pages >= 10, $"expected a page per section (≥ 10), got {pages}");
            // A4 = 595 × 842 pt
            Assert.Matches(@"/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12](\.\d+)?\s*\]", text);
        }
        finally
        {
            try { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The report's Chinese stock names are drawn with a CJK face, not tofu: Chromium's PDF embeds the fonts it drew
    /// with (each with a /FontDescriptor naming it), so a CJK font must be among them (Linux: Noto Sans CJK SC from Debian's fonts-noto-cjk, which
    /// scripts/browser-test-deps.sh installs). Also leaves a PNG screenshot of the page beside the test results.
    /// </summary>
    [Fact]
    public void Chinese_names_are_drawn_with_a_cjk_font()
    {
        RequireChromium();
        var run = RunFolder.Load(HtmlFixtures.DemoRun);
        var inputs = HtmlFixtures.DemoInputs(run, withFactor: false);
        Assert.Contains(inputs.Names!.Values, n => n.Any(c => c >= '\u4e00' && c <= '\u9fff'));
        var html = HtmlReport.Render(run, inputs);
        var path = WriteReport(html, "report.html");
        var dir = Path.GetDirectoryName(path)!;
        var pdf = Path.Combine(dir, "report.pdf");
        try
        {
            var (exit, _, stderr) = RunChromium(["--no-pdf-header-footer", "--virtual-time-budget=5000", $"--print-to-pdf={pdf}", new Uri(path).AbsoluteUri],
                TimeSpan.FromSeconds(120));
            Assert.True(exit == 0 && File.Exists(pdf), $"print-to-pdf failed ({exit}): {stderr}");
            var fonts = Regex.Matches(Encoding.Latin1.GetString(File.ReadAllBytes(pdf)), @"/FontName\s*/(?:[A-Z]{6}\+)?([^\s/\]>]+)")
                .Select(m => m.Groups[1].Value).Distinct().ToList(); // each embedded font's descriptor names it
            Assert.True(fonts.Any(f => Regex.IsMatch(f, "CJK|SourceHan|WenQuanYi|WQY|DroidSansFallback|YaHei|PingFang|Hiragino|SimHei|NotoSansSC", RegexOptions.IgnoreCase)),
                $"no CJK font among the PDF's fonts ({string.Join(", ", fonts)}): Chinese names would show as boxes. Run scripts/browser-test-deps.sh (installs fonts-noto-cjk).");
            var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(shots);
            var png = Path.Combine(shots, "report-cjk.png");
            var shot = RunChromium(["--virtual-time-budget=5000", $"--screenshot={png}", new Uri(path).AbsoluteUri], TimeSpan.FromSeconds(120));
            Assert.True(shot.Exit == 0 && File.Exists(png), $"screenshot failed ({shot.Exit}): {shot.Stderr}");
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
