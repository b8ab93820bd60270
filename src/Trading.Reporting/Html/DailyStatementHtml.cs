using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Trading.Reporting.Html;

/// <summary>
/// Renders a <see cref="DailyStatement"/> as one self-contained HTML page in the backtest report's style (its
/// stylesheet, Apache ECharts and the data inlined, no request made), and as the short markdown summary a notifier
/// (WeCom, e-mail) sends with a link to the page.
/// </summary>
public static class DailyStatementHtml
{
    /// <summary>Chart containers of a statement with holdings and history; <c>chart-rule-hits</c> appears when rules rejected orders.</summary>
    public static IReadOnlyList<string> ChartIds { get; } = ["chart-weights", "chart-industry-pie", "chart-var"];

    private const int MaxListed = 500;
    private const int Bins = 30;

    public static string Render(DailyStatement s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var i = s.Inputs;
        var sb = new StringBuilder(Assets.EChartsJs.Length + 64 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"generator\" content=\"Trading.Reporting.Html\">\n");
        sb.Append("<title>Daily risk statement · ").Append(Fmt.H(i.Account)).Append(" · ").Append(Fmt.Date(i.Date)).Append("</title>\n");
        sb.Append("<style>\n").Append(Assets.Css).Append("\n</style>\n</head>\n<body>\n<main>\n");

        sb.Append("<header class=\"report-header\">\n<h1>Daily risk statement</h1>\n<div class=\"period\">account ").Append(Fmt.H(i.Account));
        if (i.Strategy is { Length: > 0 } st) sb.Append(" · ").Append(Fmt.H(st));
        sb.Append(" · ").Append(Fmt.Date(i.Date)).Append(" after the close</div>\n</header>\n");

        KeyFigures(sb, s);
        Positions(sb, s);
        Industries(sb, s);
        Risk(sb, s);
        RuleHitsAndAlerts(sb, s);
        Orders(sb, s);
        if (i.OperatorActions.Count > 0) Events(sb, "sec-operator", "Operator actions", i.OperatorActions, "operator-actions");
        if (i.Notes.Count > 0) Events(sb, "sec-notes", "Team notes", i.Notes, "team-notes");

        sb.Append("<footer>Trading.Actors daily risk statement");
        if (i.GeneratedAt is { } at) sb.Append(" · generated ").Append(Fmt.H(at.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)));
        sb.Append(" · charts: Apache ECharts").Append(Assets.EChartsVersion is { } v ? " " + Fmt.H(v) : "").Append(" (Apache-2.0), inlined · colours: up red, down green</footer>\n");
        sb.Append("</main>\n<script type=\"application/json\" id=\"statement-data\">").Append(Json(s)).Append("</script>\n");
        sb.Append("<script>\n").Append(Assets.EChartsJs).Append("\n</script>\n");
        sb.Append("<script>\n").Append(Assets.DailyJs).Append("\n</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Writes the page to <paramref name="path"/> (UTF-8, no BOM) through a temporary file, so a reader never sees half a page.</summary>
    public static void Write(DailyStatement s, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        File.WriteAllText(tmp, Render(s), new UTF8Encoding(false));
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>
    /// Six lines of markdown for a chat message or an e-mail: NAV and day P&amp;L, cumulative P&amp;L, VaR and beta,
    /// rule hits and alerts, orders, and where the full statement is (<paramref name="link"/>: a path or a URL).
    /// </summary>
    public static string Summary(DailyStatement s, string link)
    {
        var i = s.Inputs;
        var r = s.Risk;
        var sb = new StringBuilder();
        sb.Append("**Daily risk statement · ").Append(i.Account).Append(" · ").Append(Fmt.Date(i.Date)).Append("**\n");
        sb.Append("- NAV ").Append(Fmt.Money(i.Nav)).Append(", day P&L ").Append(Signed(s.DayPnl)).Append(" (").Append(Fmt.SignedPct(s.DayReturn)).Append(")\n");
        sb.Append("- Cumulative P&L ").Append(Signed(s.CumulativePnl)).Append(" (").Append(Fmt.SignedPct(s.CumulativeReturn)).Append(") on capital ").Append(Fmt.Money(i.Capital)).Append('\n');
        sb.Append("- 1-day VaR 95% ").Append(VarText(s, r.HistoricalVar95)).Append(", 99% ").Append(VarText(s, r.HistoricalVar99))
          .Append(" (historical, ").Append(r.HistoryDays).Append(" days); beta ").Append(Fmt.Num(r.Beta)).Append(" vs ").Append(i.BenchmarkName).Append('\n');
        sb.Append("- Risk-rule hits ").Append(i.RuleHits.Count);
        if (s.RuleHitsByRule.Count > 0) sb.Append(" (").Append(string.Join(", ", s.RuleHitsByRule.Take(3).Select(h => $"{h.Rule} {h.Count}"))).Append(')');
        sb.Append(", alerts ").Append(i.Alerts.Count).Append('\n');
        var o = s.OrderStats;
        sb.Append("- Orders ").Append(o.Orders).Append(" (").Append(o.Filled).Append(" filled, fill rate ").Append(Fmt.Pct(o.FillRate, 1))
          .Append("), turnover ").Append(Fmt.Money(o.Turnover)).Append(", fees ").Append(Fmt.Money(o.Fees)).Append('\n');
        sb.Append("- Statement: ").Append(link).Append('\n');
        return sb.ToString();
    }

    private static string Signed(decimal v) => (v >= 0 ? "+" : "−") + Fmt.Money(Math.Abs(v));

    private static string VarText(DailyStatement s, double fraction) =>
        s.Money(fraction) is { } m ? $"{Fmt.Money(m)} ({Fmt.Pct(fraction)})" : "–";

    private static void SectionStart(StringBuilder sb, string id, string title, string? cls = null)
    {
        sb.Append("<section class=\"report-section").Append(cls is null ? "" : " " + cls).Append("\" id=\"").Append(id).Append("\">\n");
        sb.Append("<h2>").Append(Fmt.H(title)).Append("</h2>\n");
    }

    private static void Chart(StringBuilder sb, string id, string? cls = null) =>
        sb.Append("<div class=\"chart").Append(cls is null ? "" : " " + cls).Append("\" id=\"").Append(id).Append("\"></div>\n");

    private static void Note(StringBuilder sb, string text) => sb.Append("<p class=\"note\">").Append(Fmt.H(text)).Append("</p>\n");

    private static void Empty(StringBuilder sb, string text) => sb.Append("<p class=\"empty\">").Append(Fmt.H(text)).Append("</p>\n");

    private static string Cls(double v) => Fmt.Sign(v) is { Length: > 0 } c ? " " + c : "";

    private static void Row(StringBuilder sb, string label, string value, string cls = "") =>
        sb.Append("<tr><td>").Append(Fmt.H(label)).Append("</td><td class=\"num").Append(cls).Append("\">").Append(Fmt.H(value)).Append("</td></tr>\n");

    private static void KeyFigures(StringBuilder sb, DailyStatement s)
    {
        var i = s.Inputs;
        var r = s.Risk;
        SectionStart(sb, "sec-key", "Key figures", "first");
        sb.Append("<div class=\"grid-2\">\n<div>\n<table class=\"metrics\" id=\"key-figures\">\n<tbody>\n");
        Row(sb, "NAV", Fmt.Money(i.Nav));
        Row(sb, "Cash", $"{Fmt.Money(i.Cash)} ({Fmt.Pct(s.CashWeight)})");
        Row(sb, "Market value", Fmt.Money(s.MarketValue));
        Row(sb, i.PreviousDate is { } pd ? $"Day P&L (vs {Fmt.Date(pd)})" : "Day P&L (vs capital: first day)", $"{Signed(s.DayPnl)} ({Fmt.SignedPct(s.DayReturn)})", Cls((double)s.DayPnl));
        Row(sb, "Cumulative P&L", $"{Signed(s.CumulativePnl)} ({Fmt.SignedPct(s.CumulativeReturn)})", Cls((double)s.CumulativePnl));
        Row(sb, "Capital paid in", Fmt.Money(i.Capital));
        sb.Append("</tbody>\n</table>\n</div>\n<div>\n<table class=\"metrics\" id=\"risk-figures\">\n<tbody>\n");
        Row(sb, $"Beta vs {i.BenchmarkName}", Fmt.Num(r.Beta));
        Row(sb, "1-day VaR 95% (historical)", VarText(s, r.HistoricalVar95));
        Row(sb, "1-day VaR 99% (historical)", VarText(s, r.HistoricalVar99));
        Row(sb, $"1-day VaR 95% (parametric, {r.ParametricSource})", VarText(s, r.ParametricVar95));
        Row(sb, $"1-day VaR 99% (parametric, {r.ParametricSource})", VarText(s, r.ParametricVar99));
        Row(sb, "Risk-rule hits / alerts", $"{i.RuleHits.Count} / {i.Alerts.Count}");
        sb.Append("</tbody>\n</table>\n</div>\n</div>\n");
        sb.Append("</section>\n");
    }

    private static void Positions(StringBuilder sb, DailyStatement s)
    {
        SectionStart(sb, "sec-positions", "Positions");
        if (s.Positions.Count == 0) { Empty(sb, "No position at the close."); sb.Append("</section>\n"); return; }
        Chart(sb, "chart-weights", s.Positions.Count > 15 ? "tall" : null);
        Note(sb, "Weight = value at the close / NAV. Day P&L = value − quantity held overnight × previous close − bought + sold (before fees); – where the store has no previous close.");
        sb.Append("<div class=\"scroll\"><table class=\"holdings\" id=\"positions\">\n<thead><tr><th>#</th><th>Symbol</th><th>Name</th><th>Industry</th><th class=\"num\">Quantity</th><th class=\"num\">Price</th><th class=\"num\">Value</th><th class=\"num\">Weight</th><th class=\"num\">Day P&amp;L</th></tr></thead>\n<tbody>\n");
        int n = 0;
        foreach (var p in s.Positions)
        {
            sb.Append("<tr><td>").Append(++n).Append("</td><td>").Append(Fmt.H(p.Symbol)).Append("</td><td>").Append(Fmt.H(p.Name ?? "")).Append("</td><td>")
              .Append(Fmt.H(p.Industry)).Append("</td><td class=\"num\">").Append(Fmt.Int(p.Quantity)).Append("</td><td class=\"num\">").Append(Fmt.Money(p.Price))
              .Append("</td><td class=\"num\">").Append(Fmt.Money(p.Value)).Append("</td><td class=\"num\">").Append(Fmt.Pct(p.Weight))
              .Append("</td><td class=\"num").Append(p.DayPnl is { } d ? Cls((double)d) : "").Append("\">").Append(p.DayPnl is { } x ? Signed(x) : "–").Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void Industries(StringBuilder sb, DailyStatement s)
    {
        SectionStart(sb, "sec-industry", "Industry exposure");
        if (s.Industries.Count == 0) { Empty(sb, "No position at the close: the NAV is all cash."); sb.Append("</section>\n"); return; }
        sb.Append("<div class=\"grid-2\">\n<div>\n");
        Chart(sb, "chart-industry-pie");
        sb.Append("</div>\n<div>\n<table class=\"holdings\" id=\"industries\">\n<thead><tr><th>Industry</th><th class=\"num\">Names</th><th class=\"num\">Weight of NAV</th></tr></thead>\n<tbody>\n");
        foreach (var x in s.Industries)
            sb.Append("<tr><td>").Append(Fmt.H(x.Industry)).Append("</td><td class=\"num\">").Append(x.Names).Append("</td><td class=\"num\">").Append(Fmt.Pct(x.Weight)).Append("</td></tr>\n");
        sb.Append("<tr><td>Cash</td><td class=\"num\"></td><td class=\"num\">").Append(Fmt.Pct(s.CashWeight)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table>\n</div>\n</div>\n");
        Note(sb, "Industries as the store labels the stocks (Shenwan level 1 where the data carries it); names without one are grouped under " + s.Inputs.UnknownIndustry + ".");
        sb.Append("</section>\n");
    }

    private static void Risk(StringBuilder sb, DailyStatement s)
    {
        var r = s.Risk;
        SectionStart(sb, "sec-risk", "Beta and value at risk");
        if (r.PortfolioReturns.Length == 0)
            Empty(sb, $"Too little history for a historical VaR or a beta ({r.HistoryDays} days; at least {DailyStatement.MinHistoryDays} needed).");
        else
        {
            Chart(sb, "chart-var");
            Note(sb, $"Today's weights applied to each of the last {r.HistoryDays} trading days' returns of the same stocks (suspended days count as 0); the historical VaR is the 5th / 1st percentile of those returns (a loss, as a share of NAV). Beta: OLS of those returns on {s.Inputs.BenchmarkName}'s over the same days.");
        }
        Note(sb, r.ParametricSource switch
        {
            "factor model" => $"Parametric VaR: normal, zero mean, z × σ with σ the holdings' daily volatility under the factor risk model ({s.Inputs.ModelNote ?? "industries and styles"}).",
            "sample" => $"Parametric VaR: normal, zero mean, z × σ with σ the sample standard deviation of the historical portfolio returns (the factor risk model could not be estimated{(s.Inputs.ModelNote is { } m ? ": " + m : "")}).",
            _ => "No parametric VaR: neither a factor model nor a return history.",
        });
        sb.Append("</section>\n");
    }

    private static void RuleHitsAndAlerts(StringBuilder sb, DailyStatement s)
    {
        var i = s.Inputs;
        SectionStart(sb, "sec-rules", "Risk-rule hits and alerts");
        sb.Append("<h3>Orders rejected by the risk rules</h3>\n");
        if (i.RuleHits.Count == 0) Empty(sb, "No order was rejected by the risk rules.");
        else
        {
            Chart(sb, "chart-rule-hits", "small");
            EventTable(sb, i.RuleHits, "rule-hits");
        }
        sb.Append("<h3>Alerts</h3>\n");
        if (i.Alerts.Count == 0) Empty(sb, "No alert was raised.");
        else EventTable(sb, i.Alerts, "alerts");
        sb.Append("</section>\n");
    }

    private static void Events(StringBuilder sb, string id, string title, IReadOnlyList<StatementEvent> rows, string tableId)
    {
        SectionStart(sb, id, title);
        EventTable(sb, rows, tableId);
        sb.Append("</section>\n");
    }

    private static void EventTable(StringBuilder sb, IReadOnlyList<StatementEvent> rows, string id)
    {
        if (rows.Count > MaxListed) Note(sb, $"The first {MaxListed} of {rows.Count}; `trading journal export` lists them all.");
        sb.Append("<div class=\"scroll\"><table class=\"events\" id=\"").Append(id).Append("\">\n<thead><tr><th>Time</th><th>Kind</th><th>Source</th><th>Symbol</th><th>Order</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var e in rows.Take(MaxListed))
            sb.Append("<tr><td>").Append(Fmt.H(e.Time)).Append("</td><td>").Append(Fmt.H(e.Kind)).Append("</td><td>").Append(Fmt.H(e.Source)).Append("</td><td>")
              .Append(Fmt.H(e.Symbol)).Append("</td><td>").Append(Fmt.H(e.OrderId)).Append("</td><td>").Append(Fmt.H(e.Message)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table></div>\n");
    }

    private static void Orders(StringBuilder sb, DailyStatement s)
    {
        var o = s.OrderStats;
        SectionStart(sb, "sec-orders", "Orders and fills");
        if (o.Orders == 0 && o.Fills == 0) { Empty(sb, "No order and no fill on the day."); sb.Append("</section>\n"); return; }
        sb.Append("<div class=\"grid-2\">\n<div>\n<table class=\"metrics\" id=\"order-summary\">\n<tbody>\n");
        Row(sb, "Orders", Fmt.Int(o.Orders));
        Row(sb, "Filled / partially filled", $"{o.Filled} / {o.PartiallyFilled}");
        Row(sb, "Cancelled / rejected by the broker / open", $"{o.Cancelled} / {o.Rejected} / {o.Open}");
        Row(sb, "Fill rate (filled / ordered quantity)", Fmt.Pct(o.FillRate, 1));
        sb.Append("</tbody>\n</table>\n</div>\n<div>\n<table class=\"metrics\" id=\"fill-summary\">\n<tbody>\n");
        Row(sb, "Fills", Fmt.Int(o.Fills));
        Row(sb, "Bought / sold", $"{Fmt.Money(o.Bought)} / {Fmt.Money(o.Sold)}");
        Row(sb, "Turnover (bought + sold)", $"{Fmt.Money(o.Turnover)} ({Fmt.Pct((double)(o.Turnover / s.Inputs.Nav))} of NAV)");
        Row(sb, "Fees", Fmt.Money(o.Fees));
        sb.Append("</tbody>\n</table>\n</div>\n</div>\n");
        if (s.Inputs.Orders.Count > 0)
        {
            sb.Append("<h3>Orders</h3>\n<div class=\"scroll\"><table class=\"events\" id=\"orders\">\n<thead><tr><th>Order</th><th>Symbol</th><th>Side</th><th class=\"num\">Quantity</th><th class=\"num\">Filled</th><th>Status</th><th>Reason</th></tr></thead>\n<tbody>\n");
            foreach (var x in s.Inputs.Orders.Take(MaxListed))
                sb.Append("<tr><td>").Append(Fmt.H(x.OrderId)).Append("</td><td>").Append(Fmt.H(x.Symbol)).Append("</td><td>").Append(Fmt.H(x.Side))
                  .Append("</td><td class=\"num\">").Append(Fmt.Int(x.Quantity)).Append("</td><td class=\"num\">").Append(Fmt.Int(x.Filled)).Append("</td><td>")
                  .Append(Fmt.H(x.Status)).Append("</td><td>").Append(Fmt.H(x.Reason)).Append("</td></tr>\n");
            sb.Append("</tbody>\n</table></div>\n");
        }
        sb.Append("</section>\n");
    }

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    /// <summary>The data island the charts (daily.js) draw: weights, industries, the historical return distribution with its VaR, rule hits.</summary>
    private static string Json(DailyStatement s)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("labels");
            w.WriteString("weight", "Weight of NAV");
            w.WriteString("cash", "Cash");
            w.WriteString("days", "days");
            w.WriteString("var95", "VaR 95%");
            w.WriteString("var99", "VaR 99%");
            w.WriteString("ruleHits", "Rejected orders");
            w.WriteEndObject();

            w.WriteStartObject("positions");
            w.WriteStartArray("labels");
            foreach (var p in s.Positions) w.WriteStringValue(p.Name is { Length: > 0 } n ? $"{n} {p.Symbol}" : p.Symbol);
            w.WriteEndArray();
            w.WriteStartArray("weights");
            foreach (var p in s.Positions) Number(w, p.Weight, 5);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("industries");
            w.WriteStartArray("names");
            foreach (var x in s.Industries) w.WriteStringValue(x.Industry);
            w.WriteEndArray();
            w.WriteStartArray("weights");
            foreach (var x in s.Industries) Number(w, x.Weight, 5);
            w.WriteEndArray();
            w.WritePropertyName("cash");
            Number(w, s.CashWeight, 5);
            w.WriteEndObject();

            var r = s.Risk;
            if (r.PortfolioReturns.Length > 0)
            {
                double lo = r.PortfolioReturns.Min(), hi = r.PortfolioReturns.Max();
                double width = hi > lo ? (hi - lo) / Bins : 0.001;
                var counts = new int[Bins];
                foreach (var x in r.PortfolioReturns) counts[Math.Clamp((int)((x - lo) / width), 0, Bins - 1)]++;
                w.WriteStartObject("var");
                w.WriteStartArray("centers");
                for (int b = 0; b < Bins; b++) Number(w, lo + (b + 0.5) * width, 5);
                w.WriteEndArray();
                w.WriteStartArray("counts");
                foreach (var c in counts) w.WriteNumberValue(c);
                w.WriteEndArray();
                w.WritePropertyName("var95");
                Number(w, -r.HistoricalVar95, 5);
                w.WritePropertyName("var99");
                Number(w, -r.HistoricalVar99, 5);
                w.WriteEndObject();
            }
            else w.WriteNull("var");

            w.WriteStartObject("ruleHits");
            w.WriteStartArray("rules");
            foreach (var h in s.RuleHitsByRule) w.WriteStringValue(h.Rule);
            w.WriteEndArray();
            w.WriteStartArray("counts");
            foreach (var h in s.RuleHitsByRule) w.WriteNumberValue(h.Count);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Number(Utf8JsonWriter w, double v, int digits)
    {
        if (!double.IsFinite(v)) { w.WriteNullValue(); return; }
        w.WriteNumberValue(Math.Round(v, digits, MidpointRounding.AwayFromZero));
    }
}
