using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>volatility(lookback=N)</c>: the sample standard deviation (n − 1) of daily log returns of the back-adjusted
/// close, <c>ln(AdjustedClose(j) / AdjustedClose(j + 1))</c>, over the days j = 0..N−1 on which the stock traded
/// (a suspended day has no return; the first day after a suspension carries the move since the last trade) and was
/// listed the day before. Needs at least max(2, ⌈N/2⌉) returns and a trade today, else NaN.
/// </summary>
public sealed class Volatility : IPerStockFactor
{
    public Volatility(int lookback = 20)
    {
        if (lookback < 2) throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "The lookback is at least two days.");
        Lookback = lookback;
    }

    public int Lookback { get; }

    public string Name => $"volatility(lookback={Lookback})";

    public int WarmupDays => Lookback;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.Yes;

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        int today = view.Day, first = Math.Max(1, today - Lookback + 1);
        int minReturns = Math.Max(2, FactorWindow.MinObservations(Lookback));
        // Room for the window's returns, padded to whole vectors.
        int room = (Lookback + Vector256<double>.Count - 1) / Vector256<double>.Count * Vector256<double>.Count;
        Span<double> returns = room <= 512 ? stackalloc double[room] : new double[room];
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            var flags = view.Flags(s);
            if ((flags[today] & FactorWindow.NotTraded) != 0) { output[i] = double.NaN; continue; }
            var close = view.Close(s);
            var adj = view.AdjFactor(s);
            int n = 0;
            for (int d = first; d <= today; d++)
                if ((flags[d] & FactorWindow.NotTraded) == 0 && !double.IsNaN(adj[d - 1]))
                    returns[n++] = close[d] * adj[d] / (close[d - 1] * adj[d - 1]);
            if (n < minReturns) { output[i] = double.NaN; continue; }
            output[i] = SampleStdOfLogs(returns, n);
        }
    }

    /// <summary>
    /// The sample standard deviation of ln of the first <paramref name="n"/> ratios (two passes). The logs are taken
    /// a vector at a time (the cost of this factor is its logarithms); every ratio goes through the same vector
    /// routine whatever its position, so a return has the same log on every day.
    /// </summary>
    private static double SampleStdOfLogs(Span<double> ratios, int n)
    {
        int width = Vector256<double>.Count, padded = (n + width - 1) / width * width;
        ratios[n..padded].Fill(1.0);
        var vectors = MemoryMarshal.Cast<double, Vector256<double>>(ratios[..padded]);
        for (int v = 0; v < vectors.Length; v++) vectors[v] = Vector256.Log(vectors[v]);
        double sum = 0;
        for (int k = 0; k < n; k++) sum += ratios[k];
        double mean = sum / n, ss = 0;
        for (int k = 0; k < n; k++) ss += (ratios[k] - mean) * (ratios[k] - mean);
        return Math.Sqrt(ss / (n - 1));
    }
}
