using Trading.Data.Model;
using Trading.Domain.Instruments;

namespace Trading.Data.Synthetic;

/// <summary>
/// Builds a seeded, deterministic synthetic A-share market for scale and property tests.
/// <para>
/// Steps: a synthetic calendar (<see cref="SyntheticCalendar"/>); a plan per stock (board, industry, size, beta,
/// vol, listing or not, planned delisting with a *ST run-up, random ST spell, suspension spells, June-July
/// ex-dates); codes per board in listing order and names; common factor paths (GARCH market, 31 industries,
/// size and momentum premia); then each stock is simulated on its own random stream, writing rows straight into a
/// preallocated <see cref="BarTable"/> in symbol order, with integer fen arithmetic for prices and limits.
/// Valuations and financial reports are generated afterwards from their own streams (<see cref="SyntheticFundamentals"/>),
/// so they never change the bars.
/// </para>
/// Every random draw comes from <see cref="SyntheticRng"/> streams keyed by (seed, purpose, stock), and every
/// transcendental function from <see cref="DetMath"/>, so equal options give equal output everywhere.
/// </summary>
public static class SyntheticMarketGenerator
{
    /// <summary>Code of the synthetic cap-weighted benchmark.</summary>
    public const string BenchmarkCode = "000300.SH";

    /// <summary>Size z-score = (log cap − SizeCenter) / SizeScale; log caps are drawn around ln(6bn CNY) ≈ 22.5.</summary>
    public const double SizeCenter = 22.5;
    public const double SizeScale = 1.0;

    /// <summary>Bars after the no-limit days before a new stock enters the momentum window or gets suspended.</summary>
    internal const int IpoSeasoningBars = 40;

    /// <summary>A close beyond the limit locks the day (one price) when the latent excess exceeds U(0, LockSpread).</summary>
    private const double LockSpread = 0.03;

    private const ulong StreamPlan = 1, StreamFactors = 2, StreamSim = 3, StreamCodes = 4, StreamNames = 5; // 6: SyntheticFundamentals

    private static readonly Board[] BoardOrder = [Board.ShanghaiMain, Board.ShenzhenMain, Board.ChiNext, Board.Star, Board.Bse];
    private static readonly int[] BonusPer10 = [2, 3, 4, 5, 6, 8, 10];
    private static readonly int[] BonusPer10High = [10, 15, 20]; // above 100 CNY
    private static readonly DateOnly Bse920From = new(2024, 10, 1);

    /// <summary>The day a board opened (no stock of the board trades before it when launch dates are respected).</summary>
    public static DateOnly BoardLaunch(Board board) => board switch
    {
        Board.ShanghaiMain => new DateOnly(1990, 12, 19),
        Board.ShenzhenMain => new DateOnly(1991, 7, 3),
        Board.ChiNext => new DateOnly(2009, 10, 30),
        Board.Star => new DateOnly(2019, 7, 22),
        Board.Bse => new DateOnly(2021, 11, 15),
        _ => throw new ArgumentOutOfRangeException(nameof(board), board, "Unknown board."),
    };

    public static SyntheticMarket Generate(SyntheticMarketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var days = SyntheticCalendar.TradingDays(options.Start, options.Days);
        var plans = PlanBoards(options);
        foreach (var plan in plans) PlanStock(plan, options, days);
        AssignCodes(plans, options.Seed);
        AssignNames(plans, options.Seed);
        Array.Sort(plans, (a, b) => a.Symbol.Packed.CompareTo(b.Symbol.Packed));
        MarkIndexMembers(plans, options.IndexMembers);
        var factors = Factors.Generate(options, days);
        return Simulate(options, days, plans, factors);
    }

    // ------------------------------------------------------------------------------------------------------
    // Plans

    private sealed class Plan
    {
        public int Slot;
        public Board Board;
        public int Industry;
        public double LogCap, Beta, IdioVol, Turnover;
        public bool IsIpo;
        public int First, End;              // trading-day indexes [First, End)
        public DateOnly ListDate;
        public bool PlannedDelist;
        public int StartFen;                // pre_close of the first bar (the issue price for a listing)
        public double IpoPop;               // log of fair value over issue price
        public int NoLimitDays;
        public bool IpoCapped;              // day 1 held to +44%/−36% of the issue price (pre-registration IPOs)
        public readonly List<(int From, int To)> St = [];            // inclusive day indexes; To may pass the end
        public readonly List<(int From, int Length)> Suspensions = [];
        public readonly List<int> ExDays = [];
        public Symbol Symbol;
        public string Name = "";
        public string Area = "";
        public bool IndexMember;

        public bool IsSuspended(int t)
        {
            foreach (var (from, length) in Suspensions)
                if (t >= from && t < from + length) return true;
            return false;
        }
    }

