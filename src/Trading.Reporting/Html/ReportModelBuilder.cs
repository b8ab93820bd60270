using System.Globalization;
using Trading.Domain.Rules;
using Trading.Reporting.Metrics;

namespace Trading.Reporting.Html;

/// <summary>
/// Fills the <see cref="ReportModel"/>: every performance metric and series comes from
/// <see cref="PerformanceAnalyzer"/> (Trading.Reporting.Metrics); this class only aligns those series to the NAV
/// dates for the charts and derives what the metrics do not cover (industry exposure, holdings, monthly turnover,
/// order and risk-event counts).
/// </summary>
internal static class ReportModelBuilder
{
    private const int MaxIndustryPoints = 600;
    /// <summary>Industries drawn one by one; the rest are summed into one band (a stacked area of 30+ bands is unreadable).</summary>
    private const int MaxIndustries = 12;
    private const int CommentaryPeriodDays = 20;

    public static ReportModel Build(RunFolder run, ReportInputs extra)
    {
        if (run.Nav.Count < 2) throw new MetricsInputException($"the run has {run.Nav.Count} NAV row(s); a report needs at least 2");

        var navRows = run.Nav.Select(n => (n.Date, (double)n.Nav)).ToList();
        var benchRows = run.Nav.Where(n => double.IsFinite(n.Benchmark) && n.Benchmark > 0).Select(n => (n.Date, n.Benchmark)).ToList();
        var trades = run.Trades.Select(t => new TradeRecord(t.Date, t.Symbol, t.IsBuy ? Side.Buy : Side.Sell, t.Quantity,
            (double)t.Price, (double)t.Amount, (double)t.Fees)).ToList();
        var positions = run.Positions.Select(p => new PositionRecord(p.Date, p.Symbol, (double)p.MarketValue)).ToList();
        var activity = new TradingActivity(trades, positions.Count > 0 ? positions : null,
            run.Nav.Select(n => (n.Date, (double)n.MarketValue)).ToList());
        var options = new MetricsOptions { RollingWindow = extra.RollingWindow, RiskFreeRate = extra.RiskFreeRate };
        var report = PerformanceAnalyzer.Analyze(navRows, benchRows.Count >= 2 ? benchRows : null, activity, options);

        var dates = run.Nav.Select(n => n.Date).ToArray();
        var index = new Dictionary<DateOnly, int>(dates.Length);
        for (int i = 0; i < dates.Length; i++) index[dates[i]] = i;
        var nav = navRows.Select(r => r.Item2).ToArray();

        var equity = Align(index, report.Cumulative, 1);
        var bench = report.Benchmark is { } b ? Align(index, b.Cumulative, 1) : null;
        var drawdown = Align(index, report.Drawdown, 0);

        var episodes = report.DrawdownEpisodes
            .OrderBy(e => e.MaxDrawdown).ThenBy(e => e.Start).Take(5)
            .Select(e => Episode(e, dates, index)).ToList();

        // monthly table: years × (12 months + year)
        var years = report.YearlyReturns.Select(y => y.Year).ToArray();
        var yearRow = years.Select((y, i) => (y, i)).ToDictionary(t => t.y, t => t.i);
        var monthly = years.Select(_ => Enumerable.Repeat(double.NaN, 13).ToArray()).ToArray();
        foreach (var m in report.MonthlyReturns) monthly[yearRow[m.Year]][m.Month - 1] = m.Return;
        foreach (var y in report.YearlyReturns) monthly[yearRow[y.Year]][12] = y.Return;
        var yearly = report.YearlyReturns.Select(y => y.Return).ToArray();

        // benchmark per year / month: their daily benchmark returns, compounded with their Compound
        double[]? yearlyBench = null;
        Dictionary<(int, int), double>? benchMonths = null;
        if (report.Benchmark is { } bc)
        {
            var byYear = bc.Returns.GroupBy(r => r.Date.Year).ToDictionary(g => g.Key, g => ReturnStatistics.Compound(g.Select(r => r.Value)));
            yearlyBench = years.Select(y => byYear.TryGetValue(y, out var v) ? v : double.NaN).ToArray();
            benchMonths = bc.Returns.GroupBy(r => (r.Date.Year, r.Date.Month)).ToDictionary(g => g.Key, g => ReturnStatistics.Compound(g.Select(r => r.Value)));
        }

        var rollingSharpe = Align(index, report.RollingSharpe, 0, fill: double.NaN);
        var rollingVol = Align(index, report.RollingVolatility, 0, fill: double.NaN);
        var rollingBeta = report.Benchmark is { } rb ? Align(index, rb.RollingBeta, 0, fill: double.NaN) : null;

        var centers = report.Histogram.Select(h => (h.Lower + h.Upper) / 2).ToArray();
        var counts = report.Histogram.Select(h => h.Count).ToArray();
        int[]? benchCounts = report.Benchmark is { } hb && report.Histogram.Count > 0 ? Bin(report.Histogram, hb.Returns) : null;

        var names = extra.Names;
        string Industry(string symbol) => extra.Industries.TryGetValue(symbol, out var ind) && !string.IsNullOrWhiteSpace(ind) ? ind : extra.UnknownIndustry;
        var (expDates, industries, weights, lastIndustry) = IndustryExposure(run, index, nav, Industry, extra.UnknownIndustry);
        var (holdings, latestHoldings) = TopHoldings(run, index, nav, names, Industry);
        var (turnLabels, turnValues, turnPeriod) = Turnover(run, dates, nav);

        var (tradeStats, orderStats, fees) = TradeTables(run, report);
        var (rules, rejectionEvents, alerts) = RiskEvents(run);
        var factors = extra.Factors.Select(FactorViewOf).ToList();

        double avgNav = ReturnStatistics.Mean(nav);
        var years252 = report.Years;
        var facts = new CommentaryFacts
        {
            Start = report.StartDate,
            End = report.EndDate,
            TradingDays = report.Days,
            TotalReturn = report.TotalReturn,
            Cagr = report.Cagr,
            Volatility = report.Volatility,
            Sharpe = report.Sharpe,
            BenchmarkReturn = report.Benchmark?.TotalReturn,
            BenchmarkCagr = report.Benchmark?.Cagr,
            Beta = report.Benchmark?.Beta,
            Alpha = report.Benchmark?.Alpha,
            InformationRatio = report.Benchmark?.InformationRatio,
            Correlation = report.Benchmark?.Correlation,
            Episodes = MaxFirst(episodes, report.MaxDrawdown),
            BestDay = Extreme(report.Returns, max: true),
            WorstDay = Extreme(report.Returns, max: false),
            BestMonth = report.MonthlyReturns.Count == 0 ? null : report.MonthlyReturns.MaxBy(m => m.Return) is { } bm ? new DatedValue(new DateOnly(bm.Year, bm.Month, 1), bm.Return) : null,
            WorstMonth = report.MonthlyReturns.Count == 0 ? null : report.MonthlyReturns.MinBy(m => m.Return) is { } wm ? new DatedValue(new DateOnly(wm.Year, wm.Month, 1), wm.Return) : null,
            Months = report.MonthlyReturns.Count,
            PositiveMonths = report.MonthlyReturns.Count(m => m.Return > 0),
            MonthsWithBenchmark = benchMonths is null ? 0 : report.MonthlyReturns.Count(m => benchMonths.ContainsKey((m.Year, m.Month))),
            MonthsBeatingBenchmark = benchMonths is null ? 0 : report.MonthlyReturns.Count(m => benchMonths.TryGetValue((m.Year, m.Month), out var bv) && m.Return > bv),
            PeriodDays = CommentaryPeriodDays,
            Years = report.YearlyReturns.Select((y, i) => (y.Year, y.Return, yearlyBench is null || !double.IsFinite(yearlyBench[i]) ? (double?)null : yearlyBench[i])).ToList(),
            Fees = fees.Total, Commission = fees.Commission, StampDuty = fees.StampDuty, TransferFee = fees.Transfer, OtherFees = fees.Other,
            AverageNav = avgNav,
            CostDrag = years252 > 0 ? (double)fees.Total / avgNav / years252 : double.NaN,
            AnnualTurnover = report.Trading?.Turnover ?? double.NaN,
            Fills = run.Trades.Count,
            Rejections = rules.Sum(r => r.Count),
            TopRejectionRule = rules.FirstOrDefault(),
            Alerts = alerts.Count,
            TopIndustry = lastIndustry,
            TopHolding = holdings.FirstOrDefault(),
        };
        facts = WithPeriods(facts, dates, nav);

        return new ReportModel
        {
            Title = extra.StrategyName ?? run.SummaryString("strategy") ?? (run.Path is { } p ? Path.GetFileName(Path.TrimEndingDirectorySeparator(p)) : "Backtest"),
            Start = report.StartDate,
            End = report.EndDate,
            TradingDays = report.Days,
            BenchmarkName = report.Benchmark is null ? null : extra.BenchmarkName ?? run.SummaryString("benchmark"),
            Metrics = KeyMetrics(report, facts),
            Dates = dates,
            Equity = equity,
            Benchmark = bench,
            Drawdown = drawdown,
            Episodes = episodes,
            Years = years,
            Monthly = monthly,
            YearlyStrategy = yearly,
            YearlyBenchmark = yearlyBench,
            RollingWindow = report.RollingWindow,
            RollingSharpe = rollingSharpe,
            RollingVolatility = rollingVol,
            RollingBeta = rollingBeta,
            HistogramCenters = centers,
            HistogramCounts = counts,
            HistogramBenchmark = benchCounts,
            ExposureDates = expDates,
            Industries = industries,
            ExposureWeights = weights,
            TopHoldings = holdings,
            LatestHoldings = latestHoldings,
            HoldingDays = nav.Length,
            TurnoverLabels = turnLabels,
            TurnoverValues = turnValues,
            TurnoverPeriod = turnPeriod,
            TradeStats = tradeStats,
            OrderStats = orderStats,
            Rejections = rules,
            RejectionEvents = rejectionEvents,
            Alerts = alerts,
            Factors = factors,
            ExAnte = run.ExAnte,
            Facts = facts,
            GeneratedAt = extra.GeneratedAt,
            LibraryVersion = Assets.EChartsVersion,
        };
    }

