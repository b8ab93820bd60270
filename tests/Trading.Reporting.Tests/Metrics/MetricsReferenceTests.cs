using Trading.Domain.Rules;
using Trading.Reporting.Metrics;

namespace Trading.Reporting.Tests.Metrics;

/// <summary>
/// Every expected value below was computed independently by a pure-Python script that writes out QuantStats'
/// formulas (and the pandas/numpy primitives they call: two-pass ddof=1 std, nanskew/nankurt, np.cov, linear
/// percentile, drawdown_details' shift logic) literally; the outputs are pasted here and compared with 1e-9.
/// </summary>
public sealed class MetricsReferenceTests
{
    internal static readonly DateOnly[] GeneralDates =
    [
        new DateOnly(2015, 12, 21), new DateOnly(2015, 12, 22), new DateOnly(2015, 12, 23), new DateOnly(2015, 12, 24), new DateOnly(2015, 12, 25),
        new DateOnly(2015, 12, 28), new DateOnly(2015, 12, 29), new DateOnly(2015, 12, 30), new DateOnly(2015, 12, 31), new DateOnly(2016, 1, 4),
        new DateOnly(2016, 1, 5), new DateOnly(2016, 1, 6), new DateOnly(2016, 1, 7), new DateOnly(2016, 1, 8), new DateOnly(2016, 1, 11),
        new DateOnly(2016, 1, 12), new DateOnly(2016, 1, 13), new DateOnly(2016, 1, 14), new DateOnly(2016, 1, 15), new DateOnly(2016, 1, 18),
        new DateOnly(2016, 1, 19), new DateOnly(2016, 1, 20), new DateOnly(2016, 1, 21), new DateOnly(2016, 1, 22), new DateOnly(2016, 1, 25),
        new DateOnly(2016, 1, 26), new DateOnly(2016, 1, 27), new DateOnly(2016, 1, 28), new DateOnly(2016, 1, 29), new DateOnly(2016, 2, 1),
    ];

    internal static readonly double[] GeneralNav =
    [
        1.0000, 1.0120, 1.0050, 0.9980, 1.0100, 1.0230, 1.0180, 1.0010, 0.9870, 0.9920,
        1.0050, 1.0260, 1.0310, 1.0200, 1.0350, 1.0290, 1.0400, 1.0380, 1.0150, 1.0050,
        1.0110, 1.0220, 1.0330, 1.0450, 1.0420, 1.0380, 1.0510, 1.0600, 1.0550, 1.0620,
    ];

    private static readonly double[] GeneralBenchmarkClose =
    [
        3500.0, 3521.5, 3498.2, 3470.9, 3502.3, 3540.8, 3533.1, 3490.4, 3455.0, 3462.7,
        3488.9, 3530.2, 3541.6, 3520.0, 3556.3, 3549.8, 3571.2, 3569.9, 3530.4, 3511.7,
        3524.5, 3547.0, 3566.6, 3590.1, 3583.3, 3575.0, 3601.9, 3620.4, 3612.8, 3630.0,
    ];

    internal static List<(DateOnly, double)> General() => GeneralDates.Zip(GeneralNav).ToList();

    /// <summary>The benchmark lacks the NAV's 5th date and has a Saturday the NAV lacks: the inner join keeps 29 dates.</summary>
    internal static List<(DateOnly, double)> GeneralBenchmark() =>
        GeneralDates.Zip(GeneralBenchmarkClose).Where((_, i) => i != 4).Select(x => (x.First, x.Second))
            .Append((new DateOnly(2016, 1, 9), 3999.0)).OrderBy(x => x.Item1).ToList();

