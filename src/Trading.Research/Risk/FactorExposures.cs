namespace Trading.Research.Risk;

/// <summary>A style factor's raw values over the universe (NaN = missing), e.g. log market cap for size.</summary>
public sealed record StyleFactor(string Name, double[] RawValues);

/// <summary>
/// An exposure matrix: N assets × K factors, stored row-major (asset i's exposures at [i·K, (i+1)·K)). The first
/// <see cref="IndustryCount"/> columns (after the optional country column) are industry dummies; the rest are styles.
/// </summary>
public sealed class FactorExposures
{
    private readonly double[] _values;

    public FactorExposures(IReadOnlyList<string> factorNames, double[] rowMajorValues, int industryCount = 0, bool hasCountry = false)
    {
        ArgumentNullException.ThrowIfNull(factorNames);
        ArgumentNullException.ThrowIfNull(rowMajorValues);
        if (factorNames.Count == 0) throw new ArgumentException("At least one factor is needed.", nameof(factorNames));
        if (rowMajorValues.Length % factorNames.Count != 0)
            throw new ArgumentException($"{rowMajorValues.Length} values do not fill rows of {factorNames.Count} factors.", nameof(rowMajorValues));
        foreach (var v in rowMajorValues)
            if (!double.IsFinite(v)) throw new ArgumentException("Exposures must be finite (standardise missing values to 0 first).", nameof(rowMajorValues));
        FactorNames = factorNames.ToArray();
        _values = rowMajorValues;
        IndustryCount = industryCount;
        HasCountry = hasCountry;
    }

    /// <summary>From a dense N × K array.</summary>
    public static FactorExposures FromArray(IReadOnlyList<string> factorNames, double[,] values, int industryCount = 0, bool hasCountry = false)
    {
        int n = values.GetLength(0), k = values.GetLength(1);
        if (k != factorNames.Count) throw new ArgumentException($"{k} columns but {factorNames.Count} factor names.", nameof(values));
        var flat = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) flat[i * k + j] = values[i, j];
        return new FactorExposures(factorNames, flat, industryCount, hasCountry);
    }

    public IReadOnlyList<string> FactorNames { get; }

    public int FactorCount => FactorNames.Count;

    public int AssetCount => _values.Length / FactorNames.Count;

    public int IndustryCount { get; }

    /// <summary>True when column 0 is a country (market) factor: every asset has exposure 1.</summary>
    public bool HasCountry { get; }

    public double this[int asset, int factor] => _values[asset * FactorCount + factor];

    public ReadOnlySpan<double> Row(int asset) => _values.AsSpan(asset * FactorCount, FactorCount);

    /// <summary>The row-major values (shared, not copied: do not modify).</summary>
    internal double[] Values => _values;

    /// <summary>Σ_i w_i X_i: the exposures of a portfolio (or benchmark) with weights <paramref name="weights"/>.</summary>
    public double[] PortfolioExposures(ReadOnlySpan<double> weights)
    {
        if (weights.Length != AssetCount) throw new ArgumentException($"{weights.Length} weights for {AssetCount} assets.", nameof(weights));
        int k = FactorCount;
        var e = new double[k];
        for (int i = 0; i < weights.Length; i++)
        {
            double w = weights[i];
            if (w == 0) continue;
            var row = Row(i);
            for (int j = 0; j < k; j++) e[j] += w * row[j];
        }
        return e;
    }
}

/// <summary>How raw style values become exposures.</summary>
/// <param name="ClipAt">Standardised values beyond ±ClipAt are clipped (winsorised) and the column standardised again, until none is beyond (0: no clipping).</param>
/// <param name="CapWeightedMean">Centre on the cap-weighted mean (Barra convention: the cap-weighted market has zero style exposure); otherwise the equal-weighted mean.</param>
public sealed record StyleStandardisation(double ClipAt = 3.0, bool CapWeightedMean = true)
{
    public static StyleStandardisation Default { get; } = new();
}

