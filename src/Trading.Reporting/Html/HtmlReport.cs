using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

[assembly: InternalsVisibleTo("Trading.Bench")]

namespace Trading.Reporting.Html;

/// <summary>
/// Renders a run folder as ONE self-contained HTML file: the charting library (Apache ECharts), the report's script
/// and stylesheet and the data (JSON) are inlined, so the file opens offline and makes no request. The same inputs
/// give byte-identical output (no clock is read; <see cref="ReportInputs.GeneratedAt"/> is printed only when given).
/// </summary>
public static class HtmlReport
{
    /// <summary>
    /// Ids of the chart containers of a run with a benchmark, positions and trades (without them the rolling-beta,
    /// industry, holdings and turnover charts give way to a note). Factor charts are chart-factor-{i}-ic / -decay /
    /// -quantiles, and chart-rejections appears when the risk checks rejected orders.
    /// </summary>
    public static IReadOnlyList<string> CoreChartIds { get; } =
    [
        "chart-equity", "chart-drawdown", "chart-monthly", "chart-yearly", "chart-rolling-sharpe", "chart-rolling-vol",
        "chart-rolling-beta", "chart-histogram", "chart-industry", "chart-holdings", "chart-turnover",
    ];

    /// <summary>Renders the report of <paramref name="run"/> with names, industries and factor analysis from <paramref name="extra"/>.</summary>
    public static string Render(RunFolder run, ReportInputs? extra = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var model = ReportModelBuilder.Build(run, extra ?? ReportInputs.None);
        return Render(model);
    }

    /// <summary>Renders a run folder from disk and writes the report to <paramref name="outputPath"/> (UTF-8, no BOM).</summary>
    public static void Write(string runFolder, string outputPath, ReportInputs? extra = null)
    {
        var html = Render(RunFolder.Load(runFolder), extra);
        var dir = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(outputPath, html, new UTF8Encoding(false));
    }

