using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Trading.Dashboard.Live;

/// <summary>
/// <c>/hubs/live</c>: a client gets <c>snapshot</c> (<see cref="LiveSnapshot"/>) when it connects, then every
/// <c>update</c> (<see cref="LiveUpdate"/>) the <see cref="LiveFeed"/> pushes. Clients only listen; they send nothing.
/// </summary>
[Authorize(Policy = DashboardPolicies.Viewer)]
public sealed class LiveHub(ILiveFeed feed) : Hub
{
    public override async Task OnConnectedAsync()
    {
        var snapshot = await feed.SnapshotAsync(Context.ConnectionAborted);
        await Clients.Caller.SendAsync("snapshot", new LiveSnapshot(feed.Seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), snapshot),
            Context.ConnectionAborted);
        // Counted once it has its snapshot: the feed polls only while someone listens. An update pushed to everyone while
        // this snapshot was being read may still reach the client before it; a page ignores updates until its snapshot.
        feed.ClientConnected();
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        feed.ClientDisconnected();
        return base.OnDisconnectedAsync(exception);
    }
}
