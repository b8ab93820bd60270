using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Trading.Bench.Workloads;
using Trading.Brokers;
using Trading.Brokers.Bridge;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Bench;

/// <summary>
/// Issue 12: an order's round trip through the channel the live node uses — the C# gateway, the wire on loopback,
/// qmt_bridge.py, xtquant (fakextquant's client and its counter process) and back as <c>order_accepted</c> — beside
/// the same round trip to the in-process fake of the wire (the bridge server around the simulated exchange), in the
/// same run. One order at a time (latency, not throughput), after warm-up orders.
/// <c>bench bridge-path [--orders 500] [--warmup 50]</c> (the worker: <c>bridge-path-once --broker qmt|sim
/// [--fake-save-every-ms N]</c>).
/// </summary>
internal static class BridgePath
{
    public static Task<int> Suite(Options o)
    {
        int orders = o.Int("orders", 500), warmup = o.Int("warmup", 50);
        var qmt = Measure.RunWorker("bridge-path-once", "--broker", "qmt", "--orders", $"{orders}", "--warmup", $"{warmup}");
        var qmtBatched = Measure.RunWorker("bridge-path-once", "--broker", "qmt", "--orders", $"{orders}", "--warmup", $"{warmup}", "--fake-save-every-ms", "200");
        var sim = Measure.RunWorker("bridge-path-once", "--broker", "sim", "--orders", $"{orders}", "--warmup", $"{warmup}");
        Console.WriteLine("### Order path through the xtquant bridge (issue 12)");
        Console.WriteLine();
        Console.WriteLine($"Command: `dotnet .build/bench/Trading.Bench.dll bridge-path --orders {orders} --warmup {warmup}`. Submit → acknowledgement " +
            "(order_accepted pushed back), one order at a time after the warm-up, each row a fresh process.");
        Console.WriteLine();
        Console.WriteLine("| broker | orders | wall s | result |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| gateway → wire → qmt_bridge.py → xtquant (fakextquant, own process) | {orders:N0} | {qmt.Seconds:F1} | {qmt.Detail} |");
        Console.WriteLine($"| the same, the fake's state file rewritten at most every 200 ms (`--fake-save-every-ms 200`) | {orders:N0} | {qmtBatched.Seconds:F1} | {qmtBatched.Detail} |");
        Console.WriteLine($"| baseline: gateway → wire → bridge server → simulated exchange (in-process fake) | {orders:N0} | {sim.Seconds:F1} | {sim.Detail} |");
        Console.WriteLine();
        return Task.FromResult(0);
    }

    public static async Task<int> Once(Options o)
    {
        int orders = o.Int("orders", 500), warmup = o.Int("warmup", 50);
        var broker = o.Get("broker", "qmt");
        var day = new DateOnly(2024, 3, 1);
        var symbol = Symbol.Parse("600000.SH");
        var sw = Stopwatch.StartNew();
        await using var cleanup = new Cleanup();
        int port;
        if (broker == "qmt")
        {
            var dir = Directory.CreateTempSubdirectory("bridge-path-").FullName;
            cleanup.Add(() => { try { Directory.Delete(dir, true); } catch (IOException) { } return ValueTask.CompletedTask; });
            var fixture = Path.Combine(dir, "fixture.json");
            await File.WriteAllTextAsync(fixture, "{\"trade_date\": \"2024-03-01\", \"symbols\": {\"600000.SH\": {\"last\": \"10.00\", \"pre_close\": \"10.00\", "
                + "\"up_limit\": \"11.00\", \"down_limit\": \"9.00\", \"suspended\": false, \"volume\": 100000000}}}");
            // By default the fake rewrites its whole state file (every order of the day) after each change, inside the
            // request: its cost grows with the day and is the fake's, not the bridge's; the second row batches it.
            var qmt = await QmtProcesses.Start(FindRoot(), fixture, "bench", 1_000_000_000m, day, saveEveryMs: o.Int("fake-save-every-ms", 0));
            cleanup.Add(qmt.DisposeAsync);
            port = qmt.Port;
        }
        else
        {
            var exchange = new SimulatedExchange(() => day.ToDateTime(new TimeOnly(9, 35)));
            exchange.Deposit(1_000_000_000m);
            exchange.BeginDay(day, s => s == symbol
                ? new Trading.Data.Model.DailyBar(s, day, 10m, 10m, 10m, 10m, 10m, 100_000_000, 1_000_000_000m, 1.0, default, 11m, 9m) : null);
            var server = new BridgeServer(exchange);
            await server.StartAsync();
            cleanup.Add(server.DisposeAsync);
            port = server.Port;
        }
        var gateway = new BridgeGateway(new BridgeGatewayOptions("127.0.0.1", port, Account: broker == "qmt" ? "bench" : "main", RequestTimeout: TimeSpan.FromSeconds(10)));
        cleanup.Add(gateway.DisposeAsync);
        var acks = new ConcurrentDictionary<ClientOrderId, long>();
        gateway.Listen(e => { if (e is SequencedReport { Report: OrderAccepted a }) acks.TryAdd(a.OrderId, Stopwatch.GetTimestamp()); });
        await gateway.ConnectAsync(default);
        var latencies = new List<double>(orders);
        for (int i = 1; i <= warmup + orders; i++)
        {
            // Below the market: the order rests (no fills to wait for); the round trip is the acknowledgement.
            var order = new OrderRequest(ClientOrderId.Create("bp", day, i), symbol, Side.Buy, 100, 9.50m, OrderType.Limit, day, "bench", "latency");
            long start = Stopwatch.GetTimestamp();
            await gateway.SubmitAsync(order, 1, default);
            long acked;
            var spin = Stopwatch.StartNew();
            while (!acks.TryGetValue(order.Id, out acked))
            {
                if (spin.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"no acknowledgement of {order.Id}");
                await Task.Yield();
            }
            if (i > warmup) latencies.Add(Stopwatch.GetElapsedTime(start, acked).TotalMilliseconds);
        }
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Measure.Emit(new Sample("bridge-path", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            string.Create(CultureInfo.InvariantCulture, $"p50 {P(0.5):F2} ms, p90 {P(0.9):F2} ms, p99 {P(0.99):F2} ms, max {latencies[^1]:F2} ms, {orders / latencies.Sum() * 1000:F0} orders/s one at a time")));
        return 0;
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
        throw new InvalidOperationException("Trading.Actors.sln not found (run from the repository)");
    }

    private sealed class Cleanup : IAsyncDisposable
    {
        private readonly Stack<Func<ValueTask>> _steps = new();
        public void Add(Func<ValueTask> step) => _steps.Push(step);
        public async ValueTask DisposeAsync() { while (_steps.Count > 0) await _steps.Pop()(); }
    }
}