    private static Plan[] PlanBoards(SyntheticMarketOptions o)
    {
        double[] weights = [o.ShanghaiMainShare, o.ShenzhenMainShare, o.ChiNextShare, o.StarShare, o.BseShare];
        double total = 0.0;
        foreach (var w in weights) total += w; // a plain loop: a vectorised Sum could reorder the additions
        int n = o.Symbols;
        var counts = new int[5];
        var fractions = new double[5];
        int assigned = 0;
        for (int b = 0; b < 5; b++)
        {
            double exact = n * weights[b] / total;
            counts[b] = (int)Math.Floor(exact);
            fractions[b] = exact - counts[b];
            assigned += counts[b];
        }
        // Largest remainder, ties to the earlier board.
        while (assigned < n)
        {
            int best = 0;
            for (int b = 1; b < 5; b++) if (fractions[b] > fractions[best]) best = b;
            counts[best]++;
            fractions[best] = -1.0;
            assigned++;
        }
        var plans = new Plan[n];
        int slot = 0;
        for (int b = 0; b < 5; b++)
            for (int k = 0; k < counts[b]; k++, slot++)
                plans[slot] = new Plan { Slot = slot, Board = BoardOrder[b] };
        return plans;
    }

    private static void PlanStock(Plan p, SyntheticMarketOptions o, DateOnly[] days)
    {
        var rng = new SyntheticRng(o.Seed, StreamPlan, (ulong)p.Slot);
        int d = days.Length;

        if (o.RespectBoardLaunchDates && FirstIndexOnOrAfter(days, BoardLaunch(p.Board)) >= d)
            p.Board = rng.Chance(0.5) ? Board.ShanghaiMain : Board.ShenzhenMain;
        bool mainBoard = p.Board is Board.ShanghaiMain or Board.ShenzhenMain;
        bool growth = p.Board is Board.ChiNext or Board.Star;

        int industry = DrawIndustry(rng);
        while (!mainBoard && industry is ShenwanIndustries.Banks or ShenwanIndustries.NonBankFinancials)
            industry = DrawIndustry(rng);
        p.Industry = industry;

        double boardCap = p.Board switch { Board.ChiNext => -0.2, Board.Star => 0.2, Board.Bse => -1.3, _ => 0.0 };
        double financeCap = industry == ShenwanIndustries.Banks ? 2.0 : industry == ShenwanIndustries.NonBankFinancials ? 0.8 : 0.0;
        p.LogCap = SizeCenter + 0.9 * rng.Normal() + boardCap + financeCap;
        double sizeZ = (p.LogCap - SizeCenter) / SizeScale;
        p.Beta = Math.Clamp(1.0 + 0.25 * rng.Normal() + (growth ? 0.1 : 0.0) - (industry == ShenwanIndustries.Banks ? 0.3 : 0.0), 0.3, 1.9);
        double baseVol = p.Board switch
        {
            Board.ChiNext => o.IdioVolChiNext,
            Board.Star => o.IdioVolStar,
            Board.Bse => o.IdioVolBse,
            _ => o.IdioVolMain,
        };
        p.IdioVol = Math.Clamp(baseVol * DetMath.Exp(0.25 * rng.Normal() - 0.1 * sizeZ), 0.25 * baseVol, 4.0 * baseVol);
        p.Turnover = Math.Clamp(DetMath.Exp(DetMath.Log(0.012) + 0.45 * rng.Normal() - 0.3 * sizeZ) * (growth ? 1.5 : 1.0), 0.0005, 0.25);
        double price = Math.Clamp(DetMath.Exp(DetMath.Log(12.0) + 0.65 * rng.Normal()), o.MinStartPrice, o.MaxStartPrice);
        p.StartFen = FenMath.Round(price * 100.0);

        // Listing: inside the range (IPO) or before it.
        var launch = BoardLaunch(p.Board);
        var latestBefore = days[0].AddDays(-90);
        bool mustList = o.RespectBoardLaunchDates && launch > latestBefore;
        p.IsIpo = mustList || (d > 1 && rng.Chance(o.ListingFraction));
        if (p.IsIpo)
        {
            int lo = mustList ? FirstIndexOnOrAfter(days, launch) : 1;
            p.First = lo + rng.NextInt(d - lo);
            p.ListDate = days[p.First];
            p.NoLimitDays = o.Rules.For(p.Board).IpoNoLimitDays.At(p.ListDate);
            p.IpoCapped = p.NoLimitDays == 1 && p.Board != Board.Bse;
            double mu = p.IpoCapped ? 0.9 : p.Board == Board.Bse ? 0.25 : 0.6;
            p.IpoPop = Math.Clamp(mu + 0.45 * rng.Normal(), -0.4, 1.8);
        }
        else
        {
            var earliest = launch > latestBefore.AddYears(-25) ? launch : latestBefore.AddYears(-25);
            if (earliest > latestBefore) earliest = latestBefore.AddYears(-5); // launch dates not respected
            var listDate = DateOnly.FromDayNumber(earliest.DayNumber + rng.NextInt(latestBefore.DayNumber - earliest.DayNumber + 1));
            while (listDate.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) listDate = listDate.AddDays(-1);
            p.ListDate = listDate;
            p.First = 0;
        }

        int ipoBlock = p.IsIpo ? p.NoLimitDays + IpoSeasoningBars : 1;
        p.End = d;
        if (rng.Chance(o.DelistFraction))
        {
            int minEnd = p.First + ipoBlock + 120;
            if (minEnd < d)
            {
                p.End = minEnd + rng.NextInt(d - minEnd);
                p.PlannedDelist = true;
                int runUp = 40 + rng.NextInt(200); // *ST before delisting
                p.St.Add((Math.Max(p.First + ipoBlock, p.End - runUp), p.End - 1));
            }
        }
        if (rng.Chance(o.StFraction))
        {
            int lo = p.IsIpo ? p.First + p.NoLimitDays + 60 : 0;
            if (lo < p.End)
            {
                int from = lo + rng.NextInt(p.End - lo);
                int to = from + 60 + rng.NextInt(421) - 1;
                if (p.PlannedDelist) to = Math.Min(to, p.End - 1);
                p.St.Add((from, to));
            }
        }
        MergeSpells(p.St);

        // Suspensions: geometric gaps; never in the IPO period, never on a stock's first day, always followed by a bar.
        double perDay = o.SuspensionsPerYear / 244.0;
        if (perDay > 0.0)
        {
            double logQ = DetMath.Log(1.0 - perDay);
            int t = p.First + ipoBlock;
            while (true)
            {
                t += (int)Math.Min(1e8, Math.Floor(DetMath.Log(rng.NextOpen()) / logQ));
                if (t >= p.End) break;
                int length = SuspensionLength(rng, o.MaxSuspensionDays);
                if (t + length > p.End - 1) break;
                p.Suspensions.Add((t, length));
                t += length + 1;
            }
        }

        // Ex-dates: at most one a year, June-July, on a traded day that is not a resumption day.
        int firstEx = p.First + (p.IsIpo ? p.NoLimitDays + 120 : 1);
        for (int year = days[p.First].Year; year <= days[p.End - 1].Year; year++)
        {
            if (!rng.Chance(o.ExDateProbability)) continue;
            int a = FirstIndexOnOrAfter(days, new DateOnly(year, 6, 1));
            int b = FirstIndexOnOrAfter(days, new DateOnly(year, 8, 1)) - 1;
            if (a > b) continue;
            int t = a + rng.NextInt(b - a + 1);
            for (int attempt = 0; attempt < 10; attempt++, t++)
            {
                if (t >= firstEx && t < p.End && !p.IsSuspended(t) && !p.IsSuspended(t - 1))
                {
                    p.ExDays.Add(t);
                    break;
                }
            }
        }
    }

