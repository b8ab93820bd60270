using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Trading.Runtime.Tests.Alerts;

/// <summary>
/// WeCom's robot webhook on 127.0.0.1 (HttpListener on a free port): records each POST (its key and markdown content,
/// with the time it arrived) and answers what <see cref="Answer"/> says for the n-th request (default: errcode 0).
/// </summary>
public sealed class WeComStub : IDisposable
{
    public sealed record Request(string? Key, string Content, long ArrivedAt);

    private readonly HttpListener _listener = new();
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>();
    private readonly List<Request> _all = [];
    private int _count;

    /// <summary>(status, body) for the 1-based n-th request.</summary>
    public Func<int, (int Status, string Body)> Answer { get; set; } = _ => (200, """{"errcode":0,"errmsg":"ok"}""");

    public Uri BaseUrl { get; }

    public WeComStub()
    {
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                BaseUrl = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _ = Task.Run(Serve);
    }

    public IReadOnlyList<Request> All { get { lock (_all) return _all.ToList(); } }

    public async Task<Request> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _requests.Reader.ReadAsync(cts.Token);
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var content = JsonNode.Parse(body)?["markdown"]?["content"]?.GetValue<string>() ?? "";
            var request = new Request(ctx.Request.QueryString["key"], content, Stopwatch.GetTimestamp());
            lock (_all) _all.Add(request);
            var (status, answer) = Answer(Interlocked.Increment(ref _count));
            ctx.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(answer);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
            _requests.Writer.TryWrite(request);
        }
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
    }
}

/// <summary>
/// A minimal SMTP server on 127.0.0.1 port 0, plain (no TLS), AUTH PLAIN: records each message's envelope and data.
/// <see cref="RejectLogin"/> answers 535 (echoing the credentials, as a careless server might: the sink must redact
/// them); <see cref="FailTransactions"/> answers the first n MAIL FROMs with 451 (transient).
/// </summary>
public sealed class SmtpStub : IDisposable
{
    public sealed record Mail(string From, IReadOnlyList<string> To, string Data, string? Login);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<Mail> _mails = Channel.CreateUnbounded<Mail>();
    private readonly CancellationTokenSource _stop = new();
    private int _failures;

    public bool RejectLogin { get; set; }
    public int FailTransactions { get => _failures; set => _failures = value; }
    public int Port { get; }

    public SmtpStub()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(Accept);
    }

    public async Task<Mail> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _mails.Reader.ReadAsync(cts.Token);
    }

    private async Task Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Session(client));
        }
    }

    private async Task Session(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        string? from = null, login = null;
        var to = new List<string>();
        try
        {
            await writer.WriteLineAsync("220 stub ESMTP");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-stub\r\n250-AUTH PLAIN\r\n250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 stub");
                        break;
                    case "AUTH":
                        var parts = line.Split(' ');
                        string encoded;
                        if (parts.Length >= 3) encoded = parts[2];
                        else
                        {
                            await writer.WriteLineAsync("334 ");
                            encoded = await reader.ReadLineAsync(_stop.Token) ?? "";
                        }
                        login = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Replace('\0', ' ').Trim();
                        await writer.WriteLineAsync(RejectLogin ? $"535 5.7.8 authentication failed for {login}" : "235 2.7.0 ok");
                        break;
                    case "MAIL":
                        if (Interlocked.Decrement(ref _failures) >= 0)
                        {
                            await writer.WriteLineAsync("451 4.3.0 try again later");
                            break;
                        }
                        from = line[(line.IndexOf(':') + 1)..].Trim().Trim('<', '>');
                        to.Clear();
                        await writer.WriteLineAsync("250 ok");
                        break;
                    case "RCPT":
                        to.Add(line[(line.IndexOf(':') + 1)..].Trim().Trim('<', '>'));
                        await writer.WriteLineAsync("250 ok");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with .");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } d && d != ".") data.Append(d).Append('\n');
                        _mails.Writer.TryWrite(new Mail(from ?? "", to.ToList(), data.ToString(), login));
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok"); // RSET, NOOP
                        break;
                }
            }
        }
        catch (Exception) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
