using Akka.Actor;
using Trading.Cluster.Sweeps;

namespace Trading.Node.Tests;

/// <summary>
/// <c>trading sweep --cluster</c> against a cluster in this process (a seed and a worker node on 127.0.0.1, port 0):
/// the same files as the local sweep; bad seeds and an empty address are one-line errors.
/// </summary>
[Collection("console")]
public class ClusterSweepCliTests
{
    private const string Fast = """
        akka.loglevel = WARNING
        akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s }
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.periodic-tasks-initial-delay = 0s
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """;

    private const string Strategy = "strategy { factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ], top-n = 5, buffer = 8, universe { min-listed-days = 0, min-average-amount = 0 } }";

    [Fact]
    public async Task A_cluster_sweep_writes_what_the_local_sweep_writes()
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "30", "--days", "60", "--seed", "3", "--store", store);
        Assert.True(exit == 0, err);
        var config = Path.Combine(dir, "s.conf");
        File.WriteAllText(config, Strategy);
        var systems = new List<ActorSystem>();
        try
        {
            var seed = await ClusterSweep.StartNodeAsync("trading", "127.0.0.1", 0, [], "witness", Fast);
            systems.Add(seed);
            var c = Akka.Cluster.Cluster.Get(seed);
            c.Join(c.SelfAddress);
            systems.Add(await SweepWorkerNode.StartAsync("trading", "127.0.0.1", 0, [c.SelfAddress.ToString()], new SweepWorkerOptions(store), Fast));
            var hostPort = $"127.0.0.1:{c.SelfAddress.Port}";

            (exit, _, err) = await CliRunner.Run("sweep", "--config", config, "--store", store, "--grid", "topN=3,5;lookback=10,20", "--out", Path.Combine(dir, "local"));
            Assert.True(exit == 0, err);
            (exit, var stdout, err) = await CliRunner.Run("sweep", "--config", config, "--store", store, "--grid", "topN=3,5;lookback=10,20",
                "--out", Path.Combine(dir, "cluster"), "--cluster", hostPort, "--cluster-timeout", "10");
            Assert.True(exit == 0, err);
            Assert.Contains("ranking.csv, sweep.html", stdout);
            foreach (var f in new[] { "ranking.csv", "sweep.html" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "local", f)), File.ReadAllBytes(Path.Combine(dir, "cluster", f)));
        }
        finally
        {
            await Task.WhenAll(systems.Select(s => s.Terminate()));
        }
    }

    [Theory]
    [InlineData("nohost", "10", "--cluster: 'nohost' must be HOST:PORT or akka.tcp://trading@HOST:PORT")]
    [InlineData("akka.tcp://other@h:1", "10", "names the actor system 'other'")]
    [InlineData("h:1", "0", "--cluster-timeout 0: must be 1..3600 seconds")]
    [InlineData("FREE", "1", "cannot join the cluster at akka.tcp://trading@127.0.0.1:")]
    public async Task Bad_cluster_arguments_and_no_cluster_are_one_line(string seeds, string timeout, string expected)
    {
        var dir = CliRunner.TempDir();
        var store = Path.Combine(dir, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "10", "--days", "30", "--seed", "3", "--store", store);
        Assert.True(exit == 0, err);
        var config = Path.Combine(dir, "s.conf");
        File.WriteAllText(config, Strategy);
        if (seeds == "FREE")
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            seeds = $"127.0.0.1:{((System.Net.IPEndPoint)l.LocalEndpoint).Port}";
            l.Stop();
        }
        var output = Path.Combine(dir, "out");
        (exit, _, err) = await CliRunner.Run("sweep", "--config", config, "--store", store, "--grid", "topN=3,5", "--out", output,
            "--cluster", seeds, "--cluster-timeout", timeout);
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains(expected, line);
        Assert.False(Directory.Exists(output));
    }
}
