using System.Globalization;
using System.Text;

namespace Trading.Reporting.Html;

/// <summary>
/// The written commentary: plain sentences generated from the numbers only (no judgement beyond comparisons), so the
/// same run always reads the same.
/// </summary>
internal static class Commentary
{
    public static IReadOnlyList<string> Write(CommentaryFacts f)
    {
        var ps = new List<string>();
        ps.Add(Overview(f));
        if (Risk(f) is { } risk) ps.Add(risk);
        ps.Add(Drawdowns(f));
        if (Periods(f) is { } periods) ps.Add(periods);
        if (Years(f) is { } years) ps.Add(years);
        ps.Add(Costs(f));
        if (Holdings(f) is { } holdings) ps.Add(holdings);
        ps.Add(RiskEvents(f));
        return ps;
    }

    private static string D(DateOnly d) => Fmt.Date(d);

    private static string Overview(CommentaryFacts f)
    {
        var sb = new StringBuilder();
        sb.Append($"From {D(f.Start)} to {D(f.End)} ({f.TradingDays} trading days) the strategy returned {Fmt.SignedPct(f.TotalReturn)}");
        if (f.TradingDays >= 126) sb.Append($", {Fmt.SignedPct(f.Cagr)} a year compounded");
        if (f.BenchmarkReturn is { } b)
        {
            double excess = f.TotalReturn - b;
            sb.Append($", against {Fmt.SignedPct(b)} for the benchmark: an excess return of {Fmt.Pp(excess)}");
            sb.Append(excess > 0 ? ", ahead of the benchmark." : excess < 0 ? ", behind the benchmark." : ", level with the benchmark.");
            if (f.BenchmarkCagr is { } bc && f.TradingDays >= 126)
                sb.Append($" Annualised, that is {Fmt.SignedPct(f.Cagr)} against {Fmt.SignedPct(bc)} ({Fmt.Pp(f.Cagr - bc)} a year).");
        }
        else sb.Append(". The run has no benchmark series, so no relative figures are given.");
        return sb.ToString();
    }

    private static string? Risk(CommentaryFacts f)
    {
        var sb = new StringBuilder();
        sb.Append($"Annualised volatility was {Fmt.Pct(f.Volatility)} and the Sharpe ratio {Fmt.Num(f.Sharpe)}.");
        if (f.Beta is { } beta && double.IsFinite(beta))
        {
            sb.Append($" Against the benchmark the beta was {Fmt.Num(beta)}");
            if (f.Correlation is { } c && double.IsFinite(c)) sb.Append($" (correlation {Fmt.Num(c)})");
            sb.Append(beta > 1.05 ? ", so the strategy moved more than the market" : beta < 0.95 ? ", so the strategy moved less than the market" : ", close to the market's own sensitivity");
            if (f.Alpha is { } a && double.IsFinite(a)) sb.Append($"; the alpha left after that market exposure was {Fmt.SignedPct(a)} a year");
            sb.Append('.');
            if (f.InformationRatio is { } ir && double.IsFinite(ir)) sb.Append($" The information ratio was {Fmt.Num(ir)}.");
        }
        return sb.ToString();
    }

    private static string Drawdowns(CommentaryFacts f)
    {
        if (f.Episodes.Count == 0) return "The NAV never fell below a previous peak: there was no drawdown.";
        var worst = f.Episodes[0];
        var sb = new StringBuilder();
        sb.Append($"The maximum drawdown was {Fmt.Pct(worst.Depth)}: from the peak on {D(worst.Peak)} to the trough on {D(worst.Trough)}");
        if (worst.Recovery is { } end) sb.Append($", recovered on {D(end)}, {worst.TradingDays} trading days after the peak.");
        else sb.Append($", and it had not recovered by the end of the run ({worst.TradingDays} trading days after the peak).");
        var others = f.Episodes.Skip(1).Take(2).ToList();
        if (others.Count > 0)
        {
            sb.Append(others.Count == 1 ? " The next deepest episode was " : " The next deepest episodes were ");
            sb.Append(string.Join(" and ", others.Select(e =>
                $"{Fmt.Pct(e.Depth)} ({D(e.Peak)} to {D(e.Trough)}{(e.Recovery is { } r ? $", recovered {D(r)}" : ", not recovered")})")));
            sb.Append('.');
        }
        return sb.ToString();
    }

