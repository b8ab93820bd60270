using Serilog;
using Trading.Data.Store;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary>
/// Turns every failure into one clear line on stderr and exit code 1: the ones a user can cause (bad paths, bad
/// config, bad input) as their message, anything else as an internal error pointing at the log file, which keeps
/// the stack trace. No stack trace reaches the console.
/// </summary>
internal static class Cli
{
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>Whether <paramref name="e"/> is a failure the user caused and its message explains.</summary>
    public static bool IsUserError(Exception e) =>
        e is FileNotFoundException or DirectoryNotFoundException or StoreException or ConfigException or FormatException
            or InvalidDataException or Trading.Reporting.Metrics.MetricsInputException or Trading.Backtest.BacktestFailedException
            or UnauthorizedAccessException or IOException or OperationCanceledException
            or Trading.Runtime.Persistence.JournalUnavailableException or Trading.Cluster.Lease.LeaseStoreUnavailableException or Akka.Configuration.ConfigurationException
            or Trading.Data.TuShare.TuShareException or Trading.Data.TuShare.TuShareSetupException
            or Trading.Cluster.Sweeps.ClusterSweepException or Trading.Dashboard.Auth.DashboardUserException;

    /// <summary>Logs <paramref name="e"/> with its stack (file log only: the console sink shows warnings and up) and prints one line.</summary>
    public static int Fail(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        if (IsUserError(e))
        {
            Log.Information(e, "Command failed: {Message}", e.Message);
            Console.Error.WriteLine($"error: {OneLine(e is OperationCanceledException ? "cancelled" : e.Message)}");
        }
        else
        {
            Log.Information(e, "Internal error: {Message}", e.Message);
            Console.Error.WriteLine($"error: internal error: {OneLine(e.Message)} ({e.GetType().Name}; details in {Logging.LogFile})");
        }
        return 1;
    }

    /// <summary>A message on one line (inner line breaks become "; ").</summary>
    public static string OneLine(string message) =>
        string.Join("; ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static Task<int> Guard(Func<int> action) => Guard(() => Task.FromResult(action()));
}
