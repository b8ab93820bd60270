using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Domain.Calendar;
using Trading.Domain.Instruments;

namespace Trading.Data.Panel;

public enum PriceField : byte { Open, High, Low, Close, PreClose }

/// <summary>What a panel holds beyond bars (always loaded): what a run loads is what its factors and settings need.</summary>
[Flags]
public enum PanelContents
{
    Bars = 0,
    /// <summary>Daily valuations (<see cref="MarketPanel.Valuations"/>).</summary>
    Valuations = 1,
    /// <summary>Point-in-time financial reports (<see cref="MarketPanel.Financials"/>).</summary>
    Financials = 2,
    /// <summary>Imported custom factors (<see cref="MarketPanel.CustomFactors"/>).</summary>
    CustomFactors = 4,
    All = Valuations | Financials | CustomFactors,
}

public enum Adjustment : byte
{
    /// <summary>Raw traded prices.</summary>
    None,
    /// <summary>Back-adjusted (后复权): raw × adj_factor(t). Stable as new data arrives.</summary>
    Backward,
    /// <summary>Forward-adjusted (前复权): raw × adj_factor(t) / adj_factor(anchor); equals raw on the anchor day.</summary>
    Forward,
}

/// <summary>
/// Market data in memory as dates × symbols per field, for research and backtests. Every (date, symbol) cell
/// exists: a traded bar, an explicit suspended day (prices carried from the last close, zero volume, flag
/// <see cref="BarFlags.Suspended"/>), or not listed (NaN, flag <see cref="BarFlags.NotListed"/>).
/// Cells are laid out symbol-major (<c>s * Days + d</c>) so each symbol's history is contiguous; <see cref="CrossSection"/>
/// gathers one date. Prices are doubles of raw CNY (exact for 0.01-tick values); money maths goes through decimal
/// in Trading.Domain.
/// </summary>
public sealed class MarketPanel
{
    public MarketPanel(IReadOnlyList<DateOnly> dates, IReadOnlyList<Symbol> symbols, IReadOnlyDictionary<Symbol, StockInfo>? stocks = null)
        : this(dates, symbols, stocks, fill: true) { }

    /// <summary>With <paramref name="fill"/> off the bars' arrays are left unwritten, for a caller that writes every cell (the panel cache).</summary>
    private MarketPanel(IReadOnlyList<DateOnly> dates, IReadOnlyList<Symbol> symbols, IReadOnlyDictionary<Symbol, StockInfo>? stocks, bool fill)
    {
        Dates = dates.ToArray();
        Symbols = symbols.ToArray();
        Calendar = new TradingCalendar(Dates);
        Stocks = stocks ?? new Dictionary<Symbol, StockInfo>();
        long cells = (long)Dates.Length * Symbols.Length;
        if (cells > Array.MaxLength) throw new ArgumentException($"A panel of {Dates.Length} days × {Symbols.Length} symbols is too large.");
        int n = (int)cells;
        // Eleven arrays of fresh memory: the first write of each page is most of their cost, so they are filled on every core.
        T[] Field<T>(T empty) where T : unmanaged => fill ? LargeArrays.Filled(n, empty) : LargeArrays.Allocate<T>(n);
        double[] open = [], high = [], low = [], close = [], pre = [], volume = [], amount = [], adj = [], up = [], down = [];
        byte[] flags = [];
        Parallel.Invoke(
            () => open = Field(double.NaN), () => high = Field(double.NaN), () => low = Field(double.NaN), () => close = Field(double.NaN),
            () => pre = Field(double.NaN), () => volume = Field(0.0), () => amount = Field(0.0), () => adj = Field(double.NaN),
            () => up = Field(double.NaN), () => down = Field(double.NaN), () => flags = Field((byte)BarFlags.NotListed));
        (Open, High, Low, Close, PreClose, Volume, Amount, AdjFactor, UpLimit, DownLimit, Flags) = (open, high, low, close, pre, volume, amount, adj, up, down, flags);
        _symbolIndex = new Dictionary<Symbol, int>(Symbols.Length);
        for (int i = 0; i < Symbols.Length; i++) _symbolIndex[Symbols[i]] = i;
    }

    private static double[] NaNs(int n) => LargeArrays.Filled(n, double.NaN);

    private readonly Dictionary<Symbol, int> _symbolIndex;

    public DateOnly[] Dates { get; }
    public Symbol[] Symbols { get; }
    public TradingCalendar Calendar { get; }
    public IReadOnlyDictionary<Symbol, StockInfo> Stocks { get; }
    public int DayCount => Dates.Length;
    public int SymbolCount => Symbols.Length;

