using Trading.Data.Model;
using Trading.Data.Validation;
using Trading.Domain.Calendar;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Enrichment;

/// <summary>A finding of the enricher about one row (identified by its origin tag).</summary>
public readonly record struct RowFinding(long Tag, Symbol Symbol, DateOnly Date, IssueKind Kind, string Column, string Message);

/// <summary>
/// Completes merged bars, one symbol run at a time (rows sorted by symbol, date): fills missing adj factors from
/// neighbours, derives pre_close where the source had none (previous close × previous factor / factor, rounded
/// half up: the ex-rights reference price), sets ST spells (namechange, else <see cref="StInference"/>), computes
/// each day's price limits (published stk_limit where given) and flags, and reports moves beyond the band that no
/// adjustment, listing or resumption explains.
/// </summary>
public static class BarEnricher
{
    public static List<RowFinding> Enrich(BarTable bars, Dictionary<Symbol, StockInfo> stocks, MarketRules rules,
        IReadOnlyDictionary<(int Symbol, int Day), (int Up, int Down)>? publishedLimits = null)
    {
        var findings = new List<RowFinding>();
        var calendar = new TradingCalendar(bars.Date.AsSpan(0, bars.Count).ToArray().Distinct().Select(DateOnly.FromDayNumber));
        var dayIndex = calendar.Days.Select((d, i) => (d.DayNumber, i)).ToDictionary(x => x.DayNumber, x => x.i);
        int start = 0;
        while (start < bars.Count)
        {
            int end = start + 1;
            while (end < bars.Count && bars.Symbol[end] == bars.Symbol[start]) end++;
            EnrichRun(bars, start, end, stocks, rules, calendar, dayIndex, publishedLimits, findings);
            start = end;
        }
        return findings;
    }

    private static void EnrichRun(BarTable b, int from, int to, Dictionary<Symbol, StockInfo> stocks, MarketRules rules,
        TradingCalendar calendar, Dictionary<int, int> dayIndex,
        IReadOnlyDictionary<(int, int), (int Up, int Down)>? published, List<RowFinding> findings)
    {
        var symbol = Symbol.FromPacked(b.Symbol[from]);
        var board = symbol.Board;
        FillAdjFactors(b, from, to, symbol, findings);

        for (int i = from; i < to; i++)
        {
            var flags = (BarFlags)b.Flags[i];
            if ((flags & BarFlags.DerivedPreClose) == 0) continue;
            b.PreClose[i] = i == from ? 0 : DerivePreClose(b.Close[i - 1], b.AdjFactor[i - 1], b.AdjFactor[i]);
        }

        if (!stocks.TryGetValue(symbol, out var info))
            stocks[symbol] = info = new StockInfo(symbol, "", "", null, null, []);
        // A symbol without a listing date whose bars start after the data begins most likely listed then.
        var firstBar = DateOnly.FromDayNumber(b.Date[from]);
        DateOnly? listDate = info.ListDate ?? (firstBar > calendar.First ? firstBar : null);

        if (info.StSource is StSource.None or StSource.Inferred)
        {
            bool stToday = StockInfo.NameIsSt(info.Name);
            var evidence = new StInference.Evidence[to - from];
            var dates = new DateOnly[to - from];
            for (int i = from; i < to; i++)
            {
                dates[i - from] = DateOnly.FromDayNumber(b.Date[i]);
                bool noLimit = rules.IsNoLimitDay(board, DaysListed(calendar, dayIndex, b.Date[i], listDate), listDate);
                evidence[i - from] = noLimit ? StInference.Evidence.None
                    : StInference.Classify(rules, board, dates[i - from], BarTable.FromFen(b.PreClose[i]), BarTable.FromFen(b.High[i]), BarTable.FromFen(b.Low[i]), BarTable.FromFen(b.Close[i]));
            }
            var path = StInference.MostLikelyPath(evidence, stToday);
            info = info with { StSpells = StInference.Spells(dates, path, stToday), StSource = StSource.Inferred };
            stocks[symbol] = info;
        }

        for (int i = from; i < to; i++)
        {
            var date = DateOnly.FromDayNumber(b.Date[i]);
            var flags = (BarFlags)b.Flags[i] & ~(BarFlags.St | BarFlags.NoLimit);
            bool isSt = info.IsStOn(date);
            if (isSt) flags |= BarFlags.St;
            int? listed = DaysListed(calendar, dayIndex, b.Date[i], listDate);
            int up = 0, down = 0;
            if (published is not null && published.TryGetValue((b.Symbol[i], b.Date[i]), out var pub))
                (up, down) = pub;
            else if (rules.IsNoLimitDay(board, listed, listDate))
                flags |= BarFlags.NoLimit;
            else if (b.PreClose[i] > 0)
            {
                var limit = rules.Limit(symbol, date, new LimitContext(BarTable.FromFen(b.PreClose[i]), isSt, listed, listDate));
                up = BarTable.ToFen(limit.Up);
                down = BarTable.ToFen(limit.Down);
            }
            b.UpLimit[i] = up;
            b.DownLimit[i] = down;
            b.Flags[i] = (byte)flags;

            if (up > 0 && (b.High[i] > up || b.Low[i] < down) && !Explained(b, i, from, calendar, dayIndex))
            {
                bool high = b.High[i] > up;
                findings.Add(new RowFinding(b.Tag?[i] ?? -1, symbol, date, IssueKind.UnexplainedMove, high ? "high" : "low",
                    $"{(high ? "high" : "low")} {BarTable.FromFen(high ? b.High[i] : b.Low[i])} is beyond the {(isSt ? "ST " : "")}band [{BarTable.FromFen(down)}, {BarTable.FromFen(up)}] from pre_close {BarTable.FromFen(b.PreClose[i])}, and no adjustment, listing or resumption explains it"));
            }
        }
    }

