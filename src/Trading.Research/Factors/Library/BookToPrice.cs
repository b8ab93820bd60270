using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>value_bp</c>: book-to-price, <c>1 / PB</c> of today's valuation. NaN where the PB is missing or not positive
/// (treated like the PE of <see cref="EarningsYield"/>: a gap or a negative book never reads as cheap), or the stock
/// does not trade today. Unavailable without valuations.
/// </summary>
public sealed class BookToPrice : IPerStockFactor
{
    public string Name => "value_bp";

    public PanelContents Needs => PanelContents.Valuations;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsValuations(panel, "PB");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        if (!view.HasValuations) { output.Fill(double.NaN); return; }
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            double pb = view.Pb(s)[view.Day];
            output[i] = view.IsTraded(s) && pb > 0 ? 1.0 / pb : double.NaN;
        }
    }
}
