using System.Diagnostics;
using System.Text;
using Trading.Data.Store;
using Trading.Data.Synthetic;
using Trading.Domain.Instruments;

namespace Trading.Node.Tests;

/// <summary>Issue 10 at the command line: writers racing in separate processes, refused report paths, one-line errors.</summary>
[Collection("console")]
public class DataHardeningTests
{
    private const string Header = "date,symbol,open,high,low,close,volume,amount,adj_factor";

    private static string Bars(IEnumerable<string> symbols, int days)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var s in symbols)
        {
            var d = new DateOnly(2024, 1, 2);
            for (int i = 0; i < days; i++, d = d.AddDays(d.DayOfWeek == DayOfWeek.Friday ? 3 : 1))
                sb.Append($"{d:yyyy-MM-dd},{s},10.00,10.10,9.90,10.00,1000,10000,1\n");
        }
        return sb.ToString();
    }

    private static int[] Packed(IEnumerable<string> symbols) => symbols.Select(s => Symbol.Parse(s).Packed).ToArray();

    /// <summary>Starts the built `trading` command as its own process.</summary>
    private static Process StartTrading(string logs, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "trading.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TRADING_JIT_PROFILE"] = "0";
        psi.Environment["TRADING_LOG_DIR"] = logs;
        return Process.Start(psi)!;
    }

    private static async Task<(int Exit, string Out, string Err)[]> RunAll(string logs, params string[][] commands)
    {
        var processes = commands.Select(c => StartTrading(logs, c)).ToArray();
        var results = await Task.WhenAll(processes.Select(async p =>
        {
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
            return (p.ExitCode, await output, await error);
        }));
        foreach (var p in processes) p.Dispose();
        return results;
    }

    [Fact]
    public async Task Imports_racing_in_separate_processes_all_land_in_the_store()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        // Big enough (10,000 bars each) that the writers' read-merge-write phases overlap.
        var sets = Enumerable.Range(0, 4).Select(k => Enumerable.Range(0, 50).Select(j => $"{600000 + k * 100 + j:D6}.SH").ToArray()).ToArray();
        var inputs = sets.Select((s, i) => { var f = Path.Combine(dir, $"in{i}.csv"); File.WriteAllText(f, Bars(s, 200)); return f; }).ToArray();

        var results = await RunAll(Path.Combine(dir, "logs"),
            [.. inputs.Select(f => new[] { "data", "import", "--format", "csv", "--input", f, "--store", store })]);

        Assert.All(results, r => Assert.True(r.Exit == 0, r.Err));
        var s = MarketStore.Open(store);
        Assert.Equal(Packed(sets.SelectMany(x => x)).Order(), s.Manifest.Symbols);
        Assert.Equal(4 * 50 * 200, s.Manifest.Bars);
        Assert.Equal(4, s.Manifest.Version);
    }

    [Fact]
    public async Task Synth_replace_racing_imports_ends_in_the_state_of_one_serial_order()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var synth = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(6, 40, 7)).Bars;
        var synthSymbols = Enumerable.Range(0, synth.Count).Select(i => synth.Symbol[i]).ToHashSet();
        string[] pool = ["600000.SH", "600004.SH", "600006.SH", "600007.SH", "000001.SZ", "000002.SZ", "000004.SZ", "000005.SZ", "000006.SZ"];
        var free = pool.Where(p => !synthSymbols.Contains(Symbol.Parse(p).Packed)).ToArray();
        string[] seed = free[..1], a = free[1..3], b = free[3..5];
        File.WriteAllText(Path.Combine(dir, "seed.csv"), Bars(seed, 10));
        File.WriteAllText(Path.Combine(dir, "a.csv"), Bars(a, 10));
        File.WriteAllText(Path.Combine(dir, "b.csv"), Bars(b, 10));
        var logs = Path.Combine(dir, "logs");
        Assert.Equal(0, (await RunAll(logs, ["data", "import", "--format", "csv", "--input", Path.Combine(dir, "seed.csv"), "--store", store]))[0].Exit);

        var results = await RunAll(logs,
            ["data", "synth", "--symbols", "6", "--days", "40", "--seed", "7", "--store", store, "--replace"],
            ["data", "import", "--format", "csv", "--input", Path.Combine(dir, "a.csv"), "--store", store],
            ["data", "import", "--format", "csv", "--input", Path.Combine(dir, "b.csv"), "--store", store]);

        Assert.All(results, r => Assert.True(r.Exit == 0, r.Err));
        var final = MarketStore.Open(store).Manifest.Symbols.ToHashSet();
        Assert.Superset(synthSymbols, final); // the synthetic market is always there: every order writes it
        Assert.DoesNotContain(Symbol.Parse(seed[0]).Packed, final); // and it replaced what came before it
        foreach (var set in new[] { a, b })
        {
            int present = Packed(set).Count(final.Contains);
            Assert.True(present == 0 || present == set.Length, $"import of {string.Join(",", set)} half present");
        }
        Assert.Equal(synthSymbols.Count + Packed(a).Count(final.Contains) + Packed(b).Count(final.Contains), final.Count);
        Assert.Equal(4, MarketStore.Open(store).Manifest.Version);
    }

    [Fact]
    public async Task No_wait_fails_at_once_while_another_writer_holds_the_store()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var input = Path.Combine(dir, "a.csv");
        File.WriteAllText(input, Bars(["600000.SH"], 3));
        using (await StoreWriteLock.AcquireAsync(store))
        {
            var (exit, _, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", input, "--store", store, "--no-wait");
            Assert.Equal(1, exit);
            Assert.StartsWith($"error: Store '{store}' is locked by another writer (pid {Environment.ProcessId}", err);
            (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "3", "--days", "5", "--store", store, "--lock-timeout", "0");
            Assert.Equal(1, exit);
            Assert.Contains("waiting for the lock", err);
            Assert.Contains("error: Gave up after 0 s", err);
        }
        Assert.False(MarketStore.Exists(store));
    }

    [Theory]
    [InlineData("CURRENT")]
    [InlineData("v000001/bars.parquet")]
    [InlineData("input")]
    public async Task A_report_path_on_a_store_file_or_an_input_file_is_refused_before_anything_is_written(string target)
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var input = Path.Combine(dir, "a.csv");
        File.WriteAllText(input, Bars(["600000.SH"], 3));
        Assert.Equal(0, (await CliRunner.Run("data", "import", "--format", "csv", "--input", input, "--store", store)).Exit);
        var second = Path.Combine(dir, "b.csv");
        File.WriteAllText(second, Bars(["000001.SZ"], 3));
        var report = target == "input" ? second : Path.Combine(store, target);
        var before = File.ReadAllBytes(report);

        var (exit, _, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", second, "--store", store, "--report", report);

        Assert.Equal(1, exit);
        Assert.StartsWith($"error: --report '{report}' ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Equal(before, File.ReadAllBytes(report));
        Assert.Equal(1, MarketStore.Open(store).Manifest.Version);

        // The store's reports/ folder is fine.
        Assert.Equal(0, (await CliRunner.Run("data", "import", "--format", "csv", "--input", second, "--store", store, "--report", Path.Combine(store, "reports", "mine.csv"))).Exit);
    }

    [Theory]
    [InlineData("--symbols", "0", "error: --symbols must be between 1 and")]
    [InlineData("--symbols", "-5", "error: --symbols must be between 1 and")]
    [InlineData("--days", "0", "error: --days must be between 1 and")]
    [InlineData("--days", "100000000", "error: --days must be between 1 and")]
    [InlineData("--start", "2024-02-30", "error: --start '2024-02-30' is not a date")]
    public async Task Synth_values_out_of_range_are_one_line_errors(string option, string value, string expected)
    {
        var store = Path.Combine(CliRunner.TempDir(), "store");
        var values = new Dictionary<string, string> { ["--symbols"] = "3", ["--days"] = "5", [option] = value };
        var (exit, _, err) = await CliRunner.Run(["data", "synth", .. values.SelectMany(kv => new[] { kv.Key, kv.Value }), "--store", store]);
        Assert.Equal(1, exit);
        Assert.StartsWith(expected, err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(MarketStore.Exists(store));
    }

    [Fact]
    public async Task Info_on_a_store_with_a_garbage_manifest_is_a_one_line_error_naming_it()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var input = Path.Combine(dir, "a.csv");
        File.WriteAllText(input, Bars(["600000.SH"], 3));
        Assert.Equal(0, (await CliRunner.Run("data", "import", "--format", "csv", "--input", input, "--store", store)).Exit);
        var manifest = Path.Combine(store, "v000001", "manifest.json");
        File.WriteAllText(manifest, "<<garbage>>");

        var (exit, _, err) = await CliRunner.Run("data", "info", "--store", store);

        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {manifest}: not a valid store manifest", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Info_shows_an_index_code_with_markup_characters_literally()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var input = Path.Combine(dir, "index_odd.csv");
        File.WriteAllText(input, "ts_code,trade_date,open,high,low,close\n[red]X].SH,20240102,3400,3410,3390,3405\n");
        Assert.Equal(0, (await CliRunner.Run("data", "import", "--format", "tushare", "--input", input, "--store", store)).Exit);

        var (exit, _, err) = await CliRunner.Run("data", "info", "--store", store);

        Assert.True(exit == 0, err); // Spectre's markup parser threw on the unescaped brackets
        Assert.Empty(err); // (the table goes to Spectre's own console, which the runner does not capture)
    }

    [Fact]
    public async Task An_import_that_reads_nothing_exits_1_and_future_dates_need_the_flag()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var input = Path.Combine(dir, "future.csv");
        File.WriteAllText(input, Header + "\n2099-01-05,600000.SH,10.00,10.10,9.90,10.00,1000,10000,1\n");

        var (exit, output, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", input, "--store", store);
        Assert.Equal(1, exit);
        Assert.Contains("FutureDate at future.csv:2 column 'date'", output);
        Assert.StartsWith("error: import rejected: no valid row in the input", err);
        Assert.False(MarketStore.Exists(store));

        (exit, _, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", input, "--store", store, "--allow-future-dates");
        Assert.True(exit == 0, err);
        Assert.Equal(1, MarketStore.Open(store).Manifest.Bars);
    }
}
