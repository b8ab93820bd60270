using Trading.Research.Factors;
using Trading.Research.Tests.Factors;
using Trading.Research.Transforms;

namespace Trading.Research.Tests.Transforms;

public class PanelTransformTests
{
    [Fact]
    public void Panel_transforms_equal_the_cross_section_transform_of_every_day()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        var industry = IndustryIndex.Of(panel).OfSymbol;
        var logSize = FactorEngine.Compute(panel, new Size());
        var factor = FactorEngine.Compute(panel, new Reversal(5));
        var steps = new (Func<FactorPanel, FactorPanel> Panel, Action<Span<double>, int> Day)[]
        {
            (f => PanelTransforms.WinsorizeMad(f, 2.5), (row, _) => CrossSection.WinsorizeMad(row, 2.5)),
            (f => PanelTransforms.WinsorizeQuantile(f, 0.05, 0.95), (row, _) => CrossSection.WinsorizeQuantile(row, 0.05, 0.95)),
            (f => PanelTransforms.ZScore(f), (row, _) => CrossSection.ZScore(row)),
            (f => PanelTransforms.Rank(f, RankScale.Raw), (row, _) => CrossSection.Rank(row, RankScale.Raw)),
            (f => PanelTransforms.FillIndustryMedian(f, industry), (row, _) => CrossSection.FillIndustryMedian(row, industry)),
            (f => PanelTransforms.Neutralize(f, industry, logSize), (row, d) => CrossSection.Neutralize(row, industry, logSize.Row(d))),
        };
        foreach (var (whole, day) in steps)
        {
            var expected = factor.Clone();
            for (int d = 0; d < expected.Days; d++) day(expected.Row(d), d);
            var actual = whole(factor.Clone());
            Assert.True(expected.Values.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(actual.Values.Select(BitConverter.DoubleToInt64Bits)));
        }
    }

    [Fact]
    public void The_fused_preprocessing_equals_the_three_transforms_in_turn()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        var industry = IndustryIndex.Of(panel).OfSymbol;
        var logSize = FactorEngine.Compute(panel, new Size());
        var factor = FactorEngine.Compute(panel, new Volatility(20));
        var stepwise = PanelTransforms.Neutralize(PanelTransforms.ZScore(PanelTransforms.WinsorizeMad(factor.Clone(), 2)), industry, logSize);
        var fused = PanelTransforms.WinsorizeStandardizeNeutralize(factor.Clone(), industry, logSize, madK: 2);
        Assert.True(stepwise.Values.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(fused.Values.Select(BitConverter.DoubleToInt64Bits)));
        Assert.True(fused.Values.Count(double.IsFinite) > fused.Values.Length / 2);
    }

    [Fact]
    public void The_benchmark_pipeline_runs_ten_factors_to_neutral_z_scores()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        var seen = new List<string>();
        var elapsed = FactorBenchmarks.RunTenFactors(panel, (spec, f) =>
        {
            seen.Add(spec);
            Assert.True(f.Values.Count(double.IsFinite) > f.Values.Length / 3, $"{spec} has values");
            Assert.All(f.Values, x => Assert.True(double.IsNaN(x) || Math.Abs(x) < 20, $"{spec}: {x}"));
        });
        Assert.Equal(10, seen.Distinct().Count());
        Assert.True(elapsed > TimeSpan.Zero);
    }
}
