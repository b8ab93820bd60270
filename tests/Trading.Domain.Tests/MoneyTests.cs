using Trading.Domain.Rules;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class MoneyTests
{
    [Theory]
    [InlineData("11.055", "11.06")]
    [InlineData("11.045", "11.05")]   // banker's rounding would give 11.04
    [InlineData("2.345", "2.35")]
    [InlineData("2.3449", "2.34")]
    [InlineData("0.005", "0.01")]
    [InlineData("0.0049", "0.00")]
    [InlineData("9.995", "10.00")]
    [InlineData("-2.345", "-2.35")]   // half away from zero
    [InlineData("7", "7.00")]
    public void RoundFen_rounds_half_up(string value, string expected)
    {
        Assert.Equal(M(expected), Money.RoundFen(M(value)));
    }

    [Theory]
    [InlineData("10.01", true)]
    [InlineData("10.00", true)]
    [InlineData("0", true)]
    [InlineData("10.015", false)]
    [InlineData("0.001", false)]
    public void IsOnTick(string price, bool onTick)
    {
        Assert.Equal(onTick, Money.IsOnTick(M(price)));
    }

    [Fact]
    public void IsOnTick_with_a_fund_tick()
    {
        Assert.True(Money.IsOnTick(1.234m, 0.001m));
        Assert.False(Money.IsOnTick(1.2345m, 0.001m));
    }

    [Theory]
    [InlineData(11.06, "11.06")]
    [InlineData(9.0, "9.00")]
    [InlineData(3.69, "3.69")]
    [InlineData(0.30000000000000004, "0.30")] // 0.1 + 0.2 in double
    [InlineData(1234.5600000001, "1234.56")]
    public void FromDouble_recovers_fen_prices(double price, string expected)
    {
        Assert.Equal(M(expected), Money.FromDouble(price));
    }

    [Fact]
    public void Fen_is_one_hundredth()
    {
        Assert.Equal(0.01m, Money.Fen);
    }
}
