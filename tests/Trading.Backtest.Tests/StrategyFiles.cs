namespace Trading.Backtest.Tests;

/// <summary>Strategy files for config tests: a temporary file with the given text, and the repository root (examples/).</summary>
internal static class StrategyFiles
{
    public static string Write(string text)
    {
        var f = Path.Combine(Path.GetTempPath(), $"strategy-{Guid.NewGuid():N}.conf");
        File.WriteAllText(f, text);
        return f;
    }

    /// <summary>Above the test binaries, or above this source file when they are built elsewhere.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}
