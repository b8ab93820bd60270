namespace Trading.Data.Model;

/// <summary>
/// The stored order of fundamentals and the merge of new rows into stored ones: valuations by (symbol, date),
/// reports by (symbol, ann_date, end_date); a new row replaces a stored row with the same key.
/// </summary>
internal static class FundamentalsOrder
{
    public static int Compare(Valuation a, Valuation b)
    {
        int c = a.Symbol.Packed.CompareTo(b.Symbol.Packed);
        return c != 0 ? c : a.Date.DayNumber.CompareTo(b.Date.DayNumber);
    }

    public static int Compare(FinancialReport a, FinancialReport b)
    {
        int c = a.Symbol.Packed.CompareTo(b.Symbol.Packed);
        if (c != 0) return c;
        c = a.AnnDate.DayNumber.CompareTo(b.AnnDate.DayNumber);
        return c != 0 ? c : a.EndDate.DayNumber.CompareTo(b.EndDate.DayNumber);
    }

    public static bool IsSorted<T>(IReadOnlyList<T> rows, Comparison<T> compare, bool strictly = false)
    {
        for (int i = 1; i < rows.Count; i++)
        {
            int c = compare(rows[i - 1], rows[i]);
            if (c > 0 || (strictly && c == 0)) return false;
        }
        return true;
    }

    /// <summary>Rows sorted by key; of rows with equal keys the last one given wins.</summary>
    public static List<T> SortedUnique<T>(IEnumerable<T> rows, Comparison<T> compare)
    {
        var list = rows.Select((r, i) => (Row: r, Order: i)).ToList();
        list.Sort((x, y) => { int c = compare(x.Row, y.Row); return c != 0 ? c : x.Order.CompareTo(y.Order); });
        var result = new List<T>(list.Count);
        foreach (var (row, _) in list)
        {
            if (result.Count > 0 && compare(result[^1], row) == 0) result[^1] = row;
            else result.Add(row);
        }
        return result;
    }

    /// <summary>
    /// Stored rows merged with new ones, sorted by key: a new row replaces the stored row with the same key.
    /// <paramref name="replaced"/> counts the stored rows replaced.
    /// </summary>
    public static List<T> Merge<T>(IReadOnlyList<T> stored, IEnumerable<T> added, Comparison<T> compare, out int replaced)
    {
        var old = IsSorted(stored, compare, strictly: true) ? stored : SortedUnique(stored, compare);
        var add = SortedUnique(added, compare);
        var result = new List<T>(old.Count + add.Count);
        replaced = 0;
        int i = 0, j = 0;
        while (i < old.Count || j < add.Count)
        {
            if (j == add.Count) result.Add(old[i++]);
            else if (i == old.Count) result.Add(add[j++]);
            else
            {
                int c = compare(old[i], add[j]);
                if (c < 0) result.Add(old[i++]);
                else if (c > 0) result.Add(add[j++]);
                else { result.Add(add[j++]); i++; replaced++; }
            }
        }
        return result;
    }

    /// <summary>
    /// Stored reports merged with new ones of each source, sorted by key: a new row overlays its source's figures
    /// (<paramref name="added"/>: rows and the part they carry) onto the stored report with the same key, keeping the
    /// other sources' figures; a key not stored yet starts from an empty report. <paramref name="replaced"/> counts
    /// the stored reports changed.
    /// </summary>
    public static List<FinancialReport> MergeReports(IReadOnlyList<FinancialReport> stored,
        IEnumerable<(IReadOnlyList<FinancialReport> Rows, ReportParts Part)> added, out int replaced)
    {
        var map = new SortedDictionary<(int, int, int), (FinancialReport Report, bool Stored)>();
        foreach (var r in stored) map[Key(r)] = (r, true);
        var changed = new HashSet<(int, int, int)>();
        foreach (var (rows, part) in added)
            foreach (var r in rows)
            {
                var key = Key(r);
                if (map.TryGetValue(key, out var old))
                {
                    map[key] = (old.Report.Overlay(r, part), old.Stored);
                    if (old.Stored) changed.Add(key);
                }
                else map[key] = (FinancialReport.Empty(r.Symbol, r.AnnDate, r.EndDate).Overlay(r, part), false);
            }
        replaced = changed.Count;
        return map.Values.Select(v => v.Report).ToList();

        static (int, int, int) Key(FinancialReport r) => (r.Symbol.Packed, r.AnnDate.DayNumber, r.EndDate.DayNumber);
    }
}
