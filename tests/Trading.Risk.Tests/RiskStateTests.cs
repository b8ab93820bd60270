using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Risk.Tests;

public class RiskStateTests
{
    private static RiskState Start => RiskState.Empty.Apply(new DayStarted(Day));

    [Fact]
    public void Approvals_count_orders_amount_and_symbols_and_stay_active()
    {
        var a = Buy(Main, 1_000, 10.00m);
        var b = Sell(Sz, 500, 20.00m);
        var c = Buy(Main, 200, 10.50m);
        var s = Start.Apply(new OrderApproved(a, Now)).Apply(new OrderApproved(b, Now)).Apply(new OrderApproved(c, Now));

        Assert.Equal(3, s.OrderCount);
        Assert.Equal(10_000m + 10_000m + 2_100m, s.SubmittedAmount);
        Assert.Equal(2, s.OrderCountOf(S(Main)));
        Assert.Equal(1, s.OrderCountOf(S(Sz)));
        Assert.Equal(0, s.OrderCountOf(S(Star)));
        Assert.Equal([a.Id, b.Id, c.Id], s.ActiveOrders.Select(o => o.Id));
    }

    [Fact]
    public void Cancels_count_and_the_order_stays_active_until_it_finishes()
    {
        var a = Buy(Main, 1_000, 10.00m);
        var cancelled = Start.Apply(new OrderApproved(a, Now)).Apply(new OrderCancelled(a.Id, a.Symbol, Now.AddSeconds(5)));
        Assert.Equal(1, cancelled.CancelCount);
        Assert.Equal(1, cancelled.CancelCountOf(S(Main)));
        Assert.True(cancelled.IsActive(a.Id));

        var finished = cancelled.Apply(new OrderFinished(a.Id));
        Assert.False(finished.IsActive(a.Id));
        Assert.Equal(1, finished.OrderCount); // still counted for the day
        Assert.Equal(finished, finished.Apply(new OrderFinished(NextId()))); // an unknown order changes nothing
    }

    [Fact]
    public void Rejections_are_counted()
    {
        var s = Start.Apply(new OrderRejectedByRisk(Buy(Main, 100, 10.00m), "cash", "no cash", Now));
        Assert.Equal(1, s.RejectionsToday);
        Assert.Equal(0, s.OrderCount);
        Assert.Empty(s.ActiveOrders);
    }

    [Fact]
    public void A_new_day_resets_the_counters_drops_expired_orders_and_keeps_the_kill_switch()
    {
        var yesterday = Buy(Main, 1_000, 10.00m);
        var s = Start
            .Apply(new OrderApproved(yesterday, Now))
            .Apply(new OrderApproved(Sell(Sz, 100, 10.00m), Now))
            .Apply(new OrderCancelled(yesterday.Id, yesterday.Symbol, Now))
            .Apply(new OrderRejectedByRisk(Buy(Main, 100, 10.00m), "cash", "no", Now))
            .Apply(new KillSwitchEngaged("limit", Now));
        var next = Day.AddDays(3);
        var tomorrowsOrder = new OrderRequest(NextId(), S(Star), Side.Buy, 200, 30.00m, OrderType.Limit, next);
        s = s.Apply(new OrderApproved(tomorrowsOrder, Now)); // approved before the day event (an order for the next day)

        var reset = s.Apply(new DayStarted(next));

        Assert.Equal(next, reset.TradingDay);
        Assert.Equal(0, reset.OrderCount);
        Assert.Equal(0m, reset.SubmittedAmount);
        Assert.Equal(0, reset.CancelCount);
        Assert.Equal(0, reset.RejectionsToday);
        Assert.Equal([tomorrowsOrder.Id], reset.ActiveOrders.Select(o => o.Id));
        Assert.True(reset.KillSwitchEngaged);
    }

    [Fact]
    public void Replaying_the_journal_gives_the_same_state()
    {
        var a = Buy(Main, 1_000, 10.00m);
        var events = new RiskEvent[]
        {
            new DayStarted(Day),
            new OrderApproved(a, Now),
            new OrderApproved(Sell(Sz, 500, 20.00m), Now.AddSeconds(1)),
            new OrderRejectedByRisk(Buy(Star, 200, 50.00m), "cash", "no", Now.AddSeconds(2)),
            new OrderCancelled(a.Id, a.Symbol, Now.AddSeconds(3)),
            new OrderFinished(a.Id),
            new KillSwitchEngaged("drawdown", Now.AddSeconds(4)),
            new KillSwitchReleased("admin", Now.AddSeconds(5)),
            new KillSwitchEngaged("again", Now.AddSeconds(6)),
        };
        var live = Start;
        foreach (var e in events.Skip(1)) live = live.Apply(e);

        var first = RiskState.Replay(events);
        var second = RiskState.Replay(events.ToList());

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal(live, first);
        Assert.NotEqual(first, RiskState.Replay(events[..^1]));
        Assert.Equal(new KillSwitchState("again", Now.AddSeconds(6)), first.KillSwitch);
    }

    [Fact]
    public void Unknown_events_are_refused() => Assert.Throws<ArgumentException>(() => Start.Apply(new StrayEvent()));

    private sealed record StrayEvent : RiskEvent;

    private sealed class SymbolConverter : JsonConverter<Symbol>
    {
        public override Symbol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Symbol.Parse(reader.GetString()!);
        public override void Write(Utf8JsonWriter writer, Symbol value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }

    [Fact]
    public void The_state_and_its_events_serialise_as_plain_records()
    {
        var json = new JsonSerializerOptions { Converters = { new SymbolConverter() } };
        var a = Buy(Main, 1_000, 10.00m);
        var state = Start
            .Apply(new OrderApproved(a, Now))
            .Apply(new OrderCancelled(a.Id, a.Symbol, Now))
            .Apply(new OrderRejectedByRisk(Buy(Main, 100, 10.00m), "cash", "no", Now))
            .Apply(new KillSwitchEngaged("operator", Now));

        var back = JsonSerializer.Deserialize<RiskState>(JsonSerializer.Serialize(state, json), json);
        Assert.Equal(state, back);

        var approved = new OrderApproved(a, Now);
        Assert.Equal(approved, JsonSerializer.Deserialize<OrderApproved>(JsonSerializer.Serialize(approved, json), json));
    }
}
