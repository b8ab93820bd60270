using Trading.Data.Panel;

namespace Trading.Research.Risk;

/// <summary>Settings of <see cref="PanelRiskModel"/>.</summary>
public sealed record PanelRiskModelOptions
{
    /// <summary>Days of history (cross-sections) the model is estimated on, ending at the decision day.</summary>
    public int Window { get; init; } = 120;

    /// <summary>Fewer usable days than this: no model (the caller falls back).</summary>
    public int MinDays { get; init; } = 20;

    public int MomentumDays { get; init; } = 60;

    public int VolatilityDays { get; init; } = 20;

    public int LiquidityDays { get; init; } = 20;

    public RiskModelOptions Estimator { get; init; } = RiskModelOptions.Default with { FactorHalfLife = 60, SpecificHalfLife = 40 };

    public static PanelRiskModelOptions Default { get; } = new();
}

/// <summary>
/// A factor risk model estimated from a <see cref="MarketPanel"/> at a decision day, over a given set of stocks (the
/// <see cref="Assets"/>, panel symbol indices ascending), with data up to that day's close only.
/// <para>
/// Factors: one dummy per industry present among the assets (they absorb the market: no country factor) and the
/// styles the panel can support — <c>momentum</c> (back-adjusted return over <see cref="PanelRiskModelOptions.MomentumDays"/>),
/// <c>volatility</c> (std of daily returns over <see cref="PanelRiskModelOptions.VolatilityDays"/>), <c>liquidity</c>
/// (log average traded amount over <see cref="PanelRiskModelOptions.LiquidityDays"/>) and <c>size</c> (log total market
/// value) only where the panel has valuations (the bundled 2024 sample has none). Styles are standardised each day
/// (cap-weighted mean, clipped at ±3 sd; missing values get the mean, i.e. 0).
/// </para>
/// <para>
/// Point in time: for every history day t the exposures are those known at the close of t − 1 and the return is the
/// back-adjusted close-to-close return of t (NaN unless the stock traded on both days); the last day is the decision
/// day, so nothing after it is read. Cap weights for the standardisation and √weights for the regression are the
/// market value where valuations exist, else the average traded amount (a liquidity proxy of size).
/// </para>
/// </summary>
public sealed class PanelRiskModel
{
    private PanelRiskModel(FactorRiskModel model, int[] assets, int[] industryOfAsset, string[] industryNames, string[] styles, int days)
    {
        Model = model;
        Assets = assets;
        IndustryOfAsset = industryOfAsset;
        IndustryNames = industryNames;
        Styles = styles;
        HistoryDays = days;
    }

    public FactorRiskModel Model { get; }

    /// <summary>Panel symbol indices of the model's assets, ascending (asset i of the model is symbol Assets[i]).</summary>
    public int[] Assets { get; }

    /// <summary>Compact industry id (index into <see cref="IndustryNames"/>) of each asset; −1 = none.</summary>
    public int[] IndustryOfAsset { get; }

    public string[] IndustryNames { get; }

    public string[] Styles { get; }

    /// <summary>Cross-sections the model was estimated on.</summary>
    public int HistoryDays { get; }

    /// <summary>Mean traded amount of a stock over the <paramref name="days"/> days ending at <paramref name="day"/> (traded days only); NaN when it did not trade.</summary>
    public static double AverageAmount(MarketPanel panel, int day, int symbol, int days)
    {
        double sum = 0;
        int count = 0;
        for (int d = Math.Max(0, day - days + 1); d <= day; d++)
        {
            if (!panel.IsTraded(d, symbol)) continue;
            sum += panel.Amount[panel.Cell(d, symbol)];
            count++;
        }
        return count > 0 ? sum / count : double.NaN;
    }

