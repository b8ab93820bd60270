using Trading.Data.Model;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>quality_roe</c>: return on equity in % (year to date, on average equity), as reported (<c>FinancialReport.Roe</c>) of the latest report known today — see
/// <see cref="ReportedFigure"/> for the point-in-time rule. Unavailable without financial reports.
/// </summary>
public sealed class ReturnOnEquity : IPerStockFactor
{
    public string Name => "quality_roe";

    public PanelContents Needs => PanelContents.Financials;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsFinancials(panel, "ROE");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output) => ReportedFigure.Compute(view, firstSymbol, output, ReportParts.Indicators, r => r.Roe);
}