    public readonly double[] Open, High, Low, Close, PreClose, Volume, Amount, AdjFactor, UpLimit, DownLimit;
    public readonly byte[] Flags;

    /// <summary>
    /// Daily valuations (shares, market value, PE, PB, turnover), or null when the data has none. NaN where a
    /// traded day has no valuation row; on an explicit suspended day the last valuation carries forward (turnover 0).
    /// </summary>
    public ValuationPanel? Valuations { get; set; }

    /// <summary>Point-in-time financial reports per symbol index, or null when the data has none.</summary>
    public FinancialHistory? Financials { get; set; }

    /// <summary>
    /// Imported custom factors by name (<c>trading factors import</c>): values symbol-major like the fields, NaN where
    /// the import has no value for that (date, symbol). Exactly as imported: no carrying forward here (the factor
    /// reading them decides how stale a value may be).
    /// </summary>
    public IReadOnlyDictionary<string, double[]> CustomFactors => _customFactors;

    private readonly Dictionary<string, double[]> _customFactors = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a custom factor from stored rows; rows of symbols or days outside the panel are ignored.</summary>
    public void AddCustomFactor(string name, CustomFactorRows rows)
    {
        var values = NaNs(Dates.Length * Symbols.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            int d = Calendar.IndexOf(DateOnly.FromDayNumber(rows.Date[i]));
            if (d < 0 || !_symbolIndex.TryGetValue(Symbol.FromPacked(rows.Symbol[i]), out var s)) continue;
            values[Cell(d, s)] = rows.Value[i];
        }
        _customFactors[name] = values;
    }

    public int Cell(int day, int symbol) => symbol * Dates.Length + day;

    public int SymbolIndex(Symbol symbol) => _symbolIndex.TryGetValue(symbol, out var i) ? i : -1;

    public int DayIndex(DateOnly date) => Calendar.IndexOf(date);

    public BarFlags FlagsAt(int day, int symbol) => (BarFlags)Flags[Cell(day, symbol)];

    public bool IsTraded(int day, int symbol) => (FlagsAt(day, symbol) & (BarFlags.Suspended | BarFlags.NotListed)) == 0;

    public bool IsSuspended(int day, int symbol) => (FlagsAt(day, symbol) & BarFlags.Suspended) != 0;

    public bool IsListed(int day, int symbol) => (FlagsAt(day, symbol) & BarFlags.NotListed) == 0;

