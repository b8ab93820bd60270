using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Trading.Domain.Calendar;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Clock;

/// <summary>What a live node does when a scheduled rebalance time has passed before the clock could fire it.</summary>
public enum LateRebalance
{
    /// <summary>The missed rebalance is reported (<see cref="ScheduledJobMissed"/>) and not run that day.</summary>
    Skip,

    /// <summary>The rebalance runs as soon as the clock notices, if that is before the cancel-open-orders time.</summary>
    Run,
}

/// <summary>
/// The live node's day, in Shanghai time (HOCON <c>trading.schedule</c>): day start (T+1 roll, corporate actions,
/// counters), the pre-open hook, the rebalance, intraday monitors every <see cref="MonitorEvery"/> during continuous
/// trading, the cancel of every open order before the close, and the post-close mark-to-market and report.
/// Read strictly through <see cref="ConfigBlock"/>; every inconsistency is a one-line <see cref="ConfigException"/>
/// naming the file and the key.
/// </summary>
public sealed record TradingSchedule
{
    public TimeOnly DayStart { get; init; } = new(8, 45);
    public TimeOnly PreOpen { get; init; } = new(9, 0);
    public TimeOnly Rebalance { get; init; } = new(9, 35);

    /// <summary>Interval of the intraday monitors, null: none.</summary>
    public TimeSpan? MonitorEvery { get; init; } = TimeSpan.FromSeconds(60);

    public TimeOnly CancelOpenOrders { get; init; } = new(14, 55);
    public TimeOnly PostClose { get; init; } = new(15, 30);

    /// <summary>A rebalance fired more than this after its time counts as late (then <see cref="LateRebalance"/> decides).</summary>
    public TimeSpan LateAfter { get; init; } = TimeSpan.FromSeconds(60);

    public LateRebalance LateRebalance { get; init; } = LateRebalance.Skip;

    /// <summary>The exchange's zone: A-share sessions are Beijing time whatever the host's zone.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>Weekday exchange holidays after the store's last day (the exchanges' annual notice).</summary>
    public IReadOnlyList<DateOnly> Holidays { get; init; } = [];

    public static TradingSchedule Default { get; } = new();

    public static readonly IReadOnlyCollection<string> KnownKeys =
    [
        "day-start", "pre-open", "rebalance", "monitor-every", "cancel-open-orders", "post-close", "late-after",
        "late-rebalance", "time-zone", "holidays",
    ];

    public const string Key = "trading.schedule";

    /// <summary>The <c>trading.schedule</c> block of <paramref name="root"/> (defaults when absent), validated.</summary>
    public static TradingSchedule Parse(Config root, string file)
    {
        var b = ConfigBlock.Root(root, file).Block(Key, KnownKeys);
        if (b is null) return Default;
        var d = Default;
        var s = new TradingSchedule
        {
            DayStart = Time(b, "day-start", d.DayStart),
            PreOpen = Time(b, "pre-open", d.PreOpen),
            Rebalance = Time(b, "rebalance", d.Rebalance),
            MonitorEvery = b.Text("monitor-every") is { } m
                ? m.Trim().Equals("off", StringComparison.OrdinalIgnoreCase) ? null : Duration(b, "monitor-every", m, 1, 3600)
                : d.MonitorEvery,
            CancelOpenOrders = Time(b, "cancel-open-orders", d.CancelOpenOrders),
            PostClose = Time(b, "post-close", d.PostClose),
            LateAfter = b.Text("late-after") is { } l ? Duration(b, "late-after", l, 1, 3600) : d.LateAfter,
            LateRebalance = b.Enum("late-rebalance", d.LateRebalance),
            TimeZone = b.Text("time-zone") is { } z ? Zone(b, z) : d.TimeZone,
            Holidays = ReadHolidays(b),
        };
        s.Validate(b);
        return s;
    }