    internal static List<(DateOnly, double)> BusinessDays(DateOnly start, params double[] nav)
    {
        var list = new List<(DateOnly, double)>();
        var d = start;
        foreach (var v in nav)
        {
            while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) d = d.AddDays(1);
            list.Add((d, v));
            d = d.AddDays(1);
        }
        return list;
    }

    [Fact]
    public void General_series_with_benchmark_matches_reference()
    {
        var r = PerformanceAnalyzer.Analyze(General(), GeneralBenchmark(), options: new MetricsOptions { RollingWindow = 10 });
        Assert.Equal(30, r.Days);
        Assert.Equal(29, r.ReturnDays);
        Near(0.062000000000000055, r.TotalReturn); // total_return
        Near(0.6866036741156942, r.Cagr); // cagr
        Near(0.17411847528275703, r.Volatility); // volatility
        Near(3.089320399930536, r.Sharpe); // sharpe
        Near(4.913639528783958, r.Sortino); // sortino
        Near(19.51098773945433, r.Calmar); // calmar
        Near(-0.035190615835777095, r.MaxDrawdown.Depth); // max_drawdown
        Near(-0.01590691213984619, r.ValueAtRisk95); // var_95
        Near(-0.015614051959828013, r.HistoricalValueAtRisk95); // var_95_historical
        Near(-0.0194287033777365, r.ConditionalValueAtRisk95); // cvar_95
        Near(0.5517241379310345, r.WinRate); // win_rate
        Near(0.020895522388059806, r.BestDay); // best_day
        Near(-0.022157996146435543, r.WorstDay); // worst_day
        Near(0.06889564336372911, r.BestMonth); // best_month
        Near(-0.01299999999999979, r.WorstMonth); // worst_month
        Near(-0.425824806934953, r.Skew); // skew
        Near(-0.7569253355774377, r.Kurtosis); // kurtosis
        // QuantStats dates the max drawdown by its drawdown_details row: first and last day under water, not the
        // peak before it and the recovery after it.
        Date(new DateOnly(2015, 12, 29), r.MaxDrawdown.Start);
        Date(new DateOnly(2015, 12, 31), r.MaxDrawdown.Valley);
        Date(new DateOnly(2016, 1, 5), r.MaxDrawdown.End);
        Date(new DateOnly(2016, 1, 6), r.MaxDrawdown.Recovery);
        Assert.Equal(8, r.LongestDrawdownDays);
        Count(7, r.DrawdownEpisodes);
        Episode(r.DrawdownEpisodes[0], new DateOnly(2015, 12, 23), new DateOnly(2015, 12, 24), new DateOnly(2015, 12, 25), 3, -0.013833992094861691);
        Episode(r.DrawdownEpisodes[1], new DateOnly(2015, 12, 29), new DateOnly(2015, 12, 31), new DateOnly(2016, 1, 5), 8, -0.035190615835777095);
        Episode(r.DrawdownEpisodes[2], new DateOnly(2016, 1, 8), new DateOnly(2016, 1, 8), new DateOnly(2016, 1, 8), 1, -0.01066925315227929);
        Episode(r.DrawdownEpisodes[3], new DateOnly(2016, 1, 12), new DateOnly(2016, 1, 12), new DateOnly(2016, 1, 12), 1, -0.005797101449275366);
        Episode(r.DrawdownEpisodes[4], new DateOnly(2016, 1, 14), new DateOnly(2016, 1, 18), new DateOnly(2016, 1, 21), 8, -0.033653846153846256);
        Episode(r.DrawdownEpisodes[5], new DateOnly(2016, 1, 25), new DateOnly(2016, 1, 26), new DateOnly(2016, 1, 26), 2, -0.006698564593301315);
        Episode(r.DrawdownEpisodes[6], new DateOnly(2016, 1, 29), new DateOnly(2016, 1, 29), new DateOnly(2016, 1, 29), 1, -0.004716981132075526);
        Count(3, r.MonthlyReturns);
        Month(r.MonthlyReturns[0], 2015, 12, -0.01299999999999979);
        Month(r.MonthlyReturns[1], 2016, 1, 0.06889564336372911);
        Month(r.MonthlyReturns[2], 2016, 2, 0.006635071090047573);
        Count(2, r.YearlyReturns);
        Year(r.YearlyReturns[0], 2015, -0.01299999999999979);
        Year(r.YearlyReturns[1], 2016, 0.07598784194528951);
        Count(6, r.Histogram);
        Bin(r.Histogram[0], -0.022157996146435543, -0.014982409724019652, 2);
        Bin(r.Histogram[1], -0.014982409724019652, -0.00780682330160376, 3);
        Bin(r.Histogram[2], -0.00780682330160376, -0.0006312368791878686, 8);
        Bin(r.Histogram[3], -0.0006312368791878686, 0.006544349543228023, 3);
        Bin(r.Histogram[4], 0.006544349543228023, 0.013719935965643915, 11);
        Bin(r.Histogram[5], 0.013719935965643915, 0.020895522388059806, 2);
        var b = r.Benchmark!;
        Assert.Equal(29, b.CommonDates);
        Near(1.5104440638536403, b.Beta); // beta
        Near(0.05193492486666908, b.Alpha); // alpha
        Near(0.9788464161648721, b.Correlation); // correlation
        Near(0.19498008524299562, b.InformationRatio); // information_ratio
        Near(0.07208841751535641, b.TrackingError); // tracking_error
        Near(0.037142857142857144, b.TotalReturn); // benchmark_total_return
        Near(0.3885042908434859, b.Cagr); // benchmark_cagr
        Near(0.12010969344280441, b.Volatility); // benchmark_volatility
        Near(2.792302807474405, b.Sharpe); // benchmark_sharpe
        Near(-0.02423181201988256, b.MaxDrawdown); // benchmark_max_drawdown
        Series(r.RollingSharpe, [0.7578360605970736, 1.7731734442065195, 3.2936369110206, 2.75143030320669, 3.020466178189389, 0.8081412879554868, 2.6739283892242347, 5.084430172680347, 3.4850579105279405, 1.6102937309233045, 0.8117881396953738, -0.44245113519206497, 0.3396803634501545, 3.2899506117037713, 1.0290502655348936, 1.3171460019027832, 1.5509980187347014, 2.96999389505787, 7.437335693123936, 12.966009434872925]);
        Series(r.RollingVolatility, [0.18657519916998686, 0.2061617713245133, 0.20119883094733015, 0.20692259732003576, 0.2108665650864686, 0.20599360318602522, 0.2090657508142143, 0.18318482574652295, 0.20816196556409272, 0.21705423148032058, 0.20907781924110247, 0.18681451444077327, 0.1936219230213046, 0.19069415078956573, 0.17923478698178158, 0.17749855913833182, 0.18053581980403233, 0.18325516414028745, 0.13227590331923456, 0.10791754839165224]);
        Series(r.Benchmark!.RollingBeta, [1.3720442538462954, 1.357196714306987, 1.3889297319521687, 1.4215261468782356, 1.5563610471494584, 1.5559212101236848, 1.618458686607503, 1.8016649007757344, 1.788781064462794, 1.7821361847843982, 1.7642392718374558, 1.7876965733907555, 1.8247542585618037, 1.8996522073720064, 1.8745541722426393, 1.854571175100934, 1.8459831418249597, 1.7690405759471368, 1.7345180217306075]);
    }

    [Fact]
    public void Risk_free_rate_is_deannualised_and_subtracted_for_sharpe_and_sortino_only()
    {
        var r = PerformanceAnalyzer.Analyze(General(), GeneralBenchmark(), options: new MetricsOptions { RollingWindow = 10, RiskFreeRate = 0.03 });
        Near(2.919547859490604, r.Sharpe);
        Near(4.599981211200715, r.Sortino);
        Near(2.5461899831139156, r.Benchmark!.Sharpe);
        Series(r.RollingSharpe, [0.5993984117681485, 1.6297882972107132, 3.1467149048285283, 2.6085723637204508, 2.8802801990885323, 0.6646390848332562, 2.5325349004717417, 4.9230601696475365, 3.3430505279296074, 1.4741040990295753, 0.6704028124828644, -0.6006858204078804, 0.18700893335063754, 3.1349351811628434, 0.864123934078457, 1.1506064196673946, 1.3872602301985069, 2.8086858302894924, 7.213859344488162, 12.692091649240872]);
        Near(0.17411847528275703, r.Volatility);
        Near(0.6866036741156942, r.Cagr);
    }

    [Fact]
    public void Zero_return_days_are_left_out_of_the_win_rate()
    {
        // 11 returns: 3 up, 2 down, 6 exactly zero → win rate 3 / 5, not 3 / 11
        var r = PerformanceAnalyzer.Analyze(BusinessDays(new DateOnly(2016, 3, 1), 100, 100, 101, 101, 100.5, 100.5, 100.5, 102, 101, 101, 103, 103));
        Near(0.030000000000000027, r.TotalReturn); // total_return
        Near(0.9682902799259436, r.Cagr); // cagr
        Near(0.13782865653556156, r.Volatility); // volatility
        Near(4.981930095366159, r.Sharpe); // sharpe
        Near(13.062185849532693, r.Sortino); // sortino
        Near(98.76560855244661, r.Calmar); // calmar
        Near(-0.009803921568627416, r.MaxDrawdown.Depth); // max_drawdown
        Near(-0.011556447028957724, r.ValueAtRisk95); // var_95
        Near(-0.0073772083090661855, r.HistoricalValueAtRisk95); // var_95_historical
        Near(-0.011556447028957724, r.ConditionalValueAtRisk95); // cvar_95
        Near(0.6, r.WinRate); // win_rate
        Near(0.01980198019801982, r.BestDay); // best_day
        Near(-0.009803921568627416, r.WorstDay); // worst_day
        Near(0.030000000000000027, r.BestMonth); // best_month
        Near(0.030000000000000027, r.WorstMonth); // worst_month
        Near(0.8666890952343992, r.Skew); // skew
        Near(0.2998458839720719, r.Kurtosis); // kurtosis
        Date(new DateOnly(2016, 3, 11), r.MaxDrawdown.Start);
        Date(new DateOnly(2016, 3, 11), r.MaxDrawdown.Valley);
        Date(new DateOnly(2016, 3, 14), r.MaxDrawdown.End);
        Date(new DateOnly(2016, 3, 15), r.MaxDrawdown.Recovery);
        Assert.Equal(4, r.LongestDrawdownDays);
        Count(2, r.DrawdownEpisodes);
        Episode(r.DrawdownEpisodes[0], new DateOnly(2016, 3, 7), new DateOnly(2016, 3, 7), new DateOnly(2016, 3, 9), 3, -0.004950495049504955);
        Episode(r.DrawdownEpisodes[1], new DateOnly(2016, 3, 11), new DateOnly(2016, 3, 11), new DateOnly(2016, 3, 14), 4, -0.009803921568627416);
        Count(1, r.MonthlyReturns);
        Month(r.MonthlyReturns[0], 2016, 3, 0.030000000000000027);
        Count(1, r.YearlyReturns);
        Year(r.YearlyReturns[0], 2016, 0.030000000000000027);
        Count(5, r.Histogram);
        Bin(r.Histogram[0], -0.009803921568627416, -0.003882741215297969, 2);
        Bin(r.Histogram[1], -0.003882741215297969, 0.002038439138031478, 6);
        Bin(r.Histogram[2], 0.002038439138031478, 0.007959619491360925, 0);
        Bin(r.Histogram[3], 0.007959619491360925, 0.013880799844690372, 1);
        Bin(r.Histogram[4], 0.013880799844690372, 0.01980198019801982, 2);
    }

    [Fact]
    public void Flat_series_has_zero_volatility_and_undefined_ratios()
    {
        // volatility 0 → Sharpe = 0/0 = NaN (JSON null), Sortino NaN (no downside), Calmar = 0/0 = NaN;
        // win rate 0 (QuantStats' value when no day is non-zero); skew and kurtosis 0 (pandas on a constant series).
        var r = PerformanceAnalyzer.Analyze(BusinessDays(new DateOnly(2016, 5, 2), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        Near(0.0, r.TotalReturn); // total_return
        Near(0.0, r.Cagr); // cagr
        Near(0.0, r.Volatility); // volatility
        Near(double.NaN, r.Sharpe); // sharpe
        Near(double.NaN, r.Sortino); // sortino
        Near(double.NaN, r.Calmar); // calmar
        Near(0.0, r.MaxDrawdown.Depth); // max_drawdown
        Near(0.0, r.ValueAtRisk95); // var_95
        Near(0.0, r.HistoricalValueAtRisk95); // var_95_historical
        Near(0.0, r.ConditionalValueAtRisk95); // cvar_95
        Near(0.0, r.WinRate); // win_rate
        Near(0.0, r.BestDay); // best_day
        Near(0.0, r.WorstDay); // worst_day
        Near(0.0, r.BestMonth); // best_month
        Near(0.0, r.WorstMonth); // worst_month
        Near(0.0, r.Skew); // skew
        Near(0.0, r.Kurtosis); // kurtosis
        Date(null, r.MaxDrawdown.Start);
        Date(null, r.MaxDrawdown.Valley);
        Date(null, r.MaxDrawdown.End);
        Assert.Equal(0, r.LongestDrawdownDays);
        Count(0, r.DrawdownEpisodes);
        Count(1, r.MonthlyReturns);
        Month(r.MonthlyReturns[0], 2016, 5, 0.0);
        Count(1, r.YearlyReturns);
        Year(r.YearlyReturns[0], 2016, 0.0);
        Count(1, r.Histogram);
        Bin(r.Histogram[0], 0.0, 0.0, 9);
    }

    [Fact]
    public void Two_row_series_has_one_return()
    {
        // one return: std (ddof = 1) undefined → volatility, Sharpe, VaR, CVaR NaN; skew needs 3, kurtosis 4;
        // no loss → Sortino NaN; no drawdown → Calmar = CAGR / 0 = +∞ (JSON null).
        var r = PerformanceAnalyzer.Analyze([(new DateOnly(2016, 6, 30), 1.0), (new DateOnly(2016, 7, 1), 1.02)]);
        Assert.Equal(1, r.ReturnDays);
        Near(0.020000000000000018, r.TotalReturn); // total_return
        Near(145.9749374399537, r.Cagr); // cagr
        Near(double.NaN, r.Volatility); // volatility
        Near(double.NaN, r.Sharpe); // sharpe
        Near(double.NaN, r.Sortino); // sortino
        Near(double.PositiveInfinity, r.Calmar); // calmar
        Near(0.0, r.MaxDrawdown.Depth); // max_drawdown
        Near(double.NaN, r.ValueAtRisk95); // var_95
        Near(0.020000000000000018, r.HistoricalValueAtRisk95); // var_95_historical
        Near(double.NaN, r.ConditionalValueAtRisk95); // cvar_95
        Near(1.0, r.WinRate); // win_rate
        Near(0.020000000000000018, r.BestDay); // best_day
        Near(0.020000000000000018, r.WorstDay); // worst_day
        Near(0.020000000000000018, r.BestMonth); // best_month
        Near(0.020000000000000018, r.WorstMonth); // worst_month
        Near(double.NaN, r.Skew); // skew
        Near(double.NaN, r.Kurtosis); // kurtosis
        Date(null, r.MaxDrawdown.Start);
        Date(null, r.MaxDrawdown.Valley);
        Date(null, r.MaxDrawdown.End);
        Assert.Equal(0, r.LongestDrawdownDays);
        Count(0, r.DrawdownEpisodes);
        Count(1, r.MonthlyReturns);
        Month(r.MonthlyReturns[0], 2016, 7, 0.020000000000000018);
        Count(1, r.YearlyReturns);
        Year(r.YearlyReturns[0], 2016, 0.020000000000000018);
        Count(1, r.Histogram);
        Bin(r.Histogram[0], 0.020000000000000018, 0.020000000000000018, 1);
    }

    [Fact]
    public void Max_drawdown_can_start_at_the_initial_nav()
    {
        // the first NAV is the peak: the drawdown starts on the first date and the first day's loss counts
        var r = PerformanceAnalyzer.Analyze(BusinessDays(new DateOnly(2017, 2, 27), 100, 97, 95, 98, 101, 102));
        Near(0.020000000000000018, r.TotalReturn); // total_return
        Near(1.712992897512748, r.Cagr); // cagr
        Near(0.4535549019338021, r.Volatility); // volatility
        Near(2.3861956487941645, r.Sharpe); // sharpe
        Near(4.18786084205855, r.Sortino); // sortino
        Near(34.259857950254926, r.Calmar); // calmar
        Near(-0.050000000000000044, r.MaxDrawdown.Depth); // max_drawdown
        Near(-0.042700837296315027, r.ValueAtRisk95); // var_95
        Near(-0.028123711340206213, r.HistoricalValueAtRisk95); // var_95_historical
        Near(-0.042700837296315027, r.ConditionalValueAtRisk95); // cvar_95
        Near(0.6, r.WinRate); // win_rate
        Near(0.03157894736842115, r.BestDay); // best_day
        Near(-0.030000000000000027, r.WorstDay); // worst_day
        Near(0.051546391752577136, r.BestMonth); // best_month
        Near(-0.030000000000000027, r.WorstMonth); // worst_month
        Near(-0.30518148792289346, r.Skew); // skew
        Near(-2.7413505679149157, r.Kurtosis); // kurtosis
        Date(new DateOnly(2017, 2, 28), r.MaxDrawdown.Start);
        Date(new DateOnly(2017, 3, 1), r.MaxDrawdown.Valley);
        Date(new DateOnly(2017, 3, 2), r.MaxDrawdown.End);
        Date(new DateOnly(2017, 3, 3), r.MaxDrawdown.Recovery);
        Assert.Equal(3, r.LongestDrawdownDays);
        Count(1, r.DrawdownEpisodes);
        Episode(r.DrawdownEpisodes[0], new DateOnly(2017, 2, 28), new DateOnly(2017, 3, 1), new DateOnly(2017, 3, 2), 3, -0.050000000000000044);
        Count(2, r.MonthlyReturns);
        Month(r.MonthlyReturns[0], 2017, 2, -0.030000000000000027);
        Month(r.MonthlyReturns[1], 2017, 3, 0.051546391752577136);
        Count(1, r.YearlyReturns);
        Year(r.YearlyReturns[0], 2017, 0.020000000000000018);
        Count(4, r.Histogram);
        Bin(r.Histogram[0], -0.030000000000000027, -0.014605263157894732, 2);
        Bin(r.Histogram[1], -0.014605263157894732, 0.0007894736842105621, 0);
        Bin(r.Histogram[2], 0.0007894736842105621, 0.016184210526315856, 1);
        Bin(r.Histogram[3], 0.016184210526315856, 0.03157894736842115, 2);
    }

    [Fact]
    public void Series_still_under_water_has_no_recovery_date()
    {
        var r = PerformanceAnalyzer.Analyze(BusinessDays(new DateOnly(2017, 11, 27), 100, 103, 99, 97, 98, 96.5, 99));
        Near(-0.010000000000000009, r.TotalReturn); // total_return
        Near(-0.3443407794258533, r.Cagr); // cagr
        Near(0.4386069010872609, r.Volatility); // volatility
        Near(-0.7782307104262187, r.Sharpe); // sharpe
        Near(-1.1357536987521872, r.Sortino); // sortino
        Near(-5.4564769662866, r.Calmar); // calmar
        Near(-0.06310679611650483, r.MaxDrawdown.Depth); // max_drawdown
        Near(-0.046801223124031975, r.ValueAtRisk95); // var_95
        Near(-0.03417671864273805, r.HistoricalValueAtRisk95); // var_95_historical
        Near(-0.046801223124031975, r.ConditionalValueAtRisk95); // cvar_95
        Near(0.5, r.WinRate); // win_rate
        Near(0.030000000000000027, r.BestDay); // best_day
        Near(-0.03883495145631066, r.WorstDay); // worst_day
        Near(0.020618556701031077, r.BestMonth); // best_month
        Near(-0.030000000000000027, r.WorstMonth); // worst_month
        Near(-0.13357277936307319, r.Skew); // skew
        Near(-1.8360071494370311, r.Kurtosis); // kurtosis
        Date(new DateOnly(2017, 11, 29), r.MaxDrawdown.Start);
        Date(new DateOnly(2017, 12, 4), r.MaxDrawdown.Valley);
        Date(new DateOnly(2017, 12, 5), r.MaxDrawdown.End); // still under water: the series' last date, as QuantStats
        Date(null, r.MaxDrawdown.Recovery);
        Assert.Equal(7, r.LongestDrawdownDays);
        Count(1, r.DrawdownEpisodes);
        Episode(r.DrawdownEpisodes[0], new DateOnly(2017, 11, 29), new DateOnly(2017, 12, 4), new DateOnly(2017, 12, 5), 7, -0.06310679611650483);
        Count(2, r.MonthlyReturns);
        Month(r.MonthlyReturns[0], 2017, 11, -0.030000000000000027);
        Month(r.MonthlyReturns[1], 2017, 12, 0.020618556701031077);
        Count(1, r.YearlyReturns);
        Year(r.YearlyReturns[0], 2017, -0.009999999999999898);
        Count(4, r.Histogram);
        Bin(r.Histogram[0], -0.03883495145631066, -0.02162621359223299, 1);
        Bin(r.Histogram[1], -0.02162621359223299, -0.004417475728155318, 2);
        Bin(r.Histogram[2], -0.004417475728155318, 0.012791262135922354, 1);
        Bin(r.Histogram[3], 0.012791262135922354, 0.030000000000000027, 2);
        Assert.Null(r.DrawdownEpisodes[^1].Recovery);
        Assert.False(r.MaxDrawdown.Recovered);
    }

    internal static List<TradeRecord> Trades()
    {
        TradeRecord T(int day, string symbol, Side side, long qty, double price, double amount, double fees) =>
            new(GeneralDates[day], symbol, side, qty, price, amount, fees);
        return
        [
            T(1, "600000.SH", Side.Buy, 1000, 10.00, 10000.0, 5.0),
            T(1, "000001.SZ", Side.Buy, 500, 20.00, 10000.0, 5.0),
            T(3, "600000.SH", Side.Buy, 1000, 10.50, 10500.0, 5.25),
            T(6, "600000.SH", Side.Sell, 1500, 11.00, 16500.0, 24.75),   // FIFO: 1000 of lot 1 + 500 of lot 2
            T(8, "000001.SZ", Side.Sell, 500, 19.00, 9500.0, 14.25),     // a loss
            T(10, "600000.SH", Side.Sell, 500, 10.20, 5100.0, 7.65),     // the rest of lot 2: a loss
            T(12, "601318.SH", Side.Sell, 200, 50.00, 10000.0, 15.0),    // no lot (held before the data): no round trip
            T(12, "601318.SH", Side.Buy, 100, 49.00, 4900.0, 2.45),      // same day, after the sell (sells match first)
            T(20, "601318.SH", Side.Sell, 100, 49.00, 4900.0, 7.35),     // a loss after fees
            T(22, "000001.SZ", Side.Buy, 300, 18.00, 5400.0, 2.70),
            T(26, "000001.SZ", Side.Sell, 300, 19.50, 5850.0, 8.78),
        ];
    }

    internal static List<PositionRecord> Positions()
    {
        var rows = new List<PositionRecord>();
        void Held(string symbol, int from, int until)
        {
            for (int i = from; i < until; i++) rows.Add(new PositionRecord(GeneralDates[i], symbol, 1000.0 + i));
        }
        Held("600000.SH", 1, 10);
        Held("000001.SZ", 1, 8);
        Held("000001.SZ", 22, 26);
        Held("601318.SH", 12, 20);
        rows.Add(new PositionRecord(GeneralDates[5], "600036.SH", 0));                 // zero market value: not held
        rows.Add(new PositionRecord(new DateOnly(2016, 1, 9), "600000.SH", 5.0));     // not a NAV date: ignored
        return rows;
    }

    [Fact]
    public void Trade_statistics_match_reference()
    {
        var nav = GeneralDates.Zip(GeneralNav.Select(v => v * 100_000)).ToList();
        var r = PerformanceAnalyzer.Analyze(nav, activity: new TradingActivity(Trades(), Positions()));
        var s = r.Trading!;
        Assert.Equal(11, s.NumberOfTrades);
        Assert.Equal(5, s.NumberOfRoundTrips);
        Near(0.4, s.TradeWinRate);
        Near(3.6038407137417057, s.ProfitLossRatio);
        Near(98.18, s.FeesPaid);
        Near(3.932543643837986, s.Turnover);
        Near(0.7, s.Exposure);
        Near(7.0, s.AverageHoldingDays);
        Trip(s.RoundTrips[0], "600000.SH", new DateOnly(2015, 12, 22), new DateOnly(2015, 12, 29), 1500, 15257.625, 16475.25);
        Trip(s.RoundTrips[1], "000001.SZ", new DateOnly(2015, 12, 22), new DateOnly(2015, 12, 31), 500, 10005.0, 9485.75);
        Trip(s.RoundTrips[2], "600000.SH", new DateOnly(2015, 12, 24), new DateOnly(2016, 1, 5), 500, 5252.625, 5092.35);
        Trip(s.RoundTrips[3], "601318.SH", new DateOnly(2016, 1, 7), new DateOnly(2016, 1, 19), 100, 4902.45, 4892.65);
        Trip(s.RoundTrips[4], "000001.SZ", new DateOnly(2016, 1, 21), new DateOnly(2016, 1, 27), 300, 5402.7, 5841.22);
    }

    internal static void Near(double expected, double actual)
    {
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"expected NaN, got {actual:R}");
        else if (double.IsInfinity(expected)) Assert.Equal(expected, actual);
        else Assert.True(Math.Abs(expected - actual) <= 1e-9, $"expected {expected:R}, got {actual:R}");
    }

    private static void Episode(DrawdownEpisode e, DateOnly start, DateOnly valley, DateOnly end, int days, double depth)
    {
        Assert.Equal(start, e.Start);
        Assert.Equal(valley, e.Valley);
        Assert.Equal(end, e.End);
        Assert.Equal(days, e.Days);
        Near(depth, e.MaxDrawdown);
    }

    private static void Month(MonthlyReturn m, int year, int month, double value)
    {
        Assert.Equal((year, month), (m.Year, m.Month));
        Near(value, m.Return);
    }

    private static void Year(YearlyReturn y, int year, double value)
    {
        Assert.Equal(year, y.Year);
        Near(value, y.Return);
    }

    private static void Bin(HistogramBin bin, double lower, double upper, int count)
    {
        Near(lower, bin.Lower);
        Near(upper, bin.Upper);
        Assert.Equal(count, bin.Count);
    }

    private static void Series(IReadOnlyList<DatedValue> actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Near(expected[i], actual[i].Value);
    }

    private static void Count<T>(int expected, IReadOnlyCollection<T> actual) => Assert.Equal(expected, actual.Count);

    private static void Date(DateOnly? expected, DateOnly? actual) => Assert.Equal(expected, actual);

    private static void Trip(RoundTrip t, string symbol, DateOnly open, DateOnly close, long quantity, double cost, double proceeds)
    {
        Assert.Equal((symbol, open, close, quantity), (t.Symbol, t.OpenDate, t.CloseDate, t.Quantity));
        Near(cost, t.Cost);
        Near(proceeds, t.Proceeds);
    }
}
