using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog;
using Trading.Data.Import;
using Trading.Data.Model;
using Trading.Data.Store;

namespace Trading.Data.TuShare;

/// <summary>What to fetch and how to import it.</summary>
public sealed record TuShareFetchOptions
{
    /// <summary>First day to fetch (null: the day after what the store holds, per dataset).</summary>
    public DateOnly? From { get; init; }
    /// <summary>Last day (null: today in Shanghai).</summary>
    public DateOnly? To { get; init; }
    public IReadOnlyList<TuShareDataset> What { get; init; } = TuShareDataset.Default;
    /// <summary>Index series fetched (besides those the store already holds).</summary>
    public IReadOnlyList<string> IndexCodes { get; init; } = ["000300.SH"];
    /// <summary>The import's settings (strict, lock, future dates, progress of the import itself).</summary>
    public ImportOptions Import { get; init; } = new();
    public IProgress<TuShareFetchProgress>? Progress { get; init; }
    /// <summary>Rows asked for per call when fewer than the API's cap (an account with lower caps; tests of the paging).</summary>
    public int? PageSize { get; init; }
}

/// <summary>Calls done of those planned so far (pages beyond the first add to both), and the dataset being fetched.</summary>
public readonly record struct TuShareFetchProgress(string Dataset, int Done, int Planned);

public sealed record TuShareFetchResult(int Calls, int Retries, TimeSpan Elapsed, IReadOnlyDictionary<string, int> Rows, IReadOnlyList<DateOnly> TradeDays)
{
    /// <summary>The import of the fetched rows, or null when TuShare had nothing new (nothing was written).</summary>
    public ImportResult? Import { get; init; }
    public int TotalRows => Rows.Values.Sum();
}

/// <summary>
/// Refreshes a store from TuShare: works out from the store what is missing (per dataset: the day after its last
/// stored day, unless <see cref="TuShareFetchOptions.From"/>), asks trade_cal for the open days in between, fetches
/// every dataset page by page (one trade date per call for the daily datasets, which also keeps each call under its
/// row cap; limit/offset paging wherever a call may reach its cap), writes the answers as the TuShare CSV files the
/// import reads, and imports them through <see cref="DataImporter.ImportAsync"/> — the same validation, enrichment
/// and atomic version swap as <c>trading data import --format tushare</c>, no second path. That includes the
/// statements (income, balancesheet: overlaid on the point-in-time reports) and suspend_d (not stored: the import
/// checks the bars against it and reports disagreements as warnings).
/// <para>
/// The whole fetch is <b>one</b> atomic import: adj_factor and stk_limit rows only join the daily bars of the same
/// import, and a store holding a day's bars without their factors or limits would be worse than yesterday's store.
/// Any failed call (an error code, retries used up, a malformed page) fails the fetch before the import starts:
/// nothing is written. Fetched answers are kept in a temporary folder until the import ends, then deleted.
/// </para>
/// </summary>
public sealed class TuShareFetcher(TuShareClient client)
{
    private static readonly ILogger Log = Serilog.Log.ForContext<TuShareFetcher>();
    private int _done, _planned;

