using Trading.Domain.Calendar;

namespace Trading.Runtime.Clock;

/// <summary>
/// Which days a live node trades. The store's <see cref="TradingCalendar"/> is the days with bars, so it knows the past
/// only: today and later are never in it while the market is open. Inside the store's range its days are the truth
/// (a weekday without bars was a holiday); outside it a day trades when it is a weekday and not one of the configured
/// <c>trading.schedule.holidays</c> (the exchanges publish the year's closures in advance; A-share markets are closed
/// on every Saturday and Sunday, make-up working weekends included).
/// </summary>
public sealed class TradingDays
{
    private readonly TradingCalendar? _known;
    private readonly HashSet<DateOnly> _holidays;

    public TradingDays(TradingCalendar? known, IEnumerable<DateOnly> holidays)
    {
        _known = known is { Count: > 0 } ? known : null;
        _holidays = holidays.ToHashSet();
    }

    public bool IsTradingDay(DateOnly day)
    {
        if (_known is { } k && day >= k.First && day <= k.Last) return k.IsTradingDay(day);
        return day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(day);
    }

    /// <summary>The first trading day strictly after <paramref name="day"/> within a year, or null.</summary>
    public DateOnly? Next(DateOnly day)
    {
        for (int i = 1; i <= 366; i++)
            if (IsTradingDay(day.AddDays(i))) return day.AddDays(i);
        return null;
    }
}
