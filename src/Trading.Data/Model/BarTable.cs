using Trading.Domain.Instruments;

namespace Trading.Data.Model;

/// <summary>
/// Daily bars as columns (structure of arrays): what the store writes and reads and what panels are built from.
/// Prices are held as whole fen (int) so they stay exact; dates as <see cref="DateOnly.DayNumber"/>. Rows are kept
/// sorted by (symbol, date) after <see cref="SortAndDeduplicate"/>.
/// </summary>
public sealed class BarTable
{
    public int Count { get; private set; }
    public int[] Symbol = [];
    public int[] Date = [];
    public int[] Open = [], High = [], Low = [], Close = [], PreClose = [], UpLimit = [], DownLimit = [];
    public long[] Volume = [];
    public double[] Amount = [];
    public double[] AdjFactor = [];
    public byte[] Flags = [];
    /// <summary>Where each row came from (file index &lt;&lt; 32 | line) while an import runs; null otherwise. Not stored.</summary>
    public long[]? Tag;

    public BarTable(int capacity = 0) => Resize(Math.Max(capacity, 16));

    public int Capacity => Date.Length;

    private void Resize(int capacity)
    {
        Array.Resize(ref Symbol, capacity);
        Array.Resize(ref Date, capacity);
        Array.Resize(ref Open, capacity);
        Array.Resize(ref High, capacity);
        Array.Resize(ref Low, capacity);
        Array.Resize(ref Close, capacity);
        Array.Resize(ref PreClose, capacity);
        Array.Resize(ref UpLimit, capacity);
        Array.Resize(ref DownLimit, capacity);
        Array.Resize(ref Volume, capacity);
        Array.Resize(ref Amount, capacity);
        Array.Resize(ref AdjFactor, capacity);
        Array.Resize(ref Flags, capacity);
        if (Tag is not null) Array.Resize(ref Tag, capacity);
    }

    /// <summary>Start tracking row origins (see <see cref="Tag"/>); rows already present get −1.</summary>
    public void TrackOrigins()
    {
        if (Tag is not null) return;
        Tag = new long[Capacity];
        Array.Fill(Tag, -1L);
    }

    /// <summary>Shrinks the arrays to <see cref="Count"/>.</summary>
    public void TrimExcess()
    {
        if (Capacity != Count) Resize(Count);
    }

    public static int ToFen(decimal price)
    {
        var fen = price * 100m;
        if (fen != decimal.Truncate(fen)) throw new ArgumentException($"Price {price} is not on the 0.01 tick.", nameof(price));
        if (fen > int.MaxValue || fen < 0) throw new ArgumentOutOfRangeException(nameof(price), price, "Price outside 0..21,474,836.47 CNY.");
        return (int)fen;
    }

    public static decimal FromFen(int fen) => fen / 100m;

    public void Add(in DailyBar bar)
    {
        if (Count == Capacity) Resize(Capacity * 2);
        int i = Count++;
        Symbol[i] = bar.Symbol.Packed;
        Date[i] = bar.Date.DayNumber;
        Open[i] = ToFen(bar.Open);
        High[i] = ToFen(bar.High);
        Low[i] = ToFen(bar.Low);
        Close[i] = ToFen(bar.Close);
        PreClose[i] = ToFen(bar.PreClose);
        UpLimit[i] = ToFen(bar.UpLimit);
        DownLimit[i] = ToFen(bar.DownLimit);
        Volume[i] = bar.Volume;
        Amount[i] = (double)bar.Amount;
        AdjFactor[i] = bar.AdjFactor;
        Flags[i] = (byte)bar.Flags;
        if (Tag is not null) Tag[i] = -1;
    }

    /// <summary>Appends a row given in fen, as the synthetic generator and the store reader do.</summary>
    public void AddRaw(int symbol, int dayNumber, int open, int high, int low, int close, int preClose, long volume,
        double amount, double adjFactor, BarFlags flags, int upLimit, int downLimit, long tag = -1)
    {
        if (Count == Capacity) Resize(Capacity * 2);
        int i = Count++;
        Symbol[i] = symbol; Date[i] = dayNumber;
        Open[i] = open; High[i] = high; Low[i] = low; Close[i] = close; PreClose[i] = preClose;
        Volume[i] = volume; Amount[i] = amount; AdjFactor[i] = adjFactor; Flags[i] = (byte)flags;
        UpLimit[i] = upLimit; DownLimit[i] = downLimit;
        if (Tag is not null) Tag[i] = tag;
    }

