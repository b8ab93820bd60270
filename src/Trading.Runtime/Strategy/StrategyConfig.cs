using System.Globalization;
using Akka.Configuration;
using Trading.Domain.Orders;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Strategy;

/// <summary>How the selected names are weighted. Optimised: the optimiser (strategy.portfolio); Neutral: equal weights
/// moved into industry bounds around the benchmark proxy (industry-neutral within strategy.portfolio.industry-band).</summary>
public enum Weighting { Equal, Score, Cap, Optimised, Neutral }

public enum RebalanceFrequency { Daily, Weekly, Monthly }

/// <summary>One factor of a strategy: its spec (registry syntax), its weight in the combined score, its transforms.</summary>
public sealed record FactorWeight(string Spec, double Weight, IReadOnlyList<string> Transforms);

public sealed record ExecutionConfig(FillTiming FillAt, double SlippageBps, double VolumeCap, double ImpactCoefficient, bool RollUnfilled);

/// <summary>
/// A strategy as configuration (HOCON <c>strategy { … }</c>): universe filters, factors and weights, top-N with a
/// rank buffer, weighting, rebalance schedule, risk limits, fees, slippage, benchmark, capital and dates.
/// Every key is checked: an unknown key or a bad value is an error naming the file and the key.
/// </summary>
public sealed record StrategyConfig
{
    public string Name { get; init; } = "strategy";
    public decimal InitialCash { get; init; } = 600_000m;
    public DateOnly? Start { get; init; }
    public DateOnly? End { get; init; }
    public string Benchmark { get; init; } = "000300.SH";
    public IReadOnlyList<FactorWeight> Factors { get; init; } = [];
    public int TopN { get; init; } = 30;
    public int Buffer { get; init; } = 45;
    public Weighting Weighting { get; init; } = Weighting.Equal;
    public double MaxWeight { get; init; } = 0.10;
    public RebalanceFrequency Rebalance { get; init; } = RebalanceFrequency.Monthly;
    /// <summary>Keep this share of NAV in cash (fees, rounding).</summary>
    public double CashBuffer { get; init; } = 0.01;
    public bool ExcludeSt { get; init; } = true;
    public int MinListedDays { get; init; } = 60;
    public double MinAverageAmount { get; init; } = 5_000_000;
    public bool ExcludeLimitUp { get; init; } = true;
    public ExecutionConfig Execution { get; init; } = new(FillTiming.Open, 5, 0.10, 0.1, false);
    /// <summary>The raw <c>risk</c> block (parsed by the risk guard's options).</summary>
    public Config? Risk { get; init; }
    /// <summary>The raw <c>fees</c> block (same keys as trading.market.fees).</summary>
    public Config? Fees { get; init; }
    public string Source { get; init; } = "";
    /// <summary>The <c>portfolio</c> block (optimiser, risk model, lot sizer, trade filter); null when absent.</summary>
    public PortfolioConfig? Portfolio { get; init; }

    private static readonly HashSet<string> Keys =
    [
        "name", "initial-cash", "start", "end", "benchmark", "factors", "top-n", "buffer", "weighting", "max-weight", "rebalance",
        "cash-buffer", "universe", "execution", "risk", "fees", "portfolio",
    ];

    public static StrategyConfig Load(string file) => Parse(HoconFile.Load(file), file);

