namespace Trading.Reporting.Metrics;

/// <summary>
/// The deepest drawdown, dated as QuantStats dates it (<c>drawdown_details</c> of the episode holding the minimum):
/// <see cref="Start"/> is the first date under water (drawdown &lt; 0), <see cref="Valley"/> the lowest point (first
/// date of the minimum), <see cref="End"/> the last date under water (the series' last date when it never recovers)
/// and <see cref="Recovery"/> the first date back at the peak, or null when the series ends under water.
/// All dates are null when the series never falls below a running maximum (<see cref="Depth"/> = 0).
/// </summary>
public sealed record MaxDrawdownInfo(double Depth, DateOnly? Start, DateOnly? Valley, DateOnly? End, DateOnly? Recovery)
{
    public bool Recovered => Recovery is not null;
}

/// <summary>
/// One period under water, as QuantStats' <c>drawdown_details</c> reports it: <see cref="Start"/> is the first
/// date under water (drawdown &lt; 0), <see cref="End"/> the last one (or the series' last date when it never
/// recovers), <see cref="Days"/> = (End − Start) in calendar days + 1 (inclusive), <see cref="Valley"/> the
/// first date of the episode's minimum and <see cref="MaxDrawdown"/> that minimum (negative).
/// <see cref="Recovery"/> is the date after <see cref="End"/> (back at the peak) or null when not recovered.
/// </summary>
public sealed record DrawdownEpisode(DateOnly Start, DateOnly Valley, DateOnly End, int Days, double MaxDrawdown, DateOnly? Recovery)
{
    public bool Recovered => Recovery is not null;
}

/// <summary>Drawdown series and episodes of a NAV series; the starting NAV counts as a peak.</summary>
public static class Drawdowns
{
    /// <summary>
    /// drawdown_t = nav_t / max(nav_0 … nav_t) − 1 on every date, the first included (where it is 0). This is
    /// QuantStats' <c>to_drawdown_series</c> given prices: the starting NAV is a peak, so a fall on day one counts.
    /// </summary>
    public static double[] Series(IReadOnlyList<double> nav)
    {
        var dd = new double[nav.Count];
        double peak = double.NegativeInfinity;
        for (int i = 0; i < nav.Count; i++)
        {
            if (nav[i] > peak) peak = nav[i];
            dd[i] = nav[i] / peak - 1;
        }
        return dd;
    }

    /// <summary>The deepest drawdown of <paramref name="drawdown"/> (from <see cref="Series"/>) with its dates.</summary>
    public static MaxDrawdownInfo Max(IReadOnlyList<DateOnly> dates, IReadOnlyList<double> drawdown) => Max(Episodes(dates, drawdown));

    /// <summary>The deepest of <paramref name="episodes"/> (the first one on a tie, as the valley is the first date of the minimum).</summary>
    public static MaxDrawdownInfo Max(IReadOnlyList<DrawdownEpisode> episodes)
    {
        DrawdownEpisode? worst = null;
        foreach (var e in episodes) if (worst is null || e.MaxDrawdown < worst.MaxDrawdown) worst = e;
        return worst is null
            ? new MaxDrawdownInfo(0, null, null, null, null)
            : new MaxDrawdownInfo(worst.MaxDrawdown, worst.Start, worst.Valley, worst.End, worst.Recovery);
    }

    /// <summary>Every period under water, oldest first (QuantStats <c>drawdown_details</c>).</summary>
    public static IReadOnlyList<DrawdownEpisode> Episodes(IReadOnlyList<DateOnly> dates, IReadOnlyList<double> drawdown)
    {
        var list = new List<DrawdownEpisode>();
        int i = 0;
        while (i < drawdown.Count)
        {
            if (drawdown[i] >= 0) { i++; continue; }
            int start = i, valley = i;
            while (i < drawdown.Count && drawdown[i] < 0)
            {
                if (drawdown[i] < drawdown[valley]) valley = i;
                i++;
            }
            int end = i - 1;
            list.Add(new DrawdownEpisode(
                dates[start], dates[valley], dates[end], dates[end].DayNumber - dates[start].DayNumber + 1,
                drawdown[valley], i < drawdown.Count ? dates[i] : null));
        }
        return list;
    }
}
