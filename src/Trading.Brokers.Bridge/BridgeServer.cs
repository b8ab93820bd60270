using System.Net;
using System.Net.Sockets;
using Trading.Domain.Orders;

namespace Trading.Brokers.Bridge;

/// <param name="Port">0: any free port (see <see cref="BridgeServer.Port"/>)</param>
/// <param name="Account">the account this bridge serves; a hello naming another is refused</param>
/// <param name="ReplayCapacity">events kept for replay (BROKER_BRIDGES §2.1: at least 20 000)</param>
/// <param name="Secret">a shared secret: every line is then signed (see <see cref="FrameLink"/>) and clients without it are refused</param>
public sealed record BridgeServerOptions(
    int Port = 0,
    string Account = "main",
    int ReplayCapacity = 20_000,
    TimeSpan? HeartbeatInterval = null,
    TimeSpan? SilenceTimeout = null,
    byte[]? Secret = null)
{
    public TimeSpan Heartbeat => HeartbeatInterval ?? TimeSpan.FromSeconds(1);
    public TimeSpan Silence => SilenceTimeout ?? TimeSpan.FromSeconds(3);

    /// <summary>Never the secret itself: whether there is one.</summary>
    public override string ToString() => $"BridgeServerOptions {{ port {Port}, account {Account}, secret {(Secret is { Length: > 0 } ? "set" : "none")} }}";
}

/// <summary>
/// Serves any <see cref="IBrokerGateway"/> (a <see cref="SimulatedExchange"/>-like broker in tests and the fault
/// driver) on 127.0.0.1 over the bridge wire, as the xtquant bridge does (BROKER_BRIDGES §2): its own epoch per start
/// (and per new epoch of the broker behind it), every pushed report re-numbered gap-free and kept in a ring for
/// replay and for resuming a client, requests of one client taken one at a time and place/cancel of all clients
/// through one writer, so the broker sees them in the order they arrived. <c>place_order</c> is idempotent by client
/// order id: the same id with the same terms answers <c>duplicate</c> with the existing order and pushes its reports
/// again without calling the broker; different terms answer <c>conflict</c>. <c>fence</c> {epoch} raises the broker's
/// fence (<see cref="IBrokerGateway.FenceAsync"/>) and answers {fence}, or <c>fenced_out</c> with the fence in force.
/// </summary>
public sealed class BridgeServer : IAsyncDisposable
{
    public const string ServerVersion = "trading-actors-bridge/1";

    private readonly IBrokerGateway _broker;
    private readonly BridgeServerOptions _options;
    private readonly object _sync = new();
    private readonly Queue<Frame> _ring = new();
    private readonly List<FrameLink> _clients = [];
    private readonly Dictionary<ClientOrderId, (OrderRequest Terms, string OrderId)> _placed = [];
    private readonly Dictionary<ClientOrderId, List<BrokerReport>> _history = [];
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private TcpListener? _listener;
    private IDisposable? _subscription;
    private string _epoch = NewEpoch();
    private string? _brokerEpoch;
    private long _seq;

    public BridgeServer(IBrokerGateway broker, BridgeServerOptions? options = null)
    {
        _broker = broker ?? throw new ArgumentNullException(nameof(broker));
        _options = options ?? new BridgeServerOptions();
    }

    /// <summary>The port listened on (after <see cref="StartAsync"/>).</summary>
    public int Port { get; private set; }

    public string Epoch { get { lock (_sync) return _epoch; } }

    public long LastSeq { get { lock (_sync) return _seq; } }

    public int Clients { get { lock (_sync) return _clients.Count(c => c.IsOpen); } }

    /// <summary>One line per notable thing (a client came or went, a malformed line): the host logs it.</summary>
    public event Action<string>? Log;

    /// <summary>Connects to the broker behind and listens on 127.0.0.1.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        _subscription = _broker.Listen(OnBrokerEvent);
        var session = await _broker.ConnectAsync(ct);
        lock (_sync) _brokerEpoch = session.Epoch;
        _listener = new TcpListener(IPAddress.Loopback, _options.Port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        lock (_tasks)
        {
            _tasks.Add(Task.Run(AcceptLoop));
            _tasks.Add(Task.Run(HeartbeatLoop));
        }
    }

