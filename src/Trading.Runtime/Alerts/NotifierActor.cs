using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Polly;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Alerts;

/// <summary>
/// Sends the <see cref="RiskAlert"/>s of the event stream (risk rejections, kill switch, reconciliation halts, the
/// watchdog's drawdown, stuck-order and failure alerts, broker link down and up, failover) to people: the log, the
/// WeCom group robot, e-mail. On the way: severity from the kind (<see cref="AlertOptions.Severities"/>), below
/// <c>min-severity</c> dropped; the same kind + source + symbol within the de-duplication window counted, not sent
/// again; per remote sink a token bucket, whose refused alerts go out as one summary when the summary window ends.
/// Sends run as tasks under Polly's retry (jittered exponential backoff on transient failures) and their results come
/// back as messages, so a slow or dead sink never holds the mailbox. Time is an injected <see cref="TimeProvider"/>
/// (the wall clock in a node, a fake one in tests).
/// </summary>
public sealed class NotifierActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AlertOptions _options;
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly AlertDedup _dedup;
    private readonly Dictionary<string, SinkRateLimit> _limits = [];
    private readonly Dictionary<string, ITimer> _summaryTimers = [];
    // Alerts that another kind ends (broker-link-down until broker-link-up), by source: the severity they were sent at.
    private readonly Dictionary<(string Kind, string Source), AlertSeverity> _open = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <param name="sinks">owned by the actor: disposed when it stops</param>
    public static Props Props(AlertOptions options, IReadOnlyList<IAlertSink> sinks, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new NotifierActor(options, sinks, time));

    /// <summary>The sinks <paramref name="options"/> configures: the log always, WeCom and e-mail when their blocks are present.</summary>
    public static IReadOnlyList<IAlertSink> Sinks(AlertOptions options)
    {
        var sinks = new List<IAlertSink> { new LogSink(options.LogMinSeverity) };
        if (options.WeCom is { } w) sinks.Add(new WeComSink(w));
        if (options.Email is { } e) sinks.Add(new EmailSink(e));
        return sinks;
    }

    public NotifierActor(AlertOptions options, IReadOnlyList<IAlertSink> sinks, TimeProvider time)
    {
        _options = options;
        _sinks = sinks;
        _time = time;
        _retry = AlertRetry.Pipeline(options, time);
        _dedup = new AlertDedup(options.DedupWindow);
        // The log keeps every alert (it is the full record); only the remote sinks are rate limited.
        foreach (var s in sinks.Where(s => s is not LogSink)) _limits[s.Name] = new SinkRateLimit(options.RatePerMinute);
        Receive<RiskAlert>(OnAlert);
        Receive<SummaryDue>(OnSummaryDue);
        Receive<Sent>(m =>
        {
            _log.Debug("Alert {Kind} sent to {Sink} in {Ms} ms", m.Notice.Kind, m.Sink, m.Elapsed.TotalMilliseconds);
            Context.System.EventStream.Publish(new AlertDelivered(m.Sink, m.Notice, null));
        });
        Receive<SendFailed>(m =>
        {
            _log.Warning("Alert {Kind} to {Sink} not delivered: {Error}", m.Notice.Kind, m.Sink, m.Error);
            Context.System.EventStream.Publish(new AlertDelivered(m.Sink, m.Notice, m.Error));
        });
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(RiskAlert));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _stopping.Cancel();
        foreach (var t in _summaryTimers.Values) t.Dispose();
        foreach (var s in _sinks) s.Dispose();
        _stopping.Dispose();
    }

    private void OnAlert(RiskAlert a)
    {
        var now = _time.GetUtcNow();
        var severity = _options.SeverityOf(a.Kind);
        if (_options.Resolves.TryGetValue(a.Kind, out var ends) && _open.Remove((ends, a.Source), out var was))
        {
            // Whoever heard the problem hears its end; and the problem coming back is news at once.
            if (was > severity) severity = was;
            _dedup.Forget(ends, a.Source);
            _dedup.Forget(a.Kind, a.Source); // an earlier end (a first connect) does not swallow this one
        }
        if (severity < _options.MinSeverity) return;
        if (_dedup.Admit(a.Kind, a.Source, a.Symbol?.ToString(), now) is not var (repeats, since))
        {
            _log.Debug("Alert {Kind} from {Source}: a repeat within the de-duplication window, counted", a.Kind, a.Source);
            return;
        }
        if (_options.Resolves.Values.Contains(a.Kind)) _open[(a.Kind, a.Source)] = severity;
        var message = repeats > 0 ? $"{a.Message} (+{repeats} more like it since {_time.GetLocalNow().Add(since - now):HH:mm:ss})" : a.Message;
        var notice = AlertNotice.Of(a, severity, message);
        foreach (var sink in _sinks)
        {
            if (severity < sink.MinSeverity) continue;
            if (!_limits.TryGetValue(sink.Name, out var limit) || limit.TryTake(now))
            {
                Send(sink, notice);
                continue;
            }
            if (limit.Hold(a.Kind, severity))
            {
                var self = Self;
                var name = sink.Name;
                _summaryTimers.Remove(name, out var old);
                old?.Dispose();
                _summaryTimers[name] = _time.CreateTimer(_ => self.Tell(new SummaryDue(name)), null, _options.SummaryWindow, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnSummaryDue(SummaryDue due)
    {
        if (_summaryTimers.Remove(due.Sink, out var timer)) timer.Dispose();
        var limit = _limits[due.Sink];
        if (limit.TakeSummary() is not { } summary) return;
        limit.TryTake(_time.GetUtcNow()); // the summary counts against the rate, but always goes out: it is the one message of the storm
        var sink = _sinks.First(s => s.Name == due.Sink);
        Send(sink, new AlertNotice(summary.Severity, "summary", "notifier", summary.Text, _time.GetLocalNow().DateTime));
    }

    private void Send(IAlertSink sink, AlertNotice notice)
    {
        var started = _time.GetTimestamp();
        var name = sink.Name;
        AlertRetry.SendAsync(_retry, sink, notice, _options.Timeout, _stopping.Token).ContinueWith<object>(t => t.IsCompletedSuccessfully
                ? new Sent(name, notice, _time.GetElapsedTime(started))
                : new SendFailed(name, notice, Describe(t.Exception)), TaskScheduler.Default)
            .PipeTo(Self);
    }

    /// <summary>A sink's own failures carry a message without secrets; anything else is named by its type only.</summary>
    private static string Describe(Exception? e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return e switch
        {
            AlertSinkException s => s.Message,
            OperationCanceledException => "cancelled (the notifier stopped)",
            null => "cancelled",
            _ => $"unexpected {e.GetType().Name}",
        };
    }

    private sealed record SummaryDue(string Sink);
    private sealed record Sent(string Sink, AlertNotice Notice, TimeSpan Elapsed);
    private sealed record SendFailed(string Sink, AlertNotice Notice, string Error);
}

/// <summary>Notifier → event stream: an alert delivered to a sink (<see cref="Error"/> null) or given up on after its retries.</summary>
public sealed record AlertDelivered(string Sink, AlertNotice Notice, string? Error);
