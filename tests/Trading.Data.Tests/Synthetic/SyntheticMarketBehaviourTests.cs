using Trading.Data.Model;
using Trading.Data.Synthetic;
using Trading.Domain.Instruments;

namespace Trading.Data.Tests.Synthetic;

/// <summary>One mid-size market (300 symbols × 500 days from 2015) shared by the event tests.</summary>
public sealed class MidSizeMarket
{
    public SyntheticMarket Market { get; } = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(300, 500, 2015));
}

public class SyntheticMarketEventTests(MidSizeMarket fixture) : IClassFixture<MidSizeMarket>
{
    private readonly SyntheticMarket _m = fixture.Market;

    private int DayIndex(int dayNumber) => BinarySearch(_m.TradingDays, DateOnly.FromDayNumber(dayNumber));

    private static int BinarySearch(IReadOnlyList<DateOnly> days, DateOnly date)
    {
        int lo = 0, hi = days.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (days[mid] == date) return mid;
            if (days[mid] < date) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    [Fact]
    public void Limit_locked_days_have_one_price_and_thin_volume()
    {
        var b = _m.Bars;
        int lockedUp = 0, lockedDown = 0, tradedAtUp = 0;
        double lockedVolumeRatio = 0;
        for (int s = 0; s < _m.Stocks.Count; s++)
        {
            var (start, count) = _m.RowsOf(s);
            if (count < 20) continue;
            var volumes = new long[count];
            Array.Copy(b.Volume, start, volumes, 0, count);
            Array.Sort(volumes);
            double median = volumes[count / 2];
            for (int i = start; i < start + count; i++)
            {
                if (b.UpLimit[i] == 0) continue;
                bool up = b.Low[i] == b.UpLimit[i], down = b.High[i] == b.DownLimit[i];
                if (up || down)
                {
                    Assert.True(b.Open[i] == b.Close[i] && b.High[i] == b.Low[i] && b.Open[i] == b.High[i]);
                    lockedVolumeRatio += b.Volume[i] / median;
                }
                if (up) lockedUp++;
                if (down) lockedDown++;
                if (b.Close[i] == b.UpLimit[i] && b.Low[i] < b.UpLimit[i]) tradedAtUp++;
            }
        }
        Assert.True(lockedUp >= 20, $"{lockedUp} locked limit-up days");
        Assert.True(lockedDown >= 10, $"{lockedDown} locked limit-down days");
        Assert.True(tradedAtUp >= 20, $"{tradedAtUp} days closing at limit-up after trading below it");
        Assert.True(lockedVolumeRatio / (lockedUp + lockedDown) < 0.5, "locked days should trade far less than usual");
    }

    [Fact]
    public void Suspensions_leave_gaps_and_resume_from_the_last_close()
    {
        var suspensions = _m.Truth.Suspensions;
        Assert.True(suspensions.Count >= 50, $"{suspensions.Count} suspensions");
        Assert.Contains(suspensions, x => x.TradingDays == 1);
        Assert.Contains(suspensions, x => x.TradingDays > 5);
        Assert.All(suspensions, x => Assert.InRange(x.TradingDays, 1, 30));
        var index = _m.Stocks.Select((s, i) => (s.Symbol, i)).ToDictionary(x => x.Symbol, x => x.i);
        var b = _m.Bars;
        foreach (var spell in suspensions)
        {
            var (start, count) = _m.RowsOf(index[spell.Symbol]);
            int before = -1, after = -1;
            for (int i = start; i < start + count; i++)
            {
                var date = DateOnly.FromDayNumber(b.Date[i]);
                Assert.False(date >= spell.First && date <= spell.Last, $"{spell.Symbol} has a row on suspended {date}");
                if (date < spell.First) before = i;
                else if (after < 0) after = i;
            }
            Assert.True(before >= 0 && after == before + 1);
            Assert.Equal(DayIndex(b.Date[before]) + 1, BinarySearch(_m.TradingDays, spell.First));
            Assert.Equal(BinarySearch(_m.TradingDays, spell.Last) + 1, DayIndex(b.Date[after]));
            Assert.Equal(b.Close[before], b.PreClose[after]);
            Assert.True(_m.Stocks[index[spell.Symbol]].IsListedOn(spell.First));
        }
    }

    [Fact]
    public void St_spells_flag_bars_and_narrow_the_main_board_band()
    {
        var withSt = _m.Stocks.Where(s => s.StSpells.Count > 0).ToList();
        Assert.True(withSt.Count >= 5, $"{withSt.Count} stocks with ST spells");
        var b = _m.Bars;
        int stBars = 0;
        for (int i = 0; i < b.Count; i++)
        {
            if ((b.Flags[i] & (byte)BarFlags.St) == 0 || b.UpLimit[i] == 0) continue;
            stBars++;
            var board = Symbol.FromPacked(b.Symbol[i]).Board;
            double band = (b.UpLimit[i] - b.PreClose[i]) / (double)b.PreClose[i];
            if (board is Board.ShanghaiMain or Board.ShenzhenMain && b.PreClose[i] >= 200)
                Assert.InRange(band, 0.045, 0.055);
        }
        Assert.True(stBars >= 500, $"{stBars} ST bars");
        Assert.Contains(_m.Stocks, s => s.Name.StartsWith("*ST", StringComparison.Ordinal));
    }

    [Fact]
    public void Listings_start_inside_the_range_without_limits()
    {
        var first = _m.TradingDays[0];
        var listings = _m.Stocks.Select((s, i) => (s, i)).Where(x => x.s.ListDate > first).ToList();
        Assert.True(listings.Count >= 30, $"{listings.Count} listings");
        var b = _m.Bars;
        foreach (var (stock, i) in listings)
        {
            var (start, count) = _m.RowsOf(i);
            Assert.True(count > 0);
            Assert.Equal(stock.ListDate!.Value.DayNumber, b.Date[start]);
            Assert.True((b.Flags[start] & (byte)BarFlags.NoLimit) != 0);
            Assert.Equal(0, b.UpLimit[start]);
            Assert.InRange(b.PreClose[start], 300, 8000); // the issue price, 3..80 CNY
        }
        // The old regime's listings (one no-limit day, +44% cap) are followed by one-price limit-up streaks.
        int streakDays = 0;
        foreach (var (_, i) in listings)
        {
            var (start, count) = _m.RowsOf(i);
            for (int k = start + 1; k < start + Math.Min(count, 6); k++)
                if (b.UpLimit[k] > 0 && b.Low[k] == b.UpLimit[k]) streakDays++;
        }
        Assert.True(streakDays >= listings.Count, $"{streakDays} locked days after {listings.Count} listings");
    }

    [Fact]
    public void Delisted_stocks_stop_trading_at_their_delist_date()
    {
        var delisted = _m.Stocks.Select((s, i) => (s, i)).Where(x => x.s.DelistDate is not null).ToList();
        Assert.True(delisted.Count >= 3, $"{delisted.Count} delistings");
        var b = _m.Bars;
        int stBeforeExit = 0;
        foreach (var (stock, i) in delisted)
        {
            Assert.True(stock.DelistDate > _m.TradingDays[0] && stock.DelistDate <= _m.TradingDays[^1]);
            var (start, count) = _m.RowsOf(i);
            Assert.True(count > 0);
            Assert.True(b.Date[start + count - 1] < stock.DelistDate!.Value.DayNumber);
            Assert.False(stock.IsListedOn(stock.DelistDate!.Value));
            if ((b.Flags[start + count - 1] & (byte)BarFlags.St) != 0) stBeforeExit++;
        }
        Assert.True(stBeforeExit >= delisted.Count / 2, "planned delistings are preceded by *ST");
    }

    [Fact]
    public void Dividends_and_bonus_shares_move_the_reference_and_the_adj_factor()
    {
        var actions = _m.Truth.CorporateActions;
        Assert.True(actions.Count >= 100, $"{actions.Count} ex-dates");
        Assert.Contains(actions, a => a.BonusRatio > 0);
        Assert.Contains(actions, a => a.CashDividend > 0 && a.BonusRatio == 0);
        var index = _m.Stocks.Select((s, i) => (s.Symbol, i)).ToDictionary(x => x.Symbol, x => x.i);
        var b = _m.Bars;
        int moved = 0;
        foreach (var a in actions)
        {
            var (start, count) = _m.RowsOf(index[a.Symbol]);
            int row = -1;
            for (int i = start + 1; i < start + count; i++)
                if (b.Date[i] == a.Date.DayNumber) row = i;
            Assert.True(row > start, $"{a.Symbol} {a.Date}: no bar on the ex-date");
            Assert.Equal(a.ReferencePrice, b[row].PreClose);
            Assert.Equal(a.PrevClose, b[row - 1].Close);
            if (b.PreClose[row] != b.Close[row - 1])
            {
                moved++;
                Assert.True(b.AdjFactor[row] > b.AdjFactor[row - 1]);
            }
        }
        Assert.True(moved >= actions.Count * 9 / 10);
        // Bonus shares of 10 per 10 roughly halve the reference.
        foreach (var a in actions.Where(x => x.BonusRatio == 1m))
            Assert.InRange((double)(a.ReferencePrice / a.PrevClose), 0.45, 0.5001);
    }

    [Fact]
    public void Planted_truth_is_aligned()
    {
        var t = _m.Truth;
        int n = _m.Stocks.Count, d = _m.TradingDays.Count;
        Assert.Equal(n, t.Industry.Length);
        Assert.Equal(n, t.LogCap.Length);
        Assert.Equal(n, t.Beta.Length);
        Assert.Equal(n, t.IdioVol.Length);
        Assert.Equal(n, t.IndexMember.Length);
        Assert.Equal(d, t.MarketReturn.Length);
        Assert.Equal(d, t.SizePremium.Length);
        Assert.Equal(d, t.MomentumPremium.Length);
        Assert.Equal(31, t.IndustryReturn.Length);
        Assert.All(t.IndustryReturn, r => Assert.Equal(d, r.Length));
        Assert.Equal(_m.Bars.Count, t.MomentumExposure.Length);
        Assert.All(t.Industry, i => Assert.InRange(i, 0, 30));
        Assert.InRange(t.LogCap.Average(), 21.5, 23.5);
        Assert.Equal(60, t.MomentumLookback);
        // Exposures exist once a stock has 60 bars, are clamped, and have roughly unit spread.
        var known = t.MomentumExposure.Where(x => !float.IsNaN(x)).ToArray();
        Assert.True(known.Length > _m.Bars.Count / 2);
        Assert.All(known, x => Assert.InRange(x, -3f, 3f));
        double sd = Math.Sqrt(known.Select(x => (double)x * x).Average());
        Assert.InRange(sd, 0.6, 1.6);
        var (first, _) = _m.RowsOf(0);
        Assert.True(float.IsNaN(t.MomentumExposure[first]));
    }
}

public class SyntheticMarketDeterminismTests
{
    private static SyntheticMarket Make(ulong seed) => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(120, 300, seed));

