using System.Runtime.CompilerServices;
using System.Numerics;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>volatility(lookback=N)</c>: the sample standard deviation (n − 1) of daily log returns of the back-adjusted
/// close, <c>ln(AdjustedClose(j) / AdjustedClose(j + 1))</c> taken as <c>ln AdjustedClose(j) − ln AdjustedClose(j + 1)</c>,
/// over the days j = 0..N−1 on which the stock traded (a suspended day has no return; the first day after a
/// suspension carries the move since the last trade) and was listed the day before. Needs at least max(2, ⌈N/2⌉)
/// returns and a trade today, else NaN.
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

    public PanelContents Needs => PanelContents.Bars;
    public int WarmupDays => Lookback;

    public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.Yes;

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        int today = view.Day, first = Math.Max(1, today - Lookback + 1), minReturns = Math.Max(2, FactorWindow.MinObservations(Lookback));
        Span<double> returns = Lookback <= 512 ? stackalloc double[Lookback] : new double[Lookback];
        var memo = LogMemo.For(output.Length, Lookback + 1);
        int mask = memo.Mask;
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            var flags = view.Flags(s);
            if ((flags[today] & FactorWindow.NotTraded) != 0) { output[i] = double.NaN; continue; }
            var close = view.Close(s);
            var adj = view.AdjFactor(s);
            // ln of the adjusted closes of days first − 1 .. today, in this slot's ring (day d at d & mask).
            var price = memo.Prices(i);
            var log = memo.Logs(i);
            for (int start = first - 1; start <= today; start += 64)
            {
                // Find the days whose price is not the one remembered (no call in this loop), then take their logs.
                int end = Math.Min(today, start + 63);
                ulong stale = 0;
                for (int d = start; d <= end; d++)
                    stale |= (BitConverter.DoubleToInt64Bits(price[d & mask]) != BitConverter.DoubleToInt64Bits(close[d] * adj[d]) ? 1UL : 0UL) << (d - start);
                for (; stale != 0; stale &= stale - 1)
                {
                    int d = start + BitOperations.TrailingZeroCount(stale);
                    price[d & mask] = close[d] * adj[d];
                    log[d & mask] = Math.Log(close[d] * adj[d]);
                }
            }
            int n = 0;
            double sum = 0, previous = log[(first - 1) & mask];
            for (int d = first; d <= today; d++)
            {
                double current = log[d & mask];
                if ((flags[d] & FactorWindow.NotTraded) == 0 && !double.IsNaN(adj[d - 1]))
                {
                    double r = current - previous;
                    returns[n++] = r;
                    sum += r;
                }
                previous = current;
            }
            if (n < minReturns) { output[i] = double.NaN; continue; }
            double mean = sum / n, squares = 0;
            foreach (var r in returns[..n]) squares += (r - mean) * (r - mean);
            output[i] = Math.Sqrt(squares / (n - 1));
        }
    }

    /// <summary>
    /// This factor's cost is its logarithms: each price's log is needed by every window holding it (N of them), and
    /// the engine computes a block of stocks over consecutive days on one thread. So each thread keeps, per stock
    /// slot, a ring of the last prices seen (day d at d mod ring) with their logs, and takes a log again only when
    /// the price is not bit-for-bit the one remembered. The log is a pure function of the price and every reuse is
    /// checked against it, so results never depend on what was remembered (or on call order), and nothing but prices
    /// already read through today's view is used.
    /// </summary>
    private sealed class LogMemo
    {
        [ThreadStatic] private static LogMemo? t_memo;

        private double[] _price = [], _log = [];
        private int _ring;

        public int Mask => _ring - 1;

        public static LogMemo For(int slots, int span)
        {
            var memo = t_memo ??= new LogMemo();
            int ring = (int)BitOperations.RoundUpToPowerOf2((uint)span);
            if (memo._ring != ring || memo._price.Length < slots * ring)
            {
                memo._ring = ring;
                memo._price = new double[Math.Max(slots * ring, memo._price.Length)];
                memo._log = new double[memo._price.Length];
                Array.Fill(memo._price, double.NaN); // NaN prices never match a real one (and their log is NaN anyway)
                Array.Fill(memo._log, double.NaN);
            }
            return memo;
        }

        public Span<double> Prices(int slot) => _price.AsSpan(slot * _ring, _ring);

        public Span<double> Logs(int slot) => _log.AsSpan(slot * _ring, _ring);
    }
}
