using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Backtest.Sweeps;

/// <summary>
/// Runs sweep points in worker processes: each worker loads the panel once and runs the points it is sent, one per
/// line of JSON on stdin, answering one outcome per line on stdout. Points are self-describing messages, so the same
/// protocol serves a cluster worker later. Processes rather than threads because a backtest is a chain of small
/// messages: in one process two runs mostly wait on each other's garbage collections and thread-pool hops.
/// </summary>
public static class ProcessSweep
{
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="worker">The command that starts a worker (file name and arguments), e.g. <c>dotnet trading.dll sweep-worker</c>.</param>
    public static async Task<IReadOnlyList<SweepOutcome>> RunAsync(IReadOnlyList<SweepPoint> points, int workers,
        (string FileName, IReadOnlyList<string> Arguments) worker, IProgress<SweepOutcome>? progress = null, CancellationToken ct = default)
    {
        workers = Math.Clamp(workers, 1, Math.Max(1, points.Count));
        var results = new SweepOutcome[points.Count];
        var shares = Enumerable.Range(0, workers).Select(w => points.Where((_, i) => i % workers == w).ToList()).ToList();
        await Task.WhenAll(shares.Select(share => RunWorkerAsync(share, worker, results, progress, ct)));
        return results;
    }

    private static async Task RunWorkerAsync(List<SweepPoint> share, (string FileName, IReadOnlyList<string> Arguments) worker,
        SweepOutcome[] results, IProgress<SweepOutcome>? progress, CancellationToken ct)
    {
        if (share.Count == 0) return;
        var psi = new ProcessStartInfo(worker.FileName) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in worker.Arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start sweep worker '{worker.FileName}'.");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        foreach (var point in share) await p.StandardInput.WriteLineAsync(JsonSerializer.Serialize(point, Json));
        p.StandardInput.Close();
        int received = 0;
        while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith('{')) continue;
            var outcome = JsonSerializer.Deserialize<SweepOutcome>(line, Json)!;
            results[outcome.Point.Index] = outcome;
            received++;
            progress?.Report(outcome);
        }
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0 || received != share.Count)
            throw new InvalidOperationException($"Sweep worker failed (exit {p.ExitCode}, {received} of {share.Count} points): {await stderr}");
    }

    /// <summary>The worker's side: read points from <paramref name="input"/>, run them in order, write outcomes.</summary>
    public static async Task ServeAsync(TextReader input, TextWriter output, CancellationToken ct = default)
    {
        Data.Panel.MarketPanel? panel = null;
        IReadOnlyList<Data.Model.IndexBar> index = [];
        Runtime.Strategy.StrategyConfig? config = null;
        string? storeOf = null, configOf = null;
        while (await input.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var point = JsonSerializer.Deserialize<SweepPoint>(line, Json) ?? throw new FormatException("Empty sweep point.");
            if (storeOf != point.Store)
            {
                var store = Data.Store.MarketStore.Open(point.Store);
                panel = await Data.Panel.MarketPanel.LoadAsync(store, ct);
                index = await store.ReadIndexAsync(ct);
                storeOf = point.Store;
            }
            if (configOf != point.ConfigFile) { config = Runtime.Strategy.StrategyConfig.Load(point.ConfigFile); configOf = point.ConfigFile; }
            var outcome = await SweepRunner.RunPointAsync(point, config!, panel!, index, ct);
            await output.WriteLineAsync(JsonSerializer.Serialize(outcome, Json));
            await output.FlushAsync(ct);
        }
    }
}