    public async Task<TuShareFetchResult> FetchAsync(string storeDir, TuShareFetchOptions options, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        _progress = options.Progress;
        _pageSize = options.PageSize;
        int calls0 = client.Calls, retries0 = client.Retries;
        var today = options.Import.Today ?? DataImporter.ShanghaiToday();
        var to = options.To ?? today;
        if (options.From is { } f && f > to) throw new TuShareSetupException($"--from {f:yyyy-MM-dd} is after --to {to:yyyy-MM-dd}.");
        var held = await StoreState.ReadAsync(storeDir, ct);
        var what = options.What;

        // Where each dataset starts: --from, or the day after what the store holds of it.
        DateOnly Start(DateOnly? last) => options.From ?? (last is { } l ? l.AddDays(1)
            : held.LastBarDay is { } b ? b.AddDays(1)
            : throw new TuShareSetupException($"the store '{Text.Printable.Escape(storeDir)}' holds no data yet: give --from (the first day to fetch)."));
        var starts = new Dictionary<TuShareDataset, DateOnly>();
        foreach (var d in what.Where(d => d.Plan != FetchPlan.Whole)) // reference data is fetched whole, without dates
            starts[d] = d == TuShareDataset.DailyBasic ? Start(held.LastValuationDay)
                : d == TuShareDataset.FinaIndicator ? Start(held.LastAnnouncement(ReportParts.Indicators))
                : d == TuShareDataset.Income ? Start(held.LastAnnouncement(ReportParts.Income))
                : d == TuShareDataset.BalanceSheet ? Start(held.LastAnnouncement(ReportParts.BalanceSheet))
                : Start(held.LastBarDay);
        var indexCodes = options.IndexCodes.Concat(held.IndexLast.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        var staging = Path.Combine(Path.GetTempPath(), $"trading-tushare-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..48]);
        Directory.CreateDirectory(staging);
        try
        {
            var first = starts.Count == 0 ? to.AddDays(1) : starts.Values.Min();
            var days = first > to ? [] : await TradeDaysAsync(first, to, ct);
            _planned = 1 + what.Sum(d => d.Plan switch
            {
                FetchPlan.PerTradeDate => days.Count(x => x >= starts.GetValueOrDefault(d, to)),
                FetchPlan.PerIndexCode => indexCodes.Count,
                FetchPlan.PerStock => held.Symbols.Count,
                _ => d == TuShareDataset.StockBasic ? 3 : 1,
            });
            _done = 1;
            var symbols = new SortedSet<string>(held.Symbols, StringComparer.Ordinal);
            var listed = new Dictionary<string, DateOnly>(held.ListDates, StringComparer.Ordinal);
            foreach (var d in what)
            {
                var start = starts.GetValueOrDefault(d, to);
                if (d.Plan != FetchPlan.Whole && start > to) continue;
                using var output = new CsvOutput(Path.Combine(staging, d.FileName), d.FieldList);
                switch (d.Plan)
                {
                    case FetchPlan.PerTradeDate:
                        DateOnly? emptyDay = null;
                        foreach (var day in days.Where(x => x >= start))
                        {
                            int before = output.Rows;
                            var asked = Ymd(day);
                            int dateColumn = output.Column("trade_date");
                            await PagesAsync(d, new() { ["trade_date"] = asked }, output, ct, keep: row => row[dateColumn] == asked
                                ? true
                                : throw new TuShareException(TuShareFailure.Malformed, d.Name, null,
                                    $"TuShare answered '{d.Name}' for {day:yyyy-MM-dd} with a row of '{Text.Printable.Escape(row[dateColumn])}'; nothing was stored"));
                            // An open day without rows is a day not yet published (today before 17:00): only the last
                            // days may be. Rows after such a day mean a bad answer, and the incremental fetch would
                            // never ask for that day again.
                            if (output.Rows == before) emptyDay ??= day;
                            else if (emptyDay is { } gap && d == TuShareDataset.Daily)
                                throw new TuShareException(TuShareFailure.Malformed, d.Name, null,
                                    $"TuShare answered '{d.Name}' with no rows for the open day {gap:yyyy-MM-dd} but with rows for {day:yyyy-MM-dd}; nothing was stored");
                        }
                        break;
                    case FetchPlan.PerIndexCode:
                        foreach (var code in indexCodes)
                        {
                            var from = options.From ?? (held.IndexLast.TryGetValue(code, out var last) ? last.AddDays(1) : start);
                            if (from > to) { Step(d); continue; }
                            await PagesAsync(d, new() { ["ts_code"] = code, ["start_date"] = Ymd(from), ["end_date"] = Ymd(to) }, output, ct);
                        }
                        break;
                    case FetchPlan.PerStock when d != TuShareDataset.FinaIndicator:
                        // income and balancesheet take one ts_code a call too, but their start_date/end_date are
                        // announcement dates (doc 33, 36), not periods. Asked 18 months before the start, as the
                        // kept date (f_ann_date, the actual announcement) need not be the one TuShare filters on;
                        // consolidated statements only (report_type 1); kept by f_ann_date, else ann_date.
                        int ann = output.Column("ann_date"), fAnn = output.Column("f_ann_date");
                        foreach (var code in symbols.ToList())
                        {
                            var query = new Dictionary<string, string> { ["ts_code"] = code, ["end_date"] = Ymd(to), ["report_type"] = "1" };
                            if (listed.TryGetValue(code, out var listDate) && listDate < start.AddMonths(-1)) query["start_date"] = Ymd(start.AddMonths(-18));
                            await PagesAsync(d, query, output, ct, keep: row => AnnouncedBetween(row, row[fAnn].Length > 0 ? fAnn : ann, start, to));
                        }
                        break;
                    case FetchPlan.PerStock:
                        // fina_indicator takes one ts_code a call. Asked by report period — 18 months back covers an
                        // annual report announced by April and most late restatements; a stock listed since (or of
                        // unknown listing) gets its whole history, as its prospectus announces years of periods at
                        // once — and kept by announcement date: point in time, a report is usable from its ann_date.
                        foreach (var code in symbols.ToList())
                        {
                            var query = new Dictionary<string, string> { ["ts_code"] = code, ["end_date"] = Ymd(to) };
                            if (listed.TryGetValue(code, out var listDate) && listDate < start.AddMonths(-1)) query["start_date"] = Ymd(start.AddMonths(-18));
                            await PagesAsync(d, query, output, ct, keep: row => AnnouncedBetween(row, output.Column("ann_date"), start, to));
                        }
                        break;
                    default:
                        if (d == TuShareDataset.StockBasic)
                        {
                            // Listed, delisted and paused: delisted stocks' names and dates matter to history.
                            foreach (var status in new[] { "L", "D", "P" })
                                await PagesAsync(d, new() { ["list_status"] = status }, output, ct, keep: row =>
                                {
                                    symbols.Add(row[0]);
                                    if (DateOnly.TryParseExact(row[4], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var l)) listed[row[0]] = l;
                                    return true;
                                });
                        }
                        else
                        {
                            // The whole history, never a date window: the import rebuilds a symbol's ST spells from the
                            // namechange rows it is given, so a partial history would erase older spells.
                            await PagesAsync(d, [], output, ct);
                        }
                        break;
                }
                rows[d.Name] = output.Rows;
                Log.Information("TuShare {Dataset}: {Rows} rows", d.Name, output.Rows);
            }

            var result = new TuShareFetchResult(client.Calls - calls0, client.Retries - retries0, clock.Elapsed, rows, days);
            if (rows.Values.Sum() == 0)
            {
                Log.Information("TuShare had nothing new for {Store} up to {To}: {Calls} calls, nothing written", storeDir, to, result.Calls);
                return result;
            }
            var import = await DataImporter.ImportAsync(SourceFormat.TuShare, staging, storeDir, options.Import, ct);
            return result with { Import = import, Elapsed = clock.Elapsed };
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); }
            catch (IOException e) { Log.Warning("Could not delete the fetch's temporary folder {Folder}: {Error}", staging, e.Message); }
        }
    }

