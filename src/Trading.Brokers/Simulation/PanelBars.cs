using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Brokers;

/// <summary>Daily bars of a <see cref="MarketPanel"/> as the simulated exchange asks for them: one day, by symbol.</summary>
public static class PanelBars
{
    /// <summary>
    /// The bars of <paramref name="day"/>: a traded bar, a suspended bar (flag set, zero volume), or null when the
    /// stock is not listed that day or the day is not in the panel.
    /// </summary>
    public static Func<Symbol, DailyBar?> On(MarketPanel panel, DateOnly day)
    {
        int d = panel.DayIndex(day);
        return symbol =>
        {
            int s = panel.SymbolIndex(symbol);
            if (d < 0 || s < 0 || !panel.IsListed(d, s)) return null;
            int c = panel.Cell(d, s);
            return new DailyBar(symbol, day,
                Price(panel.Open[c]), Price(panel.High[c]), Price(panel.Low[c]), Price(panel.Close[c]), Price(panel.PreClose[c]),
                (long)panel.Volume[c], (decimal)panel.Amount[c], panel.AdjFactor[c], (BarFlags)panel.Flags[c],
                Price(panel.UpLimit[c]), Price(panel.DownLimit[c]));
        };
    }

    private static decimal Price(double value) => double.IsFinite(value) ? Money.FromDouble(value) : 0m;
}
