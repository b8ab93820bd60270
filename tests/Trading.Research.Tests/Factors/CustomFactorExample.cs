using Trading.Data.Panel;
using Trading.Data.Store;

namespace Trading.Research.Tests.Factors;

/// <summary>
/// Registered factors as the tests that walk the whole registry build them: every name is a spec by itself except
/// <c>custom</c>, which names an imported factor — here "alpha", planted on a panel by <see cref="Plant"/>.
/// </summary>
internal static class CustomFactorExample
{
    public static string Spec(string name) => name == "custom" ? "custom(name=alpha,max_age=3)" : name;

    /// <summary>Deterministic values of "alpha" on about two thirds of the (day, symbol) cells of a panel.</summary>
    public static void Plant(MarketPanel panel)
    {
        var symbols = new List<int>(); var dates = new List<int>(); var values = new List<double>();
        for (int s = 0; s < panel.SymbolCount; s++)
            for (int d = 0; d < panel.DayCount; d++)
            {
                if ((s * 31 + d * 17) % 3 == 0) continue;
                symbols.Add(panel.Symbols[s].Packed); dates.Add(panel.Dates[d].DayNumber); values.Add(Math.Sin(s * 1.7 + d * 0.3));
            }
        panel.AddCustomFactor("alpha", new CustomFactorRows([.. symbols], [.. dates], [.. values], symbols.Count));
    }
}