    private static int DrawIndustry(SyntheticRng rng)
    {
        var weights = ShenwanIndustries.Weights;
        int total = 0;
        foreach (var w in weights) total += w;
        int x = rng.NextInt(total);
        for (int i = 0; i < weights.Length; i++)
        {
            if (x < weights[i]) return i;
            x -= weights[i];
        }
        return weights.Length - 1;
    }

    private static int SuspensionLength(SyntheticRng rng, int max)
    {
        double u = rng.NextDouble();
        int length = u < 0.5 ? 1 : u < 0.8 ? 2 + rng.NextInt(4) : 6 + rng.NextInt(Math.Max(1, max - 5));
        return Math.Min(length, max);
    }

    private static void MergeSpells(List<(int From, int To)> spells)
    {
        spells.Sort((a, b) => a.From != b.From ? a.From.CompareTo(b.From) : a.To.CompareTo(b.To));
        for (int i = 1; i < spells.Count;)
        {
            if (spells[i].From <= spells[i - 1].To + 1)
            {
                spells[i - 1] = (spells[i - 1].From, Math.Max(spells[i - 1].To, spells[i].To));
                spells.RemoveAt(i);
            }
            else i++;
        }
    }

    private static int FirstIndexOnOrAfter(DateOnly[] days, DateOnly date)
    {
        int i = Array.BinarySearch(days, date);
        return i >= 0 ? i : ~i;
    }

    // ------------------------------------------------------------------------------------------------------
    // Codes and names