    /// <summary>A dated series on the NAV dates: value + <paramref name="offset"/>, <paramref name="fill"/> where the series has no point.</summary>
    private static double[] Align(Dictionary<DateOnly, int> index, IReadOnlyList<DatedValue> series, double offset, double fill = double.NaN)
    {
        var a = new double[index.Count];
        Array.Fill(a, fill);
        foreach (var p in series)
            if (index.TryGetValue(p.Date, out var i)) a[i] = p.Value + offset;
        return a;
    }

    private static EpisodeView Episode(DrawdownEpisode e, DateOnly[] dates, Dictionary<DateOnly, int> index)
    {
        int start = index[e.Start];
        int peak = Math.Max(0, start - 1);
        int end = e.Recovery is { } r ? index[r] : dates.Length - 1;
        return new EpisodeView(dates[peak], e.Start, e.Valley, e.Recovery, e.MaxDrawdown, e.Days, end - peak);
    }

    /// <summary>The episode list with the maximum drawdown (as the metrics date it) first.</summary>
    private static IReadOnlyList<EpisodeView> MaxFirst(List<EpisodeView> episodes, MaxDrawdownInfo max)
    {
        if (max.Valley is null || episodes.Count == 0) return episodes;
        var first = episodes.FindIndex(e => e.Trough == max.Valley);
        if (first <= 0) return episodes;
        var list = new List<EpisodeView>(episodes);
        var e = list[first];
        list.RemoveAt(first);
        list.Insert(0, e);
        return list;
    }

