using System.Globalization;
using System.Text;
using Trading.Data.Csv;
using Trading.Runtime.Strategy;

namespace Trading.Backtest;

/// <summary>
/// risk.csv of a run: the ex-ante risk of every rebalance (<see cref="RebalanceRisk"/>), one long table
/// <c>date,section,name,portfolio,benchmark,active,lower,upper,note</c> with sections
/// <list type="bullet">
/// <item><c>summary</c>: <c>risk</c> (predicted volatility of the targets, of the benchmark proxy, tracking error in
/// <c>active</c>; annualised; note = how the weights were made), <c>turnover</c> (Σ|w − w0|, limit in <c>upper</c>),
/// <c>names</c>, <c>history_days</c>, <c>benchmark_proxy</c> (note), <c>warning</c> (note, when the construction fell back);</item>
/// <item><c>style</c>: exposure to each style factor (portfolio, benchmark proxy, active);</item>
/// <item><c>industry</c>: weight per industry (portfolio, proxy, active) with its bounds when the weighting had them.</item>
/// </list>
/// Written only when the strategy produced such numbers (optimised or neutral weighting, or a portfolio block);
/// fixed order and invariant formatting, so the same run gives the same bytes.
/// </summary>
public static class RiskCsv
{
    public const string FileName = "risk.csv";
    public const string Header = "date,section,name,portfolio,benchmark,active,lower,upper,note";

    /// <summary>Writes <see cref="FileName"/> into <paramref name="dir"/> (removes a stale one when there is nothing to write).</summary>
    public static void Write(string dir, IReadOnlyList<RebalanceRisk> rows)
    {
        var path = Path.Combine(dir, FileName);
        if (rows.Count == 0) { File.Delete(path); return; }
        Directory.CreateDirectory(dir);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        w.NewLine = "\n";
        w.WriteLine(Header);
        foreach (var line in Lines(rows)) w.WriteLine(line);
    }

    public static IEnumerable<string> Lines(IReadOnlyList<RebalanceRisk> rows)
    {
        static string N(double v) => double.IsFinite(v) ? CsvText.Num(v) : "";
        foreach (var r in rows.OrderBy(r => r.Date))
        {
            string d = r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            yield return CsvText.Row(d, "summary", "risk", N(r.PredictedVolatility), N(r.BenchmarkVolatility), N(r.TrackingError), "", "", r.Method);
            yield return CsvText.Row(d, "summary", "turnover", N(r.Turnover), "", "", "", r.TurnoverLimit is { } t ? N(t) : "", "");
            yield return CsvText.Row(d, "summary", "names", r.Names.ToString(CultureInfo.InvariantCulture), "", "", "", "", "");
            yield return CsvText.Row(d, "summary", "history_days", r.HistoryDays.ToString(CultureInfo.InvariantCulture), "", "", "", "", "");
            yield return CsvText.Row(d, "summary", "benchmark_proxy", "", "", "", "", "", r.BenchmarkProxy);
            if (r.Warning is { } warning) yield return CsvText.Row(d, "summary", "warning", "", "", "", "", "", warning);
            foreach (var s in r.Styles) yield return CsvText.Row(d, "style", s.Name, N(s.Portfolio), N(s.Benchmark), N(s.Active), "", "", "");
            var bounds = r.Bounds.ToDictionary(b => b.Industry, StringComparer.Ordinal);
            foreach (var i in r.Industries)
            {
                bounds.TryGetValue(i.Name, out var b);
                yield return CsvText.Row(d, "industry", i.Name, N(i.Portfolio), N(i.Benchmark), N(i.Active),
                    b is null ? "" : N(b.Lower), b is null ? "" : N(b.Upper), "");
            }
        }
    }
}