    private static void AssignCodes(Plan[] plans, ulong seed)
    {
        var rng = new SyntheticRng(seed, StreamCodes);
        foreach (var board in BoardOrder)
        {
            var list = plans.Where(p => p.Board == board)
                .OrderBy(p => p.ListDate).ThenBy(p => p.Slot).ToList();
            if (list.Count == 0) continue;
            switch (board)
            {
                case Board.ShanghaiMain:
                    Assign(list, Exchange.SH, SampleCodes(rng, board, list.Count, [(600000, 600999), (601000, 601999), (603000, 603999)], [(605000, 605999)]));
                    break;
                case Board.ShenzhenMain:
                    Assign(list, Exchange.SZ, SampleCodes(rng, board, list.Count, [(1, 999), (2001, 2999)], [(1000, 1999), (3000, 3999)]));
                    break;
                case Board.ChiNext:
                    Assign(list, Exchange.SZ, SampleCodes(rng, board, list.Count, [(300001, 300999)], [(301000, 301999)]));
                    break;
                case Board.Star:
                    Assign(list, Exchange.SH, SampleCodes(rng, board, list.Count, [(688001, 688999)], [(689000, 689999)]));
                    break;
                case Board.Bse:
                    // New BSE listings since 2024-10 take 920xxx codes; earlier ones 83xxxx (then 87xxxx).
                    var late = list.Where(p => p.IsIpo && p.ListDate >= Bse920From).ToList();
                    var early = list.Where(p => !(p.IsIpo && p.ListDate >= Bse920From)).ToList();
                    if (early.Count > 0) Assign(early, Exchange.BJ, SampleCodes(rng, board, early.Count, [(830000, 839999)], [(870000, 873999)]));
                    if (late.Count > 0) Assign(late, Exchange.BJ, SampleCodes(rng, board, late.Count, [(920000, 920999)], []));
                    break;
            }
        }

        static void Assign(List<Plan> list, Exchange exchange, int[] codes)
        {
            for (int i = 0; i < list.Count; i++) list[i].Symbol = Symbol.Create(codes[i], exchange);
        }
    }

    /// <summary>Distinct codes, sorted: from the primary ranges, and from the overflow ranges only when those run out.</summary>
    private static int[] SampleCodes(SyntheticRng rng, Board board, int count, (int From, int To)[] primary, (int From, int To)[] overflow)
    {
        int primarySize = primary.Sum(r => r.To - r.From + 1);
        int overflowSize = overflow.Sum(r => r.To - r.From + 1);
        if (count > primarySize + overflowSize)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"Too many {board.DisplayName()} stocks for its code ranges ({primarySize + overflowSize}); lower Symbols or that board's share.");
        var result = new List<int>(count);
        result.AddRange(Sample(rng, primary, Math.Min(count, primarySize)));
        if (count > primarySize) result.AddRange(Sample(rng, overflow, count - primarySize));
        result.Sort();
        return result.ToArray();

        static int[] Sample(SyntheticRng rng, (int From, int To)[] ranges, int k)
        {
            var pool = new List<int>();
            foreach (var (from, to) in ranges)
                for (int c = from; c <= to; c++) pool.Add(c);
            // Partial Fisher-Yates.
            for (int i = 0; i < k; i++)
            {
                int j = i + rng.NextInt(pool.Count - i);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            return pool.GetRange(0, k).ToArray();
        }
    }

    private const string NameFirst = "华中金海天新东国长宏恒鑫瑞安泰晨光明信达兴盛汇嘉隆永鼎亿博创远腾星通联和丰正德万";
    private const string NameSecond = "科源阳邦润力能成宇航峰辰凯威江山林诚益昌";

    private static readonly string[] Areas =
    [
        "北京", "上海", "深圳", "广东", "江苏", "浙江", "山东", "福建", "四川", "湖北", "湖南", "河南", "河北", "安徽",
        "江西", "陕西", "山西", "辽宁", "吉林", "黑龙江", "云南", "贵州", "广西", "海南", "甘肃", "青海", "宁夏", "新疆",
        "西藏", "内蒙", "天津", "重庆",
    ];

