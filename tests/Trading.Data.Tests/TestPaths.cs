namespace Trading.Data.Tests;

internal static class TestPaths
{
    /// <summary>The repository root (the folder holding Trading.Actors.sln).</summary>
    public static string Root { get; } = FindRoot();

    public static string Sample => Path.Combine(Root, "data", "ashare-2024-sample");

    public static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    private static string FindRoot()
    {
        // Above the test binaries, or (when built into an artifacts folder elsewhere) above this source file.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(SourceFile()) ?? "" }.Where(s => s.Length > 0))
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
        throw new InvalidOperationException("Trading.Actors.sln not found above " + AppContext.BaseDirectory);
    }

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "trading-tests", Guid.NewGuid().ToString("N"));
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string Write(string name, string content)
    {
        var p = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllText(p, content);
        return p;
    }
    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}
