namespace Trading.Risk.Tests;

/// <summary>
/// Default fees on 2024-03-01 (A_SHARE_RULES.md §1.3): commission 0.025 % with a 5 CNY minimum, transfer fee
/// 0.001 %; a buy pays no stamp duty.
/// </summary>
public class CashRuleTests
{
    private static readonly CashRule Rule = new();

    [Fact]
    public void Buy_within_cash_minus_frozen_is_accepted()
    {
        // 59,000 + 14.75 + 0.59 = 59,015.34 ≤ 100,000 − 40,000
        AssertAccept(Rule.Check(Buy(Main, 5_900, 10.00m), Account(100_000m) with { Frozen = 40_000m }));
    }

    [Theory]
    [InlineData("100015.60", true)]  // 60,000 + commission 15.00 + transfer 0.60 = 60,015.60, + 40,000 frozen
    [InlineData("100015.59", false)]
    public void Fees_and_frozen_cash_decide_at_the_boundary(string cash, bool accepted)
    {
        var decision = Rule.Check(Buy(Main, 6_000, 10.00m), Account(M(cash), 600_000m) with { Frozen = 40_000m });
        if (accepted) AssertAccept(decision);
        else
        {
            var reject = AssertReject(decision, "cash");
            Assert.Contains("buy costs 60,015.60", reject.Reason);
            Assert.Contains("fees 15.60", reject.Reason);
            Assert.Contains("only 60,015.59 is available", reject.Reason);
            Assert.Contains("frozen 40,000.00", reject.Reason);
        }
    }

    [Theory]
    [InlineData("1005.01", true)]    // 1,000 + minimum commission 5.00 + transfer 0.01
    [InlineData("1005.00", false)]
    public void The_minimum_commission_counts(string cash, bool accepted)
    {
        var decision = Rule.Check(Buy(Main, 100, 10.00m), Account(M(cash), 600_000m));
        if (accepted) AssertAccept(decision); else AssertReject(decision, "cash");
    }

    [Theory]
    [InlineData("70020.70", true)]   // 60,015.60 + pending 1,000 × 10.00 + 5.00 + 0.10 = 70,020.70
    [InlineData("70020.69", false)]
    public void Approved_buys_not_yet_frozen_count(string cash, bool accepted)
    {
        var ctx = Account(M(cash), 600_000m).WithPending(Buy(Sz, 1_000, 10.00m));
        var decision = Rule.Check(Buy(Main, 6_000, 10.00m), ctx);
        if (accepted) AssertAccept(decision); else Assert.Contains("pending buys 10,005.10", AssertReject(decision, "cash").Reason);
    }

    [Fact]
    public void A_pending_order_the_oms_reports_is_in_the_frozen_cash_and_not_counted_twice()
    {
        var pending = Buy(Sz, 1_000, 10.00m);
        var ctx = (Account(70_015.60m, 600_000m) with { Frozen = 10_000m }).WithPending(pending).WithOpen(pending);
        AssertAccept(Rule.Check(Buy(Main, 6_000, 10.00m), ctx));
    }

    [Fact]
    public void Margin_credit_counts_only_when_margin_is_enabled()
    {
        // 65,000 + 16.25 + 0.65 = 65,016.90 > 60,000 cash, ≤ 60,000 + 10,000 credit
        var order = Buy(Main, 6_500, 10.00m);
        var cashOnly = Account(60_000m, 600_000m) with { MarginCredit = 10_000m };
        AssertReject(Rule.Check(order, cashOnly), "cash");
        AssertAccept(Rule.Check(order, cashOnly with { Margin = true }));
    }

    [Fact]
    public void Sells_need_no_cash() => AssertAccept(Rule.Check(Sell(Main, 1_000, 10.00m), Account(0m, 600_000m).Hold(Main, 1_000, 10m)));
}
