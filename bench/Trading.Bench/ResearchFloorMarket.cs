using Parquet;
using Parquet.Schema;
using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Domain.Instruments;
using Trading.Research.Universe;

namespace Trading.Bench;

/// <summary>
/// The bars as dates × symbols arrays (date-major: a day's cross-section is one contiguous row): back-adjusted
/// close, flags (with <see cref="ClosedAtLimitUp"/>), and amount when the universe has a liquidity rule. A day
/// without a bar after a symbol's first bar is suspended: the adjusted close carries, as in a MarketPanel.
/// </summary>
internal sealed class FloorMarket
{
    /// <summary>Bit set in a cell's flags when the bar closed at its limit-up price (BarFlags stops at 16).</summary>
    public const byte ClosedAtLimitUp = 0x80;

    public int Days, Symbols;
    public long BarsRead;
    public DateOnly[] Dates = [];
    public double[] AdjClose = [];
    public double[]? Amount;
    public byte[] Flags = [];
    /// <summary>Each symbol's listing as a day index (negative before the data), as UniverseFilter counts listed days.</summary>
    public int[] ListIndex = [];
    public List<string> Columns = [];

    public ReadOnlySpan<T> Row<T>(T[] field, int day) => field.AsSpan(day * Symbols, Symbols);

    /// <summary>The index of the first day on or after <paramref name="date"/> (Days when none).</summary>
    public int FirstDayOnOrAfter(DateOnly date)
    {
        int i = Array.BinarySearch(Dates, date);
        return i >= 0 ? i : ~i;
    }

    public static async Task<FloorMarket> LoadAsync(MarketStore store, UniverseFilter universe)
    {
        var manifest = store.Manifest;
        var m = new FloorMarket { Days = manifest.Days.Length, Symbols = manifest.Symbols.Length };
        m.Dates = manifest.Days.Select(DateOnly.FromDayNumber).ToArray();
        long cells = (long)m.Days * m.Symbols;
        if (cells > Array.MaxLength) throw new InvalidOperationException($"{m.Days} days × {m.Symbols} symbols is too large.");
        m.AdjClose = GC.AllocateUninitializedArray<double>((int)cells);
        Array.Fill(m.AdjClose, double.NaN);
        m.Flags = new byte[cells];
        Array.Fill(m.Flags, (byte)BarFlags.NotListed);
        if (universe.MinAverageAmount > 0) m.Amount = new double[cells];
        var columns = new BarColumns(universe.ExcludeLimitUp, m.Amount is not null);
        m.Columns = columns.Names;

        int firstDay = manifest.Days.Length > 0 ? manifest.Days[0] : 0;
        var dayOf = new int[manifest.Days.Length > 0 ? manifest.Days[^1] - firstDay + 1 : 0];
        for (int i = 0; i < manifest.Days.Length; i++) dayOf[manifest.Days[i] - firstDay] = i;
        var symbolOf = new Dictionary<int, int>(m.Symbols);
        for (int i = 0; i < manifest.Symbols.Length; i++) symbolOf[manifest.Symbols[i]] = i;

        // Row groups are decoded on every core at once, each reader on its own file handle; cells never overlap.
        var path = Path.Combine(store.VersionDirectory, "bars.parquet");
        int groups;
        await using (var probe = await ParquetReader.CreateAsync(File.OpenRead(path))) groups = probe.RowGroupCount;
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, groups));
        var read = new long[workers];
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            await using var reader = await ParquetReader.CreateAsync(fs);
            var buffer = new BarColumns(columns.LimitUp, columns.WithAmount);
            for (int g = w; g < groups; g += workers)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = checked((int)rg.RowCount);
                await buffer.ReadAsync(reader, rg, n);
                m.Scatter(buffer, n, dayOf, firstDay, symbolOf);
                read[w] += n;
            }
        })));
        m.BarsRead = read.Sum();
        m.CarryOverSuspensions();
        m.ListIndex = universe.MinListedDays > 0 ? await ListIndexAsync(store, m) : new int[m.Symbols];
        return m;
    }

    private void Scatter(BarColumns c, int n, int[] dayOf, int firstDay, Dictionary<int, int> symbolOf)
    {
        int last = int.MinValue, symbol = 0;
        for (int i = 0; i < n; i++)
        {
            if (c.Symbol[i] != last) { last = c.Symbol[i]; symbol = symbolOf[last]; }
            long cell = (long)dayOf[c.Date[i] - firstDay] * Symbols + symbol;
            AdjClose[cell] = c.Close[i] / 100.0 * c.AdjFactor[i];
            byte flags = (byte)c.Flags[i];
            if (c.UpLimit is { } up && up[i] > 0 && c.Close[i] >= up[i]) flags |= ClosedAtLimitUp;
            Flags[cell] = flags;
            if (Amount is not null) Amount[cell] = c.Amount![i];
        }
    }

    /// <summary>A cell without a bar after the symbol's first bar is a suspended day: the price carries, ST carries, amount 0.</summary>
    private void CarryOverSuspensions()
    {
        for (int d = 1; d < Days; d++)
        {
            var price = AdjClose.AsSpan(d * Symbols, Symbols);
            var flags = Flags.AsSpan(d * Symbols, Symbols);
            ReadOnlySpan<double> previousPrice = AdjClose.AsSpan((d - 1) * Symbols, Symbols);
            ReadOnlySpan<byte> previousFlags = Flags.AsSpan((d - 1) * Symbols, Symbols);
            for (int s = 0; s < Symbols; s++)
                if ((flags[s] & (byte)BarFlags.NotListed) != 0 && !double.IsNaN(previousPrice[s]))
                {
                    price[s] = previousPrice[s];
                    flags[s] = (byte)(BarFlags.Suspended | ((BarFlags)previousFlags[s] & BarFlags.St));
                }
        }
    }

    /// <summary>
    /// Listing day indexes as UniverseFilter.ListIndex computes them: the list date from stocks.parquet (before the
    /// data: 242 trading days a year back), else the first day with a bar (the first day of the data: long ago).
    /// </summary>
    private static async Task<int[]> ListIndexAsync(MarketStore store, FloorMarket m)
    {
        var listed = new Dictionary<int, int?>();
        await using (var fs = new FileStream(Path.Combine(store.VersionDirectory, "stocks.parquet"), FileMode.Open, FileAccess.Read, FileShare.Read))
        await using (var reader = await ParquetReader.CreateAsync(fs))
        {
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int n = checked((int)rg.RowCount);
                var symbols = new string?[n];
                var dates = new int?[n];
                await rg.ReadAsync(ParquetColumns.Field(reader, "symbol"), symbols.AsMemory());
                await rg.ReadAsync<int>(ParquetColumns.Field(reader, "list_date"), dates.AsMemory());
                for (int i = 0; i < n; i++) listed[Symbol.Parse(symbols[i]!).Packed] = dates[i];
            }
        }
        var manifest = store.Manifest;
        var result = new int[m.Symbols];
        DateOnly first = m.Dates[0];
        for (int s = 0; s < m.Symbols; s++)
        {
            if (listed.TryGetValue(manifest.Symbols[s], out var day) && day is { } number)
            {
                var date = DateOnly.FromDayNumber(number);
                int i = Array.BinarySearch(m.Dates, date);
                result[s] = i >= 0 ? i
                    : date < first ? -(int)Math.Ceiling((first.DayNumber - date.DayNumber) * 242.0 / 365.0)
                    : Math.Min(~i, m.Days - 1);
                continue;
            }
            int d = 0;
            while (d < m.Days && (m.Flags[(long)d * m.Symbols + s] & (byte)BarFlags.NotListed) != 0) d++;
            result[s] = d == 0 ? int.MinValue / 2 : d;
        }
        return result;
    }
}

