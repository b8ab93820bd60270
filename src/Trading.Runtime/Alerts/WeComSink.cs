using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Trading.Runtime.Alerts;

/// <summary>
/// The WeCom (企业微信) group robot: POST <c>{base}/cgi-bin/webhook/send?key=KEY</c> with a markdown message; WeCom
/// answers <c>{"errcode":0,"errmsg":"ok"}</c>, any other errcode is a failure (45009: the robot's limit of 20
/// messages a minute, retried later). The key is in the URL, so no exception or message of this sink carries the
/// URL: HttpClient's exceptions are caught and rewritten, and this HttpClient is not one of IHttpClientFactory's,
/// whose logging handler would log the request URI.
/// </summary>
public sealed class WeComSink : IAlertSink
{
    /// <summary>WeCom refuses markdown content over 4096 bytes.</summary>
    public const int MaxContentBytes = 4096;
    public const int RateLimited = 45009;

    private readonly HttpClient _http;
    private readonly WeComOptions _options;
    private readonly Uri _url;

    public WeComSink(WeComOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        // Timeouts are the caller's (a token per try); connections are renewed so a DNS change of qyapi is followed.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        _url = new Uri(options.BaseUrl, $"cgi-bin/webhook/send?key={options.Key.Reveal()}");
    }

    public string Name => "wecom";

    public AlertSeverity MinSeverity => _options.MinSeverity;

    public async Task SendAsync(AlertNotice notice, CancellationToken ct)
    {
        var body = new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["content"] = Markdown(notice) } };
        HttpResponseMessage response;
        string text;
        try
        {
            response = await _http.PostAsync(_url, JsonContent.Create(body), ct);
            text = await response.Content.ReadAsStringAsync(ct);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            // The message may hold the URL (and so the key): redact it, and drop the exception.
            throw new AlertSinkException($"WeCom: {_options.Key.Redact(Describe(e))}", transient: true);
        }
        using (response)
        {
            int status = (int)response.StatusCode;
            if (status is >= 500 or 429 or 408)
                throw new AlertSinkException($"WeCom: HTTP {status}", transient: true);
            if (!response.IsSuccessStatusCode)
                throw new AlertSinkException($"WeCom: HTTP {status}", transient: false);
            int code;
            string? message;
            try
            {
                var answer = JsonNode.Parse(text);
                code = answer?["errcode"]?.GetValue<int>() ?? throw new JsonException("no errcode");
                message = answer?["errmsg"]?.GetValue<string>();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new AlertSinkException($"WeCom: an answer that is not WeCom's JSON ({text.Length} characters)", transient: true);
            }
            if (code == 0) return;
            var why = _options.Key.Redact(Shorten(message ?? "", 200));
            // 45009: over the robot's rate; -1: WeCom busy. 93000 (invalid key), 40008 (bad message) …: no retry helps.
            throw new AlertSinkException($"WeCom: errcode {code} {why}".TrimEnd(), transient: code == RateLimited || code == -1);
        }
    }

    /// <summary>The alert as WeCom markdown: the title coloured by severity, the message, details and time in grey.</summary>
    public static string Markdown(AlertNotice n)
    {
        var colour = n.Severity switch { AlertSeverity.Critical => "warning", AlertSeverity.Warning => "comment", _ => "info" };
        var b = new StringBuilder()
            .Append($"**<font color=\"{colour}\">{n.Severity.ToString().ToUpperInvariant()}</font> {Escape(n.Kind)}** · {Escape(n.Source)}\n")
            .Append($"> {Escape(n.Message)}\n");
        if (n.Details.Length > 0) b.Append($"> <font color=\"comment\">{Escape(n.Details)}</font>\n");
        b.Append($"<font color=\"comment\">{n.At:yyyy-MM-dd HH:mm:ss}</font>");
        return Truncate(b.ToString());
    }

    private static string Escape(string s) => s.Replace('\n', ' ').Replace('\r', ' ');

    private static string Truncate(string s)
    {
        if (Encoding.UTF8.GetByteCount(s) <= MaxContentBytes) return s;
        const string more = "…"; // 3 bytes
        int bytes = 0, n = 0;
        foreach (var r in s.EnumerateRunes())
        {
            if (bytes + r.Utf8SequenceLength > MaxContentBytes - 3) break;
            bytes += r.Utf8SequenceLength;
            n += r.Utf16SequenceLength;
        }
        return s[..n] + more;
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    private static string Describe(Exception e)
    {
        // The innermost message says what happened (connection refused, name not resolved, TLS failure).
        while (e.InnerException is { } inner) e = inner;
        return Shorten(e.Message.Replace('\n', ' ').Replace('\r', ' '), 200);
    }

    public void Dispose() => _http.Dispose();
}
