using Trading.Data.Model;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>growth_profit</c>: year-on-year growth of year-to-date net profit in %, as reported (<c>FinancialReport.NetProfitYoY</c>) of the latest report known today — see
/// <see cref="ReportedFigure"/> for the point-in-time rule. Unavailable without financial reports.
/// </summary>
public sealed class ProfitGrowth : IPerStockFactor
{
    public string Name => "growth_profit";

    public PanelContents Needs => PanelContents.Financials;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsFinancials(panel, "net profit YoY");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output) => ReportedFigure.Compute(view, firstSymbol, output, ReportParts.Indicators, r => r.NetProfitYoY);
}
