using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Domain.Calendar;
using Trading.Domain.Instruments;

namespace Trading.Data.Panel;

public enum PriceField : byte { Open, High, Low, Close, PreClose }

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
    {
        Dates = dates.ToArray();
        Symbols = symbols.ToArray();
        Calendar = new TradingCalendar(Dates);
        Stocks = stocks ?? new Dictionary<Symbol, StockInfo>();
        long cells = (long)Dates.Length * Symbols.Length;
        if (cells > Array.MaxLength) throw new ArgumentException($"A panel of {Dates.Length} days × {Symbols.Length} symbols is too large.");
        int n = (int)cells;
        Open = NaNs(n); High = NaNs(n); Low = NaNs(n); Close = NaNs(n); PreClose = NaNs(n);
        Volume = new double[n]; Amount = new double[n]; AdjFactor = NaNs(n); UpLimit = NaNs(n); DownLimit = NaNs(n);
        Flags = new byte[n];
        Array.Fill(Flags, (byte)BarFlags.NotListed);
        _symbolIndex = new Dictionary<Symbol, int>(Symbols.Length);
        for (int i = 0; i < Symbols.Length; i++) _symbolIndex[Symbols[i]] = i;
    }

    private static double[] NaNs(int n)
    {
        var a = GC.AllocateUninitializedArray<double>(n);
        Array.Fill(a, double.NaN);
        return a;
    }

    private readonly Dictionary<Symbol, int> _symbolIndex;

    public DateOnly[] Dates { get; }
    public Symbol[] Symbols { get; }
    public TradingCalendar Calendar { get; }
    public IReadOnlyDictionary<Symbol, StockInfo> Stocks { get; }
    public int DayCount => Dates.Length;
    public int SymbolCount => Symbols.Length;

    public readonly double[] Open, High, Low, Close, PreClose, Volume, Amount, AdjFactor, UpLimit, DownLimit;
    public readonly byte[] Flags;

    /// <summary>Daily valuations (shares, market value, PE, PB, turnover), or null when the data has none.</summary>
    public ValuationPanel? Valuations { get; set; }

    /// <summary>Point-in-time financial reports, or null when the data has none.</summary>
    public FinancialHistory? Financials { get; set; }

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

    /// <summary>Loads a whole store into a panel, streaming its row groups (no full intermediate copy).</summary>
    public static async Task<MarketPanel> LoadAsync(MarketStore store, CancellationToken ct = default)
    {
        var stocks = (await store.ReadStocksAsync(ct)).ToDictionary(s => s.Symbol);
        var m = store.Manifest;
        var panel = new MarketPanel(m.Days.Select(DateOnly.FromDayNumber).ToArray(), m.Symbols.Select(Symbol.FromPacked).ToArray(), stocks);
        int firstDay = m.Days.Length > 0 ? m.Days[0] : 0;
        var dayOf = new int[m.Days.Length > 0 ? m.Days[^1] - firstDay + 1 : 0];
        for (int i = 0; i < m.Days.Length; i++) dayOf[m.Days[i] - firstDay] = i;
        var symbolOf = new Dictionary<int, int>(m.Symbols.Length);
        for (int i = 0; i < m.Symbols.Length; i++) symbolOf[m.Symbols[i]] = i;

        await store.ForEachBarChunkAsync(chunk =>
        {
            panel.Scatter(chunk, dayOf, firstDay, symbolOf);
            // Parquet decoding leaves large temporary buffers on the large-object heap, which only a full collection
            // frees; with a gigabyte of live panel the runtime waits too long and peak memory doubles. The panel's
            // arrays hold no references, so a full collection per row group costs milliseconds.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }, ct);
        panel.FillSuspensions();
        return panel;
    }

    /// <summary>Builds a panel from bars in memory (tests, synthetic markets).</summary>
    public static MarketPanel FromBars(BarTable bars, IEnumerable<StockInfo>? stocks = null)
    {
        var days = bars.Date.AsSpan(0, bars.Count).ToArray().Distinct().Order().ToArray();
        var symbols = bars.Symbol.AsSpan(0, bars.Count).ToArray().Distinct().Order().ToArray();
        var panel = new MarketPanel(days.Select(DateOnly.FromDayNumber).ToArray(), symbols.Select(Symbol.FromPacked).ToArray(),
            stocks?.ToDictionary(s => s.Symbol));
        int firstDay = days.Length > 0 ? days[0] : 0;
        var dayOf = new int[days.Length > 0 ? days[^1] - firstDay + 1 : 0];
        for (int i = 0; i < days.Length; i++) dayOf[days[i] - firstDay] = i;
        var symbolOf = symbols.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        panel.Scatter(bars, dayOf, firstDay, symbolOf);
        panel.FillSuspensions();
        return panel;
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
        for (int s = 0; s < Symbols.Length; s++)
        {
            int b = s * days;
            int first = -1, last = -1;
            for (int d = 0; d < days; d++)
                if ((Flags[b + d] & (byte)BarFlags.NotListed) == 0) { if (first < 0) first = d; last = d; }
            if (first < 0) continue;
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
        }
    }
}
