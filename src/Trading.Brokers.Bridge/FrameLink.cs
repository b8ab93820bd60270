using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Trading.Brokers.Bridge;

/// <summary>
/// One TCP connection carrying frames, one per line: a reader that hands out whole lines only (a line cut short by
/// the end of the stream is an error, never parsed), and a single writer draining a queue, so frames go out in the
/// order they were queued whoever queues them.
/// <para>
/// <b>Authenticated links</b> (a shared secret on both sides; the bridge requires one when it listens off loopback):
/// the server's first line is <c>{"v":1,"kind":"auth","nonce":"…"}</c>; from then on every line either way is
/// <c>MAC JSON</c>, MAC = hex HMAC-SHA256(secret, nonce|dir|n|JSON) with dir <c>c2b</c> (client to bridge) or
/// <c>b2c</c> and n the count of signed lines sent that way on this link — so a line cannot be forged, altered,
/// replayed or moved to another link. A bad MAC is answered with an unsigned <c>auth_error</c> line and the link
/// closes. The secret never leaves this object (not in messages, not in logs).
/// </para>
/// </summary>
internal sealed class FrameLink : IAsyncDisposable
{
    /// <summary>The longest line taken (a day's orders fit many times over).</summary>
    public const int MaxLine = 16 << 20;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly Channel<Frame> _outbox = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly Task _writer;
    private long _lines;
    private long _lastHeardTicks = Environment.TickCount64;
    private string? _closeReason;

    // Authentication: the secret (null: none), the link's nonce once known, and the signed lines counted each way.
    private readonly byte[]? _secret;
    private readonly bool _isServer;
    private readonly TaskCompletionSource<string?> _nonce = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _signedSent, _signedHeard;