    public double[] Field(PriceField field) => field switch
    {
        PriceField.Open => Open,
        PriceField.High => High,
        PriceField.Low => Low,
        PriceField.Close => Close,
        PriceField.PreClose => PreClose,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>One symbol's history of a raw field (contiguous, no copy).</summary>
    public ReadOnlySpan<double> Series(double[] field, int symbol) => field.AsSpan(symbol * Dates.Length, Dates.Length);

    /// <summary>Copies the cross-section of a field on one day into <paramref name="into"/> (length = symbols).</summary>
    public void CrossSection(double[] field, int day, Span<double> into)
    {
        int d = Dates.Length;
        for (int s = 0, c = day; s < Symbols.Length; s++, c += d) into[s] = field[c];
    }

    /// <summary>
    /// A price adjusted as asked. For <see cref="Adjustment.Forward"/> the anchor is the day whose prices stay raw
    /// (default: the last day); research that must not look ahead anchors at the decision day.
    /// </summary>
    public double Price(PriceField field, int day, int symbol, Adjustment adjustment = Adjustment.None, int anchorDay = -1)
    {
        int c = Cell(day, symbol);
        double raw = Field(field)[c];
        return adjustment switch
        {
            Adjustment.None => raw,
            Adjustment.Backward => raw * AdjFactor[c],
            Adjustment.Forward => raw * AdjFactor[c] / AnchorFactor(symbol, anchorDay),
            _ => throw new ArgumentOutOfRangeException(nameof(adjustment)),
        };
    }

    /// <summary>A symbol's adjusted series of a field (a new array, NaN where not listed).</summary>
    public double[] AdjustedSeries(PriceField field, int symbol, Adjustment adjustment, int anchorDay = -1)
    {
        var raw = Series(Field(field), symbol);
        var adj = Series(AdjFactor, symbol);
        var result = new double[raw.Length];
        double anchor = adjustment == Adjustment.Forward ? AnchorFactor(symbol, anchorDay) : 1.0;
        for (int d = 0; d < raw.Length; d++)
            result[d] = adjustment == Adjustment.None ? raw[d] : raw[d] * adj[d] / anchor;
        return result;
    }

    /// <summary>The whole panel of a field, adjusted (symbol-major like the raw fields).</summary>
    public double[] Adjusted(PriceField field, Adjustment adjustment)
    {
        var raw = Field(field);
        if (adjustment == Adjustment.None) return (double[])raw.Clone();
        var result = GC.AllocateUninitializedArray<double>(raw.Length);
        int days = Dates.Length;
        for (int s = 0; s < Symbols.Length; s++)
        {
            double anchor = adjustment == Adjustment.Forward ? AnchorFactor(s, -1) : 1.0;
            int b = s * days;
            for (int d = 0; d < days; d++) result[b + d] = raw[b + d] * AdjFactor[b + d] / anchor;
        }
        return result;
    }

    /// <summary>The factor of the anchor day, or of the last listed day on or before it.</summary>
    private double AnchorFactor(int symbol, int anchorDay)
    {
        int d = anchorDay < 0 ? Dates.Length - 1 : anchorDay;
        var adj = Series(AdjFactor, symbol);
        for (; d >= 0; d--)
            if (!double.IsNaN(adj[d])) return adj[d];
        return double.NaN;
    }

    /// <summary>
    /// Loads a whole store into a panel, streaming its row groups (no full intermediate copy), with its valuations
    /// and financial reports when it has any and <paramref name="fundamentals"/> is on (rows of symbols or days
    /// without bars are ignored). Price-only work (backtests of price factors) can skip them: they are seven more
    /// dates × symbols arrays.
    /// </summary>
    public static async Task<MarketPanel> LoadAsync(MarketStore store, CancellationToken ct = default) => await LoadAsync(store, PanelContents.All, ct);

    public static Task<MarketPanel> LoadAsync(MarketStore store, bool fundamentals, CancellationToken ct = default) =>
        LoadAsync(store, fundamentals ? PanelContents.All : PanelContents.CustomFactors, ct);

    /// <summary>Bars and what <paramref name="contents"/> names (valuations, financial reports, custom factors) where the store has them.</summary>
    public static Task<MarketPanel> LoadAsync(MarketStore store, PanelContents contents, CancellationToken ct = default) => LoadAsync(store, contents, null, ct);

    /// <summary>
    /// As above, the bars read from <paramref name="cache"/> when it holds this store version's (else decoded, and
    /// written to the cache in the background: flush it before the process ends).
    /// </summary>
    public static async Task<MarketPanel> LoadAsync(MarketStore store, PanelContents contents, PanelCache? cache, CancellationToken ct = default)
    {
        var stocks = (await store.ReadStocksAsync(ct)).ToDictionary(s => s.Symbol);
        var m = store.Manifest;
        var dates = m.Days.Select(DateOnly.FromDayNumber).ToArray();
        var symbols = m.Symbols.Select(Symbol.FromPacked).ToArray();
        MarketPanel? panel = null;
        if (cache is not null && cache.Has(store))
        {
            panel = new MarketPanel(dates, symbols, stocks, fill: false);
            if (!cache.TryRead(store, panel)) panel = null;
        }
        bool decoded = panel is null;
        panel ??= new MarketPanel(dates, symbols, stocks);
        int firstDay = m.Days.Length > 0 ? m.Days[0] : 0;
        var dayOf = new int[m.Days.Length > 0 ? m.Days[^1] - firstDay + 1 : 0];
        Array.Fill(dayOf, -1);
        for (int i = 0; i < m.Days.Length; i++) dayOf[m.Days[i] - firstDay] = i;
        var symbolOf = new Dictionary<int, int>(m.Symbols.Length);
        for (int i = 0; i < m.Symbols.Length; i++) symbolOf[m.Symbols[i]] = i;

        if (decoded)
        {
            // Row groups decode on every core at once (Parquet decoding is most of a load); each bar has its own cell.
            await store.ForEachBarChunkParallelAsync(chunk =>
            {
                panel.Scatter(chunk, dayOf, firstDay, symbolOf);
                // Parquet decoding leaves large temporary buffers on the large-object heap, which only a full collection
                // frees; with a gigabyte of live panel the runtime waits too long and peak memory doubles. The panel's
                // arrays hold no references, so a full collection per row group costs milliseconds.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
            }, Environment.ProcessorCount, ct);
            panel.FillSuspensions();
            cache?.WriteInBackground(store, panel);
        }

        if (contents.HasFlag(PanelContents.Valuations) && m.Valuations > 0)
        {
            var v = panel.Valuations = new ValuationPanel(panel.DayCount, panel.SymbolCount);
            await store.ForEachValuationChunkAsync(c =>
            {
                for (int i = 0; i < c.Count; i++)
                {
                    int cell = panel.CellOf(c.Symbol[i], c.Date[i], dayOf, firstDay, symbolOf);
                    if (cell < 0) continue;
                    v.TotalShares[cell] = c.TotalShares[i];
                    v.FloatShares[cell] = c.FloatShares[i];
                    v.TotalMarketValue[cell] = c.TotalMarketValue[i];
                    v.CirculatingMarketValue[cell] = c.CirculatingMarketValue[i];
                    v.PeTtm[cell] = c.PeTtm[i];
                    v.Pb[cell] = c.Pb[i];
                    v.TurnoverRate[cell] = c.TurnoverRate[i];
                }
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false); // as for the bars
            }, ct);
            panel.CarryValuationsOverSuspensions();
        }
        if (contents.HasFlag(PanelContents.Financials) && m.FinancialReports > 0) panel.Financials = panel.BuildFinancials(await store.ReadFinancialsAsync(ct));
        if (contents.HasFlag(PanelContents.CustomFactors))
            foreach (var f in m.CustomFactors) panel.AddCustomFactor(f.Name, await store.ReadCustomFactorAsync(f.Name, ct));
        return panel;
    }

