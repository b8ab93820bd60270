using System.Globalization;
using System.Text.RegularExpressions;
using Trading.Runtime.Clock;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Execution;

/// <summary>How a parent order reaches the market: whole at once (today's behaviour), or sliced over a window.</summary>
public enum ExecutionAlgo
{
    /// <summary>One order, sent at once.</summary>
    Immediate,

    /// <summary>Equal slices at evenly spaced times of the window (time-weighted).</summary>
    Twap,

    /// <summary>Slices at the same times, weighted by the intraday volume profile (volume-weighted).</summary>
    Vwap,
}

/// <summary>
/// A stretch of continuous trading in Shanghai time, <c>09:35-14:50</c>: it starts and ends inside the continuous
/// session (09:30–11:30, 13:00–14:57; A_SHARE_RULES.md §1.2) and may span the lunch break.
/// </summary>
public readonly record struct TradingWindow(TimeOnly Start, TimeOnly End)
{
    public static readonly TradingWindow Default = new(new TimeOnly(9, 35), new TimeOnly(14, 50));

    private static readonly Regex Pattern = new(@"^\s*(\d{2}:\d{2}(?::\d{2})?)\s*-\s*(\d{2}:\d{2}(?::\d{2})?)\s*$", RegexOptions.CultureInvariant);

    /// <summary>The window as <c>HH:mm-HH:mm</c> (seconds when set), as it is written in a config file.</summary>
    public override string ToString() => $"{Text(Start)}-{Text(End)}";

    private static string Text(TimeOnly t) => t.ToString(t.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The window written <c>HH:mm-HH:mm</c>, or why it is not one (null when it is).</summary>
    public static TradingWindow Parse(string text, out string? error)
    {
        error = null;
        var m = Pattern.Match(text);
        if (!m.Success
            || !TimeOnly.TryParseExact(m.Groups[1].Value, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !TimeOnly.TryParseExact(m.Groups[2].Value, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            error = "must be two Shanghai times HH:mm-HH:mm";
            return default;
        }
        if (!ContinuousSession.CanStartAt(start))
            error = $"must start inside continuous trading (09:30–11:30 or 13:00–14:57), not at {Text(start)}";
        else if (!ContinuousSession.CanEndAt(end))
            error = $"must end inside continuous trading (09:30–11:30 or 13:00–14:57), not at {Text(end)}";
        else if (ContinuousSession.Elapsed(end) <= ContinuousSession.Elapsed(start))
            error = "must end after it starts (and hold some continuous trading)";
        return new TradingWindow(start, end);
    }
}

/// <summary>
/// A strategy's execution algo (HOCON <c>strategy.execution</c>): <c>algo = immediate | twap | vwap</c>, <c>window</c>,
/// <c>slices</c>, <c>participation</c> (of the previous day's volume per slice, 0 = no cap), <c>reprice-after</c> (a
/// duration, or off), <c>reprice-ticks</c> and the VWAP <c>profile</c>. The defaults keep today's behaviour: immediate.
/// </summary>
public sealed record ExecutionAlgoOptions
{
    public ExecutionAlgo Algo { get; init; } = ExecutionAlgo.Immediate;
    public TradingWindow Window { get; init; } = TradingWindow.Default;
    public int Slices { get; init; } = 8;

    /// <summary>At most this share of the previous day's volume in one slice (0: no cap).</summary>
    public double Participation { get; init; }

    /// <summary>A child still unfilled this long after it was decided is cancelled and its rest re-priced (null: never).</summary>
    public TimeSpan? RepriceAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many ticks inside the price cage's edge a replacement is priced (0: at the edge).</summary>
    public int RepriceTicks { get; init; } = 2;

    public VolumeProfile Profile { get; init; } = VolumeProfile.Default;

    public static ExecutionAlgoOptions Immediate { get; } = new();

    /// <summary>Whether parents are sliced (any algo but immediate).</summary>
    public bool Slicing => Algo != ExecutionAlgo.Immediate;

    public static readonly IReadOnlyList<string> Keys = ["algo", "window", "slices", "participation", "reprice-after", "reprice-ticks", "profile"];

    /// <summary>The algo keys of a strategy's <c>execution</c> block; every bad value is a one-line error naming the key.</summary>
    public static ExecutionAlgoOptions Parse(ConfigBlock x)
    {
        var d = Immediate;
        var window = d.Window;
        if (x.Text("window") is { } w)
        {
            window = TradingWindow.Parse(w, out var error);
            if (error is not null) throw new ConfigException($"{x.Where("window")} = '{w}' {error}.");
        }
        var reprice = d.RepriceAfter;
        if (x.Text("reprice-after") is { } r)
            reprice = r.Trim().Equals("off", StringComparison.OrdinalIgnoreCase) ? null : TradingSchedule.Duration(x, "reprice-after", r, 1, 3600);
        return new ExecutionAlgoOptions
        {
            Algo = x.Enum("algo", d.Algo),
            Window = window,
            Slices = x.Int("slices", d.Slices, 1, 100),
            Participation = x.Double("participation", d.Participation, 0, 1),
            RepriceAfter = reprice,
            RepriceTicks = x.Int("reprice-ticks", d.RepriceTicks, 0, 100),
            Profile = ParseProfile(x) ?? d.Profile,
        };
    }

    private static VolumeProfile? ParseProfile(ConfigBlock x)
    {
        if (x.Strings("profile") is not { } list) return null;
        if (list.Count != VolumeProfile.Buckets)
            throw new ConfigException($"{x.Where("profile")} must list {VolumeProfile.Buckets} weights, one per half hour of continuous trading (09:30 … 14:30), not {list.Count}.");
        var weights = new double[list.Count];
        for (int i = 0; i < list.Count; i++)
            weights[i] = ConfigValues.Number(list[i], $"{x.File}: '{x.Full("profile")}[{i}]'", 0.0, 1e6)!.Value;
        if (weights.Sum() <= 0) throw new ConfigException($"{x.Where("profile")} needs at least one positive weight.");
        return new VolumeProfile(weights);
    }
}
