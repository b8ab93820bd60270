using System.Globalization;
using Parquet;
using Parquet.Schema;
using Trading.Data.Model;
using Trading.Data.Text;
using Trading.Domain.Instruments;

namespace Trading.Data.Store;

/// <summary>
/// The embedded columnar store: a folder of immutable versions (<c>v000001/</c>, …), each a set of Parquet files
/// (bars, stocks, index, valuations, financials) and a manifest, and a <c>CURRENT</c> file naming the live version. A write builds a new
/// version beside the old one, syncs it to disk, then swaps <c>CURRENT</c> with an atomic rename: a reader or a
/// crash sees the old store or the new one, never a mixture. Older versions are removed after the swap (the
/// previous one is kept). Versions written before valuations and financials existed lack those files: they read as
/// empty.
/// </summary>
public sealed class MarketStore
{
    public const string CurrentFile = "CURRENT";
    private const string BarsFile = "bars.parquet";
    private const string StocksFile = "stocks.parquet";
    private const string IndexFile = "index.parquet";
    private const string ValuationsFile = "valuations.parquet";
    private const string FinancialsFile = "financials.parquet";
    private const string ManifestFile = "manifest.json";
    private const int RowGroupSize = 1 << 20;

    private MarketStore(string root, string versionDir, StoreManifest manifest)
    {
        Root = root;
        VersionDirectory = versionDir;
        Manifest = manifest;
    }

    public string Root { get; }
    public string VersionDirectory { get; }
    public StoreManifest Manifest { get; }

    /// <summary>
    /// What names this version's data for caches of values derived from it (factor panels): its folder and manifest.
    /// A version is never changed once written (an import writes a new one), and a store made again in the same place
    /// has a new manifest (creation time, counts), so equal identities mean equal data; cheap, unlike
    /// <see cref="StoreFingerprint"/>, which reads every byte.
    /// </summary>
    public string CacheIdentity => _cacheIdentity ??= Path.GetFullPath(VersionDirectory) + "\n" + Manifest.ToJson();

    private string? _cacheIdentity;

    public static bool Exists(string root) => File.Exists(Path.Combine(root, CurrentFile));

    /// <summary>Test hook: runs after <see cref="Open"/> has read CURRENT, with the store root and the version named.</summary>
    internal static Action<string, string>? AfterReadingCurrent;

    /// <summary>
    /// Opens the current version. Writers keep the previous version and remove older ones, so a version named by
    /// CURRENT can vanish under a reader that is slower than two writes: then CURRENT is read again (a few times).
    /// A corrupt CURRENT or manifest is a <see cref="StoreException"/> naming the file.
    /// </summary>
    public static MarketStore Open(string root)
    {
        var current = Path.Combine(root, CurrentFile);
        for (int attempt = 1; ; attempt++)
        {
            var version = ReadCurrent(root, current);
            AfterReadingCurrent?.Invoke(root, version);
            var dir = Path.Combine(root, version);
            var manifestPath = Path.Combine(dir, ManifestFile);
            string json;
            try
            {
                json = File.ReadAllText(manifestPath);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                if (attempt < 5 && ReadCurrent(root, current) != version) continue; // a writer moved on: follow it
                throw new StoreException($"Store '{Printable.Escape(root)}' names version '{version}' but '{Printable.Escape(manifestPath)}' is missing.");
            }
            return new MarketStore(Path.GetFullPath(root), dir, StoreManifest.FromJson(json, manifestPath));
        }
    }

    private static string ReadCurrent(string root, string current)
    {
        string text;
        try
        {
            if (!File.Exists(current))
                throw new StoreException($"No store at '{Printable.Escape(root)}' (no {CurrentFile} file); import data first with 'trading data import'.");
            text = File.ReadAllText(current).Trim();
        }
        catch (Exception e) when (e is IOException && e is not FileNotFoundException)
        {
            throw new StoreException($"{Printable.Escape(current)}: cannot read the store's current version ({e.Message}).");
        }
        if (!IsVersionName(text))
            throw new StoreException($"{Printable.Escape(current)}: expected a version name such as v000001, found '{Printable.Escape(text.Length > 40 ? text[..40] + "…" : text)}'; the store is damaged.");
        return text;
    }

    private static bool IsVersionName(string name) =>
        name.Length == 7 && name[0] == 'v' && name.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;

    // ---- schema ----
    private static readonly DataField<int> FSymbol = new("symbol"), FDate = new("date"), FOpen = new("open"), FHigh = new("high"),
        FLow = new("low"), FClose = new("close"), FPreClose = new("pre_close"), FUp = new("up_limit"), FDown = new("down_limit");
    private static readonly DataField<long> FVolume = new("volume");
    private static readonly DataField<double> FAmount = new("amount"), FAdj = new("adj_factor");
    private static readonly DataField<int> FFlags = new("flags");
    private static readonly ParquetSchema BarSchema = new(FSymbol, FDate, FOpen, FHigh, FLow, FClose, FPreClose, FVolume, FAmount, FAdj, FFlags, FUp, FDown);

    private static readonly DataField<string> SSymbol = new("symbol"), SName = new("name"), SIndustry = new("industry"), SArea = new("area"), SSpells = new("st_spells");
    private static readonly DataField<int?> SList = new("list_date"), SDelist = new("delist_date");
    private static readonly DataField<int> SStSource = new("st_source");
    private static readonly ParquetSchema StockSchema = new(SSymbol, SName, SIndustry, SArea, SList, SDelist, SSpells, SStSource);