    private static DatedValue? Extreme(IReadOnlyList<DatedValue> returns, bool max)
    {
        DatedValue? best = null;
        foreach (var r in returns)
        {
            if (!double.IsFinite(r.Value)) continue;
            if (best is null || (max ? r.Value > best.Value.Value : r.Value < best.Value.Value)) best = r;
        }
        return best;
    }

    /// <summary>Best and worst stretch of <see cref="CommentaryPeriodDays"/> trading days (NAV ratio over the stretch).</summary>
    private static CommentaryFacts WithPeriods(CommentaryFacts f, DateOnly[] dates, double[] nav)
    {
        int k = CommentaryPeriodDays;
        if (nav.Length <= k * 2) return f;
        int best = k, worst = k;
        double bestV = double.NegativeInfinity, worstV = double.PositiveInfinity;
        for (int i = k; i < nav.Length; i++)
        {
            double v = nav[i] / nav[i - k] - 1;
            if (v > bestV) { bestV = v; best = i; }
            if (v < worstV) { worstV = v; worst = i; }
        }
        return f with
        {
            BestPeriod = new DatedValue(dates[best], bestV),
            BestPeriodStart = dates[best - k],
            WorstPeriod = new DatedValue(dates[worst], worstV),
            WorstPeriodStart = dates[worst - k],
        };
    }

