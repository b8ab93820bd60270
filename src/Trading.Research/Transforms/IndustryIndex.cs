using Trading.Data.Panel;

namespace Trading.Research.Transforms;

/// <summary>
/// Industries as dense ids for the cross-section transforms: <see cref="OfSymbol"/>[s] indexes <see cref="Names"/>
/// (sorted ordinally, so ids do not depend on symbol order), −1 where the panel has no industry for the symbol.
/// </summary>
public sealed class IndustryIndex
{
    private IndustryIndex(string[] names, int[] ofSymbol)
    {
        Names = names;
        OfSymbol = ofSymbol;
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>Industry id per panel symbol index; −1 = unknown.</summary>
    public int[] OfSymbol { get; }

    /// <summary>From <see cref="MarketPanel.Stocks"/>' <c>Industry</c> labels (empty labels count as unknown).</summary>
    public static IndustryIndex Of(MarketPanel panel)
    {
        var labels = new string?[panel.SymbolCount];
        for (int s = 0; s < labels.Length; s++)
            labels[s] = panel.Stocks.TryGetValue(panel.Symbols[s], out var info) && info.Industry.Length > 0 ? info.Industry : null;
        var names = labels.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        var id = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        return new IndustryIndex(names, labels.Select(l => l is null ? -1 : id[l]).ToArray());
    }
}
