using System.Runtime.CompilerServices;
using System.Text;
using Trading.Reporting.Html;

namespace Trading.Reporting.Tests.Html;

/// <summary>
/// The fixture run folder (the bundled demo backtest of 2024: scripts/demo.sh → out/demo, 242 days, 20 holdings)
/// with the sample's stock names and industries, and a synthetic factor analysis.
/// </summary>
internal static class HtmlFixtures
{
    public static string Dir { get; } = FindFixtures();

    public static string DemoRun => Path.Combine(Dir, "demo-2024");

    private static string FindFixtures([CallerFilePath] string source = "")
    {
        var here = Path.GetDirectoryName(source);
        if (here is not null && Directory.Exists(Path.Combine(here, "Fixtures"))) return Path.Combine(here, "Fixtures");
        // fall back: walk up from the working directory and the test assembly to the repository root
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "tests", "Trading.Reporting.Tests", "Html", "Fixtures");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/Trading.Reporting.Tests/Html/Fixtures not found (run the tests from the repository)");
    }

    /// <summary>symbol → (name, industry) of demo-2024-stocks.csv.</summary>
    public static (Dictionary<string, string> Names, Dictionary<string, string> Industries) Stocks()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var industries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Dir, "demo-2024-stocks.csv"), Encoding.UTF8).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length < 3) continue;
            names[f[0]] = f[1];
            if (f[2].Length > 0) industries[f[0]] = f[2];
        }
        return (names, industries);
    }

    public static FactorReportInput Factor(RunFolder run, string name = "momentum(lookback=60,skip=5)")
    {
        var rng = new Random(7);
        var series = run.Nav.Select(n => new FactorIcObservation(n.Date, 0.02 + (rng.NextDouble() - 0.5) * 0.2, 0.03 + (rng.NextDouble() - 0.5) * 0.2)).ToList();
        return new FactorReportInput(name, series,
            new Dictionary<int, double> { [1] = 0.041, [5] = 0.036, [10] = 0.03, [20] = 0.024, [60] = 0.011 },
            [-0.0051, -0.0012, 0.0008, 0.0027, 0.0063], 0.0114);
    }

    public static ReportInputs DemoInputs(RunFolder run, bool withFactor = true)
    {
        var (names, industries) = Stocks();
        return new ReportInputs { Names = names, Industries = industries, BenchmarkName = "000300.SH 沪深300", Factors = withFactor ? [Factor(run)] : [] };
    }

    /// <summary>The trough of the deepest drawdown of nav.csv, computed here independently of the library.</summary>
    public static DateOnly MaxDrawdownTrough(RunFolder run)
    {
        decimal peak = decimal.MinValue;
        double worst = 0;
        DateOnly trough = run.Nav[0].Date;
        foreach (var n in run.Nav)
        {
            peak = Math.Max(peak, n.Nav);
            double dd = (double)(n.Nav / peak) - 1;
            if (dd < worst) { worst = dd; trough = n.Date; }
        }
        return trough;
    }
}
