using Trading.Data.Model;

namespace Trading.Data.Panel;

/// <summary>Daily valuations as dates × symbols, laid out like <see cref="MarketPanel"/> (symbol-major); NaN where missing.</summary>
public sealed class ValuationPanel
{
    public ValuationPanel(int days, int symbols)
    {
        int n = checked(days * symbols);
        TotalShares = NaNs(n); FloatShares = NaNs(n); TotalMarketValue = NaNs(n); CirculatingMarketValue = NaNs(n);
        PeTtm = NaNs(n); Pb = NaNs(n); TurnoverRate = NaNs(n);
    }

    private static double[] NaNs(int n) => LargeArrays.Filled(n, double.NaN);

    public readonly double[] TotalShares, FloatShares, TotalMarketValue, CirculatingMarketValue, PeTtm, Pb, TurnoverRate;
}

/// <summary>
/// Financial reports per symbol in announcement order, for point-in-time lookups: on a date only reports announced
/// on or before it are visible (factors are computed after the close, so a same-day announcement counts).
/// Where a report is restated, the latest announcement of the period wins from its own date on.
/// </summary>
public sealed class FinancialHistory
{
    private readonly FinancialReport[][] _bySymbol;

    /// <param name="reports">Reports per symbol index of the panel (any order).</param>
    public FinancialHistory(IReadOnlyList<IEnumerable<FinancialReport>> reports)
    {
        _bySymbol = reports.Select(r => r.OrderBy(x => x.AnnDate).ThenBy(x => x.EndDate).ToArray()).ToArray();
    }

    public int SymbolCount => _bySymbol.Length;

    public ReadOnlySpan<FinancialReport> All(int symbol) => _bySymbol[symbol];

    /// <summary>The most recent report period known on <paramref name="asOf"/> (latest announcement of the latest period).</summary>
    public bool TryLatest(int symbol, DateOnly asOf, out FinancialReport report)
    {
        report = default;
        bool found = false;
        foreach (var r in _bySymbol[symbol])
        {
            if (r.AnnDate > asOf) break;
            if (!found || r.EndDate >= report.EndDate) { report = r; found = true; }
        }
        return found;
    }

    /// <summary>
    /// As <see cref="TryLatest(int, DateOnly, out FinancialReport)"/>, among the reports that carry
    /// <paramref name="part"/>: a source announced on another day than the others (an income statement's f_ann_date
    /// after fina_indicator's ann_date) is its own announcement, and a factor of one source must not read the
    /// other's as missing.
    /// </summary>
    public bool TryLatest(int symbol, DateOnly asOf, ReportParts part, out FinancialReport report)
    {
        report = default;
        bool found = false;
        foreach (var r in _bySymbol[symbol])
        {
            if (r.AnnDate > asOf) break;
            if (!r.Carries(part)) continue;
            if (!found || r.EndDate >= report.EndDate) { report = r; found = true; }
        }
        return found;
    }
}
