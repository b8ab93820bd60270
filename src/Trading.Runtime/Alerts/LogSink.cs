using Serilog;
using Serilog.Events;

namespace Trading.Runtime.Alerts;

/// <summary>
/// Alerts in the node's log (Serilog), one structured event each at a level matching the severity — the record that
/// stays when a remote sink is down, and the only sink a node without WeCom or e-mail has.
/// </summary>
public sealed class LogSink(AlertSeverity minSeverity, ILogger? logger = null) : IAlertSink
{
    private readonly ILogger? _logger = logger?.ForContext<LogSink>();

    public string Name => "log";

    public AlertSeverity MinSeverity => minSeverity;

    public Task SendAsync(AlertNotice n, CancellationToken ct)
    {
        var level = n.Severity switch { AlertSeverity.Critical => LogEventLevel.Error, AlertSeverity.Warning => LogEventLevel.Warning, _ => LogEventLevel.Information };
        // The static logger is read at each send: the node installs its own for the run after the sinks are built.
        (_logger ?? Log.ForContext<LogSink>()).Write(level, "Alert {Severity} {Kind} from {Source}: {Message} {Details}",
            n.Severity, n.Kind, n.Source, n.Message, n.Details);
        return Task.CompletedTask;
    }

    public void Dispose() { }
}
