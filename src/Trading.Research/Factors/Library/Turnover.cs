using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>turnover(lookback=N)</c>: the mean daily turnover rate in % of float shares over the days of the last N (today
/// included) on which the stock traded. A day's rate is the valuation's turnover rate, or where that is missing
/// <c>volume / float shares × 100</c>; a day with neither is left out. Needs a trade today and at least ⌈N/2⌉ days
/// with a rate, else NaN. Unavailable without valuations.
/// </summary>
public sealed class Turnover : IPerStockFactor
{
    public Turnover(int lookback = 20)
    {
        FactorWindow.RequirePositive(lookback);
        Lookback = lookback;
    }

    public int Lookback { get; }

    public string Name => $"turnover(lookback={Lookback})";

    public PanelContents Needs => PanelContents.Valuations;
    public int WarmupDays => Lookback - 1;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.NeedsValuations(panel, "turnover rate, float shares");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        if (!view.HasValuations) { output.Fill(double.NaN); return; }
        int today = view.Day, first = Math.Max(0, today - Lookback + 1), minDays = FactorWindow.MinObservations(Lookback);
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            var flags = view.Flags(s);
            if ((flags[today] & FactorWindow.NotTraded) != 0) { output[i] = double.NaN; continue; }
            var rate = view.TurnoverRate(s);
            var volume = view.Volume(s);
            var floatShares = view.FloatShares(s);
            int n = 0;
            double sum = 0;
            for (int d = first; d <= today; d++)
            {
                if ((flags[d] & FactorWindow.NotTraded) != 0) continue;
                double r = rate[d];
                if (double.IsNaN(r)) r = floatShares[d] > 0 ? volume[d] / floatShares[d] * 100.0 : double.NaN;
                if (double.IsNaN(r)) continue;
                sum += r;
                n++;
            }
            output[i] = n >= minDays ? sum / n : double.NaN;
        }
    }
}