    [Fact]
    public void Same_seed_gives_identical_markets()
    {
        var a = Make(5);
        var b = Make(5);
        AssertSame(a.Bars, b.Bars);
        Assert.Equal(a.TradingDays, b.TradingDays);
        Assert.Equal(a.Benchmark, b.Benchmark);
        Assert.Equal(a.Stocks.Count, b.Stocks.Count);
        for (int i = 0; i < a.Stocks.Count; i++)
        {
            var x = a.Stocks[i];
            var y = b.Stocks[i];
            Assert.Equal((x.Symbol, x.Name, x.Industry, x.ListDate, x.DelistDate, x.Area), (y.Symbol, y.Name, y.Industry, y.ListDate, y.DelistDate, y.Area));
            Assert.Equal(x.StSpells, y.StSpells);
            Assert.Equal(a.RowsOf(i), b.RowsOf(i));
        }
        Assert.Equal(a.Truth.LogCap, b.Truth.LogCap);
        Assert.Equal(a.Truth.MarketReturn, b.Truth.MarketReturn);
        Assert.Equal(a.Truth.MomentumPremium, b.Truth.MomentumPremium);
        Assert.Equal(a.Truth.MomentumExposure, b.Truth.MomentumExposure);
        Assert.Equal(a.Truth.CorporateActions, b.Truth.CorporateActions);
        Assert.Equal(a.Truth.Suspensions, b.Truth.Suspensions);
    }

