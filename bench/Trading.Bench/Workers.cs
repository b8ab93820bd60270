using System.Diagnostics;
using Sylvan.Data.Csv;
using Trading.Data.Import;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Data.Synthetic;

namespace Trading.Bench;

/// <summary>Single measurements, each run in its own process by the suites.</summary>
internal static class Workers
{
    public static async Task<int> PanelLoadOnce(Options o)
    {
        var store = MarketStore.Open(o.Get("store", ""));
        bool fundamentals = o.Get("fundamentals", "off") == "on";
        var sw = Stopwatch.StartNew();
        var panel = await MarketPanel.LoadAsync(store, fundamentals);
        sw.Stop();
        long traded = 0;
        for (int i = 0; i < panel.Flags.Length; i++) if (panel.Flags[i] == 0) traded++;
        Measure.Emit(new Sample(fundamentals ? "panel-load+fundamentals" : "panel-load", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{panel.DayCount} days x {panel.SymbolCount} symbols = {(long)panel.DayCount * panel.SymbolCount:N0} cells; {store.Manifest.Bars:N0} bars"));
        GC.KeepAlive(panel);
        return 0;
    }

    /// <summary>Baseline: decode every Parquet row group of the bars and touch the close column; no panel.</summary>
    public static async Task<int> ParquetScanOnce(Options o)
    {
        var store = MarketStore.Open(o.Get("store", ""));
        var sw = Stopwatch.StartNew();
        long sum = 0;
        await store.ForEachBarChunkAsync(c => { for (int i = 0; i < c.Count; i++) sum += c.Close[i]; });
        sw.Stop();
        Measure.Emit(new Sample("parquet-scan", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(), $"checksum {sum}"));
        return 0;
    }

    public static async Task<int> ImportOnce(Options o)
    {
        var dir = Path.Combine(Path.GetTempPath(), "trading-bench-import-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sw = Stopwatch.StartNew();
            var r = await DataImporter.ImportAsync(SourceFormat.TuShare, o.Get("input", ""), dir);
            sw.Stop();
            Measure.Emit(new Sample("import", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
                $"{r.Report.RowsRead:N0} rows read, {r.Store!.Manifest.Bars:N0} bars, {r.Report.ErrorCount} errors, {r.Report.WarningCount} warnings"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        return 0;
    }

    /// <summary>Baseline: decompress and tokenize the sample's daily bars with the same CSV reader; no parsing or checks.</summary>
    public static int CsvScanOnce(Options o)
    {
        var sw = Stopwatch.StartNew();
        long fields = 0;
        foreach (var file in InputFiles.Discover(o.Get("input", "")))
        {
            using var text = InputFiles.Open(file);
            using var csv = CsvDataReader.Create(text);
            while (csv.Read())
                for (int i = 0; i < csv.RowFieldCount; i++) fields += csv.GetFieldSpan(i).Length > 0 ? 1 : 0;
        }
        sw.Stop();
        Measure.Emit(new Sample("csv-scan", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(), $"{fields:N0} fields"));
        return 0;
    }

    public static async Task<int> SynthStore(Options o)
    {
        var sw = Stopwatch.StartNew();
        // A market that is full-size from the first day (≈12 M bars for 5,000 × 2,430): every board trading, few
        // listings and delistings; suspensions, ST spells, limit days and corporate actions as usual.
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(o.Int("symbols", 5000), o.Int("days", 2430), (ulong)o.Int("seed", 42))
        {
            RespectBoardLaunchDates = false,
            ListingFraction = 0.02,
            DelistFraction = 0.01,
        });
        var gen = sw.Elapsed.TotalSeconds;
        var dir = o.Get("store", "");
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        await SyntheticStore.WriteAsync(market, dir);
        sw.Stop();
        var size = new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Measure.Emit(new Sample("synth-store", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{market.Bars.Count:N0} bars generated in {gen:F2} s, written in {sw.Elapsed.TotalSeconds - gen:F2} s; store {Measure.Mb(size)}"));
        return 0;
    }
}
