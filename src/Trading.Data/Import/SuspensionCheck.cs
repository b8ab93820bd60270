using Trading.Data.Model;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Import;

/// <summary>
/// Checks the bars against TuShare's suspend_d. The store has no suspension table: a listed stock without a bar on a
/// trading day is suspended (<c>MarketPanel</c> makes that day explicit). That inference is only as good as the bars,
/// so where the input brings suspend_d it is compared with them, on the trading days between the first and last day
/// suspend_d names (a day it names no stock on cannot be told apart from a day it was not asked for):
/// <list type="bullet">
/// <item>a full-day suspension (S, no suspend_timing) of a stock with a traded bar (volume &gt; 0) that day;</item>
/// <item>a stock listed that day (reference data) and trading before it, without a bar, that suspend_d does not list
/// as suspended: a bar missing from the source, which the store would silently take for a suspension.</item>
/// </list>
/// Both are warnings, never rejections: the bars are valid on their own, suspend_d is published separately and
/// corrected late, and either side may be the wrong one — refusing the day would lose good bars for a
/// disagreement the user has to judge. The warnings name the stock and day in the import report.
/// </summary>
internal static class SuspensionCheck
{
    public static void Run(ImportBatch batch, BarTable bars, IReadOnlyDictionary<Symbol, StockInfo> stocks)
    {
        if (batch.SuspensionDays.Count == 0) return;
        int from = batch.SuspensionDays.Min.DayNumber, to = batch.SuspensionDays.Max.DayNumber;
        var file = batch.Suspensions.Count > 0 ? batch.Suspensions[0].File
            : Path.GetFileName(batch.Files.FirstOrDefault(f => Path.GetFileName(f).Contains("suspend", StringComparison.OrdinalIgnoreCase)) ?? "suspend_d");

        var traded = new HashSet<(int Symbol, int Day)>();
        var barDays = new SortedSet<int>();
        var firstBar = new Dictionary<int, int>();
        var withBar = new HashSet<(int, int)>();
        for (int i = 0; i < bars.Count; i++)
        {
            int s = bars.Symbol[i], d = bars.Date[i];
            if (!firstBar.TryGetValue(s, out var f) || d < f) firstBar[s] = d;
            if (d < from || d > to) continue;
            barDays.Add(d);
            withBar.Add((s, d));
            if (bars.Volume[i] > 0) traded.Add((s, d));
        }

        var suspended = new HashSet<(int, int)>();
        foreach (var row in batch.Suspensions)
        {
            var key = (row.Symbol.Packed, row.Date.DayNumber);
            suspended.Add(key);
            if (traded.Contains(key))
                batch.Report.Add(new ImportIssue(IssueSeverity.Warning, IssueKind.SuspensionMismatch, row.File, row.Line, "suspend_type",
                    $"suspend_d says {row.Symbol} was suspended all day on {row.Date:yyyy-MM-dd}, but the daily bars hold a traded bar for it",
                    row.Symbol.ToString(), row.Date));
        }

        foreach (var (symbol, firstDay) in firstBar.OrderBy(kv => kv.Key))
        {
            var sym = Symbol.FromPacked(symbol);
            if (!stocks.TryGetValue(sym, out var info)) continue; // no reference data: nothing says it was listed
            int since = Math.Max(from, firstDay + 1);
            if (since > to) continue;
            foreach (int day in barDays.GetViewBetween(since, to))
            {
                var date = DateOnly.FromDayNumber(day);
                if (!info.IsListedOn(date) || withBar.Contains((symbol, day)) || suspended.Contains((symbol, day))) continue;
                batch.Report.Add(new ImportIssue(IssueSeverity.Warning, IssueKind.SuspensionMismatch, file, 1, null,
                    $"{sym} is listed and has no bar on {date:yyyy-MM-dd}, but suspend_d does not list it as suspended: a bar missing from the source would be taken for a suspension",
                    sym.ToString(), date));
            }
        }
    }
}