    /// <param name="assets">Panel symbol indices, ascending and distinct.</param>
    /// <param name="industryOfSymbol">Industry id per panel symbol (−1 = unknown), e.g. <c>IndustryIndex.OfSymbol</c>.</param>
    /// <returns>Null when fewer than <see cref="PanelRiskModelOptions.MinDays"/> days of history exist.</returns>
    public static PanelRiskModel? Estimate(MarketPanel panel, int decisionDay, int[] assets, int[] industryOfSymbol, IReadOnlyList<string> industryNames, PanelRiskModelOptions? options = null)
    {
        options ??= PanelRiskModelOptions.Default;
        int n = assets.Length;
        for (int i = 1; i < n; i++)
            if (assets[i] <= assets[i - 1]) throw new ArgumentException("Assets must be ascending and distinct.", nameof(assets));
        int first = Math.Max(1, decisionDay - options.Window + 1);
        int days = decisionDay - first + 1;
        if (n == 0 || days < options.MinDays) return null;

        // Compact industries: those present among the assets, in id order.
        var present = assets.Select(s => industryOfSymbol[s]).Where(g => g >= 0).Distinct().Order().ToArray();
        var compact = new Dictionary<int, int>();
        for (int k = 0; k < present.Length; k++) compact[present[k]] = k;
        var industry = assets.Select(s => industryOfSymbol[s] >= 0 ? compact[industryOfSymbol[s]] : -1).ToArray();
        var names = present.Select(g => industryNames[g]).ToArray();

        var valuations = panel.Valuations;
        var styleNames = new List<string> { "momentum", "volatility", "liquidity" };
        if (valuations is not null) styleNames.Add("size");

        // Back-adjusted closes and daily returns from the earliest day any exposure looks at up to the decision day.
        int lookback = Math.Max(options.MomentumDays, Math.Max(options.VolatilityDays, options.LiquidityDays));
        int from = Math.Max(0, first - 1 - lookback), span = decisionDay - from + 1;
        var close = new double[n * span];
        var ret = new double[n * span];
        var amount = new double[n * span];
        var traded = new bool[n * span];
        for (int a = 0; a < n; a++)
        {
            int s = assets[a];
            for (int d = from; d <= decisionDay; d++)
            {
                int c = panel.Cell(d, s), x = a * span + d - from;
                close[x] = panel.Close[c] * panel.AdjFactor[c];
                traded[x] = panel.IsTraded(d, s);
                amount[x] = traded[x] ? panel.Amount[c] : 0;
                ret[x] = d > from && traded[x] && traded[x - 1] && close[x - 1] > 0 ? close[x] / close[x - 1] - 1 : double.NaN;
            }
        }

        // Raw styles and the size proxy of every asset at the close of day e.
        (List<StyleFactor> Styles, double[] Caps) At(int e)
        {
            var mom = new double[n];
            var vol = new double[n];
            var liq = new double[n];
            var size = valuations is null ? null : new double[n];
            var caps = new double[n];
            for (int a = 0; a < n; a++)
            {
                int b = a * span - from;
                int m = e - options.MomentumDays;
                mom[a] = m >= from && traded[b + e] && close[b + m] > 0 ? close[b + e] / close[b + m] - 1 : double.NaN;

                double s1 = 0, s2 = 0;
                int k = 0;
                for (int d = Math.Max(from + 1, e - options.VolatilityDays + 1); d <= e; d++)
                {
                    double r = ret[b + d];
                    if (double.IsNaN(r)) continue;
                    s1 += r; s2 += r * r; k++;
                }
                vol[a] = k >= Math.Max(2, options.VolatilityDays / 2) ? Math.Sqrt(Math.Max(0, (s2 - s1 * s1 / k) / (k - 1))) : double.NaN;

                double sum = 0;
                int t = 0;
                for (int d = Math.Max(from, e - options.LiquidityDays + 1); d <= e; d++)
                    if (traded[b + d]) { sum += amount[b + d]; t++; }
                double avg = t > 0 ? sum / t : double.NaN;
                liq[a] = avg > 0 ? Math.Log(avg) : double.NaN;

                double mv = valuations is null ? double.NaN : valuations.TotalMarketValue[panel.Cell(e, assets[a])];
                if (size is not null) size[a] = mv > 0 ? Math.Log(mv) : double.NaN;
                caps[a] = mv > 0 ? mv : avg > 0 ? avg : 0;
            }
            var styles = new List<StyleFactor> { new("momentum", mom), new("volatility", vol), new("liquidity", liq) };
            if (size is not null) styles.Add(new StyleFactor("size", size));
            return (styles, caps);
        }

        // One day at a time into one buffer: days × N × K exposures never exist at once (at 100+ industries and
        // hundreds of names each day is a large-object allocation; 120 of them per rebalance kept the GC busy).
        var (now, nowCaps) = At(decisionDay);
        var current = ExposureBuilder.Build(industry, names, now, nowCaps);
        var buffer = new double[n * current.FactorCount];
        var returns = new double[n];
        var weights = new double[n];
        RiskModelDay Day(int d)
        {
            int t = first + d;
            var (styles, caps) = At(t - 1);
            var exposures = ExposureBuilder.Build(industry, names, styles, caps, into: buffer);
            for (int a = 0; a < n; a++)
            {
                returns[a] = ret[a * span + t - from];
                weights[a] = caps[a] > 0 ? Math.Sqrt(caps[a]) : 0;
            }
            return new RiskModelDay(exposures, returns, weights);
        }
        var estimate = RiskModelEstimator.Estimate(days, Day, current, options.Estimator);
        return new PanelRiskModel(estimate.Model, assets, industry, names, styleNames.ToArray(), days);
    }
}
