using System.Globalization;
using Akka.Configuration;
using Trading.Domain.Orders;
using Trading.Runtime.Configuration;
using Trading.Runtime.Execution;

namespace Trading.Runtime.Strategy;

/// <summary>How the selected names are weighted. Optimised: the optimiser (strategy.portfolio); Neutral: equal weights
/// moved into industry bounds around the benchmark proxy (industry-neutral within strategy.portfolio.industry-band).</summary>
public enum Weighting { Equal, Score, Cap, Optimised, Neutral }

public enum RebalanceFrequency { Daily, Weekly, Monthly }

/// <summary>One factor of a strategy: its spec (registry syntax), its weight in the combined score, its transforms.</summary>
public sealed record FactorWeight(string Spec, double Weight, IReadOnlyList<string> Transforms);

/// <summary>
/// How a strategy's orders are filled and sent: the simulated exchange's fill model (fill-at, slippage, volume cap,
/// impact, roll-unfilled) and the execution algo that slices each order (<see cref="ExecutionAlgoOptions"/>;
/// immediate by default).
/// </summary>
public sealed record ExecutionConfig(FillTiming FillAt, double SlippageBps, double VolumeCap, double ImpactCoefficient, bool RollUnfilled)
{
    public ExecutionAlgoOptions Algo { get; init; } = ExecutionAlgoOptions.Immediate;
}

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
    /// <summary>The whole parsed file: a sweep point overrides keys in it and parses again (<see cref="WithOverrides"/>).</summary>
    public Config? Hocon { get; init; }
    /// <summary>The <c>portfolio</c> block (optimiser, risk model, lot sizer, trade filter); null when absent.</summary>
    public PortfolioConfig? Portfolio { get; init; }

    /// <summary>The keys of the <c>strategy</c> block.</summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>
    {
        "name", "initial-cash", "start", "end", "benchmark", "factors", "top-n", "buffer", "weighting", "max-weight", "rebalance",
        "cash-buffer", "universe", "execution", "risk", "fees", "portfolio",
    };

    public static readonly IReadOnlySet<string> UniverseKeys = new HashSet<string> { "exclude-st", "min-listed-days", "min-average-amount", "exclude-limit-up" };
    public static readonly IReadOnlySet<string> ExecutionKeys =
        new HashSet<string>(["fill-at", "slippage-bps", "volume-cap", "impact", "roll-unfilled", .. ExecutionAlgoOptions.Keys]);
    public static readonly IReadOnlySet<string> FactorKeys = new HashSet<string> { "spec", "weight", "transforms" };

    /// <summary>A strategy of defaults only (the fallback of every key a file leaves out).</summary>
    private static readonly StrategyConfig Defaults = new();

    public static StrategyConfig Load(string file) => Parse(HoconFile.Load(file), file);

    /// <summary>
    /// This strategy's file with <paramref name="overrides"/> (full keys such as <c>strategy.top-n</c>, values as text)
    /// set on top, parsed again: the values meet exactly the checks of the file itself.
    /// </summary>
    public StrategyConfig WithOverrides(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var root = Hocon ?? throw new InvalidOperationException("This strategy was not parsed from HOCON.");
        var text = new System.Text.StringBuilder();
        foreach (var (key, value) in overrides)
        {
            if (!HoconSyntax.IsPlainPath(key)) throw new ConfigException($"'{key}' is not a config key (letters, digits and '-', separated by '.').");
            text.Append(key).Append(" = ").Append(HoconSyntax.Quote(value)).Append('\n');
        }
        return Parse(ConfigurationFactory.ParseString(text.ToString()).WithFallback(root), Source);
    }

    public static StrategyConfig Parse(Config root, string file)
    {
        if (!root.HasPath("strategy")) throw new ConfigException($"{file}: no 'strategy' block.");
        var c = ConfigBlock.Root(root, file).Block("strategy", Keys)!;

        var factors = new List<FactorWeight>();
        foreach (var f in c.Blocks("factors", FactorKeys))
        {
            var spec = f.String("spec", "");
            if (spec.Trim().Length == 0) throw new ConfigException($"{f.Where("spec")} is missing.");
            var transforms = f.Strings("transforms") ?? ["winsorize", "zscore"];
            factors.Add(new FactorWeight(spec, f.Double("weight", 1.0, -100, 100), transforms));
        }
        if (factors.Count == 0) throw new ConfigException($"{file}: 'strategy.factors' needs at least one factor.");
        if (factors.All(f => f.Weight == 0)) throw new ConfigException($"{file}: 'strategy.factors': every weight is 0, so every stock scores the same.");

        var u = c.BlockOrEmpty("universe", UniverseKeys);
        var x = c.BlockOrEmpty("execution", ExecutionKeys);
        var fillAt = x.Text("fill-at") switch
        {
            null => Defaults.Execution.FillAt,
            "open" => FillTiming.Open,
            "close" => FillTiming.Close,
            "vwap" => FillTiming.Vwap,
            var t => throw new ConfigException($"{x.Where("fill-at")} = '{t}' must be open, close or vwap."),
        };
        var benchmark = c.String("benchmark", Defaults.Benchmark);
        if (!System.Text.RegularExpressions.Regex.IsMatch(benchmark, @"^[0-9]{6}\.(SH|SZ|BJ)$"))
            throw new ConfigException($"{c.Where("benchmark")} = '{benchmark}' must be an index code such as 000300.SH (six digits, then .SH, .SZ or .BJ).");
        var d = Defaults; // every fallback is the property's own default: one value per setting
        var cfg = new StrategyConfig
        {
            Name = c.String("name", Path.GetFileNameWithoutExtension(file)),
            InitialCash = c.Decimal("initial-cash", d.InitialCash, 1_000m, 1e12m),
            Start = c.Date("start"),
            End = c.Date("end"),
            Benchmark = benchmark,
            Factors = factors,
            TopN = c.Int("top-n", d.TopN, 1, 5000),
            Buffer = c.Int("buffer", d.Buffer, 1, 10000),
            Weighting = c.Enum("weighting", d.Weighting),
            MaxWeight = c.Double("max-weight", d.MaxWeight, 0.001, 1),
            Rebalance = c.Enum("rebalance", d.Rebalance),
            CashBuffer = c.Double("cash-buffer", d.CashBuffer, 0, 0.5),
            ExcludeSt = u.Flag("exclude-st", d.ExcludeSt),
            MinListedDays = u.Int("min-listed-days", d.MinListedDays, 0, 5000),
            MinAverageAmount = u.Double("min-average-amount", d.MinAverageAmount, 0, 1e12),
            ExcludeLimitUp = u.Flag("exclude-limit-up", d.ExcludeLimitUp),
            Execution = new ExecutionConfig(fillAt, x.Double("slippage-bps", d.Execution.SlippageBps, 0, 1000),
                x.Double("volume-cap", d.Execution.VolumeCap, 0.0001, 1), x.Double("impact", d.Execution.ImpactCoefficient, 0, 10),
                x.Flag("roll-unfilled", d.Execution.RollUnfilled)) { Algo = ExecutionAlgoOptions.Parse(x) },
            Risk = c.Block("risk", RiskConfig.KnownKeys)?.Config,
            Fees = c.Block("fees", MarketConfig.FeeKeys)?.Config,
            Source = file,
            Hocon = root,
            Portfolio = PortfolioConfig.Parse(c),
        };
        if (cfg.Name.Trim().Length == 0) throw new ConfigException($"{c.Where("name")} is empty.");
        if (cfg.Buffer < cfg.TopN) throw new ConfigException($"{file}: 'strategy.buffer' ({cfg.Buffer}) must be at least 'strategy.top-n' ({cfg.TopN}).");
        if (cfg.Start is { } s && cfg.End is { } e && e < s) throw new ConfigException($"{file}: 'strategy.end' ({e:yyyy-MM-dd}) is before 'strategy.start' ({s:yyyy-MM-dd}).");
        // The risk and fee blocks are read when a run starts; check them now, so a bad value fails before anything runs.
        StrategyOptions.Risk(cfg);
        StrategyOptions.Fees(cfg);
        return cfg;
    }
}
