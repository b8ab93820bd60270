using System.Globalization;
using System.Text;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Instruments;
using Trading.Research.Factors;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 13 part 2: custom factor values imported from a date,symbol,value CSV, validated like bars, stored under a
/// name, used by a strategy as custom(name=…), point in time.
/// </summary>
[Collection("console")]
public class CustomFactorTests
{
    private static async Task<string> Synth(string dir)
    {
        var store = Path.Combine(dir, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "30", "--days", "80", "--seed", "7", "--store", store);
        Assert.True(exit == 0, err);
        return store;
    }

    private static string D(int dayNumber) => DateOnly.FromDayNumber(dayNumber).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A deterministic score of every (day, symbol) of the store; <paramref name="flipFrom"/> negates the values from that day on.</summary>
    private static string FactorCsv(StoreManifest m, string path, int flipFromDay = int.MaxValue)
    {
        var sb = new StringBuilder("date,symbol,value\n");
        foreach (var day in m.Days)
            foreach (var packed in m.Symbols)
            {
                double v = ((packed * 7919L + day * 104729L) % 1000) / 1000.0;
                if (day >= flipFromDay) v = -v;
                sb.Append(D(day)).Append(',').Append(Symbol.FromPacked(packed)).Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public async Task Bad_rows_are_reported_by_place_and_the_good_ones_stored()
    {
        var dir = CliRunner.TempDir();
        var store = await Synth(dir);
        var m = MarketStore.Open(store).Manifest;
        string a = Symbol.FromPacked(m.Symbols[0]).ToString(), b = Symbol.FromPacked(m.Symbols[1]).ToString();
        string day0 = D(m.Days[0]), day1 = D(m.Days[1]);
        var unknown = Enumerable.Range(600000, 1000).Select(i => Symbol.Parse($"{i}.SH")).First(s => !m.Symbols.Contains(s.Packed));
        var weekend = Enumerable.Range(m.Days[0], m.Days[^1] - m.Days[0]).First(d => !m.Days.Contains(d));
        var csv = Path.Combine(dir, "alpha.csv");
        File.WriteAllText(csv, string.Join('\n',
            "date,symbol,value",
            $"{day0},{a},0.5",                // 2 ok
            $"{day0},{b},-1.25",              // 3 ok
            $"{day1},{a},NaN",                // 4 non-finite
            $"{day1},{b},",                   // 5 empty
            $"{day1},ABC001.SZ,1",            // 6 bad symbol
            $"2024-13-01,{a},1",              // 7 bad date
            $"{day1},{unknown},1",            // 8 not in the store
            $"{D(weekend)},{a},1",            // 9 not a trading day
            $"{D(m.Days[^1] + 30)},{a},1",    // 10 after the store's calendar
            $"{day1},{a},2",                  // 11 duplicate of 12: both rejected
            $"{day1},{a},3",                  // 12
            $"{day1},{b},1e400",              // 13 infinite
            $"{day1},{b},x1",                 // 14 malformed
            $"{day1},{b},0.75") + "\n");      // 15 ok

        var (exit, output, err) = await CliRunner.Run("factors", "import", "--input", csv, "--name", "alpha", "--store", store);
        Assert.True(exit == 0, err + output);
        Assert.Contains("14 rows read, 3 accepted, 11 rejected; 10 errors", output);
        foreach (var (kind, line) in new[] { ("NonFiniteValue", 4), ("MissingValue", 5), ("BadSymbol", 6), ("BadDate", 7), ("UnknownSymbol", 8),
                     ("NotATradingDay", 9), ("NotATradingDay", 10), ("DuplicateRow", 12), ("NonFiniteValue", 13), ("MalformedNumber", 14) })
            Assert.Contains($"{kind} at alpha.csv:{line}", output);
        Assert.Contains("outside the store's calendar", output);
        Assert.Contains("first at alpha.csv:11", output);

        var s = MarketStore.Open(store);
        Assert.Equal(2, s.Manifest.Version);
        var entry = Assert.Single(s.Manifest.CustomFactors);
        Assert.Equal(("alpha", 3L), (entry.Name, entry.Rows));
        var rows = await s.ReadCustomFactorAsync("alpha");
        var stored = Enumerable.Range(0, rows.Count).Select(i => (Symbol.FromPacked(rows.Symbol[i]).ToString(), D(rows.Date[i]), rows.Value[i])).ToHashSet();
        Assert.Equal([(a, day0, 0.5), (b, day0, -1.25), (b, day1, 0.75)], stored);
        Assert.True(File.Exists(Path.Combine(store, "reports", "factor-alpha-v000002.csv")));
        (exit, output, err) = await CliRunner.Run("data", "info", "--store", store, "--json");
        Assert.True(exit == 0, err);
        Assert.Contains("\"custom_factors\"", output);
        Assert.Contains("\"name\": \"alpha\"", output);

        // --strict: any error rejects the input and nothing is written; a merge keeps stored values the input lacks.
        (exit, _, err) = await CliRunner.Run("factors", "import", "--input", csv, "--name", "alpha", "--store", store, "--strict");
        Assert.Equal(1, exit);
        Assert.Contains("error: factor import rejected: 10 errors under --strict", err);
        Assert.Equal(2, MarketStore.Open(store).Manifest.Version);
        var more = Path.Combine(dir, "more.csv");
        File.WriteAllText(more, $"date,symbol,value\n{day1},{a},9\n{day0},{a},1\n");
        (exit, output, err) = await CliRunner.Run("factors", "import", "--input", more, "--name", "alpha", "--store", store);
        Assert.True(exit == 0, err);
        Assert.Contains("1 stored values replaced", output);
        rows = await MarketStore.Open(store).ReadCustomFactorAsync("alpha");
        Assert.Equal(4, rows.Count);
        (exit, _, err) = await CliRunner.Run("factors", "import", "--input", more, "--name", "alpha", "--store", store, "--replace");
        Assert.True(exit == 0, err);
        Assert.Equal(2, (await MarketStore.Open(store).ReadCustomFactorAsync("alpha")).Count);

        // A later market import carries the factor over; a bad name or a missing store is one line.
        var bars = Path.Combine(dir, "bars.csv");
        File.WriteAllText(bars, $"date,symbol,open,high,low,close,volume,amount\n{day0},{unknown},10,10.5,9.8,10.2,100000,1020000\n");
        (exit, _, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", bars, "--store", store);
        Assert.True(exit == 0, err);
        Assert.Contains(unknown.Packed, MarketStore.Open(store).Manifest.Symbols);
        Assert.Equal(2, (await MarketStore.Open(store).ReadCustomFactorAsync("alpha")).Count);
        Assert.Contains("alpha", (await MarketPanel.LoadAsync(MarketStore.Open(store))).CustomFactors.Keys);
        (exit, _, err) = await CliRunner.Run("factors", "import", "--input", more, "--name", "9lives", "--store", store);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: --name '9lives' is not a factor name", err);
        (exit, _, err) = await CliRunner.Run("factors", "import", "--input", more, "--name", "alpha", "--store", Path.Combine(dir, "none"));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: No store at", err);
    }

    [Fact]
    public async Task A_value_is_usable_from_its_own_date_on_and_never_before()
    {
        var dir = CliRunner.TempDir();
        var store = await Synth(dir);
        var m = MarketStore.Open(store).Manifest;
        var csv = Path.Combine(dir, "alpha.csv");
        // Every value of the first symbol only on days 10 and 20 (the rest of it missing), everything else daily.
        var sb = new StringBuilder("date,symbol,value\n");
        for (int d = 0; d < m.Days.Length; d++)
            for (int s = 0; s < m.Symbols.Length; s++)
                if (s != 0 || d is 10 or 20) sb.Append($"{D(m.Days[d])},{Symbol.FromPacked(m.Symbols[s])},{d * 100 + s}\n");
        File.WriteAllText(csv, sb.ToString());
        var (exit, _, err) = await CliRunner.Run("factors", "import", "--input", csv, "--name", "alpha", "--store", store);
        Assert.True(exit == 0, err);
        var panel = await MarketPanel.LoadAsync(MarketStore.Open(store));
        var f = FactorEngine.Compute(panel, FactorRegistry.Default.Create("custom(name=alpha,max_age=3)"));
        int s0 = panel.SymbolIndex(Symbol.FromPacked(m.Symbols[0])), s1 = panel.SymbolIndex(Symbol.FromPacked(m.Symbols[1]));
        Assert.Equal(5 * 100 + 1, f[5, s1]);                 // dated today: used today
        Assert.True(double.IsNaN(f[9, s0]));                // dated tomorrow: not yet
        Assert.Equal(1000, f[10, s0]);
        Assert.Equal(1000, f[13, s0]);                      // carried up to max_age trading days
        Assert.True(double.IsNaN(f[14, s0]));               // then stale
        Assert.True(double.IsNaN(f[19, s0]));
        Assert.Equal(2000, f[20, s0]);
        var sameDay = FactorEngine.Compute(panel, FactorRegistry.Default.Create("custom(name=alpha,max_age=0)"));
        Assert.True(double.IsNaN(sameDay[11, s0]));
        var missing = Assert.Throws<FormatException>(() => FactorRegistry.Default.Create("custom(max_age=1)"));
        Assert.Contains("parameter 'name' is required", missing.Message);
    }

    [Fact]
    public async Task A_strategy_backtests_on_an_imported_factor_and_a_changed_value_changes_only_later_results()
    {
        var dir = CliRunner.TempDir();
        string storeA = await Synth(Path.Combine(dir, "a")), storeB = await Synth(Path.Combine(dir, "b"));
        var m = MarketStore.Open(storeA).Manifest;
        int flip = m.Days[50];
        var (exit, _, err) = await CliRunner.Run("factors", "import", "--input", FactorCsv(m, Path.Combine(dir, "a.csv")), "--name", "alpha", "--store", storeA);
        Assert.True(exit == 0, err);
        (exit, _, err) = await CliRunner.Run("factors", "import", "--input", FactorCsv(m, Path.Combine(dir, "b.csv"), flip), "--name", "alpha", "--store", storeB);
        Assert.True(exit == 0, err);
        var conf = Path.Combine(dir, "s.conf");
        File.WriteAllText(conf, "strategy { factors = [ { spec = \"custom(name=alpha,max_age=0)\" } ], top-n = 5, buffer = 5, rebalance = daily, "
            + "universe { min-listed-days = 0, min-average-amount = 0, exclude-limit-up = off } }");
        string outA = Path.Combine(dir, "out-a"), outB = Path.Combine(dir, "out-b");
        (exit, var output, err) = await CliRunner.Run("backtest", "--config", conf, "--store", storeA, "--out", outA);
        Assert.True(exit == 0, err + output);
        (exit, output, err) = await CliRunner.Run("backtest", "--config", conf, "--store", storeB, "--out", outB);
        Assert.True(exit == 0, err + output);

        var tradesA = File.ReadAllLines(Path.Combine(outA, "trades.csv"));
        Assert.True(tradesA.Length > 10, "the strategy should trade on the imported factor");
        // Values changed from day 50 on: decided at day 50's close, traded on day 51. Everything up to day 50 is the same.
        string lastSame = D(m.Days[50]);
        static string[] Upto(string file, string date) => File.ReadAllLines(file).Skip(1).Where(l => string.CompareOrdinal(l[..10], date) <= 0).ToArray();
        static string[] After(string file, string date) => File.ReadAllLines(file).Skip(1).Where(l => string.CompareOrdinal(l[..10], date) > 0).ToArray();
        Assert.Equal(Upto(Path.Combine(outA, "trades.csv"), lastSame), Upto(Path.Combine(outB, "trades.csv"), lastSame));
        Assert.Equal(Upto(Path.Combine(outA, "nav.csv"), lastSame), Upto(Path.Combine(outB, "nav.csv"), lastSame));
        Assert.NotEqual(After(Path.Combine(outA, "trades.csv"), lastSame), After(Path.Combine(outB, "trades.csv"), lastSame));

        // A strategy naming a factor the store lacks is refused before the run.
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("name=alpha", "name=beta"));
        (exit, _, err) = await CliRunner.Run("backtest", "--config", conf, "--store", storeA, "--out", Path.Combine(dir, "out-c"));
        Assert.Equal(1, exit);
        Assert.Contains("no custom factor 'beta' in the store", err);
    }
}
