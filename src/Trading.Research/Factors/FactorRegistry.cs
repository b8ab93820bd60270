namespace Trading.Research.Factors;

/// <summary>
/// Factors by name: a spec such as <c>momentum(lookback=60)</c> becomes a factor through the factory registered
/// under its name, which reads its typed parameters (with defaults) from <see cref="FactorArguments"/>. Parameters
/// the factory does not read are rejected. Thread-safe.
/// </summary>
public sealed class FactorRegistry
{
    private readonly Dictionary<string, Func<FactorArguments, IFactor>> _factories = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The library (see <see cref="CreateDefault"/>), shared: prefer a fresh registry for local additions.</summary>
    public static FactorRegistry Default { get; } = CreateDefault();

    /// <summary>A new registry holding every library factor, defaults as in each factor's constructor.</summary>
    public static FactorRegistry CreateDefault() => new FactorRegistry()
        .Register("momentum", a => new Momentum(a.Int("lookback", 60, min: 1), a.Int("skip", 0, min: 0)))
        .Register("momentum_12_1", _ => new Momentum(lookback: 250, skip: 20))
        .Register("reversal", a => new Reversal(a.Int("lookback", 5, min: 1)))
        .Register("volatility", a => new Volatility(a.Int("lookback", 20, min: 2)))
        .Register("liquidity", a => new Liquidity(a.Int("lookback", 20, min: 1)))
        .Register("turnover", a => new Turnover(a.Int("lookback", 20, min: 1)))
        .Register("size", _ => new Size())
        .Register("value_ep", _ => new EarningsYield())
        .Register("value_bp", _ => new BookToPrice())
        .Register("quality_roe", _ => new ReturnOnEquity())
        .Register("growth_profit", _ => new ProfitGrowth())
        .Register("growth_revenue", _ => new RevenueGrowth())
        .Register("leverage", _ => new Leverage())
        .Register("net_margin", _ => new NetMargin())
        .Register("ma_deviation", a => new MovingAverageDeviation(a.Int("lookback", 20, min: 1)))
        .Register("custom", a => new CustomFactor(a.Identifier("name"), a.Int("max_age", CustomFactor.DefaultMaxAge, min: 0, max: 250)));

    /// <summary>Known factor names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get { lock (_lock) return _factories.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    /// <summary>Adds a factor under <paramref name="name"/> (letters, digits, '_', starting with a letter; not yet taken).</summary>
    public FactorRegistry Register(string name, Func<FactorArguments, IFactor> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        FactorSpec spec;
        try { spec = FactorSpec.Parse(name); }
        catch (FormatException e) { throw new ArgumentException($"'{name}' is not a factor name: {e.Message}", nameof(name)); }
        if (spec.Parameters.Count > 0 || spec.Name != name) throw new ArgumentException($"'{name}' is not a bare factor name.", nameof(name));
        lock (_lock)
        {
            if (!_factories.TryAdd(name, factory)) throw new ArgumentException($"Factor '{name}' is already registered.", nameof(name));
        }
        return this;
    }

    /// <summary>Builds the factor a spec names.</summary>
    /// <exception cref="FormatException">Bad syntax, an unknown factor (the message lists the known ones), an unknown
    /// parameter (the message lists the factor's), or a bad parameter value.</exception>
    public IFactor Create(string spec) => Create(FactorSpec.Parse(spec), spec);

    public IFactor Create(FactorSpec spec) => Create(spec, spec.ToString());

    private IFactor Create(FactorSpec spec, string text)
    {
        Func<FactorArguments, IFactor>? factory;
        lock (_lock) _factories.TryGetValue(spec.Name, out factory);
        if (factory is null)
            throw new FormatException($"Factor spec '{text}': unknown factor '{spec.Name}'; known factors: {string.Join(", ", Names)}.");
        var arguments = new FactorArguments(spec, text);
        IFactor factor;
        try { factor = factory(arguments); }
        catch (ArgumentException e) { throw arguments.Error(e.Message); }
        foreach (var p in spec.Parameters)
        {
            if (arguments.Known.Contains(p.Key)) continue;
            string known = arguments.Known.Count == 0 ? "it takes no parameters" : $"its parameters: {string.Join(", ", arguments.Known)}";
            throw arguments.Error($"unknown parameter '{p.Key}' for factor '{spec.Name}' ({known})");
        }
        return factor;
    }
}
