using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Trading.Brokers;
using Trading.Brokers.Bridge;

namespace Trading.Bench.Workloads;

/// <summary>One kill -9 trial: where the node was killed and what the broker and the restarted node then agree on.</summary>
public sealed record KillTrial(int Trial, int KillAfterMs, bool Killed, int BrokerOrders, int NodeOrders, int Duplicates, int LostFills, int Mismatches, string Detail)
{
    /// <summary>Stocks the broker bought that day: a finished rebalance of the driver's strategy buys <see cref="KillNineDriver.TopN"/>.</summary>
    public int BoughtSymbols { get; init; }

    public bool RebalanceComplete => BoughtSymbols == KillNineDriver.TopN;

    public bool Clean => Duplicates == 0 && LostFills == 0 && Mismatches == 0;

    /// <summary>The channel fault injected while the first node ran (qmt only).</summary>
    public QmtFault Fault { get; init; }
}

/// <summary>
/// A fault of the xtquant channel, injected while the first node runs (before or after its SIGKILL): the bridge itself
/// SIGKILLed and restarted on its journal; the miniQMT client restarted (a new xtquant session: snapshot, diff,
/// missed events as reconcile, a new epoch); a storm of five dropped connections; trades pushed twice; trades pushed
/// before their order.
/// </summary>
public enum QmtFault { None, BridgeKill, ClientRestart, DisconnectStorm, DuplicateTrades, TradeBeforeOrder }

/// <summary>
/// The fault driver of issue 11: a paper node whose broker lives in another process (<c>trading broker-sim</c>, the
/// simulated exchange behind the bridge wire), started on a rebalance day, killed with SIGKILL after a random delay
/// (anywhere from start-up through the rebalance to the close), restarted on the same journal and left to finish
/// the day. Then the broker's orders and account are compared with the node's: no two broker orders with the same
/// terms (symbol, side, quantity, limit) — a re-run rebalance or a blind resubmit would send them under new ids —,
/// every broker order known to the node with the same fills, and
/// the node's positions and cash equal the broker's. Every process runs on loopback and is bounded in time.
/// </summary>
public static class KillNineDriver
{
    public const int TopN = 8;

    public const string Strategy =
        "strategy { name = kill9, factors = [ { spec = \"momentum(lookback=20,skip=0)\" } ], top-n = 8, buffer = 10, rebalance = weekly, universe { min-listed-days = 0, min-average-amount = 0 } }";

    /// <summary>
    /// The driver's paper node: account kill9, the strategy above on <paramref name="store"/>'s last rebalance day at
    /// 3000x from 09:34 (the rebalance in its first seconds), through the bridge at <paramref name="brokerPort"/>, exiting
    /// after the close; <paramref name="more"/> adds blocks inside <c>trading</c> (a cluster's).
    /// </summary>
    internal static string PaperNode(string store, string dataDir, string journal, int brokerPort, string more) => $$"""
        trading {
          account-id = "kill9"
          node {
            mode = paper
            strategy = "strategy.conf"
            store = "{{store.Replace("\\", "/")}}"
            data-dir = "{{dataDir}}"
            journal = {{journal}}
            broker { kind = bridge, host = "127.0.0.1", port = {{brokerPort}} }
            paper { replay-day = last-rebalance, start-at = "09:34", speed = 3000, exit-after-close = on }
          }
          broker { heartbeat-interval = 1s, reconnect-min-backoff = 1s, reconnect-max-backoff = 2s }
          schedule { monitor-every = off }
        {{more}}
        }
        """;