    /// <param name="secret">the shared secret, or null for an unauthenticated (loopback) link</param>
    /// <param name="isServer">the bridge's side: it sends the nonce; the client waits for it before writing</param>
    public FrameLink(TcpClient tcp, string peer, byte[]? secret = null, bool isServer = false)
    {
        _tcp = tcp;
        _tcp.NoDelay = true;
        Peer = peer;
        _secret = secret is { Length: > 0 } ? secret : null;
        _isServer = isServer;
        _stream = tcp.GetStream();
        _reader = PipeReader.Create(_stream);
        if (_secret is null) _nonce.SetResult(null);
        else if (_isServer) _nonce.SetResult(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        _writer = Task.Run(WriteLoop);
    }

    /// <summary>Whether lines on this link are signed.</summary>
    public bool Authenticated => _secret is not null;

    /// <summary>A client with a secret whose bridge has not sent its nonce yet (nothing can be written).</summary>
    public bool AwaitingNonce => !_nonce.Task.IsCompleted;

    public string Peer { get; }

    /// <summary>Why the link closed (first reason wins), null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsOpen => CloseReason is null;

    public TimeSpan Silence => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastHeardTicks));

    /// <summary>Queues a frame; false once the link is closed.</summary>
    public bool Send(Frame frame) => IsOpen && _outbox.Writer.TryWrite(frame);

    /// <summary>Writes a raw line as is (tests: a garbled peer).</summary>
    internal async Task SendRawAsync(string line)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(line);
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>The next frame; null when the peer closed the stream between lines.</summary>
    /// <exception cref="BridgeProtocolException">a malformed, truncated or oversized line</exception>
    public async ValueTask<Frame?> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                long n = ++_lines;
                Frame? frame;
                try
                {
                    frame = line.Length == 0 || IsBlank(line) ? null : Take(line, n);
                }
                finally
                {
                    _reader.AdvanceTo(buffer.GetPosition(1, end));
                }
                Interlocked.Exchange(ref _lastHeardTicks, Environment.TickCount64);
                if (frame is not null) return frame;
                continue;
            }
            if (buffer.Length > MaxLine)
                throw new BridgeProtocolException($"{Peer}: line {_lines + 1} is longer than {MaxLine} bytes without a newline");
            if (result.IsCompleted)
            {
                if (buffer.Length == 0) return null;
                throw new BridgeProtocolException($"{Peer}: truncated frame at line {_lines + 1}: {buffer.Length} bytes and no newline before the stream ended");
            }
            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t')) return false;
        return true;
    }

    /// <summary>
    /// A line as this link takes it: the nonce line, a signed line checked, or a plain one. Only a client's first line
    /// and lines that are not frames (or not signed) are looked at as control lines; a frame is parsed once.
    /// </summary>
    private Frame? Take(ReadOnlySequence<byte> line, long n)
    {
        if (!_isServer && n == 1)
        {
            // A client's first line says whether the bridge authenticates.
            if (ControlLine(line.ToArray()) is { } control)
            {
                if (control.Kind == "auth_error") throw Refused(control);
                if (control.Kind != "auth") throw new BridgeProtocolException($"{Peer}: unexpected first line of kind '{control.Kind}'");
                if (_secret is null)
                    throw new BridgeProtocolException($"{Peer} requires a shared secret and none is configured (trading.node.broker.secret-file)");
                if (control.Text is not { Length: >= 16 and <= 128 } nonce || !nonce.All(char.IsAsciiHexDigit))
                    throw new BridgeProtocolException($"{Peer}: the auth line carries no valid nonce");
                _nonce.TrySetResult(nonce);
                return null;
            }
            if (_secret is not null)
                throw new BridgeProtocolException($"{Peer} does not authenticate but a shared secret is configured: refusing an unauthenticated link");
        }
        if (_secret is null) return Parse(line, n);
        var bytes = line.ToArray();
        int space = Array.IndexOf(bytes, (byte)' ');
        var json = space == 64 ? bytes.AsSpan(65) : default;
        if (space != 64 || !CryptographicOperations.FixedTimeEquals(Mac(_isServer ? "c2b" : "b2c", _signedHeard, json), HexBytes(bytes.AsSpan(0, 64))))
        {
            // The bridge's refusal is the one unsigned line a client may get after the nonce.
            if (!_isServer && ControlLine(bytes) is { Kind: "auth_error" } refused) throw Refused(refused);
            if (_isServer) SendControl("auth_error", "bad mac");
            throw new BridgeProtocolException($"{Peer}: line {n} does not carry a valid signature (wrong or missing shared secret)");
        }
        _signedHeard++;
        return Parse(new ReadOnlySequence<byte>(json.ToArray()), n);
    }

    private BridgeProtocolException Refused(Control control) => new($"{Peer} refused the link: {control.Text}");

    private byte[] Mac(string direction, long n, ReadOnlySpan<byte> json)
    {
        var nonce = _nonce.Task.IsCompletedSuccessfully ? _nonce.Task.Result : null;
        if (nonce is null || _secret is null) return [];
        var head = Encoding.UTF8.GetBytes($"{nonce}|{direction}|{n}|");
        var message = new byte[head.Length + json.Length];
        head.CopyTo(message, 0);
        json.CopyTo(message.AsSpan(head.Length));
        return HMACSHA256.HashData(_secret, message);
    }

    private static byte[] HexBytes(ReadOnlySpan<byte> hex)
    {
        foreach (var b in hex) if (!char.IsAsciiHexDigit((char)b)) return [];
        return Convert.FromHexString(Encoding.ASCII.GetString(hex));
    }

    private sealed record Control(string Kind, string? Text);

    /// <summary>The unsigned control lines (auth, auth_error), or null for anything else.</summary>
    private static Control? ControlLine(byte[] line)
    {
        if (line.Length == 0 || line[0] != (byte)'{') return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("kind", out var kind)) return null;
            return kind.GetString() switch
            {
                "auth" => new Control("auth", doc.RootElement.TryGetProperty("nonce", out var nonce) ? nonce.GetString() : null),
                "auth_error" => new Control("auth_error", doc.RootElement.TryGetProperty("msg", out var msg) ? msg.GetString() : null),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes an unsigned control line directly (the nonce, or a refusal just before closing).</summary>
    private void SendControl(string kind, string text)
    {
        var line = kind == "auth" ? $"{{\"v\":1,\"kind\":\"auth\",\"nonce\":\"{text}\"}}\n" : $"{{\"v\":1,\"kind\":\"{kind}\",\"msg\":\"{text}\"}}\n";
        try { _stream.Write(Encoding.UTF8.GetBytes(line)); } catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException) { }
    }

    private Frame Parse(ReadOnlySequence<byte> line, long n)
    {
        Frame? frame;
        try
        {
            var reader = new Utf8JsonReader(line);
            frame = JsonSerializer.Deserialize(ref reader, BridgeJson.Default.Frame);
        }
        catch (JsonException e)
        {
            throw new BridgeProtocolException($"{Peer}: malformed frame at line {n}: {WireMapping.OneLine(e.Message)}");
        }
        if (frame is null) throw new BridgeProtocolException($"{Peer}: malformed frame at line {n}: null");
        if (frame.V != Frame.Version) throw new BridgeProtocolException($"{Peer}: frame at line {n} has version {frame.V}, this side speaks {Frame.Version}");
        if (frame.Kind is not (Wire.Request or Wire.Response or Wire.Event or Wire.Heartbeat))
        {
            if (!_isServer && ControlLine(line.ToArray()) is { Kind: "auth_error" } refused) throw Refused(refused);
            throw new BridgeProtocolException($"{Peer}: frame at line {n} has unknown kind '{frame.Kind}'");
        }
        return frame;
    }

    private async Task WriteLoop()
    {
        try
        {
            if (_isServer && _secret is not null) SendControl("auth", _nonce.Task.Result!);
            // A client with a secret writes nothing before the bridge's nonce has arrived.
            await _nonce.Task.WaitAsync(_closed.Token);
            await foreach (var frame in _outbox.Reader.ReadAllAsync(_closed.Token))
            {
                // One write per frame, newline included: a frame is never split by another.
                var json = JsonSerializer.SerializeToUtf8Bytes(frame, BridgeJson.Default.Frame);
                byte[] line;
                if (_secret is null)
                {
                    line = new byte[json.Length + 1];
                    json.CopyTo(line, 0);
                }
                else
                {
                    var mac = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Mac(_isServer ? "b2c" : "c2b", _signedSent++, json)) + " ");
                    line = new byte[mac.Length + json.Length + 1];
                    mac.CopyTo(line, 0);
                    json.CopyTo(line, mac.Length);
                }
                line[^1] = (byte)'\n';
                await _stream.WriteAsync(line, _closed.Token);
            }
        }
        catch (Exception e)
        {
            Close($"write failed: {WireMapping.OneLine(e.Message)}");
        }
    }

    /// <summary>Closes the link (the reader then ends); the first reason is kept.</summary>
    public void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null) return;
        _outbox.Writer.TryComplete();
        try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        try { _tcp.Client.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _tcp.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Close("closed");
        try { await _writer; } catch { /* closed */ }
        _closed.Dispose();
    }
}
