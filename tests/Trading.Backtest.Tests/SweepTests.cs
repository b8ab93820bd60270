using Trading.Backtest.Sweeps;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Data.Synthetic;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

public class SweepTests
{
    private const string Config = """
        strategy {
          name = "sweepable"
          initial-cash = 1000000
          factors = [ { spec = "momentum(lookback=20,skip=0)", weight = 1.0, transforms = [winsorize, zscore] } ]
          top-n = 10
          buffer = 15
          max-weight = 0.2
          rebalance = weekly
          universe { min-listed-days = 0, min-average-amount = 0 }
          risk { max-turnover = 3, max-daily-amount = 10000000, max-order-value = 500000 }
        }
        """;

    [Fact]
    public void Grid_is_the_cartesian_product_in_order_and_bad_keys_are_named()
    {
        var points = SweepGrid.Points("topN=5,10;lookback=20,40", "c.conf", "s", null, null);
        Assert.Equal(["topN=5, lookback=20", "topN=5, lookback=40", "topN=10, lookback=20", "topN=10, lookback=40"], points.Select(p => p.Label));
        Assert.Throws<FormatException>(() => SweepGrid.Parse("topN"));
        var cfg = StrategyConfig.Parse(Akka.Configuration.ConfigurationFactory.ParseString(Config), "c.conf");
        var e = Assert.Throws<Trading.Runtime.Configuration.ConfigException>(() => SweepGrid.Apply(cfg, SweepGrid.Points("window=3", "c", "s", null, null)[0]));
        Assert.Contains("'window'", e.Message);
        var applied = SweepGrid.Apply(cfg, points[3]);
        Assert.Equal(10, applied.TopN);
        Assert.Equal("momentum(lookback=40,skip=0)", applied.Factors[0].Spec.Replace(" ", ""));
    }

    [Fact]
    public async Task A_sweep_point_equals_a_single_run_of_the_same_parameters()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sweep-" + Guid.NewGuid().ToString("N"));
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(60, 90, 5) { Start = new DateOnly(2023, 1, 3), RespectBoardLaunchDates = false });
        await SyntheticStore.WriteAsync(market, Path.Combine(dir, "store"));
        var configFile = Path.Combine(dir, "s.conf");
        File.WriteAllText(configFile, Config);
        var points = SweepGrid.Points("topN=5,10;lookback=10,20", configFile, Path.Combine(dir, "store"), null, null);

        var outcomes = await SweepRunner.RunAsync(points, parallelism: 2);

        var baseCfg = StrategyConfig.Load(configFile);
        var store = MarketStore.Open(Path.Combine(dir, "store"));
        var panel = await MarketPanel.LoadAsync(store);
        var single = await SweepRunner.RunPointAsync(points[2], baseCfg, panel, await store.ReadIndexAsync());
        Assert.Equal(single.FinalNav, outcomes[2].FinalNav);
        Assert.Equal(single.Trades, outcomes[2].Trades);
        Assert.True(outcomes.Select(o => o.FinalNav).Distinct().Count() > 1, "different parameters should trade differently");

        // A worker process speaks JSON lines: the same points through its protocol give the same outcomes.
        var input = new StringReader(string.Join("\n", points.Take(2).Select(p => System.Text.Json.JsonSerializer.Serialize(p, ProcessSweep.Json))));
        var output = new StringWriter();
        await ProcessSweep.ServeAsync(input, output);
        var served = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<SweepOutcome>(l, ProcessSweep.Json)!).ToList();
        Assert.Equal(outcomes.Take(2).Select(o => (o.Point.Label, o.FinalNav, o.Trades)), served.Select(o => (o.Point.Label, o.FinalNav, o.Trades)));

        SweepRunner.Write(outcomes, Path.Combine(dir, "out"));
        var ranking = File.ReadAllLines(Path.Combine(dir, "out", "ranking.csv"));
        Assert.Equal("rank,point,topN,lookback,sharpe,total_return,max_drawdown,final_nav,trades,fees", ranking[0]);
        Assert.Equal(5, ranking.Length);
        Assert.Contains("class=\"heatmap\"", File.ReadAllText(Path.Combine(dir, "out", "sweep.html")));
    }

    [Fact]
    public async Task Worker_processes_draw_points_from_one_queue_until_it_is_empty()
    {
        // A stand-in worker that answers each point at once and signs the answer with its process id.
        const string echo = """while read l; do echo "{\"Point\":$l,\"FinalNav\":1,\"TotalReturn\":0,\"Sharpe\":0,\"MaxDrawdown\":0,\"Trades\":$$,\"Fees\":0,\"Seconds\":0}"; done""";
        var points = SweepGrid.Points("topN=1,2,3,4,5,6,7", "c.conf", "s", null, null);

        var outcomes = await ProcessSweep.RunAsync(points, 3, ("/bin/sh", ["-c", echo]));

        Assert.Equal(points.Select(p => p.Label), outcomes.Select(o => o.Point.Label));
        Assert.InRange(outcomes.Select(o => o.Trades).Distinct().Count(), 1, 3);
        var failing = await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessSweep.RunAsync(points, 2, ("/bin/sh", ["-c", "read l; exit 3"])));
        Assert.Contains("exit 3", failing.Message);
    }
}
