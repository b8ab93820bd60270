using Trading.Domain.Calendar;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class TradingCalendarTests
{
    // Real SZSE trading days around the 2024 Spring Festival (2024-02-09 .. 2024-02-18 closed) and weekends,
    // taken from /work/shared/data/ashare-2024/daily.csv.gz.
    private static readonly TradingCalendar Cal = new(
    [
        D("2024-02-05"), D("2024-02-06"), D("2024-02-07"), D("2024-02-08"),
        D("2024-02-19"), D("2024-02-20"), D("2024-02-21"), D("2024-02-22"), D("2024-02-23"),
        D("2024-02-26"),
    ]);

    [Fact]
    public void Shape()
    {
        Assert.Equal(10, Cal.Count);
        Assert.Equal(D("2024-02-05"), Cal.First);
        Assert.Equal(D("2024-02-26"), Cal.Last);
        Assert.Equal(10, Cal.Days.Count);
    }

    [Theory]
    [InlineData("2024-02-05", true)]
    [InlineData("2024-02-08", true)]
    [InlineData("2024-02-09", false)]  // holiday (Friday)
    [InlineData("2024-02-10", false)]  // Saturday
    [InlineData("2024-02-12", false)]  // holiday (Monday)
    [InlineData("2024-02-18", false)]
    [InlineData("2024-02-19", true)]
    [InlineData("2024-02-24", false)]  // Saturday
    [InlineData("2024-02-26", true)]
    [InlineData("2024-02-04", false)]  // before the first day
    [InlineData("2024-02-27", false)]  // after the last day
    public void IsTradingDay(string date, bool expected)
    {
        Assert.Equal(expected, Cal.IsTradingDay(D(date)));
    }

    [Theory]
    [InlineData("2024-02-05", "2024-02-06")]
    [InlineData("2024-02-08", "2024-02-19")]  // over the holiday
    [InlineData("2024-02-10", "2024-02-19")]  // from inside the holiday
    [InlineData("2024-02-18", "2024-02-19")]
    [InlineData("2024-02-23", "2024-02-26")]  // over a weekend
    [InlineData("2024-02-24", "2024-02-26")]
    [InlineData("2024-01-01", "2024-02-05")]  // before the first day
    [InlineData("2024-02-04", "2024-02-05")]
    [InlineData("2024-02-26", null)]          // the last day
    [InlineData("2024-03-01", null)]          // past the end
    public void Next(string date, string? expected)
    {
        Assert.Equal(expected is null ? null : D(expected), Cal.Next(D(date)));
    }

    [Theory]
    [InlineData("2024-02-06", "2024-02-05")]
    [InlineData("2024-02-19", "2024-02-08")]  // over the holiday
    [InlineData("2024-02-12", "2024-02-08")]  // from inside the holiday
    [InlineData("2024-02-09", "2024-02-08")]
    [InlineData("2024-02-26", "2024-02-23")]  // over a weekend
    [InlineData("2024-02-25", "2024-02-23")]
    [InlineData("2024-03-10", "2024-02-26")]  // past the end
    [InlineData("2024-02-27", "2024-02-26")]
    [InlineData("2024-02-05", null)]          // the first day
    [InlineData("2024-01-01", null)]          // before the start
    public void Previous(string date, string? expected)
    {
        Assert.Equal(expected is null ? null : D(expected), Cal.Previous(D(date)));
    }

    [Theory]
    [InlineData("2024-02-08", 1, "2024-02-19")]
    [InlineData("2024-02-19", -1, "2024-02-08")]
    [InlineData("2024-02-05", 0, "2024-02-05")]
    [InlineData("2024-02-07", 3, "2024-02-20")]
    [InlineData("2024-02-26", -5, "2024-02-19")]
    [InlineData("2024-02-26", -6, "2024-02-08")]
    [InlineData("2024-02-05", 9, "2024-02-26")]
    [InlineData("2024-02-26", -9, "2024-02-05")]
    [InlineData("2024-02-05", 10, null)]
    [InlineData("2024-02-05", -1, null)]
    [InlineData("2024-02-26", 1, null)]
    public void Offset(string day, int n, string? expected)
    {
        Assert.Equal(expected is null ? null : D(expected), Cal.Offset(D(day), n));
    }

    [Theory]
    [InlineData("2024-02-09")]
    [InlineData("2024-02-04")]
    [InlineData("2024-02-27")]
    public void Offset_from_a_non_trading_day_throws(string day)
    {
        var ex = Assert.Throws<ArgumentException>(() => Cal.Offset(D(day), 1));
        Assert.Contains(day, ex.Message);
    }

    [Theory]
    [InlineData("2024-02-07", "2024-02-20", "2024-02-07,2024-02-08,2024-02-19,2024-02-20")]
    [InlineData("2024-02-09", "2024-02-18", "")]                       // the whole holiday
    [InlineData("2024-01-01", "2024-02-06", "2024-02-05,2024-02-06")]  // starts before the calendar
    [InlineData("2024-02-23", "2024-03-31", "2024-02-23,2024-02-26")]  // ends after it
    [InlineData("2024-02-10", "2024-02-19", "2024-02-19")]             // non-trading start
    [InlineData("2024-02-08", "2024-02-18", "2024-02-08")]             // non-trading end
    [InlineData("2024-02-08", "2024-02-08", "2024-02-08")]
    [InlineData("2024-02-20", "2024-02-19", "")]                       // reversed
    [InlineData("2023-01-01", "2023-12-31", "")]                       // entirely before
    [InlineData("2024-03-01", "2024-03-31", "")]                       // entirely after
    [InlineData("2024-01-01", "2024-12-31", "2024-02-05,2024-02-06,2024-02-07,2024-02-08,2024-02-19,2024-02-20,2024-02-21,2024-02-22,2024-02-23,2024-02-26")]
    public void Between_is_inclusive(string from, string to, string expected)
    {
        var days = Cal.Between(D(from), D(to)).ToArray();

        var want = expected.Length == 0 ? [] : expected.Split(',').Select(D).ToArray();
        Assert.Equal(want, days);
    }

    [Theory]
    [InlineData("2024-02-05", 0)]
    [InlineData("2024-02-08", 3)]
    [InlineData("2024-02-19", 4)]
    [InlineData("2024-02-26", 9)]
    [InlineData("2024-02-09", -1)]
    [InlineData("2024-01-01", -1)]
    [InlineData("2025-01-02", -1)]
    public void IndexOf(string date, int index)
    {
        Assert.Equal(index, Cal.IndexOf(D(date)));
    }

    [Theory]
    [InlineData("2024-02-08", "2024-02-19", 1)]
    [InlineData("2024-02-05", "2024-02-26", 9)]
    [InlineData("2024-02-26", "2024-02-05", -9)]
    [InlineData("2024-02-19", "2024-02-19", 0)]
    public void TradingDaysBetween(string from, string to, int n)
    {
        Assert.Equal(n, Cal.TradingDaysBetween(D(from), D(to)));
    }

    [Fact]
    public void TradingDaysBetween_needs_trading_days()
    {
        Assert.Throws<ArgumentException>(() => Cal.TradingDaysBetween(D("2024-02-09"), D("2024-02-19")));
        Assert.Throws<ArgumentException>(() => Cal.TradingDaysBetween(D("2024-02-08"), D("2024-02-18")));
    }

    [Fact]
    public void Duplicates_and_unsorted_input_are_normalised()
    {
        var cal = new TradingCalendar([D("2024-02-19"), D("2024-02-05"), D("2024-02-19"), D("2024-02-08"), D("2024-02-05")]);

        Assert.Equal([D("2024-02-05"), D("2024-02-08"), D("2024-02-19")], cal.Days);
        Assert.Equal(3, cal.Count);
        Assert.Equal(D("2024-02-05"), cal.First);
        Assert.Equal(D("2024-02-19"), cal.Last);
        Assert.Equal(D("2024-02-19"), cal.Next(D("2024-02-08")));
        Assert.Equal(D("2024-02-05"), cal.Previous(D("2024-02-08")));
        Assert.Equal(2, cal.IndexOf(D("2024-02-19")));
        Assert.Equal(D("2024-02-19"), cal.Offset(D("2024-02-05"), 2));
    }

    [Fact]
    public void An_empty_calendar()
    {
        var cal = new TradingCalendar([]);

        Assert.Equal(0, cal.Count);
        Assert.Throws<InvalidOperationException>(() => cal.First);
        Assert.Throws<InvalidOperationException>(() => cal.Last);
        Assert.False(cal.IsTradingDay(D("2024-02-05")));
        Assert.Equal(-1, cal.IndexOf(D("2024-02-05")));
        Assert.Null(cal.Next(D("2024-02-05")));
        Assert.Null(cal.Previous(D("2024-02-05")));
        Assert.Equal(0, cal.Between(D("2024-01-01"), D("2024-12-31")).Length);
        Assert.Throws<ArgumentException>(() => cal.Offset(D("2024-02-05"), 0));
    }

    [Fact]
    public void A_single_day_calendar()
    {
        var cal = new TradingCalendar([D("2024-10-08")]);

        Assert.Equal(D("2024-10-08"), cal.Next(D("2024-09-30")));
        Assert.Null(cal.Next(D("2024-10-08")));
        Assert.Equal(D("2024-10-08"), cal.Previous(D("2024-10-09")));
        Assert.Null(cal.Previous(D("2024-10-08")));
        Assert.Equal(D("2024-10-08"), cal.Offset(D("2024-10-08"), 0));
        Assert.Null(cal.Offset(D("2024-10-08"), 1));
    }
}