    private static string? Periods(CommentaryFacts f)
    {
        var parts = new List<string>();
        if (f.BestMonth is { } bm && f.WorstMonth is { } wm && f.Months >= 2)
        {
            var s = $"The best month was {Fmt.Month(bm.Date)} ({Fmt.SignedPct(bm.Value)}) and the worst {Fmt.Month(wm.Date)} ({Fmt.SignedPct(wm.Value)}); {f.PositiveMonths} of {f.Months} months were positive";
            if (f.MonthsWithBenchmark > 0) s += $", and {f.MonthsBeatingBenchmark} of {f.MonthsWithBenchmark} beat the benchmark";
            parts.Add(s + ".");
        }
        if (f.BestPeriod is { } bp && f.WorstPeriod is { } wp && f.BestPeriodStart is { } bs && f.WorstPeriodStart is { } ws)
            parts.Add($"Over any {f.PeriodDays} consecutive trading days, the best stretch was {D(bs)} to {D(bp.Date)} ({Fmt.SignedPct(bp.Value)}) and the worst {D(ws)} to {D(wp.Date)} ({Fmt.SignedPct(wp.Value)}).");
        if (f.BestDay is { } bd && f.WorstDay is { } wd)
            parts.Add($"The best day was {D(bd.Date)} ({Fmt.SignedPct(bd.Value)}), the worst {D(wd.Date)} ({Fmt.SignedPct(wd.Value)}).");
        return parts.Count == 0 ? null : string.Join(" ", parts);
    }

    private static string? Years(CommentaryFacts f)
    {
        if (f.Years.Count < 2) return null;
        var best = f.Years.MaxBy(y => y.Strategy);
        var worst = f.Years.MinBy(y => y.Strategy);
        var sb = new StringBuilder();
        sb.Append($"By calendar year, the best was {best.Year} ({Fmt.SignedPct(best.Strategy)}) and the worst {worst.Year} ({Fmt.SignedPct(worst.Strategy)})");
        var withBench = f.Years.Where(y => y.Benchmark is { } b && double.IsFinite(b)).ToList();
        if (withBench.Count > 0)
            sb.Append($"; the strategy beat the benchmark in {withBench.Count(y => y.Strategy > y.Benchmark!.Value)} of {withBench.Count} years");
        sb.Append('.');
        return sb.ToString();
    }

    private static string Costs(CommentaryFacts f)
    {
        if (f.Fills == 0) return "No order was filled, so there were no trading costs.";
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append($"{f.Fills.ToString("N0", inv)} fills paid {Fmt.Money(f.Fees)} CNY in fees (commission {Fmt.Money(f.Commission)}, stamp duty {Fmt.Money(f.StampDuty)}, transfer fee {Fmt.Money(f.TransferFee)}");
        if (f.OtherFees != 0) sb.Append($", other {Fmt.Money(f.OtherFees)}");
        sb.Append($"). Against an average NAV of {Fmt.Money(f.AverageNav)} CNY that is a cost drag of {Fmt.Pct(f.CostDrag)} a year (fees / average NAV, annualised)");
        if (double.IsFinite(f.AnnualTurnover)) sb.Append($", at an annual turnover of {Fmt.Num(f.AnnualTurnover, 1)}× NAV (one-sided: (buys + sells) / 2)");
        sb.Append('.');
        return sb.ToString();
    }

    private static string? Holdings(CommentaryFacts f)
    {
        var parts = new List<string>();
        if (f.TopIndustry is { } ti) parts.Add($"On the last day the largest industry exposure was {ti.Industry} at {Fmt.Pct(ti.Weight, 1)} of NAV.");
        if (f.TopHolding is { } th)
            parts.Add($"The largest holding on average was {(th.Name is { Length: > 0 } n ? $"{n} ({th.Symbol})" : th.Symbol)}, at {Fmt.Pct(th.Average, 1)} of NAV.");
        return parts.Count == 0 ? null : string.Join(" ", parts);
    }

    private static string RiskEvents(CommentaryFacts f)
    {
        var sb = new StringBuilder();
        if (f.Rejections == 0) sb.Append("The risk checks rejected no order");
        else
        {
            sb.Append($"The risk checks rejected {f.Rejections} order{(f.Rejections == 1 ? "" : "s")}");
            if (f.TopRejectionRule is { } r) sb.Append($", most often under the rule {r.Rule} ({r.Count})");
        }
        sb.Append(f.Alerts == 0 ? ", and no alert was raised." : $", and {f.Alerts} alert{(f.Alerts == 1 ? " was" : "s were")} raised.");
        return sb.ToString();
    }
}
