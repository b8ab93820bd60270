using Trading.Data.Model;
using Trading.Data.Synthetic;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Tests.Synthetic;

/// <summary>Every row of a generated market obeys the A-share rules and the TuShare conventions.</summary>
public class SyntheticMarketInvariantTests
{
    public static TheoryData<int, int, ulong, string, bool> Configs => new()
    {
        // symbols, days, seed, start, respect board launch dates
        { 300, 500, 11, "2015-01-05", true },   // main boards and ChiNext, 1-day IPO regime
        { 300, 500, 12, "2019-06-03", true },   // STAR opens 2019-07-22, ChiNext reform 2020-08-24
        { 250, 600, 13, "2022-06-01", true },   // BSE, main-board registration IPOs from 2023-04-10, 920 codes
        { 150, 300, 14, "2024-06-03", true },   // main-board ST band 10% from 2025-07-07
        { 200, 300, 15, "2015-01-05", false },  // every board from day one
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_row_obeys_the_rules(int symbols, int days, ulong seed, string start, bool respectLaunch)
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(symbols, days, seed)
        {
            Start = DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            RespectBoardLaunchDates = respectLaunch,
        });
        var rules = MarketRules.Default;
        var bars = market.Bars;
        var calendar = market.TradingDays;
        var dayIndex = new Dictionary<int, int>();
        for (int t = 0; t < calendar.Count; t++) dayIndex[calendar[t].DayNumber] = t;
        var actions = market.Truth.CorporateActions.ToDictionary(a => (a.Symbol.Packed, a.Date.DayNumber));
        var suspensions = market.Truth.Suspensions.ToDictionary(s => (s.Symbol.Packed, s.First.DayNumber));

        Assert.Equal(days, calendar.Count);
        Assert.Equal(symbols, market.Stocks.Count);
        Assert.Equal(bars.Count, bars.Capacity);
        Assert.Equal(bars.Count, market.Truth.MomentumExposure.Length);
        int covered = 0;

        for (int s = 0; s < market.Stocks.Count; s++)
        {
            var stock = market.Stocks[s];
            var (start0, count) = market.RowsOf(s);
            Assert.Equal(covered, start0);
            covered += count;
            if (count == 0) continue;
            if (respectLaunch)
                Assert.True(calendar[dayIndex[bars.Date[start0]]] >= SyntheticMarketGenerator.BoardLaunch(stock.Board));

            bool listedInRange = stock.ListDate >= calendar[0];
            int firstDay = dayIndex[bars.Date[start0]];
            if (listedInRange) Assert.Equal(stock.ListDate!.Value.DayNumber, bars.Date[start0]);
            else
            {
                Assert.Equal(0, firstDay);
                Assert.True(stock.ListDate!.Value <= calendar[0].AddDays(-90));
            }
            int lastDay = dayIndex[bars.Date[start0 + count - 1]];
            if (stock.DelistDate is { } delisted) Assert.Equal(lastDay + 1, dayIndex[delisted.DayNumber]);
            else Assert.Equal(calendar.Count - 1, lastDay);
            Assert.Equal(1.0, bars.AdjFactor[start0]);

            for (int i = start0; i < start0 + count; i++)
            {
                var date = DateOnly.FromDayNumber(bars.Date[i]);
                int t = dayIndex[bars.Date[i]];
                Assert.Equal(stock.Symbol.Packed, bars.Symbol[i]);
                Assert.True(stock.IsListedOn(date), $"{stock.Symbol} {date} outside its listing");
                var row = bars[i];
                Assert.True(Money.IsOnTick(row.Open) && Money.IsOnTick(row.Close) && Money.IsOnTick(row.PreClose));

                int o = bars.Open[i], h = bars.High[i], l = bars.Low[i], c = bars.Close[i], pre = bars.PreClose[i];
                Assert.True(l >= 1 && pre >= 1, $"{stock.Symbol} {date}: non-positive price");
                Assert.True(l <= o && l <= c && o <= h && c <= h, $"{stock.Symbol} {date}: O {o} H {h} L {l} C {c}");

                bool isSt = stock.IsStOn(date);
                Assert.Equal(isSt, (bars.Flags[i] & (byte)BarFlags.St) != 0);
                int? listedDays = listedInRange ? t - dayIndex[stock.ListDate!.Value.DayNumber] : null;
                bool noLimit = rules.IsNoLimitDay(stock.Board, listedDays, stock.ListDate);
                Assert.Equal(noLimit, (bars.Flags[i] & (byte)BarFlags.NoLimit) != 0);
                if (noLimit)
                {
                    Assert.Equal(0, bars.UpLimit[i]);
                    Assert.Equal(0, bars.DownLimit[i]);
                }
                else
                {
                    var expected = rules.Limit(stock.Symbol, date, new LimitContext(pre / 100m, isSt, listedDays, stock.ListDate));
                    Assert.Equal(expected.Up, row.UpLimit);
                    Assert.Equal(expected.Down, row.DownLimit);
                    Assert.True(l >= bars.DownLimit[i] && h <= bars.UpLimit[i], $"{stock.Symbol} {date}: outside its band");
                }

                Assert.True(bars.Volume[i] > 0);
                double vwap = bars.Amount[i] / bars.Volume[i] * 100.0; // fen
                Assert.True(vwap >= l - 1e-6 * l && vwap <= h + 1e-6 * h, $"{stock.Symbol} {date}: vwap {vwap} outside [{l}, {h}]");

                if (i == start0) continue;
                Assert.True(bars.Date[i] > bars.Date[i - 1]);
                int previousDay = dayIndex[bars.Date[i - 1]];
                if (t != previousDay + 1)
                {
                    // A gap is a recorded suspension, and the bar after it carries the last close.
                    Assert.True(suspensions.TryGetValue((stock.Symbol.Packed, calendar[previousDay + 1].DayNumber), out var spell),
                        $"{stock.Symbol}: unexplained gap before {date}");
                    Assert.Equal(t - previousDay - 1, spell.TradingDays);
                    Assert.Equal(calendar[t - 1], spell.Last);
                }
                int prevClose = bars.Close[i - 1];
                if (actions.TryGetValue((stock.Symbol.Packed, bars.Date[i]), out var action))
                {
                    Assert.Equal(prevClose / 100m, action.PrevClose);
                    Assert.Equal(Money.RoundFen((action.PrevClose - action.CashDividend) / (1m + action.BonusRatio)), row.PreClose);
                    Assert.Equal(bars.AdjFactor[i - 1] * prevClose / pre, bars.AdjFactor[i], 1e-12 * bars.AdjFactor[i]);
                }
                else
                {
                    Assert.Equal(prevClose, pre);
                    Assert.Equal(bars.AdjFactor[i - 1], bars.AdjFactor[i]);
                }
                // hfq continuity: yesterday's hfq close equals today's hfq reference.
                double hfqPrev = prevClose * bars.AdjFactor[i - 1], hfqRef = pre * bars.AdjFactor[i];
                Assert.True(Math.Abs(hfqPrev - hfqRef) <= 1e-9 * hfqPrev, $"{stock.Symbol} {date}: hfq jump {hfqPrev} -> {hfqRef}");
            }
        }
        Assert.Equal(bars.Count, covered);

