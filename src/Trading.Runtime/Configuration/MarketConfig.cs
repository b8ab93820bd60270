using System.Globalization;
using Akka.Configuration;
using Trading.Domain.Fees;
using Trading.Domain.Rules;

namespace Trading.Runtime.Configuration;

/// <summary>
/// Reads <c>trading.market</c> from HOCON (hocon/market.conf): per-broker fee overrides on top of the dated
/// defaults of <see cref="FeeSchedule"/>. Unknown keys are errors, so a typo never silently keeps a default.
/// </summary>
public static class MarketConfig
{
    private static readonly HashSet<string> FeeKeys =
        ["commission-rate", "min-commission", "charge-handling-fee", "charge-regulatory-fee", "stamp-duty", "transfer-fee"];

    public static FeeSchedule LoadFees(string file) => LoadFees(HoconFile.Load(file), file);

    public static FeeSchedule LoadFees(Akka.Configuration.Config config, string file)
    {
        const string path = "trading.market.fees";
        return config.HasPath(path) ? ParseFees(config.GetConfig(path), path, file) : FeeSchedule.Default;
    }

    /// <summary>A fees block (keys as in hocon/market.conf) on top of the defaults; <paramref name="path"/> names it in errors.</summary>
    public static FeeSchedule ParseFees(Akka.Configuration.Config block, string path, string file)
    {
        var fees = FeeSchedule.Default;
        foreach (var key in block.AsEnumerable().Select(kv => kv.Key.Split('.')[0]).Distinct())
            if (!FeeKeys.Contains(key))
                throw new ConfigException($"{file}: unknown key '{path}.{key}' (known: {string.Join(", ", FeeKeys.Order())}).");

        decimal Rate(string key, decimal current, decimal max) =>
            block.HasPath(key) ? ConfigValues.Number(block.GetString(key), $"{file}: '{path}.{key}'", 0m, max)!.Value : current;

        bool Flag(string key, bool current) =>
            block.HasPath(key) ? ConfigValues.OnOff(block.GetString(key), $"{file}: '{path}.{key}'") : current;

        fees = fees with
        {
            CommissionRate = Rate("commission-rate", fees.CommissionRate, 0.003m), // legal cap 0.3 %
            MinCommission = Rate("min-commission", fees.MinCommission, 1000m),
            ChargeHandlingFee = Flag("charge-handling-fee", fees.ChargeHandlingFee),
            ChargeRegulatoryFee = Flag("charge-regulatory-fee", fees.ChargeRegulatoryFee),
        };

        foreach (var entry in DatedEntries(block, "stamp-duty", file))
            fees = fees with
            {
                StampDuty = fees.StampDuty.With(entry.From, new StampDutyRate(RateOf(entry, file), FlagOf(entry, "on-buys", false, file), FlagOf(entry, "on-sells", true, file)), entry.Source),
            };
        foreach (var entry in DatedEntries(block, "transfer-fee", file))
            fees = fees with { TransferFeeRate = fees.TransferFeeRate.With(entry.From, RateOf(entry, file), entry.Source) };
        return fees;
    }

    private sealed record Entry(string Key, int Index, DateOnly From, Akka.Configuration.Config Body, string Source);

    private static IEnumerable<Entry> DatedEntries(Akka.Configuration.Config block, string key, string file)
    {
        if (!block.HasPath(key)) yield break;
        var items = block.GetValue(key).GetArray();
        for (int i = 0; i < items.Count; i++)
        {
            var body = new Akka.Configuration.Config(new Akka.Configuration.Hocon.HoconRoot(items[i]));
            var from = body.GetString("from");
            if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new ConfigException($"{file}: '{key}[{i}].from' = '{from}' must be a date YYYY-MM-DD.");
            yield return new Entry(key, i, date, body, body.GetString("source", $"{Path.GetFileName(file)} {key}[{i}]"));
        }
    }

    private static decimal RateOf(Entry e, string file)
    {
        return ConfigValues.Number(e.Body.GetString("rate"), $"{file}: '{e.Key}[{e.Index}].rate'", 0m, 0.01m)!.Value;
    }

    private static bool FlagOf(Entry e, string key, bool fallback, string file) =>
        e.Body.HasPath(key) ? ConfigValues.OnOff(e.Body.GetString(key), $"{file}: '{e.Key}[{e.Index}].{key}'") : fallback;
}
