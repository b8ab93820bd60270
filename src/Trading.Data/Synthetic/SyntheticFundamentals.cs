using System.Collections;
using Trading.Data.Model;
using Trading.Domain.Instruments;

namespace Trading.Data.Synthetic;

/// <summary>
/// Valuations and point-in-time financial reports of a synthetic market, generated after its bars from streams of
/// their own (the bars never depend on them). See <see cref="SyntheticMarket.Valuations"/> and
/// <see cref="SyntheticMarket.Financials"/> for what they hold.
/// </summary>
internal static class SyntheticFundamentals
{
    private const ulong StreamFundamentals = 6;
    /// <summary>The balance-sheet structure's own stream: added later, it leaves every earlier draw (and so every earlier figure) as it was.</summary>
    private const ulong StreamBalanceSheet = 7;

    /// <summary>Minority interests as a fraction of the parent's equity (and of its profit), the same for every stock.</summary>
    private const double MinorityShare = 0.05;

    /// <summary>Chance that a report is first announced with a misstated profit and restated later.</summary>
    private const double RestatementProbability = 0.03;

    /// <summary>Trading days after an IPO until the lock-up ends and the float reaches its long-run fraction.</summary>
    private const int LockupDays = 244;

    public readonly record struct StockInput(int Slot, Symbol Symbol, double LogCap, bool IsIpo, int FirstDay, DateOnly ListDate, int RowStart, int RowCount);

    public sealed class Result
    {
        public required IReadOnlyList<Valuation> Valuations { get; init; }
        public required List<FinancialReport> Reports { get; init; }
        public required double[] RoeMean { get; init; }
        public required double[] ProfitGrowth { get; init; }
        public required double[] InitialPb { get; init; }
        public required double[] FloatFraction { get; init; }
    }

    /// <param name="shares">Per bar row, the simulated total shares; rounded to whole shares in place.</param>
    /// <param name="actions">Ex-dates in stock order, then date order (as the simulation appends them).</param>
    public static Result Generate(ulong seed, DateOnly[] days, StockInput[] stocks, BarTable bars, double[] shares,
        IReadOnlyList<SyntheticCorporateAction> actions)
    {
        int n = stocks.Length;
        var floatShares = new double[bars.Count];
        var pe = new double[bars.Count];
        var pb = new double[bars.Count];
        var reports = new List<FinancialReport>(n * 48);
        var result = new Result
        {
            Valuations = new ValuationView(bars, shares, floatShares, pe, pb),
            Reports = reports,
            RoeMean = new double[n],
            ProfitGrowth = new double[n],
            InitialPb = new double[n],
            FloatFraction = new double[n],
        };
        int ai = 0;
        var scratch = new Scratch();
        for (int i = 0; i < n; i++)
        {
            int a0 = ai;
            while (ai < actions.Count && actions[ai].Symbol == stocks[i].Symbol) ai++;
            Stock(seed, days, stocks[i], i, bars, shares, floatShares, pe, pb, actions, a0, ai, reports, result, scratch);
        }
        return result;
    }

    /// <summary>Buffers reused from stock to stock.</summary>
    private sealed class Scratch
    {
        public double[] PeriodShares = [], Dividends = [], YtdProfit = [], YtdRevenue = [], Equity = [], YearStartEquity = [];
        public double[] VisibleYtd = [], VisibleEquity = [];
        public double DebtRatio, CurrentShare;
        public readonly List<Announcement> Events = [];

        public void Ensure(int k)
        {
            if (PeriodShares.Length >= k) return;
            PeriodShares = new double[k]; Dividends = new double[k]; YtdProfit = new double[k]; YtdRevenue = new double[k];
            Equity = new double[k]; YearStartEquity = new double[k]; VisibleYtd = new double[k]; VisibleEquity = new double[k];
        }
    }

    /// <summary>One announcement of period <paramref name="K"/>: the year-to-date profit and net assets it states.</summary>
    private readonly record struct Announcement(int Ann, int K, double Ytd, double Equity, FinancialReport Report);

