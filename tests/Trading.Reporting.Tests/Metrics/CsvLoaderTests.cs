using Trading.Reporting.Metrics;

namespace Trading.Reporting.Tests.Metrics;

public sealed class CsvLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metrics-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Loads_backtest_nav_csv_ignoring_extra_columns()
    {
        var path = Write("nav.csv",
            "date,nav,cash,market_value,benchmark\n" +
            "2024-01-02,600000,600000,0,3386.35\n" +
            "2024-01-03,600100.5,100.5,600000,\n" +
            "\n" +
            "2024-01-04,599000,100.5,598899.5,3390.1\n");
        var nav = NavCsv.Load(path);
        Assert.Equal([(new DateOnly(2024, 1, 2), 600000.0), (new DateOnly(2024, 1, 3), 600100.5), (new DateOnly(2024, 1, 4), 599000.0)], nav);

        var mv = NavCsv.LoadMarketValue(path);
        Assert.Equal([0.0, 600000.0, 598899.5], mv.Select(x => x.MarketValue));

        // the benchmark column of nav.csv: the blank cell (no benchmark that day) skips the row
        var bench = BenchmarkCsv.Load(path);
        Assert.Equal([(new DateOnly(2024, 1, 2), 3386.35), (new DateOnly(2024, 1, 4), 3390.1)], bench);
    }

    [Fact]
    public void Loads_date_close_benchmark()
    {
        var path = Write("hs300.csv", "date,open,close\n20240102,1,3386.35\n20240103,1,3378.3\n");
        Assert.Equal([(new DateOnly(2024, 1, 2), 3386.35), (new DateOnly(2024, 1, 3), 3378.3)], BenchmarkCsv.Load(path));
    }

    [Theory]
    [InlineData("date,nav\n2024-01-02,1\n2024-01-03,-1\n", "line 3: NAV is -1; it must be positive", 3)]
    [InlineData("date,nav\n2024-01-02,1\n\n2024-01-03,-1\n", "line 4: NAV is -1; it must be positive", 4)]
    [InlineData("date,nav\r\n2024-01-02,1\r\n2024-01-03,-1\r\n", "line 3: NAV is -1; it must be positive", 3)]
    [InlineData("date,nav\n2024-01-02,1\n2024-01-03,abc\n", "line 3: cannot read nav 'abc' as a number", 3)]
    [InlineData("date,nav\n2024-01-02,1\n2024-13-03,1\n", "line 3: cannot read date '2024-13-03' (expected yyyy-MM-dd)", 3)]
    [InlineData("date,nav\n2024-01-03,1\n2024-01-02,1\n", "line 3: date 2024-01-02 is earlier than the previous row's 2024-01-03; dates must be sorted ascending", 3)]
    [InlineData("date,nav\n2024-01-02,1\n2024-01-03,1\n2024-01-03,1\n", "line 4: duplicate date 2024-01-03 (same as the previous row)", 4)]
    [InlineData("date,nav\n2024-01-02,1\n2024-01-03,\n", "line 3: nav is empty", 3)]
    [InlineData("day,nav\n2024-01-02,1\n", "line 1: required column 'date' is missing (header: day,nav)", 1)]
    public void Nav_csv_errors_name_file_and_line(string text, string message, int line)
    {
        var path = Write("bad.csv", text);
        var e = Assert.Throws<MetricsInputException>(() => NavCsv.Load(path));
        Assert.Equal($"{path} {message}", e.Message);
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void Nav_csv_with_one_row_is_rejected()
    {
        var path = Write("one.csv", "date,nav\n2024-01-02,1\n");
        Assert.Equal($"{path}: NAV series has 1 row; at least 2 are needed", Assert.Throws<MetricsInputException>(() => NavCsv.Load(path)).Message);
    }

    [Fact]
    public void Benchmark_csv_without_close_column_is_rejected()
    {
        var path = Write("b.csv", "date,open\n2024-01-02,1\n");
        Assert.Equal($"{path} line 1: required column 'close' or 'benchmark' is missing (header: date,open)",
            Assert.Throws<MetricsInputException>(() => BenchmarkCsv.Load(path)).Message);
    }
}