    [Fact]
    public void Different_seeds_give_different_markets()
    {
        var a = Make(5);
        var b = Make(6);
        Assert.NotEqual(a.Stocks.Select(s => s.Symbol), b.Stocks.Select(s => s.Symbol));
        Assert.NotEqual(a.Truth.MarketReturn, b.Truth.MarketReturn);
        int n = Math.Min(a.Bars.Count, b.Bars.Count);
        Assert.False(a.Bars.Close.AsSpan(0, n).SequenceEqual(b.Bars.Close.AsSpan(0, n)));
    }

    [Fact]
    public void The_common_factors_do_not_depend_on_the_number_of_symbols()
    {
        var small = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(10, 200, 77));
        var large = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(200, 200, 77));
        Assert.Equal(small.Truth.MarketReturn, large.Truth.MarketReturn);
        Assert.Equal(small.Truth.MomentumPremium, large.Truth.MomentumPremium);
    }

    [Fact]
    public void A_small_market_is_pinned_bit_for_bit()
    {
        // Guards determinism across runtimes and refactorings: change only on purpose, with the reason in the commit.
        var m = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(30, 80, 42));
        Assert.Equal(GoldenFingerprint, Fingerprint(m));
    }

    private const ulong GoldenFingerprint = 720845540948878988UL;

    internal static ulong Fingerprint(SyntheticMarket m)
    {
        ulong h = 14695981039346656037UL;
        void Add(long v)
        {
            for (int k = 0; k < 8; k++)
            {
                h ^= (byte)(v >> (8 * k));
                h *= 1099511628211UL;
            }
        }
        var b = m.Bars;
        for (int i = 0; i < b.Count; i++)
        {
            Add(b.Symbol[i]); Add(b.Date[i]); Add(b.Open[i]); Add(b.High[i]); Add(b.Low[i]); Add(b.Close[i]);
            Add(b.PreClose[i]); Add(b.UpLimit[i]); Add(b.DownLimit[i]); Add(b.Volume[i]);
            Add(BitConverter.DoubleToInt64Bits(b.Amount[i])); Add(BitConverter.DoubleToInt64Bits(b.AdjFactor[i])); Add(b.Flags[i]);
        }
        foreach (var x in m.Benchmark) Add(BitConverter.DoubleToInt64Bits(x.Close));
        foreach (var s in m.Stocks) foreach (var c in s.Name) Add(c);
        return h;
    }

    private static void AssertSame(BarTable a, BarTable b)
    {
        Assert.Equal(a.Count, b.Count);
        int n = a.Count;
        Assert.True(a.Symbol.AsSpan(0, n).SequenceEqual(b.Symbol.AsSpan(0, n)));
        Assert.True(a.Date.AsSpan(0, n).SequenceEqual(b.Date.AsSpan(0, n)));
        Assert.True(a.Open.AsSpan(0, n).SequenceEqual(b.Open.AsSpan(0, n)));
        Assert.True(a.High.AsSpan(0, n).SequenceEqual(b.High.AsSpan(0, n)));
        Assert.True(a.Low.AsSpan(0, n).SequenceEqual(b.Low.AsSpan(0, n)));
        Assert.True(a.Close.AsSpan(0, n).SequenceEqual(b.Close.AsSpan(0, n)));
        Assert.True(a.PreClose.AsSpan(0, n).SequenceEqual(b.PreClose.AsSpan(0, n)));
        Assert.True(a.UpLimit.AsSpan(0, n).SequenceEqual(b.UpLimit.AsSpan(0, n)));
        Assert.True(a.DownLimit.AsSpan(0, n).SequenceEqual(b.DownLimit.AsSpan(0, n)));
        Assert.True(a.Volume.AsSpan(0, n).SequenceEqual(b.Volume.AsSpan(0, n)));
        Assert.True(a.Amount.AsSpan(0, n).SequenceEqual(b.Amount.AsSpan(0, n)));
        Assert.True(a.AdjFactor.AsSpan(0, n).SequenceEqual(b.AdjFactor.AsSpan(0, n)));
        Assert.True(a.Flags.AsSpan(0, n).SequenceEqual(b.Flags.AsSpan(0, n)));
    }
}

