using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Data.Synthetic;

namespace Trading.Data.Tests.Synthetic;

/// <summary>The synthetic market's valuations and reports agree with its bars, its planted truth and each other.</summary>
public class SyntheticFundamentalsTests
{
    private static readonly Lazy<SyntheticMarket> Shared = new(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(300, 750, 21)
    {
        Start = new DateOnly(2019, 6, 3),
    }));

    private static SyntheticMarket M => Shared.Value;

    [Fact]
    public void There_is_one_valuation_per_bar_with_market_values_from_the_planted_shares()
    {
        var m = M;
        var bars = m.Bars;
        var v = m.Valuations;
        Assert.Equal(bars.Count, v.Count);
        for (int s = 0; s < m.Stocks.Count; s++)
        {
            var (start, count) = m.RowsOf(s);
            // The first bar's reference price × total shares is the planted size.
            Assert.Equal(m.Truth.LogCap[s], Math.Log(bars.PreClose[start] / 100.0 * v[start].TotalShares), 1e-6);
            for (int i = start; i < start + count; i++)
            {
                var x = v[i];
                Assert.Equal((bars.Symbol[i], bars.Date[i]), (x.Symbol.Packed, x.Date.DayNumber));
                double close = bars.Close[i] / 100.0;
                Assert.Equal(Math.Floor(x.TotalShares), x.TotalShares);
                Assert.Equal(close * x.TotalShares, x.TotalMarketValue, 1e-6 * x.TotalMarketValue);
                Assert.Equal(close * x.FloatShares, x.CirculatingMarketValue, 1e-6 * x.CirculatingMarketValue);
                Assert.InRange(x.FloatShares, 1.0, x.TotalShares);
                Assert.Equal(bars.Volume[i] / x.FloatShares * 100.0, x.TurnoverRate, 1e-9);
                if (i > start && x.TotalShares != v[i - 1].TotalShares)
                    Assert.Contains(m.Truth.CorporateActions, a => a.Symbol == x.Symbol && a.Date == x.Date && a.BonusRatio > 0);
            }
        }
    }

    [Fact]
    public void Shares_scale_up_by_the_bonus_ratio_on_ex_dates()
    {
        var m = M;
        var rowOf = new Dictionary<(int, int), int>();
        for (int i = 0; i < m.Bars.Count; i++) rowOf[(m.Bars.Symbol[i], m.Bars.Date[i])] = i;
        var bonuses = m.Truth.CorporateActions.Where(a => a.BonusRatio > 0).ToList();
        Assert.NotEmpty(bonuses);
        foreach (var a in bonuses)
        {
            int i = rowOf[(a.Symbol.Packed, a.Date.DayNumber)];
            double ratio = m.Valuations[i].TotalShares / m.Valuations[i - 1].TotalShares;
            Assert.Equal(1.0 + (double)a.BonusRatio, ratio, 1e-6);
        }
    }

    [Fact]
    public void Reports_are_quarterly_announced_after_their_period_and_sorted()
    {
        var m = M;
        var reports = m.Financials;
        Assert.True(reports.Count > m.Stocks.Count * 12);
        Assert.Equal(reports.OrderBy(r => r.Symbol).ThenBy(r => r.AnnDate).ThenBy(r => r.EndDate), reports);
        var lastBar = new Dictionary<int, int>();
        for (int i = 0; i < m.Bars.Count; i++) lastBar[m.Bars.Symbol[i]] = m.Bars.Date[i];
        var stockOf = m.Stocks.ToDictionary(s => s.Symbol);
        int restated = 0;
        foreach (var g in reports.GroupBy(r => r.Symbol))
        {
            var info = stockOf[g.Key];
            foreach (var r in g)
            {
                Assert.Contains((r.EndDate.Month, r.EndDate.Day), new[] { (3, 31), (6, 30), (9, 30), (12, 31) });
                Assert.True(r.AnnDate > r.EndDate);
                Assert.True(r.AnnDate.DayNumber <= lastBar[g.Key.Packed]);
                Assert.True(r.AnnDate.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
                Assert.True(double.IsFinite(r.Eps) && double.IsFinite(r.Bps));
                bool prospectus = info.ListDate >= m.TradingDays[0] && r.AnnDate == info.ListDate!.Value.AddDays(-14);
                int lag = r.AnnDate.DayNumber - r.EndDate.DayNumber;
                if (prospectus || IsRestatement(g, r)) continue;
                Assert.InRange(lag, 20, 123);
                if (r.EndDate.Month == 12) Assert.True(r.AnnDate.Month is 3 or 4, $"{r}"); // annual: March-April
            }
            // Q1 never before the year's annual report.
            foreach (var q1 in g.Where(r => r.EndDate.Month == 3))
            {
                var annual = g.Where(r => r.EndDate == new DateOnly(q1.EndDate.Year - 1, 12, 31)).Select(r => (DateOnly?)r.AnnDate).Min();
                if (annual is { } a) Assert.True(q1.AnnDate >= a);
            }
            restated += g.GroupBy(r => r.EndDate).Count(p => p.Count() > 1);
        }
        Assert.True(restated > 0);
    }

    private static bool IsRestatement(IEnumerable<FinancialReport> reports, FinancialReport r) =>
        reports.Any(x => x.EndDate == r.EndDate && x.AnnDate < r.AnnDate);

    /// <summary>TTM EPS as research computes it from the reports visible on a day; NaN when a period is missing.</summary>
    private static (double TtmEps, FinancialReport Latest) Visible(IEnumerable<FinancialReport> reports, DateOnly day)
    {
        var byPeriod = new Dictionary<DateOnly, FinancialReport>();
        foreach (var r in reports.Where(r => r.AnnDate <= day).OrderBy(r => r.AnnDate)) byPeriod[r.EndDate] = r;
        if (byPeriod.Count == 0) return (double.NaN, default);
        var latest = byPeriod[byPeriod.Keys.Max()];
        var end = latest.EndDate;
        if (end.Month == 12) return (latest.Eps, latest);
        double Eps(DateOnly e) => byPeriod.TryGetValue(e, out var r) ? r.Eps : double.NaN;
        return (latest.Eps + Eps(new DateOnly(end.Year - 1, 12, 31)) - Eps(end.AddYears(-1)), latest);
    }

    [Fact]
    public void Pe_is_close_over_ttm_eps_and_pb_close_over_bps_from_the_reports_known_that_day()
    {
        var m = M;
        var history = new FinancialHistory(m.Stocks.Select(s => m.Financials.Where(r => r.Symbol == s.Symbol).ToList()).ToList());
        var withBonus = m.Truth.CorporateActions.Where(a => a.BonusRatio > 0).Select(a => a.Symbol).ToHashSet();
        int checkedPe = 0, nanPe = 0, checkedPb = 0;
        for (int s = 0; s < m.Stocks.Count; s++)
        {
            if (withBonus.Contains(m.Stocks[s].Symbol)) continue; // per-share figures are on one share base
            var reports = history.All(s).ToArray();
            var (start, count) = m.RowsOf(s);
            for (int i = start; i < start + count; i += 7)
            {
                var x = m.Valuations[i];
                var (ttm, latest) = Visible(reports, x.Date);
                Assert.True(history.TryLatest(s, x.Date, out var pit));
                Assert.Equal(latest, pit); // the same report the point-in-time history gives
                double close = m.Bars.Close[i] / 100.0;
                if (ttm > 0)
                {
                    Assert.Equal(close / ttm, x.PeTtm, 1e-6 * x.PeTtm);
                    checkedPe++;
                }
                else
                {
                    Assert.True(double.IsNaN(x.PeTtm), $"{x} ttm {ttm}");
                    nanPe++;
                }
                if (latest.Bps > 0)
                {
                    Assert.Equal(close / latest.Bps, x.Pb, 1e-6 * x.Pb);
                    checkedPb++;
                }
                else Assert.True(double.IsNaN(x.Pb));
            }
        }
        Assert.True(checkedPe > 5000 && checkedPb > 5000 && nanPe > 0, $"{checkedPe} {nanPe} {checkedPb}");
    }

    [Fact]
    public void Reported_fundamentals_recover_the_planted_quality_and_value()
    {
        var m = M;
        // Mean reported annual ROE ranks like the planted ROE.
        var annualRoe = m.Stocks.Select(s => m.Financials.Where(r => r.Symbol == s.Symbol && r.EndDate.Month == 12)
            .Select(r => r.Roe).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average()).ToArray();
        var ok = Enumerable.Range(0, annualRoe.Length).Where(i => double.IsFinite(annualRoe[i])).ToArray();
        Assert.True(Spearman(ok.Select(i => annualRoe[i]).ToArray(), ok.Select(i => m.Truth.RoeMean[i]).ToArray()) > 0.8);
        // Total market value on the first bar is the planted size.
        var firstMv = m.Stocks.Select((_, s) => Math.Log(m.Valuations[m.RowsOf(s).Start].TotalMarketValue)).ToArray();
        var logCapAfterFirstDay = m.Stocks.Select((_, s) =>
        {
            int i = m.RowsOf(s).Start;
            return m.Truth.LogCap[s] + Math.Log((double)m.Bars.Close[i] / m.Bars.PreClose[i]);
        }).ToArray();
        for (int s = 0; s < firstMv.Length; s++) Assert.Equal(logCapAfterFirstDay[s], firstMv[s], 1e-6);
        Assert.Equal(m.Stocks.Count, m.Truth.InitialPb.Length);
        Assert.All(m.Truth.FloatFraction, f => Assert.InRange(f, 0.5, 1.0));
        Assert.All(m.Truth.ProfitGrowth, g => Assert.InRange(g, -0.25, 0.5));
    }

    private static double Spearman(double[] a, double[] b)
    {
        static double[] Ranks(double[] x)
        {
            var order = Enumerable.Range(0, x.Length).OrderBy(i => x[i]).ToArray();
            var r = new double[x.Length];
            for (int k = 0; k < order.Length; k++) r[order[k]] = k;
            return r;
        }
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), num = 0, da = 0, db = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            num += (ra[i] - ma) * (rb[i] - mb);
            da += (ra[i] - ma) * (ra[i] - ma);
            db += (rb[i] - mb) * (rb[i] - mb);
        }
        return num / Math.Sqrt(da * db);
    }

    [Fact]
    public void Same_seed_gives_identical_fundamentals()
    {
        var o = new SyntheticMarketOptions(60, 300, 5);
        var a = SyntheticMarketGenerator.Generate(o);
        var b = SyntheticMarketGenerator.Generate(o);
        Assert.Equal(a.Valuations, b.Valuations);
        Assert.Equal(a.Financials, b.Financials);
        Assert.Equal(a.Truth.RoeMean, b.Truth.RoeMean);
    }

    [Fact]
    public async Task Store_and_panel_round_trip_the_synthetic_fundamentals()
    {
        var m = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(120, 400, 9) { Start = new DateOnly(2021, 1, 4) });
        using var tmp = new TempDir();
        var store = await SyntheticStore.WriteAsync(m, tmp.Path);

        Assert.Equal((long)m.Valuations.Count, store.Manifest.Valuations);
        Assert.Equal(m.Financials.Count, store.Manifest.FinancialReports);
        Assert.Equal(m.Valuations, await store.ReadValuationsAsync());
        Assert.Equal(m.Financials, await store.ReadFinancialsAsync());

        var panel = await MarketPanel.LoadAsync(store);
        var reference = MarketPanel.FromBars(m.Bars, m.Stocks, m.Valuations, m.Financials);
        Assert.Equal(reference.Valuations!.PeTtm, panel.Valuations!.PeTtm);
        Assert.Equal(reference.Valuations.TotalMarketValue, panel.Valuations.TotalMarketValue);
        Assert.Equal(reference.Valuations.TurnoverRate, panel.Valuations.TurnoverRate);

        // Every planted suspension shows the last valuation carried over, with zero turnover.
        Assert.NotEmpty(m.Truth.Suspensions);
        foreach (var s in m.Truth.Suspensions)
        {
            int sym = panel.SymbolIndex(s.Symbol), d = panel.DayIndex(s.First);
            int before = panel.Cell(d - 1, sym);
            for (int k = 0; k < s.TradingDays; k++)
            {
                int c = panel.Cell(d + k, sym);
                Assert.True(panel.IsSuspended(d + k, sym));
                Assert.Equal(panel.Valuations.TotalMarketValue[before], panel.Valuations.TotalMarketValue[c]);
                Assert.Equal(panel.Valuations.PeTtm[before], panel.Valuations.PeTtm[c]);
                Assert.Equal(0.0, panel.Valuations.TurnoverRate[c]);
            }
        }
        Assert.True(reference.Financials!.TryLatest(0, panel.Dates[^1], out _));
    }

    [Fact]
    public async Task A_load_of_only_the_bars_leaves_out_the_fundamentals_and_matches_the_bars_cell_for_cell()
    {
        // Over a million bars: more than one Parquet row group, decoded on several threads at once.
        var m = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(800, 2200, 5) { Start = new DateOnly(2015, 1, 5) });
        using var tmp = new TempDir();
        var store = await SyntheticStore.WriteAsync(m, tmp.Path);
        Assert.True(store.Manifest.Bars > 1 << 20, $"{store.Manifest.Bars} bars: one row group only");
        var panel = await MarketPanel.LoadAsync(store, PanelContents.Bars);
        Assert.Null(panel.Valuations);
        Assert.Null(panel.Financials);
        var reference = MarketPanel.FromBars(m.Bars, m.Stocks);
        foreach (var (a, b) in new[] { (reference.Open, panel.Open), (reference.High, panel.High), (reference.Low, panel.Low), (reference.Close, panel.Close),
                     (reference.PreClose, panel.PreClose), (reference.Volume, panel.Volume), (reference.Amount, panel.Amount), (reference.AdjFactor, panel.AdjFactor),
                     (reference.UpLimit, panel.UpLimit), (reference.DownLimit, panel.DownLimit) })
            Assert.True(a.AsSpan().SequenceEqual(b), "a field differs");
        Assert.Equal(reference.Flags, panel.Flags);
        var full = await MarketPanel.LoadAsync(store, PanelContents.Valuations);
        Assert.NotNull(full.Valuations);
        Assert.Null(full.Financials);
    }

    [Fact]
    public async Task The_panel_cache_gives_back_the_decoded_bars_and_a_damaged_entry_is_decoded_again()
    {
        var m = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(120, 300, 8) { Start = new DateOnly(2020, 1, 6) });
        using var tmp = new TempDir();
        var store = await SyntheticStore.WriteAsync(m, Path.Combine(tmp.Path, "store"));
        var cache = new PanelCache(new CacheFolder(Path.Combine(tmp.Path, "cache"), 1L << 30));
        var decoded = await MarketPanel.LoadAsync(store, PanelContents.Valuations, cache);
        await cache.FlushAsync();
        Assert.Equal(0, cache.Hits);
        var entry = Assert.Single(Directory.GetFiles(Path.Combine(tmp.Path, "cache"), "*.bars"));
        var read = await MarketPanel.LoadAsync(store, PanelContents.Valuations, cache);
        Assert.Equal(1, cache.Hits);
        SameBars(decoded, read);
        Assert.Equal(decoded.Valuations!.PeTtm, read.Valuations!.PeTtm); // valuations still from the store, carried over the same suspensions

        var bytes = File.ReadAllBytes(entry);
        bytes[^100] ^= 0x01;
        File.WriteAllBytes(entry, bytes);
        var again = await MarketPanel.LoadAsync(store, PanelContents.Bars, cache);
        Assert.Equal(1, cache.Hits); // refused, decoded again
        SameBars(decoded, again);
    }

    private static void SameBars(MarketPanel a, MarketPanel b)
    {
        foreach (var (x, y) in new[] { (a.Open, b.Open), (a.High, b.High), (a.Low, b.Low), (a.Close, b.Close), (a.PreClose, b.PreClose),
                     (a.Volume, b.Volume), (a.Amount, b.Amount), (a.AdjFactor, b.AdjFactor), (a.UpLimit, b.UpLimit), (a.DownLimit, b.DownLimit) })
            Assert.True(x.AsSpan().SequenceEqual(y), "a field differs");
        Assert.Equal(a.Flags, b.Flags);
    }
}
