using System.Diagnostics;
using Trading.Backtest.Sweeps;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Reporting.Html;
using Trading.Research.Factors;
using Trading.Research.Portfolio;

namespace Trading.Bench;

/// <summary>Research and reporting measurements (issues 3 and 5), each in its own process.</summary>
internal static class ResearchWorkers
{
    public static async Task<int> FactorsOnce(Options o)
    {
        var store = MarketStore.Open(o.Get("store", ""));
        var panel = await MarketPanel.LoadAsync(store, fundamentals: true);
        // Baseline: one pass per factor over the same cells doing the least a factor can do (a one-day return), no transforms.
        var floor = Stopwatch.StartNew();
        var work = new FactorPanel("floor", panel.DayCount, panel.SymbolCount);
        for (int k = 0; k < 10; k++)
            Parallel.For(1, panel.DayCount, d =>
            {
                var row = work.Row(d);
                for (int s = 0; s < panel.SymbolCount; s++) row[s] = panel.Close[panel.Cell(d, s)] / panel.Close[panel.Cell(d - 1, s)] - 1;
            });
        floor.Stop();
        FactorBenchmarks.RunTenFactors(panel); // warm-up (JIT), then the measured run
        var elapsed = FactorBenchmarks.RunTenFactors(panel);
        Measure.Emit(new Sample("factors", elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{string.Join(", ", FactorBenchmarks.TenFactors)}; baseline {floor.Elapsed.TotalSeconds:F3}"));
        return 0;
    }

    public static int OptimiserOnce(Options o)
    {
        OptimiserBenchmarks.RunFiveThousand(0); // warm-up
        var runs = Enumerable.Range(1, 5).Select(OptimiserBenchmarks.RunFiveThousand).ToList();
        var lp = Enumerable.Range(1, 5).Select(seed =>
        {
            var problem = OptimiserBenchmarks.BuildProblem(seed, 5000, riskAversion: 0, maxTurnover: null);
            var sw = Stopwatch.StartNew();
            PortfolioOptimiser.Solve(problem);
            return sw.Elapsed.TotalSeconds;
        }).ToList();
        var median = Measure.Median(runs.Select(r => r.Elapsed.TotalSeconds));
        Measure.Emit(new Sample("optimiser", median, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"runs {string.Join(", ", runs.Select(r => r.Elapsed.TotalMilliseconds.ToString("F0")))} ms; max constraint violation {runs.Max(r => r.Report.MaxViolation):E1}; baseline LP (λ = 0, no turnover limit) median {Measure.Median(lp) * 1000:F0} ms"));
        return 0;
    }

    public static int ReportOnce(Options o)
    {
        var cold = ReportBenchmarks.RenderTenYears(out var html);
        var warm = Enumerable.Range(0, 3).Select(_ => ReportBenchmarks.RenderTenYears().TotalSeconds).ToList();
        Measure.Emit(new Sample("report", Measure.Median(warm), Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"first render (JIT included) {cold.TotalSeconds:F2} s; warm renders {string.Join(", ", warm.Select(w => w.ToString("F2")))} s; {html.Length / 1024:N0} KB"));
        return 0;
    }
}
