using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>size</c>: the natural log of today's total market value in CNY; where the valuation has none,
/// <c>ln(close × total shares)</c>. NaN when the stock does not trade today or neither is positive. Unavailable
/// without valuations.
/// </summary>
public sealed class Size : IPerStockFactor
{
    public string Name => "size";

    public PanelContents Needs => PanelContents.Valuations;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsValuations(panel, "total market value, total shares");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        if (!view.HasValuations) { output.Fill(double.NaN); return; }
        int today = view.Day;
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            if (!view.IsTraded(s)) { output[i] = double.NaN; continue; }
            double value = view.TotalMarketValue(s)[today];
            if (!(value > 0)) value = view.Close(s)[today] * view.TotalShares(s)[today];
            output[i] = value > 0 ? Math.Log(value) : double.NaN;
        }
    }
}
