using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Trading.Bench.Workloads;

/// <summary>
/// What happens to the primary: SIGKILL, a pause (SIGSTOP … SIGCONT) longer than the lease's ttl, a graceful hand-over
/// (the console's <c>failover</c>), or nothing (<see cref="None"/>: the control trial for false downing — the cluster
/// must keep its primary through start-up load and the whole day, and no member may be downed).
/// </summary>
public enum FailoverFault { Kill, Pause, Graceful, None }

/// <summary>One failover trial: how long the standby took, the epochs, and what the broker and the new brain agree on.</summary>
public sealed record FailoverTrial(int Trial, FailoverFault Fault, int AtMs, bool Injected, double FailoverSeconds, long EpochBefore, long EpochAfter,
    KillTrial Check, int StaleAccepted, int StaleRefused, string Detail)
{
    public bool Clean => Check.Clean && StaleAccepted == 0 && (Fault == FailoverFault.None ? EpochAfter == EpochBefore : EpochAfter > EpochBefore);
}

/// <summary>
/// The fault driver of issue 14: a three-node cluster in separate processes on loopback — a witness and two traders
/// sharing a PostgreSQL journal and lease (one database per trial) — trading through scripts/qmt_bridge.py in front of
/// fakextquant. Trader A starts first (the oldest: the primary), then B (the standby). At a random point of A's paper
/// day (its rebalance, the settle, the top-up, the close) A is SIGKILLed, paused (SIGSTOP for longer than the lease's
/// ttl, then SIGCONT: it wakes with catch-up timers and must not trade), or asked to leave (SIGTERM: a graceful
/// hand-over). B must take over — lease, epoch above A's, recovery from the shared journal, reconciliation — and finish
/// the day. Then: failover time (fault → B's brain running), broker orders with an epoch below the new one accepted
/// after the bridge saw the new epoch (stale orders accepted; by the bridge's journal order), stale attempts refused
/// (the bridge's log), duplicates, lost fills, and positions and cash against the broker's (<see cref="KillNineDriver"/>).
/// </summary>
public static class ClusterFailoverDriver
{
    public const string BrainLine = "[cluster] brain of kill9 runs here with epoch ";
    public const string UpLine = "[cluster] this node is up";

