using System.Diagnostics;
using Trading.Bench.Workloads;

namespace Trading.Node.Tests;

/// <summary>
/// How `trading` ends on a signal, in a process of its own: systemd, Kubernetes and a terminal's Ctrl-C all stop a node
/// with SIGTERM / SIGINT. The node must stop gracefully (exit 0, its journal and logs closed) with no stack trace — it
/// once died of System.CommandLine's own signal handler cancelling a disposed token source.
/// </summary>
[Collection("console")]
public class SignalTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_running_paper_node_stopped_by_a_signal_exits_0_without_a_stack_trace(string signal)
    {
        if (OperatingSystem.IsWindows()) return;
        var root = CliRunner.TempDir();
        var store = Path.Combine(root, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "40", "--days", "90", "--seed", "11", "--store", store);
        Assert.True(exit == 0, err);
        await File.WriteAllTextAsync(Path.Combine(root, "strategy.conf"), KillNineDriver.Strategy);
        var conf = Path.Combine(root, "node.conf");
        await File.WriteAllTextAsync(conf, KillNineDriver.PaperNode(store, "node-data", "sqlite", 17100, "node.broker.kind = simulated"));
        // At real-time speed the replayed day lasts hours: the node is running when the signal comes.
        using var node = KillNineDriver.Start(Path.Combine(AppContext.BaseDirectory, "trading.dll"), root, "node", "--config", conf, "--speed", "1");
        var sw = Stopwatch.StartNew();
        while (!node.Has("stop with Ctrl-C"))
        {
            Assert.False(node.Process.HasExited, $"the node exited before it ran: {node.All()}");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"the node did not start within 60 s: {node.Tail()}");
            await Task.Delay(50);
        }
        await Task.Delay(1500);
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, node.Process.Id.ToString()]) { UseShellExecute = false })!)
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await node.Process.WaitForExitAsync(cts.Token);
        var output = node.All();
        Assert.True(node.Process.ExitCode == 0, $"exit {node.Process.ExitCode}: {output}");
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("   at ", output);
        Assert.True(File.Exists(Path.Combine(root, "node-data", "journal.db")));
    }
}
