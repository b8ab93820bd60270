using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Research.Factors;

namespace Trading.Research.Tests.Factors;

/// <summary>
/// Three stocks over six days, small enough to check every factor by hand.
/// <code>
/// day            d0 01-02  d1 01-03  d2 01-04  d3 01-05  d4 01-08  d5 01-09
/// A close        10        11        10.5      12        11        12.1      ex-date d2: adj 1 → 1.1
///   adj close    10        11        11.55     13.2      12.1      13.31
/// B close        20        21        (susp.)   22        23        24        suspended d2: close 21 carried
/// C close        —         5         5.5       5.5       6         6         lists d1 (not listed d0)
/// </code>
/// Volume 100 shares a day for all, amount = close × 100. Valuations: shares A 20,000 total / 10,000 float,
/// B 50,000 / 40,000, C 1,000 / 500; total market value = close × total shares except B on d5 (missing);
/// PE A 20, B −5, C missing; PB A 2, B 4, C −1; turnover % A 1.0 1.1 1.05 1.2 (missing) 0.8, B 0.5 0.5 – 0.5 0.7 0.6,
/// C – 2.0 2.0 2.0 2.2 2.4. Reports: A Q3 (ann 01-03: ROE 5, profit YoY 10, revenue YoY 3), A annual (ann 01-05:
/// 8, 12, 4), A Q3 restated (ann 01-08: 6, 15, 5); C annual (ann 01-04: ROE missing, −20, 7); B none.
/// Industries: A and C "Banks", B "Real Estate".
/// </summary>
internal static class TinyMarket
{
    public static readonly Symbol A = Symbol.Parse("000001.SZ"), B = Symbol.Parse("000002.SZ"), C = Symbol.Parse("600000.SH");

    public static readonly DateOnly[] Days =
    [
        new(2024, 1, 2), new(2024, 1, 3), new(2024, 1, 4), new(2024, 1, 5), new(2024, 1, 8), new(2024, 1, 9),
    ];

    public static MarketPanel Panel(bool valuations = true, bool financials = true)
    {
        var bars = new BarTable();
        var rows = new List<Valuation>();
        decimal?[] a = [10m, 11m, 10.5m, 12m, 11m, 12.1m], b = [20m, 21m, null, 22m, 23m, 24m], c = [null, 5m, 5.5m, 5.5m, 6m, 6m];
        double[] adjA = [1.0, 1.0, 1.1, 1.1, 1.1, 1.1];
        double[] turnA = [1.0, 1.1, 1.05, 1.2, double.NaN, 0.8], turnB = [0.5, 0.5, double.NaN, 0.5, 0.7, 0.6], turnC = [double.NaN, 2.0, 2.0, 2.0, 2.2, 2.4];
        Add(A, a, adjA, 20_000, 10_000, 20, 2, turnA);
        Add(B, b, [1, 1, 1, 1, 1, 1], 50_000, 40_000, -5, 4, turnB);
        Add(C, c, [1, 1, 1, 1, 1, 1], 1_000, 500, double.NaN, -1, turnC);

        var reports = new List<FinancialReport>
        {
            new(A, new(2024, 1, 3), new(2023, 9, 30), 5, 10, 3, 0.1, 5),
            new(A, new(2024, 1, 5), new(2023, 12, 31), 8, 12, 4, 0.2, 5),
            new(A, new(2024, 1, 8), new(2023, 9, 30), 6, 15, 5, 0.1, 5),
            new(C, new(2024, 1, 4), new(2023, 12, 31), double.NaN, -20, 7, 0.3, 4),
        };
        var stocks = new[]
        {
            new StockInfo(A, "平安银行", "Banks", new(2000, 1, 1), null, []),
            new StockInfo(B, "万科A", "Real Estate", new(2000, 1, 1), null, []),
            new StockInfo(C, "浦发银行", "Banks", Days[1], null, []),
        };
        return MarketPanel.FromBars(bars, stocks, valuations ? rows : null, financials ? reports : null);

        void Add(Symbol s, decimal?[] close, double[] adj, double total, double floating, double pe, double pb, double[] turnover)
        {
            for (int d = 0; d < Days.Length; d++)
            {
                if (close[d] is not { } px) continue;
                decimal pre = d > 0 && close[d - 1] is { } p ? p : px;
                bars.Add(new DailyBar(s, Days[d], px, px, px, px, pre, 100, px * 100, adj[d]));
                double mv = s == B && d == 5 ? double.NaN : (double)px * total;
                rows.Add(new Valuation(s, Days[d], total, floating, mv, (double)px * floating, pe, pb, turnover[d]));
            }
        }
    }

    /// <summary>The factor on one day, by symbol.</summary>
    public static (double A, double B, double C) On(MarketPanel panel, IFactor factor, int day)
    {
        var f = FactorEngine.Compute(panel, factor);
        return (f[day, panel.SymbolIndex(A)], f[day, panel.SymbolIndex(B)], f[day, panel.SymbolIndex(C)]);
    }
}