    public static async Task<FailoverTrial> RunAsync(string tradingDll, string store, string root, string pgServer, int trial, FailoverFault fault, int atMs,
        TimeSpan limit, int pauseMs = 9000)
    {
        var dir = Path.Combine(root, $"trial-{trial:D4}");
        Directory.CreateDirectory(dir);
        var database = $"failover_{trial}_{Guid.NewGuid():N}"[..24];
        await using (var c = new NpgsqlConnection(pgServer))
        {
            await c.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
            await create.ExecuteNonQueryAsync();
        }
        var env = new Dictionary<string, string>
        {
            ["TRADING_PG_CONNECTION"] = new NpgsqlConnectionStringBuilder(pgServer) { Database = database }.ConnectionString,
        };
        await File.WriteAllTextAsync(Path.Combine(dir, "strategy.conf"), KillNineDriver.Strategy);
        // The console's admin for the graceful hand-over (users file and token file, both owner-only).
        var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var usersFile = Path.Combine(dir, "users.txt");
        await File.WriteAllTextAsync(usersFile, $"ops admin {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)))}\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "token.txt"), token + "\n");
        if (!OperatingSystem.IsWindows())
            foreach (var f in new[] { usersFile, Path.Combine(dir, "token.txt") }) File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        int w = KillNineDriver.FreePort(), a = KillNineDriver.FreePort(), b = KillNineDriver.FreePort();
        var seeds = $"[\"127.0.0.1:{w}\", \"127.0.0.1:{a}\", \"127.0.0.1:{b}\"]";
        string Trader(int port, string data, int brokerPort) => KillNineDriver.PaperNode(store, data, "postgres", brokerPort, $$"""
              cluster {
                role = trader
                port = {{port}}
                seed-nodes = {{seeds}}
                lease { ttl = 6s, heartbeat-interval = 1s }
                control { users-file = "users.txt" }
              }
            """);
        // The day's prices for the fake, written by broker-sim from the same stored day (as the kill -9 driver does).
        await File.WriteAllTextAsync(Path.Combine(dir, "plain.conf"), KillNineDriver.PaperNode(store, "plain", "sqlite", 17100, ""));
        var fixture = Path.Combine(dir, "fixture.json");
        using (var write = KillNineDriver.Start(tradingDll, dir, "broker-sim", "--config", Path.Combine(dir, "plain.conf"), "--write-fixture", fixture))
        {
            await write.Process.WaitForExitAsync();
            if (write.Process.ExitCode != 0) throw new InvalidOperationException($"broker-sim --write-fixture exited {write.Process.ExitCode}: {write.Tail()}");
        }
        var cash = Trading.Runtime.Strategy.StrategyConfig.Load(Path.Combine(dir, "strategy.conf")).InitialCash;
        var day = DateOnly.Parse(JsonDocument.Parse(await File.ReadAllTextAsync(fixture)).RootElement.GetProperty("trade_date").GetString()!, CultureInfo.InvariantCulture);
        await using var qmt = await QmtProcesses.Start(KillNineDriver.RepoRoot(tradingDll), fixture, "kill9", cash, day, matchEveryMs: 50);
        await File.WriteAllTextAsync(Path.Combine(dir, "a.conf"), Trader(a, "node-a", qmt.Port));
        await File.WriteAllTextAsync(Path.Combine(dir, "b.conf"), Trader(b, "node-b", qmt.Port));
        await File.WriteAllTextAsync(Path.Combine(dir, "w.conf"), $$"""
            trading {
              account-id = "kill9"
              node {
                data-dir = "node-w"
                journal = postgres
              }
              cluster {
                role = witness
                port = {{w}}
                seed-nodes = {{seeds}}
                control { users-file = "users.txt" }
              }
            }
            """);
        var children = new List<KillNineDriver.Child>();
        KillNineDriver.Child Start(string conf)
        {
            var c = KillNineDriver.StartWith(tradingDll, dir, env, "node", "--config", Path.Combine(dir, conf));
            children.Add(c);
            return c;
        }
        FailoverTrial Fail(string why, FailoverTrial? partial = null)
        {
            qmt.KeepLogs(Path.Combine(dir, "qmt"));
            File.WriteAllText(Path.Combine(dir, "stdout.txt"), string.Join("\n\n", children.Select(c => c.All())));
            return partial ?? new FailoverTrial(trial, fault, atMs, false, double.NaN, 0, 0, new KillTrial(trial, atMs, false, 0, 0, 0, 0, 1, why), 0, 0, why);
        }
        try
        {
            var witness = Start("w.conf");
            await Wait(witness, UpLine, TimeSpan.FromSeconds(60));
            // Both traders boot together (loading the store takes seconds): whichever joins first is the oldest and
            // runs the brain; its paper day (~7 s at 3000x, the rebalance in its first seconds) starts with the brain.
            var first = Start("a.conf");
            await Task.Delay(300);
            var second = Start("b.conf");
            var sw = Stopwatch.StartNew();
            while (!first.Has(BrainLine) && !second.Has(BrainLine))
            {
                if (first.Process.HasExited || second.Process.HasExited) return Fail($"a trader exited before any brain ran: {first.Tail()} / {second.Tail()}");
                if (sw.Elapsed > TimeSpan.FromSeconds(90)) return Fail($"no brain within 90 s: {first.Tail()} / {second.Tail()}");
                await Task.Delay(20);
            }
            var (primary, standby) = first.Has(BrainLine) ? (first, second) : (second, first);
            var (primaryData, standbyData) = ReferenceEquals(standby, first) ? ("node-b", "node-a") : ("node-a", "node-b");
            await Wait(standby, UpLine, TimeSpan.FromSeconds(60));
            long before = Epoch(primary.FirstLine(BrainLine));
            // The fault's moment counts from the primary's brain start (its day's clock), not from the standby's join.
            int delay = Math.Max(0, atMs - (int)(DateTime.UtcNow - primary.FirstAt(BrainLine)!.Value).TotalMilliseconds);
            await Task.Delay(delay);
            if (fault == FailoverFault.None)
            {
                // No fault: the primary runs its day to the close and exits (then leaves: only after that may the standby
                // take over). A standby brain before the primary's close, or a member gone, is a false down.
                using (var cts = new CancellationTokenSource(limit))
                {
                    try { await primary.Process.WaitForExitAsync(cts.Token); }
                    catch (OperationCanceledException) { return Fail($"the primary did not finish the day within {limit}: {primary.Tail()}"); }
                }
                var closed = primary.FirstAt("closed: the replay is done");
                var falseTakeOver = standby.FirstAt(BrainLine) is { } s && (closed is null || s < closed);
                var gone = new[] { (Name: "standby", C: standby), (Name: "witness", C: witness) }.Where(m => m.C.Process.HasExited).Select(m => m.Name).ToArray();
                var quiet = await KillNineDriver.CompareReports(trial, atMs, false, Reports(dir, primaryData, standbyData), qmt.Port);
                var why = new List<string>();
                if (!string.IsNullOrEmpty(quiet.Detail)) why.Add(quiet.Detail);
                if (closed is null) why.Add("the primary exited without closing its day");
                if (falseTakeOver) why.Add("false down: the standby's brain started before the primary closed its day");
                if (gone.Length > 0) why.Add($"false down: {string.Join(" and ", gone)} exited (downed) while the primary ran");
                var none = new FailoverTrial(trial, fault, atMs, false, double.NaN, before, falseTakeOver ? Epoch(standby.FirstLine(BrainLine)) : before,
                    why.Count == 0 ? quiet : quiet with { Mismatches = quiet.Mismatches + (falseTakeOver || gone.Length > 0 || closed is null ? 1 : 0) }, 0, 0, string.Join("; ", why));
                return none.Clean ? none : Fail(none.Detail, none);
            }
            bool injected = !primary.Process.HasExited;
            var t0 = DateTime.UtcNow;
            if (injected)
            {
                switch (fault)
                {
                    case FailoverFault.Kill:
                        primary.Process.Kill(entireProcessTree: true);
                        break;
                    case FailoverFault.Pause:
                        Signal("STOP", primary.Process.Id);
                        break;
                    case FailoverFault.Graceful:
                        // The operator's hand-over: `trading console … failover` to the witness. The clock starts when the
                        // cluster has accepted it (the console prints the answer), not at the console's own start-up.
                        using (var console = KillNineDriver.StartWith(tradingDll, dir, env, "console", "--cluster", $"127.0.0.1:{w}",
                            "--token-file", Path.Combine(dir, "token.txt"), "--yes", "failover"))
                        {
                            await console.Process.WaitForExitAsync();
                            t0 = console.FirstAt("hand-over started") ?? DateTime.UtcNow;
                            if (console.Process.ExitCode != 0) return Fail($"console failover exited {console.Process.ExitCode}: {console.Tail()}");
                        }
                        break;
                }
            }
            var pausing = fault == FailoverFault.Pause && injected
                ? Task.Delay(pauseMs).ContinueWith(_ => Signal("CONT", primary.Process.Id))
                : Task.CompletedTask;
            try { await Wait(standby, BrainLine, limit); }
            catch (Exception e)
            {
                await pausing;
                return Fail($"the standby's brain did not start: {e.Message}");
            }
            var t1 = standby.FirstAt(BrainLine)!.Value;
            long after = Epoch(standby.FirstLine(BrainLine));
            await pausing;
            using (var cts = new CancellationTokenSource(limit))
            {
                try { await standby.Process.WaitForExitAsync(cts.Token); }
                catch (OperationCanceledException) { return Fail($"the standby did not finish the day within {limit}: {standby.Tail()}"); }
            }
            var check = await KillNineDriver.CompareReports(trial, atMs, injected, Reports(dir, injected ? standbyData : primaryData, injected ? primaryData : standbyData), qmt.Port);
            using (var state = JsonDocument.Parse(await qmt.Ctl("state")))
            {
                int counter = state.RootElement.GetProperty("orders").GetArrayLength();
                if (counter != check.BrokerOrders)
                    check = check with { Duplicates = check.Duplicates + Math.Abs(counter - check.BrokerOrders), Detail = check.Detail + $"; xtquant has {counter} orders, the bridge lists {check.BrokerOrders}" };
            }
            var (staleAccepted, staleRefused) = StaleOrders(qmt);
            var notes = new List<string>();
            if (!string.IsNullOrEmpty(check.Detail)) notes.Add(check.Detail);
            if (after <= before) notes.Add($"epoch after failover {after} is not above {before}");
            if (staleAccepted > 0) notes.Add($"{staleAccepted} orders with an old epoch accepted after the new one was seen");
            var result = new FailoverTrial(trial, fault, atMs, injected, (t1 - t0).TotalSeconds, before, after, check, staleAccepted, staleRefused, string.Join("; ", notes));
            return result.Clean ? result : Fail(result.Detail, result);
        }
        finally
        {
            foreach (var c in children)
            {
                try
                {
                    if (!c.Process.HasExited)
                    {
                        Signal("CONT", c.Process.Id);
                        c.Process.Kill(entireProcessTree: true);
                    }
                }
                catch (InvalidOperationException) { }
                c.Dispose();
            }
            await using var drop = new NpgsqlConnection(pgServer);
            try
            {
                await drop.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", drop);
                await cmd.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException) { }
        }
    }

    /// <summary>
    /// The reports of the node that ran the day's close: the standby's, unless the primary had closed the day before the
    /// fault (a late hand-over) — then the standby's day had nothing left to do and its reports are empty.
    /// </summary>
    private static string Reports(string dir, string first, string other)
    {
        static bool Closed(string reports) => File.Exists(Path.Combine(reports, "nav.csv")) && File.ReadLines(Path.Combine(reports, "nav.csv")).Skip(1).Any();
        var a = Path.Combine(dir, first, "reports");
        var b = Path.Combine(dir, other, "reports");
        return Closed(a) || !Closed(b) ? a : b;
    }

    private static long Epoch(string? line) =>
        line is not null && Regex.Match(line, @"epoch (\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    private static void Signal(string signal, int pid)
    {
        using var p = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false, RedirectStandardError = true })!;
        p.WaitForExit(5000);
    }

