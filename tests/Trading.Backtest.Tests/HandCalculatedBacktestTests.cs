using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

public class HandCalculatedBacktestTests
{
    internal static readonly Symbol A = Symbol.Parse("000001.SZ"), B = Symbol.Parse("600000.SH");
    internal static readonly DateOnly D0 = new(2024, 1, 31), D1 = new(2024, 2, 1), D2 = new(2024, 2, 2), D3 = new(2024, 2, 5);

    internal static MarketPanel Panel()
    {
        var t = new BarTable();
        void Bar(Symbol s, DateOnly d, decimal pre, decimal open, decimal close)
        {
            decimal high = Math.Max(open, close), low = Math.Min(open, close);
            var limit = PriceLimit.FromReference(pre, 0.10m);
            t.Add(new DailyBar(s, d, open, high, low, close, pre, 10_000_000, close * 10_000_000, 1.0, BarFlags.None, limit.Up, limit.Down));
        }
        Bar(A, D0, 10.00m, 10.00m, 10.00m); Bar(A, D1, 10.00m, 10.10m, 10.30m); Bar(A, D2, 10.30m, 10.30m, 10.50m); Bar(A, D3, 10.50m, 10.40m, 10.20m);
        Bar(B, D0, 20.00m, 20.00m, 20.00m); Bar(B, D1, 20.00m, 19.90m, 19.50m); Bar(B, D2, 19.50m, 19.60m, 20.10m); Bar(B, D3, 20.10m, 20.00m, 20.00m);
        return MarketPanel.FromBars(t);
    }

    internal static BacktestOptions Options(IStrategyModel model, MarketPanel panel) => new()
    {
        Strategy = new StrategyConfig
        {
            Name = model.Name,
            InitialCash = 100_000m,
            CashBuffer = 0,
            Execution = new ExecutionConfig(Trading.Domain.Orders.FillTiming.Open, SlippageBps: 0, VolumeCap: 1.0, ImpactCoefficient: 0, RollUnfilled: false),
        },
        Model = model,
        Panel = panel,
        Risk = RiskOptions.Default with { MaxPositionWeight = 0.6m, MaxOrderValue = 1_000_000m, MaxDailyAmount = 10_000_000m, MaxRebalanceTurnover = 2m, KillSwitchDrawdown = null },
        StepTimeout = TimeSpan.FromSeconds(20),
    };

    internal static FixedTargetModel HalfAndForty() => new("hand", new()
    {
        [D1] = new() { [A] = 0.5, [B] = 0.4 },
    });

    [Fact]
    public async Task Nav_equals_the_hand_calculation()
    {
        var result = await BacktestEngine.RunAsync(Options(HalfAndForty(), Panel()));
        var nav = result.Recorder.Nav;

        // Day 0: nothing held.
        Assert.Equal(100_000.00m, nav[0].Nav);
        // Day 1 orders (decided on day 0's closes, 10.00 and 20.00): A 0.5 × 100,000 / 10.00 = 5,000 shares,
        // B 0.4 × 100,000 / 20.00 = 2,000 shares. Filled at the opens, no slippage:
        //   A 5,000 × 10.10 = 50,500.00; commission 50,500 × 0.025 % = 12.625 → 12.63; transfer 0.505 → 0.51
        //   B 2,000 × 19.90 = 39,800.00; commission 9.95; transfer 0.398 → 0.40
        // cash = 100,000 − 50,513.14 − 39,810.35 = 9,676.51
        Assert.Equal(9_676.51m, nav[1].Cash);
        // marked at day 1 closes: 5,000 × 10.30 + 2,000 × 19.50 = 51,500 + 39,000
        Assert.Equal(100_176.51m, nav[1].Nav);
        // day 2 closes: 5,000 × 10.50 + 2,000 × 20.10 = 52,500 + 40,200
        Assert.Equal(102_376.51m, nav[2].Nav);
        // day 3 closes: 5,000 × 10.20 + 2,000 × 20.00 = 51,000 + 40,000
        Assert.Equal(100_676.51m, nav[3].Nav);

        var fills = result.Recorder.Fills.OrderBy(f => f.Symbol).ToList();
        Assert.Equal(2, fills.Count);
        Assert.Equal((A, 5000L, 10.10m, 12.63m, 0.51m), (fills[0].Symbol, fills[0].Quantity, fills[0].Price, fills[0].Fees.Commission, fills[0].Fees.TransferFee));
        Assert.Equal((B, 2000L, 19.90m, 9.95m, 0.40m), (fills[1].Symbol, fills[1].Quantity, fills[1].Price, fills[1].Fees.Commission, fills[1].Fees.TransferFee));
    }

    [Fact]
    public async Task Two_runs_write_byte_identical_files()
    {
        string Run(string dir)
        {
            var r = BacktestEngine.RunAsync(Options(HalfAndForty(), Panel())).GetAwaiter().GetResult();
            r.Recorder.Write(dir, r.Orders, r.SummaryJson);
            return dir;
        }
        var a = Run(Path.Combine(Path.GetTempPath(), "bt-a-" + Guid.NewGuid().ToString("N")));
        var b = Run(Path.Combine(Path.GetTempPath(), "bt-b-" + Guid.NewGuid().ToString("N")));
        foreach (var file in new[] { "nav.csv", "trades.csv", "orders.csv", "positions.csv", "risk_events.csv", "summary.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)));
        Assert.Contains("000001.SZ,buy,5000,10.10,50500.00,12.63,0,0.51", File.ReadAllText(Path.Combine(a, "trades.csv")));
    }
}
