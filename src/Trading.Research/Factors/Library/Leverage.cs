using Trading.Data.Model;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>leverage</c>: total liabilities / total assets (0.6 = 60 % debt-financed) of the latest consolidated balance
/// sheet known today (TuShare <c>balancesheet</c>) — see <see cref="ReportedFigure"/> for the point-in-time rule.
/// Like every library factor it is the raw figure, higher = more indebted: a strategy that prefers low leverage gives
/// it a negative weight. NaN without total assets or liabilities. Unavailable without financial reports; NaN for
/// every stock when the store holds no balance sheets.
/// </summary>
public sealed class Leverage : IPerStockFactor
{
    public string Name => "leverage";

    public PanelContents Needs => PanelContents.Financials;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsFinancials(panel, "balance sheets");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output) =>
        ReportedFigure.Compute(view, firstSymbol, output, ReportParts.BalanceSheet,
            r => r.TotalAssets > 0 ? r.TotalLiabilities / r.TotalAssets : double.NaN);
}
