using System.Text.Json;
using Trading.Dashboard.Live;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Tests.Live;

public sealed class SnapshotBuilderTests
{
    private static DashboardSources Sources(ReadModelFixture db) => new("main", db.ReadModels)
    {
        Names = new Dictionary<string, string> { ["000001.SZ"] = "平安银行", ["300750.SZ"] = "宁德时代" },
        Industries = new Dictionary<string, string> { ["000001.SZ"] = "银行", ["600000.SH"] = "银行" },
        Benchmark = [(new DateOnly(2024, 6, 3), 3500.0), (new DateOnly(2024, 6, 4), 3535.0)],
    };

    [Fact]
    public async Task Overview_before_the_mark_is_the_last_cash_plus_todays_fills_and_the_positions_at_last_prices()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();

        var s = await new SnapshotBuilder(Sources(db)).BuildAsync();

        Assert.Equal(new DateOnly(2024, 6, 5), s.TradingDay);
        var o = s.Overview;
        Assert.True(o.Estimated);
        Assert.Equal(50_587.95m, o.Cash);           // 60,000 − (13,500 + 5) + (4,100 − 7.05)
        Assert.Equal(46_900m, o.MarketValue);       // 13,600 + 12,300 + 21,000
        Assert.Equal(97_487.95m, o.Nav);
        Assert.Equal(102_000m, o.PreviousNav);
        Assert.Equal(-4_512.05m, o.DayPnl);
        Assert.Equal(97_487.95 / 102_000 - 1, o.DayReturn!.Value, 12);
        Assert.Equal(-0.0251205, o.CumulativeReturn!.Value, 12);
    }

    [Fact]
    public async Task Overview_of_the_first_day_before_any_close_starts_from_the_initial_cash()
    {
        // A new paper node: no NAV row yet. Without the starting cash the tiles would be empty until the close.
        await using var db = await ReadModelFixture.CreateAsync();
        await db.Fill("f1", "o1", "000001.SZ", "Buy", 1000, 13.50m, 5m, "2024-06-03", "2024-06-03T09:30:00");
        await db.Position("000001.SZ", 1000, 0, 13.505m, 13.60m);

        var o = (await new SnapshotBuilder(Sources(db) with { InitialCash = 100_000m }).BuildAsync()).Overview;
        Assert.True(o.Estimated);
        Assert.Equal(86_495m, o.Cash);               // 100,000 − (13,500 + 5)
        Assert.Equal(13_600m, o.MarketValue);
        Assert.Equal(100_095m, o.Nav);
        Assert.Equal(95m, o.DayPnl);
        Assert.Equal(100_000m, o.PreviousNav);
        Assert.Equal(0.00095, o.CumulativeReturn!.Value, 12);
        // Standalone (no initial cash known): nothing is invented.
        Assert.Null((await new SnapshotBuilder(Sources(db)).BuildAsync()).Overview.Nav);
    }

    [Fact]
    public async Task Overview_of_a_marked_day_is_its_nav_row()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();
        await db.Nav("2024-06-05", 50_000m, 47_000m);

        var o = (await new SnapshotBuilder(Sources(db)).BuildAsync()).Overview;

        Assert.False(o.Estimated);
        Assert.Equal(97_000m, o.Nav);
        Assert.Equal(-5_000m, o.DayPnl);
    }

    [Fact]
    public async Task Positions_carry_weight_cost_floating_pnl_names_and_the_changed_today_flag()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();

        var p = (await new SnapshotBuilder(Sources(db)).BuildAsync()).Positions;

        Assert.Equal(["300750.SZ", "000001.SZ", "600000.SH"], p.Select(x => x.Symbol));
        Assert.Equal(["宁德时代", "平安银行", "600000.SH"], p.Select(x => x.Name));
        Assert.Equal([false, true, true], p.Select(x => x.ChangedToday));
        var pingan = p[1];
        Assert.Equal(13.505m, pingan.AverageCost);
        Assert.Equal(95m, pingan.FloatingPnl);
        Assert.Equal(95.0 / 13_505, pingan.FloatingReturn!.Value, 12);
        Assert.Equal(13_600 / 97_487.95, pingan.Weight, 12);
        Assert.Equal(0, pingan.Sellable);
    }

    [Fact]
    public async Task Risk_groups_industries_with_unknown_ranks_weights_and_measures_concentration_and_leverage()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();

        var r = (await new SnapshotBuilder(Sources(db)).BuildAsync()).Risk;

        Assert.Equal(["银行", "其他/unknown"], r.Industries.Select(i => i.Industry));
        Assert.Equal([25_900m, 21_000m], r.Industries.Select(i => i.MarketValue));
        Assert.Equal(["300750.SZ", "000001.SZ", "600000.SH"], r.Top10.Select(t => t.Symbol));
        Assert.Equal(21_000 / 97_487.95, r.LargestWeight, 12);
        var hhi = (21_000.0 * 21_000 + 13_600.0 * 13_600 + 12_300.0 * 12_300) / (46_900.0 * 46_900);
        Assert.Equal(hhi, r.Hhi, 12);
        Assert.Equal(1 / hhi, r.EffectiveN, 9);
        Assert.Equal(46_900 / 97_487.95, r.Leverage, 12);
        Assert.Null(r.Beta); // one overlapping return: far fewer than 20
        Assert.Equal(1, r.BetaDays);
    }

    [Fact]
    public async Task Equity_is_rebased_to_the_first_nav_date_against_csi_300()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();

        var e = (await new SnapshotBuilder(Sources(db)).BuildAsync()).Equity;

        Assert.True(e.HasBenchmark);
        Assert.Equal([1.0, 1.02], e.Points.Select(p => p.Index));
        Assert.Equal([1.0, 1.01], e.Points.Select(p => p.Benchmark!.Value));
    }

    [Fact]
    public async Task Trade_log_writes_chinese_lines_newest_first_and_orders_nest_slices_under_their_parent()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();

        var s = await new SnapshotBuilder(Sources(db)).BuildAsync();

        Assert.Equal(["10:15:30 卖出 600000.SH 600股 @ ¥8.20 成交500", "09:30:00 买入 平安银行 1000股 @ ¥13.50 成交1000"], s.Trades.Select(t => t.Text));
        var parent = Assert.Single(s.Orders.Parents);
        Assert.Equal("p1", parent.ParentId);
        Assert.Equal(500, parent.Filled); // its slices' fills while it works
        Assert.Equal("p1-1", Assert.Single(parent.Slices).OrderId);
        Assert.Equal("o1", Assert.Single(s.Orders.Orders).OrderId); // the day's whole orders; yesterday's is not shown
    }

    [Fact]
    public async Task Alerts_are_newest_first_with_severity_and_a_standalone_dashboard_says_so()
    {
        await using var db = await ReadModelFixture.CreateAsync();
        await db.SampleAsync();

        var s = await new SnapshotBuilder(Sources(db)).BuildAsync();

        Assert.Equal([("kill-switch", "critical"), ("risk-reject", "warning")], s.Alerts.Select(a => (a.Kind, a.Severity)));
        Assert.Equal("standalone", s.Cluster.Mode);
        Assert.Equal("unknown", s.Cluster.BrokerLink);
    }

    [Fact]
    public async Task An_empty_database_gives_an_empty_snapshot_that_serialises()
    {
        await using var db = await ReadModelFixture.CreateAsync();

        var s = await new SnapshotBuilder(new DashboardSources("main", db.ReadModels)).BuildAsync();

        Assert.Null(s.TradingDay);
        Assert.Null(s.Overview.Nav);
        Assert.Empty(s.Positions);
        Assert.Equal(0, s.Risk.Hhi);
        var json = JsonSerializer.Serialize(s, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Contains("\"overview\":{\"nav\":null", json);
    }

    [Fact]
    public void Beta_is_the_ols_slope_of_nav_returns_on_csi_300_returns_over_the_overlap()
    {
        // Benchmark returns wander deterministically; the account earns 1 bp a day plus 1.3 × the index: beta 1.3 exactly.
        var days = Enumerable.Range(0, 31).Select(i => new DateOnly(2024, 1, 1).AddDays(i)).ToList();
        var closes = new List<(DateOnly, double)>();
        var navs = new List<NavRow>();
        double close = 3000, nav = 1_000_000;
        for (var i = 0; i < days.Count; i++)
        {
            if (i > 0)
            {
                var x = 0.01 * Math.Sin(i * 1.7) + 0.004 * Math.Cos(i * 0.3);
                close *= 1 + x;
                nav *= 1 + 0.0001 + 1.3 * x;
            }
            closes.Add((days[i], close));
            navs.Add(new NavRow("main", days[i], 0m, 0m, (decimal)nav, 0m, 0m));
        }
        var builder = new SnapshotBuilder(new DashboardSources("main", null!) { Benchmark = closes });

        var (beta, n) = builder.Beta(navs);
        Assert.Equal(30, n);
        Assert.Equal(1.3, beta!.Value, 6);

        var (few, m) = builder.Beta(navs.Take(20).ToList()); // 19 returns: below the minimum of 20
        Assert.Equal(19, m);
        Assert.Null(few);
    }
}
