using Trading.Data.Model;
using Trading.Data.Panel;

namespace Trading.Research.Universe;

/// <summary>
/// Which stocks may be held on a day, decided from what is known at that day's close (point in time):
/// not suspended, not ST, listed long enough, liquid enough, and not closed locked at limit-up (a buy order could
/// not be filled). Each rule can be switched off; <see cref="All"/> keeps every traded stock.
/// </summary>
public sealed record UniverseFilter
{
    public bool ExcludeSuspended { get; init; } = true;
    public bool ExcludeSt { get; init; } = true;
    /// <summary>Minimum trading days since listing (0 = no rule).</summary>
    public int MinListedDays { get; init; } = 60;
    /// <summary>Minimum mean daily amount (CNY) over <see cref="LiquidityLookback"/> days (0 = no rule).</summary>
    public double MinAverageAmount { get; init; } = 5_000_000;
    public int LiquidityLookback { get; init; } = 20;
    /// <summary>Exclude stocks that closed at their limit-up price (bid locked: unbuyable at the next open in practice).</summary>
    public bool ExcludeLimitUp { get; init; } = true;

    /// <summary>Every stock with a traded bar that day.</summary>
    public static UniverseFilter All { get; } = new()
    {
        ExcludeSuspended = true, ExcludeSt = false, MinListedDays = 0, MinAverageAmount = 0, ExcludeLimitUp = false,
    };

    /// <summary>The default research universe: tradable, not ST, 60 days listed, ≥ 5 M CNY a day, not limit-up.</summary>
    public static UniverseFilter Default { get; } = new();

    public static UniverseFilter Parse(string name) => name switch
    {
        "all" => All,
        "default" => Default,
        _ => throw new FormatException($"Unknown universe '{name}': expected 'all' or 'default'."),
    };

    /// <summary>The universe of one day as a mask over the panel's symbols.</summary>
    public void Mask(MarketPanel panel, int day, Span<bool> into) => Mask(panel, day, ListIndex(panel), into);

    private void Mask(MarketPanel panel, int day, int[] listIndex, Span<bool> into)
    {
        int days = panel.DayCount;
        for (int s = 0; s < panel.SymbolCount; s++)
        {
            int c = s * days + day;
            var flags = (BarFlags)panel.Flags[c];
            bool ok = (flags & BarFlags.NotListed) == 0;
            if (ok && ExcludeSuspended && (flags & BarFlags.Suspended) != 0) ok = false;
            if (ok && ExcludeSt && (flags & BarFlags.St) != 0) ok = false;
            if (ok && MinListedDays > 0 && day - listIndex[s] < MinListedDays) ok = false;
            if (ok && ExcludeLimitUp && !double.IsNaN(panel.UpLimit[c]) && panel.Close[c] >= panel.UpLimit[c]) ok = false;
            if (ok && MinAverageAmount > 0)
            {
                int from = Math.Max(0, day - LiquidityLookback + 1), n = 0;
                double sum = 0;
                for (int d = from; d <= day; d++)
                    if ((panel.Flags[s * days + d] & (byte)(BarFlags.Suspended | BarFlags.NotListed)) == 0) { sum += panel.Amount[s * days + d]; n++; }
                if (n == 0 || sum / n < MinAverageAmount) ok = false;
            }
            into[s] = ok;
        }
    }

    /// <summary>The universe over every day, date-major (<c>day * symbols + s</c>).</summary>
    public bool[] MaskAll(MarketPanel panel)
    {
        var mask = LargeArrays.Allocate<bool>(panel.DayCount * panel.SymbolCount); // every element is written below
        var listIndex = ListIndex(panel);
        Parallel.For(0, panel.DayCount, d => Mask(panel, d, listIndex, mask.AsSpan(d * panel.SymbolCount, panel.SymbolCount)));
        return mask;
    }

    /// <summary>
    /// The (possibly negative) panel day index of each symbol's listing: from the listing date when known (before the
    /// panel starts, estimated as 242 trading days a year), else the first day with data.
    /// </summary>
    internal static int[] ListIndex(MarketPanel panel)
    {
        var result = new int[panel.SymbolCount];
        for (int s = 0; s < panel.SymbolCount; s++)
        {
            var first = panel.Dates[0];
            if (panel.Stocks.TryGetValue(panel.Symbols[s], out var info) && info.ListDate is { } listed)
            {
                int i = panel.Calendar.IndexOf(listed);
                result[s] = i >= 0 ? i
                    : listed < first ? -(int)Math.Ceiling((first.DayNumber - listed.DayNumber) * 242.0 / 365.0)
                    : panel.Calendar.IndexOf(panel.Calendar.Next(listed) ?? panel.Dates[^1]);
                continue;
            }
            int d = 0;
            while (d < panel.DayCount && !panel.IsListed(d, s)) d++;
            // Data from the first day on: the listing is older than the panel, so count it as listed long ago.
            result[s] = d == 0 ? int.MinValue / 2 : d;
        }
        return result;
    }
}
