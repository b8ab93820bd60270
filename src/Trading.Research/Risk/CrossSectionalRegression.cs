namespace Trading.Research.Risk;

/// <summary>One day's cross-sectional regression.</summary>
/// <param name="FactorReturns">One return per factor; 0 for a factor no stock was exposed to (see <paramref name="Identified"/>).</param>
/// <param name="Residuals">Specific returns r − X·f of the stocks used; NaN for stocks left out (missing return or weight).</param>
/// <param name="RSquared">Weighted R² of the fit.</param>
/// <param name="Observations">Stocks used.</param>
/// <param name="Identified">False for factors left out that day (an industry with no stock, an all-zero style).</param>
public sealed record CrossSectionFit(double[] FactorReturns, double[] Residuals, double RSquared, int Observations, bool[] Identified);

/// <summary>
/// Daily cross-sectional regression of stock returns on exposures, by weighted least squares (weights are
/// regression weights such as √cap, following Barra: big stocks have smaller specific variance, and √cap is a cheap
/// proxy of 1/σ²).
/// <para>
/// Industry dummies sum to one for every stock, so they span the intercept. Without a country column the industries
/// simply absorb the market (no intercept, no collinearity). With a country column (<see cref="FactorExposures.HasCountry"/>)
/// the model is identified by the constraint Σ_g cap_g · f_g = 0 (the cap-weighted industry returns net to zero, so the
/// country factor is the cap-weighted market), solved exactly by eliminating the largest industry:
/// f_p = −Σ_{g≠p} (cap_g / cap_p) f_g.
/// </para>
/// </summary>
public static class CrossSectionalRegression
{
    /// <param name="constraintCaps">Market caps for the industry constraint (country model only); the regression weights when empty.</param>
    public static CrossSectionFit Fit(FactorExposures exposures, ReadOnlySpan<double> returns, ReadOnlySpan<double> regressionWeights, ReadOnlySpan<double> constraintCaps = default)
    {
        int n = exposures.AssetCount, k = exposures.FactorCount;
        if (returns.Length != n) throw new ArgumentException($"{returns.Length} returns for {n} stocks.", nameof(returns));
        if (regressionWeights.Length != n) throw new ArgumentException($"{regressionWeights.Length} weights for {n} stocks.", nameof(regressionWeights));
        if (!constraintCaps.IsEmpty && constraintCaps.Length != n) throw new ArgumentException($"{constraintCaps.Length} caps for {n} stocks.", nameof(constraintCaps));

        var use = new bool[n];
        int obs = 0;
        var support = new int[k];
        for (int i = 0; i < n; i++)
        {
            double w = regressionWeights[i];
            if (!double.IsFinite(returns[i]) || !(w > 0) || !double.IsFinite(w)) continue;
            use[i] = true;
            obs++;
            var row = exposures.Row(i);
            for (int j = 0; j < k; j++) if (row[j] != 0) support[j]++;
        }

        var identified = new bool[k];
        for (int j = 0; j < k; j++) identified[j] = support[j] > 0;

        // Country model: the constraint over the industries present that day.
        int c0 = exposures.HasCountry ? 1 : 0, g = exposures.IndustryCount;
        int pivot = -1;
        double[] constraint = new double[k];
        if (exposures.HasCountry && g > 0)
        {
            for (int i = 0; i < n; i++)
            {
                if (!use[i]) continue;
                double cap = constraintCaps.IsEmpty ? regressionWeights[i] : constraintCaps[i];
                if (!(cap > 0) || !double.IsFinite(cap)) continue;
                var row = exposures.Row(i);
                for (int j = c0; j < c0 + g; j++) constraint[j] += cap * row[j];
            }
            double best = 0;
            for (int j = c0; j < c0 + g; j++)
                if (identified[j] && constraint[j] > best) { best = constraint[j]; pivot = j; }
            // Industries present but without positive caps take no part in the constraint (their weight is zero).
        }

        // Free parameters: identified factors except the pivot.
        var map = new int[k];
        int p = 0;
        for (int j = 0; j < k; j++) map[j] = identified[j] && j != pivot ? p++ : -1;
        var ata = new double[p * p];
        var atb = new double[p];
        var xt = new double[p];
        var nz = new int[p];
        for (int i = 0; i < n; i++)
        {
            if (!use[i]) continue;
            var row = exposures.Row(i);
            Array.Clear(xt);
            for (int j = 0; j < k; j++)
                if (map[j] >= 0) xt[map[j]] += row[j];
            if (pivot >= 0 && row[pivot] != 0)
                for (int j = 0; j < k; j++)
                    if (map[j] >= 0 && constraint[j] != 0) xt[map[j]] -= row[pivot] * constraint[j] / constraint[pivot];
            int m = 0;
            for (int a = 0; a < p; a++) if (xt[a] != 0) nz[m++] = a;
            double w = regressionWeights[i], wr = w * returns[i];
            for (int ia = 0; ia < m; ia++)
            {
                int a = nz[ia];
                double wa = w * xt[a];
                atb[a] += wr * xt[a];
                for (int ib = 0; ib <= ia; ib++) ata[a * p + nz[ib]] += wa * xt[nz[ib]];
            }
        }
        for (int a = 0; a < p; a++)
            for (int b = 0; b < a; b++) ata[b * p + a] = ata[a * p + b];
        if (p > 0) SmallDense.SolveSpd(ata, p, atb);

        var f = new double[k];
        for (int j = 0; j < k; j++) if (map[j] >= 0) f[j] = atb[map[j]];
        if (pivot >= 0)
        {
            double s = 0;
            for (int j = 0; j < k; j++) if (j != pivot) s += constraint[j] * f[j];
            f[pivot] = -s / constraint[pivot];
        }

        var resid = new double[n];
        double sw = 0, swr = 0;
        for (int i = 0; i < n; i++)
        {
            if (!use[i]) { resid[i] = double.NaN; continue; }
            var row = exposures.Row(i);
            double fit = 0;
            for (int j = 0; j < k; j++) fit += row[j] * f[j];
            resid[i] = returns[i] - fit;
            sw += regressionWeights[i];
            swr += regressionWeights[i] * returns[i];
        }
        double mean = sw > 0 ? swr / sw : 0, sse = 0, sst = 0;
        for (int i = 0; i < n; i++)
        {
            if (!use[i]) continue;
            double w = regressionWeights[i], d = returns[i] - mean;
            sse += w * resid[i] * resid[i];
            sst += w * d * d;
        }
        return new CrossSectionFit(f, resid, sst > 0 ? 1 - sse / sst : double.NaN, obs, identified);
    }
}
