using System.Globalization;
using System.Text;
using Trading.Runtime.Configuration;
using Trading.Research.Factors;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Sweeps;

/// <summary>
/// One point of a parameter sweep, self-describing so that a cluster worker can run it from the message alone:
/// the strategy file, the store, the dates and the parameter values.
/// </summary>
public sealed record SweepPoint(int Index, string ConfigFile, string Store, DateOnly? Start, DateOnly? End, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    public string Label => string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>
/// A grid such as <c>topN=20,50,100;lookback=60,120</c>: the cartesian product in the given order. A key is a
/// strategy setting — its config key (<c>top-n</c>, <c>universe.min-listed-days</c>, any dotted path under
/// <c>strategy</c>, so a new block is sweepable without code) or its camelCase alias (<c>topN</c>, <c>maxWeight</c>,
/// <c>cashBuffer</c>, <c>universe.minListedDays</c>) — or a factor parameter (e.g. <c>lookback</c>), which is set in
/// every factor spec that has that parameter. A setting is applied by overriding the strategy's HOCON and parsing
/// it again, so a grid value meets exactly the checks of the config file, and <see cref="Check"/> runs them all
/// before any point runs.
/// </summary>
public static class SweepGrid
{
    public static IReadOnlyList<(string Key, string[] Values)> Parse(string grid)
    {
        var axes = new List<(string, string[])>();
        foreach (var part in grid.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1) throw new FormatException($"--grid: axis '{part}' must look like key=v1,v2,….");
            var key = part[..eq].Trim();
            var values = part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (values.Length == 0) throw new FormatException($"--grid: axis '{key}' has no values.");
            if (values.Distinct(StringComparer.Ordinal).Count() != values.Length) throw new FormatException($"--grid: axis '{key}' gives a value twice.");
            if (axes.Any(a => a.Item1 == key || SettingPath(a.Item1) is { } p && p == SettingPath(key)))
                throw new FormatException($"--grid: axis '{key}' is given twice.");
            axes.Add((key, values));
        }
        if (axes.Count == 0) throw new FormatException("--grid: the grid is empty: expected e.g. \"topN=20,50;lookback=60,120\".");
        return axes;
    }

    public static IReadOnlyList<SweepPoint> Points(string grid, string configFile, string store, DateOnly? start, DateOnly? end)
    {
        var axes = Parse(grid);
        IEnumerable<List<KeyValuePair<string, string>>> combos = [[]];
        foreach (var (key, values) in axes)
            combos = combos.SelectMany(c => values.Select(v => new List<KeyValuePair<string, string>>(c) { new(key, v) }));
        return combos.Select((c, i) => new SweepPoint(i, configFile, store, start, end, c)).ToList();
    }

    /// <summary>
    /// The config path under <c>strategy</c> a grid key sets (<c>topN</c> → <c>top-n</c>,
    /// <c>universe.minListedDays</c> → <c>universe.min-listed-days</c>), or null when the key is not a strategy setting.
    /// </summary>
    public static string? SettingPath(string key)
    {
        if (key.StartsWith("strategy.", StringComparison.Ordinal)) key = key["strategy.".Length..];
        var path = string.Join('.', key.Split('.').Select(Kebab));
        return StrategyConfig.Keys.Contains(path.Split('.')[0]) ? path : null;
    }

    private static string Kebab(string segment)
    {
        var sb = new StringBuilder(segment.Length + 4);
        foreach (var ch in segment)
        {
            if (char.IsAsciiLetterUpper(ch)) sb.Append(sb.Length > 0 ? "-" : "").Append(char.ToLowerInvariant(ch));
            else sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Every grid value alone, then every point, applied to <paramref name="baseConfig"/> and checked as a run would
    /// (the strategy's own checks, its factors built from the registry): the first bad one is an error naming the axis
    /// or the point, before anything runs.
    /// </summary>
    public static IReadOnlyList<StrategyConfig> Check(IReadOnlyList<SweepPoint> points, StrategyConfig baseConfig)
    {
        if (points.Count == 0) return [];
        foreach (var (key, value) in points.SelectMany(p => p.Parameters).Distinct())
            Validate(Apply(baseConfig, points[0] with { Parameters = [new(key, value)] }), $"{key}={value}");
        var configs = new List<StrategyConfig>(points.Count);
        foreach (var p in points)
        {
            var cfg = Apply(baseConfig, p);
            Validate(cfg, p.Label);
            configs.Add(cfg);
        }
        return configs; // each point's strategy, in the points' order, for checks that need more than the file
    }

    private static void Validate(StrategyConfig cfg, string label)
    {
        try { _ = new FactorStrategyModel(cfg); }
        catch (FormatException e) when (e is not ConfigException) { throw new ConfigException($"--grid {label}: {e.Message}"); }
    }

    /// <summary>The strategy with a point's parameters applied; a key that matches nothing or a value its setting refuses is an error.</summary>
    public static StrategyConfig Apply(StrategyConfig cfg, SweepPoint point)
    {
        var settings = new List<KeyValuePair<string, string>>();
        var factorParameters = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in point.Parameters)
        {
            if (SettingPath(key) is { } path)
            {
                if (!HoconSyntax.IsPlainPath(path)) throw new ConfigException($"--grid {key}={value}: '{key}' is not a config key (letters, digits and '-', separated by '.').");
                settings.Add(new("strategy." + path, value));
            }
            else factorParameters.Add(new(key, value));
        }
        // A larger top-n than the file's buffer raises the buffer with it, unless the grid sets the buffer too.
        if (settings.FirstOrDefault(s => s.Key == "strategy.top-n").Value is { } topN && settings.All(s => s.Key != "strategy.buffer")
            && int.TryParse(topN, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > cfg.Buffer)
            settings.Add(new("strategy.buffer", topN));
        try
        {
            if (settings.Count > 0) cfg = cfg.WithOverrides(settings);
            foreach (var (key, value) in factorParameters) cfg = WithFactorParameter(cfg, key, value);
        }
        catch (FormatException e) when (e is not ConfigException || !e.Message.StartsWith("--grid", StringComparison.Ordinal))
        {
            throw new ConfigException($"--grid {point.Label}: {e.Message}");
        }
        return cfg with { Name = $"{cfg.Name}[{point.Label}]" };
    }

    private static StrategyConfig WithFactorParameter(StrategyConfig cfg, string key, string value)
    {
        bool any = false;
        var factors = cfg.Factors.Select(f =>
        {
            var spec = FactorSpec.Parse(f.Spec);
            if (!spec.TryGet(key, out _)) return f;
            any = true;
            var parameters = spec.Parameters.Select(p => p.Key == key ? p with { Value = value } : p).ToList();
            return f with { Spec = (spec with { Parameters = parameters }).ToString() };
        }).ToList();
        if (!any)
            throw new ConfigException($"'{key}' is neither a strategy setting (a key under 'strategy' such as top-n or universe.min-listed-days, or topN, buffer, maxWeight, cashBuffer, weighting, rebalance) nor a parameter of any factor in the strategy.");
        return cfg with { Factors = factors };
    }
}
