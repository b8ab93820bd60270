using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Trading.Runtime.Logging;

/// <summary>
/// Akka's logger (configured in hocon/base.conf): every Akka log event goes to Microsoft.Extensions.Logging, whose
/// provider is Serilog (set by the host through <see cref="Factory"/>). Akka.Logger.Serilog is not available here.
/// </summary>
public sealed class AkkaLoggerBridge : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>The factory the host configures (Serilog provider); a no-op factory until then.</summary>
    public static ILoggerFactory Factory { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    private readonly Dictionary<string, ILogger> _loggers = [];

    public AkkaLoggerBridge()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Log);
    }

    private void Log(LogEvent e)
    {
        var category = e.LogClass?.FullName ?? e.LogSource ?? "Akka";
        if (!_loggers.TryGetValue(category, out var logger)) _loggers[category] = logger = Factory.CreateLogger(category);
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => MelLogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => MelLogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => MelLogLevel.Warning,
            _ => MelLogLevel.Error,
        };
        if (!logger.IsEnabled(level)) return;
        var cause = e is Error err ? err.Cause : e is Warning w ? w.Cause : null;
        // The message keeps Akka's structured template and arguments where it has them.
        if (e.Message is LogMessage lm)
            logger.Log(level, new EventId(0), cause, lm.Format, lm.Parameters().ToArray());
        else
            logger.Log(level, new EventId(0), cause, "{AkkaMessage}", e.Message?.ToString());
    }
}
