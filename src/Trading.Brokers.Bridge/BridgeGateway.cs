using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly;
using Polly.Retry;
using Trading.Domain.Fees;
using Trading.Domain.Orders;

namespace Trading.Brokers.Bridge;

/// <param name="Host">the bridge's address (it listens on 127.0.0.1 only)</param>
/// <param name="RequestTimeout">how long a request waits for its answer before it fails with <see cref="TimeoutException"/></param>
/// <param name="HeartbeatInterval">how often this side sends a heartbeat frame</param>
/// <param name="SilenceTimeout">no frame at all for this long: the link is down</param>
/// <param name="Secret">the shared secret of an authenticated bridge (one off the host must have one), or null</param>
/// <param name="Fees">the account's fee schedule: fees of a fill the bridge reports without them (xtquant's trades
/// carry at most a commission, which then replaces the computed one)</param>
/// <param name="ConnectAttempts">connects tried within one <see cref="BridgeGateway.ConnectAsync"/> (jittered, capped
/// backoff between them) before it fails; the session actor's own backoff then takes over</param>
public sealed record BridgeGatewayOptions(
    string Host,
    int Port,
    string Account = "main",
    string Name = "bridge",
    TimeSpan? RequestTimeout = null,
    TimeSpan? HeartbeatInterval = null,
    TimeSpan? SilenceTimeout = null,
    byte[]? Secret = null,
    FeeSchedule? Fees = null,
    int ConnectAttempts = 3)
{
    public TimeSpan Request => RequestTimeout ?? TimeSpan.FromSeconds(10);
    public TimeSpan Heartbeat => HeartbeatInterval ?? TimeSpan.FromSeconds(1);
    public TimeSpan Silence => SilenceTimeout ?? TimeSpan.FromSeconds(3);
    public FeeSchedule FeeSchedule => Fees ?? FeeSchedule.Default;

    /// <summary>Never the secret itself: whether there is one.</summary>
    public override string ToString() =>
        $"BridgeGatewayOptions {{ {Host}:{Port}, account {Account}, name {Name}, secret {(Secret is { Length: > 0 } ? "set" : "none")} }}";
}

/// <summary>
/// An <see cref="IBrokerGateway"/> over the bridge wire (BROKER_BRIDGES §2): newline-delimited JSON over TCP to an
/// xtquant bridge, or to a <see cref="BridgeServer"/> around a simulated exchange. One reader loop takes every frame
/// (answers go to their request by id, events to the listeners, in order, on that loop); one writer sends every frame
/// in the order the calls were made, so submits and cancels reach the bridge in call order. Every request has a
/// timeout. Heartbeats go out every second, and three seconds without any frame from the bridge take the link down;
/// so does a malformed or truncated line (named in one line in <see cref="ConnectionChanged.Reason"/>): pending
/// requests then fail, listeners get <see cref="ConnectionState.Disconnected"/>, and nothing of the bad line is
/// applied. <see cref="ConnectAsync"/> says hello with the last cursor seen, so the bridge resumes the stream where
/// it broke when it still can.
/// </summary>
public sealed class BridgeGateway : IBrokerGateway, IAsyncDisposable
{
    private readonly BridgeGatewayOptions _options;
    private readonly GatewayListeners _listeners = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Frame>> _pending = new();
    private readonly object _sync = new();
    private FrameLink? _link;
    private CancellationTokenSource? _linkStop;
    private volatile bool _connected;
    private string? _epoch; // the cursor: the last event passed to the listeners
    private long _lastSeq;

    public BridgeGateway(BridgeGatewayOptions options) => _options = options ?? throw new ArgumentNullException(nameof(options));

    public string Name => _options.Name;

    public bool IsConnected => _connected && _link is { IsOpen: true };

    /// <summary>Why the link went down last (a one-line error), null before.</summary>
    public string? LastError { get; private set; }

    public IDisposable Listen(Action<GatewayEvent> listener) => _listeners.Add(listener);

