using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// Computes a factor over a panel, days in parallel. Each day's values come from a <see cref="PointInTimeView"/> of
/// that day and are written only to that day's row, so a row cannot depend on later data and the result does not
/// depend on scheduling. A <see cref="IPerStockFactor"/> is computed in blocks of stocks × days for cache locality
/// (same values, computed in a different order).
/// </summary>
public static class FactorEngine
{
    /// <summary>
    /// The factor on days <paramref name="fromDay"/>..<paramref name="toDay"/> (inclusive; −1 = the last day); other
    /// rows, rows before <see cref="IFactor.WarmupDays"/>, and every row when the factor is not available on the
    /// panel are NaN. The result is named <see cref="IFactor.Name"/>.
    /// </summary>
    public static FactorPanel Compute(MarketPanel panel, IFactor factor, int fromDay = 0, int toDay = -1)
    {
        var result = new FactorPanel(factor.Name, panel.DayCount, panel.SymbolCount);
        ComputeInto(panel, factor, result, fromDay, toDay);
        return result;
    }

    /// <summary>As <see cref="Compute"/>, into an existing panel of the same shape (rows outside the range are left as they are).</summary>
    public static void ComputeInto(MarketPanel panel, IFactor factor, FactorPanel into, int fromDay = 0, int toDay = -1)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(factor);
        if (into.Days != panel.DayCount || into.Symbols != panel.SymbolCount)
            throw new ArgumentException($"The factor panel is {into.Days} × {into.Symbols}, the market panel {panel.DayCount} × {panel.SymbolCount}.", nameof(into));
        if (toDay < 0) toDay = panel.DayCount - 1;
        if (fromDay < 0 || toDay >= panel.DayCount)
            throw new ArgumentOutOfRangeException(nameof(toDay), $"Days {fromDay}..{toDay} are outside the panel's 0..{panel.DayCount - 1}.");
        int first = Math.Max(fromDay, factor.WarmupDays);
        for (int d = fromDay; d < Math.Min(first, toDay + 1); d++) into.Row(d).Fill(double.NaN);
        if (first > toDay) return;
        if (!factor.Availability(panel).Available)
        {
            for (int d = first; d <= toDay; d++) into.Row(d).Fill(double.NaN);
            return;
        }
        if (factor is IPerStockFactor perStock)
        {
            // Blocks of DayBlock days per task; within a task, SymbolBlock stocks at a time over all its days.
            int tasks = (toDay - first + DayBlock) / DayBlock, n = panel.SymbolCount;
            Parallel.For(0, tasks, Parallelism, task =>
            {
                int d0 = first + task * DayBlock, d1 = Math.Min(toDay, d0 + DayBlock - 1);
                for (int s0 = 0; s0 < n; s0 += SymbolBlock)
                {
                    int count = Math.Min(SymbolBlock, n - s0);
                    for (int d = d0; d <= d1; d++)
                    {
                        var view = new PointInTimeView(panel, d);
                        perStock.Compute(in view, s0, into.Row(d).Slice(s0, count));
                    }
                }
            });
            return;
        }
        Parallel.For(first, toDay + 1, Parallelism, d =>
        {
            var view = new PointInTimeView(panel, d);
            factor.Compute(in view, into.Row(d));
        });
    }

    /// <summary>
    /// One day's cross-section, as <see cref="ComputeInto"/> writes it for that day: NaN before the factor's warm-up
    /// and when the panel lacks its data, else what the factor computes on the day's view.
    /// </summary>
    public static void ComputeDay(MarketPanel panel, IFactor factor, int day, Span<double> into)
    {
        into.Fill(double.NaN);
        if (day >= factor.WarmupDays && factor.Availability(panel).Available) factor.Compute(new PointInTimeView(panel, day), into);
    }

    private const int DayBlock = 32, SymbolBlock = 256;

    internal static ParallelOptions Parallelism { get; } = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };
}