    private static int[] Bin(IReadOnlyList<HistogramBin> bins, IReadOnlyList<DatedValue> returns)
    {
        var counts = new int[bins.Count];
        double lo = bins[0].Lower, hi = bins[^1].Upper, width = (hi - lo) / bins.Count;
        foreach (var r in returns)
        {
            if (!double.IsFinite(r.Value) || r.Value < lo || r.Value > hi || width <= 0) continue;
            counts[Math.Min(bins.Count - 1, (int)((r.Value - lo) / width))]++;
        }
        return counts;
    }

    private static (DateOnly[] Dates, string[] Industries, double[][] Weights, (string, double)? Last) IndustryExposure(
        RunFolder run, Dictionary<DateOnly, int> index, double[] nav, Func<string, string> industryOf, string unknown)
    {
        if (run.Positions.Count == 0) return ([], [], [], null);
        var industryIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var perDay = new List<(int Day, int Industry, double Value)>(run.Positions.Count);
        var industryCache = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in run.Positions)
        {
            if (!index.TryGetValue(p.Date, out var d) || p.MarketValue == 0) continue;
            if (!industryCache.TryGetValue(p.Symbol, out var id))
            {
                var ind = industryOf(p.Symbol);
                if (!industryIds.TryGetValue(ind, out id)) { id = names.Count; industryIds[ind] = id; names.Add(ind); }
                industryCache[p.Symbol] = id;
            }
            perDay.Add((d, id, (double)p.MarketValue));
        }
        if (perDay.Count == 0) return ([], [], [], null);
        int days = nav.Length;
        var full = new double[names.Count][];
        for (int i = 0; i < names.Count; i++) full[i] = new double[days];
        foreach (var (day, ind, value) in perDay) full[ind][day] += value / nav[day];

        // from the first day with a position; thinned to at most MaxIndustryPoints dates (every k-th day + the last)
        int first = perDay.Min(x => x.Day);
        int step = Math.Max(1, (int)Math.Ceiling((days - first) / (double)MaxIndustryPoints));
        var picked = new List<int>();
        for (int d = first; d < days; d += step) picked.Add(d);
        if (picked[^1] != days - 1) picked.Add(days - 1);