    /// <summary>Resets every client link, as a network drop would (the clients reconnect and resume).</summary>
    public void DropClients(string reason)
    {
        FrameLink[] clients;
        lock (_sync) clients = [.. _clients];
        foreach (var c in clients) c.Close(reason);
    }

    /// <summary>Tests: stop sending heartbeats (a hung bridge).</summary>
    internal bool Silent { get; set; }

    /// <summary>Tests: writes a raw line to every client (a garbled frame).</summary>
    internal async Task SendRawAsync(string line)
    {
        FrameLink[] clients;
        lock (_sync) clients = [.. _clients];
        foreach (var c in clients) await c.SendRawAsync(line);
    }

    // ---- The broker's pushes ----

    private void OnBrokerEvent(GatewayEvent e)
    {
        lock (_sync)
        {
            switch (e)
            {
                case SequencedReport r:
                    if (!_history.TryGetValue(r.Report.OrderId, out var list)) _history[r.Report.OrderId] = list = [];
                    list.Add(r.Report);
                    PushLocked(r.Report);
                    break;
                case ConnectionChanged { State: ConnectionState.Connected } c when _brokerEpoch is not null && c.Epoch != _brokerEpoch:
                    // The broker rebuilt its session: a new epoch here too, nothing of the old one replayable.
                    _brokerEpoch = c.Epoch;
                    _epoch = NewEpoch();
                    _seq = 0;
                    _ring.Clear();
                    BroadcastLocked(ConnectionFrame("connected", $"broker resynced: {c.Reason}"));
                    break;
                case ConnectionChanged { State: ConnectionState.Disconnected } c:
                    BroadcastLocked(ConnectionFrame("disconnected", $"broker disconnected: {c.Reason}"));
                    break;
            }
        }
    }

    private Frame ConnectionFrame(string state, string reason) => new()
    {
        Kind = Wire.Event, Op = Wire.Connection, Ts = DateTimeOffset.Now, Epoch = _epoch, Seq = _seq,
        Payload = WireMapping.ToPayload(new ConnectionDto(state, reason), BridgeJson.Default.ConnectionDto),
    };

    private void PushLocked(BrokerReport report)
    {
        var (op, payload) = WireMapping.ToWire(report);
        var frame = new Frame
        {
            Kind = Wire.Event, Op = op, Ts = DateTimeOffset.Now, Epoch = _epoch, Seq = ++_seq,
            Payload = WireMapping.ToPayload(payload, BridgeJson.Default.ReportDto),
        };
        if (_ring.Count >= _options.ReplayCapacity) _ring.Dequeue();
        _ring.Enqueue(frame);
        BroadcastLocked(frame);
    }

    private void BroadcastLocked(Frame frame)
    {
        if (frame.Kind == Wire.Event && DropPushes > 0)
        {
            DropPushes--;
            return;
        }
        foreach (var c in _clients) c.Send(frame);
    }

    /// <summary>Tests: this many next events are numbered and kept for replay but not sent (a lost push).</summary>
    internal int DropPushes { get; set; }

