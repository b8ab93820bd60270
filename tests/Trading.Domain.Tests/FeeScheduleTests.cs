using Trading.Domain.Fees;
using Trading.Domain.Rules;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class FeeScheduleTests
{
    private static readonly FeeSchedule Default = FeeSchedule.Default;

    // A_SHARE_RULES.md §1.3. Default account: commission 0.025%, minimum 5 CNY; stamp duty on sells 0.1%, 0.05% from
    // 2023-08-28; transfer fee 0.002%, 0.001% from 2022-04-29; handling and regulatory fees off. Each item rounded
    // half up to 0.01. Worked values in the comments: value -> commission / stamp / transfer.
    [Theory]
    [InlineData(Side.Buy, "10.00", 100, "2024-03-01", "5.00", "0", "0.01", "5.01")]        // 1,000: 0.25 -> min 5; 0.01
    [InlineData(Side.Buy, "10.00", 10_000, "2024-03-01", "25.00", "0", "1.00", "26.00")]   // 100,000: 25; 1
    [InlineData(Side.Sell, "10.00", 10_000, "2023-08-25", "25.00", "100.00", "1.00", "126.00")] // stamp 0.1%
    [InlineData(Side.Sell, "10.00", 10_000, "2023-08-28", "25.00", "50.00", "1.00", "76.00")]   // stamp 0.05%
    [InlineData(Side.Buy, "10.00", 10_000, "2023-08-25", "25.00", "0", "1.00", "26.00")]   // no stamp on buys
    [InlineData(Side.Buy, "10.00", 10_000, "2023-08-28", "25.00", "0", "1.00", "26.00")]
    [InlineData(Side.Sell, "10.00", 1_000, "2024-03-01", "5.00", "5.00", "0.10", "10.10")] // 10,000: 2.5 -> min 5
    [InlineData(Side.Buy, "10.00", 10_000, "2022-04-28", "25.00", "0", "2.00", "27.00")]   // transfer 0.002% before 2022-04-29
    [InlineData(Side.Buy, "10.00", 10_000, "2022-04-29", "25.00", "0", "1.00", "26.00")]   // 0.001% from 2022-04-29
    [InlineData(Side.Sell, "10.00", 10_000, "2022-04-28", "25.00", "100.00", "2.00", "127.00")]
    [InlineData(Side.Sell, "20.00", 1_001, "2024-05-06", "5.01", "10.01", "0.20", "15.22")] // 20,020: 5.005 -> 5.01; 10.01; 0.2002
    [InlineData(Side.Buy, "10.00", 250, "2024-03-01", "5.00", "0", "0.03", "5.03")]        // 2,500: transfer 0.025 -> 0.03
    [InlineData(Side.Sell, "10.00", 1_001, "2024-03-01", "5.00", "5.01", "0.10", "10.11")] // 10,010: stamp 5.005 -> 5.01
    [InlineData(Side.Sell, "12.35", 300, "2024-03-01", "5.00", "1.85", "0.04", "6.89")]    // 3,705: 1.8525; 0.03705
    [InlineData(Side.Buy, "1234.56", 100, "2024-03-01", "30.86", "0", "1.23", "32.09")]    // 123,456: 30.864; 1.23456
    [InlineData(Side.Sell, "1234.56", 100, "2024-03-01", "30.86", "61.73", "1.23", "93.82")] // stamp 61.728
    public void Default_fees(Side side, string price, long quantity, string date, string commission, string stamp, string transfer, string total)
    {
        var fees = Default.Compute(side, M(price), quantity, D(date));

        Assert.Equal(M(commission), fees.Commission);
        Assert.Equal(M(stamp), fees.StampDuty);
        Assert.Equal(M(transfer), fees.TransferFee);
        Assert.Equal(0m, fees.HandlingFee);
        Assert.Equal(0m, fees.RegulatoryFee);
        Assert.Equal(M(total), fees.Total);
    }

    [Theory]
    // value, date, handling fee, regulatory fee
    [InlineData("100000", "2024-03-01", "3.41", "2.00")]   // 0.00341%, 0.002%
    [InlineData("100000", "2023-08-25", "4.87", "2.00")]   // 0.00487% before 2023-08-28
    [InlineData("100000", "2023-08-28", "3.41", "2.00")]
    [InlineData("250000", "2024-03-01", "8.53", "5.00")]   // 8.525 -> 8.53 (half up)
    [InlineData("12250", "2024-03-01", "0.42", "0.25")]    // 0.417725 -> 0.42; 0.245 -> 0.25 (half up)
    public void Handling_and_regulatory_fees_only_when_enabled(string value, string date, string handling, string regulatory)
    {
        var both = Default with { ChargeHandlingFee = true, ChargeRegulatoryFee = true };
        var handlingOnly = Default with { ChargeHandlingFee = true };
        var regulatoryOnly = Default with { ChargeRegulatoryFee = true };

        var b = both.ComputeForValue(Side.Buy, M(value), D(date));
        Assert.Equal(M(handling), b.HandlingFee);
        Assert.Equal(M(regulatory), b.RegulatoryFee);

        var h = handlingOnly.ComputeForValue(Side.Sell, M(value), D(date));
        Assert.Equal(M(handling), h.HandlingFee);
        Assert.Equal(0m, h.RegulatoryFee);

        var r = regulatoryOnly.ComputeForValue(Side.Buy, M(value), D(date));
        Assert.Equal(0m, r.HandlingFee);
        Assert.Equal(M(regulatory), r.RegulatoryFee);

        var none = Default.ComputeForValue(Side.Buy, M(value), D(date));
        Assert.Equal(0m, none.HandlingFee);
        Assert.Equal(0m, none.RegulatoryFee);
    }

    [Fact]
    public void All_items_add_up_when_everything_is_charged()
    {
        // Buy 100,000 on 2024-03-01: commission 25.00 + transfer 1.00 + handling 3.41 + regulatory 2.00.
        var fees = (Default with { ChargeHandlingFee = true, ChargeRegulatoryFee = true })
            .ComputeForValue(Side.Buy, 100_000m, new DateOnly(2024, 3, 1));

        Assert.Equal(new FeeBreakdown(25.00m, 0m, 1.00m, 3.41m, 2.00m), fees);
        Assert.Equal(31.41m, fees.Total);
    }

    [Theory]
    [InlineData("1000", "0.25", "0.26")]    // 0.25 commission, 0.01 transfer
    [InlineData("100", "0.03", "0.03")]     // 0.025 -> 0.03; transfer 0.001 -> 0.00
    [InlineData("30000", "7.50", "7.80")]   // 7.50 + 0.30
    public void Mian_wu_account_has_no_minimum(string value, string commission, string total)
    {
        var mianWu = Default with { MinCommission = 0m };

        var fees = mianWu.ComputeForValue(Side.Buy, M(value), new DateOnly(2024, 3, 1));

        Assert.Equal(M(commission), fees.Commission);
        Assert.Equal(M(total), fees.Total);
    }

    [Theory]
    [InlineData("0.0001", "5", "100000", "10.00")]
    [InlineData("0.0001", "5", "30000", "5.00")]     // 3.00 is below the minimum
    [InlineData("0.0001", "0", "30000", "3.00")]
    [InlineData("0.00008", "5", "200000", "16.00")]
    [InlineData("0.003", "5", "100000", "300.00")]   // the legal cap 0.3%
    [InlineData("0.00015", "0", "12345", "1.85")]    // 1.85175
    public void Custom_commission_rate(string rate, string minimum, string value, string commission)
    {
        var account = Default with { CommissionRate = M(rate), MinCommission = M(minimum) };

        Assert.Equal(M(commission), account.ComputeForValue(Side.Sell, M(value), new DateOnly(2024, 3, 1)).Commission);
        // The shared default is unchanged.
        Assert.Equal(0.00025m, FeeSchedule.Default.CommissionRate);
        Assert.Equal(5m, FeeSchedule.Default.MinCommission);
    }

    [Fact]
    public void Zero_value_costs_nothing_and_negative_value_is_rejected()
    {
        Assert.Equal(default, Default.ComputeForValue(Side.Sell, 0m, new DateOnly(2024, 3, 1)));
        Assert.Equal(0m, Default.Compute(Side.Buy, 10.00m, 0, new DateOnly(2024, 3, 1)).Total);
        Assert.Throws<ArgumentOutOfRangeException>(() => Default.ComputeForValue(Side.Buy, -1m, new DateOnly(2024, 3, 1)));
    }

    [Fact]
    public void Compute_is_ComputeForValue_of_price_times_quantity()
    {
        var date = new DateOnly(2024, 3, 1);
        Assert.Equal(Default.ComputeForValue(Side.Sell, 3_705m, date), Default.Compute(Side.Sell, 12.35m, 300, date));
    }

    [Fact]
    public void A_stamp_duty_on_both_sides_can_be_configured()
    {
        var account = Default with
        {
            StampDuty = DatedSetting<StampDutyRate>.Always("test duty", new StampDutyRate(0.001m, OnBuys: true, OnSells: true), "test"),
        };

        var date = new DateOnly(2024, 3, 1);
        Assert.Equal(100.00m, account.ComputeForValue(Side.Buy, 100_000m, date).StampDuty);
        Assert.Equal(100.00m, account.ComputeForValue(Side.Sell, 100_000m, date).StampDuty);
    }

    [Theory]
    [InlineData(Side.Buy, "100.00", "2.00")]
    [InlineData(Side.Sell, "100.00", "2.00")]
    public void Dates_before_the_first_dated_rate_use_the_first_rate(Side side, string stamp, string transfer)
    {
        // The schedule's earliest entries are 2008-04-24 (stamp 0.1% both sides) and 2015-08-01 (transfer 0.002%).
        var fees = Default.ComputeForValue(side, 100_000m, new DateOnly(2005, 1, 4));

        Assert.Equal(M(stamp), fees.StampDuty);
        Assert.Equal(M(transfer), fees.TransferFee);
    }

    [Theory]
    [InlineData("2008-09-18", true, "100.00")]   // still both sides
    [InlineData("2008-09-19", false, "100.00")]  // sells only from 2008-09-19
    [InlineData("2023-08-27", false, "100.00")]
    [InlineData("2023-08-28", false, "50.00")]
    public void Stamp_duty_history(string date, bool onBuys, string sellDuty)
    {
        Assert.Equal(onBuys ? M(sellDuty) : 0m, Default.ComputeForValue(Side.Buy, 100_000m, D(date)).StampDuty);
        Assert.Equal(M(sellDuty), Default.ComputeForValue(Side.Sell, 100_000m, D(date)).StampDuty);
    }
}
