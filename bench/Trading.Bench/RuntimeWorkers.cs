using System.Diagnostics;
using Akka.Actor;
using Trading.Backtest;
using Trading.Brokers;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Bench;

/// <summary>Runtime measurements: a market-scale backtest (actors vs the pure loop) and the order path.</summary>
internal static class RuntimeWorkers
{
    /// <summary>Monthly top-50 multi-factor on the synthetic store, with the actor tree or the plain loop.</summary>
    public static async Task<int> BacktestOnce(Options o)
    {
        var store = MarketStore.Open(o.Get("store", ""));
        var engine = o.Get("engine", "actors");
        var load = Stopwatch.StartNew();
        var panel = await MarketPanel.LoadAsync(store, fundamentals: false);
        load.Stop();
        var cfg = new StrategyConfig
        {
            Name = "scale",
            InitialCash = 100_000_000m,
            Factors =
            [
                new FactorWeight("momentum(lookback=60,skip=5)", 0.5, ["winsorize", "zscore"]),
                new FactorWeight("reversal(lookback=5)", 0.2, ["winsorize", "zscore"]),
                new FactorWeight("volatility(lookback=20)", -0.3, ["winsorize", "zscore"]),
            ],
            TopN = 50,
            Buffer = 75,
            MaxWeight = 0.04,
            Rebalance = RebalanceFrequency.Monthly,
            // --weighting optimised: the portfolio optimiser over the point-in-time risk model, with the default
            // portfolio block (lot sizer, trade filter); equal by default.
            Weighting = Enum.Parse<Weighting>(o.Get("weighting", "equal"), ignoreCase: true),
        };
        if (cfg.Weighting is Weighting.Optimised or Weighting.Neutral) cfg = cfg with { Portfolio = new PortfolioConfig() };
        var options = new BacktestOptions
        {
            Strategy = cfg,
            Model = new FactorStrategyModel(cfg),
            Panel = panel,
            // No drawdown kill switch: the plain loop has no watchdog, and the two runs must stay comparable.
            Risk = RiskOptions.Default with { MaxOrderValue = 50_000_000m, MaxDailyAmount = 1_000_000_000m, MaxRebalanceTurnover = 3m, MaxOrderQuantity = null, KillSwitchDrawdown = null },
            StepTimeout = TimeSpan.FromMinutes(2),
        };
        var run = Stopwatch.StartNew();
        decimal finalNav;
        int fills = 0;
        if (engine == "loop") finalNav = PureLoopBacktest.Run(options)[^1].Nav;
        else
        {
            var result = await BacktestEngine.RunAsync(options);
            finalNav = result.Recorder.Nav[^1].Nav;
            fills = result.Recorder.Fills.Count;
        }
        run.Stop();
        Measure.Emit(new Sample($"backtest-{engine}", run.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{cfg.Weighting.ToString().ToLowerInvariant()} weights; {store.Manifest.Bars} bars, {panel.DayCount} days x {panel.SymbolCount} symbols; panel load {load.Elapsed.TotalSeconds:F2} s; final NAV {finalNav:F2}; {fills} fills"));
        return 0;
    }

    /// <summary>
    /// The floor under the order path on this machine: an ask through a chain of <c>--hops</c> actors that only pass the
    /// message on (the order path makes ~11 such hops: risk guard, journal and back, OMS, journal and back, broker
    /// session, OMS, journal and back, order actor, OMS, reply), same actor system settings, same count and warm-up.
    /// </summary>
    public static async Task<int> HopsFloor(Options o)
    {
        int total = o.Int("orders", 100_000), warmup = o.Int("warmup", 2_000), hops = o.Int("hops", 11);
        using var system = TradingSystem.Create("hops", JournalKind.InMemory, null, "akka.loglevel = WARNING");
        IActorRef next = ActorRefs.Nobody;
        for (int i = 0; i < hops; i++) next = system.ActorOf(Props.Create(() => new Relay(next)), $"hop-{i}");
        var latencies = new double[total];
        var timeout = TimeSpan.FromSeconds(10);
        for (int i = 0; i < warmup; i++) await next.Ask<int>(i, timeout);
        int gcs = GC.CollectionCount(0);
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < total; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            await next.Ask<int>(i, timeout);
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        wall.Stop();
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        Measure.Emit(new Sample("hops", wall.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{hops} hops: p50 {P(0.50):F0} us, p90 {P(0.90):F0} us, p99 {P(0.99):F0} us, p99.9 {P(0.999):F0} us, max {latencies[^1]:F0} us, {total / wall.Elapsed.TotalSeconds:F0} round trips/s, {GC.CollectionCount(0) - gcs} GCs"));
        await system.Terminate();
        return 0;
    }

    /// <summary>Passes a message on to the next actor (keeping the original sender), or answers it at the end of the chain.</summary>
    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef next) => ReceiveAny(m =>
        {
            if (next.IsNobody()) Sender.Tell(m);
            else next.Forward(m);
        });
    }

    /// <summary>Bytes and time to serialise the events of one order with the journal's serializer (diagnostic).</summary>
    public static int SerializeOnce(Options o)
    {
        using var system = TradingSystem.Create("ser", JournalKind.InMemory, null, "akka.loglevel = WARNING");
        var day = new DateOnly(2024, 1, 2);
        var order = new OrderRequest(ClientOrderId.Create("b", day, 1), Symbol.Parse("600000.SH"), Side.Buy, 100, 9.90m, OrderType.Limit, day);
        var at = new DateTime(2024, 1, 2, 9, 30, 0);
        object[] events = [new OrderCreated(order.Id, at, order), new OrderSent(order.Id, at), new OrderAcknowledged(order.Id, at, "B1"), new Trading.Risk.OrderApproved(order, at)];
        var ser = system.Serialization;
        int n = o.Int("n", 20_000);
        long bytes = 0;
        foreach (var e in events) bytes += ser.FindSerializerFor(e).ToBinary(e).Length;
        long before = GC.GetTotalAllocatedBytes();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
            foreach (var e in events)
            {
                var s = ser.FindSerializerFor(e);
                var b = s.ToBinary(e);
                ser.Deserialize(b, s.Identifier, s is Akka.Serialization.SerializerWithStringManifest m ? m.Manifest(e) : e.GetType().AssemblyQualifiedName!);
            }
        Console.WriteLine($"{ser.FindSerializerFor(events[0]).GetType().Name}: {bytes} bytes for one order's 4 events; round trip {sw.Elapsed.TotalMicroseconds / n:F1} us and {(GC.GetTotalAllocatedBytes() - before) / n / 1024.0:F1} KB per order");
        return 0;
    }

    /// <summary>
    /// Proposal → risk guard → OMS (persist intent) → broker session → simulated exchange → acknowledgement back,
    /// one order at a time, 1,000 orders a trading day (then the day ends and they expire), and one 5,000-order
    /// rebalance as a single batch.
    /// </summary>
    public static async Task<int> OrderPath(Options o)
    {
        int total = o.Int("orders", 100_000), warmup = o.Int("warmup", 2_000), perDay = 1_000;
        using var sampler = o.Get("alloc-profile", "off") == "on" ? new AllocationSampler() : null;
        var journal = o.Get("journal", "inmem");
        var db = Path.Combine(Path.GetTempPath(), $"bench-journal-{Guid.NewGuid():N}.db");
        var now = new DateTime(2024, 1, 2, 9, 30, 0);
        var exchange = new SimulatedExchange(() => now);
        exchange.Deposit(10_000_000_000m);
        var symbols = Enumerable.Range(0, 5000).Select(i => Symbol.Create(600000 + (i % 1000) + (i / 1000) * 1000 % 6000, Exchange.SH)).Distinct().Take(1000).ToArray();
        var quote = new MarketQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m));
        var risk = RiskOptions.Default with
        {
            MaxDailyOrders = null, MaxDailyOrdersPerSymbol = null, MaxActiveOrders = null, MaxDailyAmount = null, MaxOrderValue = null,
            MaxPositionWeight = null, DuplicateWindow = null, MaxRebalanceTurnover = null,
        };
        // PostgreSQL: a fresh database on the server of TRADING_PG_CONNECTION (scripts/bench.sh starts a throwaway one), dropped at the end.
        var pg = journal == "postgres" ? await BenchDatabase.CreateAsync() : null;
        var kind = journal switch
        {
            "sqlite" => JournalKind.Sqlite,
            "postgres" => JournalKind.Postgres,
            "inmem" => JournalKind.InMemory,
            _ => throw new ArgumentException($"--journal must be inmem, sqlite or postgres, not '{journal}'"),
        };
        using var system = TradingSystem.Create("bench", kind, pg?.Connection ?? db, "akka.loglevel = WARNING\n" + o.Get("hocon", ""));
        var timeout = TimeSpan.FromSeconds(60);
        var node = new TradingNodeOptions
        {
            AccountId = "bench", Broker = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero, ReconcileAccount = false, ReconnectMinBackoff = TimeSpan.FromMilliseconds(100), ReconnectMaxBackoff = TimeSpan.FromSeconds(1) },
        };
        var brain = new TradingBrain
        {
            Gateway = exchange, Now = () => now, Quotes = (s, d) => new TradeQuote(quote.ReferencePrice, quote.Limit, false),
            Risk = risk, StepTimeout = timeout, Watchdog = new WatchdogOptions(),
        };
        var trader = TradingComposition.Start(system, node, brain);
        await TradingComposition.WaitReadyAsync(trader, timeout);
        await trader.Ask<Deposited>(new Deposit(10_000_000_000m, "bench"), timeout);

