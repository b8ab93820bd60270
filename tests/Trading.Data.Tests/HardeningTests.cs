using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Trading.Data.Import;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Tests;

/// <summary>Hostile inputs and damaged stores (issue 10): each case names the file and line, or is refused whole.</summary>
public class HardeningTests
{
    private const string Header = "date,symbol,open,high,low,close,volume,amount,adj_factor";
    private static readonly DateOnly Today = new(2024, 6, 28);

    private static string Row(string symbol, DateOnly day, decimal close = 10.00m) =>
        $"{day:yyyy-MM-dd},{symbol},{close:0.00},{close + 0.10m:0.00},{close - 0.10m:0.00},{close:0.00},1000,{close * 1000:0.##},1";

    /// <summary>A generic CSV of <paramref name="days"/> business days per symbol from 2024-01-02.</summary>
    private static string Bars(IEnumerable<string> symbols, int days)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var s in symbols)
        {
            var d = new DateOnly(2024, 1, 2);
            for (int i = 0; i < days; i++, d = d.AddDays(d.DayOfWeek == DayOfWeek.Friday ? 3 : 1)) sb.Append(Row(s, d)).Append('\n');
        }
        return sb.ToString();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    private static ImportOptions Options(bool strict = false) => new() { Strict = strict, Today = Today };

    private const string StockBasic = "ts_code,symbol,name,area,industry,list_date\n600000.SH,600000,浦发银行,上海,银行,19991110\n000001.SZ,000001,平安银行,深圳,银行,19910403\n";

    [Fact]
    public async Task A_GBK_stock_basic_is_decoded_as_GB18030_and_the_report_says_so()
    {
        using var tmp = new TempDir();
        var gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;
        var input = tmp.File("in/stock_basic.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        File.WriteAllBytes(input, gbk.GetBytes(StockBasic));

        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, input, tmp.File("store"), Options());

        Assert.True(result.Written);
        var names = (await result.Store!.ReadStocksAsync()).ToDictionary(s => s.Symbol.ToString(), s => s.Name);
        Assert.Equal("浦发银行", names["600000.SH"]);
        Assert.Equal("平安银行", names["000001.SZ"]);
        var warning = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueSeverity.Warning, IssueKind.NotUtf8, "stock_basic.csv", 2L), (warning.Severity, warning.Kind, warning.File, warning.Line));
        Assert.Equal("GB18030", result.Report.Files["stock_basic.csv"].Encoding);
    }

    [Theory]
    [InlineData(true, "UTF-8 (BOM)")]
    [InlineData(false, "UTF-8")]
    public async Task UTF8_with_or_without_a_BOM_keeps_Chinese_names(bool bom, string encoding)
    {
        using var tmp = new TempDir();
        var input = tmp.File("stock_basic.csv");
        File.WriteAllBytes(input, [.. (bom ? Encoding.UTF8.Preamble.ToArray() : []), .. Encoding.UTF8.GetBytes(StockBasic)]);

        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, input, tmp.File("store"), Options());

        Assert.Empty(result.Report.Issues);
        Assert.Equal(encoding, result.Report.Files["stock_basic.csv"].Encoding);
        Assert.Contains(await result.Store!.ReadStocksAsync(), s => s.Name == "浦发银行");
    }

    [Fact]
    public async Task Bytes_neither_UTF8_nor_GB18030_are_a_file_error_naming_the_line_and_byte_offset()
    {
        using var tmp = new TempDir();
        var good = Row("600000.SH", new DateOnly(2024, 1, 2));
        var bytes = Encoding.ASCII.GetBytes($"{Header}\n{good}\n").Concat(new byte[] { 0x36, 0x30, 0xFF, 0xFF, 0x0A }).ToArray();
        var input = tmp.File("bars.csv");
        File.WriteAllBytes(input, bytes);

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, input, tmp.File("store"), Options());

        Assert.False(result.Written); // the file's one good row is not imported either
        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.UnreadableFile, "bars.csv", 3L), (issue.Kind, issue.File, issue.Line));
        Assert.Contains($"byte offset {bytes.Length - 3}", issue.Message);
        Assert.False(MarketStore.Exists(tmp.File("store")));
    }

    [Fact]
    public async Task A_truncated_gz_is_a_file_error_and_none_of_its_rows_are_imported()
    {
        using var tmp = new TempDir();
        var whole = Gzip(Encoding.ASCII.GetBytes(Bars(["600000.SH", "600004.SH", "600006.SH"], 100)));
        File.WriteAllBytes(tmp.File("a_cut.csv.gz"), whole[..(whole.Length / 2)]);
        File.WriteAllText(tmp.File("b_good.csv"), Bars(["000001.SZ"], 10));

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Path, tmp.File("store"), Options());

        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.UnreadableFile, "a_cut.csv.gz"), (issue.Kind, issue.File));
        Assert.Contains("truncated", issue.Message);
        Assert.Equal([Symbol.Parse("000001.SZ").Packed], result.Store!.Manifest.Symbols);

        var strict = await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Path, tmp.File("store2"), Options(strict: true));
        Assert.False(strict.Written);
        Assert.False(MarketStore.Exists(tmp.File("store2")));
    }

    [Fact]
    public async Task A_garbage_gz_in_a_folder_is_an_error_naming_the_file()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("junk.csv.gz"), Encoding.ASCII.GetBytes("this is not gzip at all, just text pretending"));
        File.WriteAllText(tmp.File("ok.csv"), Bars(["600000.SH"], 5));

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Path, tmp.File("store"), Options());

        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.UnreadableFile, "junk.csv.gz", 1L), (issue.Kind, issue.File, issue.Line));
        Assert.Equal(5, result.Store!.Manifest.Bars);
    }

    [Theory]
    [InlineData("overlong")]
    [InlineData("unclosed-quote")]
    public async Task Rows_the_CSV_parser_cannot_delimit_are_a_file_error_naming_file_and_line(string kind)
    {
        using var tmp = new TempDir();
        var good = Row("600000.SH", new DateOnly(2024, 1, 2));
        var bad = kind == "overlong"
            ? "2024-01-03,600000.SH," + new string('9', 200_000) + ",1,1,1,1,1,1"
            : "2024-01-03,\"600000.SH,10,10,10,10,1000,10000,1\n" + string.Join("\n", Enumerable.Repeat(new string('x', 1000), 100));
        File.WriteAllText(tmp.File("bars.csv"), $"{Header}\n{good}\n{bad}\n");

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, tmp.File("bars.csv"), tmp.File("store"), Options());

        Assert.False(result.Written);
        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.UnreadableFile, "bars.csv", 3L), (issue.Kind, issue.File, issue.Line));
    }

    [Fact]
    public async Task A_FIFO_in_the_input_folder_is_refused_without_hanging()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("a.csv"), Bars(["600000.SH"], 3));
        using (var mk = Process.Start("mkfifo", tmp.File("pipe.csv"))) mk.WaitForExit();
        Assert.True(File.Exists(tmp.File("pipe.csv")));

        var result = await Task.Run(() => DataImporter.ImportAsync(SourceFormat.Csv, tmp.Path, tmp.File("store"), Options()))
            .WaitAsync(TimeSpan.FromSeconds(30));

        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.UnreadableFile, "pipe.csv"), (issue.Kind, issue.File));
        Assert.Contains("not a regular file", issue.Message);
        Assert.Equal(3, result.Store!.Manifest.Bars);
    }

    [Fact]
    public async Task Dates_after_today_in_Shanghai_are_refused_unless_allowed()
    {
        using var tmp = new TempDir();
        var input = tmp.Write("bars.csv", $"{Header}\n{Row("600000.SH", Today)}\n{Row("600000.SH", new DateOnly(2099, 1, 5))}\n");

        var refused = await DataImporter.ImportAsync(SourceFormat.Csv, input, tmp.File("store"), Options());
        var issue = Assert.Single(refused.Report.Issues);
        Assert.Equal((IssueKind.FutureDate, 3L, "date"), (issue.Kind, issue.Line, issue.Column));
        Assert.Contains("--allow-future-dates", issue.Message);
        Assert.Equal(1, refused.Store!.Manifest.Bars);

        var allowed = await DataImporter.ImportAsync(SourceFormat.Csv, input, tmp.File("store2"), Options() with { AllowFutureDates = true });
        Assert.Empty(allowed.Report.Issues);
        Assert.Equal(2, allowed.Store!.Manifest.Bars);
    }

    [Fact]
    public void Today_defaults_to_the_date_in_Shanghai()
    {
        var utc = DateTime.UtcNow;
        var shanghai = DateOnly.FromDateTime(utc.AddHours(8));
        Assert.Equal(shanghai, DataImporter.ShanghaiToday());
    }

    [Fact]
    public async Task An_import_that_reads_no_valid_row_is_rejected_and_writes_nothing()
    {
        using var tmp = new TempDir();
        var input = tmp.Write("bars.csv", $"{Header}\n2024-02-30,600000.SH,10,10.1,9.9,10,1000,10000,1\n");

        var result = await DataImporter.ImportAsync(SourceFormat.Csv, input, tmp.File("store"), Options());

        Assert.False(result.Written);
        Assert.Contains("no valid row", result.Rejection);
        var issue = Assert.Single(result.Report.Issues);
        Assert.Equal((IssueKind.BadDate, "bars.csv", 2L, "date"), (issue.Kind, issue.File, issue.Line, issue.Column));
        Assert.Contains("'2024-02-30'", issue.Message);
        Assert.False(MarketStore.Exists(tmp.File("store")));
    }

    [Fact]
    public async Task Control_characters_in_the_input_are_escaped_in_every_message()
    {
        using var tmp = new TempDir();
        var input = tmp.Write("bars.csv", $"{Header}\n2024-01-02,\u001b[2J60\u00070000.SH,10,10.1,9.9,10,1000,10000,1\n{Row("600000.SH", new DateOnly(2024, 1, 3))}\n");
        var names = tmp.Write("ref/stock_basic.csv", "ts_code,name,industry,area,list_date\n600000.SH,浦发\u001b]0;pwned\u0007银行,银行,上海,19991110\n");

        var bars = await DataImporter.ImportAsync(SourceFormat.Csv, input, tmp.File("store"), Options());
        var reference = await DataImporter.ImportAsync(SourceFormat.TuShare, names, tmp.File("store"), Options());

        var issues = bars.Report.Issues.Concat(reference.Report.Issues).ToList();
        Assert.Equal([IssueKind.BadSymbol, IssueKind.ControlCharacters], issues.Select(i => i.Kind));
        foreach (var i in issues)
        {
            var shown = i.ToString() + i.Symbol;
            Assert.DoesNotContain(shown, char.IsControl);
            Assert.Contains("\\x1B", shown);
        }
        Assert.DoesNotContain(await MarketStore.Open(tmp.File("store")).ReadStocksAsync(), s => s.Name.Any(char.IsControl)); // never stored
    }

    // ---- the store ----

    private static async Task<string> SmallStore(TempDir tmp)
    {
        var store = tmp.File("store");
        var r = await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("in/a.csv", Bars(["600000.SH"], 3)), store, Options());
        Assert.True(r.Written);
        return store;
    }

    [Fact]
    public async Task A_garbage_manifest_is_a_store_error_naming_the_file()
    {
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        var manifest = Path.Combine(store, "v000001", "manifest.json");
        File.WriteAllText(manifest, "{\"bars\": \u001b[31m garbage");

        var e = Assert.Throws<StoreException>(() => MarketStore.Open(store));
        Assert.Contains(manifest, e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);

        File.WriteAllText(manifest, "{\"format\":1,\"bars\":-5}");
        Assert.Contains("out of range", Assert.Throws<StoreException>(() => MarketStore.Open(store)).Message);
    }

    [Theory]
    [InlineData("bars.parquet")]
    [InlineData("stocks.parquet")]
    [InlineData("index.parquet")]
    public async Task A_damaged_parquet_file_is_a_store_error_naming_the_file(string file)
    {
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        var path = Path.Combine(store, "v000001", file);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var s = MarketStore.Open(store);
        Func<Task> read = file switch
        {
            "bars.parquet" => () => s.ReadBarsAsync(),
            "stocks.parquet" => () => s.ReadStocksAsync(),
            _ => () => s.ReadIndexAsync(),
        };
        var e = await Assert.ThrowsAsync<StoreException>(read);
        Assert.Contains(path, e.Message);

        // An import into it fails the same way, and leaves it as it was.
        var again = DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("in2/b.csv", Bars(["000001.SZ"], 2)), store, Options());
        Assert.Contains(path, (await Assert.ThrowsAsync<StoreException>(() => again)).Message);
        Assert.Equal(1, MarketStore.Open(store).Manifest.Version);
    }

    [Fact]
    public async Task A_damaged_CURRENT_is_a_store_error_naming_it()
    {
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        File.WriteAllText(Path.Combine(store, "CURRENT"), "../../etc");
        var e = Assert.Throws<StoreException>(() => MarketStore.Open(store));
        Assert.Contains(Path.Combine(store, "CURRENT"), e.Message);
    }

    [Fact]
    public async Task Open_follows_CURRENT_when_the_version_it_read_is_removed_by_later_writes()
    {
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        await DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("in2/b.csv", Bars(["000001.SZ"], 2)), store, Options());
        int calls = 0;
        MarketStore.AfterReadingCurrent = (root, version) =>
        {
            if (root != store || calls++ > 0) return;
            // Between this reader's read of CURRENT and of the manifest, two writes happen: its version is removed.
            DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("in3/c.csv", Bars(["000002.SZ"], 2)), store, Options()).GetAwaiter().GetResult();
            DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("in4/d.csv", Bars(["000004.SZ"], 2)), store, Options()).GetAwaiter().GetResult();
            Assert.False(Directory.Exists(Path.Combine(store, version)));
        };
        try
        {
            var s = MarketStore.Open(store);
            Assert.Equal(4, s.Manifest.Version);
            Assert.Equal(4, s.Manifest.Symbols.Length);
        }
        finally
        {
            MarketStore.AfterReadingCurrent = null;
        }
    }

    [Fact]
    public async Task A_second_writer_fails_at_once_with_no_wait_and_gives_up_after_the_timeout()
    {
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        var input = tmp.Write("in2/b.csv", Bars(["000001.SZ"], 2));
        using (await StoreWriteLock.AcquireAsync(store))
        {
            var e = await Assert.ThrowsAsync<StoreException>(() => DataImporter.ImportAsync(SourceFormat.Csv, input, store,
                Options() with { Lock = new StoreLockOptions { Wait = false } }));
            Assert.Contains($"pid {Environment.ProcessId}", e.Message);
            string? told = null;
            var timeout = await Assert.ThrowsAsync<StoreException>(() => DataImporter.ImportAsync(SourceFormat.Csv, input, store,
                Options() with { Lock = new StoreLockOptions { Timeout = TimeSpan.FromMilliseconds(300), OnWaiting = m => told = m } }));
            Assert.Contains("Gave up after 0.3 s", timeout.Message);
            Assert.Contains("waiting for the lock", told);
        }
        Assert.Equal(1, MarketStore.Open(store).Manifest.Version);
        Assert.True((await DataImporter.ImportAsync(SourceFormat.Csv, input, store, Options())).Written);
    }

    [Fact]
    public async Task A_waiting_writer_proceeds_when_the_holder_releases_and_keeps_its_data()
    {
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        var held = await StoreWriteLock.AcquireAsync(store);
        var import = DataImporter.ImportAsync(SourceFormat.Csv, tmp.Write("in2/b.csv", Bars(["000001.SZ"], 2)), store, Options());
        await Task.Delay(300);
        Assert.False(import.IsCompleted);
        held.Dispose();
        var result = await import.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.Store!.Manifest.Symbols.Length);
    }

    [Fact]
    public async Task The_lock_dies_with_a_killed_holder()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var tmp = new TempDir();
        var store = await SmallStore(tmp);
        // util-linux flock(1) takes the same flock(2) lock the store uses; SIGKILL it while it holds the lock.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", Path.Combine(store, ".lock"), "sleep", "60"]))!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        StoreException? busy = null;
        while (busy is null && DateTime.UtcNow < deadline)
        {
            try { (await StoreWriteLock.AcquireAsync(store, new StoreLockOptions { Wait = false })).Dispose(); await Task.Delay(50); }
            catch (StoreException e) { busy = e; }
        }
        Assert.NotNull(busy);
        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();
        using var mine = await StoreWriteLock.AcquireAsync(store, new StoreLockOptions { Timeout = TimeSpan.FromSeconds(10) });
        Assert.NotNull(mine);
    }
}
