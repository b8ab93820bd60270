using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Trading.Domain.Instruments;
using Trading.Risk;

namespace Trading.Runtime.State;

/// <summary>
/// A read-only dictionary seen through a projection of its values, without copying: the risk guard reads the
/// book's positions as holdings and market values in O(1) instead of building two dictionaries per view.
/// </summary>
internal sealed class ProjectedDictionary<TKey, TSource, TValue>(IReadOnlyDictionary<TKey, TSource> source, Func<TSource, TValue> project)
    : IReadOnlyDictionary<TKey, TValue>
{
    public TValue this[TKey key] => project(source[key]);
    public IEnumerable<TKey> Keys => source.Keys;
    public IEnumerable<TValue> Values => source.Values.Select(project);
    public int Count => source.Count;
    public bool ContainsKey(TKey key) => source.ContainsKey(key);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (source.TryGetValue(key, out var s))
        {
            value = project(s);
            return true;
        }
        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() =>
        source.Select(kv => new KeyValuePair<TKey, TValue>(kv.Key, project(kv.Value))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// One day's quotes, looked up when a rule asks (a proposal touches a few symbols; building a dictionary of every
/// held symbol per proposal was most of the cost of a one-order proposal). Enumeration yields the quotes looked up so far.
/// </summary>
internal sealed class QuoteLookup(Actors.QuoteSource source, DateOnly date) : IReadOnlyDictionary<Symbol, MarketQuote>
{
    private readonly Dictionary<Symbol, MarketQuote?> _seen = [];

    public bool TryGetValue(Symbol key, [MaybeNullWhen(false)] out MarketQuote value)
    {
        if (!_seen.TryGetValue(key, out var q)) _seen[key] = q = source(key, date);
        value = q;
        return q is not null;
    }

    public MarketQuote this[Symbol key] => TryGetValue(key, out var q) ? q : throw new KeyNotFoundException($"No quote for {key} on {date:yyyy-MM-dd}.");
    public bool ContainsKey(Symbol key) => TryGetValue(key, out _);
    public IEnumerable<Symbol> Keys => _seen.Where(kv => kv.Value is not null).Select(kv => kv.Key);
    public IEnumerable<MarketQuote> Values => _seen.Values.OfType<MarketQuote>();
    public int Count => _seen.Values.Count(v => v is not null);

    public IEnumerator<KeyValuePair<Symbol, MarketQuote>> GetEnumerator() =>
        _seen.Where(kv => kv.Value is not null).Select(kv => new KeyValuePair<Symbol, MarketQuote>(kv.Key, kv.Value!)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