    private static readonly DataField<string> ICode = new("code");
    private static readonly DataField<int> IDate = new("date");
    private static readonly DataField<double> IOpen = new("open"), IHigh = new("high"), ILow = new("low"), IClose = new("close"), IVol = new("volume"), IAmt = new("amount");
    private static readonly ParquetSchema IndexSchema = new(ICode, IDate, IOpen, IHigh, ILow, IClose, IVol, IAmt);

    private static readonly DataField<int> VSymbol = new("symbol"), VDate = new("date");
    private static readonly DataField<double> VTotalShares = new("total_share"), VFloatShares = new("float_share"), VTotalMv = new("total_mv"),
        VCircMv = new("circ_mv"), VPe = new("pe_ttm"), VPb = new("pb"), VTurnover = new("turnover_rate");
    private static readonly ParquetSchema ValuationSchema = new(VSymbol, VDate, VTotalShares, VFloatShares, VTotalMv, VCircMv, VPe, VPb, VTurnover);

    private static readonly DataField<int> FinSymbol = new("symbol"), FinAnn = new("ann_date"), FinEnd = new("end_date");
    private static readonly DataField<double> FinRoe = new("roe"), FinProfitYoY = new("netprofit_yoy"), FinRevenueYoY = new("or_yoy"),
        FinEps = new("eps"), FinBps = new("bps");
    // income and balancesheet figures, added after the first stores were written: a financials file without them
    // (an older version) reads them as NaN — never given — so old stores open unchanged and a new import fills them.
    private static readonly (DataField<double> Field, Func<FinancialReport, double> Get, Func<FinancialReport, double, FinancialReport> Set)[] FinStatementFields =
    [
        (new("basic_eps"), r => r.BasicEps, (r, v) => r with { BasicEps = v }),
        (new("total_revenue"), r => r.TotalRevenue, (r, v) => r with { TotalRevenue = v }),
        (new("revenue"), r => r.Revenue, (r, v) => r with { Revenue = v }),
        (new("operate_profit"), r => r.OperatingProfit, (r, v) => r with { OperatingProfit = v }),
        (new("total_profit"), r => r.TotalProfit, (r, v) => r with { TotalProfit = v }),
        (new("n_income"), r => r.NetIncome, (r, v) => r with { NetIncome = v }),
        (new("n_income_attr_p"), r => r.NetIncomeToParent, (r, v) => r with { NetIncomeToParent = v }),
        (new("total_assets"), r => r.TotalAssets, (r, v) => r with { TotalAssets = v }),
        (new("total_liab"), r => r.TotalLiabilities, (r, v) => r with { TotalLiabilities = v }),
        (new("total_hldr_eqy_exc_min_int"), r => r.ParentEquity, (r, v) => r with { ParentEquity = v }),
        (new("total_cur_assets"), r => r.CurrentAssets, (r, v) => r with { CurrentAssets = v }),
        (new("total_cur_liab"), r => r.CurrentLiabilities, (r, v) => r with { CurrentLiabilities = v }),
        (new("money_cap"), r => r.Cash, (r, v) => r with { Cash = v }),
    ];
    private static readonly ParquetSchema FinancialSchema = new([FinSymbol, FinAnn, FinEnd, FinRoe, FinProfitYoY, FinRevenueYoY, FinEps, FinBps,
        .. FinStatementFields.Select(f => (Field)f.Field)]);

    private static ParquetOptions Options => new() { CompressionMethod = CompressionMethod.Snappy };

    /// <summary>
    /// Writes a new version with these contents and makes it current. <paramref name="beforeSwap"/> runs after the
    /// new version is on disk and before the swap (tests inject failures there).
    /// </summary>
    public static Task<MarketStore> WriteAsync(string root, BarTable bars, IReadOnlyCollection<StockInfo> stocks,
        IReadOnlyList<IndexBar> index, IEnumerable<string> sources, Action? beforeSwap = null, CancellationToken ct = default,
        StoreWriteLock? heldLock = null) =>
        WriteCoreAsync(root, bars, stocks, index, [], [], null, sources, beforeSwap, heldLock, ct);

    /// <summary>
    /// Writes a new version with these contents, valuations and financial reports included, and makes it current
    /// (see the other overload). Valuations are stored sorted by (symbol, date), reports by (symbol, ann_date,
    /// end_date); of rows with the same key the last one given is kept.
    /// </summary>
    public static Task<MarketStore> WriteAsync(string root, BarTable bars, IReadOnlyCollection<StockInfo> stocks,
        IReadOnlyList<IndexBar> index, IReadOnlyList<Valuation> valuations, IReadOnlyList<FinancialReport> financials,
        IEnumerable<string> sources, Action? beforeSwap = null, CancellationToken ct = default, StoreWriteLock? heldLock = null) =>
        WriteCoreAsync(root, bars, stocks, index, valuations, financials, null, sources, beforeSwap, heldLock, ct);

