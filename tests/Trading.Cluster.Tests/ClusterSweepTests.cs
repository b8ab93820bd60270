using System.Diagnostics;
using Akka.Actor;
using Trading.Backtest.Sweeps;
using Trading.Cluster.Sweeps;
using Trading.Data.Store;
using Trading.Data.Synthetic;
using Xunit.Abstractions;

namespace Trading.Cluster.Tests;

/// <summary>
/// A cluster in one process (127.0.0.1, port 0): a seed, worker nodes, the sweeper; short failure detection so a
/// lost worker is noticed in about a second. Every system is shut down at the end of its test.
/// </summary>
public sealed class ClusterSweepTests(ITestOutputHelper output) : IAsyncLifetime
{
    internal const string Fast = """
        akka.loglevel = WARNING
        akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s }
        akka.cluster.split-brain-resolver.stable-after = 1s
        akka.cluster.down-removal-margin = 0s
        akka.cluster.periodic-tasks-initial-delay = 0s
        akka.cluster.seed-node-timeout = 2s
        akka.cluster.retry-unsuccessful-join-after = 1s
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        # the test's nodes end all at once: none needs to leave gracefully (the sweeper leaves by itself)
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """;

    internal const string Strategy = """
        strategy {
          name = "clustered"
          initial-cash = 1000000
          factors = [ { spec = "momentum(lookback=20,skip=0)", weight = 1.0, transforms = [winsorize, zscore] } ]
          top-n = 10
          buffer = 15
          max-weight = 0.2
          rebalance = weekly
          universe { min-listed-days = 0, min-average-amount = 0 }
          risk { max-turnover = 3, max-daily-amount = 10000000, max-order-value = 500000 }
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "csweep-" + Guid.NewGuid().ToString("N"));
    private readonly List<ActorSystem> _systems = [];
    private string Store => Path.Combine(_dir, "store");
    private string Config => Path.Combine(_dir, "s.conf");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        await WriteStore(Store, seed: 7);
        File.WriteAllText(Config, Strategy);
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_systems.Select(s => s.Terminate().WaitAsync(TimeSpan.FromSeconds(20))));
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    internal static Task<MarketStore> WriteStore(string dir, int seed) =>
        SyntheticStore.WriteAsync(SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(40, 70, (ulong)seed) { Start = new DateOnly(2023, 1, 3), RespectBoardLaunchDates = false }), dir);

    private async Task<string> Seed()
    {
        var seed = await ClusterSweep.StartNodeAsync("trading", "127.0.0.1", 0, [], "witness", Fast);
        _systems.Add(seed);
        var cluster = Akka.Cluster.Cluster.Get(seed);
        cluster.Join(cluster.SelfAddress);
        return cluster.SelfAddress.ToString();
    }

    private async Task<ActorSystem> Worker(string seed, string? store, string extra = "")
    {
        var w = await SweepWorkerNode.StartAsync("trading", "127.0.0.1", 0, [seed], new SweepWorkerOptions(store), Fast + "\n" + extra);
        _systems.Add(w);
        return w;
    }

    private static async Task WaitForUp(ActorSystem system, int members)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (cluster.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < members)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{members} members not up");
            await Task.Delay(50);
        }
    }

    private SweepClusterOptions Options(string seed) => new([seed])
    {
        ExtraHocon = Fast, JoinTimeout = TimeSpan.FromSeconds(10), WorkerTimeout = TimeSpan.FromSeconds(3),
    };

    private static IEnumerable<(string Name, byte[] Bytes)> Files(string dir) =>
        Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)));

    [Fact]
    public async Task A_sweep_on_two_workers_writes_the_local_sweeps_files_byte_for_byte()
    {
        var points = SweepGrid.Points("topN=5,10;lookback=10,20,30,40", Config, Store, null, null);
        var seed = await Seed();
        var w1 = await Worker(seed, Store);
        await Worker(seed, Store);
        await WaitForUp(w1, 3);

        var clock = Stopwatch.StartNew();
        var local = await SweepRunner.RunAsync(points, 2);
        var localSeconds = clock.Elapsed.TotalSeconds;
        SweepRunner.Write(local, Path.Combine(_dir, "local"));

        int reported = 0;
        double first = 0, last = 0;
        clock.Restart();
        var remote = await ClusterSweep.RunAsync(points, Options(seed), new SyncProgress(_ =>
        {
            if (Interlocked.Increment(ref reported) == 1) first = clock.Elapsed.TotalSeconds;
            last = clock.Elapsed.TotalSeconds;
        }));
        var clusterSeconds = clock.Elapsed.TotalSeconds;
        SweepRunner.Write(remote, Path.Combine(_dir, "cluster"));

        Assert.Equal(points.Count, reported);
        Assert.Equal(Files(Path.Combine(_dir, "local")), Files(Path.Combine(_dir, "cluster")));
        Assert.True(remote.Select(o => o.FinalNav).Distinct().Count() > 1, "different parameters should trade differently");
        output.WriteLine($"{points.Count} points: local (2 threads) {localSeconds:0.00}s; cluster (2 in-process workers, 1 point each at a time) {clusterSeconds:0.00}s in all, first outcome at {first:0.00}s, last at {last:0.00}s (the rest is leaving the cluster)");
    }

    [Fact]
    public async Task A_worker_lost_mid_sweep_has_its_points_finished_by_the_other()
    {
        var points = SweepGrid.Points("topN=5,10;lookback=10,20,30,40", Config, Store, null, null);
        var seed = await Seed();
        // Terminated without leaving (see Fast): to the others it simply vanishes, as a killed process would.
        var doomed = await Worker(seed, Store);
        await Worker(seed, Store);
        await WaitForUp(doomed, 3);
        var notices = new List<string>();
        int reported = 0;
        Task? kill = null;
        var progress = new SyncProgress(_ =>
        {
            if (Interlocked.Increment(ref reported) == 1) kill = doomed.Terminate();
        });

        var remote = await ClusterSweep.RunAsync(points, Options(seed), progress, n => { lock (notices) notices.Add(n); });

        await kill!;
        Assert.Equal(points.Count, remote.Count);
        Assert.All(remote, o => Assert.NotNull(o));
        Assert.Contains(notices, n => n.Contains("point(s) go to other workers"));
        var local = await SweepRunner.RunAsync(points, 2);
        Assert.Equal(local.Select(o => (o.FinalNav, o.Sharpe, o.Trades, o.Fees)), remote.Select(o => (o.FinalNav, o.Sharpe, o.Trades, o.Fees)));
    }

    [Fact]
    public async Task A_worker_with_another_store_refuses_and_alone_it_fails_the_sweep_with_the_reason()
    {
        var other = Path.Combine(_dir, "other");
        await WriteStore(other, seed: 8);
        var points = SweepGrid.Points("topN=5,10", Config, Store, null, null);
        var seed = await Seed();
        var bad = await Worker(seed, other);
        await WaitForUp(bad, 2);

        var e = await Assert.ThrowsAsync<ClusterSweepException>(() => ClusterSweep.RunAsync(points, Options(seed)));
        Assert.Contains("every worker refused the sweep", e.Message);
        Assert.Contains("holds other data than the sweeper's", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        // Beside a worker with the same data, the sweep goes on there.
        var good = await Worker(seed, Store);
        await WaitForUp(good, 3);
        var notices = new List<string>();
        var remote = await ClusterSweep.RunAsync(points, Options(seed), notice: n => { lock (notices) notices.Add(n); });
        Assert.Equal(2, remote.Count);
        Assert.Contains(notices, n => n.Contains("holds other data"));
    }

    [Fact]
    public async Task No_worker_and_no_cluster_are_one_line_errors()
    {
        var points = SweepGrid.Points("topN=5,10", Config, Store, null, null);
        var seed = await Seed();
        var none = await Assert.ThrowsAsync<ClusterSweepException>(() => ClusterSweep.RunAsync(points, Options(seed) with { WorkerTimeout = TimeSpan.FromSeconds(1) }));
        Assert.StartsWith($"no worker nodes in the cluster at {seed}", none.Message);

        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var nowhere = await Assert.ThrowsAsync<ClusterSweepException>(() => ClusterSweep.RunAsync(points,
            new SweepClusterOptions([$"akka.tcp://trading@127.0.0.1:{port}"]) { ExtraHocon = Fast, JoinTimeout = TimeSpan.FromSeconds(2) }));
        Assert.StartsWith($"cannot join the cluster at akka.tcp://trading@127.0.0.1:{port}", nowhere.Message);
    }

    [Fact]
    public void Every_cross_node_message_survives_the_default_serializer()
    {
        using var system = ActorSystem.Create("ser");
        object[] messages =
        [
            new SweepOffer("s1"), new SweepPointRequest("s1"),
            new SweepWork("s1", 3, "{\"Index\":3}", "/x/s.conf", "strategy { top-n = 5 }", "ab12"),
            new SweepPointDone("s1", 3, "{\"FinalNav\":1.5}", "akka.tcp://trading@h:1"),
            new SweepPointRefused("s1", 3, "other store", "akka.tcp://trading@h:1"),
            new SweepPointFailed("s1", 3, "boom", "akka.tcp://trading@h:1"),
            new SweepClosed("s1"),
        ];
        foreach (var m in messages)
        {
            var serializer = system.Serialization.FindSerializerFor(m);
            var back = serializer.FromBinary(serializer.ToBinary(m), m.GetType());
            Assert.Equal(m, back);
        }
    }

    [Fact]
    public async Task The_point_and_outcome_json_inside_the_messages_round_trip_exactly()
    {
        var points = SweepGrid.Points("topN=5;lookback=10", Config, Store, new DateOnly(2023, 2, 1), null);
        var outcome = (await SweepRunner.RunAsync(points, 1))[0] with { Sharpe = double.NaN };
        var json = System.Text.Json.JsonSerializer.Serialize(outcome, ProcessSweep.Json);
        var back = System.Text.Json.JsonSerializer.Deserialize<SweepOutcome>(json, ProcessSweep.Json)!;
        Assert.Equal(outcome.FinalNav, back.FinalNav);
        Assert.Equal(outcome.TotalReturn, back.TotalReturn);
        Assert.Equal(outcome.MaxDrawdown, back.MaxDrawdown);
        Assert.True(double.IsNaN(back.Sharpe));
        Assert.Equal(outcome.Point.Label, back.Point.Label);
        Assert.Equal(outcome.Point.Start, back.Point.Start);
    }

    [Fact]
    public async Task The_store_fingerprint_is_the_data_not_the_import()
    {
        var again = Path.Combine(_dir, "again");
        var other = Path.Combine(_dir, "other");
        await Task.Delay(20); // another creation time in the manifest
        await WriteStore(again, seed: 7);
        await WriteStore(other, seed: 8);
        var a = StoreFingerprint.Of(MarketStore.Open(Store));
        Assert.Equal(a, StoreFingerprint.Of(MarketStore.Open(again)));
        Assert.NotEqual(a, StoreFingerprint.Of(MarketStore.Open(other)));
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void Worker_options_come_from_the_sweep_block_relative_to_the_file()
    {
        Trading.Runtime.Configuration.ConfigBlock Block(string hocon) =>
            Trading.Runtime.Configuration.ConfigBlock.Root(Akka.Configuration.ConfigurationFactory.ParseString(hocon), "/etc/trading/node.conf")
                .Block("trading", null)!.Block("cluster", null)!.Block("sweep", null)!;
        var o = SweepWorkerOptions.From(Block("trading.cluster.sweep { store = data/store, max-points-in-flight = 2 }"), "/etc/trading/node.conf");
        Assert.Equal("/etc/trading/data/store", o.Store);
        Assert.Equal(2, o.MaxPointsInFlight);
        Assert.Null(SweepWorkerOptions.From(null, "/etc/trading/node.conf").Store);
        var e = Assert.Throws<Trading.Runtime.Configuration.ConfigException>(() =>
            SweepWorkerOptions.From(Block("trading.cluster.sweep { max-points-in-flight = 0 }"), "/etc/trading/node.conf"));
        Assert.Contains("'trading.cluster.sweep.max-points-in-flight'", e.Message);
        Assert.Throws<Trading.Runtime.Configuration.ConfigException>(() =>
            SweepWorkerOptions.From(Block("trading.cluster.sweep { stor = x }"), "/etc/trading/node.conf"));
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the pool, after the sweep may have returned).</summary>
    private sealed class SyncProgress(Action<SweepOutcome> report) : IProgress<SweepOutcome>
    {
        public void Report(SweepOutcome value) => report(value);
    }
}
