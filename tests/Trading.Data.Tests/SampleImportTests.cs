using Trading.Data.Import;
using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Instruments;

namespace Trading.Data.Tests;

/// <summary>Imports the bundled 2024 sample once for the tests of this class.</summary>
public sealed class SampleStoreFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    public ImportResult Result { get; private set; } = null!;
    public MarketStore Store => Result.Store!;
    public BarTable Bars { get; private set; } = null!;
    public Dictionary<(Symbol, DateOnly), DailyBar> ByKey { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Result = await DataImporter.ImportAsync(SourceFormat.TuShare, TestPaths.Sample, _dir.File("store"));
        Bars = await Store.ReadBarsAsync();
        ByKey = Bars.Rows().ToDictionary(b => (b.Symbol, b.Date));
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

public class SampleImportTests(SampleStoreFixture sample) : IClassFixture<SampleStoreFixture>
{
    [Fact]
    public void The_whole_sample_imports_without_rejects_or_warnings()
    {
        var report = sample.Result.Report;
        Assert.True(sample.Result.Written);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(0, report.WarningCount);
        Assert.Equal(237_144, sample.Store.Manifest.Bars);
        Assert.Equal(984, sample.Store.Manifest.Symbols.Length);
        Assert.Equal(242, sample.Store.Manifest.Days.Length);
        Assert.Equal(new DateOnly(2024, 1, 2), DateOnly.FromDayNumber(sample.Store.Manifest.Days[0]));
        Assert.Equal(new DateOnly(2024, 12, 31), DateOnly.FromDayNumber(sample.Store.Manifest.Days[^1]));
    }

    [Fact]
    public async Task The_csi300_series_and_reference_data_are_stored()
    {
        var index = await sample.Store.ReadIndexAsync();
        Assert.Equal(263, index.Count(i => i.Code == "000300.SH"));
        var stocks = (await sample.Store.ReadStocksAsync()).ToDictionary(s => s.Symbol);
        Assert.Equal("平安银行", stocks[Symbol.Parse("000001.SZ")].Name);
        Assert.Equal(new DateOnly(1991, 4, 3), stocks[Symbol.Parse("000001.SZ")].ListDate);
    }

    // Real limit-up closes of 2024: close = round_half_up(pre_close × 1.1, 2), where the third decimal is a 5.
    [Theory]
    [InlineData("000004.SZ", "2024-06-18", "9.25", "10.18")]
    [InlineData("000004.SZ", "2024-10-17", "18.15", "19.97")]
    [InlineData("000004.SZ", "2024-12-19", "18.75", "20.63")]
    [InlineData("000007.SZ", "2024-09-30", "6.15", "6.77")]
    public void Real_limit_up_days_get_the_rounded_limit(string symbol, string date, string preClose, string close)
    {
        var bar = sample.ByKey[(Symbol.Parse(symbol), DateOnly.Parse(date))];
        Assert.Equal(decimal.Parse(preClose), bar.PreClose);
        Assert.Equal(decimal.Parse(close), bar.Close);
        Assert.Equal(decimal.Parse(close), bar.UpLimit);
        Assert.True(bar.ClosedAtLimitUp);
    }

    // 000615.SZ (*ST美谷) traded under the 5% ST band in 2024: inferred from its prices.
    [Theory]
    [InlineData("000615.SZ", "2024-01-02", "3.94", "4.14", "3.74")]
    [InlineData("000615.SZ", "2024-02-20", "2.82", "2.96", "2.68")]
    public void Inferred_st_days_get_the_five_percent_band(string symbol, string date, string preClose, string up, string down)
    {
        var bar = sample.ByKey[(Symbol.Parse(symbol), DateOnly.Parse(date))];
        Assert.True(bar.IsSt);
        Assert.Equal(decimal.Parse(preClose), bar.PreClose);
        Assert.Equal((decimal.Parse(up), decimal.Parse(down)), (bar.UpLimit, bar.DownLimit));
    }

    [Fact]
    public void An_ipo_has_five_days_without_limit_then_the_ten_percent_band()
    {
        // 001279.SZ listed 2024-10-11 under the registration regime: 9.68 issue price -> 178.01 on day one.
        var s = Symbol.Parse("001279.SZ");
        foreach (var d in new[] { "2024-10-11", "2024-10-14", "2024-10-15", "2024-10-16", "2024-10-17" })
        {
            var bar = sample.ByKey[(s, DateOnly.Parse(d))];
            Assert.True(bar.Flags.HasFlag(BarFlags.NoLimit), d);
            Assert.False(bar.HasLimit);
        }
        var sixth = sample.ByKey[(s, new DateOnly(2024, 10, 18))];
        Assert.Equal(68.96m, sixth.PreClose);
        Assert.Equal((75.86m, 62.06m), (sixth.UpLimit, sixth.DownLimit)); // 75.856, 62.064
    }

    [Fact]
    public void Every_limit_follows_the_formula_and_every_price_lies_inside_its_band()
    {
        int checkedBars = 0;
        foreach (var bar in sample.Bars.Rows())
        {
            if (!bar.HasLimit) continue;
            var pct = bar.IsSt ? 0.05m : 0.10m; // all sample stocks are SZSE main board, 2024
            Assert.Equal(Math.Round(bar.PreClose * (1 + pct), 2, MidpointRounding.AwayFromZero), bar.UpLimit);
            Assert.Equal(Math.Round(bar.PreClose * (1 - pct), 2, MidpointRounding.AwayFromZero), bar.DownLimit);
            Assert.InRange(bar.High, bar.DownLimit, bar.UpLimit);
            Assert.InRange(bar.Low, bar.DownLimit, bar.UpLimit);
            checkedBars++;
        }
        Assert.True(checkedBars > 237_000, $"{checkedBars} bars had limits");
    }

    [Fact]
    public async Task The_panel_makes_suspensions_explicit()
    {
        var panel = await MarketPanel.LoadAsync(sample.Store);
        Assert.Equal(242, panel.DayCount);
        Assert.Equal(984, panel.SymbolCount);
        // 000525.SZ has no bars 2024-11-11..2024-12-12 (24 trading days).
        int s = panel.SymbolIndex(Symbol.Parse("000525.SZ"));
        int from = panel.DayIndex(new DateOnly(2024, 11, 11)), to = panel.DayIndex(new DateOnly(2024, 12, 12));
        Assert.Equal(23, to - from);
        double lastClose = panel.Close[panel.Cell(from - 1, s)];
        for (int d = from; d <= to; d++)
        {
            Assert.True(panel.IsSuspended(d, s));
            Assert.Equal(lastClose, panel.Close[panel.Cell(d, s)]);
            Assert.Equal(0, panel.Volume[panel.Cell(d, s)]);
        }
        Assert.True(panel.IsTraded(to + 1, s));
    }
}