    private static void Stock(ulong seed, DateOnly[] days, StockInput s, int index, BarTable bars, double[] shares, double[] floatShares,
        double[] pe, double[] pb, IReadOnlyList<SyntheticCorporateAction> actions, int a0, int a1, List<FinancialReport> reports,
        Result result, Scratch w)
    {
        var rng = new SyntheticRng(seed, StreamFundamentals, (ulong)s.Slot);
        // Planted per-stock parameters (always drawn, in this order).
        double pb0 = Math.Clamp(DetMath.Exp(DetMath.Log(2.2) + 0.55 * rng.Normal()), 0.4, 15.0);
        double roeMean = Math.Clamp(9.0 + 7.0 * rng.Normal(), -15.0, 35.0);
        double growth = Math.Clamp(0.08 + 0.15 * rng.Normal(), -0.25, 0.5);
        double revenueGrowth = Math.Clamp(0.03 + 0.6 * growth + 0.06 * rng.Normal(), -0.2, 0.4);
        double assetTurnover = 0.3 + 0.9 * rng.NextDouble(); // annual revenue / equity
        double floatLong = 0.5 + 0.5 * rng.NextDouble();
        double floatIpo = 0.1 + 0.15 * rng.NextDouble();
        double speed = rng.NextDouble();                    // early or late reporter
        var structure = new SyntheticRng(seed, StreamBalanceSheet, (ulong)s.Slot);
        w.DebtRatio = 0.15 + 0.7 * structure.NextDouble();  // total liabilities / total assets
        w.CurrentShare = 0.3 + 0.5 * structure.NextDouble(); // current assets / total assets
        result.RoeMean[index] = roeMean;
        result.ProfitGrowth[index] = growth;
        result.InitialPb[index] = pb0;
        result.FloatFraction[index] = floatLong;
        if (s.RowCount == 0) return;

        int start = s.RowStart, stop = s.RowStart + s.RowCount;
        for (int r = start; r < stop; r++) shares[r] = Math.Floor(shares[r] + 0.5);
        var firstDate = DateOnly.FromDayNumber(bars.Date[start]);
        var lastDate = DateOnly.FromDayNumber(bars.Date[stop - 1]);
        int q0 = (firstDate.Year - 2) * 4;                              // Q1 two years before the first bar
        int k1 = QuarterOf(lastDate) - q0;                              // periods ending before the last bar's quarter
        w.Ensure(k1);

        // Shares at each period end (before the first bar: the first bar's), and cash dividends paid per period.
        for (int k = 0, r = start; k < k1; k++)
        {
            int end = PeriodEnd(q0 + k).DayNumber;
            while (r + 1 < stop && bars.Date[r + 1] <= end) r++;
            w.PeriodShares[k] = shares[r];
            w.Dividends[k] = 0.0;
        }
        for (int a = a0, r = start; a < a1; a++)
        {
            var action = actions[a];
            int day = action.Date.DayNumber;
            while (r < stop && bars.Date[r] < day) r++;
            double before = r > start ? shares[r - 1] : shares[r] / (1.0 + (double)action.BonusRatio);
            int k = QuarterOf(action.Date) - q0;
            if (k >= 0 && k < k1) w.Dividends[k] += (double)action.CashDividend * before;
        }

        // The company's quarters: profit from a growing base plus AR(1) noise, revenue from equity, equity accumulates.
        double equity = DetMath.Exp(s.LogCap) / pb0;
        double base0 = roeMean / 100.0 * equity / 4.0;
        double scale0 = Math.Max(Math.Abs(base0), 1e-6 * equity);
        double revenue0 = assetTurnover * equity / 4.0;
        double lnGrowth = DetMath.Log(1.0 + growth), lnRevenueGrowth = DetMath.Log(1.0 + revenueGrowth);
        double noise = rng.Normal(), yearStart = equity, ytdProfit = 0.0, ytdRevenue = 0.0;
        for (int k = 0; k < k1; k++)
        {
            double scale = scale0 * DetMath.Exp(lnGrowth * k / 4.0);
            if (k > 0) noise = 0.6 * noise + 0.8 * rng.Normal();
            double profit = base0 + (scale - scale0) + 0.25 * scale * noise;
            double revenue = revenue0 * DetMath.Exp(lnRevenueGrowth * k / 4.0 + 0.08 * rng.Normal());
            if (k % 4 == 0) { yearStart = equity; ytdProfit = 0.0; ytdRevenue = 0.0; }
            ytdProfit += profit;
            ytdRevenue += revenue;
            equity += profit - w.Dividends[k];
            w.YtdProfit[k] = ytdProfit;
            w.YtdRevenue[k] = ytdRevenue;
            w.Equity[k] = equity;
            w.YearStartEquity[k] = yearStart;
        }

        // Announcements, up to the last bar.
        int limit = bars.Date[stop - 1];
        int prospectus = s.ListDate.AddDays(-14).DayNumber;
        var events = w.Events;
        events.Clear();
        int previousAnn = int.MinValue;
        for (int k = 0; k < k1; k++)
        {
            int quarter = k % 4;
            var end = PeriodEnd(q0 + k);
            double x = Math.Min(0.999, 0.6 * speed + 0.4 * rng.NextDouble());
            int lag = quarter switch
            {
                0 => 20 + (int)(x * 11),  // Q1: Apr 20-30
                1 => 20 + (int)(x * 43),  // H1: Jul 20 - Aug 31
                2 => 20 + (int)(x * 12),  // Q3: Oct 20-31
                _ => 61 + (int)(x * 58),  // annual: early March - end of April
            };
            bool restated = rng.Chance(RestatementProbability);
            double misstatement = 0.15 * rng.Normal();
            int delay = 30 + rng.NextInt(151);

            int ann = NextWeekday(end.AddDays(lag)).DayNumber;
            if (quarter == 0) ann = Math.Max(ann, previousAnn); // Q1 never before the annual report
            if (s.IsIpo && ann < prospectus) ann = prospectus;
            previousAnn = ann;
            if (ann > limit) break;

            double trueYtd = w.YtdProfit[k];
            double statedYtd = restated ? trueYtd * (1.0 + misstatement) : trueYtd;
            events.Add(Announce(s.Symbol, ann, end, k, statedYtd, w));
            if (restated)
            {
                int again = NextWeekday(DateOnly.FromDayNumber(ann).AddDays(delay)).DayNumber;
                if (again <= limit) events.Add(Announce(s.Symbol, again, end, k, trueYtd, w));
            }
        }
        events.Sort((a, b) => a.Ann != b.Ann ? a.Ann.CompareTo(b.Ann) : a.K.CompareTo(b.K));
        foreach (var e in events) reports.Add(e.Report);

        // Valuations per bar from the announcements visible after that day's close.
        Array.Fill(w.VisibleYtd, double.NaN, 0, k1);
        Array.Fill(w.VisibleEquity, double.NaN, 0, k1);
        int latest = -1, next = 0;
        int lockupEnd = s.IsIpo && s.FirstDay + LockupDays < days.Length ? days[s.FirstDay + LockupDays].DayNumber : int.MinValue;
        for (int r = start; r < stop; r++)
        {
            int day = bars.Date[r];
            for (; next < events.Count && events[next].Ann <= day; next++)
            {
                var e = events[next];
                w.VisibleYtd[e.K] = e.Ytd;
                w.VisibleEquity[e.K] = e.Equity;
                latest = Math.Max(latest, e.K);
            }
            double total = shares[r];
            double fraction = s.IsIpo && (lockupEnd == int.MinValue || day < lockupEnd) ? floatIpo : floatLong;
            floatShares[r] = Math.Max(1.0, Math.Floor(total * fraction + 0.5));
            double marketValue = bars.Close[r] / 100.0 * total;
            double ttm = latest < 0 ? double.NaN : TtmProfit(w.VisibleYtd, latest);
            pe[r] = ttm > 0.0 ? marketValue / ttm : double.NaN;
            double book = latest < 0 ? double.NaN : w.VisibleEquity[latest];
            pb[r] = book > 0.0 ? marketValue / book : double.NaN;
        }
    }

