using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Bench;

internal static class Micro
{
    public static int Run(string[] args)
    {
        BenchmarkSwitcher.FromTypes([typeof(RuleBenchmarks)]).Run(args);
        return 0;
    }
}

/// <summary>The per-order rule checks that the risk guard and the simulated exchange call on every order.</summary>
[MemoryDiagnoser]
public class RuleBenchmarks
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 5, 6);

    [Benchmark(Baseline = true)]
    public decimal DecimalMultiplyRound() => Math.Round(10.05m * 1.1m, 2, MidpointRounding.AwayFromZero);

    [Benchmark]
    public PriceLimit LimitPrice() => MarketRules.Default.Limit(S, Day, new LimitContext(10.05m, false, 1000, new DateOnly(2000, 1, 1)));

    [Benchmark]
    public bool ParseSymbol() => Symbol.TryParse("sh600000", out _);

    [Benchmark]
    public FeeBreakdown Fees() => FeeSchedule.Default.Compute(Side.Sell, 10.05m, 1300, Day);

    [Benchmark]
    public long LotRounding() => MarketRules.Default.Quantity(S).RoundBuyDown(12_345);
}