/// <summary>
/// Builds exposures from industry ids (dummies, e.g. the 31 Shenwan level-1 industries) and style columns
/// standardised cross-sectionally: z = (x − mean) / sd with the mean cap-weighted (so the cap-weighted market is
/// neutral) and sd the equal-weighted sample standard deviation over the stocks present; missing values get 0 (the
/// mean), outliers are clipped
/// at ±ClipAt sd and the column re-standardised, repeatedly until no value lies beyond ±ClipAt. Stocks with an industry id below 0 have no industry dummy.
/// <c>into</c> lets a caller reuse one buffer of N × K values for day after day of exposures.
/// </summary>
public static class ExposureBuilder
{
    public static FactorExposures Build(
        ReadOnlySpan<int> industryIds,
        IReadOnlyList<string> industryNames,
        IReadOnlyList<StyleFactor> styles,
        ReadOnlySpan<double> marketCaps,
        StyleStandardisation? standardisation = null,
        bool includeCountry = false,
        double[]? into = null)
    {
        standardisation ??= StyleStandardisation.Default;
        int n = industryIds.Length, g = industryNames.Count, s = styles.Count, c = includeCountry ? 1 : 0;
        if (marketCaps.Length != n) throw new ArgumentException($"{marketCaps.Length} market caps for {n} stocks.", nameof(marketCaps));
        foreach (var style in styles)
            if (style.RawValues.Length != n) throw new ArgumentException($"Style '{style.Name}' has {style.RawValues.Length} values for {n} stocks.", nameof(styles));
        int k = c + g + s;
        var names = new List<string>(k);
        if (includeCountry) names.Add("Country");
        names.AddRange(industryNames);
        names.AddRange(styles.Select(x => x.Name));
        // into: a buffer of n × k values to reuse (a day at a time, as the panel's risk model does); the exposures
        // returned then live in it until it is reused.
        var values = into is { } buffer && buffer.Length == n * k ? buffer : new double[n * k];
        if (ReferenceEquals(values, into)) Array.Clear(values);
        for (int i = 0; i < n; i++)
        {
            if (includeCountry) values[i * k] = 1;
            int id = industryIds[i];
            if (id >= g) throw new ArgumentOutOfRangeException(nameof(industryIds), id, $"Industry id of stock {i} is not below the {g} industries named.");
            if (id >= 0) values[i * k + c + id] = 1;
        }
        var column = new double[n];
        for (int j = 0; j < s; j++)
        {
            Standardise(styles[j].RawValues, marketCaps, standardisation, column);
            for (int i = 0; i < n; i++) values[i * k + c + g + j] = column[i];
        }
        return new FactorExposures(names, values, g, includeCountry);
    }

    /// <summary>Standardises one raw column into <paramref name="result"/> (see the class summary).</summary>
    public static void Standardise(ReadOnlySpan<double> raw, ReadOnlySpan<double> marketCaps, StyleStandardisation options, Span<double> result)
    {
        int n = raw.Length;
        for (int i = 0; i < n; i++) result[i] = double.IsFinite(raw[i]) ? raw[i] : double.NaN;
        CentreAndScale(result, marketCaps, options.CapWeightedMean);
        // Re-standardising after a clip shrinks the sd and can push the clipped values out again: repeat until none is.
        for (int round = 0; round < 20 && options.ClipAt > 0 && double.IsFinite(options.ClipAt); round++)
        {
            bool clipped = false;
            for (int i = 0; i < n; i++)
            {
                if (double.IsNaN(result[i])) continue;
                if (Math.Abs(result[i]) > options.ClipAt + 1e-12) { result[i] = Math.CopySign(options.ClipAt, result[i]); clipped = true; }
            }
            if (!clipped) break;
            CentreAndScale(result, marketCaps, options.CapWeightedMean);
        }
        for (int i = 0; i < n; i++)
            if (double.IsNaN(result[i])) result[i] = 0;
    }

    private static void CentreAndScale(Span<double> x, ReadOnlySpan<double> caps, bool capWeighted)
    {
        double sw = 0, swx = 0, s = 0;
        int m = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i])) continue;
            double w = capWeighted ? (caps[i] > 0 && double.IsFinite(caps[i]) ? caps[i] : 0) : 1;
            sw += w; swx += w * x[i];
            s += x[i]; m++;
        }
        if (m == 0) return;
        double mean = sw > 0 ? swx / sw : s / m, plainMean = s / m;
        double ss = 0;
        for (int i = 0; i < x.Length; i++)
            if (!double.IsNaN(x[i])) { double d = x[i] - plainMean; ss += d * d; }
        // Barra's convention: cap-weighted mean 0, equal-weighted (sample) standard deviation 1.
        double sd = m > 1 ? Math.Sqrt(ss / (m - 1)) : 0;
        for (int i = 0; i < x.Length; i++)
            if (!double.IsNaN(x[i])) x[i] = sd > 0 ? (x[i] - mean) / sd : 0;
    }
}
