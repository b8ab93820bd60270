using Trading.Research.Factors;

namespace Trading.Research.Tests.Factors;

public class EngineBlockTests
{
    [Fact]
    public void Blocks_of_stocks_and_days_give_the_same_values_as_whole_days()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        CustomFactorExample.Plant(panel);
        var output = new double[panel.SymbolCount];
        foreach (var name in FactorRegistry.Default.Names)
        {
            var factor = FactorRegistry.Default.Create(CustomFactorExample.Spec(name));
            Assert.IsAssignableFrom<IPerStockFactor>(factor);
            var blocked = FactorEngine.Compute(panel, factor);
            for (int d = factor.WarmupDays; d < panel.DayCount; d += 7)
            {
                factor.Compute(new PointInTimeView(panel, d), output);
                Assert.True(output.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(blocked.Row(d).ToArray().Select(BitConverter.DoubleToInt64Bits)),
                    $"{name} day {d}");
            }
        }
    }
}