/// <summary>Columns of the store's Parquet files by name.</summary>
internal static class ParquetColumns
{
    /// <summary>A column of the file's own schema, by name (Parquet.Net reads a field only through the schema it belongs to).</summary>
    public static DataField Field(ParquetReader reader, string name) =>
        reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == name) ?? throw new InvalidOperationException($"The store's file has no column '{name}'.");
}

/// <summary>One row group's worth of the columns read (buffers reused from group to group).</summary>
internal sealed class BarColumns(bool limitUp, bool withAmount)
{
    public bool LimitUp => limitUp;
    public bool WithAmount => withAmount;
    public int[] Symbol = [], Date = [], Close = [], Flags = [];
    public int[]? UpLimit;
    public double[] AdjFactor = [];
    public double[]? Amount;

    public List<string> Names
    {
        get
        {
            List<string> names = ["symbol", "date", "close", "adj_factor", "flags"];
            if (withAmount) names.Add("amount");
            if (limitUp) names.Add("up_limit");
            return names;
        }
    }

    public async Task ReadAsync(ParquetReader reader, ParquetRowGroupReader rg, int n)
    {
        if (Symbol.Length < n)
        {
            Symbol = new int[n]; Date = new int[n]; Close = new int[n]; Flags = new int[n]; AdjFactor = new double[n];
            if (limitUp) UpLimit = new int[n];
            if (withAmount) Amount = new double[n];
        }
        await rg.ReadAsync<int>(ParquetColumns.Field(reader, "symbol"), Symbol.AsMemory(0, n));
        await rg.ReadAsync<int>(ParquetColumns.Field(reader, "date"), Date.AsMemory(0, n));
        await rg.ReadAsync<int>(ParquetColumns.Field(reader, "close"), Close.AsMemory(0, n));
        await rg.ReadAsync<double>(ParquetColumns.Field(reader, "adj_factor"), AdjFactor.AsMemory(0, n));
        await rg.ReadAsync<int>(ParquetColumns.Field(reader, "flags"), Flags.AsMemory(0, n));
        if (UpLimit is not null) await rg.ReadAsync<int>(ParquetColumns.Field(reader, "up_limit"), UpLimit.AsMemory(0, n));
        if (Amount is not null) await rg.ReadAsync<double>(ParquetColumns.Field(reader, "amount"), Amount.AsMemory(0, n));
    }
}