    private static async Task Wait(KillNineDriver.Child c, string text, TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (!c.Has(text))
        {
            if (c.Process.HasExited) throw new InvalidOperationException($"exited {c.Process.ExitCode} before '{text}': {c.Tail()}");
            if (sw.Elapsed > limit) throw new TimeoutException($"no '{text}' within {limit.TotalSeconds:0} s: {c.Tail()}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// From the bridge's journal (in order): new orders whose epoch is below the highest epoch the bridge had seen by then
    /// (by an order or a fence) — stale orders accepted; and from its log, stale attempts it refused.
    /// </summary>
    internal static (int Accepted, int Refused) StaleOrders(QmtProcesses qmt)
    {
        int accepted = 0;
        long fence = 0;
        var seen = new HashSet<string>();
        if (Directory.Exists(qmt.JournalDir))
            foreach (var file in Directory.GetFiles(qmt.JournalDir, "*.jsonl").Order(StringComparer.Ordinal))
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Length == 0) continue;
                    using var doc = JsonDocument.Parse(line);
                    var r = doc.RootElement;
                    var k = r.TryGetProperty("k", out var kv) ? kv.GetString() : null;
                    if (k == "fence") fence = Math.Max(fence, r.GetProperty("epoch").GetInt64());
                    else if (k == "order" && r.TryGetProperty("coid", out var coid) && seen.Add(coid.GetString()!)
                        && r.TryGetProperty("terms", out var terms) && terms.TryGetProperty("epoch", out var e))
                    {
                        long epoch = e.GetInt64();
                        if (epoch < fence) accepted++;
                        fence = Math.Max(fence, epoch);
                    }
                }
        int refused = File.Exists(qmt.BridgeLog) ? File.ReadLines(qmt.BridgeLog).Count(l => l.Contains("stale", StringComparison.OrdinalIgnoreCase)) : 0;
        return (accepted, refused);
    }
}