    /// <summary>The ex-rights reference price: round_half_up(previous close × previous factor / factor, 2), in fen.</summary>
    public static int DerivePreClose(int previousCloseFen, double previousAdj, double adj)
    {
        if (previousAdj == adj) return previousCloseFen;
        var value = (decimal)previousCloseFen / 100m * (decimal)previousAdj / (decimal)adj;
        return BarTable.ToFen(Money.RoundFen(value));
    }

    private static void FillAdjFactors(BarTable b, int from, int to, Symbol symbol, List<RowFinding> findings)
    {
        double last = double.NaN;
        int firstKnown = -1, missing = 0;
        for (int i = from; i < to; i++)
        {
            if (double.IsNaN(b.AdjFactor[i])) { missing++; if (!double.IsNaN(last)) b.AdjFactor[i] = last; }
            else { last = b.AdjFactor[i]; if (firstKnown < 0) firstKnown = i; }
        }
        double back = firstKnown >= 0 ? b.AdjFactor[firstKnown] : 1.0;
        for (int i = from; i < to && double.IsNaN(b.AdjFactor[i]); i++) b.AdjFactor[i] = back;
        if (missing > 0 && firstKnown >= 0)
            findings.Add(new RowFinding(b.Tag?[from] ?? -1, symbol, DateOnly.FromDayNumber(b.Date[from]), IssueKind.MissingValue, "adj_factor",
                $"{missing} rows of {symbol} have no adj_factor; the nearest known factor was used"));
    }

    private static int? DaysListed(TradingCalendar calendar, Dictionary<int, int> dayIndex, int day, DateOnly? listDate)
    {
        if (listDate is null) return null;
        int listIndex = dayIndex.TryGetValue(listDate.Value.DayNumber, out var li) ? li
            : listDate.Value < calendar.First ? int.MinValue / 2
            : calendar.IndexOf(calendar.Next(listDate.Value) ?? calendar.Last);
        return dayIndex[day] - listIndex;
    }

    /// <summary>An ex-date (factor changed) or a resumption (the previous trading day had no bar) explains a big move.</summary>
    private static bool Explained(BarTable b, int i, int from, TradingCalendar calendar, Dictionary<int, int> dayIndex)
    {
        if (i == from) return false; // the source's own pre_close is the reference; nothing before it to explain a jump
        if (b.AdjFactor[i] != b.AdjFactor[i - 1]) return true;
        return dayIndex[b.Date[i]] - dayIndex[b.Date[i - 1]] > 1;
    }
}
