namespace Trading.Domain.Rules;

/// <summary>One value of a market setting, in force from <see cref="From"/> until the next entry, with its source.</summary>
public sealed record Dated<T>(DateOnly From, T Value, string Source);

/// <summary>
/// A market setting that has changed over time (a price band, a fee rate). Rates and bands are never constants:
/// A_SHARE_RULES.md marks most of them [P] or [U], so each entry names where it comes from and when it began.
/// </summary>
public sealed class DatedSetting<T>
{
    private readonly Dated<T>[] _entries;

    public DatedSetting(string name, params Dated<T>[] entries)
    {
        if (entries.Length == 0) throw new ArgumentException($"Setting '{name}' needs at least one dated value.", nameof(entries));
        Name = name;
        _entries = entries.OrderBy(e => e.From).ToArray();
        for (int i = 1; i < _entries.Length; i++)
            if (_entries[i].From == _entries[i - 1].From)
                throw new ArgumentException($"Setting '{name}' has two values from {_entries[i].From:yyyy-MM-dd}.", nameof(entries));
    }

    public string Name { get; }

    public IReadOnlyList<Dated<T>> Entries => _entries;

    /// <summary>A setting with a single value since <see cref="DateOnly.MinValue"/>.</summary>
    public static DatedSetting<T> Always(string name, T value, string source) =>
        new(name, new Dated<T>(DateOnly.MinValue, value, source));

    /// <summary>The value in force on <paramref name="date"/>.</summary>
    public T At(DateOnly date) => EntryAt(date).Value;

    public Dated<T> EntryAt(DateOnly date)
    {
        int lo = 0, hi = _entries.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (_entries[mid].From <= date) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        if (found < 0)
            throw new InvalidOperationException(
                $"Setting '{Name}' has no value on {date:yyyy-MM-dd}; its first value starts {_entries[0].From:yyyy-MM-dd}.");
        return _entries[found];
    }

    /// <summary>A copy with one more value from <paramref name="from"/> (replacing any value that starts the same day).</summary>
    public DatedSetting<T> With(DateOnly from, T value, string source) =>
        new(Name, _entries.Where(e => e.From != from).Append(new Dated<T>(from, value, source)).ToArray());
}
