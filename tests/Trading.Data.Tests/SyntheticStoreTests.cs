using Trading.Data.Enrichment;
using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Data.Synthetic;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Tests;

/// <summary>The generator and the importer's enrichment are two implementations of the same rules: they must agree.</summary>
public class SyntheticStoreTests
{
    private static SyntheticMarket Market() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(200, 400, 7)
    {
        Start = new DateOnly(2022, 6, 1),
        RespectBoardLaunchDates = false,
    });

    [Fact]
    public void Enrichment_recomputes_the_generators_limits_and_flags_exactly()
    {
        var market = Market();
        var copy = BarTable.Concat(market.Bars);
        for (int i = 0; i < copy.Count; i++) { copy.UpLimit[i] = 0; copy.DownLimit[i] = 0; copy.Flags[i] = 0; }
        var stocks = market.Stocks.ToDictionary(s => s.Symbol);

        var findings = BarEnricher.Enrich(copy, stocks, MarketRules.Default);

        Assert.Empty(findings);
        int limited = 0;
        for (int i = 0; i < copy.Count; i++)
        {
            Assert.Equal(market.Bars.UpLimit[i], copy.UpLimit[i]);
            Assert.Equal(market.Bars.DownLimit[i], copy.DownLimit[i]);
            const byte mask = (byte)(BarFlags.St | BarFlags.NoLimit);
            Assert.Equal(market.Bars.Flags[i] & mask, copy.Flags[i] & mask);
            if (copy.UpLimit[i] > 0) limited++;
        }
        Assert.True(limited > copy.Count * 0.95);
        Assert.All(stocks.Values, s => Assert.Equal(StSource.Synthetic, s.StSource)); // exact spells are never re-inferred
    }

    [Fact]
    public async Task Store_and_panel_round_trip_a_synthetic_market()
    {
        var market = Market();
        using var tmp = new TempDir();
        var store = await SyntheticStore.WriteAsync(market, tmp.Path);

        Assert.Equal(market.Bars.Rows(), (await store.ReadBarsAsync()).Rows());
        var panel = await MarketPanel.LoadAsync(store);
        var reference = MarketPanel.FromBars(market.Bars, market.Stocks);
        Assert.Equal(reference.Close, panel.Close);
        Assert.Equal(reference.Flags, panel.Flags);

        // Every suspension the generator planted shows as explicit suspended cells.
        long planted = market.Truth.Suspensions.Sum(s => (long)s.TradingDays);
        long suspended = panel.Flags.LongCount(f => (f & (byte)BarFlags.Suspended) != 0);
        Assert.Equal(planted, suspended);
        foreach (var s in market.Truth.Suspensions.Take(20))
        {
            int sym = panel.SymbolIndex(s.Symbol), d = panel.DayIndex(s.First);
            Assert.True(panel.IsSuspended(d, sym));
            Assert.Equal(panel.Close[panel.Cell(d - 1, sym)], panel.Close[panel.Cell(d, sym)]);
        }
    }

    [Fact]
    public void Adjusted_views_are_continuous_across_ex_dates()
    {
        var market = Market();
        var panel = MarketPanel.FromBars(market.Bars, market.Stocks);
        var action = market.Truth.CorporateActions.First(a => panel.DayIndex(a.Date) > 0);
        int s = panel.SymbolIndex(action.Symbol), d = panel.DayIndex(action.Date);

        // Back-adjusted: yesterday's close and today's reference price are the same value.
        double prevHfq = panel.Price(PriceField.Close, d - 1, s, Adjustment.Backward);
        double refHfq = panel.Price(PriceField.PreClose, d, s, Adjustment.Backward);
        Assert.Equal(prevHfq, refHfq, 0.006 * panel.AdjFactor[panel.Cell(d, s)]);
        // Forward-adjusted to the ex-date: that day's prices stay raw, earlier ones scale down.
        Assert.Equal(panel.Close[panel.Cell(d, s)], panel.Price(PriceField.Close, d, s, Adjustment.Forward, anchorDay: d), 1e-9);
        Assert.True(panel.Price(PriceField.Close, d - 1, s, Adjustment.Forward, anchorDay: d) < panel.Close[panel.Cell(d - 1, s)]);
    }
}
