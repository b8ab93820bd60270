using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// A cross-sectional factor: one value per symbol per day, computed from what is known at that day's close.
/// A new factor is one class implementing this and one line in <see cref="FactorRegistry"/>.
/// </summary>
public interface IFactor
{
    /// <summary>Canonical spec text with every parameter spelled out, e.g. <c>momentum(lookback=60,skip=0)</c>;
    /// <see cref="FactorRegistry.Create(string)"/> of it builds an equal factor.</summary>
    string Name { get; }

    /// <summary>Days of history needed before the first value: <see cref="FactorEngine"/> leaves days
    /// <c>0 .. WarmupDays − 1</c> of a panel NaN.</summary>
    int WarmupDays { get; }

    /// <summary>
    /// What the panel must hold beyond bars for this factor (a run loads only what its factors and settings need).
    /// A factor that does not say needs everything.
    /// </summary>
    PanelContents Needs => PanelContents.All;

    /// <summary>Whether the panel has the data this factor needs (e.g. valuations), and if not, why.</summary>
    FactorAvailability Availability(MarketPanel panel);

    /// <summary>
    /// Writes one value per symbol into <paramref name="output"/> (length = symbols): NaN where an input is missing
    /// (not traded that day, too little history, no fundamentals). Writes every element; never throws for missing data.
    /// </summary>
    void Compute(in PointInTimeView view, Span<double> output);
}

/// <summary>Whether a factor can be computed on a panel; <see cref="Reason"/> says what is missing when not.</summary>
public sealed record FactorAvailability(bool Available, string Reason)
{
    public static FactorAvailability Yes { get; } = new(true, "");

    public static FactorAvailability No(string reason) => new(false, reason);

    /// <summary>Available when the panel has daily valuations (<see cref="MarketPanel.Valuations"/>).</summary>
    public static FactorAvailability NeedsValuations(MarketPanel panel, string what) => panel.Valuations is not null ? Yes
        : No($"needs daily valuations ({what}), and the panel has none (MarketPanel.Valuations is null)");

    /// <summary>Available when the panel has financial reports (<see cref="MarketPanel.Financials"/>).</summary>
    public static FactorAvailability NeedsFinancials(MarketPanel panel, string what) => panel.Financials is not null ? Yes
        : No($"needs financial reports ({what}), and the panel has none (MarketPanel.Financials is null)");
}

/// <summary>
/// A factor whose value for a stock depends only on that stock's own data, never on other stocks — every library
/// factor. It can be computed for a block of stocks at a time, which lets <see cref="FactorEngine"/> walk blocks of
/// stocks × days so that each block's history stays in cache (the panel is symbol-major: one day across all stocks
/// touches a page per stock). Implement <see cref="IFactor.Compute"/> as <c>Compute(view, 0, output)</c>.
/// </summary>
public interface IPerStockFactor : IFactor
{
    /// <summary>
    /// Writes the values of stocks <paramref name="firstSymbol"/> .. <paramref name="firstSymbol"/> +
    /// <c>output.Length</c> − 1 into <paramref name="output"/>, by the same rules as <see cref="IFactor.Compute"/>.
    /// </summary>
    void Compute(in PointInTimeView view, int firstSymbol, Span<double> output);
}