        var latencies = new double[total];
        var day = new DateOnly(2024, 1, 2);
        // Days of `count` one-order proposals, each awaited before the next; latencies recorded when asked.
        async Task Run(int count, double[]? record)
        {
            int sent = 0;
            while (sent < count)
            {
                exchange.BeginDay(day);
                await trader.Ask<StepDone>(new StartDay(day, sent), timeout);
                for (int k = 0; k < perDay && sent < count; k++, sent++)
                {
                    var order = new OrderRequest(ClientOrderId.Create("b", day, k + 1), symbols[k % symbols.Length], Side.Buy, 100,
                        9.90m + (k % 20) / 100m, OrderType.Limit, day);
                    long t0 = Stopwatch.GetTimestamp();
                    var r = await trader.Ask<ProposalResult>(new ProposeOrders("b", [order], sent), timeout);
                    if (record is not null) record[sent] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                    if (r.Approved.Count != 1) throw new InvalidOperationException($"order {order.Id} rejected: {r.Rejected[0].Rule} {r.Rejected[0].Reason}");
                }
                exchange.EndDay(day);
                await trader.Ask<StepDone>(new Flush(sent), timeout);
                day = day.AddDays(1);
            }
        }
        // Warm-up days (JIT tiers, pools, first children) go through the same path and are not measured.
        await Run(warmup, null);
        int gcs = GC.CollectionCount(0);
        var paused = GC.GetTotalPauseDuration();
        long allocated = GC.GetTotalAllocatedBytes();
        var wall = Stopwatch.StartNew();
        await Run(total, latencies);
        wall.Stop();
        gcs = GC.CollectionCount(0) - gcs;
        paused = GC.GetTotalPauseDuration() - paused;
        allocated = GC.GetTotalAllocatedBytes() - allocated;