    /// <summary>
    /// Builds a panel from bars in memory (tests, synthetic markets), with valuations and financial reports when
    /// given (rows of symbols or days outside the bars are ignored).
    /// </summary>
    public static MarketPanel FromBars(BarTable bars, IEnumerable<StockInfo>? stocks = null,
        IEnumerable<Valuation>? valuations = null, IEnumerable<FinancialReport>? financials = null)
    {
        var days = bars.Date.AsSpan(0, bars.Count).ToArray().Distinct().Order().ToArray();
        var symbols = bars.Symbol.AsSpan(0, bars.Count).ToArray().Distinct().Order().ToArray();
        var panel = new MarketPanel(days.Select(DateOnly.FromDayNumber).ToArray(), symbols.Select(Symbol.FromPacked).ToArray(),
            stocks?.ToDictionary(s => s.Symbol));
        int firstDay = days.Length > 0 ? days[0] : 0;
        var dayOf = new int[days.Length > 0 ? days[^1] - firstDay + 1 : 0];
        Array.Fill(dayOf, -1);
        for (int i = 0; i < days.Length; i++) dayOf[days[i] - firstDay] = i;
        var symbolOf = symbols.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        panel.Scatter(bars, dayOf, firstDay, symbolOf);
        panel.FillSuspensions();

        if (valuations is not null)
        {
            ValuationPanel? v = null;
            foreach (var x in valuations)
            {
                v ??= panel.Valuations = new ValuationPanel(panel.DayCount, panel.SymbolCount);
                int cell = panel.CellOf(x.Symbol.Packed, x.Date.DayNumber, dayOf, firstDay, symbolOf);
                if (cell < 0) continue;
                v.TotalShares[cell] = x.TotalShares;
                v.FloatShares[cell] = x.FloatShares;
                v.TotalMarketValue[cell] = x.TotalMarketValue;
                v.CirculatingMarketValue[cell] = x.CirculatingMarketValue;
                v.PeTtm[cell] = x.PeTtm;
                v.Pb[cell] = x.Pb;
                v.TurnoverRate[cell] = x.TurnoverRate;
            }
            if (v is not null) panel.CarryValuationsOverSuspensions();
        }
        if (financials is not null)
        {
            var list = financials as IReadOnlyCollection<FinancialReport> ?? financials.ToList();
            if (list.Count > 0) panel.Financials = panel.BuildFinancials(list);
        }
        return panel;
    }

    /// <summary>The cell of (packed symbol, day number), or −1 when the panel has no such symbol or trading day.</summary>
    private int CellOf(int packedSymbol, int dayNumber, int[] dayOf, int firstDay, Dictionary<int, int> symbolOf)
    {
        int offset = dayNumber - firstDay;
        if ((uint)offset >= (uint)dayOf.Length || dayOf[offset] < 0 || !symbolOf.TryGetValue(packedSymbol, out var s)) return -1;
        return s * Dates.Length + dayOf[offset];
    }

    /// <summary>Reports grouped by the panel's symbol index (reports of other symbols are dropped).</summary>
    private FinancialHistory BuildFinancials(IEnumerable<FinancialReport> reports)
    {
        var bySymbol = new List<FinancialReport>[Symbols.Length];
        for (int i = 0; i < bySymbol.Length; i++) bySymbol[i] = [];
        foreach (var r in reports)
            if (_symbolIndex.TryGetValue(r.Symbol, out var s)) bySymbol[s].Add(r);
        return new FinancialHistory(bySymbol);
    }