    private static bool AnnouncedBetween(string[] row, int column, DateOnly from, DateOnly to) =>
        column >= 0 && DateOnly.TryParseExact(row[column], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var ann)
            ? ann >= from && ann <= to
            : true; // unreadable: the import reports it with file and line

    private async Task<List<DateOnly>> TradeDaysAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        var d = TuShareDataset.TradeCal;
        var days = new List<DateOnly>();
        _planned = 1;
        int offset = 0;
        while (true)
        {
            var page = await client.QueryAsync(d.Name, new Dictionary<string, string>
            {
                ["exchange"] = "SSE", ["start_date"] = Ymd(from), ["end_date"] = Ymd(to), ["is_open"] = "1",
                ["limit"] = d.RowCap.ToString(CultureInfo.InvariantCulture), ["offset"] = offset.ToString(CultureInfo.InvariantCulture),
            }, d.Fields, ct);
            int date = Require(page, d, "cal_date"), open = Require(page, d, "is_open");
            foreach (var row in page.Rows)
            {
                if (!DateOnly.TryParseExact(row[date], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    throw new TuShareException(TuShareFailure.Malformed, d.Name, null, $"TuShare's trade_cal holds the date '{Text.Printable.Escape(row[date])}', not YYYYMMDD; nothing was stored");
                if (row[open] == "1" && day >= from && day <= to) days.Add(day);
            }
            if (page.Rows.Count < d.RowCap) break;
            offset += page.Rows.Count;
        }
        days.Sort();
        return days.Distinct().ToList();
    }

    /// <summary>Every page of one call (limit/offset until a page comes back short), appended to <paramref name="output"/>.</summary>
    private async Task PagesAsync(TuShareDataset d, Dictionary<string, string> parameters, CsvOutput output, CancellationToken ct, Func<string[], bool>? keep = null)
    {
        int offset = 0, cap = Math.Min(d.RowCap, Math.Max(1, _pageSize ?? d.RowCap));
        while (true)
        {
            var query = new Dictionary<string, string>(parameters)
            {
                ["limit"] = cap.ToString(CultureInfo.InvariantCulture), ["offset"] = offset.ToString(CultureInfo.InvariantCulture),
            };
            var page = await client.QueryAsync(d.Name, query, d.Fields, ct);
            if (page.Rows.Count > cap)
                throw new TuShareException(TuShareFailure.Malformed, d.Name, null, $"TuShare's answer to '{d.Name}' holds {page.Rows.Count} rows, more than the {cap} asked for; nothing was stored");
            if (page.Rows.Count > 0)
            {
                foreach (var field in d.FieldList) Require(page, d, field);
                output.Append(page, keep);
            }
            if (page.Rows.Count < cap) break;
            offset += page.Rows.Count;
            _planned++;
            Step(d);
        }
        Step(d);
    }

    private void Step(TuShareDataset d)
    {
        _done++;
        _planned = Math.Max(_planned, _done);
        _progress?.Report(new TuShareFetchProgress(d.Name, _done, _planned));
    }

    private IProgress<TuShareFetchProgress>? _progress;
    private int? _pageSize;

    private static int Require(TuShareTable page, TuShareDataset d, string field)
    {
        int i = page.Column(field);
        if (i < 0)
            throw new TuShareException(TuShareFailure.Malformed, d.Name, null,
                $"TuShare's answer to '{d.Name}' lacks the field '{field}' (fields: {Text.Printable.Escape(string.Join(",", page.Fields))}); nothing was stored");
        return i;
    }

    internal static string Ymd(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>One dataset's CSV file in the staging folder, written only once it has a row.</summary>
    private sealed class CsvOutput(string path, IReadOnlyList<string> fields) : IDisposable
    {
        private StreamWriter? _writer;
        public int Rows { get; private set; }

        public int Column(string field)
        {
            for (int i = 0; i < fields.Count; i++) if (fields[i] == field) return i;
            return -1;
        }

        public void Append(TuShareTable page, Func<string[], bool>? keep)
        {
            var table = page;
            if (keep is not null)
            {
                // keep sees rows in this file's field order.
                var index = fields.Select(page.Column).ToArray();
                var kept = page.Rows.Select(r => index.Select(i => r[i]).ToArray()).Where(keep).ToList();
                table = new TuShareTable(fields, kept);
            }
            if (table.Rows.Count == 0) return;
            if (_writer is null)
            {
                _writer = new StreamWriter(path, false, new UTF8Encoding(false));
                _writer.WriteLine(string.Join(",", fields));
            }
            TuShareProtocol.WriteCsvRows(_writer, table, fields);
            Rows += table.Rows.Count;
        }

        public void Dispose() => _writer?.Dispose();
    }

    /// <summary>What the store holds, for an incremental fetch.</summary>
    private sealed record StoreState(DateOnly? LastBarDay, DateOnly? LastValuationDay, IReadOnlyList<FinancialReport> Reports,
        IReadOnlyDictionary<string, DateOnly> IndexLast, IReadOnlyList<string> Symbols, IReadOnlyDictionary<string, DateOnly> ListDates)
    {
        /// <summary>The last announcement held of one source (per source: income asked for the first time does not start after fina_indicator's last announcement).</summary>
        public DateOnly? LastAnnouncement(ReportParts part)
        {
            DateOnly? last = null;
            foreach (var r in Reports) if (r.Carries(part) && (last is null || r.AnnDate > last)) last = r.AnnDate;
            return last;
        }

        public static async Task<StoreState> ReadAsync(string dir, CancellationToken ct)
        {
            if (!MarketStore.Exists(dir)) return new StoreState(null, null, [], new Dictionary<string, DateOnly>(), [], new Dictionary<string, DateOnly>());
            var store = MarketStore.Open(dir);
            var m = store.Manifest;
            DateOnly? lastBar = m.Days.Length > 0 ? DateOnly.FromDayNumber(m.Days[^1]) : null;
            DateOnly? lastValuation = null;
            if (m.Valuations > 0) lastValuation = (await store.ReadValuationsAsync(ct)).Max(v => v.Date);
            IReadOnlyList<FinancialReport> reports = m.FinancialReports > 0 ? await store.ReadFinancialsAsync(ct) : [];
            var index = (await store.ReadIndexAsync(ct)).GroupBy(b => b.Code).ToDictionary(g => g.Key, g => g.Max(b => b.Date), StringComparer.Ordinal);
            var stocks = await store.ReadStocksAsync(ct);
            var listDates = stocks.Where(s => s.ListDate is not null).ToDictionary(s => s.Symbol.ToString(), s => s.ListDate!.Value, StringComparer.Ordinal);
            return new StoreState(lastBar, lastValuation, reports, index, stocks.Select(s => s.Symbol.ToString()).ToList(), listDates);
        }
    }
}
