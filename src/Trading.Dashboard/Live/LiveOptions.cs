using Akka.Configuration;
using Trading.Runtime.Configuration;

namespace Trading.Dashboard.Live;

/// <summary>How the live feed polls and pushes: the <c>trading.dashboard.live</c> block of a node's HOCON (<see cref="From"/>).</summary>
public sealed record LiveOptions
{
    /// <summary>How often the read models are read again while a page is connected (<c>poll-interval</c>, default 500ms).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>At most this many <c>update</c> messages a second; faster changes are merged into the next (<c>max-pushes-per-second</c>, default 10).</summary>
    public int MaxPushesPerSecond { get; init; } = 10;
    /// <summary>Events waiting for the next push beyond this are dropped, oldest first, and counted (<c>max-pending-events</c>, default 200).</summary>
    public int MaxPendingEvents { get; init; } = 200;

    /// <summary>
    /// The options of a <c>live</c> block (null or missing keys: the defaults); a bad value is a <see cref="ConfigException"/>
    /// naming <paramref name="where"/> and the key.
    /// </summary>
    public static LiveOptions From(Config? live, string where = "trading.dashboard.live")
    {
        var o = new LiveOptions();
        if (live is null || live.IsEmpty) return o;
        if (live.HasPath("poll-interval"))
        {
            var text = live.GetString("poll-interval");
            if (!ConfigValues.TryDuration(text, out var poll))
                throw new ConfigException($"{where}.poll-interval = '{text}' must be a duration such as 500ms or 2s.");
            o = o with { PollInterval = poll };
        }
        if (live.HasPath("max-pushes-per-second"))
            o = o with { MaxPushesPerSecond = (int)ConfigValues.Integer(live.GetString("max-pushes-per-second"), $"{where}.max-pushes-per-second", 1, 1000)!.Value };
        if (live.HasPath("max-pending-events"))
            o = o with { MaxPendingEvents = (int)ConfigValues.Integer(live.GetString("max-pending-events"), $"{where}.max-pending-events", 1, 100_000)!.Value };
        return o.Validated(where);
    }

    public LiveOptions Validated(string where = "trading.dashboard.live")
    {
        if (PollInterval < TimeSpan.FromMilliseconds(50) || PollInterval > TimeSpan.FromMinutes(10))
            throw new ConfigException($"{where}.poll-interval = {PollInterval.TotalMilliseconds:0}ms must be between 50ms and 10m.");
        if (MaxPushesPerSecond is < 1 or > 1000)
            throw new ConfigException($"{where}.max-pushes-per-second = {MaxPushesPerSecond} must be a whole number in [1, 1000].");
        if (MaxPendingEvents is < 1 or > 100_000)
            throw new ConfigException($"{where}.max-pending-events = {MaxPendingEvents} must be a whole number in [1, 100000].");
        return this;
    }
}
