using Trading.Bench.Workloads;

namespace Trading.Node.Tests;

/// <summary>
/// Issue 11, fault injection in separate processes (a small sample; <c>bench kill9</c> runs 200+): a paper node whose
/// broker is another process (<c>trading broker-sim</c> behind the bridge wire) is SIGKILLed at points from start-up
/// through the rebalance to the close, restarted on its journal, and must end with no duplicate order, no lost fill,
/// and positions and cash equal to the broker's.
/// </summary>
[Collection("console")]
public class KillNineTests
{
    [Fact]
    public async Task A_paper_node_killed_with_sigkill_and_restarted_never_doubles_or_loses_an_order()
    {
        var trials = await RunTrials("sim", (2200, QmtFault.None), (2600, QmtFault.None), (3000, QmtFault.None), (4000, QmtFault.None));
        Assert.All(trials, t => Assert.True(t.NodeOrders >= t.BrokerOrders, $"trial {t.Trial}: broker {t.BrokerOrders}, node {t.NodeOrders}"));
    }

    [Fact]
    public async Task Through_the_xtquant_bridge_a_node_killed_with_sigkill_never_doubles_or_loses_an_order()
    {
        // Each with a channel fault on top of the node's SIGKILL: the bridge SIGKILLed and restarted, the xtquant client
        // restarted (new session, snapshot, diff), a storm of dropped connections.
        var trials = await RunTrials("qmt", (2400, QmtFault.BridgeKill), (3200, QmtFault.ClientRestart), (4200, QmtFault.DisconnectStorm));
        Assert.Equal([QmtFault.BridgeKill, QmtFault.ClientRestart, QmtFault.DisconnectStorm], trials.Select(t => t.Fault));
    }

    /// <summary>
    /// One trial per delay against <paramref name="broker"/> (<see cref="KillNineDriver"/>): each must end clean (no
    /// duplicate, no lost fill, positions and cash equal the broker's) with the whole portfolio bought — an interrupted
    /// rebalance is run again after the restart — and at least one node must really have been killed. A channel fault
    /// is injected at half the kill delay.
    /// </summary>
    private static async Task<List<KillTrial>> RunTrials(string broker, params (int Delay, QmtFault Fault)[] delays)
    {
        var root = CliRunner.TempDir();
        var store = Path.Combine(root, "store");
        var (exit, _, err) = await CliRunner.Run("data", "synth", "--symbols", "40", "--days", "90", "--seed", "11", "--store", store);
        Assert.True(exit == 0, err);
        var trading = Path.Combine(AppContext.BaseDirectory, "trading.dll");
        var trials = new List<KillTrial>();
        int i = 0;
        foreach (var (delay, fault) in delays)
            trials.Add(await KillNineDriver.RunAsync(trading, store, root, ++i, delay, TimeSpan.FromSeconds(120), broker, fault, delay / 2));
        Assert.All(trials, t => Assert.True(t.Clean, $"trial {t.Trial} ({t.Fault}, kill after {t.KillAfterMs} ms): {t.Detail}"));
        Assert.All(trials, t => Assert.True(t.RebalanceComplete, $"trial {t.Trial} (kill after {t.KillAfterMs} ms): {t.BoughtSymbols} of {KillNineDriver.TopN} stocks bought"));
        Assert.Contains(trials, t => t.Killed);
        return trials;
    }
}