    /// <summary>
    /// The write. A null <paramref name="valuations"/> or <paramref name="financials"/> keeps those of
    /// <paramref name="previous"/> (its file is copied, not decoded), or none when there is no previous version.
    /// <paramref name="heldLock"/> is the store's write lock when the caller took it before reading what it merges
    /// (an import); without it the write takes the lock itself, waiting for other writers.
    /// </summary>
    internal static async Task<MarketStore> WriteCoreAsync(string root, BarTable bars, IReadOnlyCollection<StockInfo> stocks,
        IReadOnlyList<IndexBar> index, IReadOnlyList<Valuation>? valuations, IReadOnlyList<FinancialReport>? financials,
        MarketStore? previous, IEnumerable<string> sources, Action? beforeSwap, StoreWriteLock? heldLock, CancellationToken ct)
    {
        if (heldLock is not null && !heldLock.Covers(root))
            throw new InvalidOperationException($"The lock held is for '{heldLock.Root}', not '{root}'.");
        using var ownLock = heldLock is null ? await StoreWriteLock.AcquireAsync(root, ct: ct) : null;
        int version = NextVersion(root);
        var name = $"v{version:D6}";
        var staging = Path.Combine(root, $".staging-{name}-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        try
        {
            await WriteBarsAsync(Path.Combine(staging, BarsFile), bars, ct);
            await WriteStocksAsync(Path.Combine(staging, StocksFile), stocks, ct);
            await WriteIndexAsync(Path.Combine(staging, IndexFile), index, ct);
            long valuationCount = valuations is not null || previous is null || !previous.HasFile(ValuationsFile)
                ? await WriteValuationsAsync(Path.Combine(staging, ValuationsFile), valuations ?? [], ct)
                : CopyDurably(Path.Combine(previous.VersionDirectory, ValuationsFile), Path.Combine(staging, ValuationsFile), previous.Manifest.Valuations);
            int reportCount = financials is not null || previous is null || !previous.HasFile(FinancialsFile)
                ? await WriteFinancialsAsync(Path.Combine(staging, FinancialsFile), financials ?? [], ct)
                : (int)CopyDurably(Path.Combine(previous.VersionDirectory, FinancialsFile), Path.Combine(staging, FinancialsFile), previous.Manifest.FinancialReports);
            // Custom factors are not part of a market import: an import carries them over as they are (copied, not
            // decoded); a write without a previous version (a synthetic market, a new store) has none.
            var customFactors = previous?.Manifest.CustomFactors ?? [];
            foreach (var f in customFactors)
                CopyDurably(Path.Combine(previous!.VersionDirectory, CustomFactorFile(f.Name)), Path.Combine(staging, CustomFactorFile(f.Name)), f.Rows);
            var days = new SortedSet<int>();
            var symbols = new SortedSet<int>();
            for (int i = 0; i < bars.Count; i++) { days.Add(bars.Date[i]); symbols.Add(bars.Symbol[i]); }
            var manifest = new StoreManifest
            {
                Version = version,
                CreatedUtc = DateTime.UtcNow,
                Bars = bars.Count,
                Symbols = [.. symbols],
                Days = [.. days],
                Stocks = stocks.Count,
                IndexBars = index.Count,
                Valuations = valuationCount,
                FinancialReports = reportCount,
                Sources = sources.ToArray(),
                CustomFactors = customFactors,
            };
            WriteDurably(Path.Combine(staging, ManifestFile), manifest.ToJson());
            var final = Path.Combine(root, name);
            Directory.Move(staging, final);
            beforeSwap?.Invoke();
            var tmp = Path.Combine(root, CurrentFile + ".tmp");
            WriteDurably(tmp, name);
            File.Move(tmp, Path.Combine(root, CurrentFile), overwrite: true); // rename(2): atomic
            RemoveOldVersions(root, keep: [name, PreviousVersionName(version)]);
            return new MarketStore(Path.GetFullPath(root), final, manifest);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
        }
    }

    private static string PreviousVersionName(int version) => $"v{version - 1:D6}";

    private static int NextVersion(string root)
    {
        int max = 0;
        foreach (var d in Directory.EnumerateDirectories(root, "v*"))
            if (int.TryParse(Path.GetFileName(d).AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var v)) max = Math.Max(max, v);
        return max + 1;
    }

    private static void RemoveOldVersions(string root, string[] keep)
    {
        foreach (var d in Directory.EnumerateDirectories(root))
        {
            var n = Path.GetFileName(d);
            bool isVersion = n.StartsWith('v') && int.TryParse(n.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
            bool isStaleStaging = n.StartsWith(".staging-", StringComparison.Ordinal);
            if ((isVersion && !keep.Contains(n)) || isStaleStaging)
                try { Directory.Delete(d, true); } catch (IOException) { /* another reader holds it open; next write retries */ }
        }
    }

    /// <summary>Opens a file of this version for reading; a file gone from under the reader is a <see cref="StoreException"/>.</summary>
    private FileStream OpenRead(string name, int bufferSize = 4096)
    {
        var path = Path.Combine(VersionDirectory, name);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StoreException($"'{Printable.Escape(path)}' is missing: the store is damaged, or two later writes removed this version while it was being read (open the store again).");
        }
    }

    /// <summary>
    /// Runs a read of one store file; a failure of the Parquet reader (a damaged or foreign file) becomes a
    /// <see cref="StoreException"/> naming the file. Exceptions thrown by <c>onChunk</c> callbacks pass through.
    /// </summary>
    private async Task<T> Guarded<T>(string name, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (CallbackFailure f)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(f.InnerException!);
            throw;
        }
        catch (Exception e) when (e is not StoreException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new StoreException($"{Printable.Escape(Path.Combine(VersionDirectory, name))}: not a readable store file ({Printable.Escape(e.Message)}).");
        }
    }

