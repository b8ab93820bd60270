namespace Trading.Node.Tests;

/// <summary>Runs the `trading` command in-process, capturing stdout and stderr. Console is global: tests using it share a collection.</summary>
internal static class CliRunner
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    // Backtests run here keep their factor cache under the tests' temporary folder, not in the user's ~/.cache.
    static CliRunner()
    {
        if (Environment.GetEnvironmentVariable("TRADING_CACHE_DIR") is not { Length: > 0 })
            Environment.SetEnvironmentVariable("TRADING_CACHE_DIR", Path.Combine(Path.GetTempPath(), "trading-cli-tests", "cache"));
    }

    public static async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        await Gate.WaitAsync();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            int exit = await Program.RunAsync(args); // what Main runs: the one-line error path included
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
            Gate.Release();
        }
    }

    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Above the test binaries, or above this source file when the binaries live in an artifacts folder elsewhere.</summary>
    private static string FindRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
        throw new InvalidOperationException("Trading.Actors.sln not found");
    }

    public static string TempDir()
    {
        var p = Path.Combine(Path.GetTempPath(), "trading-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(p);
        return p;
    }
}
