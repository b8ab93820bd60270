using Trading.Data.Import;
using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Tests;

public class StoreTests
{
    private const string Header = "date,symbol,open,high,low,close,volume,amount,adj_factor";

    private static string Csv(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    [Fact]
    public async Task Round_trip_keeps_every_column()
    {
        using var tmp = new TempDir();
        var bars = new BarTable();
        var a = Symbol.Parse("600000.SH");
        var b = Symbol.Parse("688981.SH");
        bars.Add(new DailyBar(a, new DateOnly(2024, 1, 2), 10.01m, 10.50m, 9.90m, 10.20m, 10.00m, 123_400, 1_259_000.5m, 1.25, BarFlags.St, 10.50m, 9.50m));
        bars.Add(new DailyBar(b, new DateOnly(2024, 1, 3), 50.00m, 60.00m, 45.00m, 55.55m, 0m, 200, 11_000m, 1.0, BarFlags.NoLimit | BarFlags.DerivedPreClose));
        var stocks = new[]
        {
            new StockInfo(a, "浦发银行", "银行", new DateOnly(1999, 11, 10), null, [new DateSpan(new(2024, 1, 1), new(2024, 3, 1)), new DateSpan(new(2024, 6, 1), null)], "上海", StSource.NameChange),
            new StockInfo(b, "中芯国际", "半导体", new DateOnly(2020, 7, 16), new DateOnly(2030, 1, 1), [], "", StSource.Inferred),
        };
        var index = new[] { new IndexBar("000300.SH", new DateOnly(2024, 1, 2), 3400.5, 3410.25, 3390.125, 3405.0625, 1e8, 2.5e11) };

        await MarketStore.WriteAsync(tmp.Path, bars, stocks, index, ["test"]);
        var store = MarketStore.Open(tmp.Path);
        var back = await store.ReadBarsAsync();

        Assert.Equal(bars.Rows(), back.Rows());
        Assert.Equal(stocks, await store.ReadStocksAsync(), new StockInfoComparer());
        Assert.Equal(index, await store.ReadIndexAsync());
        Assert.Equal([a.Packed, b.Packed], store.Manifest.Symbols);
        Assert.Equal(2, store.Manifest.Bars);
    }

    private sealed class StockInfoComparer : IEqualityComparer<StockInfo>
    {
        public bool Equals(StockInfo? x, StockInfo? y) =>
            x is not null && y is not null && x with { StSpells = [] } == y with { StSpells = [] } && x.StSpells.SequenceEqual(y.StSpells);
        public int GetHashCode(StockInfo obj) => obj.Symbol.GetHashCode();
    }

    [Fact]
    public async Task A_failure_between_write_and_swap_leaves_the_old_store_intact()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        var first = tmp.Write("in1/a.csv", Csv("2024-01-02,600000.SH,10.00,10.10,9.90,10.00,1000,10000,1", "2024-01-03,600000.SH,10.00,10.20,9.90,10.10,1000,10100,1"));
        await DataImporter.ImportAsync(SourceFormat.Csv, first, store);
        var before = await MarketStore.Open(store).ReadBarsAsync();

        var second = tmp.Write("in2/b.csv", Csv("2024-01-03,600000.SH,10.00,10.50,9.90,10.50,2000,20600,1", "2024-01-04,600000.SH,10.50,10.60,10.40,10.55,1000,10500,1"));
        await Assert.ThrowsAsync<IOException>(() => DataImporter.ImportAsync(SourceFormat.Csv, second, store,
            new ImportOptions { BeforeSwap = () => throw new IOException("disk full (injected)") }));

        var after = MarketStore.Open(store);
        Assert.Equal(1, after.Manifest.Version);
        Assert.Equal(before.Rows(), (await after.ReadBarsAsync()).Rows());
        Assert.Empty(Directory.EnumerateDirectories(store, ".staging-*"));

        // The next import works and supersedes the abandoned version.
        var ok = await DataImporter.ImportAsync(SourceFormat.Csv, second, store);
        Assert.True(ok.Written);
        var rows = (await MarketStore.Open(store).ReadBarsAsync()).Rows().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(10.50m, rows[1].Close); // 2024-01-03 replaced by the later import
        Assert.Equal(1, ok.ReplacedBars);
    }

