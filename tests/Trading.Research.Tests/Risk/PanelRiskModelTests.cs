using Trading.Data.Panel;
using Trading.Research.Risk;
using Trading.Research.Tests.Factors;
using Trading.Research.Transforms;

namespace Trading.Research.Tests.Risk;

/// <summary>The risk model a strategy estimates at each rebalance: point in time, styles from what the panel has.</summary>
public class PanelRiskModelTests
{
    private static (PanelRiskModel Model, double Vol, double Te) Estimate(MarketPanel panel, int day)
    {
        var industries = IndustryIndex.Of(panel);
        var assets = Enumerable.Range(0, panel.SymbolCount).Where(s => panel.IsTraded(day, s)).Take(80).ToArray();
        var model = PanelRiskModel.Estimate(panel, day, assets, industries.OfSymbol, industries.Names, PanelRiskModelOptions.Default with { Window = 60 })!;
        var w = new double[assets.Length];
        for (int i = 0; i < 20; i++) w[i] = 0.05;
        var b = Enumerable.Repeat(1.0 / assets.Length, assets.Length).ToArray();
        return (model, model.Model.PredictedVolatility(w), model.Model.TrackingError(w, b));
    }

    [Fact]
    public void Nothing_after_the_decision_day_changes_the_model()
    {
        var market = SyntheticPanels.Generate(120, 200, 5);
        var panel = MarketPanel.FromBars(market.Bars, market.Stocks);
        const int day = 150;
        var before = Estimate(panel, day);
        // Scramble every price, amount and factor after the decision day.
        for (int s = 0; s < panel.SymbolCount; s++)
            for (int d = day + 1; d < panel.DayCount; d++)
            {
                int c = panel.Cell(d, s);
                panel.Close[c] *= 1.5;
                panel.Amount[c] *= 7;
                panel.AdjFactor[c] *= 2;
            }
        var after = Estimate(panel, day);
        Assert.Equal(before.Vol, after.Vol);
        Assert.Equal(before.Te, after.Te);
        Assert.True(before.Vol > 0.05 && before.Vol < 1, $"{before.Vol}");
        // The decision day's own close does count.
        panel.Close[panel.Cell(day, 0)] *= 1.3;
        Assert.NotEqual(before.Vol, Estimate(panel, day).Vol);
    }

    [Fact]
    public void Styles_come_from_bars_and_size_only_with_valuations()
    {
        var market = SyntheticPanels.Generate(120, 200, 5);
        var bars = Estimate(MarketPanel.FromBars(market.Bars, market.Stocks), 150).Model;
        Assert.Equal(["momentum", "volatility", "liquidity"], bars.Styles);
        Assert.Equal(bars.IndustryNames.Length + 3, bars.Model.FactorCount);
        Assert.Equal(60, bars.HistoryDays);
        var full = Estimate(SyntheticPanels.WithFundamentals(market), 150).Model;
        Assert.Equal(["momentum", "volatility", "liquidity", "size"], full.Styles);
        // Too little history: no model (the strategy falls back).
        var panel = MarketPanel.FromBars(market.Bars, market.Stocks);
        var industries = IndustryIndex.Of(panel);
        Assert.Null(PanelRiskModel.Estimate(panel, 10, [0, 1, 2], industries.OfSymbol, industries.Names));
    }
}