    private static Announcement Announce(Symbol symbol, int ann, DateOnly end, int k, double ytd, Scratch w)
    {
        double periodShares = w.PeriodShares[k];
        double equity = w.Equity[k];
        double averageEquity = 0.5 * (w.YearStartEquity[k] + equity);
        double roe = averageEquity > 0.0 ? ytd / averageEquity * 100.0 : double.NaN;
        double profitYoY = k >= 4 ? YoY(ytd, w.YtdProfit[k - 4]) : double.NaN;
        double revenueYoY = k >= 4 ? YoY(w.YtdRevenue[k], w.YtdRevenue[k - 4]) : double.NaN;
        // The statements behind the ratios: revenue and profit year to date, the parent's equity at the period end;
        // minority interests a fixed share, 25 % tax on a profit, assets from the stock's debt ratio.
        double netIncome = ytd * (1.0 + MinorityShare);
        double totalProfit = netIncome > 0.0 ? netIncome / 0.75 : netIncome;
        double totalEquity = equity * (1.0 + MinorityShare);
        double assets = totalEquity / (1.0 - w.DebtRatio);
        double liabilities = assets - totalEquity;
        var report = new FinancialReport(symbol, DateOnly.FromDayNumber(ann), end, roe, profitYoY, revenueYoY, ytd / periodShares, equity / periodShares)
        {
            BasicEps = ytd / periodShares,
            TotalRevenue = w.YtdRevenue[k] * 1.02,
            Revenue = w.YtdRevenue[k],
            OperatingProfit = totalProfit * 0.98,
            TotalProfit = totalProfit,
            NetIncome = netIncome,
            NetIncomeToParent = ytd,
            TotalAssets = assets,
            TotalLiabilities = liabilities,
            ParentEquity = equity,
            CurrentAssets = assets * w.CurrentShare,
            CurrentLiabilities = liabilities * 0.7,
            Cash = assets * w.CurrentShare * 0.3,
        };
        return new Announcement(ann, k, ytd, equity, report);

        static double YoY(double now, double before) => before != 0.0 ? (now - before) / Math.Abs(before) * 100.0 : double.NaN;
    }

