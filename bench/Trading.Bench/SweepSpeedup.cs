using System.Diagnostics;
using System.Globalization;

namespace Trading.Bench;

/// <summary>
/// Issue 5's sweep target, measured on the command a user runs: <c>scripts/trading sweep</c> (ReadyToRun build, the
/// launcher's runtime settings), one point at a time against two at a time, each command timed from start to exit.
/// </summary>
internal static class SweepSpeedup
{
    public sealed record Result(int Runs, double Sequential, double Threads, double Processes, IReadOnlyList<double> PairRatios, string Checksum);

    public static Result Measure(string root, string config, string store, string grid, int runs)
    {
        var trading = Path.Combine(root, "scripts", "trading");
        var outDir = Path.Combine(Path.GetTempPath(), "trading-bench-sweep");
        double Run(params string[] extra)
        {
            var psi = new ProcessStartInfo(trading) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "sweep", "--config", config, "--store", store, "--grid", grid, "--out", outDir }.Concat(extra)) psi.ArgumentList.Add(a);
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            sw.Stop();
            if (p.ExitCode != 0) throw new InvalidOperationException($"trading sweep {string.Join(' ', extra)} failed ({p.ExitCode}): {stderr}{stdout.Result}");
            return sw.Elapsed.TotalSeconds;
        }
        string Checksum() => File.ReadLines(Path.Combine(outDir, "ranking.csv")).Skip(1)
            .Sum(l => decimal.Parse(l.Split(',')[^3], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);

        Run("--parallel", "1"); // builds if needed, and leaves the command's JIT profile
        var checksum = Checksum();
        List<double> seq = [], threads = [], procs = [];
        for (int i = 0; i < runs; i++)
        {
            seq.Add(Run("--parallel", "1"));
            Same(checksum, Checksum());
            threads.Add(Run("--parallel", "2"));
            Same(checksum, Checksum());
            procs.Add(Run("--parallel", "2", "--workers", "processes"));
            Same(checksum, Checksum());
        }
        return new Result(runs, Trading.Bench.Measure.Median(seq), Trading.Bench.Measure.Median(threads), Trading.Bench.Measure.Median(procs),
            seq.Zip(threads, (s, t) => s / t).ToList(), checksum);
    }

    private static void Same(string expected, string actual)
    {
        if (expected != actual) throw new InvalidOperationException($"sweep results differ between runs: NAV checksum {expected} vs {actual}");
    }

    /// <summary>
    /// The machine's own parallel ceiling: the same CPU-only work (square roots over a 512 KB array, no allocation, no
    /// locks) as 16 pieces one at a time, then two at a time on two threads; the median of 5 such pairs.
    /// </summary>
    public static int CeilingOnce()
    {
        static double Work(int seed)
        {
            var a = new double[1 << 16];
            var r = new Random(seed);
            for (int i = 0; i < a.Length; i++) a[i] = r.NextDouble();
            double s = 0;
            for (int k = 0; k < 150; k++)
                for (int i = 0; i < a.Length; i++) s += Math.Sqrt(a[i] * k + 1.0);
            return s;
        }
        Work(0);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => Work(i)); // warm the pool's threads
        var ratios = new List<double>();
        for (int rep = 0; rep < 5; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (int p = 0; p < 16; p++) Work(p);
            double one = sw.Elapsed.TotalSeconds;
            sw.Restart();
            Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 2 }, p => Work(p));
            ratios.Add(one / sw.Elapsed.TotalSeconds);
        }
        var median = Trading.Bench.Measure.Median(ratios);
        Trading.Bench.Measure.Emit(new Sample("ceiling", median, Trading.Bench.Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"**{median:F2}×** (5 pairs: {string.Join(", ", ratios.Select(r => r.ToString("F2")))})"));
        return 0;
    }
}