    // ---- Clients ----

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener!.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var link = new FrameLink(tcp, $"client {tcp.Client.RemoteEndPoint}", _options.Secret, isServer: true);
            Log?.Invoke($"{link.Peer} connected");
            lock (_tasks) _tasks.Add(Task.Run(() => Serve(link)));
        }
    }

    private async Task Serve(FrameLink link)
    {
        string why = "client closed the link";
        try
        {
            while (!_stop.IsCancellationRequested && await link.ReadAsync(_stop.Token) is { } frame)
            {
                if (frame.Kind != Wire.Request) continue; // hb: only keeps the link alive
                await Handle(link, frame);
            }
        }
        catch (BridgeProtocolException e)
        {
            why = e.Message;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            why = link.CloseReason ?? WireMapping.OneLine(e.Message);
        }
        finally
        {
            lock (_sync) _clients.Remove(link);
            Log?.Invoke($"{link.Peer} gone: {why}");
            link.Close(why);
            await link.DisposeAsync();
        }
    }

    private async Task Handle(FrameLink link, Frame req)
    {
        Frame Answer(object payload, Func<object, System.Text.Json.JsonElement> encode) => new()
        {
            Kind = Wire.Response, Id = req.Id, Op = req.Op, Ts = DateTimeOffset.Now, Ok = true, Payload = encode(payload),
        };
        Frame Fail(string code, string message) => new()
        {
            Kind = Wire.Response, Id = req.Id, Op = req.Op, Ts = DateTimeOffset.Now, Ok = false, Err = new FrameError(code, message),
        };
        try
        {
            switch (req.Op)
            {
                case Wire.Hello:
                    Hello(link, req, WireMapping.FromPayload(req, BridgeJson.Default.HelloRequest));
                    return; // answered under the lock, with the resumed events behind it
                case Wire.Ping:
                    link.Send(Answer(new Empty(), p => WireMapping.ToPayload((Empty)p, BridgeJson.Default.Empty)));
                    return;
                case Wire.PlaceOrder:
                    link.Send(await Place(req, WireMapping.FromPayload(req, BridgeJson.Default.PlaceOrderRequest), Fail)
                        ?? Fail(Wire.Failed, "no answer"));
                    return;
                case Wire.Fence:
                {
                    // Through the one writer: a fence raised here is in force for every place_order queued after it.
                    var f = WireMapping.FromPayload(req, BridgeJson.Default.FenceRequest);
                    long fence;
                    await _writes.WaitAsync(_stop.Token);
                    try { fence = await _broker.FenceAsync(f.Epoch, _stop.Token); }
                    finally { _writes.Release(); }
                    link.Send(Answer(new FenceResponse(fence), p => WireMapping.ToPayload((FenceResponse)p, BridgeJson.Default.FenceResponse)));
                    return;
                }
                case Wire.CancelOrder:
                {
                    var id = new ClientOrderId(WireMapping.FromPayload(req, BridgeJson.Default.CancelOrderRequest).ClientOrderId);
                    await _writes.WaitAsync(_stop.Token);
                    try { await _broker.CancelAsync(id, _stop.Token); }
                    finally { _writes.Release(); }
                    link.Send(Answer(new CancelOrderResponse("sent"), p => WireMapping.ToPayload((CancelOrderResponse)p, BridgeJson.Default.CancelOrderResponse)));
                    return;
                }
                case Wire.QueryOrders:
                {
                    long asOf = LastSeq;
                    var orders = await _broker.QueryOrdersAsync(_stop.Token);
                    var answer = new QueryOrdersResponse(asOf, orders.Select(WireMapping.ToWire).ToArray());
                    link.Send(Answer(answer, p => WireMapping.ToPayload((QueryOrdersResponse)p, BridgeJson.Default.QueryOrdersResponse)));
                    return;
                }
                case Wire.QueryAsset:
                {
                    var account = await _broker.QueryAccountAsync(_stop.Token);
                    link.Send(Answer(WireMapping.ToWire(account), p => WireMapping.ToPayload((AssetResponse)p, BridgeJson.Default.AssetResponse)));
                    return;
                }
                case Wire.Replay:
                {
                    var r = WireMapping.FromPayload(req, BridgeJson.Default.ReplayRequest);
                    var answer = ReplayLocked(r.Epoch, r.FromSeq);
                    link.Send(Answer(answer, p => WireMapping.ToPayload((ReplayResponse)p, BridgeJson.Default.ReplayResponse)));
                    return;
                }
                default:
                    link.Send(Fail(Wire.BadRequest, $"unknown op '{req.Op}'"));
                    return;
            }
        }
        catch (BridgeProtocolException e)
        {
            link.Send(Fail(Wire.BadRequest, e.Message));
        }
        catch (ClientOrderIdConflictException e)
        {
            link.Send(Fail(Wire.Conflict, e.Message));
        }
        catch (FencedOutException e)
        {
            link.Send(Fail(Wire.FencedOut, e.Message) with { Err = new FrameError(Wire.FencedOut, e.Message, e.Highest) });
        }
        catch (KeyNotFoundException e)
        {
            link.Send(Fail(Wire.UnknownOrder, e.Message));
        }
        catch (InvalidOperationException e)
        {
            link.Send(Fail(Wire.NotConnected, e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            link.Send(Fail(Wire.Failed, WireMapping.OneLine(e.Message)));
        }
    }

    private void Hello(FrameLink link, Frame req, HelloRequest hello)
    {
        lock (_sync)
        {
            if (hello.Account != _options.Account)
            {
                link.Send(new Frame
                {
                    Kind = Wire.Response, Id = req.Id, Op = req.Op, Ts = DateTimeOffset.Now, Ok = false,
                    Err = new FrameError(Wire.BadRequest, $"this bridge serves account '{_options.Account}', not '{hello.Account}'"),
                });
                return;
            }
            ReplayResponse? resumed = hello.Resume is { } r ? ReplayLocked(r.Epoch, r.Seq + 1) : null;
            string replay = resumed is null ? "none" : resumed.Gap ? "gap" : "ok";
            var answer = new HelloResponse(ServerVersion, _options.Account, _epoch, _seq, replay);
            link.Send(new Frame
            {
                Kind = Wire.Response, Id = req.Id, Op = req.Op, Ts = DateTimeOffset.Now, Epoch = _epoch, Seq = _seq, Ok = true,
                Payload = WireMapping.ToPayload(answer, BridgeJson.Default.HelloResponse),
            });
            if (resumed is { Gap: false }) foreach (var e in resumed.Events) link.Send(e);
            _clients.Add(link); // live pushes from here on: none lost, none twice
        }
    }

    private ReplayResponse ReplayLocked(string epoch, long fromSeq)
    {
        lock (_sync)
        {
            if (epoch != _epoch) return new ReplayResponse([], true);
            fromSeq = Math.Max(fromSeq, 1);
            if (fromSeq > _seq) return new ReplayResponse([], false);
            long oldest = _ring.TryPeek(out var first) ? first.Seq!.Value : _seq + 1;
            if (fromSeq < oldest) return new ReplayResponse([], true);
            return new ReplayResponse(_ring.Where(f => f.Seq >= fromSeq).ToArray(), false);
        }
    }

    private async Task<Frame?> Place(Frame req, PlaceOrderRequest p, Func<string, string, Frame> fail)
    {
        var order = WireMapping.FromWire(p);
        await _writes.WaitAsync(_stop.Token);
        try
        {
            lock (_sync)
            {
                if (_placed.TryGetValue(order.Id, out var had))
                {
                    if (OrderTerms.Conflict(had.Terms, order) is { } conflict)
                        return fail(Wire.Conflict, conflict);
                    // Placed already: nothing goes to the broker; its reports are pushed again, as the contract says.
                    foreach (var report in _history.GetValueOrDefault(order.Id) ?? []) PushLocked(report);
                    return Ok(req, new PlaceOrderResponse(p.ClientOrderId, "duplicate", had.OrderId));
                }
            }
            try
            {
                await _broker.SubmitAsync(order, p.Epoch, _stop.Token);
            }
            catch (ClientOrderIdConflictException e)
            {
                return fail(Wire.Conflict, Detail(e));
            }
            lock (_sync)
            {
                var orderId = _history.GetValueOrDefault(order.Id)?.OfType<OrderAccepted>().FirstOrDefault()?.BrokerOrderId ?? "";
                _placed[order.Id] = (order, orderId);
                return Ok(req, new PlaceOrderResponse(p.ClientOrderId, "accepted", orderId.Length > 0 ? orderId : null));
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>The conflict's detail alone (the client rebuilds the exception's sentence around it).</summary>
    private static string Detail(ClientOrderIdConflictException e)
    {
        const string marker = "different order: ";
        int i = e.Message.IndexOf(marker, StringComparison.Ordinal);
        return i < 0 ? e.Message : e.Message[(i + marker.Length)..].TrimEnd('.');
    }

    private static Frame Ok(Frame req, PlaceOrderResponse answer) => new()
    {
        Kind = Wire.Response, Id = req.Id, Op = req.Op, Ts = DateTimeOffset.Now, Ok = true,
        Payload = WireMapping.ToPayload(answer, BridgeJson.Default.PlaceOrderResponse),
    };

    private async Task HeartbeatLoop()
    {
        using var timer = new PeriodicTimer(_options.Heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                lock (_sync)
                {
                    foreach (var c in _clients.ToArray())
                    {
                        if (c.Silence > _options.Silence) c.Close($"no frame from the client for {_options.Silence.TotalSeconds:0.#} s");
                        else if (!Silent) c.Send(new Frame { Kind = Wire.Heartbeat, Ts = DateTimeOffset.Now, Epoch = _epoch, Seq = _seq });
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static string NewEpoch() => Guid.NewGuid().ToString("N");

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Stop();
        DropClients("bridge stopped");
        Task[] tasks;
        lock (_tasks) tasks = [.. _tasks];
        try { await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5)); } catch { /* stopping */ }
        _subscription?.Dispose();
        _stop.Dispose();
    }
}
