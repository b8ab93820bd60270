using Akka.Actor;
using Trading.Backtest.Sweeps;
using Trading.Data.Store;
using Trading.Runtime;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Sweeps;

/// <summary>How <c>trading sweep --cluster</c> joins the cluster and how long it waits.</summary>
/// <param name="Seeds">Seed nodes as <c>akka.tcp://SYSTEM@HOST:PORT</c> (see <see cref="Hosting.ClusterSettings.Seed"/>).</param>
/// <param name="Hostname">The sweeper's own address (workers connect back to it).</param>
/// <param name="Port">Its port (0: any free one).</param>
public sealed record SweepClusterOptions(IReadOnlyList<string> Seeds, string SystemName = "trading", string Hostname = "127.0.0.1", int Port = 0)
{
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan PointTimeout { get; init; } = TimeSpan.FromHours(1);
    /// <summary>HOCON on top of the sweeper's (tests: shorter failure detection).</summary>
    public string? ExtraHocon { get; init; }
}

/// <summary>
/// A sweep on the cluster's <c>worker</c> nodes: the sweeper joins as a short-lived member with role
/// <see cref="SweepPaths.SweeperRole"/> (a member rather than a cluster client so it sees workers come and go
/// through member events and reachability, and workers can pull from it directly), runs a
/// <see cref="SweepCoordinator"/>, and leaves the cluster gracefully when done, failed or cancelled. The outcomes are
/// the local sweep's to the byte: the workers run the same <see cref="SweepRunner.RunPointAsync"/> on a store with
/// the same fingerprint, and numbers travel as round-trip JSON.
/// </summary>
public static class ClusterSweep
{
    public static async Task<IReadOnlyList<SweepOutcome>> RunAsync(IReadOnlyList<SweepPoint> points, SweepClusterOptions options,
        IProgress<SweepOutcome>? progress = null, Action<string>? notice = null, CancellationToken ct = default)
    {
        if (points.Count == 0) return [];
        if (options.Seeds.Count == 0) throw new ClusterSweepException("--cluster: no seed node given.");
        var strategyText = HoconFile.LoadText(points[0].ConfigFile);
        // Akka.Remote's frames are at most 128 000 bytes by default; a point carries the whole strategy text.
        if (strategyText.Length > 64_000)
            throw new ClusterSweepException($"{points[0].ConfigFile}: the strategy ({strategyText.Length} characters with its includes) is too large to send to cluster workers (at most 64000).");
        var fingerprint = StoreFingerprint.Of(MarketStore.Open(points[0].Store));
        var where = string.Join(", ", options.Seeds);
        var job = new SweepJob(Guid.NewGuid().ToString("N"), points[0].ConfigFile, strategyText, fingerprint, options.PointTimeout, options.WorkerTimeout, where);

        var system = await StartNodeAsync(options.SystemName, options.Hostname, options.Port, options.Seeds, SweepPaths.SweeperRole, options.ExtraHocon, ct);
        try
        {
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            if (await Task.WhenAny(up.Task, Task.Delay(options.JoinTimeout, ct)) != up.Task)
            {
                ct.ThrowIfCancellationRequested();
                throw new ClusterSweepException($"cannot join the cluster at {where}: no seed node answered within {options.JoinTimeout.TotalSeconds:0}s (is a node running there, with system name '{options.SystemName}'?)");
            }
            var result = new TaskCompletionSource<IReadOnlyList<SweepOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously);
            var coordinator = system.ActorOf(SweepCoordinator.Props(points, job, result, progress, notice), "sweep-coordinator");
            using var cancel = ct.Register(() => coordinator.Tell(SweepCoordinator.Cancel.Instance));
            try
            {
                return await result.Task;
            }
            catch (TaskCanceledException) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
        }
        finally
        {
            await LeaveAsync(system);
        }
    }

    /// <summary>
    /// A cluster member with <paramref name="role"/>: the project's actor system config (Serilog logging) with the
    /// cluster provider, the address, the seeds and the tuned failure detection and split-brain resolver of
    /// CLUSTER_FAILOVER.md. The sweeper uses it, and so do tests and <see cref="SweepWorkerNode"/>.
    /// </summary>
    public static Task<ActorSystem> StartNodeAsync(string systemName, string hostname, int port, IReadOnlyList<string> seeds, string role,
        string? extraHocon, CancellationToken ct = default)
    {
        // The cluster's shared settings (hocon/cluster.conf: the resolver, gossip) with this member's address and role on top.
        var hocon = Trading.Runtime.TradingSystem.ReadEmbedded("cluster.conf") + $$"""

            akka {
              remote.dot-netty.tcp { hostname = {{HoconSyntax.Quote(hostname)}}, port = {{port}} }
              cluster {
                roles = [{{HoconSyntax.Quote(role)}}]
                seed-nodes = [{{string.Join(", ", seeds.Select(HoconSyntax.Quote))}}]
                split-brain-resolver.stable-after = {{Hosting.ClusterHocon.Ms(Hosting.ClusterSettings.DefaultStableAfter)}}
                failure-detector { heartbeat-interval = {{Hosting.ClusterHocon.Ms(Hosting.ClusterSettings.DefaultHeartbeat)}}, acceptable-heartbeat-pause = {{Hosting.ClusterHocon.Ms(Hosting.ClusterSettings.DefaultAcceptablePause)}} }
                down-removal-margin = {{Hosting.ClusterHocon.Ms(Hosting.ClusterSettings.DefaultRemovalMargin)}}
              }
            }
            {{extraHocon}}
            """;
        // Start-up waits for the loggers: off the caller's thread, as the backtest engine does.
        return Task.Run(() => TradingSystem.Create(systemName, JournalKind.InMemory, extra: hocon), ct);
    }

    /// <summary>Leaves the cluster gracefully (the workers see the sweeper go at once, not after a failure detection), then stops.</summary>
    public static async Task LeaveAsync(ActorSystem system)
    {
        var leave = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        if (await Task.WhenAny(leave, Task.Delay(TimeSpan.FromSeconds(15))) != leave) await system.Terminate();
    }
}

/// <summary>
/// A worker node with nothing but the sweep worker: an actor system with role <c>worker</c> and
/// <see cref="SweepWorkerActor"/> at <see cref="SweepPaths.Worker"/>. <c>trading node</c> starts the same actor on its
/// worker nodes; this serves tests and any host that only runs sweeps.
/// </summary>
public static class SweepWorkerNode
{
    public static async Task<ActorSystem> StartAsync(string systemName, string hostname, int port, IReadOnlyList<string> seeds,
        SweepWorkerOptions options, string? extraHocon = null, CancellationToken ct = default)
    {
        var system = await ClusterSweep.StartNodeAsync(systemName, hostname, port, seeds, SweepPaths.WorkerRole, extraHocon, ct);
        system.ActorOf(SweepWorkerActor.Props(options), "sweep-worker");
        return system;
    }
}
