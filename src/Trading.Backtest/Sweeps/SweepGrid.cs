using System.Globalization;
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
/// A grid such as <c>topN=20,50,100;lookback=60,120</c>: the cartesian product in the given order. Keys are strategy
/// settings (topN, buffer, maxWeight, cashBuffer, weighting, rebalance) or a factor parameter (e.g. lookback), which
/// is set in every factor spec that has that parameter.
/// </summary>
public static class SweepGrid
{
    public static IReadOnlyList<(string Key, string[] Values)> Parse(string grid)
    {
        var axes = new List<(string, string[])>();
        foreach (var part in grid.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1) throw new FormatException($"Grid axis '{part}' must look like key=v1,v2,….");
            var key = part[..eq].Trim();
            var values = part[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (values.Length == 0) throw new FormatException($"Grid axis '{key}' has no values.");
            if (axes.Any(a => a.Item1 == key)) throw new FormatException($"Grid axis '{key}' is given twice.");
            axes.Add((key, values));
        }
        if (axes.Count == 0) throw new FormatException("The grid is empty: expected e.g. \"topN=20,50;lookback=60,120\".");
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

    /// <summary>The strategy with a point's parameters applied; a key that matches nothing is an error.</summary>
    public static StrategyConfig Apply(StrategyConfig cfg, SweepPoint point)
    {
        foreach (var (key, value) in point.Parameters)
        {
            int Int() => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{key}={value}: not an integer.");
            double Dbl() => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{key}={value}: not a number.");
            cfg = key switch
            {
                "topN" or "top-n" => cfg with { TopN = Int(), Buffer = Math.Max(cfg.Buffer, Int()) },
                "buffer" => cfg with { Buffer = Int() },
                "maxWeight" or "max-weight" => cfg with { MaxWeight = Dbl() },
                "cashBuffer" or "cash-buffer" => cfg with { CashBuffer = Dbl() },
                "weighting" => cfg with { Weighting = Enum.Parse<Weighting>(value, ignoreCase: true) },
                "rebalance" => cfg with { Rebalance = Enum.Parse<RebalanceFrequency>(value, ignoreCase: true) },
                _ => WithFactorParameter(cfg, key, value),
            };
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
        if (!any) throw new FormatException($"Grid key '{key}' is neither a strategy setting (topN, buffer, maxWeight, cashBuffer, weighting, rebalance) nor a parameter of any factor in the strategy.");
        return cfg with { Factors = factors };
    }
}
