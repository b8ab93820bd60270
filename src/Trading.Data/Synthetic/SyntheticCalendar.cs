namespace Trading.Data.Synthetic;

/// <summary>
/// A deterministic, approximate SSE/SZSE holiday calendar for synthetic data: weekdays minus New Year's Day, the
/// Spring Festival week (eve to the fifth day, from a table of lunar new year dates 2000-2030, extended by the
/// 19-year Metonic cycle), Qingming (4 April), Labour Day (1-3 May), Dragon Boat and Mid-Autumn (lunar new year
/// + 123 and + 221 days, approximations) and National Day (1-7 October). About 245 trading days a year.
/// Not the exchange's published calendar: real data must use the days found in the data.
/// </summary>
public static class SyntheticCalendar
{
    // Gregorian date of the lunar new year (春节), 2000-2030, as (month, day).
    private static readonly (byte Month, byte Day)[] LunarNewYear2000 =
    [
        (2, 5), (1, 24), (2, 12), (2, 1), (1, 22), (2, 9), (1, 29), (2, 18), (2, 7), (1, 26), // 2000-2009
        (2, 14), (2, 3), (1, 23), (2, 10), (1, 31), (2, 19), (2, 8), (1, 28), (2, 16), (2, 5), // 2010-2019
        (1, 25), (2, 12), (2, 1), (1, 22), (2, 10), (1, 29), (2, 17), (2, 6), (1, 26), (2, 13), // 2020-2029
        (2, 3), // 2030
    ];

    /// <summary>The lunar new year's day in <paramref name="year"/> (tabulated 2000-2030, else the date 19·k years away).</summary>
    public static DateOnly LunarNewYear(int year)
    {
        int y = year;
        while (y > 2030) y -= 19;
        while (y < 2000) y += 19;
        var (month, day) = LunarNewYear2000[y - 2000];
        return new DateOnly(year, month, day);
    }

    /// <summary>True on the weekday holidays of this synthetic calendar (weekends are not "holidays" here).</summary>
    public static bool IsHoliday(DateOnly date)
    {
        int m = date.Month, d = date.Day;
        if (m == 1 && d == 1) return true;
        if (m == 4 && d == 4) return true;
        if (m == 5 && d <= 3) return true;
        if (m == 10 && d <= 7) return true;
        // Lunar holidays: the new year may fall in the previous Gregorian year's range only for this year's dates.
        int lny = LunarNewYear(date.Year).DayNumber;
        int n = date.DayNumber - lny;
        if (n is >= -1 and <= 5) return true;       // Spring Festival: eve .. 5th day
        if (n == 123) return true;                  // Dragon Boat (approx.)
        if (n == 221) return true;                  // Mid-Autumn (approx.)
        return false;
    }

    public static bool IsTradingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !IsHoliday(date);

    /// <summary>The first <paramref name="count"/> trading days on or after <paramref name="start"/>.</summary>
    public static DateOnly[] TradingDays(DateOnly start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var days = new DateOnly[count];
        var date = start;
        for (int i = 0; i < count; date = date.AddDays(1))
            if (IsTradingDay(date)) days[i++] = date;
        return days;
    }
}