    /// <summary>
    /// On an explicit suspended day without a valuation row, the last valuation carries forward (shares, market
    /// values, PE, PB: the price carries too); turnover is zero, as nothing traded.
    /// </summary>
    private void CarryValuationsOverSuspensions()
    {
        var v = Valuations!;
        int days = Dates.Length;
        for (int s = 0; s < Symbols.Length; s++)
        {
            int b = s * days;
            for (int d = 1; d < days; d++)
            {
                int c = b + d;
                if ((Flags[c] & (byte)BarFlags.Suspended) == 0 || HasValuation(v, c) || !HasValuation(v, c - 1)) continue;
                v.TotalShares[c] = v.TotalShares[c - 1];
                v.FloatShares[c] = v.FloatShares[c - 1];
                v.TotalMarketValue[c] = v.TotalMarketValue[c - 1];
                v.CirculatingMarketValue[c] = v.CirculatingMarketValue[c - 1];
                v.PeTtm[c] = v.PeTtm[c - 1];
                v.Pb[c] = v.Pb[c - 1];
                v.TurnoverRate[c] = 0.0;
            }
        }

        static bool HasValuation(ValuationPanel v, int c) =>
            !(double.IsNaN(v.TotalShares[c]) && double.IsNaN(v.FloatShares[c]) && double.IsNaN(v.TotalMarketValue[c])
              && double.IsNaN(v.CirculatingMarketValue[c]) && double.IsNaN(v.PeTtm[c]) && double.IsNaN(v.Pb[c]) && double.IsNaN(v.TurnoverRate[c]));
    }

    private void Scatter(BarTable chunk, int[] dayOf, int firstDay, Dictionary<int, int> symbolOf)
    {
        int days = Dates.Length;
        int lastPacked = int.MinValue, baseCell = 0;
        for (int i = 0; i < chunk.Count; i++)
        {
            if (chunk.Symbol[i] != lastPacked)
            {
                lastPacked = chunk.Symbol[i];
                baseCell = symbolOf[lastPacked] * days;
            }
            int c = baseCell + dayOf[chunk.Date[i] - firstDay];
            Open[c] = chunk.Open[i] / 100.0;
            High[c] = chunk.High[i] / 100.0;
            Low[c] = chunk.Low[i] / 100.0;
            Close[c] = chunk.Close[i] / 100.0;
            PreClose[c] = chunk.PreClose[i] > 0 ? chunk.PreClose[i] / 100.0 : double.NaN;
            Volume[c] = chunk.Volume[i];
            Amount[c] = chunk.Amount[i];
            AdjFactor[c] = chunk.AdjFactor[i];
            if (chunk.UpLimit[i] > 0) { UpLimit[c] = chunk.UpLimit[i] / 100.0; DownLimit[c] = chunk.DownLimit[i] / 100.0; }
            Flags[c] = chunk.Flags[i];
        }
    }

    /// <summary>
    /// Makes suspended days explicit: between a symbol's first and last bar, and after its last bar while it is
    /// still listed (reference data without a delisting date), a day without a bar is suspended. Prices carry the
    /// last close, volume and amount are zero, the factor carries.
    /// </summary>
    private void FillSuspensions()
    {
        int days = Dates.Length;
        Parallel.For(0, Symbols.Length, s =>
        {
            int b = s * days;
            int first = -1, last = -1;
            for (int d = 0; d < days; d++)
                if ((Flags[b + d] & (byte)BarFlags.NotListed) == 0) { if (first < 0) first = d; last = d; }
            if (first < 0) return;
            int end = last;
            if (Stocks.TryGetValue(Symbols[s], out var info) && info.Name.Length > 0)
            {
                end = days - 1;
                if (info.DelistDate is { } delisted)
                    while (end > last && Dates[end] >= delisted) end--;
            }
            for (int d = first + 1; d <= end; d++)
            {
                int c = b + d;
                if ((Flags[c] & (byte)BarFlags.NotListed) == 0) continue;
                double close = Close[c - 1];
                Open[c] = High[c] = Low[c] = Close[c] = PreClose[c] = close;
                Volume[c] = 0;
                Amount[c] = 0;
                AdjFactor[c] = AdjFactor[c - 1];
                Flags[c] = (byte)((BarFlags)Flags[c - 1] & BarFlags.St | BarFlags.Suspended);
            }
        });
    }
}
