using System.Text.Json.Serialization;
using Trading.Data.Model;
using Trading.Domain.Instruments;

namespace Trading.Data.Store;

/// <summary>What <c>trading data info</c> reports about a store.</summary>
public sealed record StoreSummary
{
    [JsonPropertyName("store")] public string Store { get; init; } = "";
    [JsonPropertyName("version")] public int Version { get; init; }
    [JsonPropertyName("symbols")] public int Symbols { get; init; }
    [JsonPropertyName("bars")] public long Bars { get; init; }
    [JsonPropertyName("first_date")] public string? FirstDate { get; init; }
    [JsonPropertyName("last_date")] public string? LastDate { get; init; }
    [JsonPropertyName("trading_days")] public int TradingDays { get; init; }
    [JsonPropertyName("boards")] public SortedDictionary<string, BoardCount> Boards { get; init; } = [];
    [JsonPropertyName("stocks_with_reference")] public int StocksWithReference { get; init; }
    /// <summary>Symbol-days without a bar between a symbol's first and last bar (suspensions).</summary>
    [JsonPropertyName("gap_days")] public long GapDays { get; init; }
    [JsonPropertyName("symbols_with_gaps")] public int SymbolsWithGaps { get; init; }
    [JsonPropertyName("longest_gap")] public GapInfo? LongestGap { get; init; }
    [JsonPropertyName("st_bars")] public long StBars { get; init; }
    [JsonPropertyName("no_limit_bars")] public long NoLimitBars { get; init; }
    [JsonPropertyName("limit_up_closes")] public long LimitUpCloses { get; init; }
    [JsonPropertyName("limit_down_closes")] public long LimitDownCloses { get; init; }
    [JsonPropertyName("valuations")] public long Valuations { get; init; }
    [JsonPropertyName("financial_reports")] public int FinancialReports { get; init; }
    [JsonPropertyName("index_series")] public SortedDictionary<string, IndexSeries> IndexSeriesByCode { get; init; } = [];
    /// <summary>Imported custom factors (<c>trading factors import</c>): name, rows, dates, source.</summary>
    [JsonPropertyName("custom_factors")] public CustomFactorEntry[] CustomFactors { get; init; } = [];

    public sealed record BoardCount([property: JsonPropertyName("symbols")] int Symbols, [property: JsonPropertyName("bars")] long Bars);
    public sealed record GapInfo([property: JsonPropertyName("symbol")] string Symbol, [property: JsonPropertyName("from")] string From,
        [property: JsonPropertyName("to")] string To, [property: JsonPropertyName("trading_days")] int TradingDays);
    public sealed record IndexSeries([property: JsonPropertyName("bars")] int Bars, [property: JsonPropertyName("first_date")] string First,
        [property: JsonPropertyName("last_date")] string Last);

    public static async Task<StoreSummary> ComputeAsync(MarketStore store, CancellationToken ct = default)
    {
        var m = store.Manifest;
        var dayIndex = new Dictionary<int, int>(m.Days.Length);
        for (int i = 0; i < m.Days.Length; i++) dayIndex[m.Days[i]] = i;
        var boardSymbols = new Dictionary<Board, HashSet<int>>();
        var boardBars = new Dictionary<Board, long>();
        long gapDays = 0, st = 0, noLimit = 0, up = 0, down = 0;
        var gapSymbols = new HashSet<int>();
        GapInfo? longest = null;
        int prevSymbol = int.MinValue, prevDay = 0;
        await store.ForEachBarChunkAsync(chunk =>
        {
            for (int i = 0; i < chunk.Count; i++)
            {
                int s = chunk.Symbol[i];
                var board = Symbol.FromPacked(s).Board;
                if (!boardSymbols.TryGetValue(board, out var set)) boardSymbols[board] = set = [];
                set.Add(s);
                boardBars[board] = boardBars.GetValueOrDefault(board) + 1;
                var flags = (BarFlags)chunk.Flags[i];
                if ((flags & BarFlags.St) != 0) st++;
                if ((flags & BarFlags.NoLimit) != 0) noLimit++;
                if (chunk.UpLimit[i] > 0 && chunk.Close[i] >= chunk.UpLimit[i]) up++;
                if (chunk.DownLimit[i] > 0 && chunk.Close[i] <= chunk.DownLimit[i]) down++;
                if (s == prevSymbol)
                {
                    int gap = dayIndex[chunk.Date[i]] - dayIndex[prevDay] - 1;
                    if (gap > 0)
                    {
                        gapDays += gap;
                        gapSymbols.Add(s);
                        if (longest is null || gap > longest.TradingDays)
                            longest = new GapInfo(Symbol.FromPacked(s).ToString(), Iso(m.Days[dayIndex[prevDay] + 1]), Iso(m.Days[dayIndex[chunk.Date[i]] - 1]), gap);
                    }
                }
                prevSymbol = s;
                prevDay = chunk.Date[i];
            }
        }, ct);
        var stocks = await store.ReadStocksAsync(ct);
        var barSymbols = m.Symbols.ToHashSet();
        var index = await store.ReadIndexAsync(ct);
        return new StoreSummary
        {
            Store = store.Root,
            Version = m.Version,
            Symbols = m.Symbols.Length,
            Bars = m.Bars,
            FirstDate = m.Days.Length > 0 ? Iso(m.Days[0]) : null,
            LastDate = m.Days.Length > 0 ? Iso(m.Days[^1]) : null,
            TradingDays = m.Days.Length,
            Boards = new(boardSymbols.ToDictionary(kv => kv.Key.DisplayName(), kv => new BoardCount(kv.Value.Count, boardBars[kv.Key]))),
            StocksWithReference = stocks.Count(s => barSymbols.Contains(s.Symbol.Packed) && s.Name.Length > 0),
            GapDays = gapDays,
            SymbolsWithGaps = gapSymbols.Count,
            LongestGap = longest,
            StBars = st,
            NoLimitBars = noLimit,
            LimitUpCloses = up,
            LimitDownCloses = down,
            Valuations = m.Valuations,
            FinancialReports = m.FinancialReports,
            CustomFactors = m.CustomFactors,
            IndexSeriesByCode = new(index.GroupBy(b => b.Code).ToDictionary(g => g.Key,
                g => new IndexSeries(g.Count(), g.Min(b => b.Date).ToString("yyyy-MM-dd"), g.Max(b => b.Date).ToString("yyyy-MM-dd")))),
        };
    }

    private static string Iso(int dayNumber) => DateOnly.FromDayNumber(dayNumber).ToString("yyyy-MM-dd");
}
