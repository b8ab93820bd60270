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
    /// <summary>The keys of a fees block (hocon/market.conf's <c>trading.market.fees</c>, a strategy's <c>fees</c>).</summary>
    public static readonly IReadOnlySet<string> FeeKeys = new HashSet<string>
        { "commission-rate", "min-commission", "charge-handling-fee", "charge-regulatory-fee", "stamp-duty", "transfer-fee" };

    /// <summary>The keys of <c>trading.market</c>.</summary>
    public static readonly IReadOnlySet<string> MarketKeys = new HashSet<string> { "fees" };

    private static readonly IReadOnlySet<string> StampDutyKeys = new HashSet<string> { "from", "rate", "on-buys", "on-sells", "source" };
    private static readonly IReadOnlySet<string> TransferFeeKeys = new HashSet<string> { "from", "rate", "source" };

    public static FeeSchedule LoadFees(string file) => LoadFees(HoconFile.Load(file), file);

    public static FeeSchedule LoadFees(Akka.Configuration.Config config, string file)
    {
        // A node's config shares the file (akka { … }, trading.journal …): only trading.market is this reader's.
        var market = ConfigBlock.Root(config, file).Block("trading", null)?.Block("market", MarketKeys);
        return market?.Block("fees", FeeKeys) is { } fees ? Parse(fees) : FeeSchedule.Default;
    }

    /// <summary>A fees block (keys as in hocon/market.conf) on top of the defaults; <paramref name="path"/> names it in errors.</summary>
    public static FeeSchedule ParseFees(Akka.Configuration.Config block, string path, string file) =>
        Parse(ConfigBlock.Of(block, path, file).Known(FeeKeys));

    private static FeeSchedule Parse(ConfigBlock block)
    {
        var fees = FeeSchedule.Default;
        fees = fees with
        {
            CommissionRate = block.Decimal("commission-rate", fees.CommissionRate, 0m, 0.003m), // legal cap 0.3 %
            MinCommission = block.Decimal("min-commission", fees.MinCommission, 0m, 1000m),
            ChargeHandlingFee = block.Flag("charge-handling-fee", fees.ChargeHandlingFee),
            ChargeRegulatoryFee = block.Flag("charge-regulatory-fee", fees.ChargeRegulatoryFee),
        };

        foreach (var entry in DatedEntries(block, "stamp-duty", StampDutyKeys))
            fees = fees with
            {
                StampDuty = fees.StampDuty.With(entry.From, new StampDutyRate(RateOf(entry), entry.Body.Flag("on-buys", false), entry.Body.Flag("on-sells", true)), entry.Source),
            };
        foreach (var entry in DatedEntries(block, "transfer-fee", TransferFeeKeys))
            fees = fees with { TransferFeeRate = fees.TransferFeeRate.With(entry.From, RateOf(entry), entry.Source) };
        return fees;
    }

    private sealed record Entry(DateOnly From, ConfigBlock Body, string Source);

    private static IEnumerable<Entry> DatedEntries(ConfigBlock block, string key, IReadOnlySet<string> known)
    {
        var items = block.Blocks(key, known);
        for (int i = 0; i < items.Count; i++)
        {
            var body = items[i];
            var from = body.Text("from") ?? throw new ConfigException($"{body.Where("from")} is missing.");
            if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new ConfigException($"{body.Where("from")} = '{from}' must be a date YYYY-MM-DD.");
            yield return new Entry(date, body, body.String("source", $"{Path.GetFileName(block.File)} {key}[{i}]"));
        }
    }

    private static decimal RateOf(Entry e) =>
        e.Body.Text("rate") is { } t ? ConfigValues.Number(t, e.Body.Where("rate"), 0m, 0.01m)!.Value : throw new ConfigException($"{e.Body.Where("rate")} is missing.");
}
