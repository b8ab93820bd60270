using System.Diagnostics;

namespace Trading.Reporting.Html;

/// <summary>
/// Timing of the HTML report on a synthetic 10-year run (2,430 trading days, 50 holdings a day, monthly
/// rebalances, one factor), for bench/ and the performance test. The budget is 2 s per render.
/// </summary>
internal static class ReportBenchmarks
{
    public const int TenYearDays = 2430;
    public const int Holdings = 50;

    /// <summary>Renders the 10-year report once and returns the time Render took (inputs are built beforehand).</summary>
    public static TimeSpan RenderTenYears() => RenderTenYears(out _);

    public static TimeSpan RenderTenYears(out string html)
    {
        var (run, extra) = SyntheticRun(TenYearDays, Holdings, seed: 20240101);
        var sw = Stopwatch.StartNew();
        html = HtmlReport.Render(run, extra);
        sw.Stop();
        return sw.Elapsed;
    }

    /// <summary>A deterministic synthetic run folder with names, industries and one factor's analysis.</summary>
    internal static (RunFolder Run, ReportInputs Extra) SyntheticRun(int days, int holdings, int seed)
    {
        var rng = new Random(seed);
        var dates = new List<DateOnly>(days);
        for (var d = new DateOnly(2015, 1, 5); dates.Count < days; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) dates.Add(d);

        const int universe = 300;
        var symbols = Enumerable.Range(0, universe).Select(i => i % 2 == 0 ? $"{600000 + i:D6}.SH" : $"{i:D6}.SZ").ToArray();
        string[] industryNames = ["银行", "非银金融", "食品饮料", "医药生物", "电子", "计算机", "电力设备", "汽车", "机械设备", "化工",
            "有色金属", "钢铁", "煤炭", "石油石化", "建筑装饰", "建筑材料", "房地产", "交通运输", "公用事业", "家用电器",
            "农林牧渔", "商贸零售", "社会服务", "纺织服饰", "轻工制造", "传媒", "通信", "国防军工", "美容护理", "环保"];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var industries = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < universe; i++)
        {
            names[symbols[i]] = $"样本{i:D3}股份";
            if (i % 37 != 0) industries[symbols[i]] = industryNames[i % industryNames.Length]; // a few unknown
        }

        var price = Enumerable.Range(0, universe).Select(_ => 5 + rng.NextDouble() * 45).ToArray();
        var nav = new List<RunNav>(days);
        var positions = new List<RunPosition>(days * holdings);
        var trades = new List<RunTrade>();
        var orders = new List<RunOrder>();
        var risk = new List<RunRiskEvent>();
        var held = new Dictionary<int, long>();
        decimal cash = 10_000_000m;
        double bench = 3500;
        int orderNo = 0;
        for (int d = 0; d < days; d++)
        {
            double market = Gauss(rng) * 0.012;
            bench *= 1 + market;
            for (int i = 0; i < universe; i++) price[i] = Math.Max(1, price[i] * (1 + 1.1 * market + Gauss(rng) * 0.015));
            bool rebalance = d == 0 || dates[d].Month != dates[d - 1].Month;
            if (rebalance)
            {
                decimal value = cash + held.Sum(h => (decimal)Math.Round(price[h.Key], 2) * h.Value);
                foreach (var (i, q) in held.ToList())
                {
                    if (rng.NextDouble() < 0.3 || d == 0) continue;
                    var px = (decimal)Math.Round(price[i], 2);
                    var amount = px * q;
                    var fee = Math.Round(amount * 0.00075m, 2);
                    cash += amount - fee;
                    orderNo++;
                    trades.Add(new RunTrade(dates[d], symbols[i], "sell", q, px, amount, Math.Round(amount * 0.00025m, 2), Math.Round(amount * 0.0005m, 2), 0m, 0m, $"o{orderNo}", $"f{orderNo}"));
                    orders.Add(new RunOrder(dates[d], $"o{orderNo}", symbols[i], "sell", q, px, "filled", q, px, fee, "", ""));
                    held.Remove(i);
                }
                while (held.Count < holdings)
                {
                    int i = rng.Next(universe);
                    if (held.ContainsKey(i)) continue;
                    var px = (decimal)Math.Round(price[i], 2);
                    long q = (long)(value * 0.019m / px / 100) * 100;
                    if (q <= 0) q = 100;
                    var amount = px * q;
                    var fee = Math.Max(5m, Math.Round(amount * 0.00025m, 2));
                    cash -= amount + fee;
                    orderNo++;
                    trades.Add(new RunTrade(dates[d], symbols[i], "buy", q, px, amount, fee, 0m, Math.Round(amount * 0.00001m, 2), 0m, $"o{orderNo}", $"f{orderNo}"));
                    orders.Add(new RunOrder(dates[d], $"o{orderNo}", symbols[i], "buy", q, px, "filled", q, px, fee, "", ""));
                    held[i] = q;
                }
                if (rng.NextDouble() < 0.2)
                {
                    orderNo++;
                    var s = symbols[rng.Next(universe)];
                    orders.Add(new RunOrder(dates[d], $"o{orderNo}", s, "buy", 100, 10m, "risk_rejected", 0, 0m, 0m, "max-order-value", "order value > limit <120,000>"));
                    risk.Add(new RunRiskEvent($"{dates[d]:yyyy-MM-dd}T09:25:00", "risk-reject", "max-order-value", s, $"o{orderNo}", "order value > limit <120,000>"));
                }
            }
            decimal mv = 0;
            foreach (var (i, q) in held.OrderBy(h => symbols[h.Key], StringComparer.Ordinal))
            {
                var px = (decimal)Math.Round(price[i], 2);
                mv += px * q;
                positions.Add(new RunPosition(dates[d], symbols[i], q, q, px, px * q, px * q));
            }
            nav.Add(new RunNav(dates[d], cash + mv, cash, mv, Math.Round(bench, 2)));
            if (d > 0 && d % 250 == 0)
                risk.Add(new RunRiskEvent($"{dates[d]:yyyy-MM-dd}T09:15:00", "drawdown", "watchdog", "", "", $"drawdown check on {dates[d]:yyyy-MM-dd} & <peak>"));
        }

        var ic = dates.Select(d => new FactorIcObservation(d, 0.03 + Gauss(rng) * 0.1, 0.04 + Gauss(rng) * 0.1)).ToList();
        var factor = new FactorReportInput("momentum(lookback=60,skip=5)", ic,
            new Dictionary<int, double> { [1] = 0.05, [5] = 0.045, [10] = 0.04, [20] = 0.035, [60] = 0.02 },
            [-0.004, -0.001, 0.001, 0.003, 0.006], 0.01);
        var summary = $"{{\"strategy\":\"synthetic-10y\",\"benchmark\":\"000300.SH\",\"start\":\"{dates[0]:yyyy-MM-dd}\",\"end\":\"{dates[^1]:yyyy-MM-dd}\"}}";
        var run = new RunFolder(nav, trades, orders, positions, risk, summary);
        var extra = new ReportInputs { Names = names, Industries = industries, Factors = [factor] };
        return (run, extra);
    }

    private static double Gauss(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
