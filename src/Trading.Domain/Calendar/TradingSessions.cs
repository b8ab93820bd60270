namespace Trading.Domain.Calendar;

public enum SessionPhase : byte
{
    Closed = 0,
    OpeningAuction = 2,
    PreOpen = 4,
    Continuous = 3,
    ClosingAuction = 8,
    AfterHoursFixedPrice = 9,
}

/// <summary>One phase of the trading day, [Start, End).</summary>
public sealed record SessionSegment(TimeOnly Start, TimeOnly End, SessionPhase Phase, bool CancelAllowed);

/// <summary>
/// The A-share trading day (A_SHARE_RULES.md §1.2 [P]). Phase numbers follow xtdata's get_trading_time types
/// (2 opening auction, 3 continuous, 8 closing auction, 9 after-hours).
/// </summary>
public static class TradingSessions
{
    public static IReadOnlyList<SessionSegment> Segments { get; } =
    [
        new(new(9, 15), new(9, 20), SessionPhase.OpeningAuction, true),
        new(new(9, 20), new(9, 25), SessionPhase.OpeningAuction, false),
        new(new(9, 25), new(9, 30), SessionPhase.PreOpen, false),
        new(new(9, 30), new(11, 30), SessionPhase.Continuous, true),
        new(new(13, 0), new(14, 57), SessionPhase.Continuous, true),
        new(new(14, 57), new(15, 0), SessionPhase.ClosingAuction, false),
        new(new(15, 5), new(15, 30), SessionPhase.AfterHoursFixedPrice, true),
    ];

    public static TimeOnly Open { get; } = new(9, 30);

    public static TimeOnly Close { get; } = new(15, 0);

    public static SessionSegment? At(TimeOnly time)
    {
        foreach (var s in Segments)
            if (time >= s.Start && time < s.End) return s;
        return null;
    }

    public static SessionPhase PhaseAt(TimeOnly time) => At(time)?.Phase ?? SessionPhase.Closed;
}
