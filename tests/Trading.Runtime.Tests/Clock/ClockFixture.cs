using Trading.Domain.Calendar;
using Trading.Runtime.Clock;

namespace Trading.Runtime.Tests.Clock;

/// <summary>
/// The days the clock tests live in: a store calendar of September 2026's weekdays without Friday 25 (Mid-Autumn:
/// a weekday with no bars), and after the store's last day (30 Sept) the weekday rule with National Day
/// (1–7 Oct, Thursday to Wednesday) configured as holidays. Times are written in Shanghai (+08:00).
/// </summary>
internal static class ClockFixture
{
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    public static readonly TradingCalendar Store = new(
        Enumerable.Range(1, 30).Select(d => new DateOnly(2026, 9, d))
            .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && d.Day != 25));

    public static readonly DateOnly[] NationalDay = Enumerable.Range(1, 7).Select(d => new DateOnly(2026, 10, d)).ToArray();

    public static TradingDays Days => new(Store, NationalDay);

    public static SchedulePlanner Planner(TradingSchedule? schedule = null) => new(Days, schedule ?? TradingSchedule.Default);

    /// <summary>An instant given as Shanghai wall time.</summary>
    public static DateTimeOffset Sh(int month, int day, int hour, int minute, int second = 0) => new(2026, month, day, hour, minute, second, Shanghai);
}
