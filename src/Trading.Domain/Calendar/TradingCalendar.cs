namespace Trading.Domain.Calendar;

/// <summary>
/// Trading days as found in the data (an exchange calendar is the set of days with bars). Lookups are binary
/// searches over a sorted array.
/// </summary>
public sealed class TradingCalendar
{
    private readonly DateOnly[] _days;

    public TradingCalendar(IEnumerable<DateOnly> days)
    {
        _days = days.Distinct().Order().ToArray();
    }

    public IReadOnlyList<DateOnly> Days => _days;

    public int Count => _days.Length;

    public DateOnly First => _days.Length > 0 ? _days[0] : throw new InvalidOperationException("The calendar is empty.");

    public DateOnly Last => _days.Length > 0 ? _days[^1] : throw new InvalidOperationException("The calendar is empty.");

    public bool IsTradingDay(DateOnly date) => Array.BinarySearch(_days, date) >= 0;

    /// <summary>The index of a trading day, or −1.</summary>
    public int IndexOf(DateOnly date) => Math.Max(-1, Array.BinarySearch(_days, date));

    /// <summary>The first trading day strictly after <paramref name="date"/>, or null past the end.</summary>
    public DateOnly? Next(DateOnly date)
    {
        int i = Array.BinarySearch(_days, date);
        i = i >= 0 ? i + 1 : ~i;
        return i < _days.Length ? _days[i] : null;
    }

    /// <summary>The last trading day strictly before <paramref name="date"/>, or null before the start.</summary>
    public DateOnly? Previous(DateOnly date)
    {
        int i = Array.BinarySearch(_days, date);
        i = i >= 0 ? i - 1 : ~i - 1;
        return i >= 0 ? _days[i] : null;
    }

    /// <summary>The trading day <paramref name="n"/> days after (or before, when negative) a trading day.</summary>
    public DateOnly? Offset(DateOnly tradingDay, int n)
    {
        int i = Array.BinarySearch(_days, tradingDay);
        if (i < 0) throw new ArgumentException($"{tradingDay:yyyy-MM-dd} is not a trading day.", nameof(tradingDay));
        int j = i + n;
        return j >= 0 && j < _days.Length ? _days[j] : null;
    }

    /// <summary>Trading days in [from, to], both inclusive.</summary>
    public ReadOnlySpan<DateOnly> Between(DateOnly from, DateOnly to)
    {
        int a = Array.BinarySearch(_days, from); a = a >= 0 ? a : ~a;
        int b = Array.BinarySearch(_days, to); b = b >= 0 ? b + 1 : ~b;
        return b > a ? _days.AsSpan(a, b - a) : [];
    }

    /// <summary>Number of trading days from <paramref name="from"/> (index 0) to <paramref name="to"/>; both must be trading days.</summary>
    public int TradingDaysBetween(DateOnly from, DateOnly to) => IndexOfStrict(to) - IndexOfStrict(from);

    private int IndexOfStrict(DateOnly date)
    {
        int i = Array.BinarySearch(_days, date);
        return i >= 0 ? i : throw new ArgumentException($"{date:yyyy-MM-dd} is not a trading day.", nameof(date));
    }
}