        // order: largest average exposure first; beyond MaxIndustries summed into one band; the unknown group last
        var ranked = Enumerable.Range(0, names.Count)
            .Where(i => names[i] != unknown)
            .OrderByDescending(i => full[i].Skip(first).Average())
            .ThenBy(i => names[i], StringComparer.Ordinal).ToList();
        var bands = new List<(string Name, double[] Values)>();
        foreach (var i in ranked.Take(MaxIndustries)) bands.Add((names[i], full[i]));
        if (ranked.Count > MaxIndustries)
        {
            var rest = new double[days];
            foreach (var i in ranked.Skip(MaxIndustries))
                for (int d = 0; d < days; d++) rest[d] += full[i][d];
            bands.Add(($"Remaining {ranked.Count - MaxIndustries} industries", rest));
        }
        if (industryIds.TryGetValue(unknown, out var u)) bands.Add((unknown, full[u]));
        var dateList = run.Nav.Select(n => n.Date).ToArray();
        var weights = bands.Select(b => picked.Select(d => b.Values[d]).ToArray()).ToArray();
        int lastTop = Enumerable.Range(0, names.Count).OrderByDescending(i => full[i][days - 1]).ThenBy(i => names[i], StringComparer.Ordinal).First();
        (string, double)? last = full[lastTop][days - 1] > 0 ? (names[lastTop], full[lastTop][days - 1]) : null;
        return (picked.Select(d => dateList[d]).ToArray(), bands.Select(b => b.Name).ToArray(), weights, last);
    }

    /// <summary>Top 10 by average weight over the run, and top 10 by weight on the last day.</summary>
    private static (List<HoldingRow> Average, List<HoldingRow> Latest) TopHoldings(RunFolder run, Dictionary<DateOnly, int> index, double[] nav,
        IReadOnlyDictionary<string, string> names, Func<string, string> industryOf)
    {
        if (run.Positions.Count == 0) return ([], []);
        var sum = new Dictionary<string, double>(StringComparer.Ordinal);
        var latest = new Dictionary<string, double>(StringComparer.Ordinal);
        int lastDay = nav.Length - 1;
        foreach (var p in run.Positions)
        {
            if (!index.TryGetValue(p.Date, out var d)) continue;
            double w = (double)p.MarketValue / nav[d];
            sum[p.Symbol] = sum.GetValueOrDefault(p.Symbol) + w;
            if (d == lastDay) latest[p.Symbol] = latest.GetValueOrDefault(p.Symbol) + w;
        }
        int n = nav.Length;
        HoldingRow Row(string symbol) => new(symbol, names.TryGetValue(symbol, out var name) ? name : null, industryOf(symbol),
            latest.GetValueOrDefault(symbol), sum.GetValueOrDefault(symbol) / n);
        var byAverage = sum.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10).Select(kv => Row(kv.Key)).ToList();
        var byLatest = latest.Where(kv => kv.Value != 0).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(10).Select(kv => Row(kv.Key)).ToList();
        return (byAverage, byLatest);
    }

    private static (string[] Labels, double[] Values, string Period) Turnover(RunFolder run, DateOnly[] dates, double[] nav)
    {
        if (run.Trades.Count == 0) return ([], [], "month");
        bool daily = dates.Length <= 130;
        Func<DateOnly, string> key = daily ? Fmt.Date : Fmt.Month;
        var labels = new List<string>();
        var navSum = new List<double>();
        var navCount = new List<int>();
        var slot = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < dates.Length; i++)
        {
            var k = key(dates[i]);
            if (!slot.TryGetValue(k, out var s)) { s = labels.Count; slot[k] = s; labels.Add(k); navSum.Add(0); navCount.Add(0); }
            navSum[s] += nav[i];
            navCount[s]++;
        }
        var traded = new double[labels.Count];
        foreach (var t in run.Trades)
            if (slot.TryGetValue(key(t.Date), out var s)) traded[s] += (double)t.Amount;
        var values = new double[labels.Count];
        for (int s = 0; s < labels.Count; s++) values[s] = traded[s] / 2 / (navSum[s] / navCount[s]);
        return (labels.ToArray(), values, daily ? "day" : "month");
    }

    private readonly record struct FeeTotals(decimal Total, decimal Commission, decimal StampDuty, decimal Transfer, decimal Other);

    private static (List<LabelValue> Trades, List<LabelValue> Orders, FeeTotals Fees) TradeTables(RunFolder run, PerformanceReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        decimal commission = 0, stamp = 0, transfer = 0, other = 0, buyValue = 0, sellValue = 0;
        int buys = 0, sells = 0;
        foreach (var t in run.Trades)
        {
            commission += t.Commission; stamp += t.StampDuty; transfer += t.TransferFee; other += t.OtherFees;
            if (t.IsBuy) { buys++; buyValue += t.Amount; } else { sells++; sellValue += t.Amount; }
        }
        var fees = new FeeTotals(commission + stamp + transfer + other, commission, stamp, transfer, other);
        var rows = new List<LabelValue>();
        var st = report.Trading;
        if (run.Trades.Count > 0)
        {
            rows.Add(new("Fills", Fmt.Int(run.Trades.Count)));
            rows.Add(new("Buys / sells", $"{Fmt.Int(buys)} / {Fmt.Int(sells)}"));
            rows.Add(new("Bought / sold (CNY)", $"{Fmt.Money(buyValue)} / {Fmt.Money(sellValue)}"));
            rows.Add(new("Average fill (CNY)", Fmt.Money((buyValue + sellValue) / run.Trades.Count)));
            rows.Add(new("Distinct symbols traded", Fmt.Int(run.Trades.Select(t => t.Symbol).Distinct(StringComparer.Ordinal).Count())));
        }
        if (st is not null)
        {
            if (st.NumberOfRoundTrips is { } trips) rows.Add(new("Closed round trips (FIFO)", Fmt.Int(trips)));
            rows.Add(new("Round-trip win rate", Fmt.Pct(st.TradeWinRate)));
            rows.Add(new("Profit / loss ratio", Fmt.Num(st.ProfitLossRatio)));
            rows.Add(new("Annual turnover (one-sided)", double.IsFinite(st.Turnover) ? Fmt.Num(st.Turnover, 2) + "×" : "–"));
            rows.Add(new("Exposure (days invested)", Fmt.Pct(st.Exposure, 1)));
            rows.Add(new("Average holding spell (trading days)", Fmt.Num(st.AverageHoldingDays, 1)));
        }
        if (run.Trades.Count > 0)
        {
            rows.Add(new("Fees (CNY)", Fmt.Money(fees.Total)));
            rows.Add(new("  commission", Fmt.Money(commission)));
            rows.Add(new("  stamp duty", Fmt.Money(stamp)));
            rows.Add(new("  transfer fee", Fmt.Money(transfer)));
            if (other != 0) rows.Add(new("  other fees", Fmt.Money(other)));
            var traded = buyValue + sellValue;
            if (traded > 0) rows.Add(new("Fees / traded value", ((double)(fees.Total / traded) * 10000).ToString("F2", inv) + " bp"));
        }

        var orders = new List<LabelValue>();
        if (run.Orders.Count > 0)
        {
            orders.Add(new("Orders", Fmt.Int(run.Orders.Count)));
            foreach (var g in run.Orders.GroupBy(o => o.Status, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
                orders.Add(new("  " + g.Key.Replace('_', ' '), Fmt.Int(g.Count())));
            long asked = run.Orders.Where(o => o.Status != "risk_rejected").Sum(o => o.Quantity);
            long filled = run.Orders.Sum(o => o.FilledQuantity);
            if (asked > 0) orders.Add(new("Filled / ordered shares", Fmt.Pct(filled / (double)asked, 1)));
        }
        return (rows, orders, fees);
    }

    private static (List<RuleCount> Rules, List<AlertRow> Rejections, List<AlertRow> Alerts) RiskEvents(RunFolder run)
    {
        static AlertRow Row(RunRiskEvent e) => new(e.Time, e.Kind, e.Source, e.Symbol, e.Message);
        var rejections = run.RiskEvents.Where(e => e.Kind == "risk-reject").Select(Row).ToList();
        var alerts = run.RiskEvents.Where(e => e.Kind != "risk-reject").Select(Row).ToList();
        if (rejections.Count == 0)
            rejections = run.Orders.Where(o => o.Status == "risk_rejected")
                .Select(o => new AlertRow(Fmt.Date(o.Date), "risk-reject", o.Rule, o.Symbol, o.Reason)).ToList();
        var rules = rejections.GroupBy(r => r.Source.Length == 0 ? "(no rule)" : r.Source, StringComparer.Ordinal)
            .Select(g => new RuleCount(g.Key, g.Count()))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal).ToList();
        return (rules, rejections, alerts);
    }

    private static FactorView FactorViewOf(FactorReportInput f)
    {
        var series = f.Series.OrderBy(p => p.Date).ToArray();
        var rank = series.Select(p => p.RankIc).ToArray();
        var rolling = new double[rank.Length];
        const int w = 20;
        double sum = 0;
        int count = 0;
        var window = new Queue<double>();
        for (int i = 0; i < rank.Length; i++)
        {
            window.Enqueue(rank[i]);
            if (double.IsFinite(rank[i])) { sum += rank[i]; count++; }
            if (window.Count > w) { var old = window.Dequeue(); if (double.IsFinite(old)) { sum -= old; count--; } }
            rolling[i] = window.Count == w && count > 0 ? sum / count : double.NaN;
        }
        var ic = series.Select(p => p.Ic).ToList();
        var rk = rank.ToList();
        var icFinite = ic.Where(double.IsFinite).ToList();
        var rkFinite = rk.Where(double.IsFinite).ToList();
        double meanIc = icFinite.Count > 0 ? ReturnStatistics.Mean(icFinite) : double.NaN;
        double sdIc = icFinite.Count > 1 ? ReturnStatistics.StdDev(icFinite) : double.NaN;
        double meanRank = rkFinite.Count > 0 ? ReturnStatistics.Mean(rkFinite) : double.NaN;
        double sdRank = rkFinite.Count > 1 ? ReturnStatistics.StdDev(rkFinite) : double.NaN;
        var summary = new List<LabelValue>
        {
            new("Days", Fmt.Int(series.Length)),
            new("Mean IC", Fmt.Num(meanIc, 4)),
            new("ICIR (mean / std, daily)", sdIc > 0 ? Fmt.Num(meanIc / sdIc, 3) : "–"),
            new("Mean rank IC", Fmt.Num(meanRank, 4)),
            new("Rank ICIR", sdRank > 0 ? Fmt.Num(meanRank / sdRank, 3) : "–"),
            new("IC > 0", icFinite.Count > 0 ? Fmt.Pct(icFinite.Count(v => v > 0) / (double)icFinite.Count, 1) : "–"),
            new($"Long-short per {f.Horizon} days", Fmt.SignedPct(f.LongShort, 3)),
            new("Long-short annualised (× 252 / horizon)", Fmt.SignedPct(f.LongShort * 252.0 / Math.Max(1, f.Horizon))),
        };
        var decay = f.RankIcDecay.OrderBy(kv => kv.Key).ToArray();
        return new FactorView(f.Name, f.Horizon, series.Select(p => p.Date).ToArray(), ic.ToArray(), rank, rolling,
            decay.Select(kv => kv.Key).ToArray(), decay.Select(kv => kv.Value).ToArray(), f.QuantileReturns.ToArray(), f.LongShort, summary);
    }

    private static List<MetricRow> KeyMetrics(PerformanceReport r, CommentaryFacts f)
    {
        var b = r.Benchmark;
        var rows = new List<MetricRow>
        {
            new("Start / end", $"{Fmt.Date(r.StartDate)} – {Fmt.Date(r.EndDate)}", null),
            new("Trading days", Fmt.Int(r.Days), b is null ? null : Fmt.Int(b.CommonDates)),
            new("Start / end NAV (CNY)", $"{Fmt.Money(r.StartNav)} / {Fmt.Money(r.EndNav)}", null),
            new("Total return", Fmt.SignedPct(r.TotalReturn), b is null ? null : Fmt.SignedPct(b.TotalReturn)),
            new("CAGR", Fmt.SignedPct(r.Cagr), b is null ? null : Fmt.SignedPct(b.Cagr)),
            new("Volatility (annualised)", Fmt.Pct(r.Volatility), b is null ? null : Fmt.Pct(b.Volatility)),
            new("Sharpe", Fmt.Num(r.Sharpe), b is null ? null : Fmt.Num(b.Sharpe)),
            new("Sortino", Fmt.Num(r.Sortino), null),
            new("Calmar", Fmt.Num(r.Calmar), null),
            new("Max drawdown", Fmt.Pct(r.MaxDrawdown.Depth), b is null ? null : Fmt.Pct(b.MaxDrawdown)),
            new("Max drawdown under water (first → valley → last day)", r.MaxDrawdown.Valley is { } v
                ? $"{Fmt.Date(r.MaxDrawdown.Start!.Value)} → {Fmt.Date(v)} → {Fmt.Date(r.MaxDrawdown.End!.Value)}" : "–", null),
            new("Max drawdown recovered", r.MaxDrawdown.Valley is null ? "–" : r.MaxDrawdown.Recovery is { } e ? Fmt.Date(e) : "not recovered", null),
            new("Longest drawdown (calendar days)", Fmt.Int(r.LongestDrawdownDays), null),
        };
        if (b is not null)
        {
            rows.Add(new("Excess return (strategy − benchmark)", Fmt.Pp(r.TotalReturn - b.TotalReturn), null));
            rows.Add(new("Beta", Fmt.Num(b.Beta), null));
            rows.Add(new("Alpha (annualised)", Fmt.SignedPct(b.Alpha), null));
            rows.Add(new("Correlation", Fmt.Num(b.Correlation), null));
            rows.Add(new("Tracking error", Fmt.Pct(b.TrackingError), null));
            rows.Add(new("Information ratio", Fmt.Num(b.InformationRatio), null));
        }
        rows.Add(new("Daily win rate", Fmt.Pct(r.WinRate, 1), null));
        rows.Add(new("Best / worst day", $"{Fmt.SignedPct(r.BestDay)} / {Fmt.SignedPct(r.WorstDay)}", null));
        rows.Add(new("Best / worst month", $"{Fmt.SignedPct(r.BestMonth)} / {Fmt.SignedPct(r.WorstMonth)}", null));
        rows.Add(new("Skew / kurtosis", $"{Fmt.Num(r.Skew)} / {Fmt.Num(r.Kurtosis)}", null));
        rows.Add(new("Daily VaR 95% / CVaR 95%", $"{Fmt.Pct(r.ValueAtRisk95)} / {Fmt.Pct(r.ConditionalValueAtRisk95)}", null));
        if (r.Trading is { } t)
        {
            if (double.IsFinite(t.Turnover)) rows.Add(new("Annual turnover (one-sided)", Fmt.Num(t.Turnover) + "×", null));
            if (double.IsFinite(t.FeesPaid)) rows.Add(new("Fees paid (CNY)", Fmt.Money(t.FeesPaid), null));
        }
        if (double.IsFinite(f.CostDrag) && f.Fills > 0) rows.Add(new("Cost drag (fees / average NAV, annualised)", Fmt.Pct(f.CostDrag), null));
        return rows;
    }
}
