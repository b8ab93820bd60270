using System.Text.Json;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 16: `trading backtest` computes each factor once, shares it with the report's factor study (run beside the
/// backtest) and keeps it in the factor cache between runs. None of that may change a byte of what it writes.
/// </summary>
[Collection("console")]
public class FactorCacheCommandTests
{
    private static readonly Lazy<Task<string>> Store = new(async () =>
    {
        var store = Path.Combine(CliRunner.TempDir(), "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "60", "--days", "160", "--seed", "9", "--store", store);
        Assert.True(exit == 0, err);
        return store;
    });

    private static string Strategy()
    {
        var f = Path.Combine(CliRunner.TempDir(), "s.conf");
        File.WriteAllText(f, """
            strategy {
              name = "cache-test"
              factors = [
                { spec = "momentum(lookback=20,skip=2)", weight = 0.6, transforms = [winsorize, zscore] }
                { spec = "volatility(lookback=10)", weight = -0.4, transforms = [zscore] }
              ]
              top-n = 8, buffer = 12
              universe { min-listed-days = 0, min-average-amount = 0 }
            }
            """);
        return f;
    }

    private static async Task<(string Out, JsonElement Timings)> Backtest(string store, string config, params string[] extra)
    {
        var output = CliRunner.TempDir();
        var (exit, _, err) = await CliRunner.Run(["backtest", "--config", config, "--store", store, "--out", output, "--timings", .. extra]);
        Assert.True(exit == 0, err);
        var line = err.Split('\n').Single(l => l.StartsWith("timings: ", StringComparison.Ordinal));
        return (output, JsonDocument.Parse(line["timings: ".Length..]).RootElement.Clone());
    }

    private static void SameFiles(string expected, string actual)
    {
        var names = Directory.GetFiles(expected).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(names, Directory.GetFiles(actual).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList());
        Assert.True(names.Contains("report.html") || names.Contains("ranking.csv"));
        foreach (var n in names)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, n)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, n))), $"{n} differs");
    }

    [Fact]
    public async Task A_second_run_reads_the_factors_from_the_cache_and_writes_the_same_bytes()
    {
        var store = await Store.Value;
        var config = Strategy();
        var cache = CliRunner.TempDir();
        var (plain, t0) = await Backtest(store, config, "--factor-cache", "off");
        Assert.Equal("off", t0.GetProperty("factor_cache").GetString());
        foreach (var phase in new[] { "load_s", "factors_s", "backtest_s", "study_s", "report_s", "total_s" })
            Assert.True(t0.GetProperty(phase).GetDouble() >= 0, phase);
        Assert.True(t0.GetProperty("peak_rss_bytes").GetInt64() > 0);

        var (first, t1) = await Backtest(store, config, "--factor-cache", cache);
        Assert.Equal("0 hit, 2 miss", t1.GetProperty("factor_cache").GetString());
        Assert.Equal("miss", t1.GetProperty("study_cache").GetString());
        Assert.Equal("miss", t1.GetProperty("panel_cache").GetString());
        Assert.Single(Directory.GetFiles(cache, "*.bars"));
        Assert.Equal(2, Directory.GetFiles(cache, "*.fpanel").Length);
        Assert.Equal(2, Directory.GetFiles(cache, "*.study.json").Length);
        // Same factors and universe: the report's study is read back, and the rebalances compute only their own days.
        var (second, t2) = await Backtest(store, config, "--factor-cache", cache);
        Assert.Equal("hit", t2.GetProperty("study_cache").GetString());
        Assert.Equal("hit", t2.GetProperty("panel_cache").GetString()); // the decoded bars too
        Assert.Equal("0 hit, 0 miss", t2.GetProperty("factor_cache").GetString());
        // Without the studies, the whole factor panels come from the cache.
        foreach (var f in Directory.GetFiles(cache, "*.study.json")) File.Delete(f);
        var (third, t3) = await Backtest(store, config, "--factor-cache", cache);
        Assert.Equal("2 hit, 0 miss", t3.GetProperty("factor_cache").GetString());
        Assert.Equal("miss", t3.GetProperty("study_cache").GetString());
        SameFiles(plain, first);
        SameFiles(plain, second);
        SameFiles(plain, third);
    }

    [Fact]
    public async Task A_damaged_cache_entry_is_recomputed_not_used()
    {
        var store = await Store.Value;
        var config = Strategy();
        var cache = CliRunner.TempDir();
        var (plain, _) = await Backtest(store, config, "--factor-cache", cache);
        var entry = Directory.GetFiles(cache, "*.fpanel").Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(entry);
        bytes[^9] ^= 0x10; // one bit of one value
        File.WriteAllBytes(entry, bytes);
        foreach (var f in Directory.GetFiles(cache, "*.study.json")) File.Delete(f);
        var (again, t) = await Backtest(store, config, "--factor-cache", cache);
        Assert.Equal("1 hit, 1 miss", t.GetProperty("factor_cache").GetString());
        SameFiles(plain, again);
        foreach (var f in Directory.GetFiles(cache, "*.study.json")) File.Delete(f);
        var (third, t3) = await Backtest(store, config, "--factor-cache", cache);
        Assert.Equal("2 hit, 0 miss", t3.GetProperty("factor_cache").GetString()); // rewritten whole
        SameFiles(plain, third);
    }

    [Fact]
    public async Task A_new_store_version_misses_the_cache()
    {
        var store = Path.Combine(CliRunner.TempDir(), "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "40", "--days", "120", "--seed", "3", "--store", store);
        Assert.True(exit == 0, err);
        var config = Strategy();
        var cache = CliRunner.TempDir();
        await Backtest(store, config, "--factor-cache", cache);
        (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "40", "--days", "120", "--seed", "4", "--store", store, "--replace");
        Assert.True(exit == 0, err);
        var (_, t) = await Backtest(store, config, "--factor-cache", cache);
        Assert.Equal("0 hit, 2 miss", t.GetProperty("factor_cache").GetString());
        Assert.Equal("miss", t.GetProperty("study_cache").GetString());
    }

    [Fact]
    public async Task A_sweep_reads_the_decoded_bars_from_the_cache_and_ranks_the_same()
    {
        var store = await Store.Value;
        var config = Strategy();
        var cache = CliRunner.TempDir();
        async Task<string> Sweep(string folder)
        {
            var output = CliRunner.TempDir();
            var (exit, _, err) = await CliRunner.Run("sweep", "--config", config, "--store", store, "--grid", "topN=6,8", "--parallel", "2", "--out", output, "--factor-cache", folder);
            Assert.True(exit == 0, err);
            return output;
        }
        var plain = await Sweep("off");
        var first = await Sweep(cache);
        var entry = Assert.Single(Directory.GetFiles(cache, "*.bars"));
        var written = File.GetLastWriteTimeUtc(entry);
        var second = await Sweep(cache);
        SameFiles(plain, first);
        SameFiles(plain, second);
        Assert.True(File.GetLastWriteTimeUtc(entry) >= written); // read (touched), not written again
    }

    [Theory]
    [InlineData("--factor-cache-max-mb", "0", "--factor-cache-max-mb 0 must be between 1 and")]
    [InlineData("--factor-cache", " ", "--factor-cache needs a folder or 'off'")]
    public async Task Bad_cache_options_are_one_line(string option, string value, string expected)
    {
        var store = await Store.Value;
        var (exit, _, err) = await CliRunner.Run("backtest", "--config", Strategy(), "--store", store, "--out", CliRunner.TempDir(), option, value);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", err);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
