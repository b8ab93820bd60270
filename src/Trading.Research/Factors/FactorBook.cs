using System.Collections.Concurrent;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// The factor values of one run on one panel, each factor computed at most once and shared: a backtest's rebalances
/// read their cross-sections here, the report's factor study reads the same panels, and a sweep's points share
/// the rows they ask for. <see cref="Panel(IFactor)"/> gives a factor's whole panel (from the <see cref="FactorCache"/>
/// when it holds it, else computed on all cores and then cached); <see cref="Row"/> gives one day, from the whole panel
/// when there is one, else computed for that day alone and kept. Either way a value is what
/// <see cref="IFactor.Compute"/> gives on that day's <see cref="PointInTimeView"/> — the same bits. Thread-safe.
/// </summary>
public sealed class FactorBook
{
    private readonly ConcurrentDictionary<string, Lazy<FactorPanel>> _panels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Factor, int Day), Lazy<double[]>> _rows = new();
    private readonly FactorCache? _cache;
    private readonly string? _storeVersion;
    private int _hits, _misses, _computed;

    /// <param name="cache">Disk cache, or null for none.</param>
    /// <param name="storeVersion">What identifies the panel's data for the cache (<c>MarketStore.CacheIdentity</c>); needed with a cache.</param>
    public FactorBook(MarketPanel panel, FactorCache? cache = null, string? storeVersion = null)
    {
        Market = panel;
        if (cache is not null && storeVersion is null) throw new ArgumentException("A cached factor book needs the store version its panel came from.", nameof(storeVersion));
        _cache = cache;
        _storeVersion = storeVersion;
    }

    public MarketPanel Market { get; }

    /// <summary>Whole panels read from the disk cache, computed (and cached), and single days computed.</summary>
    public (int CacheHits, int CacheMisses, int RowsComputed) Counts => (_hits, _misses, _computed);

    /// <summary>A factor's whole panel; computed or read once, however many threads ask.</summary>
    public FactorPanel Panel(IFactor factor) =>
        _panels.GetOrAdd(factor.Name, _ => new Lazy<FactorPanel>(() => Load(factor), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>The whole panels of several factors, read or computed now (factors one after another, each on all cores).</summary>
    public void Prepare(IEnumerable<IFactor> factors)
    {
        foreach (var f in factors) Panel(f);
    }

    /// <summary>One day's cross-section of a factor: NaN before its warm-up, else its values on that day.</summary>
    public ReadOnlySpan<double> Row(IFactor factor, int day)
    {
        if (_panels.TryGetValue(factor.Name, out var whole)) return whole.Value.Row(day);
        return _rows.GetOrAdd((factor.Name, day), key => new Lazy<double[]>(() =>
        {
            var values = new double[Market.SymbolCount];
            FactorEngine.ComputeDay(Market, factor, day, values);
            Interlocked.Increment(ref _computed);
            return values;
        }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>
    /// Computes these factors' rows of these days on a pool thread, in order, while the caller goes on: a backtest that
    /// reads single rows finds each decision day's already there (or waits for the one being computed) instead of
    /// computing it on its own thread.
    /// </summary>
    public Task PrefetchAsync(IReadOnlyList<IFactor> factors, IEnumerable<int> days, CancellationToken ct = default) => Task.Run(() =>
    {
        foreach (var day in days)
            foreach (var f in factors)
            {
                ct.ThrowIfCancellationRequested();
                Row(f, day);
            }
    }, ct);

    private FactorPanel Load(IFactor factor)
    {
        string? key = _cache is null ? null : FactorCache.Key(_storeVersion!, factor, Market);
        if (key is not null && _cache!.TryRead(key, factor.Name, Market.DayCount, Market.SymbolCount) is { } cached)
        {
            Interlocked.Increment(ref _hits);
            return cached;
        }
        var computed = FactorEngine.Compute(Market, factor);
        if (key is not null)
        {
            Interlocked.Increment(ref _misses);
            // Written while the run goes on (the panel is never changed once computed); Flush waits for it.
            lock (_writes) _writes.Add(Task.Run(() => _cache!.Write(key, computed)));
        }
        return computed;
    }

    private readonly List<Task> _writes = [];

    /// <summary>Waits until every panel computed so far is in the disk cache (a command calls it before it exits).</summary>
    public Task FlushAsync()
    {
        lock (_writes) return Task.WhenAll(_writes.ToList());
    }
}