    [Fact]
    public async Task Strict_import_with_an_error_writes_nothing()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        var good = tmp.Write("in1/a.csv", Csv("2024-01-02,600000.SH,10.00,10.10,9.90,10.00,1000,10000,1"));
        await DataImporter.ImportAsync(SourceFormat.Csv, good, store);

        var bad = tmp.Write("in2/b.csv", Csv("2024-01-03,600000.SH,10.00,10.20,9.90,10.10,1000,10100,1", "2024-01-04,600000.SH,10.00,NaN,9.90,10.10,1000,10100,1"));
        var result = await DataImporter.ImportAsync(SourceFormat.Csv, bad, store, new ImportOptions { Strict = true });

        Assert.False(result.Written);
        Assert.Equal(IssueKind.BadPrice, Assert.Single(result.Report.Issues).Kind);
        var s = MarketStore.Open(store);
        Assert.Equal(1, s.Manifest.Version);
        Assert.Equal(1, s.Manifest.Bars);
    }

    [Fact]
    public async Task Default_import_skips_bad_rows_and_keeps_the_good_ones()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        var input = tmp.Write("in/a.csv", Csv("2024-01-02,600000.SH,10.00,10.10,9.90,10.00,1000,10000,1", "2024-01-03,600000.SH,10.00,10.20,9.90,-10.10,1000,10100,1", "2024-01-04,600000.SH,10.00,10.20,9.90,10.10,1000,10100,1"));

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, input, store);

        Assert.True(result.Written);
        Assert.Equal(2, result.Store!.Manifest.Bars);
        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.BadPrice, 3L, "close"), (issue.Kind, issue.Line, issue.Column));
    }

    [Fact]
    public async Task Generic_csv_derives_pre_close_from_previous_close_and_factors()
    {
        using var tmp = new TempDir();
        var input = tmp.Write("in/bars.csv", Csv(
            "2024-01-02,sh600000,10.00,10.10,9.90,10.00,1000,10000,1.0",
            "20240103,600000,9.60,9.70,9.40,9.50,1000,9500,1.0",
            // ex-dividend: factor 1.0 -> 1.1, reference = round_half_up(9.50 * 1.0 / 1.1) = 8.64 (8.6363…)
            "2024-01-04,SH600000,8.70,9.00,8.60,8.90,1000,8800,1.1"));

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, input, tmp.File("store"));
        var rows = (await result.Store!.ReadBarsAsync()).Rows().ToList();

        Assert.Empty(result.Report.Issues);
        Assert.Equal(0m, rows[0].PreClose); // nothing before the first row
        Assert.Equal(0m, rows[0].UpLimit);
        Assert.Equal(10.00m, rows[1].PreClose);
        Assert.Equal((11.00m, 9.00m), (rows[1].UpLimit, rows[1].DownLimit));
        Assert.Equal(8.64m, rows[2].PreClose);
        Assert.Equal((9.50m, 7.78m), (rows[2].UpLimit, rows[2].DownLimit)); // 9.504 -> 9.50, 7.776 -> 7.78
        Assert.All(rows, r => Assert.True(r.Flags.HasFlag(BarFlags.DerivedPreClose)));
    }

    [Fact]
    public async Task An_incremental_import_derives_the_first_pre_close_from_the_stored_history()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("a/a.csv", Csv("2024-01-02,000001.SZ,10.00,10.10,9.90,10.00,1000,10000,2.0")), store);
        var r = await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("b/b.csv", Csv("2024-01-03,000001.SZ,10.00,10.20,9.90,10.10,1000,10100,2.0")), store);

        var rows = (await r.Store!.ReadBarsAsync()).Rows().ToList();
        Assert.Equal(10.00m, rows[1].PreClose);
        Assert.Equal(11.00m, rows[1].UpLimit);
    }

    [Fact]
    public void Opening_a_missing_store_names_the_folder()
    {
        var e = Assert.Throws<StoreException>(() => MarketStore.Open("/nonexistent/store"));
        Assert.Contains("/nonexistent/store", e.Message);
    }
}
