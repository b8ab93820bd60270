using Trading.Data.Panel;
using Trading.Data.Synthetic;

namespace Trading.Research.Tests.Factors;

/// <summary>Synthetic markets shared by the tests (generated once; tests that change a panel build their own).</summary>
internal static class SyntheticPanels
{
    private static readonly Lazy<SyntheticMarket> _medium = new(() => Generate(300, 600, 11));

    /// <summary>300 stocks × 600 days, seed 11.</summary>
    public static SyntheticMarket Medium => _medium.Value;

    public static SyntheticMarket Generate(int symbols, int days, ulong seed) =>
        SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(symbols, days, seed));

    public static MarketPanel WithFundamentals(SyntheticMarket m) => MarketPanel.FromBars(m.Bars, m.Stocks, m.Valuations, m.Financials);
}