    private static void AssignNames(Plan[] plans, ulong seed)
    {
        var rng = new SyntheticRng(seed, StreamNames);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in plans) // slot order
        {
            var endings = ShenwanIndustries.NameEndings[p.Industry];
            string name = "";
            for (int attempt = 0; attempt < 20 && name.Length == 0; attempt++)
            {
                var candidate = string.Concat(
                    NameFirst.AsSpan(rng.NextInt(NameFirst.Length), 1),
                    NameSecond.AsSpan(rng.NextInt(NameSecond.Length), 1),
                    endings[rng.NextInt(endings.Length)]);
                if (used.Add(candidate)) name = candidate;
            }
            if (name.Length == 0)
            {
                name = $"合成{p.Symbol.Code:D6}";
                used.Add(name);
            }
            p.Name = name;
            p.Area = Areas[rng.NextInt(Areas.Length)];
        }
    }

    private static void MarkIndexMembers(Plan[] plans, int members)
    {
        var order = plans.OrderByDescending(p => p.LogCap).ThenBy(p => p.Symbol.Packed).Take(members);
        foreach (var p in order) p.IndexMember = true;
    }

    // ------------------------------------------------------------------------------------------------------
    // Common factors and bands

    private sealed class Factors
    {
        public required double[] Market, Size, Momentum;
        public required double[][] Industry;
        public required int[][] BandPpm, StBandPpm; // [board][day]

        public static Factors Generate(SyntheticMarketOptions o, DateOnly[] days)
        {
            int d = days.Length;
            var rng = new SyntheticRng(o.Seed, StreamFactors);
            int industries = ShenwanIndustries.Level1.Count;
            var industryVol = new double[industries];
            for (int k = 0; k < industries; k++) industryVol[k] = o.IndustryVol * DetMath.Exp(0.25 * rng.Normal());

            var market = new double[d];
            var size = new double[d];
            var momentum = new double[d];
            var industry = new double[industries][];
            for (int k = 0; k < industries; k++) industry[k] = new double[d];

            const double alpha = 0.07, beta = 0.90;
            double longRun = o.MarketVol * o.MarketVol;
            double omega = (1.0 - alpha - beta) * longRun;
            double h = longRun, previous = 0.0;
            double hMin = 0.09 * longRun, hMax = 16.0 * longRun;
            for (int t = 0; t < d; t++)
            {
                h = Math.Clamp(omega + alpha * previous * previous + beta * h, hMin, hMax);
                double deviation = Math.Sqrt(h) * rng.Normal();
                market[t] = o.MarketDrift + deviation;
                previous = deviation;
                size[t] = o.SizePremiumMean + o.SizePremiumVol * rng.Normal();
                momentum[t] = o.MomentumPremiumMean + o.MomentumPremiumVol * rng.Normal();
                for (int k = 0; k < industries; k++) industry[k][t] = industryVol[k] * rng.Normal();
            }

            var band = new int[6][];
            var stBand = new int[6][];
            foreach (var board in BoardOrder)
            {
                var b = band[(int)board] = new int[d];
                var s = stBand[(int)board] = new int[d];
                decimal lastPct = -1m, lastStPct = -1m;
                int ppm = 0, stPpm = 0;
                for (int t = 0; t < d; t++)
                {
                    decimal pct = o.Rules.BandPct(board, days[t], isSt: false);
                    decimal stPct = o.Rules.BandPct(board, days[t], isSt: true);
                    if (pct != lastPct) { ppm = FenMath.ToPpm(pct); lastPct = pct; }
                    if (stPct != lastStPct) { stPpm = FenMath.ToPpm(stPct); lastStPct = stPct; }
                    b[t] = ppm;
                    s[t] = stPpm;
                }
            }
            return new Factors { Market = market, Size = size, Momentum = momentum, Industry = industry, BandPpm = band, StBandPpm = stBand };
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Simulation

    private sealed class IndexSums(int days)
    {
        public readonly double[] Pre = new double[days], Open = new double[days], High = new double[days],
            Low = new double[days], Close = new double[days], Volume = new double[days], Amount = new double[days];
    }

    private static SyntheticMarket Simulate(SyntheticMarketOptions o, DateOnly[] days, Plan[] plans, Factors f)
    {
        int d = days.Length, n = plans.Length;
        long planned = 0;
        foreach (var p in plans)
        {
            planned += p.End - p.First;
            foreach (var (_, length) in p.Suspensions) planned -= length;
        }
        if (planned > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(o), planned, "Too many rows for one BarTable.");

        var bars = new BarTable((int)planned);
        var exposure = new float[planned];
        var sharesOut = new double[planned];
        var rowStart = new int[n + 1];
        var sums = new IndexSums(d);
        var dayNumbers = new int[d];
        for (int t = 0; t < d; t++) dayNumbers[t] = days[t].DayNumber;
        var actions = new List<SyntheticCorporateAction>();
        var ring = new double[o.MomentumLookback];
        var lastBar = new int[n];

        for (int i = 0; i < n; i++)
        {
            rowStart[i] = bars.Count;
            lastBar[i] = SimulateStock(plans[i], o, f, dayNumbers, bars, exposure, sharesOut, ring, sums, actions, days);
        }
        rowStart[n] = bars.Count;
        if (bars.Count != bars.Capacity)
        {
            bars.TrimExcess();
            Array.Resize(ref exposure, bars.Count);
            Array.Resize(ref sharesOut, bars.Count);
        }

        // Reference data and the truth, aligned with the symbol-sorted plans.
        var stocks = new StockInfo[n];
        var suspensions = new List<SyntheticSuspension>();
        for (int i = 0; i < n; i++)
        {
            var p = plans[i];
            int last = lastBar[i];
            bool delisted = p.PlannedDelist || last < d - 1;
            DateOnly? delistDate = delisted && last + 1 < d ? days[last + 1] : null;
            var spells = new List<DateSpan>();
            bool stAtEnd = false;
            foreach (var (from, to) in p.St)
            {
                if (from > last) continue;
                int end = delisted ? Math.Min(to, last) : to;
                spells.Add(new DateSpan(days[from], end >= d ? null : days[end]));
                if (end >= last) stAtEnd = true;
            }
            foreach (var (from, length) in p.Suspensions)
                if (from < last)
                    suspensions.Add(new SyntheticSuspension(p.Symbol, days[from], days[from + length - 1], length));
            string name = stAtEnd ? "*ST" + p.Name : p.Name;
            stocks[i] = new StockInfo(p.Symbol, name, ShenwanIndustries.Level1[p.Industry].Name, p.ListDate, delistDate, spells, p.Area, StSource.Synthetic);
        }

        // Valuations and financial reports: drawn from their own streams after the bars, so they never change them.
        var fundamentalInputs = new SyntheticFundamentals.StockInput[n];
        for (int i = 0; i < n; i++)
        {
            var p = plans[i];
            fundamentalInputs[i] = new SyntheticFundamentals.StockInput(p.Slot, p.Symbol, p.LogCap, p.IsIpo, p.First, p.ListDate, rowStart[i], rowStart[i + 1] - rowStart[i]);
        }
        var fundamentals = SyntheticFundamentals.Generate(o.Seed, days, fundamentalInputs, bars, sharesOut, actions);

        var truth = new SyntheticTruth
        {
            Industries = ShenwanIndustries.Level1.Select(x => x.Name).ToArray(),
            Industry = plans.Select(p => p.Industry).ToArray(),
            LogCap = plans.Select(p => p.LogCap).ToArray(),
            Beta = plans.Select(p => p.Beta).ToArray(),
            IdioVol = plans.Select(p => p.IdioVol).ToArray(),
            IndexMember = plans.Select(p => p.IndexMember).ToArray(),
            SizeCenter = SizeCenter,
            SizeScale = SizeScale,
            MarketReturn = f.Market,
            IndustryReturn = f.Industry,
            SizePremium = f.Size,
            MomentumPremium = f.Momentum,
            MomentumLookback = o.MomentumLookback,
            MomentumScale = MomentumScale(o.MomentumLookback),
            MomentumExposure = exposure,
            CorporateActions = actions,
            Suspensions = suspensions,
            RoeMean = fundamentals.RoeMean,
            ProfitGrowth = fundamentals.ProfitGrowth,
            InitialPb = fundamentals.InitialPb,
            FloatFraction = fundamentals.FloatFraction,
        };
        return new SyntheticMarket(o, bars, stocks, BuildBenchmark(o, days, sums), days, rowStart, truth, fundamentals.Valuations, fundamentals.Reports);
    }

    internal static double MomentumScale(int lookback) => 0.025 * Math.Sqrt(lookback);

    /// <summary>Simulates one stock into <paramref name="bars"/>; returns the day index of its last bar.</summary>
    private static int SimulateStock(Plan p, SyntheticMarketOptions o, Factors f, int[] dayNumbers, BarTable bars,
        float[] exposureOut, double[] sharesOut, double[] ring, IndexSums sums, List<SyntheticCorporateAction> actions, DateOnly[] days)
    {
        var rng = new SyntheticRng(o.Seed, StreamSim, (ulong)p.Slot);
        int symbol = p.Symbol.Packed;
        int[] band = f.BandPpm[(int)p.Board], stBand = f.StBandPpm[(int)p.Board];
        double[] market = f.Market, industry = f.Industry[p.Industry], size = f.Size, momentum = f.Momentum;
        double sizeZ = (p.LogCap - SizeCenter) / SizeScale;
        double beta = p.Beta, sigma = p.IdioVol;
        int df = o.TailDf;
        double tScale = sigma * Math.Sqrt((df - 2.0) / df);
        double jumpP = o.JumpProbability;
        bool oddLots = p.Board is Board.Star or Board.Bse;
        int lookback = ring.Length;
        double momScale = MomentumScale(lookback);
        int seasoning = p.IsIpo ? p.NoLimitDays + IpoSeasoningBars : 0;
        int capUp = (int)((p.StartFen * 144L + 50) / 100), capDown = (int)Math.Max(1L, (p.StartFen * 64L + 50) / 100);

        int prevClose = p.StartFen;
        double lnPrevClose = DetMath.Log(prevClose);
        double latent = lnPrevClose; // log of the fair price in fen
        double adj = 1.0;
        double shares = DetMath.Exp(p.LogCap) / (p.StartFen / 100.0);
        int ringPos = 0, ringCount = 0;
        double ringSum = 0.0;
        int si = 0, sti = 0, ai = 0, below = 0, bar = 0, last = p.First - 1;

        for (int t = p.First; t < p.End; t++)
        {
            double common = beta * market[t] + industry[t] + size[t] * sizeZ;

            while (si < p.Suspensions.Count && t >= p.Suspensions[si].From + p.Suspensions[si].Length) si++;
            if (si < p.Suspensions.Count && t >= p.Suspensions[si].From)
            {
                // No row; the fair price keeps moving, to be caught up (through the limits) on resumption.
                latent += common + tScale * rng.StudentT(df);
                continue;
            }

            int pre = prevClose;
            double lnPre = lnPrevClose;
            if (ai < p.ExDays.Count && p.ExDays[ai] == t)
            {
                ai++;
                // High-priced stocks split more often (高送转): ×3 above 30 CNY, ×6 above 100 CNY.
                double bonusP = Math.Min(0.6, o.BonusProbability * (prevClose >= 10_000 ? 6.0 : prevClose >= 3000 ? 3.0 : 1.0));
                bool bonus = rng.Chance(bonusP);
                bool cash = !bonus || rng.Chance(0.7);
                int per10 = !bonus ? 0
                    : prevClose >= 10_000 ? BonusPer10High[rng.NextInt(BonusPer10High.Length)]
                    : BonusPer10[rng.NextInt(BonusPer10.Length)];
                double yield = o.MinDividendYield + (o.MaxDividendYield - o.MinDividendYield) * rng.NextDouble();
                int dividendMilli = cash ? Math.Max(1, (int)Math.Floor(prevClose * 10.0 * yield + 0.5)) : 0;
                int reference = FenMath.ExRightsReference(prevClose, dividendMilli, per10);
                if (reference >= 1)
                {
                    pre = reference;
                    adj *= (double)prevClose / reference;
                    lnPre = DetMath.Log(reference);
                    latent += lnPre - lnPrevClose;
                    shares *= (10 + per10) / 10.0;
                    actions.Add(new SyntheticCorporateAction(p.Symbol, days[t], dividendMilli / 1000m, per10 / 10m,
                        prevClose / 100m, reference / 100m));
                }
            }

            while (sti < p.St.Count && t > p.St[sti].To) sti++;
            bool isSt = sti < p.St.Count && t >= p.St[sti].From;
            bool noLimit = p.IsIpo && bar < p.NoLimitDays;
            int up = 0, down = 0;
            if (!noLimit) FenMath.Limits(pre, isSt ? stBand[t] : band[t], out up, out down);

            float exposure = float.NaN;
            double premium = 0.0;
            if (ringCount == lookback)
            {
                double z = Math.Clamp(ringSum / momScale, -3.0, 3.0);
                exposure = (float)z;
                premium = momentum[t] * exposure; // the recorded (float) exposure is the one priced
            }

            double volMult = noLimit ? 2.5 : 1.0;
            double shock = tScale * volMult * rng.StudentT(df);
            double jump = 0.0;
            if (rng.NextDouble() < jumpP)
                jump = (rng.Chance(0.55) ? -1.0 : 1.0) * (0.04 + 0.08 * rng.Exponential());
            if (p.IsIpo && bar == 0) latent = lnPre + p.IpoPop + shock;
            else latent += common + premium + shock + jump;

            // Close: the fair price, within the day's band; far beyond a limit the day is locked at it.
            int close, lowBound, highBound;
            bool locked = false;
            double target = DetMath.Exp(latent);
            if (!noLimit)
            {
                lowBound = down;
                highBound = up;
                if (target >= up)
                {
                    close = up;
                    locked = latent - DetMath.Log(up) > LockSpread * rng.NextDouble();
                }
                else if (target <= down)
                {
                    close = down;
                    locked = DetMath.Log(down) - latent > LockSpread * rng.NextDouble();
                }
                else close = Math.Clamp(FenMath.Round(target), down, up);
            }
            else
            {
                bool capped = p.IpoCapped && bar == 0;
                lowBound = capped ? capDown : 1;
                highBound = capped ? capUp : 2_000_000_000;
                close = Math.Clamp(FenMath.Round(target), lowBound, highBound);
            }

            int open, high, low;
            double lnClose = DetMath.Log(close);
            if (locked)
            {
                open = high = low = close;
            }
            else
            {
                double daySigma = sigma * volMult;
                open = Math.Clamp(FenMath.Round(DetMath.Exp(lnPre + 0.4 * (lnClose - lnPre) + 0.35 * daySigma * rng.Normal())), lowBound, highBound);
                // Wicks: a half-normal range beyond the open-close body, split at random between high and low.
                int top = Math.Max(open, close), bottom = Math.Min(open, close);
                double range = 0.8 * daySigma * Math.Abs(rng.Normal());
                double split = rng.NextDouble();
                high = Math.Clamp(FenMath.Round(top * ExpSmall(range * split)), top, highBound);
                low = Math.Clamp(FenMath.Round(bottom * ExpSmall(-range * (1.0 - split))), lowBound, bottom);
            }

            // Volume in shares and amount in CNY at a VWAP inside [low, high].
            double vwap;
            if (high == low) vwap = high;
            else
            {
                double w = ((open + close + high + low) * 0.25 - low) / (high - low) + 0.2 * (rng.NextDouble() - 0.5);
                vwap = low + Math.Clamp(w, 0.0, 1.0) * (high - low);
            }
            double turnover;
            if (noLimit) turnover = bar == 0 ? (p.IpoCapped && close >= capUp ? 0.02 : 0.5) : 0.3;
            else
            {
                turnover = p.Turnover * (1.0 + 8.0 * Math.Abs(lnClose - lnPre));
                if (locked) turnover *= p.IsIpo && bar < seasoning ? 0.1 : 0.06;
            }
            if (isSt) turnover *= 0.7;
            turnover = Math.Min(0.9, turnover * DetMath.Exp(0.3 * rng.Normal()));
            long volume = Math.Max(1L, (long)Math.Floor(shares * turnover / 100.0 + 0.5)) * 100;
            if (oddLots && rng.NextDouble() < 0.3) volume += rng.NextInt(100);
            double amountFen = Math.Floor(volume * vwap + 0.5);

            var flags = (isSt ? BarFlags.St : BarFlags.None) | (noLimit ? BarFlags.NoLimit : BarFlags.None);
            exposureOut[bars.Count] = exposure;
            sharesOut[bars.Count] = shares;
            bars.AddRaw(symbol, dayNumbers[t], open, high, low, close, pre, volume, amountFen / 100.0, adj, flags, up, down);

            if (p.IndexMember && bar >= seasoning) // new listings join once their IPO period is over
            {
                sums.Pre[t] += shares * pre;
                sums.Open[t] += shares * open;
                sums.High[t] += shares * high;
                sums.Low[t] += shares * low;
                sums.Close[t] += shares * close;
                sums.Volume[t] += volume;
                sums.Amount[t] += amountFen / 100.0;
            }

            if (bar >= seasoning)
            {
                double r = lnClose - lnPre - market[t];
                if (ringCount == lookback) ringSum -= ring[ringPos];
                else ringCount++;
                ring[ringPos] = r;
                ringSum += r;
                if (++ringPos == lookback) ringPos = 0;
            }

            prevClose = close;
            lnPrevClose = lnClose;
            last = t;
            bar++;
            if (o.FaceValueDelisting && close < 100)
            {
                if (++below >= 20) break; // 面值退市: 20 consecutive closes below 1 CNY
            }
            else below = 0;
        }
        return last;
    }

    /// <summary>e^x by a short series: wick shapes only, where |x| is small and exactness does not matter.</summary>
    private static double ExpSmall(double x) =>
        1.0 + x * (1.0 + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720))))));

    private static IndexBar[] BuildBenchmark(SyntheticMarketOptions o, DateOnly[] days, IndexSums s)
    {
        var result = new IndexBar[days.Length];
        double level = o.IndexBase;
        for (int t = 0; t < days.Length; t++)
        {
            double open = level, high = level, low = level, close = level;
            if (s.Pre[t] > 0.0)
            {
                double k = level / s.Pre[t];
                open = s.Open[t] * k;
                close = s.Close[t] * k;
                // Constituents' highs and lows are an envelope of the index path: take half of it.
                double top = Math.Max(open, close), bottom = Math.Min(open, close);
                high = top + 0.5 * Math.Max(0.0, s.High[t] * k - top);
                low = bottom - 0.5 * Math.Max(0.0, bottom - s.Low[t] * k);
                level = close;
            }
            result[t] = new IndexBar(BenchmarkCode, days[t], open, high, low, close, s.Volume[t], s.Amount[t]);
        }
        return result;
    }
}
