using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Trading.Dashboard.Tests.Hosting;

namespace Trading.Dashboard.Tests.Notes;

public class NoteTests
{
    [Fact]
    public async Task Notes_on_a_day_an_order_and_an_alert_round_trip_by_date_range_and_are_audited()
    {
        await using var d = await TestDashboard.StartAsync();
        var op = await d.LoggedIn("ann");
        var day = await op.PostJsonAsync("/api/notes", new { targetKind = "day", targetId = "2024-05-31", text = "月末调仓 <b>checked</b>" });
        Assert.Equal(HttpStatusCode.OK, day.StatusCode);
        var note = await day.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ann", note.GetProperty("author").GetString());
        Assert.Equal("day", note.GetProperty("targetKind").GetString());
        Assert.True(note.GetProperty("id").GetInt64() > 0);
        // Written at 2024-06-03 09:30 Shanghai (the test clock): an order's and an alert's note belong to that day.
        Assert.Equal(HttpStatusCode.OK, (await op.PostJsonAsync("/api/notes", new { targetKind = "order", targetId = "momentum-20240603-0001", text = "partly filled, fine" })).StatusCode);
        var viewer = await d.LoggedIn("vera");
        Assert.Equal(HttpStatusCode.OK, (await viewer.PostJsonAsync("/api/notes", new { targetKind = "alert", targetId = "17", text = "seen" })).StatusCode);

        var june = await (await viewer.GetAsync("/api/notes?from=2024-06-01&to=2024-06-30")).Content.ReadFromJsonAsync<JsonElement[]>();
        Assert.Equal(["order:momentum-20240603-0001:ann", "alert:17:vera"],
            june!.Select(n => $"{n.GetProperty("targetKind").GetString()}:{n.GetProperty("targetId").GetString()}:{n.GetProperty("author").GetString()}"));
        var may = await (await viewer.GetAsync("/api/notes?from=2024-05-31&to=2024-05-31")).Content.ReadFromJsonAsync<JsonElement[]>();
        Assert.Equal("月末调仓 <b>checked</b>", Assert.Single(may!).GetProperty("text").GetString());
        Assert.Equal(3, (await (await viewer.GetAsync("/api/notes")).Content.ReadFromJsonAsync<JsonElement[]>())!.Length);
        Assert.Equal(3, (await d.Audit.RecentAsync()).Count(a => a.Action == "note"));
    }

    [Fact]
    public async Task Bad_notes_and_bad_ranges_are_400()
    {
        await using var d = await TestDashboard.StartAsync();
        var op = await d.LoggedIn("ann");
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/notes", new { targetKind = "strategy", targetId = "x", text = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/notes", new { targetKind = "day", targetId = "2024-13-01", text = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/notes", new { targetKind = "order", targetId = "o1", text = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.PostJsonAsync("/api/notes", new { targetKind = "order", targetId = "o1", text = new string('x', 4001) })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.GetAsync("/api/notes?from=yesterday")).StatusCode);
        Assert.Empty((await (await op.GetAsync("/api/notes")).Content.ReadFromJsonAsync<JsonElement[]>())!);
    }
}
