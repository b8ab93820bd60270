using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>ma_deviation(lookback=N)</c>: today's back-adjusted close over its mean across the days of the last N (today
/// included) on which the stock traded, minus one: <c>AdjustedClose(0) / mean(AdjustedClose) − 1</c>. Ratios of
/// back-adjusted prices equal ratios of prices forward-adjusted to today, so an ex-date inside the window does not
/// move it. Needs a trade today and at least ⌈N/2⌉ traded days, else NaN.
/// </summary>
public sealed class MovingAverageDeviation : IPerStockFactor
{
    public MovingAverageDeviation(int lookback = 20)
    {
        FactorWindow.RequirePositive(lookback);
        Lookback = lookback;
    }

    public int Lookback { get; }

    public string Name => $"ma_deviation(lookback={Lookback})";

    public PanelContents Needs => PanelContents.Bars;
    public int WarmupDays => Lookback - 1;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.Yes;

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        int today = view.Day, first = Math.Max(0, today - Lookback + 1), minDays = FactorWindow.MinObservations(Lookback);
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            var flags = view.Flags(s);
            if ((flags[today] & FactorWindow.NotTraded) != 0) { output[i] = double.NaN; continue; }
            var close = view.Close(s);
            var adj = view.AdjFactor(s);
            output[i] = close[today] * adj[today] / FactorWindow.TradedMean(flags, close, adj, first, today, minDays) - 1.0;
        }
    }
}
