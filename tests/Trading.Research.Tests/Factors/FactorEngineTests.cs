using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Research.Analysis;
using Trading.Research.Factors;

namespace Trading.Research.Tests.Factors;

public class FactorEngineTests
{
    [Fact]
    public void Warm_up_days_and_days_outside_the_range_are_nan()
    {
        var panel = TinyMarket.Panel();
        var m = FactorEngine.Compute(panel, new Momentum(lookback: 2));
        Assert.Equal("momentum(lookback=2,skip=0)", m.Name);
        for (int s = 0; s < 3; s++)
        {
            Assert.True(double.IsNaN(m[0, s]));
            Assert.True(double.IsNaN(m[1, s]));
        }
        Assert.False(double.IsNaN(m[3, panel.SymbolIndex(TinyMarket.A)]));
        var part = FactorEngine.Compute(panel, new Momentum(lookback: 2), fromDay: 3, toDay: 4);
        for (int d = 0; d < 6; d++)
            for (int s = 0; s < 3; s++)
                Assert.Equal(d is 3 or 4 ? m[d, s] : double.NaN, part[d, s]);
    }

    [Fact]
    public void Results_are_the_same_run_after_run()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        foreach (var spec in new[] { "volatility", "turnover", "quality_roe" })
        {
            var first = FactorEngine.Compute(panel, FactorRegistry.Default.Create(spec));
            var second = FactorEngine.Compute(panel, FactorRegistry.Default.Create(spec));
            Assert.Equal(first.Values.Select(BitConverter.DoubleToInt64Bits), second.Values.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Fact]
    public void Factors_needing_missing_data_are_unavailable_and_compute_to_nan()
    {
        var bare = MarketPanel.FromBars(SyntheticPanels.Medium.Bars, SyntheticPanels.Medium.Stocks);
        Assert.Null(bare.Valuations);
        Assert.Null(bare.Financials);
        var output = new double[bare.SymbolCount];
        foreach (var name in FactorRegistry.Default.Names)
        {
            var factor = FactorRegistry.Default.Create(CustomFactorExample.Spec(name));
            var availability = factor.Availability(bare);
            bool needsValuations = name is "size" or "value_ep" or "value_bp" or "turnover";
            bool needsReports = name is "quality_roe" or "growth_profit" or "growth_revenue" or "leverage" or "net_margin";
            bool needsImport = name is "custom";
            Assert.Equal(!(needsValuations || needsReports || needsImport), availability.Available);
            if (needsValuations) Assert.Contains("MarketPanel.Valuations is null", availability.Reason);
            if (needsReports) Assert.Contains("MarketPanel.Financials is null", availability.Reason);
            if (needsImport) Assert.Contains("no custom factor 'alpha' in the store", availability.Reason);
            if (availability.Available) continue;
            Assert.All(FactorEngine.Compute(bare, factor).Values, v => Assert.True(double.IsNaN(v)));
            factor.Compute(new PointInTimeView(bare, bare.DayCount - 1), output); // called anyway: NaN, no crash
            Assert.All(output, v => Assert.True(double.IsNaN(v)));
        }
        Assert.True(FactorRegistry.Default.Create("value_ep").Availability(SyntheticPanels.WithFundamentals(SyntheticPanels.Medium)).Available);
    }

    [Fact]
    public void A_day_row_does_not_change_when_everything_after_it_does()
    {
        var market = SyntheticPanels.Generate(80, 340, 5);
        var panel = SyntheticPanels.WithFundamentals(market);
        CustomFactorExample.Plant(panel);
        const int t = 300;
        var factors = FactorRegistry.Default.Names.Select(n => FactorRegistry.Default.Create(CustomFactorExample.Spec(n))).ToArray();
        var before = factors.Select(f => FactorEngine.Compute(panel, f).Row(t).ToArray()).ToArray();
        foreach (var row in before) Assert.True(row.Count(double.IsFinite) >= 20, "the check needs values on day t");
        var momentumAfter = FactorEngine.Compute(panel, new Momentum(20)).Row(t + 25).ToArray();

        ChangeEverythingAfter(panel, market, t);

        Assert.NotEqual(momentumAfter, FactorEngine.Compute(panel, new Momentum(20)).Row(t + 25).ToArray());
        for (int k = 0; k < factors.Length; k++)
        {
            var after = FactorEngine.Compute(panel, factors[k], t, t).Row(t).ToArray();
            Assert.True(before[k].Select(BitConverter.DoubleToInt64Bits).SequenceEqual(after.Select(BitConverter.DoubleToInt64Bits)),
                $"{factors[k].Name} changed on day {t}");
        }
    }

    /// <summary>Prices, volumes, amounts, adjustment factors, limits, flags, valuations, reports and imported factors after day t.</summary>
    private static void ChangeEverythingAfter(MarketPanel panel, Trading.Data.Synthetic.SyntheticMarket market, int t)
    {
        int days = panel.DayCount;
        var v = panel.Valuations!;
        foreach (var custom in panel.CustomFactors.Values)
            for (int s = 0; s < panel.SymbolCount; s++)
                for (int d = t + 1; d < days; d++)
                    custom[s * days + d] = double.IsNaN(custom[s * days + d]) ? 42 : double.NaN;
        for (int s = 0; s < panel.SymbolCount; s++)
            for (int d = t + 1; d < days; d++)
            {
                int c = s * days + d;
                double k = 1.5 + Math.Sin(s * 7 + d);
                foreach (var field in new[] { panel.Open, panel.High, panel.Low, panel.Close, panel.PreClose, panel.UpLimit, panel.DownLimit })
                    field[c] *= k;
                panel.Volume[c] = panel.Volume[c] * 3 + 1;
                panel.Amount[c] = panel.Amount[c] * 3 + 1;
                panel.AdjFactor[c] *= 1.3;
                if ((panel.Flags[c] & (byte)BarFlags.NotListed) == 0) panel.Flags[c] ^= (byte)BarFlags.Suspended;
                foreach (var field in new[] { v.TotalShares, v.FloatShares, v.TotalMarketValue, v.CirculatingMarketValue, v.PeTtm, v.Pb, v.TurnoverRate })
                    field[c] = (d & 1) == 0 ? double.NaN : field[c] * k + 1;
            }
        var cutoff = panel.Dates[t];
        var reports = new List<FinancialReport>[panel.SymbolCount];
        for (int s = 0; s < reports.Length; s++) reports[s] = [];
        foreach (var r in market.Financials)
        {
            int s = panel.SymbolIndex(r.Symbol);
            reports[s].Add(r.AnnDate > cutoff
                ? r with { Roe = r.Roe + 100, NetProfitYoY = -r.NetProfitYoY, RevenueYoY = 1e6, Revenue = 1, NetIncomeToParent = -5, TotalLiabilities = r.TotalAssets * 0.99 }
                : r);
        }
        for (int s = 0; s < reports.Length; s++) // a new period announced the day after t
            reports[s].Add(new FinancialReport(panel.Symbols[s], panel.Dates[t + 1], cutoff, 99, 99, 99, 1, 1)
            {
                Revenue = 10, NetIncomeToParent = 9, TotalAssets = 10, TotalLiabilities = 1,
            });
        panel.Financials = new FinancialHistory(reports);
    }
}

public class MomentumRecoveryTests
{
    [Fact]
    public void The_planted_momentum_premium_is_recovered()
    {
        var market = SyntheticPanels.Medium;
        var panel = MarketPanel.FromBars(market.Bars, market.Stocks);
        int n = panel.SymbolCount;
        var momentum = FactorEngine.Compute(panel, FactorRegistry.Default.Create("momentum(lookback=60,skip=0)"));
        var forward = ForwardReturns.Compute(panel, 20);

        // The planted exposure priced each bar's return and was known at the previous bar's close: put it there.
        var exposure = new FactorPanel("truth", panel.DayCount, n);
        for (int i = 0; i < market.Stocks.Count; i++)
        {
            int s = panel.SymbolIndex(market.Stocks[i].Symbol);
            var (start, count) = market.RowsOf(i);
            for (int r = start + 1; r < start + count; r++)
                exposure[panel.DayIndex(DateOnly.FromDayNumber(market.Bars.Date[r - 1])), s] = market.Truth.MomentumExposure[r];
        }

        var icMomentum = new List<double>();
        var icTruth = new List<double>();
        var agreement = new List<double>();
        for (int d = 60; d < panel.DayCount - 20; d++)
        {
            icMomentum.Add(CrossSectionStats.Spearman(momentum.Row(d), forward.Row(d), default, 50));
            icTruth.Add(CrossSectionStats.Spearman(exposure.Row(d), forward.Row(d), default, 50));
            agreement.Add(CrossSectionStats.Spearman(momentum.Row(d), exposure.Row(d), default, 50));
        }
        double meanIc = Mean(icMomentum), meanTruthIc = Mean(icTruth), meanAgreement = Mean(agreement);
        Assert.True(meanAgreement > 0.9, $"momentum(60) vs planted exposure: mean rank correlation {meanAgreement:F3}");
        Assert.InRange(meanIc, 0.02, 0.25);
        Assert.InRange(meanIc, meanTruthIc - 0.03, meanTruthIc + 0.03);
        Assert.True(icMomentum.Count(x => x > 0) > icMomentum.Count(double.IsFinite) / 2, "positive IC on most days");
    }

    private static double Mean(List<double> xs) => xs.Where(double.IsFinite).Average();
}
