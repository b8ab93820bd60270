using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>reversal(lookback=N)</c>: minus the total return of the last N trading days,
/// <c>−(AdjustedClose(0) / AdjustedClose(N) − 1)</c>, so that recent losers score high. NaN when the stock does not
/// trade today or was not listed N days ago.
/// </summary>
public sealed class Reversal : IPerStockFactor
{
    public Reversal(int lookback = 5)
    {
        FactorWindow.RequirePositive(lookback);
        Lookback = lookback;
    }

    public int Lookback { get; }

    public string Name => $"reversal(lookback={Lookback})";

    public PanelContents Needs => PanelContents.Bars;
    public int WarmupDays => Lookback;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.Yes;

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
            output[i] = view.IsTraded(s) ? -(view.AdjustedClose(s) / view.AdjustedClose(s, Lookback) - 1.0) : double.NaN;
    }
}
