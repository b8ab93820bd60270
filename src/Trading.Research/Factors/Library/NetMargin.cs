using Trading.Data.Model;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>net_margin</c>: net income attributable to the parent (n_income_attr_p) / operating revenue (revenue), in %,
/// both year to date of the same consolidated income statement, the latest known today (TuShare <c>income</c>) — see
/// <see cref="ReportedFigure"/> for the point-in-time rule. Higher = more profitable per yuan sold. NaN without a
/// positive revenue (a bank's or an insurer's statement may lack it). Unavailable without financial reports; NaN
/// for every stock when the store holds no income statements.
/// </summary>
public sealed class NetMargin : IPerStockFactor
{
    public string Name => "net_margin";

    public PanelContents Needs => PanelContents.Financials;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsFinancials(panel, "income statements");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output) =>
        ReportedFigure.Compute(view, firstSymbol, output, ReportParts.Income,
            r => r.Revenue > 0 ? r.NetIncomeToParent / r.Revenue * 100.0 : double.NaN);
}
