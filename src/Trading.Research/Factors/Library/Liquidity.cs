using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>liquidity(lookback=N)</c>: the mean daily amount traded (CNY) over the days of the last N (today included)
/// on which the stock traded; suspended days are left out rather than counted as zero. Needs a trade today and at
/// least ⌈N/2⌉ traded days, else NaN.
/// </summary>
public sealed class Liquidity : IPerStockFactor
{
    public Liquidity(int lookback = 20)
    {
        FactorWindow.RequirePositive(lookback);
        Lookback = lookback;
    }

    public int Lookback { get; }

    public string Name => $"liquidity(lookback={Lookback})";

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
            output[i] = FactorWindow.TradedMean(flags, view.Amount(s), default, first, today, minDays);
        }
    }
}