    public static StrategyConfig Parse(Config root, string file)
    {
        if (!root.HasPath("strategy")) throw new ConfigException($"{file}: no 'strategy' block.");
        var c = root.GetConfig("strategy");
        foreach (var key in c.AsEnumerable().Select(kv => kv.Key.Split('.')[0]).Distinct())
            if (!Keys.Contains(key)) throw new ConfigException($"{file}: unknown key 'strategy.{key}' (known: {string.Join(", ", Keys.Order())}).");

        string Str(Config cfg, string key, string fallback) => cfg.HasPath(key) ? cfg.GetString(key) : fallback;
        double Num(Config cfg, string path, string key, double fallback, double min, double max) =>
            cfg.HasPath(key) ? ConfigValues.Number(cfg.GetString(key), $"{file}: '{path}.{key}'", min, max)!.Value : fallback;
        bool Flag(Config cfg, string path, string key, bool fallback) =>
            cfg.HasPath(key) ? ConfigValues.OnOff(cfg.GetString(key), $"{file}: '{path}.{key}'") : fallback;
        DateOnly? Date(string key)
        {
            if (!c.HasPath(key)) return null;
            var t = c.GetString(key);
            return DateOnly.TryParseExact(t, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d : throw new ConfigException($"{file}: 'strategy.{key}' = '{t}' must be a date YYYY-MM-DD.");
        }
        T Enum<T>(string key, T fallback) where T : struct, System.Enum
        {
            if (!c.HasPath(key)) return fallback;
            var t = c.GetString(key);
            return System.Enum.TryParse<T>(t, ignoreCase: true, out var v) && System.Enum.IsDefined(v)
                ? v : throw new ConfigException($"{file}: 'strategy.{key}' = '{t}' must be one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
        }

        var factors = new List<FactorWeight>();
        if (c.HasPath("factors"))
        {
            var items = c.GetValue("factors").GetArray();
            for (int i = 0; i < items.Count; i++)
            {
                var f = new Config(new Akka.Configuration.Hocon.HoconRoot(items[i]));
                var spec = Str(f, "spec", "");
                if (spec.Length == 0) throw new ConfigException($"{file}: 'strategy.factors[{i}].spec' is missing.");
                var transforms = f.HasPath("transforms") ? f.GetStringList("transforms").ToList() : ["winsorize", "zscore"];
                factors.Add(new FactorWeight(spec, Num(f, $"strategy.factors[{i}]", "weight", 1.0, -100, 100), transforms));
            }
        }
        if (factors.Count == 0) throw new ConfigException($"{file}: 'strategy.factors' needs at least one factor.");

        var u = c.HasPath("universe") ? c.GetConfig("universe") : ConfigurationFactory.Empty;
        var x = c.HasPath("execution") ? c.GetConfig("execution") : ConfigurationFactory.Empty;
        var fillAt = Str(x, "fill-at", "open") switch
        {
            "open" => FillTiming.Open,
            "close" => FillTiming.Close,
            "vwap" => FillTiming.Vwap,
            var t => throw new ConfigException($"{file}: 'strategy.execution.fill-at' = '{t}' must be open, close or vwap."),
        };
        var cfg = new StrategyConfig
        {
            Name = Str(c, "name", Path.GetFileNameWithoutExtension(file)),
            InitialCash = (decimal)Num(c, "strategy", "initial-cash", 600_000, 1_000, 1e12),
            Start = Date("start"),
            End = Date("end"),
            Benchmark = Str(c, "benchmark", "000300.SH"),
            Factors = factors,
            TopN = (int)Num(c, "strategy", "top-n", 30, 1, 5000),
            Buffer = (int)Num(c, "strategy", "buffer", 45, 1, 10000),
            Weighting = Enum("weighting", Weighting.Equal),
            MaxWeight = Num(c, "strategy", "max-weight", 0.10, 0.001, 1),
            Rebalance = Enum("rebalance", RebalanceFrequency.Monthly),
            CashBuffer = Num(c, "strategy", "cash-buffer", 0.01, 0, 0.5),
            ExcludeSt = Flag(u, "strategy.universe", "exclude-st", true),
            MinListedDays = (int)Num(u, "strategy.universe", "min-listed-days", 60, 0, 5000),
            MinAverageAmount = Num(u, "strategy.universe", "min-average-amount", 5_000_000, 0, 1e12),
            ExcludeLimitUp = Flag(u, "strategy.universe", "exclude-limit-up", true),
            Execution = new ExecutionConfig(fillAt, Num(x, "strategy.execution", "slippage-bps", 5, 0, 1000),
                Num(x, "strategy.execution", "volume-cap", 0.10, 0.0001, 1), Num(x, "strategy.execution", "impact", 0.1, 0, 10),
                Flag(x, "strategy.execution", "roll-unfilled", false)),
            Risk = c.HasPath("risk") ? c.GetConfig("risk") : null,
            Fees = c.HasPath("fees") ? c.GetConfig("fees") : null,
            Source = file,
            Portfolio = PortfolioConfig.Parse(c, file),
        };
        if (cfg.Buffer < cfg.TopN) throw new ConfigException($"{file}: 'strategy.buffer' ({cfg.Buffer}) must be at least 'strategy.top-n' ({cfg.TopN}).");
        if (cfg.Start is { } s && cfg.End is { } e && e < s) throw new ConfigException($"{file}: 'strategy.end' is before 'strategy.start'.");
        return cfg;
    }
}
