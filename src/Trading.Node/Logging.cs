using Serilog;
using Serilog.Events;

namespace Trading.Node;

/// <summary>
/// Serilog for the whole process: structured events to stderr (so stdout stays clean for --json) and to rolling
/// daily files under <c>logs/</c> (or TRADING_LOG_DIR). Akka's logs reach this logger through
/// Akka.Logger.Serilog (hocon/base.conf), which writes to <see cref="Log.Logger"/>.
/// </summary>
internal static class Logging
{
    /// <summary>The folder of the log files: TRADING_LOG_DIR, else logs/ under the current folder.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("TRADING_LOG_DIR") is { Length: > 0 } d ? d : Path.Combine(Environment.CurrentDirectory, "logs");

    /// <summary>Today's log file, as errors name it.</summary>
    public static string LogFile => Path.Combine(Directory, $"trading-{DateTime.Now:yyyyMMdd}.log");

    public static void Configure(bool verbose) => Configure(verbose, Directory, "trading");

    /// <summary>The same, with the files in <paramref name="dir"/> named <paramref name="name"/>-YYYYMMDD.log (a node's own logs). The console shows warnings and node milestones.</summary>
    public static void Configure(bool verbose, string dir, string name)
    {
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information)
            .Enrich.WithProperty("App", "trading")
            .WriteTo.Console(
                restrictedToMinimumLevel: verbose ? LogEventLevel.Debug : LogEventLevel.Warning,
                standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}") // no stack trace on a user's console: the log file has it
            .WriteTo.File(Path.Combine(dir, name + "-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext} {Message:lj} {Properties:j}{NewLine}{Exception}")
            .CreateLogger();
    }
}