    /// <summary>Adopts whole column arrays (the store's reader hands over what Parquet decoded, without copying).</summary>
    public void SetColumns(int count, int[] symbol, int[] date, int[] open, int[] high, int[] low, int[] close, int[] preClose,
        long[] volume, double[] amount, double[] adjFactor, byte[] flags, int[] upLimit, int[] downLimit)
    {
        Count = count;
        Symbol = symbol; Date = date; Open = open; High = high; Low = low; Close = close; PreClose = preClose;
        Volume = volume; Amount = amount; AdjFactor = adjFactor; Flags = flags; UpLimit = upLimit; DownLimit = downLimit;
        Tag = null;
    }

    public DailyBar this[int i] => new(
        Trading.Domain.Instruments.Symbol.FromPacked(Symbol[i]),
        DateOnly.FromDayNumber(Date[i]),
        FromFen(Open[i]), FromFen(High[i]), FromFen(Low[i]), FromFen(Close[i]), FromFen(PreClose[i]),
        Volume[i], (decimal)Amount[i], AdjFactor[i], (BarFlags)Flags[i], FromFen(UpLimit[i]), FromFen(DownLimit[i]));

    public IEnumerable<DailyBar> Rows()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    /// <summary>
    /// Sorts rows by (symbol, date). Where a key repeats, keeps the row added last (later imports win) and
    /// returns how many were replaced.
    /// </summary>
    public int SortAndDeduplicate()
    {
        var keys = new long[Count];
        var order = new int[Count];
        for (int i = 0; i < Count; i++)
        {
            keys[i] = ((long)Symbol[i] << 32) | (uint)Date[i];
            order[i] = i;
        }
        // Stable by original index: sort (key, index) pairs.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        int kept = 0, replaced = 0;
        var permutation = new int[Count];
        for (int k = 0; k < order.Length; k++)
        {
            bool lastOfKey = k + 1 == order.Length || keys[order[k + 1]] != keys[order[k]];
            if (lastOfKey) permutation[kept++] = order[k];
            else replaced++;
        }
        Apply(permutation.AsSpan(0, kept));
        return replaced;
    }

    private void Apply(ReadOnlySpan<int> rows)
    {
        static T[] Pick<T>(T[] src, ReadOnlySpan<int> rows)
        {
            var dst = new T[rows.Length];
            for (int i = 0; i < rows.Length; i++) dst[i] = src[rows[i]];
            return dst;
        }
        Symbol = Pick(Symbol, rows); Date = Pick(Date, rows);
        Open = Pick(Open, rows); High = Pick(High, rows); Low = Pick(Low, rows); Close = Pick(Close, rows);
        PreClose = Pick(PreClose, rows); UpLimit = Pick(UpLimit, rows); DownLimit = Pick(DownLimit, rows);
        Volume = Pick(Volume, rows); Amount = Pick(Amount, rows); AdjFactor = Pick(AdjFactor, rows); Flags = Pick(Flags, rows);
        if (Tag is not null) Tag = Pick(Tag, rows);
        Count = rows.Length;
    }

    /// <summary>Concatenates tables (later tables' rows win on repeated keys after <see cref="SortAndDeduplicate"/>).</summary>
    public static BarTable Concat(params BarTable[] tables)
    {
        var result = new BarTable(tables.Sum(t => t.Count));
        if (tables.Any(t => t.Tag is not null)) result.TrackOrigins();
        foreach (var t in tables)
            for (int i = 0; i < t.Count; i++)
                result.AddRaw(t.Symbol[i], t.Date[i], t.Open[i], t.High[i], t.Low[i], t.Close[i], t.PreClose[i],
                    t.Volume[i], t.Amount[i], t.AdjFactor[i], (BarFlags)t.Flags[i], t.UpLimit[i], t.DownLimit[i],
                    t.Tag?[i] ?? -1);
        return result;
    }
}
