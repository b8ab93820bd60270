using MathNet.Numerics.LinearAlgebra;
using Trading.Data.Panel;
using Trading.Research.Factors;
using Trading.Research.Tests.Factors;
using Trading.Research.Transforms;

namespace Trading.Research.Tests.Transforms;

public class NeutralizationTests
{
    [Fact]
    public void Matches_a_dense_least_squares_fit_on_industry_dummies_and_size()
    {
        var rnd = new Random(17);
        foreach (int n in new[] { 12, 300, 2000 })
        {
            int industries = 7;
            var industry = Enumerable.Range(0, n).Select(_ => rnd.Next(-1, industries)).ToArray(); // −1: unknown
            var size = Enumerable.Range(0, n).Select(i => i % 23 == 0 ? double.NaN : 20 + 3 * rnd.NextDouble()).ToArray();
            var f = Enumerable.Range(0, n).Select(i => i % 19 == 0 ? double.NaN
                : 0.3 * size[i] + (industry[i] < 0 ? 0 : industry[i] * 0.2) + rnd.NextDouble()).ToArray();

            // Dense OLS: y = D·a + b·size over the usable rows, dummies of the industries present.
            var rows = Enumerable.Range(0, n).Where(i => industry[i] >= 0 && double.IsFinite(size[i]) && double.IsFinite(f[i])).ToArray();
            var present = rows.Select(i => industry[i]).Distinct().Order().ToArray();
            var x = Matrix<double>.Build.Dense(rows.Length, present.Length + 1);
            var y = Vector<double>.Build.Dense(rows.Length);
            for (int r = 0; r < rows.Length; r++)
            {
                x[r, Array.IndexOf(present, industry[rows[r]])] = 1;
                x[r, present.Length] = size[rows[r]];
                y[r] = f[rows[r]];
            }
            var coefficients = x.QR().Solve(y);
            var residuals = y - x * coefficients;

            var values = f.ToArray();
            double b = CrossSection.Neutralize(values, industry, size);
            Assert.Equal(coefficients[present.Length], b, 1e-9);
            for (int r = 0; r < rows.Length; r++) Assert.Equal(residuals[r], values[rows[r]], 1e-9);
            Assert.Equal(rows.Length, values.Count(double.IsFinite));
        }
    }

    [Fact]
    public void Neutralized_factors_have_no_industry_or_size_exposure_on_a_synthetic_market()
    {
        var panel = SyntheticPanels.WithFundamentals(SyntheticPanels.Medium);
        var industry = IndustryIndex.Of(panel).OfSymbol;
        Assert.Equal(31, IndustryIndex.Of(panel).Names.Count);
        var logSize = FactorEngine.Compute(panel, new Size());
        foreach (var spec in new[] { "momentum(lookback=60,skip=0)", "value_bp", "turnover" })
        {
            var factor = FactorEngine.Compute(panel, FactorRegistry.Default.Create(spec));
            PanelTransforms.WinsorizeMad(factor);
            PanelTransforms.ZScore(factor);
            PanelTransforms.Neutralize(factor, industry, logSize);
            int checkedDays = 0;
            for (int d = 0; d < panel.DayCount; d++)
            {
                var row = factor.Row(d);
                if (row.ToArray().Count(double.IsFinite) < 50) continue;
                checkedDays++;
                var sums = new double[31];
                for (int s = 0; s < row.Length; s++)
                    if (double.IsFinite(row[s])) sums[industry[s]] += row[s];
                Assert.All(sums, x => Assert.Equal(0, x, 1e-9)); // every industry's mean residual is 0
                double sizeCorrelation = Trading.Research.Analysis.CrossSectionStats.Pearson(row, logSize.Row(d), default, 2);
                Assert.True(Math.Abs(sizeCorrelation) < 1e-9 || double.IsNaN(sizeCorrelation), $"{spec} day {d}: correlation with size {sizeCorrelation}");
            }
            Assert.True(checkedDays > 400, $"{spec}: {checkedDays} days checked");
        }
        var self = PanelTransforms.Neutralize(logSize.Clone(), industry, logSize); // size against itself: nothing left
        Assert.All(self.Values.Where(double.IsFinite), x => Assert.Equal(0, x, 1e-9));
    }
}
