using Trading.Research.Factors;

namespace Trading.Research.Transforms;

/// <summary>
/// The <see cref="CrossSection"/> transforms applied to every day of a factor panel, in place (days in parallel;
/// each day touches only its own row, so the result does not depend on scheduling). Each returns the panel it was
/// given, for chaining.
/// </summary>
public static class PanelTransforms
{
    public static FactorPanel WinsorizeMad(FactorPanel factor, double k = 3.0) =>
        ForEachDay(factor, d => CrossSection.WinsorizeMad(factor.Row(d), k));

    public static FactorPanel WinsorizeQuantile(FactorPanel factor, double lower = 0.01, double upper = 0.99) =>
        ForEachDay(factor, d => CrossSection.WinsorizeQuantile(factor.Row(d), lower, upper));

    public static FactorPanel ZScore(FactorPanel factor) => ForEachDay(factor, d => CrossSection.ZScore(factor.Row(d)));

    public static FactorPanel Rank(FactorPanel factor, RankScale scale = RankScale.Unit) =>
        ForEachDay(factor, d => CrossSection.Rank(factor.Row(d), scale));

    /// <param name="industry">Industry id per symbol (see <see cref="IndustryIndex"/>).</param>
    /// <param name="universe">Date-major mask (<c>day * symbols + s</c>) of the stocks to use and fill; null = all.</param>
    public static FactorPanel FillIndustryMedian(FactorPanel factor, int[] industry, bool[]? universe = null)
    {
        int n = factor.Symbols;
        if (universe is not null && universe.Length != factor.Values.Length)
            throw new ArgumentException($"The universe has {universe.Length} cells, the factor {factor.Values.Length}.", nameof(universe));
        return ForEachDay(factor, d => CrossSection.FillIndustryMedian(factor.Row(d), industry,
            universe is null ? default : universe.AsSpan(d * n, n)));
    }

    /// <summary>Industry and size neutralization per day (see <see cref="CrossSection.Neutralize"/>).</summary>
    /// <param name="industry">Industry id per symbol (see <see cref="IndustryIndex"/>).</param>
    /// <param name="logSize">Log market value per day and symbol (e.g. the <c>size</c> factor); null = industry only.</param>
    public static FactorPanel Neutralize(FactorPanel factor, int[] industry, FactorPanel? logSize)
    {
        if (logSize is not null && (logSize.Days != factor.Days || logSize.Symbols != factor.Symbols))
            throw new ArgumentException($"Sizes are {logSize.Days} × {logSize.Symbols}, the factor {factor.Days} × {factor.Symbols}.", nameof(logSize));
        return ForEachDay(factor, d => CrossSection.Neutralize(factor.Row(d), industry, logSize is null ? default : logSize.Row(d)));
    }

    /// <summary>
    /// The usual preprocessing of a raw factor in one pass over the days: <see cref="CrossSection.WinsorizeMad"/>
    /// (k = <paramref name="madK"/>), then <see cref="CrossSection.ZScore"/>, then <see cref="CrossSection.Neutralize"/>
    /// against industry and size. Same result as the three panel transforms one after the other, but each day's row
    /// goes through all three while it is in cache, rather than the whole panel streaming through memory three times.
    /// </summary>
    public static FactorPanel WinsorizeStandardizeNeutralize(FactorPanel factor, int[] industry, FactorPanel? logSize, double madK = 3.0)
    {
        if (logSize is not null && (logSize.Days != factor.Days || logSize.Symbols != factor.Symbols))
            throw new ArgumentException($"Sizes are {logSize.Days} × {logSize.Symbols}, the factor {factor.Days} × {factor.Symbols}.", nameof(logSize));
        return ForEachDay(factor, d =>
        {
            var row = factor.Row(d);
            CrossSection.WinsorizeMad(row, madK);
            CrossSection.ZScore(row);
            CrossSection.Neutralize(row, industry, logSize is null ? default : logSize.Row(d));
        });
    }

    private static FactorPanel ForEachDay(FactorPanel factor, Action<int> transformDay)
    {
        Parallel.For(0, factor.Days, FactorEngine.Parallelism, transformDay);
        return factor;
    }
}