public class SyntheticMarketFactorTests
{
    [Fact]
    public void Momentum_shows_up_as_a_positive_rank_ic_in_the_bars()
    {
        var m = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(400, 500, 31));
        var hfq = HfqPanel(m);
        int n = m.Stocks.Count, d = m.TradingDays.Count;
        var ics = new List<double>();
        for (int t = 60; t + 20 < d; t += 5)
        {
            var past = new List<double>();
            var next = new List<double>();
            for (int s = 0; s < n; s++)
            {
                double a = hfq[s][t - 60], c = hfq[s][t], e = hfq[s][t + 20];
                if (double.IsNaN(a) || double.IsNaN(c) || double.IsNaN(e)) continue;
                past.Add(Math.Log(c / a));
                next.Add(Math.Log(e / c));
            }
            if (past.Count >= 50) ics.Add(Spearman(past, next));
        }
        double meanIc = ics.Average();
        Assert.True(ics.Count >= 80);
        Assert.InRange(meanIc, 0.02, 0.12);
    }

    [Fact]
    public void The_planted_premium_is_recovered_by_cross_sectional_regression()
    {
        var o = new SyntheticMarketOptions(400, 500, 32);
        var m = SyntheticMarketGenerator.Generate(o);
        var b = m.Bars;
        var x = m.Truth.MomentumExposure;
        int d = m.TradingDays.Count;
        var sxy = new double[d];
        var sxx = new double[d];
        var sx = new double[d];
        var sy = new double[d];
        var cnt = new int[d];
        var dayIndex = new Dictionary<int, int>();
        for (int t = 0; t < d; t++) dayIndex[m.TradingDays[t].DayNumber] = t;
        for (int i = 0; i < b.Count; i++)
        {
            if (float.IsNaN(x[i]) || b.UpLimit[i] == 0) continue;
            int t = dayIndex[b.Date[i]];
            double r = Math.Log(b.Close[i] / (double)b.PreClose[i]);
            sx[t] += x[i]; sy[t] += r; sxy[t] += x[i] * r; sxx[t] += (double)x[i] * x[i]; cnt[t]++;
        }
        var slopes = new List<double>();
        var planted = new List<double>();
        for (int t = 0; t < d; t++)
        {
            if (cnt[t] < 100) continue;
            double mx = sx[t] / cnt[t], my = sy[t] / cnt[t];
            double varX = sxx[t] / cnt[t] - mx * mx;
            slopes.Add((sxy[t] / cnt[t] - mx * my) / varX);
            planted.Add(m.Truth.MomentumPremium[t]);
        }
        Assert.True(slopes.Count >= 300);
        Assert.InRange(slopes.Average(), 0.5 * o.MomentumPremiumMean, 1.5 * o.MomentumPremiumMean);
        Assert.True(Pearson(slopes, planted) > 0.2, "daily slopes should follow the planted daily premium");
    }

    [Fact]
    public void Scale_run_of_2000_symbols_by_250_days_holds_together()
    {
        var m = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(2000, 250, 99));
        var b = m.Bars;
        Assert.True(b.Count > 300_000, $"{b.Count} rows");
        int total = 0;
        for (int s = 0; s < m.Stocks.Count; s++) total += m.RowsOf(s).Count;
        Assert.Equal(b.Count, total);
        for (int i = 1; i < b.Count; i++)
            Assert.True(b.Symbol[i] > b.Symbol[i - 1] || (b.Symbol[i] == b.Symbol[i - 1] && b.Date[i] > b.Date[i - 1]));
        Assert.Equal(250, m.Benchmark.Count);
    }

    internal static double[][] HfqPanel(SyntheticMarket m)
    {
        int n = m.Stocks.Count, d = m.TradingDays.Count;
        var dayIndex = new Dictionary<int, int>();
        for (int t = 0; t < d; t++) dayIndex[m.TradingDays[t].DayNumber] = t;
        var panel = new double[n][];
        for (int s = 0; s < n; s++)
        {
            panel[s] = new double[d];
            Array.Fill(panel[s], double.NaN);
            var (start, count) = m.RowsOf(s);
            for (int i = start; i < start + count; i++)
                panel[s][dayIndex[m.Bars.Date[i]]] = m.Bars.Close[i] * m.Bars.AdjFactor[i];
        }
        return panel;
    }

    private static double Spearman(List<double> x, List<double> y) => Pearson(Ranks(x), Ranks(y));

    private static List<double> Ranks(List<double> v)
    {
        var order = Enumerable.Range(0, v.Count).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Count];
        for (int k = 0; k < order.Length; k++) ranks[order[k]] = k;
        return ranks.ToList();
    }

    private static double Pearson(List<double> x, List<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
