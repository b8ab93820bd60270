using System.Diagnostics;
using System.Text.Json;

namespace Trading.Bench;

/// <summary>One measurement, printed by a worker as a JSON line and read back by the suite.</summary>
internal sealed record Sample(string Name, double Seconds, long PeakRssBytes, long AllocatedBytes, string Detail);

internal static class Measure
{
    /// <summary>Peak resident set size of this process (VmHWM), in bytes.</summary>
    public static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return -1;
    }

    public static void Emit(Sample s) => Console.WriteLine("SAMPLE " + JsonSerializer.Serialize(s));

    /// <summary>Runs this benchmark program again with a worker verb and returns its sample.</summary>
    public static Sample RunWorker(params string[] args) => RunWorkerWith(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunWorker"/>, with extra environment variables for the worker (e.g. runtime settings).</summary>
    public static Sample RunWorkerWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var exe = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var self = typeof(Measure).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(self);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("SAMPLE ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"worker {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}{stdout}");
        return JsonSerializer.Deserialize<Sample>(line[7..])!;
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:N0} MB";

    public static double Median(IEnumerable<double> xs)
    {
        var a = xs.Order().ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