        // Sorted and unique by (symbol, date).
        for (int i = 1; i < bars.Count; i++)
        {
            long a = ((long)bars.Symbol[i - 1] << 32) | (uint)bars.Date[i - 1];
            long b = ((long)bars.Symbol[i] << 32) | (uint)bars.Date[i];
            Assert.True(a < b, $"row {i} out of order");
        }
    }

    [Fact]
    public void Codes_boards_names_and_industries_are_realistic()
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(1000, 60, 21) { RespectBoardLaunchDates = false });
        var stocks = market.Stocks;
        Assert.Equal(stocks.Count, stocks.Select(s => s.Symbol).Distinct().Count());
        for (int i = 1; i < stocks.Count; i++) Assert.True(stocks[i - 1].Symbol.Packed < stocks[i].Symbol.Packed);

        var byBoard = stocks.GroupBy(s => s.Board).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(300, byBoard[Board.ShanghaiMain]);
        Assert.Equal(300, byBoard[Board.ShenzhenMain]);
        Assert.Equal(200, byBoard[Board.ChiNext]);
        Assert.Equal(120, byBoard[Board.Star]);
        Assert.Equal(80, byBoard[Board.Bse]);
        foreach (var s in stocks)
        {
            int prefix = s.Symbol.Code / 1000;
            bool ok = s.Board switch
            {
                Board.ShanghaiMain => prefix is 600 or 601 or 603 && s.Symbol.Exchange == Exchange.SH,
                Board.ShenzhenMain => prefix is 0 or 2 && s.Symbol.Exchange == Exchange.SZ,
                Board.ChiNext => prefix == 300 && s.Symbol.Exchange == Exchange.SZ,
                Board.Star => prefix == 688 && s.Symbol.Exchange == Exchange.SH,
                Board.Bse => (s.Symbol.Code / 10_000 == 83 || prefix == 920) && s.Symbol.Exchange == Exchange.BJ,
                _ => false,
            };
            Assert.True(ok, $"{s.Symbol} on {s.Board}");
            Assert.Equal(s.Symbol, Symbol.Parse(s.Symbol.ToString()));
            Assert.False(string.IsNullOrWhiteSpace(s.Name));
            Assert.Contains(s.Industry, market.Truth.Industries);
            if (s.Industry is "银行" or "非银金融") Assert.True(s.Board is Board.ShanghaiMain or Board.ShenzhenMain);
        }
        Assert.Equal(31, market.Truth.Industries.Count);
        Assert.Equal(ShenwanIndustries.Level1.Select(x => x.Name), market.Truth.Industries);
        Assert.True(stocks.Select(s => s.Industry).Distinct().Count() >= 28);
        Assert.True(stocks.Select(s => s.Name).Distinct().Count() >= 990);
        for (int i = 0; i < stocks.Count; i++) Assert.Equal(market.Truth.Industries[market.Truth.Industry[i]], stocks[i].Industry);

        // A stock listed later gets a larger code than an older one on the same board.
        foreach (var board in byBoard.Keys.Where(b => b != Board.Bse))
        {
            var ordered = stocks.Where(s => s.Board == board).OrderBy(s => s.Symbol.Code).ToList();
            for (int i = 1; i < ordered.Count; i++) Assert.True(ordered[i - 1].ListDate <= ordered[i].ListDate);
        }
    }

    [Fact]
    public void Boards_do_not_trade_before_they_open()
    {
        var early = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(200, 250, 22));
        Assert.DoesNotContain(early.Stocks, s => s.Board is Board.Star or Board.Bse); // both open after 2016
        var later = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(400, 400, 23) { Start = new DateOnly(2019, 1, 2) });
        var star = later.Stocks.Where(s => s.Board == Board.Star).ToList();
        Assert.NotEmpty(star);
        Assert.All(star, s => Assert.True(s.ListDate >= new DateOnly(2019, 7, 22)));
    }

    [Fact]
    public void Benchmark_is_a_cap_weighted_index_bar_per_day()
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(200, 300, 24) { IndexMembers = 50 });
        Assert.Equal(300, market.Benchmark.Count);
        Assert.Equal(50, market.Truth.IndexMember.Count(x => x));
        for (int t = 0; t < market.Benchmark.Count; t++)
        {
            var bar = market.Benchmark[t];
            Assert.Equal(SyntheticMarketGenerator.BenchmarkCode, bar.Code);
            Assert.Equal(market.TradingDays[t], bar.Date);
            Assert.True(bar.Low > 0 && bar.Low <= bar.Open && bar.Low <= bar.Close && bar.High >= bar.Open && bar.High >= bar.Close);
            Assert.True(bar.Volume > 0 && bar.Amount > 0);
        }
        Assert.InRange(market.Benchmark[0].Open / 3500.0, 0.95, 1.05);

        // The index return equals the constituents' cap-weighted return, so it tracks their equal-weighted return.
        double indexLog = Math.Log(market.Benchmark[^1].Close / 3500.0);
        Assert.InRange(indexLog, -1.5, 1.5);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(0, 10, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(10, 0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(10, 10, 1) { TailDf = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(10, 10, 1) { ListingFraction = 1.5 }));
        Assert.Throws<ArgumentException>(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(10, 10, 1)
        {
            ShanghaiMainShare = 0, ShenzhenMainShare = 0, ChiNextShare = 0, StarShare = 0, BseShare = 0,
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(3000, 5, 1)
        {
            ShanghaiMainShare = 0, ShenzhenMainShare = 0, ChiNextShare = 1, StarShare = 0, BseShare = 0, RespectBoardLaunchDates = false,
        }));
    }

    [Fact]
    public void Face_value_delisting_ends_a_stock_after_20_closes_below_one_yuan()
    {
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(100, 400, 25)
        {
            MinStartPrice = 1.0, MaxStartPrice = 1.3, FaceValueDelisting = true, DelistFraction = 0, ListingFraction = 0,
        });
        var bars = market.Bars;
        Assert.Equal(bars.Count, bars.Capacity);
        Assert.Equal(bars.Count, market.Truth.MomentumExposure.Length);
        int delisted = 0;
        for (int s = 0; s < market.Stocks.Count; s++)
        {
            var (start, count) = market.RowsOf(s);
            var stock = market.Stocks[s];
            int lastDay = market.TradingDays.Count - 1;
            bool endedEarly = bars.Date[start + count - 1] != market.TradingDays[lastDay].DayNumber;
            Assert.Equal(endedEarly, stock.DelistDate is not null);
            if (!endedEarly) continue;
            delisted++;
            Assert.True(count >= 20);
            for (int i = start + count - 20; i < start + count; i++) Assert.True(bars.Close[i] < 100);
            if (count > 20) Assert.True(bars.Close[start + count - 21] >= 100, "delisted on the 20th close below 1 CNY, not later");
            Assert.True(bars.Date[start + count - 1] < stock.DelistDate!.Value.DayNumber);
        }
        Assert.True(delisted >= 3, $"{delisted} face-value delistings");
    }

    [Fact]
    public void Tiny_markets_work()
    {
        var one = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(1, 1, 1));
        Assert.Single(one.Stocks);
        Assert.Equal(1, one.Bars.Count);
        Assert.Single(one.Benchmark);
        var few = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(7, 3, 2));
        Assert.Equal(7, few.Stocks.Count);
        Assert.Equal(3, few.TradingDays.Count);
    }
}
