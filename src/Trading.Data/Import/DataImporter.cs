using Serilog;
using Trading.Data.Enrichment;
using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Import;

public sealed record ImportOptions
{
    /// <summary>Reject the whole input on any error (nothing is written); otherwise bad rows are skipped and reported.</summary>
    public bool Strict { get; init; }
    public MarketRules Rules { get; init; } = MarketRules.Default;
    /// <summary>Test hook: runs after the new version is written and before it becomes current.</summary>
    public Action? BeforeSwap { get; init; }
    public IProgress<string>? Progress { get; init; }
}

public sealed record ImportResult(ImportReport Report, bool Written, MarketStore? Store, int ReplacedBars)
{
    /// <summary>Stored valuations replaced by new rows with the same (symbol, date).</summary>
    public int ReplacedValuations { get; init; }
    /// <summary>Stored reports replaced by new rows with the same (symbol, ann_date, end_date).</summary>
    public int ReplacedFinancials { get; init; }
}

/// <summary>
/// Reads an input (TuShare files or the generic long CSV), validates every row, enriches the bars (pre_close,
/// factors, ST, limits) and, for an import, merges them into the store: new rows replace stored rows with the same
/// (symbol, date), everything else is kept; likewise valuations (daily_basic) by (symbol, date) and financial
/// reports (fina_indicator) by (symbol, ann_date, end_date). The store is only ever changed by an atomic swap to a
/// complete new version.
/// </summary>
public static class DataImporter
{
    private static readonly ILogger Log = Serilog.Log.ForContext(typeof(DataImporter));

    /// <summary>Reads and validates an input without touching any store.</summary>
    public static ImportBatch Read(SourceFormat format, string input, IProgress<string>? progress = null)
    {
        var batch = new ImportBatch();
        var files = InputFiles.Discover(input);
        batch.Files.AddRange(files);
        var kinds = new InputKind[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            using var text = InputFiles.Open(files[i]);
            var header = (text.ReadLine() ?? "").Split(',').Select(InputFiles.NormalizeHeader).ToHashSet();
            kinds[i] = InputFiles.Classify(format, files[i], header);
            if (kinds[i] == InputKind.Unknown)
                batch.Report.Add(new ImportIssue(IssueSeverity.Error, IssueKind.UnreadableFile, Path.GetFileName(files[i]), 1, null,
                    format == SourceFormat.Csv
                        ? "not a generic bar file: expected columns date,symbol,open,high,low,close,volume,amount[,adj_factor]"
                        : "not a known TuShare file: expected daily, adj_factor, stock_basic, index_daily (file name index*), namechange, stk_limit, daily_basic or fina_indicator columns"));
        }

        var adjFactors = new Dictionary<(int, int), double>();
        for (int i = 0; i < files.Count; i++)
            if (kinds[i] == InputKind.TuShareAdjFactor) ReferenceFileReaders.ReadAdjFactors(batch, files[i], adjFactors);

        var seen = new Dictionary<(int, int), (string, long)>();
        var seenValuations = new Dictionary<(int, int), (string, long)>();
        var latestReports = new Dictionary<(int, int, int), (int, int)>();
        for (int i = 0; i < files.Count; i++)
        {
            progress?.Report(Path.GetFileName(files[i]));
            switch (kinds[i])
            {
                case InputKind.TuShareDaily: new BarFileReader(batch, BarColumns.TuShare, adjFactors, seen).Read(files[i], i); break;
                case InputKind.GenericBars: new BarFileReader(batch, BarColumns.Generic, adjFactors, seen).Read(files[i], i); break;
                case InputKind.TuShareStockBasic: ReferenceFileReaders.ReadStockBasic(batch, files[i]); break;
                case InputKind.TuShareIndexDaily: ReferenceFileReaders.ReadIndexDaily(batch, files[i]); break;
                case InputKind.TuShareNameChange: ReferenceFileReaders.ReadNameChanges(batch, files[i]); break;
                case InputKind.TuShareStkLimit: ReferenceFileReaders.ReadStkLimits(batch, files[i]); break;
                case InputKind.TuShareDailyBasic: ReferenceFileReaders.ReadDailyBasic(batch, files[i], seenValuations); break;
                case InputKind.TuShareFinaIndicator: ReferenceFileReaders.ReadFinaIndicator(batch, files[i], latestReports); break;
            }
        }
        return batch;
    }

    /// <summary>Validates an input as an import would, including the checks that need whole symbol histories; writes nothing.</summary>
    public static ImportReport Validate(SourceFormat format, string input, MarketRules? rules = null)
    {
        var batch = Read(format, input);
        var stocks = MergeStocks([], batch);
        var bars = batch.Bars;
        bars.SortAndDeduplicate();
        AddFindings(batch, BarEnricher.Enrich(bars, stocks, rules ?? MarketRules.Default, batch.PublishedLimits));
        return batch.Report;
    }

