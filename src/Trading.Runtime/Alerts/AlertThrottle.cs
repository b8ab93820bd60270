namespace Trading.Runtime.Alerts;

/// <summary>
/// De-duplication: the first alert of a kind + source + symbol is sent, the same again within the window only
/// counted; the next one after the window is sent with that count ("+7 more since 10:02:11"). Pure (the caller
/// passes the time), so the notifier's rules are testable without an actor system.
/// </summary>
public sealed class AlertDedup(TimeSpan window)
{
    private sealed class Seen
    {
        public DateTimeOffset First;
        public int Repeats;
    }

    private readonly Dictionary<(string Kind, string Source, string? Symbol), Seen> _seen = [];

    /// <summary>Null: a repeat within the window (counted); otherwise how many repeats were swallowed before this one.</summary>
    public (int Repeats, DateTimeOffset Since)? Admit(string kind, string source, string? symbol, DateTimeOffset now)
    {
        var key = (kind, source, symbol);
        if (_seen.TryGetValue(key, out var s) && now - s.First < window)
        {
            s.Repeats++;
            return null;
        }
        var before = s is null ? (0, now) : (s.Repeats, s.First);
        _seen[key] = new Seen { First = now };
        if (_seen.Count > 10_000) Prune(now); // a node alerting on ever new symbols must not grow this without end
        return before;
    }

    /// <summary>Forgets <paramref name="kind"/> from <paramref name="source"/>: its next alert is sent at once (a resolved problem coming back is news).</summary>
    public void Forget(string kind, string source)
    {
        foreach (var key in _seen.Keys.Where(k => k.Kind == kind && k.Source == source).ToList()) _seen.Remove(key);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, s) in _seen.Where(kv => now - kv.Value.First >= window).ToList()) _seen.Remove(key);
    }
}

/// <summary>
/// One sink's rate limit: a token bucket of <c>perMinute</c> tokens refilled evenly over a minute (a burst of that
/// many passes at once, then one every 60/perMinute s). Alerts refused are held, counted by kind, and go out as one
/// summary when the summary window that the first of them opened ends — a storm becomes one message.
/// <para>
/// Hand-written rather than System.Threading.RateLimiting's <c>TokenBucketRateLimiter</c>: that one reads the
/// machine's Stopwatch, while the notifier's time is an injected <see cref="TimeProvider"/> so its tests are exact.
/// </para>
/// </summary>
public sealed class SinkRateLimit(int perMinute)
{
    private double _tokens = perMinute;
    private DateTimeOffset? _last;
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private AlertSeverity _heldSeverity;

    /// <summary>Alerts held for the next summary.</summary>
    public int Held => _held.Values.Sum();

    /// <summary>Takes a token if one is there; false: the caller <see cref="Hold"/>s the alert.</summary>
    public bool TryTake(DateTimeOffset now)
    {
        if (_last is { } last && now > last) _tokens = Math.Min(perMinute, _tokens + (now - last).TotalMinutes * perMinute);
        if (_last is null || now > _last) _last = now;
        if (_tokens < 1 - 1e-9) return false; // (refills of fractions add up to 0.999…)
        _tokens -= 1;
        return true;
    }

    /// <summary>Holds a refused alert; true when it is the first held (the caller starts the summary window).</summary>
    public bool Hold(string kind, AlertSeverity severity)
    {
        bool first = _held.Count == 0;
        _held[kind] = _held.GetValueOrDefault(kind) + 1;
        if (first || severity > _heldSeverity) _heldSeverity = severity;
        return first;
    }

    /// <summary>The held alerts as one summary ("12 more alerts: 8 risk-reject, 4 stuck-order") and forgets them; null when none.</summary>
    public (string Text, AlertSeverity Severity, int Count)? TakeSummary()
    {
        if (_held.Count == 0) return null;
        int total = Held;
        var parts = _held.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key}");
        var text = $"{total} more alert{(total == 1 ? "" : "s")}: {string.Join(", ", parts)}";
        _held.Clear();
        return (text, _heldSeverity, total);
    }
}
