using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Backtest.Sweeps;

/// <summary>
/// Runs sweep points in worker processes: each worker loads the panel once and runs the points it is sent, one per
/// line of JSON on stdin, answering one outcome per line on stdout; the next point goes to whichever worker answers
/// first. Points are self-describing messages, so the same protocol serves a cluster worker later. Processes rather
/// than threads because a backtest is a chain of small messages: in one process two runs mostly wait on each other's
/// garbage collections and thread-pool hops.
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
        var queue = new ConcurrentQueue<SweepPoint>(points);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => RunWorkerAsync(queue, worker, results, progress, ct)));
        return results;
    }

    /// <summary>
    /// One worker process, fed one point at a time from the shared queue: a worker asks for the next point by
    /// answering the last, so a worker that drew slow points (a larger top-N trades more) or a slow core does not
    /// leave the other idle at the end, as a fixed split of the points did.
    /// </summary>
    private static async Task RunWorkerAsync(ConcurrentQueue<SweepPoint> queue, (string FileName, IReadOnlyList<string> Arguments) worker,
        SweepOutcome[] results, IProgress<SweepOutcome>? progress, CancellationToken ct)
    {
        if (!queue.TryDequeue(out var first)) return;
        var psi = new ProcessStartInfo(worker.FileName) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in worker.Arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start sweep worker '{worker.FileName}'.");
        var stderr = p.StandardError.ReadToEndAsync(ct);
        int sent = 0, received = 0;
        async Task Send(SweepPoint point)
        {
            await p.StandardInput.WriteLineAsync(JsonSerializer.Serialize(point, Json));
            await p.StandardInput.FlushAsync(ct);
            sent++;
        }
        await Send(first);
        while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith('{')) continue;
            var outcome = JsonSerializer.Deserialize<SweepOutcome>(line, Json)!;
            results[outcome.Point.Index] = outcome;
            received++;
            progress?.Report(outcome);
            if (received < sent) continue;
            if (queue.TryDequeue(out var next)) await Send(next);
            else p.StandardInput.Close();
        }
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0 || received != sent)
            throw new InvalidOperationException($"Sweep worker failed (exit {p.ExitCode}, {received} of {sent} points): {await stderr}");
    }

    /// <summary>The worker's side: read points from <paramref name="input"/>, run them in order, write outcomes.</summary>
    public static async Task ServeAsync(TextReader input, TextWriter output, CancellationToken ct = default)
    {
        Data.Panel.MarketPanel? panel = null;
        Trading.Research.Factors.FactorBook? book = null; // shared by the points this worker runs
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
                book = new Trading.Research.Factors.FactorBook(panel);
                index = await store.ReadIndexAsync(ct);
                storeOf = point.Store;
            }
            if (configOf != point.ConfigFile) { config = Runtime.Strategy.StrategyConfig.Load(point.ConfigFile); configOf = point.ConfigFile; }
            var outcome = await SweepRunner.RunPointAsync(point, config!, panel!, index, ct, book);
            await output.WriteLineAsync(JsonSerializer.Serialize(outcome, Json));
            await output.FlushAsync(ct);
        }
    }
}