    public static async Task<ImportResult> ImportAsync(SourceFormat format, string input, string storeDir, ImportOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ImportOptions();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batch = Read(format, input, options.Progress);
        Log.Debug("Read {Rows} rows from {Input} in {Ms} ms", batch.Report.RowsRead, input, clock.ElapsedMilliseconds);
        if (options.Strict && batch.Report.HasErrors)
        {
            Log.Warning("Strict import of {Input} rejected: {Errors} errors; store {Store} unchanged", input, batch.Report.ErrorCount, storeDir);
            return new ImportResult(batch.Report, false, null, 0);
        }

        options.Progress?.Report("merging with the store");
        BarTable merged;
        Dictionary<Symbol, StockInfo> stocks;
        var index = new List<IndexBar>();
        var sources = new List<string>();
        int replaced;
        IReadOnlyList<Valuation> storedValuations = [];
        IReadOnlyList<FinancialReport> storedReports = [];
        MarketStore? previous = null;
        if (MarketStore.Exists(storeDir))
        {
            var old = previous = MarketStore.Open(storeDir);
            var oldBars = await old.ReadBarsAsync(ct);
            stocks = MergeStocks(await old.ReadStocksAsync(ct), batch);
            index = MergeIndex(await old.ReadIndexAsync(ct), batch.IndexBars);
            // Only read what this batch changes; otherwise the stored files are copied as they are.
            if (batch.Valuations.Count > 0) storedValuations = await old.ReadValuationsAsync(ct);
            if (batch.Financials.Count > 0) storedReports = await old.ReadFinancialsAsync(ct);
            sources.AddRange(old.Manifest.Sources);
            merged = BarTable.Concat(oldBars, batch.Bars);
        }
        else
        {
            stocks = MergeStocks([], batch);
            index = MergeIndex([], batch.IndexBars);
            merged = batch.Bars;
        }
        replaced = merged.SortAndDeduplicate();
        Log.Debug("Merged to {Bars} bars at {Ms} ms", merged.Count, clock.ElapsedMilliseconds);

        options.Progress?.Report("enriching bars (pre-close, ST, limits)");
        AddFindings(batch, BarEnricher.Enrich(merged, stocks, options.Rules, batch.PublishedLimits));
        Log.Debug("Enriched at {Ms} ms", clock.ElapsedMilliseconds);
        if (options.Strict && batch.Report.HasErrors)
            return new ImportResult(batch.Report, false, null, 0);

        // Fundamentals: new rows replace stored rows with the same key; untouched kinds are carried over as stored.
        int replacedValuations = 0, replacedReports = 0;
        List<Valuation>? valuations = batch.Valuations.Count == 0 ? null
            : FundamentalsOrder.Merge(storedValuations, batch.Valuations, FundamentalsOrder.Compare, out replacedValuations);
        List<FinancialReport>? reports = batch.Financials.Count == 0 ? null
            : FundamentalsOrder.Merge(storedReports, batch.Financials, FundamentalsOrder.Compare, out replacedReports);

        options.Progress?.Report("writing the new store version");
        sources.Add($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {format.ToString().ToLowerInvariant()} {Path.GetFullPath(input)}");
        var store = await MarketStore.WriteCoreAsync(storeDir, merged, stocks.Values, index, valuations, reports, previous, sources, options.BeforeSwap, ct);
        Log.Debug("Written at {Ms} ms", clock.ElapsedMilliseconds);
        Log.Information("Imported {Accepted} of {Read} rows from {Input} into {Store} version {Version} ({Bars} bars, {Replaced} replaced, {Valuations} valuations, {Reports} financial reports, {Errors} errors, {Warnings} warnings)",
            batch.Report.RowsAccepted, batch.Report.RowsRead, input, storeDir, store.Manifest.Version, store.Manifest.Bars, replaced,
            store.Manifest.Valuations, store.Manifest.FinancialReports, batch.Report.ErrorCount, batch.Report.WarningCount);
        return new ImportResult(batch.Report, true, store, replaced) { ReplacedValuations = replacedValuations, ReplacedFinancials = replacedReports };
    }

    private static void AddFindings(ImportBatch batch, List<RowFinding> findings)
    {
        foreach (var f in findings)
        {
            if (f.Tag < 0) continue; // about rows already in the store: reported when they were imported
            var (file, line) = batch.Origin(f.Tag);
            batch.Report.Add(new ImportIssue(IssueSeverity.Warning, f.Kind, file, line, f.Column, f.Message, f.Symbol.ToString(), f.Date));
        }
    }

    /// <summary>Stored reference data updated by the batch; namechange rows turn into exact ST spells.</summary>
    private static Dictionary<Symbol, StockInfo> MergeStocks(IEnumerable<StockInfo> stored, ImportBatch batch)
    {
        var stocks = stored.ToDictionary(s => s.Symbol);
        foreach (var s in batch.Stocks)
        {
            // Keep exact ST history already known unless this batch brings its own.
            stocks[s.Symbol] = stocks.TryGetValue(s.Symbol, out var old) && old.StSource is StSource.NameChange or StSource.Synthetic
                ? s with { StSpells = old.StSpells, StSource = old.StSource }
                : s;
        }
        foreach (var g in batch.NameChanges.GroupBy(n => n.Symbol))
        {
            var spells = g.Where(n => StockInfo.NameIsSt(n.Name)).OrderBy(n => n.Start).Select(n => new DateSpan(n.Start, n.End)).ToList();
            var info = stocks.TryGetValue(g.Key, out var s) ? s : new StockInfo(g.Key, g.OrderBy(n => n.Start).Last().Name, "", null, null, []);
            stocks[g.Key] = info with { StSpells = spells, StSource = StSource.NameChange };
        }
        return stocks;
    }

    private static List<IndexBar> MergeIndex(IEnumerable<IndexBar> stored, IEnumerable<IndexBar> added)
    {
        var map = new SortedDictionary<(string, DateOnly), IndexBar>();
        foreach (var b in stored) map[(b.Code, b.Date)] = b;
        foreach (var b in added) map[(b.Code, b.Date)] = b;
        return [.. map.Values];
    }
}
