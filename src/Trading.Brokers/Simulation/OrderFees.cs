using Trading.Domain.Fees;
using Trading.Domain.Rules;

namespace Trading.Brokers;

/// <summary>
/// Fees of one fill of a partly filled order. Stamp duty and the transfer fee are charged on each fill's value, rounded
/// to the fen (FeeSchedule). The commission minimum is per order, as brokers charge it (A_SHARE_RULES.md §1.3 "minimum 5
/// CNY per order"): each fill pays round_fen(max(rate × cumulative value, minimum)) − the commission already charged to
/// the order. The first fill pays at least the minimum, later fills pay only once rate × cumulative value exceeds it,
/// and the order's total commission equals what one fill of the whole value would have cost.
/// </summary>
public static class OrderFees
{
    /// <param name="value">This fill's traded value.</param>
    /// <param name="valueBefore">The order's traded value before this fill (the same trading day).</param>
    /// <param name="commissionBefore">Commission already charged to the order (the same trading day).</param>
    public static FeeBreakdown ForFill(FeeSchedule fees, Side side, decimal value, decimal valueBefore, decimal commissionBefore, DateOnly date)
    {
        var fill = fees.ComputeForValue(side, value, date);
        var orderCommission = Money.RoundFen(Math.Max((valueBefore + value) * fees.CommissionRate, fees.MinCommission));
        return fill with { Commission = Math.Max(0m, orderCommission - commissionBefore) };
    }

    /// <summary>What a buy holds back: its value at the limit price plus the fees of filling it all at once.</summary>
    public static decimal BuyReserve(FeeSchedule fees, decimal limitPrice, long quantity, DateOnly date)
    {
        if (quantity <= 0) return 0m;
        var value = Money.RoundFen(limitPrice * quantity);
        return value + fees.ComputeForValue(Side.Buy, value, date).Total;
    }
}
