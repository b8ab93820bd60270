using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Trading.Dashboard.Live;

/// <summary>
/// Something that happened and is pushed at once, before (or without) the read models showing it: an alert off the event
/// stream, a brain starting or stopping, a paper-day job, or a synthetic event of the load test.
/// </summary>
public sealed record LiveEvent(string Kind, DateTime At, string Severity, string Source, string Text);

/// <summary>
/// The <c>update</c> message: <see cref="Changed"/> names the snapshot sections that differ from the last push (their new
/// values in <see cref="Sections"/>), <see cref="Events"/> what happened since. <see cref="SentAt"/> is the server's Unix
/// time in ms when it was sent, so a page measures push-to-render latency; <see cref="Seq"/> rises by one per message.
/// </summary>
public sealed record LiveUpdate(long Seq, long SentAt, IReadOnlyList<string> Changed, IReadOnlyDictionary<string, object?> Sections,
    IReadOnlyList<LiveEvent> Events, int DroppedEvents);

/// <summary>The <c>snapshot</c> message a client gets on connect: the whole state, at the feed's current <see cref="Seq"/>.</summary>
public sealed record LiveSnapshot(long Seq, long SentAt, DashboardSnapshot Snapshot);

/// <summary>The live feed as the hub, the endpoints, the event-stream listener and the load test see it.</summary>
public interface ILiveFeed
{
    /// <summary>The seq of the last message pushed (0: none yet).</summary>
    long Seq { get; }
    /// <summary>Pushes sent so far (each to every connected client).</summary>
    long Pushes { get; }
    /// <summary>The current state, read now.</summary>
    Task<DashboardSnapshot> SnapshotAsync(CancellationToken ct = default);
    /// <summary>Queues an event for the next push (coalesced with whatever else is pending).</summary>
    void Publish(LiveEvent e);
    /// <summary>Reads the read models again now rather than at the next poll (something happened that they will show).</summary>
    void Refresh();
    void ClientConnected();
    void ClientDisconnected();
}

/// <summary>
/// Reads the read models every <see cref="LiveOptions.PollInterval"/> while a client is connected, compares each snapshot
/// section with the last one pushed (their JSON), and pushes the sections that changed and the events published since
/// as one <c>update</c> to every client of <see cref="LiveHub"/>, at most <see cref="LiveOptions.MaxPushesPerSecond"/>
/// times a second: a burst of 50 changes a second costs one read per poll and a few pushes, whatever the number of
/// clients. The read models offer no cheap change stamp (their offsets sit beside a journal whose tag counts grow
/// without bound), and one account's day is small, so reading the tables and comparing is both simple and exact.
/// </summary>
public sealed class LiveFeed(SnapshotBuilder builder, IHubContext<LiveHub> hub, LiveOptions options, TimeProvider time) : BackgroundService, ILiveFeed
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly ILogger Log = Serilog.Log.ForContext<LiveFeed>();

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly object _gate = new();
    private readonly Queue<LiveEvent> _events = new();
    private readonly Dictionary<string, string> _pushed = [];
    private readonly HashSet<string> _changed = [];
    private DashboardSnapshot? _latest;
    private int _dropped;
    private int _clients;
    private int _refresh;
    private long _seq;
    private long _pushes;

    public long Seq => Interlocked.Read(ref _seq);
    public long Pushes => Interlocked.Read(ref _pushes);

    public Task<DashboardSnapshot> SnapshotAsync(CancellationToken ct = default) => builder.BuildAsync(ct);

    public void Publish(LiveEvent e)
    {
        lock (_gate)
        {
            _events.Enqueue(e);
            while (_events.Count > options.MaxPendingEvents)
            {
                _events.Dequeue();
                _dropped++;
            }
        }
        _wake.Writer.TryWrite(true);
    }

    public void Refresh()
    {
        Interlocked.Exchange(ref _refresh, 1);
        _wake.Writer.TryWrite(true);
    }

    public void ClientConnected()
    {
        if (Interlocked.Increment(ref _clients) == 1) Refresh();
    }

    public void ClientDisconnected() => Interlocked.Decrement(ref _clients);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var gap = TimeSpan.FromSeconds(1.0 / options.MaxPushesPerSecond);
        var nextPoll = time.GetUtcNow();
        var nextPush = nextPoll;
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (Interlocked.Exchange(ref _refresh, 0) == 1 || (now >= nextPoll && Volatile.Read(ref _clients) > 0))
            {
                await ReadAsync(ct);
                nextPoll = time.GetUtcNow() + options.PollInterval;
            }
            now = time.GetUtcNow();
            if (Pending && now >= nextPush)
            {
                await PushAsync(ct);
                nextPush = now + gap;
            }
            now = time.GetUtcNow();
            var wait = nextPoll - now;
            if (Pending && nextPush - now < wait) wait = nextPush - now;
            if (wait > TimeSpan.Zero) await SleepAsync(wait, ct);
        }
    }

    private bool Pending
    {
        get { lock (_gate) return _events.Count > 0 || _changed.Count > 0 || _dropped > 0; }
    }

    /// <summary>Reads a snapshot and marks the sections whose JSON differs from what was last pushed.</summary>
    private async Task ReadAsync(CancellationToken ct)
    {
        DashboardSnapshot snapshot;
        try
        {
            snapshot = await builder.BuildAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The database away (a restart, a failover): the page keeps what it has; the next poll tries again.
            Log.Warning("Dashboard live feed: reading the read models failed: {Error}", e.Message);
            return;
        }
        lock (_gate)
        {
            _latest = snapshot;
            foreach (var name in DashboardSnapshot.Sections)
            {
                var json = JsonSerializer.Serialize(snapshot.Section(name), Json);
                if (!_pushed.TryGetValue(name, out var before) || before != json)
                {
                    _pushed[name] = json;
                    _changed.Add(name);
                }
            }
        }
    }

    private async Task PushAsync(CancellationToken ct)
    {
        LiveUpdate update;
        lock (_gate)
        {
            var sections = _changed.Order(StringComparer.Ordinal).ToDictionary(n => n, n => _latest?.Section(n));
            update = new LiveUpdate(Interlocked.Increment(ref _seq), time.GetUtcNow().ToUnixTimeMilliseconds(), [.. sections.Keys], sections,
                [.. _events], _dropped);
            _changed.Clear();
            _events.Clear();
            _dropped = 0;
        }
        try
        {
            await hub.Clients.All.SendAsync("update", update, ct);
            Interlocked.Increment(ref _pushes);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.Warning("Dashboard live feed: push {Seq} failed: {Error}", update.Seq, e.Message);
        }
    }

    private async Task SleepAsync(TimeSpan wait, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the wait is over
        }
    }
}
