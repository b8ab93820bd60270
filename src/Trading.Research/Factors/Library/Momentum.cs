using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>momentum(lookback=N,skip=K)</c>: the total return from N trading days ago to K days ago,
/// <c>AdjustedClose(K) / AdjustedClose(N) − 1</c> on back-adjusted closes (dividends and splits do not look like
/// returns). A suspended day in between counts with its carried price. NaN when the stock does not trade today or
/// was not listed N days ago. 12-1 momentum is <c>momentum(lookback=250,skip=20)</c>, alias <c>momentum_12_1</c>.
/// </summary>
public sealed class Momentum : IPerStockFactor
{
    public Momentum(int lookback = 60, int skip = 0)
    {
        if (skip < 0) throw new ArgumentOutOfRangeException(nameof(skip), skip, "The skip is at least zero days.");
        if (lookback <= skip) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, $"The lookback must exceed the skip ({skip}).");
        Lookback = lookback;
        Skip = skip;
    }

    public int Lookback { get; }
    public int Skip { get; }

    public string Name => $"momentum(lookback={Lookback},skip={Skip})";

    public PanelContents Needs => PanelContents.Bars;
    public int WarmupDays => Lookback;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.Yes;

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
            output[i] = view.IsTraded(s) ? view.AdjustedClose(s, Skip) / view.AdjustedClose(s, Lookback) - 1.0 : double.NaN;
    }
}
