using System.Globalization;
using System.Text;
using Polly;
using Polly.Retry;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Alerts;

/// <summary>What a sink sends: one alert (or one summary of many), already judged by severity, de-duplication and rate.</summary>
/// <remarks><see cref="At"/>: when the cause happened, on the node's clock (Shanghai time).</remarks>
public sealed record AlertNotice(AlertSeverity Severity, string Kind, string Source, string Message, DateTime At,
    string? Symbol = null, string? OrderId = null, string? AccountId = null)
{
    /// <summary>"[CRITICAL] kill-switch (risk-guard)": the e-mail's subject, the log line's head.</summary>
    public string Title => $"[{Severity.ToString().ToUpperInvariant()}] {Kind} ({Source})";

    /// <summary>What the alert is about besides its message: account, symbol, order.</summary>
    public string Details => string.Join("  ", new[] { ("account", AccountId), ("symbol", Symbol), ("order", OrderId) }
        .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1}: {p.Item2}"));

    public static AlertNotice Of(RiskAlert a, AlertSeverity severity, string message) =>
        new(severity, a.Kind, a.Source, message, a.At, a.Symbol?.ToString(), a.OrderId?.ToString(), a.AccountId);

    /// <summary>Plain text (e-mail body, log).</summary>
    public string ToText()
    {
        var b = new StringBuilder().Append(Title).Append('\n').Append(Message).Append('\n');
        if (Details.Length > 0) b.Append(Details).Append('\n');
        return b.Append(At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).ToString();
    }
}

/// <summary>A place alerts go to. A send that fails throws <see cref="AlertSinkException"/>, whose message never holds a secret.</summary>
public interface IAlertSink : IDisposable
{
    /// <summary>Short name for logs and the test command: wecom, email, log.</summary>
    string Name { get; }

    AlertSeverity MinSeverity { get; }

    Task SendAsync(AlertNotice notice, CancellationToken ct);
}

/// <summary>
/// A failed send, its message one line without secrets (a third-party exception's message is redacted and the
/// exception itself dropped: HttpClient's may carry the URL, and with it the webhook key). <see cref="Transient"/>:
/// another try may work (a 5xx, WeCom's rate limit 45009, a dropped connection); otherwise it is not retried.
/// </summary>
public sealed class AlertSinkException(string message, bool transient) : Exception(message)
{
    public bool Transient { get; } = transient;
}

/// <summary>The notifier's retry of failed sends: Polly's retry strategy, exponential with jitter, on transient failures only.</summary>
public static class AlertRetry
{
    public static ResiliencePipeline Pipeline(AlertOptions o, TimeProvider time)
    {
        if (o.RetryAttempts == 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = o.RetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryDelay,
                MaxDelay = o.RetryMaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<AlertSinkException>(e => e.Transient),
            })
            .Build();
    }

    /// <summary>One send under <paramref name="pipeline"/>, each try bounded by <paramref name="timeout"/>; the last failure is an <see cref="AlertSinkException"/>.</summary>
    public static async Task SendAsync(ResiliencePipeline pipeline, IAlertSink sink, AlertNotice notice, TimeSpan timeout, CancellationToken ct)
    {
        await pipeline.ExecuteAsync(async token =>
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(token);
            attempt.CancelAfter(timeout);
            try
            {
                await sink.SendAsync(notice, attempt.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new AlertSinkException($"no answer within {timeout.TotalSeconds:0.#} s", transient: true);
            }
        }, ct);
    }
}
