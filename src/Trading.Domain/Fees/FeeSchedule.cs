using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Domain.Fees;

/// <summary>Stamp duty in force for a period: a rate and the sides it is charged on.</summary>
public sealed record StampDutyRate(decimal Rate, bool OnBuys, bool OnSells);

/// <summary>The fees of one fill, each rounded half up to the fen.</summary>
public readonly record struct FeeBreakdown(decimal Commission, decimal StampDuty, decimal TransferFee, decimal HandlingFee, decimal RegulatoryFee)
{
    public decimal Total => Commission + StampDuty + TransferFee + HandlingFee + RegulatoryFee;
}

/// <summary>
/// A broker account's costs (A_SHARE_RULES.md §1.3): commission = max(rate × value, minimum); stamp duty on sells
/// only (dated rates); transfer fee on both sides (dated); the exchange handling and regulatory fees only when the
/// broker passes them on (they are normally inside the commission). Every item is rounded half up to 0.01.
/// </summary>
public sealed record FeeSchedule
{
    private const string Fees13 = "A_SHARE_RULES.md §1.3";

    /// <summary>Broker commission as a fraction of value (default 0.025%).</summary>
    public decimal CommissionRate { get; init; } = 0.00025m;

    /// <summary>Minimum commission per order in CNY (default 5; 0 for a "免五" account).</summary>
    public decimal MinCommission { get; init; } = 5m;

    public DatedSetting<StampDutyRate> StampDuty { get; init; } = new("stamp duty",
        new(new DateOnly(2008, 4, 24), new StampDutyRate(0.001m, true, true), $"{Fees13}: 0.1% on both sides from 2008-04-24 [U]"),
        new(new DateOnly(2008, 9, 19), new StampDutyRate(0.001m, false, true), $"{Fees13}: 0.1% on sells only from 2008-09-19 [U]"),
        new(new DateOnly(2023, 8, 28), new StampDutyRate(0.0005m, false, true), $"{Fees13} [P]: halved to 0.05% on 2023-08-28"));

    public DatedSetting<decimal> TransferFeeRate { get; init; } = new("transfer fee",
        new(new DateOnly(2015, 8, 1), 0.00002m, $"{Fees13}: 0.002% of value on SH and SZ from 2015-08-01 [U]"),
        new(new DateOnly(2022, 4, 29), 0.00001m, $"{Fees13} [P]: 0.001% of value from 2022-04-29"));

    public DatedSetting<decimal> HandlingFeeRate { get; init; } = new("exchange handling fee",
        new(DateOnly.MinValue, 0.0000487m, $"{Fees13} [U]: 0.00487% before 2023-08-28"),
        new(new DateOnly(2023, 8, 28), 0.0000341m, $"{Fees13} [U]: 0.00341% from 2023-08-28"));

    public decimal RegulatoryFeeRate { get; init; } = 0.00002m;

    /// <summary>Charge the exchange handling fee on top of the commission (off by default: brokers include it).</summary>
    public bool ChargeHandlingFee { get; init; }

    /// <summary>Charge the regulatory fee on top of the commission (off by default: brokers include it).</summary>
    public bool ChargeRegulatoryFee { get; init; }

    public static FeeSchedule Default { get; } = new();

    /// <summary>The fees of one fill of <paramref name="quantity"/> shares at <paramref name="price"/> on <paramref name="date"/>.</summary>
    public FeeBreakdown Compute(Side side, decimal price, long quantity, DateOnly date) =>
        ComputeForValue(side, price * quantity, date);

    /// <summary>The fees of a fill of traded value <paramref name="value"/> (CNY) on <paramref name="date"/>.</summary>
    public FeeBreakdown ComputeForValue(Side side, decimal value, DateOnly date)
    {
        if (value < 0m) throw new ArgumentOutOfRangeException(nameof(value), value, "Traded value cannot be negative.");
        if (value == 0m) return default;
        var commission = Money.RoundFen(Math.Max(value * CommissionRate, MinCommission));
        var duty = StampDutyAt(date);
        bool dutyApplies = side == Side.Sell ? duty.OnSells : duty.OnBuys;
        var stamp = dutyApplies ? Money.RoundFen(value * duty.Rate) : 0m;
        var transfer = Money.RoundFen(value * TransferRateAt(date));
        var handling = ChargeHandlingFee ? Money.RoundFen(value * HandlingFeeRate.At(date)) : 0m;
        var regulatory = ChargeRegulatoryFee ? Money.RoundFen(value * RegulatoryFeeRate) : 0m;
        return new FeeBreakdown(commission, stamp, transfer, handling, regulatory);
    }

    /// <summary>The stamp duty in force on <paramref name="date"/> (the earliest known rate before the first entry).</summary>
    public StampDutyRate StampDutyAt(DateOnly date) =>
        date < StampDuty.Entries[0].From ? StampDuty.Entries[0].Value : StampDuty.At(date);

    /// <summary>The transfer fee rate in force on <paramref name="date"/> (the earliest known rate before the first entry).</summary>
    public decimal TransferRateAt(DateOnly date) =>
        date < TransferFeeRate.Entries[0].From ? TransferFeeRate.Entries[0].Value : TransferFeeRate.At(date);
}
