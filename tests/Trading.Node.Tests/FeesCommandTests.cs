using System.Text.Json;
using Trading.Domain.Fees;
using Trading.Domain.Rules;
using Trading.Runtime.Configuration;

namespace Trading.Node.Tests;

[Collection("console")]
public class FeesCommandTests
{
    private static string Conf(string text)
    {
        var f = Path.Combine(CliRunner.TempDir(), "market.conf");
        File.WriteAllText(f, text);
        return f;
    }

    [Theory]
    [InlineData("2023-08-25", "10.00")] // 0.1 % stamp duty
    [InlineData("2023-08-28", "5.00")]  // halved
    public async Task Stamp_duty_follows_the_date(string date, string stamp)
    {
        var (exit, output, _) = await CliRunner.Run("fees", "--side", "sell", "--price", "10", "--quantity", "1000", "--date", date, "--json");
        Assert.Equal(0, exit);
        using var j = JsonDocument.Parse(output);
        Assert.Equal(decimal.Parse(stamp), j.RootElement.GetProperty("stamp_duty").GetDecimal());
        Assert.Equal(5.00m, j.RootElement.GetProperty("commission").GetDecimal());
    }

    [Fact]
    public async Task The_bundled_market_conf_loads_with_the_defaults()
    {
        var fees = MarketConfig.LoadFees(Path.Combine(CliRunner.RepoRoot, "hocon", "market.conf"));
        Assert.Equal(0.00025m, fees.CommissionRate);
        Assert.Equal(5m, fees.MinCommission);
        Assert.False(fees.ChargeHandlingFee);
        var (exit, _, _) = await CliRunner.Run("fees", "--side", "buy", "--price", "10", "--quantity", "100", "--date", "2024-01-02", "--config", Path.Combine(CliRunner.RepoRoot, "hocon", "market.conf"));
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Broker_overrides_and_dated_entries_apply()
    {
        var fees = MarketConfig.LoadFees(Conf("""
            trading.market.fees {
              commission-rate = 0.0001
              min-commission = 0
              charge-handling-fee = on
              stamp-duty = [ { from = "2030-01-01", rate = 0.0003, source = "hypothetical cut" } ]
            }
            """));
        Assert.Equal(0.0001m, fees.CommissionRate);
        Assert.Equal(0m, fees.MinCommission);
        // 10,000 CNY sell in 2030: commission 1.00, stamp 3.00, transfer 0.10, handling 0.34 (0.00341 %)
        var f = fees.Compute(Side.Sell, 10m, 1000, new DateOnly(2030, 6, 3));
        Assert.Equal((1.00m, 3.00m, 0.10m, 0.34m), (f.Commission, f.StampDuty, f.TransferFee, f.HandlingFee));
        Assert.Equal(5.00m, fees.Compute(Side.Sell, 10m, 1000, new DateOnly(2029, 12, 31)).StampDuty);
        Assert.Equal("hypothetical cut", fees.StampDuty.EntryAt(new DateOnly(2030, 1, 1)).Source);
    }

    [Theory]
    [InlineData("trading.market.fees { comission-rate = 0.0001 }", "unknown key 'trading.market.fees.comission-rate'")]
    [InlineData("trading.market.fees { commission-rate = -1 }", "'trading.market.fees.commission-rate' = '-1'")]
    [InlineData("trading.market.fees { commission-rate = 0.05 }", "must be a number in [0, 0.003]")]
    [InlineData("trading.market.fees { charge-handling-fee = maybe }", "must be on or off")]
    [InlineData("trading.market.fees { stamp-duty = [ { from = \"2030-13-01\", rate = 0.0003 } ] }", "'trading.market.fees.stamp-duty[0].from'")]
    [InlineData("trading.market.fees { min-commission = \"5 }", "not valid HOCON: line 1, column 40: unterminated string")]
    [InlineData("trading.market.fees {\n  min-commission = [1, 2 }", "not valid HOCON: line 2, column 26: '}' does not match '[' opened at line 2, column 20")]
    [InlineData("trading.market.fees { min-commission = 5", "not valid HOCON: line 1, column 21: '{' is never closed")]
    [InlineData("a = ${nope}", "not valid HOCON: Unresolved substitution")]
    public void Bad_config_names_the_file_and_the_key(string text, string expected)
    {
        var file = Conf(text);
        var e = Assert.Throws<ConfigException>(() => MarketConfig.LoadFees(file));
        Assert.Contains(file, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Bad_config_on_the_command_line_exits_1()
    {
        var (exit, _, err) = await CliRunner.Run("fees", "--side", "buy", "--price", "10", "--quantity", "100", "--date", "2024-01-02", "--config", Conf("trading.market.fees { x = 1 }"));
        Assert.Equal(1, exit);
        Assert.Contains("unknown key", err);
    }

    [Fact]
    public void Default_schedule_is_unchanged_without_a_fees_block()
    {
        Assert.Equal(FeeSchedule.Default, MarketConfig.LoadFees(Conf("akka.loglevel = INFO")));
    }
}
