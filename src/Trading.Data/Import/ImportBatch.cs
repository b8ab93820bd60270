using Trading.Data.Model;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Import;

/// <summary>A name valid over a date range (TuShare namechange): the source of ST history.</summary>
public sealed record NameSpell(Symbol Symbol, string Name, DateOnly Start, DateOnly? End);

/// <summary>A day TuShare's suspend_d says a stock was suspended all day (no suspend_timing), and where it said so.</summary>
public readonly record struct SuspensionRow(Symbol Symbol, DateOnly Date, string File, long Line);

/// <summary>Everything read from an input, validated, before it is merged into a store.</summary>
public sealed class ImportBatch
{
    public ImportBatch()
    {
        Bars.TrackOrigins();
    }

    public List<string> Files { get; } = [];
    public BarTable Bars { get; } = new(1024);
    public List<StockInfo> Stocks { get; } = [];
    public List<IndexBar> IndexBars { get; } = [];
    public List<NameSpell> NameChanges { get; } = [];
    /// <summary>Published limit prices (stk_limit), keyed by (symbol packed, day number), in fen.</summary>
    public Dictionary<(int Symbol, int Day), (int Up, int Down)> PublishedLimits { get; } = [];
    /// <summary>Daily valuations (daily_basic) in input order, units converted; at most one per (symbol, date).</summary>
    public List<Valuation> Valuations { get; } = [];
    /// <summary>Financial reports (fina_indicator) in input order; at most one per (symbol, ann_date, end_date).</summary>
    public List<FinancialReport> Financials { get; } = [];
    /// <summary>Consolidated income statements (income) as reports carrying only <see cref="ReportParts.Income"/>; one per key.</summary>
    public List<FinancialReport> Incomes { get; } = [];
    /// <summary>Consolidated balance sheets (balancesheet) as reports carrying only <see cref="ReportParts.BalanceSheet"/>; one per key.</summary>
    public List<FinancialReport> BalanceSheets { get; } = [];
    /// <summary>Full-day suspensions (suspend_d, suspend_type S), with the file and line that named them; not stored, checked against the bars.</summary>
    public List<SuspensionRow> Suspensions { get; } = [];
    /// <summary>Every trade date a suspend_d file named (suspended or resumed), the days its check covers.</summary>
    public SortedSet<DateOnly> SuspensionDays { get; } = [];
    public ImportReport Report { get; } = new();

    /// <summary>Whether any source of financial reports gave a row.</summary>
    public bool HasReports => Financials.Count > 0 || Incomes.Count > 0 || BalanceSheets.Count > 0;

    /// <summary>The last date a trading date may have (null: no limit); see <see cref="ImportOptions.AllowFutureDates"/>.</summary>
    public DateOnly? LatestDate { get; init; }

    /// <summary>The message for a trading date after <see cref="LatestDate"/>, or null when the date is acceptable.</summary>
    internal string? FutureDateProblem(DateOnly date) =>
        LatestDate is { } last && date > last
            ? $"{date:yyyy-MM-dd} is after {last:yyyy-MM-dd} (today in Shanghai): no trading day can be later; pass --allow-future-dates to accept it"
            : null;

    public static long MakeTag(int fileIndex, long line) => ((long)fileIndex << 32) | (uint)line;

    /// <summary>The file and line a bar came from, for a tag made by <see cref="MakeTag"/>.</summary>
    public (string File, long Line) Origin(long tag) =>
        tag < 0 ? ("(store)", 0) : (Path.GetFileName(Files[(int)(tag >> 32)]), (uint)tag);
}