    /// <summary>
    /// Trailing-twelve-month profit from the latest period <paramref name="k"/> (period 0 is a Q1): the annual
    /// figure itself, else YTD + last annual − YTD a year earlier; NaN when one of them is not known.
    /// </summary>
    private static double TtmProfit(double[] ytd, int k)
    {
        int quarter = k % 4;
        if (quarter == 3) return ytd[k];
        if (k < 4) return double.NaN;
        return ytd[k] + ytd[k - quarter - 1] - ytd[k - 4];
    }

    /// <summary>Quarter number (year × 4 + 0..3) of a date.</summary>
    private static int QuarterOf(DateOnly date) => date.Year * 4 + (date.Month - 1) / 3;

    private static DateOnly PeriodEnd(int quarter)
    {
        int year = quarter / 4;
        return (quarter % 4) switch
        {
            0 => new DateOnly(year, 3, 31),
            1 => new DateOnly(year, 6, 30),
            2 => new DateOnly(year, 9, 30),
            _ => new DateOnly(year, 12, 31),
        };
    }

    private static DateOnly NextWeekday(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.AddDays(2),
        DayOfWeek.Sunday => date.AddDays(1),
        _ => date,
    };

    /// <summary>
    /// The valuations as a list aligned with the bars, computed per row on access from four columns (total and
    /// float shares, PE, PB), so a large market does not hold every <see cref="Valuation"/> in memory.
    /// </summary>
    private sealed class ValuationView(BarTable bars, double[] totalShares, double[] floatShares, double[] pe, double[] pb) : IReadOnlyList<Valuation>
    {
        public int Count => bars.Count;

        public Valuation this[int i]
        {
            get
            {
                if ((uint)i >= (uint)bars.Count) throw new ArgumentOutOfRangeException(nameof(i));
                double close = bars.Close[i] / 100.0, total = totalShares[i], free = floatShares[i];
                return new Valuation(Symbol.FromPacked(bars.Symbol[i]), DateOnly.FromDayNumber(bars.Date[i]), total, free,
                    close * total, close * free, pe[i], pb[i], bars.Volume[i] / free * 100.0);
            }
        }

        public IEnumerator<Valuation> GetEnumerator()
        {
            for (int i = 0; i < bars.Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