    private sealed class CallbackFailure(Exception inner) : Exception(inner.Message, inner);

    private static void Call<T>(Action<T> onChunk, T chunk)
    {
        try { onChunk(chunk); }
        catch (Exception e) { throw new CallbackFailure(e); }
    }

    private static void WriteDurably(string path, string text)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using (var w = new StreamWriter(fs, leaveOpen: true)) w.Write(text);
        fs.Flush(flushToDisk: true);
    }

    private bool HasFile(string name) => File.Exists(Path.Combine(VersionDirectory, name));

    /// <summary>Copies a file of the previous version into the staging folder and syncs it; returns <paramref name="rows"/>.</summary>
    private static long CopyDurably(string from, string to, long rows)
    {
        File.Copy(from, to);
        using (var fs = new FileStream(to, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) fs.Flush(flushToDisk: true);
        return rows;
    }

    private static async Task WriteBarsAsync(string path, BarTable bars, CancellationToken ct)
    {
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using (var writer = await ParquetWriter.CreateAsync(BarSchema, fs, Options, cancellationToken: ct))
        {
            for (int start = 0; start < bars.Count || start == 0; start += RowGroupSize)
            {
                int n = Math.Min(RowGroupSize, bars.Count - start);
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync<int>(FSymbol, bars.Symbol.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FDate, bars.Date.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FOpen, bars.Open.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FHigh, bars.High.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FLow, bars.Low.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FClose, bars.Close.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FPreClose, bars.PreClose.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<long>(FVolume, bars.Volume.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<double>(FAmount, bars.Amount.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<double>(FAdj, bars.AdjFactor.AsMemory(start, n), cancellationToken: ct);
                var flags = new int[n];
                for (int i = 0; i < n; i++) flags[i] = bars.Flags[start + i];
                await rg.WriteAsync<int>(FFlags, flags, cancellationToken: ct);
                await rg.WriteAsync<int>(FUp, bars.UpLimit.AsMemory(start, n), cancellationToken: ct);
                await rg.WriteAsync<int>(FDown, bars.DownLimit.AsMemory(start, n), cancellationToken: ct);
                if (bars.Count == 0) break;
            }
        }
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Reads every bar into one table.</summary>
    public async Task<BarTable> ReadBarsAsync(CancellationToken ct = default)
    {
        var table = new BarTable((int)Manifest.Bars);
        await ForEachBarChunkAsync((chunk) =>
        {
            for (int i = 0; i < chunk.Count; i++)
                table.AddRaw(chunk.Symbol[i], chunk.Date[i], chunk.Open[i], chunk.High[i], chunk.Low[i], chunk.Close[i], chunk.PreClose[i],
                    chunk.Volume[i], chunk.Amount[i], chunk.AdjFactor[i], (BarFlags)chunk.Flags[i], chunk.UpLimit[i], chunk.DownLimit[i]);
        }, ct);
        return table;
    }

    /// <summary>
    /// Streams the bars one Parquet row group (about a million rows) at a time. The chunk handed to
    /// <paramref name="onChunk"/> is reused for the next row group: copy what must outlive the call. Reusing the
    /// column buffers keeps a full load's peak memory near the size of its result.
    /// </summary>
    public Task ForEachBarChunkAsync(Action<BarTable> onChunk, CancellationToken ct = default) =>
        Guarded(BarsFile, async () => { await ForEachBarChunkCoreAsync(onChunk, 0, 1, ct); return true; });

    /// <summary>
    /// As <see cref="ForEachBarChunkAsync"/>, with row groups decoded on <paramref name="workers"/> threads at once, each
    /// with its own file handle and chunk: <paramref name="onChunk"/> is called concurrently, for row groups in no
    /// particular order (each row is in exactly one chunk). For readers that put each row in its own place.
    /// </summary>
    public Task ForEachBarChunkParallelAsync(Action<BarTable> onChunk, int workers, CancellationToken ct = default) =>
        Guarded(BarsFile, async () =>
        {
            workers = Math.Max(1, workers);
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => ForEachBarChunkCoreAsync(onChunk, w, workers, ct), ct)));
            return true;
        });

    /// <summary>Row groups <paramref name="first"/>, <paramref name="first"/> + <paramref name="step"/>, … of the bars.</summary>
    private async Task ForEachBarChunkCoreAsync(Action<BarTable> onChunk, int first, int step, CancellationToken ct)
    {
        await using var fs = OpenRead(BarsFile, 1 << 20);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
        int capacity = 0;
        for (int g = first; g < reader.RowGroupCount; g += step) capacity = Math.Max(capacity, checked((int)reader.RowGroups[g].RowCount));
        int[] symbol = new int[capacity], date = new int[capacity], open = new int[capacity], high = new int[capacity],
            low = new int[capacity], close = new int[capacity], pre = new int[capacity], up = new int[capacity], down = new int[capacity],
            flagsInt = new int[capacity];
        long[] volume = new long[capacity];
        double[] amount = new double[capacity], adj = new double[capacity];
        byte[] flags = new byte[capacity];
        var chunk = new BarTable(0);
        for (int g = first; g < reader.RowGroupCount; g += step)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            await rg.ReadAsync<int>(FSymbol, symbol.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FDate, date.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FOpen, open.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FHigh, high.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FLow, low.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FClose, close.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FPreClose, pre.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<long>(FVolume, volume.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(FAmount, amount.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(FAdj, adj.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FFlags, flagsInt.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FUp, up.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(FDown, down.AsMemory(0, n), cancellationToken: ct);
            for (int i = 0; i < n; i++) flags[i] = (byte)flagsInt[i];
            chunk.SetColumns(n, symbol, date, open, high, low, close, pre, volume, amount, adj, flags, up, down);
            Call(onChunk, chunk);
        }
    }

    private static async Task<T[]> ReadAsync<T>(ParquetRowGroupReader rg, DataField field, int n, CancellationToken ct) where T : struct
    {
        var values = new T[n];
        await rg.ReadAsync<T>(field, values, cancellationToken: ct);
        return values;
    }

    private static async Task WriteStocksAsync(string path, IReadOnlyCollection<StockInfo> stocks, CancellationToken ct)
    {
        var ordered = stocks.OrderBy(s => s.Symbol).ToArray();
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        await using (var writer = await ParquetWriter.CreateAsync(StockSchema, fs, Options, cancellationToken: ct))
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(SSymbol, ordered.Select(s => s.Symbol.ToString()).ToArray());
            await rg.WriteAsync(SName, ordered.Select(s => s.Name).ToArray());
            await rg.WriteAsync(SIndustry, ordered.Select(s => s.Industry).ToArray());
            await rg.WriteAsync(SArea, ordered.Select(s => s.Area).ToArray());
            await rg.WriteAsync<int>(SList, ordered.Select(s => s.ListDate?.DayNumber).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<int>(SDelist, ordered.Select(s => s.DelistDate?.DayNumber).ToArray(), cancellationToken: ct);
            await rg.WriteAsync(SSpells, ordered.Select(s => string.Join(';', s.StSpells.Select(x => x.ToString()))).ToArray());
            await rg.WriteAsync<int>(SStSource, ordered.Select(s => (int)s.StSource).ToArray(), cancellationToken: ct);
        }
        fs.Flush(flushToDisk: true);
    }

    public Task<List<StockInfo>> ReadStocksAsync(CancellationToken ct = default) => Guarded(StocksFile, () => ReadStocksCoreAsync(ct));

    private async Task<List<StockInfo>> ReadStocksCoreAsync(CancellationToken ct)
    {
        await using var fs = OpenRead(StocksFile);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
        var result = new List<StockInfo>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var sym = new string[n]; var name = new string[n]; var ind = new string[n]; var area = new string[n]; var spells = new string[n];
            var list = new int?[n]; var delist = new int?[n]; var src = new int[n];
            await rg.ReadAsync(SSymbol, sym, cancellationToken: ct);
            await rg.ReadAsync(SName, name, cancellationToken: ct);
            await rg.ReadAsync(SIndustry, ind, cancellationToken: ct);
            await rg.ReadAsync(SArea, area, cancellationToken: ct);
            await rg.ReadAsync(SSpells, spells, cancellationToken: ct);
            await rg.ReadAsync<int>(SList, list, cancellationToken: ct);
            await rg.ReadAsync<int>(SDelist, delist, cancellationToken: ct);
            await rg.ReadAsync<int>(SStSource, src, cancellationToken: ct);
            for (int i = 0; i < n; i++)
                result.Add(new StockInfo(Symbol.Parse(sym[i]), name[i] ?? "", ind[i] ?? "",
                    list[i] is { } l ? DateOnly.FromDayNumber(l) : null, delist[i] is { } d ? DateOnly.FromDayNumber(d) : null,
                    ParseSpells(spells[i]), area[i] ?? "", (StSource)src[i]));
        }
        return result;
    }

    private static List<DateSpan> ParseSpells(string? text)
    {
        var spells = new List<DateSpan>();
        if (string.IsNullOrEmpty(text)) return spells;
        foreach (var part in text.Split(';'))
        {
            var ends = part.Split("..");
            spells.Add(new DateSpan(DateOnly.ParseExact(ends[0], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                ends[1].Length == 0 ? null : DateOnly.ParseExact(ends[1], "yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        return spells;
    }

    private static async Task WriteIndexAsync(string path, IReadOnlyList<IndexBar> index, CancellationToken ct)
    {
        var rows = index.OrderBy(i => i.Code, StringComparer.Ordinal).ThenBy(i => i.Date).ToArray();
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        await using (var writer = await ParquetWriter.CreateAsync(IndexSchema, fs, Options, cancellationToken: ct))
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(ICode, rows.Select(r => r.Code).ToArray());
            await rg.WriteAsync<int>(IDate, rows.Select(r => r.Date.DayNumber).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<double>(IOpen, rows.Select(r => r.Open).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<double>(IHigh, rows.Select(r => r.High).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<double>(ILow, rows.Select(r => r.Low).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<double>(IClose, rows.Select(r => r.Close).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<double>(IVol, rows.Select(r => r.Volume).ToArray(), cancellationToken: ct);
            await rg.WriteAsync<double>(IAmt, rows.Select(r => r.Amount).ToArray(), cancellationToken: ct);
        }
        fs.Flush(flushToDisk: true);
    }

    public Task<List<IndexBar>> ReadIndexAsync(CancellationToken ct = default) => Guarded(IndexFile, () => ReadIndexCoreAsync(ct));

    private async Task<List<IndexBar>> ReadIndexCoreAsync(CancellationToken ct)
    {
        await using var fs = OpenRead(IndexFile);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
        var result = new List<IndexBar>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var code = new string[n];
            await rg.ReadAsync(ICode, code, cancellationToken: ct);
            var date = await ReadAsync<int>(rg, IDate, n, ct);
            var o = await ReadAsync<double>(rg, IOpen, n, ct); var h = await ReadAsync<double>(rg, IHigh, n, ct);
            var l = await ReadAsync<double>(rg, ILow, n, ct); var c = await ReadAsync<double>(rg, IClose, n, ct);
            var v = await ReadAsync<double>(rg, IVol, n, ct); var a = await ReadAsync<double>(rg, IAmt, n, ct);
            for (int i = 0; i < n; i++) result.Add(new IndexBar(code[i], DateOnly.FromDayNumber(date[i]), o[i], h[i], l[i], c[i], v[i], a[i]));
        }
        return result;
    }

    // ---- valuations and financial reports ----

    private static async Task<long> WriteValuationsAsync(string path, IReadOnlyList<Valuation> valuations, CancellationToken ct)
    {
        Comparison<Valuation> order = FundamentalsOrder.Compare;
        var rows = FundamentalsOrder.IsSorted(valuations, order, strictly: true) ? valuations : FundamentalsOrder.SortedUnique(valuations, order);
        int size = Math.Max(1, Math.Min(RowGroupSize, rows.Count));
        var symbol = new int[size]; var date = new int[size];
        var cols = new double[7][];
        for (int k = 0; k < cols.Length; k++) cols[k] = new double[size];
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using (var writer = await ParquetWriter.CreateAsync(ValuationSchema, fs, Options, cancellationToken: ct))
        {
            for (int start = 0; start < rows.Count || start == 0; start += RowGroupSize)
            {
                int n = Math.Min(RowGroupSize, rows.Count - start);
                for (int i = 0; i < n; i++)
                {
                    var v = rows[start + i];
                    symbol[i] = v.Symbol.Packed; date[i] = v.Date.DayNumber;
                    cols[0][i] = v.TotalShares; cols[1][i] = v.FloatShares; cols[2][i] = v.TotalMarketValue; cols[3][i] = v.CirculatingMarketValue;
                    cols[4][i] = v.PeTtm; cols[5][i] = v.Pb; cols[6][i] = v.TurnoverRate;
                }
                using var rg = writer.CreateRowGroup();
                await rg.WriteAsync<int>(VSymbol, symbol.AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<int>(VDate, date.AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VTotalShares, cols[0].AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VFloatShares, cols[1].AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VTotalMv, cols[2].AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VCircMv, cols[3].AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VPe, cols[4].AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VPb, cols[5].AsMemory(0, n), cancellationToken: ct);
                await rg.WriteAsync<double>(VTurnover, cols[6].AsMemory(0, n), cancellationToken: ct);
                if (rows.Count == 0) break;
            }
        }
        fs.Flush(flushToDisk: true);
        return rows.Count;
    }

    /// <summary>Every valuation, sorted by (symbol, date); none when the version has no valuations file.</summary>
    public async Task<List<Valuation>> ReadValuationsAsync(CancellationToken ct = default)
    {
        var result = new List<Valuation>((int)Math.Min(Manifest.Valuations, Array.MaxLength));
        await ForEachValuationChunkAsync(c =>
        {
            for (int i = 0; i < c.Count; i++)
                result.Add(new Valuation(Symbol.FromPacked(c.Symbol[i]), DateOnly.FromDayNumber(c.Date[i]), c.TotalShares[i], c.FloatShares[i],
                    c.TotalMarketValue[i], c.CirculatingMarketValue[i], c.PeTtm[i], c.Pb[i], c.TurnoverRate[i]));
        }, ct);
        return result;
    }

    /// <summary>Valuation columns of one row group; the arrays are reused for the next one.</summary>
    internal sealed class ValuationChunk(int capacity)
    {
        public int Count;
        public readonly int[] Symbol = new int[capacity], Date = new int[capacity];
        public readonly double[] TotalShares = new double[capacity], FloatShares = new double[capacity], TotalMarketValue = new double[capacity],
            CirculatingMarketValue = new double[capacity], PeTtm = new double[capacity], Pb = new double[capacity], TurnoverRate = new double[capacity];
    }

    /// <summary>Streams the valuations one row group at a time (nothing when the version has no valuations file).</summary>
    internal Task ForEachValuationChunkAsync(Action<ValuationChunk> onChunk, CancellationToken ct = default) =>
        Guarded(ValuationsFile, async () => { await ForEachValuationChunkCoreAsync(onChunk, ct); return true; });

    private async Task ForEachValuationChunkCoreAsync(Action<ValuationChunk> onChunk, CancellationToken ct)
    {
        if (!HasFile(ValuationsFile)) return;
        await using var fs = OpenRead(ValuationsFile, 1 << 20);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
        int capacity = 0;
        for (int g = 0; g < reader.RowGroupCount; g++) capacity = Math.Max(capacity, checked((int)reader.RowGroups[g].RowCount));
        var c = new ValuationChunk(capacity);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            await rg.ReadAsync<int>(VSymbol, c.Symbol.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<int>(VDate, c.Date.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VTotalShares, c.TotalShares.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VFloatShares, c.FloatShares.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VTotalMv, c.TotalMarketValue.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VCircMv, c.CirculatingMarketValue.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VPe, c.PeTtm.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VPb, c.Pb.AsMemory(0, n), cancellationToken: ct);
            await rg.ReadAsync<double>(VTurnover, c.TurnoverRate.AsMemory(0, n), cancellationToken: ct);
            c.Count = n;
            Call(onChunk, c);
        }
    }

    private static async Task<int> WriteFinancialsAsync(string path, IReadOnlyList<FinancialReport> reports, CancellationToken ct)
    {
        Comparison<FinancialReport> order = FundamentalsOrder.Compare;
        var rows = FundamentalsOrder.IsSorted(reports, order, strictly: true) ? reports : FundamentalsOrder.SortedUnique(reports, order);
        int n = rows.Count;
        var symbol = new int[n]; var ann = new int[n]; var end = new int[n];
        var roe = new double[n]; var profit = new double[n]; var revenue = new double[n]; var eps = new double[n]; var bps = new double[n];
        for (int i = 0; i < n; i++)
        {
            var r = rows[i];
            symbol[i] = r.Symbol.Packed; ann[i] = r.AnnDate.DayNumber; end[i] = r.EndDate.DayNumber;
            roe[i] = r.Roe; profit[i] = r.NetProfitYoY; revenue[i] = r.RevenueYoY; eps[i] = r.Eps; bps[i] = r.Bps;
        }
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        await using (var writer = await ParquetWriter.CreateAsync(FinancialSchema, fs, Options, cancellationToken: ct))
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<int>(FinSymbol, symbol, cancellationToken: ct);
            await rg.WriteAsync<int>(FinAnn, ann, cancellationToken: ct);
            await rg.WriteAsync<int>(FinEnd, end, cancellationToken: ct);
            await rg.WriteAsync<double>(FinRoe, roe, cancellationToken: ct);
            await rg.WriteAsync<double>(FinProfitYoY, profit, cancellationToken: ct);
            await rg.WriteAsync<double>(FinRevenueYoY, revenue, cancellationToken: ct);
            await rg.WriteAsync<double>(FinEps, eps, cancellationToken: ct);
            await rg.WriteAsync<double>(FinBps, bps, cancellationToken: ct);
            foreach (var (field, get, _) in FinStatementFields)
            {
                var column = new double[n];
                for (int i = 0; i < n; i++) column[i] = get(rows[i]);
                await rg.WriteAsync<double>(field, column, cancellationToken: ct);
            }
        }
        fs.Flush(flushToDisk: true);
        return n;
    }

    /// <summary>Every financial report, sorted by (symbol, ann_date, end_date); none when the version has no financials file.</summary>
    public Task<List<FinancialReport>> ReadFinancialsAsync(CancellationToken ct = default) => Guarded(FinancialsFile, () => ReadFinancialsCoreAsync(ct));

    private async Task<List<FinancialReport>> ReadFinancialsCoreAsync(CancellationToken ct)
    {
        var result = new List<FinancialReport>(Manifest.FinancialReports);
        if (!HasFile(FinancialsFile)) return result;
        await using var fs = OpenRead(FinancialsFile);
        await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
        var present = reader.Schema.GetDataFields().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var statementFields = FinStatementFields.Where(f => present.Contains(f.Field.Name)).ToArray();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int n = checked((int)rg.RowCount);
            var statements = new double[statementFields.Length][];
            for (int k = 0; k < statementFields.Length; k++) statements[k] = await ReadAsync<double>(rg, statementFields[k].Field, n, ct);
            var symbol = await ReadAsync<int>(rg, FinSymbol, n, ct);
            var ann = await ReadAsync<int>(rg, FinAnn, n, ct);
            var end = await ReadAsync<int>(rg, FinEnd, n, ct);
            var roe = await ReadAsync<double>(rg, FinRoe, n, ct);
            var profit = await ReadAsync<double>(rg, FinProfitYoY, n, ct);
            var revenue = await ReadAsync<double>(rg, FinRevenueYoY, n, ct);
            var eps = await ReadAsync<double>(rg, FinEps, n, ct);
            var bps = await ReadAsync<double>(rg, FinBps, n, ct);
            for (int i = 0; i < n; i++)
            {
                var report = new FinancialReport(Symbol.FromPacked(symbol[i]), DateOnly.FromDayNumber(ann[i]), DateOnly.FromDayNumber(end[i]),
                    roe[i], profit[i], revenue[i], eps[i], bps[i]);
                for (int k = 0; k < statementFields.Length; k++) report = statementFields[k].Set(report, statements[k][i]);
                result.Add(report);
            }
        }
        return result;
    }

    // ---- custom factors ----

    private static readonly DataField<int> CSymbol = new("symbol"), CDate = new("date");
    private static readonly DataField<double> CValue = new("value");
    private static readonly ParquetSchema CustomFactorSchema = new(CSymbol, CDate, CValue);

    private static string CustomFactorFile(string name) => $"factor-{name}.parquet";

    /// <summary>Whether this version holds the custom factor <paramref name="name"/>.</summary>
    public bool HasCustomFactor(string name) => Manifest.CustomFactors.Any(f => f.Name == name);

    /// <summary>
    /// Writes a new version holding everything of the current one (files copied, not decoded) and the custom factor
    /// <paramref name="name"/> with these rows (sorted by symbol then date, one row per key), replacing a stored
    /// factor of that name; makes it current with the same atomic swap as an import. The caller holds the write lock
    /// when it read what it merges (<paramref name="heldLock"/>).
    /// </summary>
    public static async Task<MarketStore> WriteCustomFactorAsync(string root, string name, CustomFactorRows rows, string source,
        StoreWriteLock? heldLock = null, Action? beforeSwap = null, CancellationToken ct = default)
    {
        if (!CustomFactorEntry.IsName(name)) throw new ArgumentException($"'{name}' is not a factor name.", nameof(name));
        if (heldLock is not null && !heldLock.Covers(root))
            throw new InvalidOperationException($"The lock held is for '{heldLock.Root}', not '{root}'.");
        using var ownLock = heldLock is null ? await StoreWriteLock.AcquireAsync(root, ct: ct) : null;
        var previous = Open(root);
        int version = NextVersion(root);
        var versionName = $"v{version:D6}";
        var staging = Path.Combine(root, $".staging-{versionName}-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        try
        {
            var own = CustomFactorFile(name);
            foreach (var file in Directory.EnumerateFiles(previous.VersionDirectory))
            {
                var n = Path.GetFileName(file);
                if (n == ManifestFile || n == own) continue;
                CopyDurably(file, Path.Combine(staging, n), 0);
            }
            await WriteCustomFactorFileAsync(Path.Combine(staging, own), rows, ct);
            var entry = new CustomFactorEntry
            {
                Name = name,
                Rows = rows.Count,
                FirstDate = rows.Count == 0 ? null : DateOnly.FromDayNumber(rows.Date.Take(rows.Count).Min()),
                LastDate = rows.Count == 0 ? null : DateOnly.FromDayNumber(rows.Date.Take(rows.Count).Max()),
                Source = source,
            };
            var manifest = previous.Manifest with
            {
                Version = version,
                CreatedUtc = DateTime.UtcNow,
                CustomFactors = [.. previous.Manifest.CustomFactors.Where(f => f.Name != name).Append(entry).OrderBy(f => f.Name, StringComparer.Ordinal)],
            };
            WriteDurably(Path.Combine(staging, ManifestFile), manifest.ToJson());
            var final = Path.Combine(root, versionName);
            Directory.Move(staging, final);
            beforeSwap?.Invoke();
            var tmp = Path.Combine(root, CurrentFile + ".tmp");
            WriteDurably(tmp, versionName);
            File.Move(tmp, Path.Combine(root, CurrentFile), overwrite: true); // rename(2): atomic
            RemoveOldVersions(root, keep: [versionName, PreviousVersionName(version)]);
            return new MarketStore(Path.GetFullPath(root), final, manifest);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
        }
    }

    private static async Task WriteCustomFactorFileAsync(string path, CustomFactorRows rows, CancellationToken ct)
    {
        await using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        await using (var writer = await ParquetWriter.CreateAsync(CustomFactorSchema, fs, Options, cancellationToken: ct))
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<int>(CSymbol, rows.Symbol.AsMemory(0, rows.Count), cancellationToken: ct);
            await rg.WriteAsync<int>(CDate, rows.Date.AsMemory(0, rows.Count), cancellationToken: ct);
            await rg.WriteAsync<double>(CValue, rows.Value.AsMemory(0, rows.Count), cancellationToken: ct);
        }
        fs.Flush(flushToDisk: true);
    }

    /// <summary>The rows of a stored custom factor, sorted by (symbol, date); a name the version lacks is a <see cref="StoreException"/>.</summary>
    public Task<CustomFactorRows> ReadCustomFactorAsync(string name, CancellationToken ct = default)
    {
        if (!HasCustomFactor(name))
            throw new StoreException($"Store '{Printable.Escape(Root)}' has no custom factor '{Printable.Escape(name)}' (it has: {(Manifest.CustomFactors.Length == 0 ? "none" : string.Join(", ", Manifest.CustomFactors.Select(f => f.Name)))}).");
        var file = CustomFactorFile(name);
        return Guarded(file, async () =>
        {
            await using var fs = OpenRead(file, 1 << 16);
            await using var reader = await ParquetReader.CreateAsync(fs, cancellationToken: ct);
            var symbols = new List<int>(); var dates = new List<int>(); var values = new List<double>();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = checked((int)rg.RowCount);
                symbols.AddRange(await ReadAsync<int>(rg, CSymbol, n, ct));
                dates.AddRange(await ReadAsync<int>(rg, CDate, n, ct));
                values.AddRange(await ReadAsync<double>(rg, CValue, n, ct));
            }
            return new CustomFactorRows([.. symbols], [.. dates], [.. values], symbols.Count);
        });
    }
}

public sealed class StoreException(string message) : Exception(message);

/// <summary>Values of one custom factor as columns: packed symbol, trading day (DayNumber), value; <see cref="Count"/> rows.</summary>
public sealed record CustomFactorRows(int[] Symbol, int[] Date, double[] Value, int Count);