    /// <summary>
    /// Connects and says hello. A refused or dropped connect (a bridge restarting, a link flapping) is tried again
    /// within this call through a Polly pipeline — exponential backoff from 200 ms, jittered, capped at 2 s — up to
    /// <see cref="BridgeGatewayOptions.ConnectAttempts"/> times; refusals that another try cannot change (a wrong
    /// account, a missing or wrong secret) fail at once. Longer outages are the session actor's: its supervisor restarts
    /// it with its own backoff.
    /// </summary>
    public Task<GatewaySession> ConnectAsync(CancellationToken ct) =>
        _connectPipeline.ExecuteAsync(static (self, token) => new ValueTask<GatewaySession>(self.ConnectOnceAsync(token)), this, ct).AsTask();

    private ResiliencePipeline? _connectPipelineCache;

    private ResiliencePipeline _connectPipeline => _connectPipelineCache ??= _options.ConnectAttempts <= 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = _options.ConnectAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(2),
            ShouldHandle = new PredicateBuilder().Handle<SocketException>().Handle<IOException>(e => e is not (BridgeProtocolException or BridgeRequestException))
                .Handle<TimeoutException>(),
        })
        .Build();

    private async Task<GatewaySession> ConnectOnceAsync(CancellationToken ct)
    {
        CloseLink("reconnecting");
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(_options.Host, _options.Port, ct).AsTask().WaitAsync(_options.Request, ct);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
        var link = new FrameLink(tcp, $"bridge {_options.Host}:{_options.Port}", _options.Secret);
        var stop = new CancellationTokenSource();
        lock (_sync) (_link, _linkStop) = (link, stop);
        _ = Task.Run(() => ReadLoop(link, stop.Token));
        _ = Task.Run(() => HeartbeatLoop(link, stop.Token));

        ResumeCursor? resume;
        lock (_sync) resume = _epoch is { } e ? new ResumeCursor(e, _lastSeq) : null;
        var answer = await Request(link, Wire.Hello, new HelloRequest("trading-actors", _options.Account, resume),
            BridgeJson.Default.HelloRequest, BridgeJson.Default.HelloResponse, ct);
        // The reader has already set the cursor and told the listeners (see OnHello): events after it follow.
        lock (_sync) return new GatewaySession(_epoch!, answer.Replay == "ok" ? resume!.Seq : answer.LastSeq);
    }

    public Task DisconnectAsync(CancellationToken ct)
    {
        _connected = false;
        CloseLink("disconnected by the client");
        return Task.CompletedTask;
    }

    public Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct) =>
        Request(Wire.PlaceOrder, WireMapping.ToWire(order, epoch), BridgeJson.Default.PlaceOrderRequest, BridgeJson.Default.PlaceOrderResponse, ct,
            order.Id);

    public async Task<long> FenceAsync(long epoch, CancellationToken ct)
    {
        try
        {
            return (await Request(Wire.Fence, new FenceRequest(epoch), BridgeJson.Default.FenceRequest, BridgeJson.Default.FenceResponse, ct)).Fence;
        }
        catch (BridgeFencedOutException e)
        {
            throw new FencedOutException(epoch, e.Fence);
        }
    }

    public Task CancelAsync(ClientOrderId id, CancellationToken ct) =>
        Request(Wire.CancelOrder, new CancelOrderRequest(id.Value), BridgeJson.Default.CancelOrderRequest, BridgeJson.Default.CancelOrderResponse, ct, id);

    public async Task<BrokerAccount> QueryAccountAsync(CancellationToken ct) =>
        WireMapping.FromWire(await Request(Wire.QueryAsset, new Empty(), BridgeJson.Default.Empty, BridgeJson.Default.AssetResponse, ct));

    public async Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct)
    {
        var answer = await Request(Wire.QueryOrders, new Empty(), BridgeJson.Default.Empty, BridgeJson.Default.QueryOrdersResponse, ct);
        return answer.Orders.Select(o => WireMapping.FromWire(o, _options.FeeSchedule)).ToArray();
    }

    public async Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct)
    {
        var answer = await Request(Wire.Replay, new ReplayRequest(epoch, fromSeq), BridgeJson.Default.ReplayRequest, BridgeJson.Default.ReplayResponse, ct);
        if (answer.Gap) return ReplayResult.Missing;
        return new ReplayResult(answer.Events.Select(f => (SequencedReport)ToEvent(f, _options.FeeSchedule)).ToArray(), false);
    }

    /// <summary>A round trip: every frame the bridge sent before its answer has reached the listeners when this completes.</summary>
    public Task PingAsync(CancellationToken ct = default) =>
        Request(Wire.Ping, new Empty(), BridgeJson.Default.Empty, BridgeJson.Default.Empty, ct);

    // ---- Requests ----

    private Task<TAnswer> Request<TRequest, TAnswer>(string op, TRequest payload, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TAnswer> answerType, CancellationToken ct, ClientOrderId? about = null) where TAnswer : class
    {
        FrameLink? link;
        lock (_sync) link = _link;
        if (!_connected || link is not { IsOpen: true })
            return Task.FromException<TAnswer>(new InvalidOperationException($"{Name} is not connected."));
        return Request(link, op, payload, requestType, answerType, ct, about);
    }

    /// <summary>Queues the frame now (so frames leave in call order), then waits for the answer.</summary>
    private Task<TAnswer> Request<TRequest, TAnswer>(FrameLink link, string op, TRequest payload, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TAnswer> answerType, CancellationToken ct, ClientOrderId? about = null) where TAnswer : class
    {
        var id = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var frame = new Frame { Kind = Wire.Request, Id = id, Op = op, Ts = DateTimeOffset.Now, Payload = WireMapping.ToPayload(payload, requestType) };
        if (!link.Send(frame))
        {
            _pending.TryRemove(id, out _);
            return Task.FromException<TAnswer>(new IOException($"{Name}: the link is down ({link.CloseReason})"));
        }
        return Await(id, op, answer.Task, answerType, ct, about);
    }

    private async Task<TAnswer> Await<TAnswer>(string id, string op, Task<Frame> answer, JsonTypeInfo<TAnswer> answerType, CancellationToken ct,
        ClientOrderId? about) where TAnswer : class
    {
        Frame frame;
        try
        {
            frame = await answer.WaitAsync(_options.Request, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name}: no answer to {op} within {_options.Request}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
        if (frame.Ok != true)
        {
            var err = frame.Err ?? new FrameError(Wire.Failed, "refused without a reason");
            throw err.Code switch
            {
                Wire.Conflict when about is { } orderId => new ClientOrderIdConflictException(orderId, err.Msg),
                Wire.StaleEpoch when about is { } orderId => new StaleEpochException(orderId, err.Msg),
                Wire.FencedOut when err.Fence is { } fence => new BridgeFencedOutException(fence, err.Msg),
                Wire.Unknown => new TimeoutException($"{Name}: {err.Msg}"),
                Wire.UnknownOrder => new KeyNotFoundException(err.Msg),
                Wire.NotConnected => new InvalidOperationException(err.Msg),
                _ => new BridgeRequestException(err.Code, err.Msg),
            };
        }
        return WireMapping.FromPayload(frame, answerType);
    }

    /// <summary>A <c>fenced_out</c> answer, before <see cref="FenceAsync"/> names the epoch it announced.</summary>
    private sealed class BridgeFencedOutException(long fence, string message) : IOException(message)
    {
        public long Fence { get; } = fence;
    }

    // ---- The link ----

    private async Task ReadLoop(FrameLink link, CancellationToken ct)
    {
        string why = "the bridge closed the link";
        try
        {
            while (await link.ReadAsync(ct) is { } frame)
            {
                switch (frame.Kind)
                {
                    case Wire.Response:
                        if (frame.Op == Wire.Hello && frame.Ok == true) OnHello(frame);
                        if (frame.Id is { } id && _pending.TryRemove(id, out var waiting)) waiting.TrySetResult(frame);
                        break;
                    case Wire.Event:
                        var e = ToEvent(frame, _options.FeeSchedule); // whole or not at all: a bad event throws before any listener sees it
                        if (e is SequencedReport r) lock (_sync) (_epoch, _lastSeq) = (r.Epoch, r.Seq);
                        else if (e is ConnectionChanged { State: ConnectionState.Connected } c) lock (_sync) (_epoch, _lastSeq) = (c.Epoch, 0);
                        _listeners.Publish(e);
                        break;
                }
            }
        }
        catch (BridgeProtocolException e)
        {
            LinkDown(link, link.CloseReason ?? e.Message, protocol: true);
            return;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            why = link.CloseReason ?? WireMapping.OneLine(e.Message);
        }
        LinkDown(link, link.CloseReason ?? why);
    }

    private void OnHello(Frame frame)
    {
        var hello = WireMapping.FromPayload(frame, BridgeJson.Default.HelloResponse);
        string epoch;
        lock (_sync)
        {
            bool resumed = hello.Replay == "ok";
            if (!resumed) (_epoch, _lastSeq) = (hello.Epoch, hello.LastSeq);
            epoch = _epoch!;
            _connected = true;
        }
        _listeners.Publish(new ConnectionChanged(ConnectionState.Connected, epoch, $"hello: {hello.BridgeVersion}, replay {hello.Replay}"));
    }

    /// <param name="protocol">the bridge broke the wire (a bad line, a refused secret): waiting requests fail with
    /// <see cref="BridgeProtocolException"/>, which a connect does not try again</param>
    private void LinkDown(FrameLink link, string why, bool protocol = false)
    {
        lock (_sync)
        {
            if (_link != link) return; // an old link, replaced by a reconnect
            _connected = false;
        }
        LastError = why;
        link.Close(why);
        foreach (var (id, waiting) in _pending)
            if (_pending.TryRemove(id, out _))
                waiting.TrySetException(protocol ? new BridgeProtocolException($"{Name}: {why}") : new IOException($"{Name}: link down before the answer ({why})"));
        string epoch;
        lock (_sync) epoch = _epoch ?? "";
        _listeners.Publish(new ConnectionChanged(ConnectionState.Disconnected, epoch, why));
    }

    private async Task HeartbeatLoop(FrameLink link, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(ct) && link.IsOpen)
            {
                if (link.Silence > _options.Silence)
                {
                    link.Close(link.AwaitingNonce
                        ? $"{link.Peer} does not authenticate (no auth line within {_options.Silence.TotalSeconds:0.#} s) but a shared secret is configured"
                        : $"no frame from {link.Peer} for {_options.Silence.TotalSeconds:0.#} s");
                    return;
                }
                link.Send(new Frame { Kind = Wire.Heartbeat, Ts = DateTimeOffset.Now });
            }
        }
        catch (OperationCanceledException) { }
    }

    private void CloseLink(string why)
    {
        FrameLink? link;
        CancellationTokenSource? stop;
        lock (_sync) (link, stop) = (_link, _linkStop);
        link?.Close(why);
        stop?.Cancel();
    }

    private static GatewayEvent ToEvent(Frame frame, FeeSchedule fees)
    {
        if (frame.Epoch is not { Length: > 0 } epoch || frame.Seq is not { } seq)
            throw new BridgeProtocolException($"evt {frame.Op}: epoch and seq are required");
        if (frame.Op == Wire.Connection)
        {
            var c = WireMapping.FromPayload(frame, BridgeJson.Default.ConnectionDto);
            return new ConnectionChanged(c.State == "disconnected" ? ConnectionState.Disconnected : ConnectionState.Connected, epoch, c.Reason ?? "");
        }
        return new SequencedReport(epoch, seq, WireMapping.FromWire(frame.Op, WireMapping.FromPayload(frame, BridgeJson.Default.ReportDto), fees));
    }

    public ValueTask DisposeAsync()
    {
        _connected = false;
        CloseLink("disposed");
        return ValueTask.CompletedTask;
    }
}
