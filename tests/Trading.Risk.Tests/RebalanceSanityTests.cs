namespace Trading.Risk.Tests;

/// <summary>NAV 600,000; fees as in <see cref="CashRuleTests"/>, plus 0.05 % stamp duty on sells.</summary>
public class RebalanceSanityTests
{
    private static readonly RebalanceSanity Sanity = new(1.0m);

    [Fact]
    public void Turnover_up_to_the_cap_is_accepted()
    {
        // buys 300,000 + sells 300,000 = 100 % of NAV; cost 300,078.00 ≤ 10,000 + proceeds 299,772.00
        var batch = new[] { Buy(Main, 30_000, 10.00m), Sell(Sz, 30_000, 10.00m) };
        AssertAccept(Sanity.Check(batch, Account(10_000m, 600_000m)));
    }

    [Fact]
    public void Turnover_above_the_cap_is_rejected()
    {
        var batch = new[] { Buy(Main, 30_100, 10.00m), Sell(Sz, 30_000, 10.00m) };
        var reason = AssertReject(Sanity.Check(batch, Account(10_000m, 600_000m)), "rebalance-sanity").Reason;
        Assert.Contains("turns over 100.17% of NAV 600,000.00 (buys 301,000.00 + sells 300,000.00), above 100.00%", reason);
    }

    [Theory]
    // sells 100,000 bring 100,000 − 25.00 commission − 50.00 stamp duty − 1.00 transfer = 99,924.00
    [InlineData(9_900, true)]    // 99,000 + 24.75 + 0.99 = 99,025.74
    [InlineData(10_000, false)]  // 100,000 + 25.00 + 1.00 = 100,026.00
    public void Buys_must_fit_in_the_cash_plus_the_sells_proceeds(long bought, bool accepted)
    {
        var batch = new[] { Sell(Sz, 10_000, 10.00m), Buy(Main, bought, 10.00m) };
        var decision = Sanity.Check(batch, Account(0m, 600_000m));
        if (accepted) AssertAccept(decision);
        else Assert.Contains("batch buys cost 100,026.00 with fees, more than buying power 0.00 + sell proceeds 99,924.00",
            AssertReject(decision, "rebalance-sanity").Reason);
    }

    [Fact]
    public void Frozen_and_pending_cash_is_not_available_to_the_batch()
    {
        var ctx = (Account(100_000m, 600_000m) with { Frozen = 50_000m }).WithPending(Buy(ChiNext, 1_000, 10.00m));
        // 100,000 − 50,000 − 10,005.10 = 39,994.90
        AssertAccept(Sanity.Check([Buy(Main, 3_900, 10.00m)], ctx));
        AssertReject(Sanity.Check([Buy(Main, 4_000, 10.00m)], ctx), "rebalance-sanity");
    }

    [Fact]
    public void An_empty_batch_passes() => AssertAccept(Sanity.Check([], Account(0m, 0m)));
}
