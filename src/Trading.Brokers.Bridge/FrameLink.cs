using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace Trading.Brokers.Bridge;

/// <summary>
/// One TCP connection carrying frames, one per line: a reader that hands out whole lines only (a line cut short by
/// the end of the stream is an error, never parsed), and a single writer draining a queue, so frames go out in the
/// order they were queued whoever queues them.
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

    public FrameLink(TcpClient tcp, string peer)
    {
        _tcp = tcp;
        _tcp.NoDelay = true;
        Peer = peer;
        _stream = tcp.GetStream();
        _reader = PipeReader.Create(_stream);
        _writer = Task.Run(WriteLoop);
    }

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
                    frame = line.Length == 0 || IsBlank(line) ? null : Parse(line, n);
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
            throw new BridgeProtocolException($"{Peer}: frame at line {n} has unknown kind '{frame.Kind}'");
        return frame;
    }

    private async Task WriteLoop()
    {
        try
        {
            await foreach (var frame in _outbox.Reader.ReadAllAsync(_closed.Token))
            {
                // One write per frame, newline included: a frame is never split by another.
                var json = JsonSerializer.SerializeToUtf8Bytes(frame, BridgeJson.Default.Frame);
                var line = new byte[json.Length + 1];
                json.CopyTo(line, 0);
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
