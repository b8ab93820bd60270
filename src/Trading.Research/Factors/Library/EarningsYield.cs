using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>value_ep</c>: earnings yield, <c>1 / PE_TTM</c> of today's valuation. NaN where the PE is missing or not
/// positive (a loss has no meaningful PE), or the stock does not trade today. Unavailable without valuations.
/// </summary>
public sealed class EarningsYield : IPerStockFactor
{
    public string Name => "value_ep";

    public PanelContents Needs => PanelContents.Valuations;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsValuations(panel, "PE TTM");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        if (!view.HasValuations) { output.Fill(double.NaN); return; }
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            double pe = view.PeTtm(s)[view.Day];
            output[i] = view.IsTraded(s) && pe > 0 ? 1.0 / pe : double.NaN;
        }
    }
}
