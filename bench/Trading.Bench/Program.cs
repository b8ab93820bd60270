using System.Diagnostics;
using System.Globalization;
using System.Text;
using Trading.Bench;

// End-to-end benchmarks. Each measurement runs in a fresh child process so that time and peak memory (VmHWM)
// belong to that measurement alone; every target is reported with a baseline measured in the same run.
//   bench panel-load [--symbols 5000] [--days 2430] [--seed 42] [--runs 3] [--store DIR]
//   bench import-sample [--runs 3]
//   bench tushare-fetch [--symbols 5000] [--rate 500] [--trading scripts/trading]
//   bench micro [BenchmarkDotNet args]
//   bench dashboard-load [--clients 10] [--rate 50] [--seconds 60] [--marks 2]
//   bench research-loop [--runs 3] [--store DIR] [--trading scripts/trading] [--timings-flag on|off] [--cold-flag on|off]
// One-shot workers (used by the above): panel-load-once, parquet-scan-once, import-once, csv-scan-once, synth-store,
// research-floor-once --store DIR --config FILE [--check on].
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var verb = args.Length > 0 ? args[0] : "help";
var opts = Options.Parse(args.Skip(1).ToArray());
return verb switch
{
    "panel-load" => await Suites.PanelLoad(opts),
    "import-sample" => await Suites.ImportSample(opts),
    "micro" => Micro.Run(args.Skip(1).ToArray()),
    "backtest-scale" => await Suites.BacktestScale(opts),
    "backtest-optimised" => await Suites.BacktestOptimised(opts),
    "research-loop" => await ResearchLoopSuite.Run(opts),
    "order-path" => await Suites.OrderPath(opts),
    "backtest-once" => await RuntimeWorkers.BacktestOnce(opts),
    "research-floor-once" => await ResearchFloor.Once(opts),
    "touch-once" => MemoryTouch.Once(opts),
    "research" => await Suites.Research(opts),
    "recovery" => await Suites.Recovery(opts),
    "kill9" => await KillNineSuite.Run(opts),
    "failover" => await FailoverSuite.Run(opts),
    "bridge-path" => await BridgePath.Suite(opts),
    "tushare-fetch" => await TuShareFetchSuite.Run(opts),
    "dashboard-load" => await DashboardLoadSuite.Run(opts),
    "bridge-path-once" => await BridgePath.Once(opts),
    "recovery-write" => await RecoveryWorkers.Write(opts),
    "recovery-once" => await RecoveryWorkers.RecoverOnce(opts),
    "recovery-floor-once" => await RecoveryWorkers.FloorOnce(opts),
    "ceiling-once" => SweepSpeedup.CeilingOnce(),
    "factors-once" => await ResearchWorkers.FactorsOnce(opts),
    "optimiser-once" => ResearchWorkers.OptimiserOnce(opts),
    "report-once" => ResearchWorkers.ReportOnce(opts),
    "order-path-once" => await RuntimeWorkers.OrderPath(opts),
    "serialize-once" => RuntimeWorkers.SerializeOnce(opts),
    "hops-once" => await RuntimeWorkers.HopsFloor(opts),
    "panel-load-once" => await Workers.PanelLoadOnce(opts),
    "parquet-scan-once" => await Workers.ParquetScanOnce(opts),
    "import-once" => await Workers.ImportOnce(opts),
    "csv-scan-once" => Workers.CsvScanOnce(opts),
    "synth-store" => await Workers.SynthStore(opts),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench panel-load|import-sample|micro [options]");
    return 2;
}