    /// <summary>Runs trial <paramref name="trial"/> in a folder of its own under <paramref name="root"/>.</summary>
    /// <param name="broker"><c>sim</c>: <c>trading broker-sim</c> (the simulated exchange behind the bridge wire);
    /// <c>qmt</c>: the real channel — scripts/qmt_bridge.py in front of fakextquant, each its own process, the fake's
    /// prices and fee rates written from the same stored day (<c>broker-sim --write-fixture</c>)</param>
    /// <param name="fault">qmt only: a channel fault injected <paramref name="faultAtMs"/> after the first node starts</param>
    public static async Task<KillTrial> RunAsync(string tradingDll, string store, string root, int trial, int killAfterMs, TimeSpan limit,
        string broker = "sim", QmtFault fault = QmtFault.None, int faultAtMs = 0)
    {
        if (fault != QmtFault.None && broker != "qmt") throw new ArgumentException("channel faults need --broker qmt", nameof(fault));
        var dir = Path.Combine(root, $"trial-{trial:D4}");
        Directory.CreateDirectory(dir);
        QmtProcesses? qmt = null;
        int port = FreePort();
        await File.WriteAllTextAsync(Path.Combine(dir, "strategy.conf"), Strategy);
        var node = Path.Combine(dir, "node.conf");
        await File.WriteAllTextAsync(node, PaperNode(store, "node-data", "sqlite", port, ""));
        Child? sim = null;
        if (broker == "qmt")
        {
            var fixture = Path.Combine(dir, "fixture.json");
            using (var write = Start(tradingDll, dir, "broker-sim", "--config", node, "--write-fixture", fixture))
            {
                await write.Process.WaitForExitAsync();
                if (write.Process.ExitCode != 0) throw new InvalidOperationException($"broker-sim --write-fixture exited {write.Process.ExitCode}: {write.Tail()}");
            }
            var cash = Trading.Runtime.Strategy.StrategyConfig.Load(Path.Combine(dir, "strategy.conf")).InitialCash;
            var day = DateOnly.Parse(System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(fixture)).RootElement.GetProperty("trade_date").GetString()!,
                CultureInfo.InvariantCulture);
            qmt = await QmtProcesses.Start(RepoRoot(tradingDll), fixture, "kill9", cash, day, matchEveryMs: 50);
            port = qmt.Port;
            await File.WriteAllTextAsync(node, (await File.ReadAllTextAsync(node)) + $"\ntrading.node.broker.port = {port}\n");
        }
        else sim = Start(tradingDll, dir, "broker-sim", "--config", node, "--port", port.ToString(CultureInfo.InvariantCulture));
        try
        {
            if (sim is not null) await WaitForLine(sim, "listening on", TimeSpan.FromSeconds(60));
            bool killed;
            using (var first = Start(tradingDll, dir, "node", "--config", node))
            {
                var injected = qmt is not null && fault != QmtFault.None ? Inject(qmt, fault, faultAtMs) : Task.CompletedTask;
                killed = !first.Process.WaitForExit(killAfterMs);
                if (killed) first.Process.Kill(entireProcessTree: true); // SIGKILL on Unix
                await first.Process.WaitForExitAsync();
                await injected;
            }
            using (var second = Start(tradingDll, dir, "node", "--config", node))
            {
                using var cts = new CancellationTokenSource(limit);
                try { await second.Process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException)
                {
                    second.Process.Kill(entireProcessTree: true);
                    qmt?.KeepLogs(Path.Combine(dir, "qmt"));
                    return new KillTrial(trial, killAfterMs, killed, 0, 0, 0, 0, 1, $"restarted node did not finish within {limit}: {second.Tail()}") { Fault = fault };
                }
                if (second.Process.ExitCode != 0)
                {
                    qmt?.KeepLogs(Path.Combine(dir, "qmt"));
                    return new KillTrial(trial, killAfterMs, killed, 0, 0, 0, 0, 1, $"restarted node exited {second.Process.ExitCode}: {second.Tail()}") { Fault = fault };
                }
            }
            var result = await Compare(trial, killAfterMs, killed, dir, port) with { Fault = fault };
            if (qmt is not null)
            {
                // Behind the bridge, the counter itself: as many xtquant orders as the bridge lists (a second order
                // under one remark would be listed as manual-…, and counted here anyway).
                using var state = System.Text.Json.JsonDocument.Parse(await qmt.Ctl("state"));
                int counter = state.RootElement.GetProperty("orders").GetArrayLength();
                if (counter != result.BrokerOrders)
                    result = result with { Duplicates = result.Duplicates + Math.Abs(counter - result.BrokerOrders), Detail = result.Detail + $"; xtquant has {counter} orders, the bridge lists {result.BrokerOrders}" };
                if (!result.Clean) qmt.KeepLogs(Path.Combine(dir, "qmt"));
            }
            return result;
        }
        finally
        {
            if (sim is not null)
            {
                if (!sim.Process.HasExited) sim.Process.Kill(entireProcessTree: true);
                sim.Dispose();
            }
            if (qmt is not null) await qmt.DisposeAsync();
        }
    }

    private static async Task Inject(QmtProcesses qmt, QmtFault fault, int atMs)
    {
        await Task.Delay(atMs);
        switch (fault)
        {
            case QmtFault.BridgeKill:
                await qmt.RestartBridge(downMs: 500);
                break;
            case QmtFault.ClientRestart:
                await qmt.Ctl("restart-client", "--down-ms", "1500");
                break;
            case QmtFault.DisconnectStorm:
                for (int i = 0; i < 5; i++)
                {
                    await qmt.Ctl("disconnect");
                    await Task.Delay(300);
                }
                break;
            case QmtFault.DuplicateTrades:
                await qmt.Ctl("fault", "duplicate_trade_push", "5");
                break;
            case QmtFault.TradeBeforeOrder:
                await qmt.Ctl("fault", "trade_before_order", "3");
                break;
        }
    }

    internal static string RepoRoot(string from)
    {
        foreach (var start in new[] { Path.GetDirectoryName(Path.GetFullPath(from))!, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
        throw new InvalidOperationException("Trading.Actors.sln not found above " + from);
    }

    private static Task<KillTrial> Compare(int trial, int killAfterMs, bool killed, string dir, int port) =>
        CompareReports(trial, killAfterMs, killed, Path.Combine(dir, "node-data", "reports"), port);

    /// <summary>The broker's orders and account against a node's reports (orders.csv, positions.csv, nav.csv) in <paramref name="reports"/>.</summary>
    internal static async Task<KillTrial> CompareReports(int trial, int killAfterMs, bool killed, string reports, int port)
    {
        await using var gateway = new BridgeGateway(new BridgeGatewayOptions("127.0.0.1", port, Account: "kill9", Name: "checker"));
        await gateway.ConnectAsync(CancellationToken.None);
        var orders = await gateway.QueryOrdersAsync(CancellationToken.None);
        var account = await gateway.QueryAccountAsync(CancellationToken.None);
        var nodeOrders = Rows(Path.Combine(reports, "orders.csv")).ToDictionary(r => r["order_id"]);
        var notes = new List<string>();

        // A re-sent intent under a new id (the classic failure after a timeout or a restart) has the same terms as the
        // first: the same symbol, side, quantity and limit. Top-up orders of the same stock differ in quantity.
        int duplicates = orders.GroupBy(o => (o.Request.Symbol, o.Request.Side, o.Request.Quantity, o.Request.LimitPrice)).Sum(g => g.Count() - 1);
        if (duplicates > 0) notes.Add($"{duplicates} duplicate broker orders");
        int lost = 0;
        foreach (var o in orders)
        {
            long nodeFilled = nodeOrders.TryGetValue(o.Id.Value, out var row) ? long.Parse(row["filled_quantity"], CultureInfo.InvariantCulture) : -1;
            if (nodeFilled != o.FilledQuantity)
            {
                lost++;
                notes.Add($"{o.Id}: broker filled {o.FilledQuantity}, node {(nodeFilled < 0 ? "has no such order" : nodeFilled.ToString(CultureInfo.InvariantCulture))}");
            }
        }
        int mismatches = 0;
        var positions = Rows(Path.Combine(reports, "positions.csv"))
            .ToDictionary(r => r["symbol"], r => long.Parse(r["quantity"], CultureInfo.InvariantCulture));
        foreach (var p in account.Positions.Where(p => p.Quantity != 0))
            if (!positions.TryGetValue(p.Symbol.ToString(), out var q) || q != p.Quantity) { mismatches++; notes.Add($"{p.Symbol}: broker {p.Quantity}, node {q}"); }
        foreach (var (symbol, q) in positions)
            if (account.PositionOf(Trading.Domain.Instruments.Symbol.Parse(symbol)) is null && q != 0) { mismatches++; notes.Add($"{symbol}: node {q}, broker none"); }
        var navRows = Rows(Path.Combine(reports, "nav.csv")).ToList();
        if (navRows.Count == 0) { mismatches++; notes.Add($"no NAV row in {reports}: the day's close never ran there"); }
        var cash = navRows.Count == 0 ? account.Cash : decimal.Parse(navRows[^1]["cash"], CultureInfo.InvariantCulture);
        if (cash != account.Cash) { mismatches++; notes.Add($"cash: broker {account.Cash}, node {cash}"); }
        return new KillTrial(trial, killAfterMs, killed, orders.Count, nodeOrders.Count, duplicates, lost, mismatches, string.Join("; ", notes))
        {
            BoughtSymbols = orders.Where(o => o.Request.Side == Trading.Domain.Rules.Side.Buy && o.FilledQuantity > 0).Select(o => o.Request.Symbol).Distinct().Count(),
        };
    }

    private static IEnumerable<Dictionary<string, string>> Rows(string csv)
    {
        if (!File.Exists(csv)) yield break;
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            yield return header.Select((h, i) => (h, v: i < cells.Length ? cells[i] : "")).ToDictionary(x => x.h, x => x.v);
        }
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    internal sealed class Child : IDisposable
    {
        private readonly List<string> _lines = [];
        public required Process Process { get; init; }
        public void Add(string? line) { if (line is not null) lock (_lines) { _lines.Add(line); _at.Add(DateTime.UtcNow); } }
        private readonly List<DateTime> _at = [];
        public bool Has(string text) { lock (_lines) return _lines.Any(l => l.Contains(text, StringComparison.Ordinal)); }
        /// <summary>When the first line containing <paramref name="text"/> arrived (UTC), or null.</summary>
        public DateTime? FirstAt(string text) { lock (_lines) { int i = _lines.FindIndex(l => l.Contains(text, StringComparison.Ordinal)); return i < 0 ? null : _at[i]; } }
        public string? FirstLine(string text) { lock (_lines) return _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)); }
        public string All() { lock (_lines) return string.Join("\n", _lines); }
        public string Tail() { lock (_lines) return string.Join(" | ", _lines.TakeLast(6)); }
        public void Dispose() => Process.Dispose();
    }

    internal static Child Start(string tradingDll, string dir, params string[] args) => StartWith(tradingDll, dir, null, args);

    /// <summary>The CLI in its own process with extra environment variables (a cluster node: its database, its role).</summary>
    internal static Child StartWith(string tradingDll, string dir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(tradingDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TRADING_LOG_DIR"] = Path.Combine(dir, "logs");
        psi.Environment["TRADING_JIT_PROFILE"] = "0";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi };
        var child = new Child { Process = p };
        p.OutputDataReceived += (_, e) => child.Add(e.Data);
        p.ErrorDataReceived += (_, e) => child.Add(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return child;
    }

    private static async Task WaitForLine(Child c, string text, TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (!c.Has(text))
        {
            if (c.Process.HasExited) throw new InvalidOperationException($"broker-sim exited {c.Process.ExitCode}: {c.Tail()}");
            if (sw.Elapsed > limit) throw new TimeoutException($"broker-sim not listening within {limit}: {c.Tail()}");
            await Task.Delay(50);
        }
    }
}
