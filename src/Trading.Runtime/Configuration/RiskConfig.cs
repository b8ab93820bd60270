using System.Collections.Immutable;
using Trading.Domain.Instruments;
using Trading.Risk;

namespace Trading.Runtime.Configuration;

/// <summary>
/// A strategy's <c>risk { … }</c> block → <see cref="RiskOptions"/>. Keys are the options in kebab case; "off" turns a
/// limit off. Unknown keys are errors naming the file and the key.
/// </summary>
public static class RiskConfig
{
    private delegate RiskOptions Setter(RiskOptions o, ConfigBlock b, string key);

    private static readonly Dictionary<string, Setter> Setters = new(StringComparer.Ordinal)
    {
        ["max-position-weight"] = (o, b, k) => o with { MaxPositionWeight = NullableDecimal(b, k, 0, 1) },
        ["shrink-to-position-weight"] = (o, b, k) => o with { ShrinkToPositionWeight = b.Flag(k, false) },
        ["max-order-value"] = (o, b, k) => o with { MaxOrderValue = NullableDecimal(b, k, 0, 1e12m) },
        ["max-order-quantity"] = (o, b, k) => o with { MaxOrderQuantity = NullableInteger(b, k, 0, 1_000_000_000) },
        ["max-daily-amount"] = (o, b, k) => o with { MaxDailyAmount = NullableDecimal(b, k, 0, 1e13m) },
        ["daily-order-count"] = (o, b, k) => o with { MaxDailyOrders = (int?)NullableInteger(b, k, 0, 10_000_000) },
        ["daily-order-count-per-symbol"] = (o, b, k) => o with { MaxDailyOrdersPerSymbol = (int?)NullableInteger(b, k, 0, 1_000_000) },
        ["max-active-orders"] = (o, b, k) => o with { MaxActiveOrders = (int?)NullableInteger(b, k, 0, 10_000_000) },
        ["daily-cancel-count"] = (o, b, k) => o with { MaxDailyCancels = (int?)NullableInteger(b, k, 0, 10_000_000) },
        ["duplicate-window-seconds"] = (o, b, k) => o with { DuplicateWindow = NullableDecimal(b, k, 0, 86400) is { } s ? TimeSpan.FromSeconds((double)s) : null },
        ["max-price-deviation"] = (o, b, k) => o with { MaxPriceDeviation = NullableDecimal(b, k, 0, 1) },
        ["block-limit-prices"] = (o, b, k) => o with { BlockLimitPrices = b.Flag(k, false) },
        ["check-cash"] = (o, b, k) => o with { CheckCash = b.Flag(k, false) },
        ["max-turnover"] = (o, b, k) => o with { MaxRebalanceTurnover = NullableDecimal(b, k, 0, 100) },
        ["kill-switch-drawdown"] = (o, b, k) => o with { KillSwitchDrawdown = NullableDecimal(b, k, 0, 1) },
        ["blacklist"] = (o, b, k) => o with { Blacklist = Symbols(b, k) },
        ["whitelist"] = (o, b, k) => o with { Whitelist = Symbols(b, k) },
    };

    /// <summary>The keys of a risk block.</summary>
    public static readonly IReadOnlySet<string> KnownKeys = Setters.Keys.ToHashSet(StringComparer.Ordinal);

    public static RiskOptions Parse(Akka.Configuration.Config? block, string file)
    {
        var options = RiskOptions.Default;
        if (block is null) return options;
        var b = ConfigBlock.Of(block, "strategy.risk", file).Known(KnownKeys);
        foreach (var key in b.Keys()) options = Setters[key](options, b, key);
        return options;
    }

    private static ImmutableHashSet<Symbol> Symbols(ConfigBlock b, string key) =>
        (b.Strings(key) ?? []).Select(s => Symbol.TryParse(s, out var sym, out var error) ? sym : throw new ConfigException($"{b.Where(key)}: {error}")).ToImmutableHashSet();

    private static decimal? NullableDecimal(ConfigBlock b, string key, decimal min, decimal max) =>
        ConfigValues.Number(b.Text(key)!, b.Where(key), min, max, offAllowed: true);

    private static long? NullableInteger(ConfigBlock b, string key, long min, long max) =>
        ConfigValues.Integer(b.Text(key)!, b.Where(key), min, max, offAllowed: true);
}
