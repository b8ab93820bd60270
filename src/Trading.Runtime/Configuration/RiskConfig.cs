using System.Collections.Immutable;
using System.Globalization;
using Trading.Domain.Instruments;
using Trading.Risk;

namespace Trading.Runtime.Configuration;

/// <summary>
/// A strategy's <c>risk { … }</c> block → <see cref="RiskOptions"/>. Keys are the options in kebab case; "off" turns a
/// limit off. Unknown keys are errors naming the file and the key.
/// </summary>
public static class RiskConfig
{
    private delegate RiskOptions Setter(RiskOptions o, string value, string key);

    private static readonly Dictionary<string, Setter> Keys = new(StringComparer.Ordinal)
    {
        ["max-position-weight"] = (o, v, k) => o with { MaxPositionWeight = NullableDecimal(v, k, 0, 1) },
        ["shrink-to-position-weight"] = (o, v, k) => o with { ShrinkToPositionWeight = Flag(v, k) },
        ["max-order-value"] = (o, v, k) => o with { MaxOrderValue = NullableDecimal(v, k, 0, 1e12m) },
        ["max-order-quantity"] = (o, v, k) => o with { MaxOrderQuantity = (long?)NullableDecimal(v, k, 0, 1e9m) },
        ["max-daily-amount"] = (o, v, k) => o with { MaxDailyAmount = NullableDecimal(v, k, 0, 1e13m) },
        ["daily-order-count"] = (o, v, k) => o with { MaxDailyOrders = (int?)NullableDecimal(v, k, 0, 1e7m) },
        ["daily-order-count-per-symbol"] = (o, v, k) => o with { MaxDailyOrdersPerSymbol = (int?)NullableDecimal(v, k, 0, 1e6m) },
        ["max-active-orders"] = (o, v, k) => o with { MaxActiveOrders = (int?)NullableDecimal(v, k, 0, 1e7m) },
        ["daily-cancel-count"] = (o, v, k) => o with { MaxDailyCancels = (int?)NullableDecimal(v, k, 0, 1e7m) },
        ["duplicate-window-seconds"] = (o, v, k) => o with { DuplicateWindow = NullableDecimal(v, k, 0, 86400) is { } s ? TimeSpan.FromSeconds((double)s) : null },
        ["max-price-deviation"] = (o, v, k) => o with { MaxPriceDeviation = NullableDecimal(v, k, 0, 1) },
        ["block-limit-prices"] = (o, v, k) => o with { BlockLimitPrices = Flag(v, k) },
        ["check-cash"] = (o, v, k) => o with { CheckCash = Flag(v, k) },
        ["max-turnover"] = (o, v, k) => o with { MaxRebalanceTurnover = NullableDecimal(v, k, 0, 100) },
        ["kill-switch-drawdown"] = (o, v, k) => o with { KillSwitchDrawdown = NullableDecimal(v, k, 0, 1) },
    };

    public static RiskOptions Parse(Akka.Configuration.Config? block, string file)
    {
        var options = RiskOptions.Default;
        if (block is null) return options;
        foreach (var (key, value) in block.AsEnumerable())
        {
            var name = key.Split('.')[0];
            string where = $"{file}: 'strategy.risk.{name}'";
            if (name == "blacklist")
            {
                options = options with { Blacklist = block.GetStringList("blacklist").Select(s => ParseSymbol(s, where)).ToImmutableHashSet() };
                continue;
            }
            if (name == "whitelist")
            {
                options = options with { Whitelist = block.GetStringList("whitelist").Select(s => ParseSymbol(s, where)).ToImmutableHashSet() };
                continue;
            }
            if (!Keys.TryGetValue(name, out var set))
                throw new ConfigException($"{file}: unknown key 'strategy.risk.{name}' (known: {string.Join(", ", Keys.Keys.Append("blacklist").Append("whitelist").Order())}).");
            options = set(options, value.GetString(), where);
        }
        return options;
    }

    private static Symbol ParseSymbol(string text, string where) =>
        Symbol.TryParse(text, out var s, out var error) ? s : throw new ConfigException($"{where}: {error}");

    private static decimal? NullableDecimal(string text, string where, decimal min, decimal max) =>
        ConfigValues.Number(text, where, min, max, offAllowed: true);

    private static bool Flag(string text, string where) => ConfigValues.OnOff(text, where);
}
