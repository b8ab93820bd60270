using Serilog;
using Trading.Data.Store;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary>Turns the failures a user can cause (bad paths, bad config, bad input) into one clear line and exit code 1.</summary>
internal static class Cli
{
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or StoreException or ConfigException
                                      or FormatException or InvalidDataException or Trading.Reporting.Metrics.MetricsInputException or Trading.Backtest.BacktestFailedException or UnauthorizedAccessException or IOException)
        {
            Log.Information(e, "Command failed: {Message}", e.Message); // the file log keeps the stack; the console gets one line
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static Task<int> Guard(Func<int> action) => Guard(() => Task.FromResult(action()));
}
