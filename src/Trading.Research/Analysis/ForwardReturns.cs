using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Research.Factors;

namespace Trading.Research.Analysis;

/// <summary>Close-to-close total returns on back-adjusted prices from day t to t + horizon trading days.</summary>
public static class ForwardReturns
{
    /// <summary>
    /// r(t, s) = close(t+h)·adj(t+h) / (close(t)·adj(t)) − 1, NaN unless the stock traded (a bar, not suspended) on
    /// both days; the last h days are NaN.
    /// </summary>
    public static FactorPanel Compute(MarketPanel panel, int horizon)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon is at least one trading day.");
        var result = new FactorPanel($"forward_return({horizon})", panel.DayCount, panel.SymbolCount);
        int days = panel.DayCount, n = panel.SymbolCount;
        const byte notTraded = (byte)(BarFlags.Suspended | BarFlags.NotListed);
        // Tiles of Block symbols: the panel is read symbol-major and the result written date-major, so each tile reads
        // Block contiguous histories and writes Block-wide runs of each row, instead of one scattered write per cell.
        const int Block = 64;
        Parallel.For(0, (n + Block - 1) / Block, tile =>
        {
            int s0 = tile * Block, s1 = Math.Min(n, s0 + Block);
            for (int d = 0; d + horizon < days; d++)
            {
                int row = d * n;
                for (int s = s0; s < s1; s++)
                {
                    int c0 = s * days + d, c1 = c0 + horizon;
                    if ((panel.Flags[c0] & notTraded) != 0 || (panel.Flags[c1] & notTraded) != 0) continue;
                    result.Values[row + s] = panel.Close[c1] * panel.AdjFactor[c1] / (panel.Close[c0] * panel.AdjFactor[c0]) - 1.0;
                }
            }
        });
        return result;
    }
}
