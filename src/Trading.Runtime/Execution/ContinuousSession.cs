using Trading.Domain.Calendar;

namespace Trading.Runtime.Execution;

/// <summary>
/// Time on the continuous session's own axis (A_SHARE_RULES.md §1.2): minutes of continuous trading since 09:30, the
/// lunch break (11:30–13:00) left out, 237 at 14:57 (the closing call auction is not continuous trading). Execution
/// algos space their slices and weigh their volume on this axis, so no slice falls into the break.
/// </summary>
public static class ContinuousSession
{
    public static readonly TimeOnly MorningOpen = TradingSessions.Open, MorningClose = new(11, 30), AfternoonOpen = new(13, 0), AfternoonClose = new(14, 57);

    private static readonly TimeSpan Morning = MorningClose - MorningOpen;

    /// <summary>Continuous trading in a day: 2 h + 1 h 57 min.</summary>
    public static readonly TimeSpan Length = Morning + (AfternoonClose - AfternoonOpen);

    /// <summary>Continuous trading before <paramref name="t"/> (0 before the open, <see cref="Length"/> after 14:57).</summary>
    public static TimeSpan Elapsed(TimeOnly t) =>
        t <= MorningOpen ? TimeSpan.Zero
        : t <= MorningClose ? t - MorningOpen
        : t <= AfternoonOpen ? Morning
        : t <= AfternoonClose ? Morning + (t - AfternoonOpen)
        : Length;

    /// <summary>
    /// The clock time at which <paramref name="elapsed"/> of continuous trading has passed, as the start of what comes
    /// next: the end of the morning is 13:00, not 11:30 (a slice starting there is sent when trading resumes).
    /// </summary>
    public static TimeOnly At(TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero) return MorningOpen;
        if (elapsed < Morning) return MorningOpen.Add(elapsed);
        if (elapsed >= Length) return AfternoonClose;
        return AfternoonOpen.Add(elapsed - Morning);
    }

    /// <summary>Whether a continuous-trading segment holds <paramref name="t"/> as a start ([09:30, 11:30) or [13:00, 14:57)).</summary>
    public static bool CanStartAt(TimeOnly t) => (t >= MorningOpen && t < MorningClose) || (t >= AfternoonOpen && t < AfternoonClose);

    /// <summary>Whether <paramref name="t"/> can end a stretch of continuous trading ((09:30, 11:30] or (13:00, 14:57]).</summary>
    public static bool CanEndAt(TimeOnly t) => (t > MorningOpen && t <= MorningClose) || (t > AfternoonOpen && t <= AfternoonClose);
}