        // One rebalance of 5,000 orders in one batch.
        exchange.BeginDay(day);
        await trader.Ask<StepDone>(new StartDay(day, 0), timeout);
        var batch = Enumerable.Range(0, 5000).Select(k => new OrderRequest(ClientOrderId.Create("r", day, k + 1), symbols[k % symbols.Length], Side.Buy, 100 * (1 + k / symbols.Length),
            9.95m, OrderType.Limit, day)).ToList();
        var rb = Stopwatch.StartNew();
        var result = await trader.Ask<ProposalResult>(new ProposeOrders("r", batch, 1), timeout);
        rb.Stop();
        await system.Terminate();
        if (File.Exists(db)) File.Delete(db);
        if (pg is not null) await pg.DropAsync();

        sampler?.Report();
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        Measure.Emit(new Sample($"order-path-{journal}", wall.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"p50 {P(0.50):F0} us, p90 {P(0.90):F0} us, p99 {P(0.99):F0} us, p99.9 {P(0.999):F0} us, max {latencies[^1]:F0} us, {total / wall.Elapsed.TotalSeconds:F0} orders/s, {allocated / total / 1024.0:F1} KB allocated per order, {gcs} GCs pausing {paused.TotalMilliseconds:F0} ms in all (after {warmup:N0} warm-up orders); 5,000-order batch: {result.Approved.Count} approved, {result.Rejected.Count} rejected, acknowledged in {rb.Elapsed.TotalMilliseconds:F0} ms"));
        return 0;
    }
}

/// <summary>A database of its own for one order-path run, on the server of TRADING_PG_CONNECTION (its user may create databases).</summary>
internal sealed class BenchDatabase
{
    private readonly string _admin;
    private readonly string _name;

    private BenchDatabase(string admin, string name, string connection)
    {
        _admin = admin;
        _name = name;
        Connection = connection;
    }

    public string Connection { get; }

    public static async Task<BenchDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable(Trading.Runtime.Persistence.PostgresJournal.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(admin))
            throw new InvalidOperationException("--journal postgres needs TRADING_PG_CONNECTION (scripts/bench.sh starts a throwaway server with scripts/postgres-test.sh)");
        var name = $"bench_{Guid.NewGuid():N}";
        await using var c = new Npgsql.NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", c);
        await create.ExecuteNonQueryAsync();
        return new BenchDatabase(admin, name, new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
    }

    public async Task DropAsync()
    {
        await using var c = new Npgsql.NpgsqlConnection(_admin);
        await c.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", c);
        await drop.ExecuteNonQueryAsync();
    }
}