    private void Validate(ConfigBlock b)
    {
        string At(string key, TimeOnly t) => $"{b.Where(key)} = '{t:HH\\:mm\\:ss}'";
        if (DayStart >= PreOpen)
            throw new ConfigException($"{At("day-start", DayStart)} must be before pre-open ({PreOpen:HH\\:mm\\:ss}).");
        if (PreOpen >= TradingSessions.Open)
            throw new ConfigException($"{At("pre-open", PreOpen)} must be before the continuous open (09:30).");
        if (TradingSessions.PhaseAt(Rebalance) != SessionPhase.Continuous)
            throw new ConfigException($"{At("rebalance", Rebalance)} must be inside continuous trading (09:30–11:30 or 13:00–14:57).");
        if (TradingSessions.At(CancelOpenOrders) is not { Phase: SessionPhase.Continuous, CancelAllowed: true })
            throw new ConfigException($"{At("cancel-open-orders", CancelOpenOrders)} must be inside continuous trading (09:30–11:30 or 13:00–14:57): "
                                      + "the closing call auction (14:57–15:00) accepts no cancels.");
        if (CancelOpenOrders <= Rebalance)
            throw new ConfigException($"{At("cancel-open-orders", CancelOpenOrders)} must be after the rebalance ({Rebalance:HH\\:mm\\:ss}).");
        if (PostClose < TradingSessions.Close)
            throw new ConfigException($"{At("post-close", PostClose)} must be at or after the close (15:00).");
    }

    private static readonly Regex TimePattern = new(@"^\s*(\d{2}):(\d{2})(?::(\d{2}))?\s*$", RegexOptions.CultureInvariant);

    private static TimeOnly Time(ConfigBlock b, string key, TimeOnly fallback)
    {
        if (b.Text(key) is not { } t) return fallback;
        var m = TimePattern.Match(t);
        int h = 0, min = 0, sec = 0;
        bool ok = m.Success
                  && int.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out h) && h < 24
                  && int.TryParse(m.Groups[2].Value, CultureInfo.InvariantCulture, out min) && min < 60
                  && (!m.Groups[3].Success || int.TryParse(m.Groups[3].Value, CultureInfo.InvariantCulture, out sec) && sec < 60);
        return ok ? new TimeOnly(h, min, sec) : throw new ConfigException($"{b.Where(key)} = '{t}' must be a Shanghai time HH:mm or HH:mm:ss.");
    }

    /// <summary>A whole number with a unit (<c>60s</c>, <c>5m</c>, <c>1h</c>): a bare number (HOCON's milliseconds) is refused as ambiguous.</summary>
    public static TimeSpan Duration(ConfigBlock b, string key, string text, int minSeconds, int maxSeconds)
    {
        if (!ConfigValues.TryDuration(text, out var span))
            throw new ConfigException($"{b.Where(key)} = '{text}' must be a duration with a unit (60s, 5m, 1h).");
        if (span.Ticks % TimeSpan.TicksPerSecond != 0 || span < TimeSpan.FromSeconds(minSeconds) || span > TimeSpan.FromSeconds(maxSeconds))
            throw new ConfigException($"{b.Where(key)} = '{text}' must be whole seconds between {minSeconds}s and {maxSeconds}s.");
        return span;
    }

    private static TimeZoneInfo Zone(ConfigBlock b, string id)
    {
        TimeZoneInfo zone;
        try { zone = TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new ConfigException($"{b.Where("time-zone")} = '{id}' is not a time zone this host knows (Asia/Shanghai).");
        }
        if (zone.BaseUtcOffset != TimeSpan.FromHours(8) || zone.GetUtcOffset(DateTime.UtcNow) != TimeSpan.FromHours(8))
            throw new ConfigException($"{b.Where("time-zone")} = '{id}' is not Beijing time (UTC+8), the A-share exchanges' zone.");
        return zone;
    }

    private static IReadOnlyList<DateOnly> ReadHolidays(ConfigBlock b)
    {
        if (b.Strings("holidays") is not { } list) return [];
        var days = new List<DateOnly>(list.Count);
        for (int i = 0; i < list.Count; i++)
            days.Add(DateOnly.TryParseExact(list[i], ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d : throw new ConfigException($"{b.File}: '{b.Full("holidays")}[{i}]' = '{list[i]}' must be a date YYYY-MM-DD."));
        return days;
    }
}
