using Trading.Domain.Calendar;
using static Trading.Domain.Tests.TestValues;

namespace Trading.Domain.Tests;

public class TradingSessionsTests
{
    // A_SHARE_RULES.md §1.2: segments are [Start, End).
    [Theory]
    [InlineData("00:00", SessionPhase.Closed)]
    [InlineData("09:14:59", SessionPhase.Closed)]
    [InlineData("09:15", SessionPhase.OpeningAuction)]
    [InlineData("09:19:59", SessionPhase.OpeningAuction)]
    [InlineData("09:20", SessionPhase.OpeningAuction)]
    [InlineData("09:24:59", SessionPhase.OpeningAuction)]
    [InlineData("09:25", SessionPhase.PreOpen)]
    [InlineData("09:29:59", SessionPhase.PreOpen)]
    [InlineData("09:30", SessionPhase.Continuous)]
    [InlineData("10:30", SessionPhase.Continuous)]
    [InlineData("11:29:59", SessionPhase.Continuous)]
    [InlineData("11:30", SessionPhase.Closed)]
    [InlineData("12:00", SessionPhase.Closed)]
    [InlineData("12:59:59", SessionPhase.Closed)]
    [InlineData("13:00", SessionPhase.Continuous)]
    [InlineData("14:56:59", SessionPhase.Continuous)]
    [InlineData("14:57", SessionPhase.ClosingAuction)]
    [InlineData("14:59:59", SessionPhase.ClosingAuction)]
    [InlineData("15:00", SessionPhase.Closed)]
    [InlineData("15:04:59", SessionPhase.Closed)]
    [InlineData("15:05", SessionPhase.AfterHoursFixedPrice)]
    [InlineData("15:29:59", SessionPhase.AfterHoursFixedPrice)]
    [InlineData("15:30", SessionPhase.Closed)]
    [InlineData("23:59:59", SessionPhase.Closed)]
    public void PhaseAt_boundaries(string time, SessionPhase phase)
    {
        Assert.Equal(phase, TradingSessions.PhaseAt(T(time)));
    }

    [Theory]
    [InlineData("09:15", true)]
    [InlineData("09:19:59", true)]
    [InlineData("09:20", false)]   // no cancellation 09:20-09:25
    [InlineData("09:25", false)]
    [InlineData("09:30", true)]
    [InlineData("13:00", true)]
    [InlineData("14:57", false)]   // closing auction: no cancellation
    [InlineData("15:05", true)]
    public void Cancellation(string time, bool allowed)
    {
        var segment = TradingSessions.At(T(time));

        Assert.NotNull(segment);
        Assert.Equal(allowed, segment.CancelAllowed);
    }

    [Theory]
    [InlineData("09:00")]
    [InlineData("11:30")]
    [InlineData("15:00")]
    [InlineData("15:30")]
    public void At_is_null_outside_the_sessions(string time)
    {
        Assert.Null(TradingSessions.At(T(time)));
    }

    [Fact]
    public void Phase_numbers_follow_xtdata()
    {
        Assert.Equal(0, (int)SessionPhase.Closed);
        Assert.Equal(2, (int)SessionPhase.OpeningAuction);
        Assert.Equal(3, (int)SessionPhase.Continuous);
        Assert.Equal(8, (int)SessionPhase.ClosingAuction);
        Assert.Equal(9, (int)SessionPhase.AfterHoursFixedPrice);
    }

    [Fact]
    public void Open_and_close()
    {
        Assert.Equal(new TimeOnly(9, 30), TradingSessions.Open);
        Assert.Equal(new TimeOnly(15, 0), TradingSessions.Close);
    }

    [Fact]
    public void Segments_are_sorted_and_do_not_overlap()
    {
        var segments = TradingSessions.Segments;

        Assert.Equal(7, segments.Count);
        for (int i = 0; i < segments.Count; i++)
        {
            Assert.True(segments[i].Start < segments[i].End);
            if (i > 0) Assert.True(segments[i - 1].End <= segments[i].Start);
        }

        var continuousMinutes = segments.Where(s => s.Phase == SessionPhase.Continuous).Sum(s => (s.End - s.Start).TotalMinutes);
        Assert.Equal(237, continuousMinutes); // 120 in the morning + 117 in the afternoon
    }
}
