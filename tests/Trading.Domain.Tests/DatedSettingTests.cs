using Trading.Domain.Rules;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class DatedSettingTests
{
    // Entries given out of order on purpose.
    private static readonly DatedSetting<decimal> Rate = new("test rate",
        new Dated<decimal>(D("2023-08-28"), 0.0005m, "third"),
        new Dated<decimal>(D("2008-04-24"), 0.003m, "first"),
        new Dated<decimal>(D("2008-09-19"), 0.001m, "second"));

    [Fact]
    public void Entries_are_sorted_by_start_date()
    {
        Assert.Equal("test rate", Rate.Name);
        Assert.Equal([D("2008-04-24"), D("2008-09-19"), D("2023-08-28")], Rate.Entries.Select(e => e.From).ToArray());
        Assert.Equal(["first", "second", "third"], Rate.Entries.Select(e => e.Source).ToArray());
    }

    [Theory]
    [InlineData("2008-04-24", "0.003", "first")]
    [InlineData("2008-09-18", "0.003", "first")]
    [InlineData("2008-09-19", "0.001", "second")]
    [InlineData("2015-01-05", "0.001", "second")]
    [InlineData("2023-08-27", "0.001", "second")]
    [InlineData("2023-08-28", "0.0005", "third")]
    [InlineData("2099-12-31", "0.0005", "third")]
    public void At_picks_the_entry_in_force(string date, string value, string source)
    {
        Assert.Equal(M(value), Rate.At(D(date)));
        Assert.Equal(source, Rate.EntryAt(D(date)).Source);
    }

    [Theory]
    [InlineData("2008-04-23")]
    [InlineData("1990-12-19")]
    public void Before_the_first_entry_is_an_error(string date)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Rate.At(D(date)));
        Assert.Contains("test rate", ex.Message);
        Assert.Contains(date, ex.Message);
        Assert.Contains("2008-04-24", ex.Message);
    }

    [Fact]
    public void Always_holds_from_the_minimum_date()
    {
        var s = DatedSetting<int>.Always("days", 5, "src");

        Assert.Equal(5, s.At(DateOnly.MinValue));
        Assert.Equal(5, s.At(DateOnly.MaxValue));
        Assert.Equal("src", Assert.Single(s.Entries).Source);
    }

    [Fact]
    public void No_entries_is_an_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DatedSetting<int>("empty"));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void Two_entries_from_the_same_day_is_an_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DatedSetting<int>("dup",
            new Dated<int>(D("2024-01-02"), 1, "a"),
            new Dated<int>(D("2020-01-02"), 0, "b"),
            new Dated<int>(D("2024-01-02"), 2, "c")));
        Assert.Contains("2024-01-02", ex.Message);
    }

    [Fact]
    public void With_on_an_existing_date_replaces_the_entry()
    {
        var changed = Rate.With(D("2023-08-28"), 0.0004m, "replaced");

        Assert.Equal(3, changed.Entries.Count);
        Assert.Equal(0.0004m, changed.At(D("2024-01-02")));
        Assert.Equal("replaced", changed.EntryAt(D("2024-01-02")).Source);
        Assert.Equal(0.001m, changed.At(D("2023-08-27")));
        Assert.Equal("test rate", changed.Name);
        // the original is unchanged
        Assert.Equal(0.0005m, Rate.At(D("2024-01-02")));
    }

    [Fact]
    public void With_on_a_new_date_adds_an_entry_in_order()
    {
        var changed = Rate.With(D("2025-07-07"), 0.0002m, "added").With(D("2000-01-04"), 0.004m, "earliest");

        Assert.Equal(5, changed.Entries.Count);
        Assert.Equal(0.004m, changed.At(D("2000-01-04")));
        Assert.Equal(0.004m, changed.At(D("2008-04-23")));
        Assert.Equal(0.003m, changed.At(D("2008-04-24")));
        Assert.Equal(0.0005m, changed.At(D("2025-07-06")));
        Assert.Equal(0.0002m, changed.At(D("2025-07-07")));
        Assert.Throws<InvalidOperationException>(() => changed.At(D("2000-01-03")));
        Assert.Equal(3, Rate.Entries.Count);
    }

    [Fact]
    public void Many_entries_each_interval()
    {
        // A setting with one entry per year 2001..2020 whose value is the year: checks the binary search on every boundary.
        var entries = Enumerable.Range(2001, 20).Select(y => new Dated<int>(new DateOnly(y, 1, 1), y, $"{y}")).Reverse().ToArray();
        var s = new DatedSetting<int>("yearly", entries);

        for (int y = 2001; y <= 2020; y++)
        {
            Assert.Equal(y, s.At(new DateOnly(y, 1, 1)));
            Assert.Equal(y, s.At(new DateOnly(y, 12, 31)));
        }
        Assert.Equal(2020, s.At(new DateOnly(2030, 6, 1)));
        Assert.Throws<InvalidOperationException>(() => s.At(new DateOnly(2000, 12, 31)));
    }
}
