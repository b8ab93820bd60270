using System.Text;
using Sylvan.Data.Csv;
using Trading.Backtest.Sweeps;

namespace Trading.Backtest.Tests;

/// <summary>The run's CSV files go through the CSV writer: odd strategy names round-trip, ordinary values are plain.</summary>
public class CsvOutputTests
{
    private static List<string[]> ReadCsv(string path)
    {
        using var csv = CsvDataReader.Create(path, new CsvDataReaderOptions { HasHeaders = false });
        var rows = new List<string[]>();
        while (csv.Read())
        {
            var row = new string[csv.RowFieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = csv.GetString(i);
            rows.Add(row);
        }
        return rows;
    }

    private static async Task<string> Run(string name)
    {
        var model = new FixedTargetModel(name, new() { [HandCalculatedBacktestTests.D1] = new() { [HandCalculatedBacktestTests.A] = 0.5, [HandCalculatedBacktestTests.B] = 0.4 } });
        var r = await BacktestEngine.RunAsync(HandCalculatedBacktestTests.Options(model, HandCalculatedBacktestTests.Panel()));
        var dir = Path.Combine(Path.GetTempPath(), "bt-csv-" + Guid.NewGuid().ToString("N"));
        r.Recorder.Write(dir, r.Orders, r.SummaryJson);
        return dir;
    }

    [Fact]
    public async Task A_strategy_name_with_a_comma_and_quotes_round_trips_through_the_csv_reader()
    {
        const string name = "a,b \"c\"";
        var dir = await Run(name);
        foreach (var (file, idColumn, width) in new[] { ("trades.csv", 10, 12), ("orders.csv", 1, 12) })
        {
            var rows = ReadCsv(Path.Combine(dir, file));
            Assert.True(rows.Count >= 3, file);
            Assert.All(rows, r => Assert.Equal(width, r.Length));
            Assert.All(rows.Skip(1), r => Assert.StartsWith(name + "-", r[idColumn]));
        }
    }

    [Fact]
    public async Task Ordinary_values_are_written_exactly_as_joined_by_hand()
    {
        var dir = await Run("hand");
        foreach (var file in new[] { "nav.csv", "trades.csv", "orders.csv", "positions.csv", "risk_events.csv" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(dir, file));
            var plain = string.Concat(ReadCsv(Path.Combine(dir, file)).Select(r => string.Join(',', r) + "\n"));
            Assert.Equal(Encoding.UTF8.GetBytes(plain), bytes);
        }
        Assert.StartsWith("date,nav,cash,market_value,benchmark\n2024-01-31,100000", File.ReadAllText(Path.Combine(dir, "nav.csv")));
    }

    [Fact]
    public void The_sweep_ranking_quotes_a_grid_value_with_a_comma()
    {
        var point = new SweepPoint(0, "s.conf", "store", null, null, [new("spec", "momentum(lookback=5,skip=1)"), new("topN", "5")]);
        var dir = Path.Combine(Path.GetTempPath(), "sweep-csv-" + Guid.NewGuid().ToString("N"));
        SweepRunner.Write([new SweepOutcome(point, 1_000_000m, 0.1, 1.5, -0.05, 12, 34.5m, 1.0)], dir);
        var rows = ReadCsv(Path.Combine(dir, "ranking.csv"));
        Assert.Equal(["rank", "point", "spec", "topN", "sharpe", "total_return", "max_drawdown", "final_nav", "trades", "fees"], rows[0]);
        Assert.Equal(["1", "0", "momentum(lookback=5,skip=1)", "5", "1.5", "0.1", "-0.05", "1000000", "12", "34.5"], rows[1]);
    }
}
