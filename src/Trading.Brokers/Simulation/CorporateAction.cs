using Trading.Domain.Instruments;

namespace Trading.Brokers;

/// <summary>
/// A dividend and/or bonus shares on an ex-date, per share held at the start of that day: <see cref="CashPerShare"/>
/// in CNY, <see cref="BonusPerShare"/> as new shares per share (0.3 = 3 for 10; splits alike). The same shape as the
/// position book's CorporateActionBooked so both sides apply the same event.
/// </summary>
public sealed record CorporateAction(Symbol Symbol, DateOnly ExDate, decimal CashPerShare, decimal BonusPerShare)
{
    public CorporateAction Validate()
    {
        if (CashPerShare < 0m) throw new ArgumentOutOfRangeException(nameof(CashPerShare), CashPerShare, "A dividend cannot be negative.");
        if (BonusPerShare <= -1m) throw new ArgumentOutOfRangeException(nameof(BonusPerShare), BonusPerShare, "Bonus shares per share must be above −1.");
        return this;
    }
}
