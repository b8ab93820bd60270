using Trading.Data.Panel;
using Trading.Research.Factors;

namespace Trading.Research.Tests.Factors;

/// <summary>The factor book gives the values a factor computes on the day's view, from whole panels, single rows or the disk cache alike.</summary>
public class FactorBookTests
{
    private static readonly string[] Specs = ["momentum(lookback=20,skip=5)", "volatility(lookback=10)", "reversal(lookback=3)", "ma_deviation(lookback=5)", "liquidity(lookback=5)"];

    private static void SameBits(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i]), BitConverter.DoubleToInt64Bits(actual[i]));
    }

    private static double[] Direct(MarketPanel panel, IFactor f, int day)
    {
        var v = new double[panel.SymbolCount];
        Array.Fill(v, double.NaN);
        if (day >= f.WarmupDays) f.Compute(new PointInTimeView(panel, day), v);
        return v;
    }

    [Fact]
    public void Rows_and_whole_panels_equal_what_the_factor_computes_on_the_day()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        foreach (var spec in Specs.Append("size").Append("quality_roe"))
        {
            var f = FactorRegistry.Default.Create(spec);
            var rows = new FactorBook(panel);
            var whole = new FactorBook(panel);
            whole.Prepare([f]);
            var days = new[] { 0, 3, f.WarmupDays, 250, panel.DayCount - 1 }.Distinct().ToList();
            foreach (var day in days.Append(250)) // a day asked twice is computed once
            {
                var expected = Direct(panel, f, day);
                SameBits(expected, rows.Row(f, day));
                SameBits(expected, whole.Row(f, day));
            }
            Assert.Equal(days.Count, rows.Counts.RowsComputed);
            Assert.Equal(0, whole.Counts.RowsComputed);
        }
    }

    [Fact]
    public async Task The_disk_cache_returns_the_same_bits_and_is_keyed_by_store_factor_and_shape()
    {
        var panel = MarketPanel.FromBars(SyntheticPanels.Medium.Bars, SyntheticPanels.Medium.Stocks);
        var dir = Path.Combine(Path.GetTempPath(), "factor-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = new FactorCache(dir);
            var f = FactorRegistry.Default.Create("momentum(lookback=20,skip=5)");
            var computed = new FactorBook(panel, cache, "store-v1");
            var a = computed.Panel(f);
            await computed.FlushAsync();
            Assert.Equal((0, 1, 0), computed.Counts);
            var read = new FactorBook(panel, cache, "store-v1");
            SameBits(a.Values, read.Panel(f).Values);
            Assert.Equal((1, 0, 0), read.Counts);
            // Another store version, another spec: other entries.
            Assert.NotEqual(FactorCache.Key("store-v1", f, panel), FactorCache.Key("store-v2", f, panel));
            Assert.NotEqual(FactorCache.Key("store-v1", f, panel), FactorCache.Key("store-v1", FactorRegistry.Default.Create("momentum(lookback=20,skip=4)"), panel));
            var other = new FactorBook(panel, cache, "store-v2");
            other.Panel(f);
            await other.FlushAsync();
            Assert.Equal((0, 1, 0), other.Counts);
            Assert.Equal(2, cache.Usage().Entries);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task The_cache_stays_under_its_size_by_dropping_the_least_recently_used()
    {
        var panel = MarketPanel.FromBars(SyntheticPanels.Medium.Bars, SyntheticPanels.Medium.Stocks);
        var dir = Path.Combine(Path.GetTempPath(), "factor-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            long entry = 56 + (long)panel.DayCount * panel.SymbolCount * 8;
            var cache = new FactorCache(dir, maxBytes: entry * 2 + 10); // room for two
            var factors = Specs.Take(3).Select(FactorRegistry.Default.Create).ToList();
            var book = new FactorBook(panel, cache, "v");
            book.Panel(factors[0]);
            await book.FlushAsync();
            File.SetLastWriteTimeUtc(Path.Combine(dir, FactorCache.Key("v", factors[0], panel) + FactorCache.Extension), DateTime.UtcNow.AddMinutes(-10));
            book.Panel(factors[1]);
            await book.FlushAsync();
            File.SetLastWriteTimeUtc(Path.Combine(dir, FactorCache.Key("v", factors[1], panel) + FactorCache.Extension), DateTime.UtcNow.AddMinutes(-20));
            // Reading the first marks it used: the second is now the oldest and goes when the third arrives.
            Assert.NotNull(cache.TryRead(FactorCache.Key("v", factors[0], panel), "x", panel.DayCount, panel.SymbolCount));
            book.Panel(factors[2]);
            await book.FlushAsync();
            Assert.Equal(2, cache.Usage().Entries);
            Assert.True(File.Exists(Path.Combine(dir, FactorCache.Key("v", factors[0], panel) + FactorCache.Extension)));
            Assert.False(File.Exists(Path.Combine(dir, FactorCache.Key("v", factors[1], panel) + FactorCache.Extension)));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Price_factors_need_only_bars_and_fundamental_ones_say_what_they_need()
    {
        Assert.Equal(PanelContents.Bars, FactorRegistry.Default.Create("momentum(lookback=5)").Needs);
        Assert.Equal(PanelContents.Valuations, FactorRegistry.Default.Create("value_bp").Needs);
        Assert.Equal(PanelContents.Financials, FactorRegistry.Default.Create("quality_roe").Needs);
        Assert.Equal(PanelContents.CustomFactors, FactorRegistry.Default.Create("custom(name=x)").Needs);
    }
}

public class StudyCacheTests
{
    [Fact]
    public void A_study_read_back_from_the_cache_is_bit_identical()
    {
        var panel = MarketPanel.FromBars(SyntheticPanels.Medium.Bars, SyntheticPanels.Medium.Stocks);
        var dir = Path.Combine(Path.GetTempPath(), "study-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = new Trading.Research.Analysis.StudyCache(new FactorCache(dir), "v");
            var factors = new[] { "momentum(lookback=20,skip=5)", "reversal(lookback=3)" }.Select(FactorRegistry.Default.Create).ToList();
            var universe = new Trading.Research.Universe.UniverseFilter { MinListedDays = 10, MinAverageAmount = 0 };
            var options = new Trading.Research.Analysis.FactorAnalysisOptions { Horizon = 5 };
            var book = new FactorBook(panel);
            var computed = Trading.Research.Analysis.FactorStudy.Run(panel, factors, universe, options, book.Panel, cache);
            Assert.All(factors, f => Assert.True(cache.Has(cache.Key(f, panel, universe, options))));
            Assert.False(cache.Has(cache.Key(factors[0], panel, universe with { MinListedDays = 11 }, options)));
            Assert.False(cache.Has(cache.Key(factors[0], panel, universe, options with { Horizon = 10 })));
            var read = Trading.Research.Analysis.FactorStudy.Run(panel, factors, universe, options, _ => throw new InvalidOperationException("computed again"), cache);
            var a = System.Text.Json.JsonSerializer.Serialize(computed, Json);
            var b = System.Text.Json.JsonSerializer.Serialize(read, Json);
            Assert.Equal(a, b); // shortest round-trip doubles: equal text is equal bits
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