    internal static string Render(ReportModel m)
    {
        var sb = new StringBuilder(Assets.EChartsJs.Length + 256 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
        // No network at all: only inline scripts, styles and data: images may load.
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"generator\" content=\"Trading.Reporting.Html\">\n");
        sb.Append("<title>").Append(Fmt.H(m.Title)).Append(" · ").Append(Fmt.Date(m.Start)).Append(" – ").Append(Fmt.Date(m.End)).Append("</title>\n");
        sb.Append("<style>\n").Append(Assets.Css).Append("\n</style>\n</head>\n<body>\n<main>\n");

        Header(sb, m);
        Commentary(sb, m);
        Equity(sb, m);
        Drawdown(sb, m);
        Returns(sb, m);
        Rolling(sb, m);
        Distribution(sb, m);
        Holdings(sb, m);
        Turnover(sb, m);
        if (m.ExAnte.Count > 0) ExAnteRisk(sb, m);
        if (m.Factors.Count > 0) Factors(sb, m);
        Trades(sb, m);
        Risk(sb, m);
        Footer(sb, m);

        sb.Append("</main>\n<script type=\"application/json\" id=\"report-data\">");
        sb.Append(ReportJson.Write(m));
        sb.Append("</script>\n<script>\n").Append(Assets.EChartsJs).Append("\n</script>\n");
        sb.Append("<script>\n").Append(Assets.ReportJs).Append("\n</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void SectionStart(StringBuilder sb, string id, string title, string? cls = null)
    {
        sb.Append("<section class=\"report-section").Append(cls is null ? "" : " " + cls).Append("\" id=\"").Append(id).Append("\">\n");
        sb.Append("<h2>").Append(Fmt.H(title)).Append("</h2>\n");
    }

    private static void SectionEnd(StringBuilder sb) => sb.Append("</section>\n");

    private static void Chart(StringBuilder sb, string id, string? cls = null) =>
        sb.Append("<div class=\"chart").Append(cls is null ? "" : " " + cls).Append("\" id=\"").Append(id).Append("\" data-chart=\"").Append(id).Append("\"></div>\n");

    private static void Note(StringBuilder sb, string text) => sb.Append("<p class=\"note\">").Append(Fmt.H(text)).Append("</p>\n");

    private static void Empty(StringBuilder sb, string text) => sb.Append("<p class=\"empty\">").Append(Fmt.H(text)).Append("</p>\n");

    private static void Header(StringBuilder sb, ReportModel m)
    {
        sb.Append("<header class=\"report-header\">\n<h1>").Append(Fmt.H(m.Title)).Append("</h1>\n");
        sb.Append("<div class=\"period\">").Append(Fmt.Date(m.Start)).Append(" – ").Append(Fmt.Date(m.End))
          .Append(" · ").Append(Fmt.Int(m.TradingDays)).Append(" trading days");
        if (m.BenchmarkName is { } b) sb.Append(" · benchmark ").Append(Fmt.H(b));
        sb.Append("</div>\n</header>\n");

        SectionStart(sb, "sec-metrics", "Key metrics", "first");
        bool bench = m.Metrics.Any(r => r.Benchmark is not null);
        sb.Append("<table class=\"metrics\">\n<thead><tr><th>Metric</th><th class=\"num\">Strategy</th>");
        if (bench) sb.Append("<th class=\"num\">Benchmark</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in m.Metrics)
        {
            sb.Append("<tr><td>").Append(Fmt.H(r.Label)).Append("</td><td class=\"num\">").Append(Fmt.H(r.Strategy)).Append("</td>");
            if (bench) sb.Append("<td class=\"num\">").Append(Fmt.H(r.Benchmark ?? "")).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        SectionEnd(sb);
    }

    private static void Commentary(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-commentary", "Commentary", "keep-with-previous");
        sb.Append("<div class=\"commentary\" id=\"commentary\">\n");
        foreach (var p in Html.Commentary.Write(m.Facts))
            sb.Append("<p>").Append(Fmt.H(p)).Append("</p>\n");
        sb.Append("</div>\n");
        SectionEnd(sb);
    }

    private static void Equity(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-equity", m.Benchmark is null ? "Equity" : "Equity vs benchmark");
        sb.Append("<div class=\"toolbar\"><label><input type=\"checkbox\" id=\"equity-log\"> log scale</label></div>\n");
        Chart(sb, "chart-equity", "tall");
        Note(sb, m.Benchmark is null
            ? "Growth of 1 invested at the first close (NAV / first NAV)."
            : "Growth of 1 invested at the first close: NAV / first NAV, and the benchmark's level / its first level.");
        SectionEnd(sb);
    }

    private static void Drawdown(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-drawdown", "Underwater (drawdown)");
        Chart(sb, "chart-drawdown");
        sb.Append("<h3>Worst drawdown episodes</h3>\n");
        if (m.Episodes.Count == 0) { Empty(sb, "No drawdown: the NAV never fell below a previous peak."); SectionEnd(sb); return; }
        sb.Append("<table class=\"episodes\" id=\"drawdown-episodes\">\n<thead><tr><th>#</th><th>Peak</th><th>Trough</th><th>Recovered</th><th class=\"num\">Depth</th><th class=\"num\">Trading days</th><th class=\"num\">Calendar days under water</th></tr></thead>\n<tbody>\n");
        int i = 0;
        foreach (var e in m.Episodes)
        {
            sb.Append("<tr><td>").Append(++i).Append("</td><td>").Append(Fmt.Date(e.Peak)).Append("</td><td>").Append(Fmt.Date(e.Trough))
              .Append("</td><td>").Append(e.Recovery is { } end ? Fmt.Date(end) : "not recovered").Append("</td><td class=\"num neg\">")
              .Append(Fmt.Pct(e.Depth)).Append("</td><td class=\"num\">").Append(e.TradingDays).Append("</td><td class=\"num\">").Append(e.CalendarDays).Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        SectionEnd(sb);
    }

    private static void Returns(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-returns", "Monthly and yearly returns");
        sb.Append("<h3>Monthly returns (%)</h3>\n");
        Chart(sb, "chart-monthly", m.Years.Length > 6 ? "tall" : m.Years.Length <= 3 ? "small" : null);
        sb.Append("<h3>Yearly returns").Append(m.YearlyBenchmark is null ? "" : " vs benchmark").Append("</h3>\n");
        Chart(sb, "chart-yearly", "small");
        SectionEnd(sb);
    }

    private static void Rolling(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-rolling", "Rolling statistics");
        Note(sb, $"Rolling window of {m.RollingWindow} trading days (≈ 6 months); annualised with 252 days a year.");
        Chart(sb, "chart-rolling-sharpe", "small");
        Chart(sb, "chart-rolling-vol", "small");
        if (m.RollingBeta is not null) Chart(sb, "chart-rolling-beta", "small");
        else Empty(sb, "No benchmark: no rolling beta.");
        SectionEnd(sb);
    }

    private static void Distribution(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-distribution", "Distribution of daily returns");
        Chart(sb, "chart-histogram");
        SectionEnd(sb);
    }

    private static void Holdings(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-holdings", "Holdings");
        sb.Append("<h3>Industry exposure over time (share of NAV)</h3>\n");
        if (m.ExposureDates.Length > 0) Chart(sb, "chart-industry", "tall");
        else Empty(sb, "No positions in the run.");
        sb.Append("<h3>Top-10 holdings</h3>\n");
        if (m.TopHoldings.Count == 0) { Empty(sb, "No positions in the run."); SectionEnd(sb); return; }
        Chart(sb, "chart-holdings");
        Note(sb, $"Weight = market value / NAV. Latest = on the last day ({Fmt.Date(m.End)}); average = mean over the {m.HoldingDays} days of the run, 0 on days not held. The chart shows the ten largest on the last day, or on average when nothing is held then.");
        sb.Append("<div class=\"grid-2\">\n<div>\n<h3>Largest on the last day</h3>\n");
        if (m.LatestHoldings.Count == 0) Empty(sb, "Nothing held on the last day.");
        else HoldingTable(sb, m.LatestHoldings, "latest-holdings");
        sb.Append("</div>\n<div>\n<h3>Largest on average</h3>\n");
        HoldingTable(sb, m.TopHoldings, "top-holdings");
        sb.Append("</div>\n</div>\n");
        SectionEnd(sb);
    }

    private static void HoldingTable(StringBuilder sb, IReadOnlyList<HoldingRow> rows, string id)
    {
        sb.Append("<table class=\"holdings\" id=\"").Append(id).Append("\">\n<thead><tr><th>#</th><th>Symbol</th><th>Name</th><th>Industry</th><th class=\"num\">Latest</th><th class=\"num\">Average</th></tr></thead>\n<tbody>\n");
        int i = 0;
        foreach (var h in rows)
            sb.Append("<tr><td>").Append(++i).Append("</td><td>").Append(Fmt.H(h.Symbol)).Append("</td><td>").Append(Fmt.H(h.Name ?? ""))
              .Append("</td><td>").Append(Fmt.H(h.Industry)).Append("</td><td class=\"num\">").Append(Fmt.Pct(h.Latest))
              .Append("</td><td class=\"num\">").Append(Fmt.Pct(h.Average)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table>\n");
    }

    private static void Turnover(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-turnover", "Turnover");
        if (m.TurnoverValues.Length == 0) { Empty(sb, "No trades in the run."); SectionEnd(sb); return; }
        Chart(sb, "chart-turnover", "small");
        Note(sb, $"One-sided turnover per {m.TurnoverPeriod}: traded value (buys + sells) / 2 / average NAV of the {m.TurnoverPeriod}.");
        SectionEnd(sb);
    }

    /// <summary>
    /// The factor risk model's view of every rebalance (risk.csv): predicted volatility of the targets and of the
    /// benchmark proxy, tracking error, turnover against its limit; style and industry exposures at the last one.
    /// </summary>
    private static void ExAnteRisk(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-exante", "Ex-ante risk (factor model)");
        var rows = m.ExAnte;
        var dates = rows.Select(r => r.Date).Distinct().Order().ToList();
        RunRiskRow? Get(DateOnly d, string section, string name) => rows.FirstOrDefault(r => r.Date == d && r.Section == section && r.Name == name);
        var proxy = rows.Where(r => r.Section == "summary" && r.Name == "benchmark_proxy").Select(r => r.Note).Distinct().ToList();
        Note(sb, "Benchmark proxy: " + (proxy.Count > 0 ? string.Join("; ", proxy) : "none recorded") + ". CSI 300 constituent weights are not in the data; active numbers are against this proxy.");
        Note(sb, "Annualised, from the factor risk model (industries + styles) estimated at each rebalance with data up to the decision day; the targets are the weights the strategy sent, before lot sizing and fills.");
        sb.Append("<div class=\"scroll\"><table class=\"exante\" id=\"exante-rebalances\">\n<thead><tr><th>Decided</th><th>Weights</th><th class=\"num\">Names</th><th class=\"num\">Predicted vol</th><th class=\"num\">Proxy vol</th><th class=\"num\">Tracking error</th><th class=\"num\">Turnover</th><th class=\"num\">Limit</th></tr></thead>\n<tbody>\n");
        foreach (var d in dates)
        {
            var risk = Get(d, "summary", "risk");
            var turnover = Get(d, "summary", "turnover");
            var names = Get(d, "summary", "names");
            static string P(double v) => double.IsFinite(v) ? Fmt.Pct(v) : "–";
            sb.Append("<tr><td>").Append(Fmt.Date(d)).Append("</td><td>").Append(Fmt.H(risk?.Note ?? "")).Append("</td><td class=\"num\">")
              .Append(names is null || !double.IsFinite(names.Portfolio) ? "–" : Fmt.Int((long)names.Portfolio)).Append("</td><td class=\"num\">")
              .Append(P(risk?.Portfolio ?? double.NaN)).Append("</td><td class=\"num\">").Append(P(risk?.Benchmark ?? double.NaN)).Append("</td><td class=\"num\">")
              .Append(P(risk?.Active ?? double.NaN)).Append("</td><td class=\"num\">").Append(P(turnover?.Portfolio ?? double.NaN)).Append("</td><td class=\"num\">")
              .Append(P(turnover?.Upper ?? double.NaN)).Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table></div>\n");

        var last = dates.LastOrDefault(d => rows.Any(r => r.Date == d && r.Section == "style"));
        if (last == default) { SectionEnd(sb); return; }
        var styles = rows.Where(r => r.Section == "style").ToList();
        sb.Append("<div class=\"grid-2\">\n<div>\n<h3>Style exposures on ").Append(Fmt.Date(last)).Append("</h3>\n");
        sb.Append("<table class=\"exante\" id=\"exante-styles\">\n<thead><tr><th>Style</th><th class=\"num\">Portfolio</th><th class=\"num\">Proxy</th><th class=\"num\">Active</th><th class=\"num\">Mean active</th></tr></thead>\n<tbody>\n");
        foreach (var r in styles.Where(r => r.Date == last))
            sb.Append("<tr><td>").Append(Fmt.H(r.Name)).Append("</td><td class=\"num\">").Append(Fmt.Num(r.Portfolio)).Append("</td><td class=\"num\">")
              .Append(Fmt.Num(r.Benchmark)).Append("</td><td class=\"num\">").Append(Fmt.Num(r.Active)).Append("</td><td class=\"num\">")
              .Append(Fmt.Num(styles.Where(s => s.Name == r.Name).Average(s => s.Active))).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table>\n");
        Note(sb, "Exposures in cross-sectional standard deviations (the proxy's market is near 0); mean active = average over all rebalances.");
        sb.Append("</div>\n<div>\n<h3>Industries on ").Append(Fmt.Date(last)).Append("</h3>\n");
        sb.Append("<div class=\"scroll\"><table class=\"exante\" id=\"exante-industries\">\n<thead><tr><th>Industry</th><th class=\"num\">Portfolio</th><th class=\"num\">Proxy</th><th class=\"num\">Active</th><th class=\"num\">Bounds</th></tr></thead>\n<tbody>\n");
        foreach (var r in rows.Where(r => r.Date == last && r.Section == "industry").OrderByDescending(r => Math.Abs(r.Active)).ThenBy(r => r.Name, StringComparer.Ordinal))
            sb.Append("<tr><td>").Append(Fmt.H(r.Name)).Append("</td><td class=\"num\">").Append(Fmt.Pct(r.Portfolio)).Append("</td><td class=\"num\">")
              .Append(Fmt.Pct(r.Benchmark)).Append("</td><td class=\"num\">").Append(Fmt.Pp(r.Active)).Append("</td><td class=\"num\">")
              .Append(double.IsFinite(r.Lower) ? $"{Fmt.Pct(r.Lower)} – {(double.IsFinite(r.Upper) ? Fmt.Pct(r.Upper) : "∞")}" : "–").Append("</td></tr>\n");
        sb.Append("</tbody>\n</table></div>\n</div>\n</div>\n");
        SectionEnd(sb);
    }

    private static void Factors(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-factors", "Factor analysis");
        for (int i = 0; i < m.Factors.Count; i++)
        {
            var f = m.Factors[i];
            sb.Append("<div class=\"factor\" id=\"factor-").Append(i).Append("\">\n<h3>").Append(Fmt.H(f.Name)).Append("</h3>\n");
            sb.Append("<table class=\"metrics factor-summary\">\n<tbody>\n");
            foreach (var r in f.Summary)
                sb.Append("<tr><td>").Append(Fmt.H(r.Label)).Append("</td><td class=\"num\">").Append(Fmt.H(r.Value)).Append("</td></tr>\n");
            sb.Append("</tbody>\n</table>\n");
            Note(sb, $"Daily IC (Pearson) and rank IC (Spearman) against the {f.Horizon}-day forward return; the thick line is the 20-day mean rank IC.");
            Chart(sb, $"chart-factor-{i}-ic");
            sb.Append("<div class=\"grid-2\">\n<div><h3>Rank IC decay</h3>\n");
            Chart(sb, $"chart-factor-{i}-decay", "small");
            sb.Append("</div>\n<div><h3>Quantile returns and long-short</h3>\n");
            Chart(sb, $"chart-factor-{i}-quantiles", "small");
            sb.Append("</div>\n</div>\n</div>\n");
        }
        SectionEnd(sb);
    }

    private static void Trades(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-trades", "Trade statistics");
        if (m.TradeStats.Count == 0 && m.OrderStats.Count == 0) { Empty(sb, "No trades in the run."); SectionEnd(sb); return; }
        sb.Append("<div class=\"grid-2\">\n<div>\n<h3>Fills and costs</h3>\n");
        KeyValues(sb, m.TradeStats, "trade-stats");
        sb.Append("</div>\n<div>\n<h3>Orders</h3>\n");
        KeyValues(sb, m.OrderStats, "order-stats");
        sb.Append("</div>\n</div>\n");
        SectionEnd(sb);
    }

    private static void KeyValues(StringBuilder sb, IReadOnlyList<LabelValue> rows, string id)
    {
        sb.Append("<table class=\"metrics\" id=\"").Append(id).Append("\">\n<tbody>\n");
        foreach (var r in rows)
            sb.Append("<tr><td>").Append(Fmt.H(r.Label)).Append("</td><td class=\"num\">").Append(Fmt.H(r.Value)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table>\n");
    }

    private const int MaxListedEvents = 500;

    private static void Risk(StringBuilder sb, ReportModel m)
    {
        SectionStart(sb, "sec-risk", "Risk events");
        sb.Append("<h3>Rejections by rule</h3>\n");
        if (m.Rejections.Count == 0) Empty(sb, "No order was rejected by the risk checks.");
        else
        {
            Chart(sb, "chart-rejections", "small");
            sb.Append("<table class=\"rejections\" id=\"rejections-by-rule\">\n<thead><tr><th>Rule</th><th class=\"num\">Rejected orders</th></tr></thead>\n<tbody>\n");
            foreach (var r in m.Rejections)
                sb.Append("<tr><td>").Append(Fmt.H(r.Rule)).Append("</td><td class=\"num\">").Append(r.Count).Append("</td></tr>\n");
            sb.Append("</tbody>\n</table>\n");
            EventTable(sb, "Rejected orders", m.RejectionEvents, "rejection-list");
        }
        sb.Append("<h3>Alerts</h3>\n");
        if (m.Alerts.Count == 0) Empty(sb, "No risk alert was raised.");
        else EventTable(sb, null, m.Alerts, "alert-list");
        SectionEnd(sb);
    }

    private static void EventTable(StringBuilder sb, string? title, IReadOnlyList<AlertRow> rows, string id)
    {
        if (title is not null) sb.Append("<h3>").Append(Fmt.H(title)).Append("</h3>\n");
        if (rows.Count > MaxListedEvents) Note(sb, $"The first {MaxListedEvents} of {rows.Count}; the full list is in risk_events.csv.");
        sb.Append("<div class=\"scroll\"><table class=\"events\" id=\"").Append(id).Append("\">\n<thead><tr><th>Time</th><th>Kind</th><th>Source</th><th>Symbol</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var a in rows.Take(MaxListedEvents))
            sb.Append("<tr><td>").Append(Fmt.H(a.Time)).Append("</td><td>").Append(Fmt.H(a.Kind)).Append("</td><td>").Append(Fmt.H(a.Source))
              .Append("</td><td>").Append(Fmt.H(a.Symbol)).Append("</td><td>").Append(Fmt.H(a.Message)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table></div>\n");
    }

    private static void Footer(StringBuilder sb, ReportModel m)
    {
        sb.Append("<footer>Trading.Actors report");
        if (m.GeneratedAt is { } at) sb.Append(" · generated ").Append(Fmt.H(at.ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture)));
        sb.Append(" · charts: Apache ECharts").Append(m.LibraryVersion is null ? "" : " " + Fmt.H(m.LibraryVersion)).Append(" (Apache-2.0), inlined");
        sb.Append(" · colours: up red, down green</footer>\n");
    }
}

/// <summary>The embedded assets (loaded once).</summary>
internal static class Assets
{
    private static readonly Lazy<string> _echarts = new(() => Load("echarts.min.js").Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase));
    private static readonly Lazy<string> _css = new(() => Load("report.css"));
    private static readonly Lazy<string> _js = new(() => Load("report.js"));
    private static readonly Lazy<string> _daily = new(() => Load("daily.js"));
    private static readonly Lazy<string?> _version = new(() =>
    {
        using var doc = JsonDocument.Parse(Load("package.json"));
        return doc.RootElement.TryGetProperty("dependencies", out var d) && d.TryGetProperty("echarts", out var v) ? v.GetString() : null;
    });

    public static string EChartsJs => _echarts.Value;
    public static string Css => _css.Value;
    public static string ReportJs => _js.Value;
    /// <summary>The daily risk statement's charts (<see cref="DailyStatementHtml"/>).</summary>
    public static string DailyJs => _daily.Value;
    public static string? EChartsVersion => _version.Value;

    private static string Load(string name)
    {
        var asm = typeof(Assets).Assembly;
        using var s = asm.GetManifestResourceStream("Trading.Reporting.Html." + name)
            ?? throw new InvalidOperationException($"embedded asset {name} missing from {asm.GetName().Name}: build src/Trading.Reporting (it runs scripts/report-assets.sh)");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }
}

/// <summary>The data island: every series the charts draw, as compact JSON that is safe inside a script element.</summary>
internal static class ReportJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        // escapes < > & ' + (so no "</script>" can appear) but keeps CJK readable
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        Indented = false,
    };

    public static string Write(ReportModel m)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteStartObject("labels");
            w.WriteString("strategy", "Strategy");
            w.WriteString("benchmark", m.BenchmarkName is { } b ? "Benchmark (" + b + ")" : "Benchmark");
            w.WriteString("drawdown", "Drawdown");
            w.WriteString("rollingSharpe", "Rolling Sharpe");
            w.WriteString("rollingVol", "Rolling volatility (annualised)");
            w.WriteString("rollingBeta", "Rolling beta");
            w.WriteString("days", "days");
            w.WriteString("latestWeight", "Latest weight");
            w.WriteString("averageWeight", "Average weight");
            w.WriteString("turnover", "Turnover");
            w.WriteString("rejections", "Rejected orders");
            w.WriteString("rankIc", "Rank IC");
            w.WriteString("rankIcMean", "Rank IC (20-day mean)");
            w.WriteString("horizon", "Horizon");
            w.WriteString("quantileReturn", "Mean forward return");
            w.WriteEndObject();

            Dates(w, "dates", m.Dates);
            Numbers(w, "equity", m.Equity, 6);
            if (m.Benchmark is not null) Numbers(w, "benchmark", m.Benchmark, 6); else w.WriteNull("benchmark");
            Numbers(w, "drawdown", m.Drawdown, 5);

            w.WriteStartObject("monthly");
            w.WriteStartArray("years");
            foreach (var y in m.Years) w.WriteNumberValue(y);
            w.WriteEndArray();
            w.WriteStartArray("months");
            foreach (var s in (string[])["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Year"]) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteStartArray("values");
            foreach (var row in m.Monthly) { w.WriteStartArray(); foreach (var v in row) Number(w, v, 5); w.WriteEndArray(); }
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("yearly");
            w.WriteStartArray("years");
            foreach (var y in m.Years) w.WriteNumberValue(y);
            w.WriteEndArray();
            Numbers(w, "strategy", m.YearlyStrategy, 5);
            if (m.YearlyBenchmark is not null) Numbers(w, "benchmark", m.YearlyBenchmark, 5); else w.WriteNull("benchmark");
            w.WriteEndObject();

            w.WriteStartObject("rolling");
            Numbers(w, "sharpe", m.RollingSharpe, 3);
            Numbers(w, "volatility", m.RollingVolatility, 4);
            if (m.RollingBeta is not null) Numbers(w, "beta", m.RollingBeta, 3); else w.WriteNull("beta");
            w.WriteEndObject();

            w.WriteStartObject("histogram");
            Numbers(w, "centers", m.HistogramCenters, 5);
            w.WriteStartArray("counts");
            foreach (var c in m.HistogramCounts) w.WriteNumberValue(c);
            w.WriteEndArray();
            if (m.HistogramBenchmark is not null)
            {
                w.WriteStartArray("benchmark");
                foreach (var c in m.HistogramBenchmark) w.WriteNumberValue(c);
                w.WriteEndArray();
            }
            else w.WriteNull("benchmark");
            w.WriteEndObject();

            if (m.ExposureDates.Length > 0)
            {
                w.WriteStartObject("industry");
                Dates(w, "dates", m.ExposureDates);
                w.WriteStartArray("industries");
                foreach (var s in m.Industries) w.WriteStringValue(s);
                w.WriteEndArray();
                w.WriteStartArray("weights");
                foreach (var row in m.ExposureWeights) { w.WriteStartArray(); foreach (var v in row) Number(w, v, 5); w.WriteEndArray(); }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            else w.WriteNull("industry");

            var chartHoldings = m.LatestHoldings.Count > 0 ? m.LatestHoldings : m.TopHoldings;
            w.WriteStartObject("holdings");
            w.WriteStartArray("labels");
            foreach (var h in chartHoldings) w.WriteStringValue(h.Name is { Length: > 0 } n ? $"{n} {h.Symbol}" : h.Symbol);
            w.WriteEndArray();
            w.WriteStartArray("latest");
            foreach (var h in chartHoldings) Number(w, h.Latest, 5);
            w.WriteEndArray();
            w.WriteStartArray("average");
            foreach (var h in chartHoldings) Number(w, h.Average, 5);
            w.WriteEndArray();
            w.WriteEndObject();

            if (m.TurnoverValues.Length > 0)
            {
                w.WriteStartObject("turnover");
                w.WriteStartArray("labels");
                foreach (var s in m.TurnoverLabels) w.WriteStringValue(s);
                w.WriteEndArray();
                Numbers(w, "values", m.TurnoverValues, 5);
                w.WriteEndObject();
            }
            else w.WriteNull("turnover");

            w.WriteStartObject("rejections");
            w.WriteStartArray("rules");
            foreach (var r in m.Rejections) w.WriteStringValue(r.Rule);
            w.WriteEndArray();
            w.WriteStartArray("counts");
            foreach (var r in m.Rejections) w.WriteNumberValue(r.Count);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartArray("factors");
            foreach (var f in m.Factors)
            {
                w.WriteStartObject();
                w.WriteString("name", f.Name);
                Dates(w, "dates", f.Dates);
                Numbers(w, "ic", f.Ic, 4);
                Numbers(w, "rankIc", f.RankIc, 4);
                Numbers(w, "rankIcRolling", f.RankIcRolling, 4);
                w.WriteStartObject("decay");
                w.WriteStartArray("horizons");
                foreach (var h in f.DecayHorizons) w.WriteNumberValue(h);
                w.WriteEndArray();
                Numbers(w, "values", f.DecayValues, 5);
                w.WriteEndObject();
                Numbers(w, "quantiles", f.Quantiles, 6);
                w.WritePropertyName("longShort");
                Number(w, f.LongShort, 6);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Dates(Utf8JsonWriter w, string name, DateOnly[] dates)
    {
        w.WriteStartArray(name);
        Span<char> buf = stackalloc char[10];
        foreach (var d in dates)
        {
            d.TryFormat(buf, out _, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            w.WriteStringValue(buf);
        }
        w.WriteEndArray();
    }

    private static void Numbers(Utf8JsonWriter w, string name, double[] values, int digits)
    {
        w.WriteStartArray(name);
        foreach (var v in values) Number(w, v, digits);
        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, double v, int digits)
    {
        if (!double.IsFinite(v)) { w.WriteNullValue(); return; }
        w.WriteNumberValue(Math.Round(v, digits, MidpointRounding.AwayFromZero));
    }
}
