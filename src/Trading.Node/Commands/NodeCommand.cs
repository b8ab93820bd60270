using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Trading.Backtest;
using Trading.Backtest.Paper;
using Trading.Brokers;
using Trading.Data.Store;
using Trading.Runtime;
using Trading.Runtime.Alerts;
using Trading.Runtime.Clock;
using Trading.Runtime.Configuration;
using Trading.Runtime.Hosting;
using Trading.Runtime.Strategy;
using Trading.Cluster.Health;
using Trading.Dashboard;

namespace Trading.Node.Commands;

/// <summary>The <c>trading.node</c> block of a node's HOCON (examples/paper-node.conf documents each key).</summary>
internal sealed record NodeFileOptions(
    string Mode, string StrategyFile, string Store, string DataDirectory, JournalKind Journal,
    string ReplayDay, TimeOnly StartAt, double Speed, bool ExitAfterClose)
{
    /// <summary><c>trading.node.broker.kind</c>: <c>simulated</c> (in this process) or <c>bridge</c> (another process over the bridge wire).</summary>
    public string BrokerKind { get; init; } = "simulated";
    public string BrokerHost { get; init; } = "127.0.0.1";
    public int BrokerPort { get; init; } = 17100;
    /// <summary>The bridge's shared secret (never logged, never in a message), or null: an unauthenticated loopback link.</summary>
    public byte[]? BrokerSecret { get; init; }

    /// <summary><c>trading.node.statement.enabled</c>: write the daily risk statement after each post-close (default on).</summary>
    public bool Statement { get; init; } = true;
    /// <summary><c>trading.node.statement.history-days</c>: trading days of returns behind its VaR and beta (default 250).</summary>
    public int StatementHistoryDays { get; init; } = 250;

    /// <summary><c>trading.node.late-tick-tolerance</c>: a scheduled job firing later than this (real time, after a pause)
    /// asks the brain's may-trade check again before it runs (default 2 s).</summary>
    public TimeSpan LateTickTolerance { get; init; } = Trading.Runtime.Clock.RealTimeClockActor.DefaultLateTickTolerance;

    /// <summary><c>trading.node.data-refresh</c>: the pre-open refresh of the store (null: off, the default).</summary>
    public IReadOnlyList<Trading.Data.TuShare.TuShareDataset>? DataRefresh { get; init; }
    /// <summary>How the refresh reaches TuShare (<c>trading.data.tushare</c>).</summary>
    public TuShareSettings TuShare { get; init; } = TuShareSettings.Default;

    private static readonly string[] NodeKeys = ["mode", "strategy", "store", "data-dir", "journal", "paper", "broker", "statement", "data-refresh", "late-tick-tolerance"];
    private static readonly string[] StatementKeys = ["enabled", "history-days"];
    private static readonly string[] RefreshKeys = ["source", "what"];
    private static readonly string[] BrokerKeys = ["kind", "host", "port", "secret-file"];

    /// <summary>The environment variable that may hold the bridge's shared secret instead of a file.</summary>
    public const string SecretVariable = "TRADING_BRIDGE_SECRET";
    private static readonly string[] PaperKeys = ["replay-day", "start-at", "speed", "exit-after-close"];

    public static NodeFileOptions Parse(Akka.Configuration.Config root, string file)
    {
        var n = ConfigBlock.Root(root, file).Block("trading", null)?.Block("node", NodeKeys)
            ?? throw new ConfigException($"{file}: 'trading.node' is missing (mode, strategy, store, data-dir).");
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string PathOf(string key) => n.Text(key) is { Length: > 0 } p ? Path.GetFullPath(Path.Combine(dir, p))
            : throw new ConfigException($"{n.Where(key)} is missing.");
        var mode = n.String("mode", "paper").Trim().ToLowerInvariant();
        if (mode != "paper")
            throw new ConfigException($"{n.Where("mode")} = '{mode}': this build runs 'paper' nodes (the live miniQMT channel comes with the bridge).");
        var journal = n.String("journal", "sqlite").Trim().ToLowerInvariant() switch
        {
            "sqlite" => JournalKind.Sqlite,
            "postgres" or "postgresql" => JournalKind.Postgres,
            var j => throw new ConfigException($"{n.Where("journal")} = '{j}' must be sqlite or postgres."),
        };
        var p = n.BlockOrEmpty("paper", PaperKeys);
        var startText = p.String("start-at", "08:40");
        if (!TimeOnly.TryParseExact(startText.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            throw new ConfigException($"{p.Where("start-at")} = '{startText}' must be a Shanghai time HH:mm.");
        var b = n.BlockOrEmpty("broker", BrokerKeys);
        var st = n.BlockOrEmpty("statement", StatementKeys);
        var kind = b.String("kind", "simulated").Trim().ToLowerInvariant();
        if (kind is not ("simulated" or "bridge"))
            throw new ConfigException($"{b.Where("kind")} = '{kind}' must be simulated or bridge.");
        return new NodeFileOptions(mode, PathOf("strategy"), PathOf("store"), PathOf("data-dir"), journal,
            p.String("replay-day", "last-rebalance").Trim(), start, p.Double("speed", 1, 1, 100_000), p.Flag("exit-after-close", false))
        {
            Statement = st.Flag("enabled", true),
            StatementHistoryDays = st.Int("history-days", 250, 20, 5000),
            BrokerKind = kind,
            BrokerHost = b.String("host", "127.0.0.1").Trim(),
            BrokerPort = b.Int("port", 17100, 1, 65535),
            BrokerSecret = LoadSecret(b.Text("secret-file") is { Length: > 0 } sf ? Path.GetFullPath(Path.Combine(dir, sf)) : null, b.Where("secret-file")),
            DataRefresh = Refresh(n.Block("data-refresh", RefreshKeys)),
            LateTickTolerance = n.Text("late-tick-tolerance") is { } late
                ? TradingSchedule.Duration(n, "late-tick-tolerance", late, 1, 3600)
                : Trading.Runtime.Clock.RealTimeClockActor.DefaultLateTickTolerance,
            TuShare = TuShareSettings.FromConfig(root, file),
        };
    }

    private static IReadOnlyList<Trading.Data.TuShare.TuShareDataset>? Refresh(ConfigBlock? r)
    {
        if (r is null) return null;
        var source = r.String("source", "off").Trim().ToLowerInvariant();
        if (source == "off") return null;
        if (source != "tushare") throw new ConfigException($"{r.Where("source")} = '{source}' must be tushare or off.");
        try
        {
            return Trading.Data.TuShare.TuShareDataset.Parse(r.Strings("what") is { } what ? string.Join(",", what) : null);
        }
        catch (Trading.Data.TuShare.TuShareSetupException e)
        {
            throw new ConfigException($"{r.Where("what")}: {e.Message}");
        }
    }

    /// <summary>
    /// The bridge's shared secret from <c>secret-file</c> (owner-only permissions on Unix, like an SSH key) or the
    /// <see cref="SecretVariable"/> environment variable; null when neither is set. Errors name the file, never its text.
    /// </summary>
    private static byte[]? LoadSecret(string? file, string where)
    {
        string? text;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new ConfigException($"{where}: {file} does not exist.");
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new ConfigException($"{where}: {file} is readable or writable by group or others; chmod 600 it.");
            text = File.ReadAllText(file).Trim();
            if (text.Length == 0) throw new ConfigException($"{where}: {file} is empty.");
        }
        else text = Environment.GetEnvironmentVariable(SecretVariable)?.Trim();
        return string.IsNullOrEmpty(text) ? null : System.Text.Encoding.UTF8.GetBytes(text);
    }
}

/// <summary>
/// <c>trading node --config FILE</c>: a trading node on the generic host (Microsoft.Extensions.Hosting, Serilog,
/// Akka.Hosting): the trading brain from the composition root, its journal (SQLite in the data folder, or
/// PostgreSQL), the real-time clock and, in paper mode, the simulated exchange replaying a stored day. Ctrl-C or
/// SIGTERM stops it gracefully (the actor system's coordinated shutdown); a restart goes on from its journal.
/// </summary>
internal static class NodeCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "Node HOCON (e.g. examples/paper-node.conf)", Required = true };
        var speed = new Option<double?>("--speed") { Description = "Paper: replay this many times faster than real time (overrides trading.node.paper.speed)" };
        var day = new Option<string?>("--replay-day") { Description = "Paper: the stored day to replay, YYYY-MM-DD, last or last-rebalance" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the journal, logs and reports (overrides trading.node.data-dir)" };
        var cmd = new Command("node", "Run a trading node (paper: the simulated exchange on a replayed stored day, on the real-time clock)")
        {
            config, speed, day, dataDir,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var file = parse.GetValue(config)!;
            var root = HoconFile.Load(file);
            var node = TradingNodeOptions.FromConfig(root, file);
            var cluster = Trading.Cluster.Hosting.ClusterSettings.FromConfig(root, file, node.AccountId);
            // A witness or a worker trades nothing: no strategy, store or paper day to read.
            if (cluster is { Role: not Trading.Cluster.Hosting.ClusterRole.Trader })
                return await ClusterMember.RunAsync(root, file, node, cluster, parse.GetValue(dataDir), ct);
            var o = NodeFileOptions.Parse(root, file);
            if (cluster is not null && o.Journal != JournalKind.Postgres)
                throw new ConfigException($"{file}: 'trading.node.journal' = sqlite: the traders of a cluster share one journal (the standby recovers the primary's); set postgres.");
            // Cluster settings that fail later (TLS files, the console's users) fail now, as one line.
            if (cluster is not null) _ = Trading.Cluster.Hosting.ClusterNode.Prepare(cluster);
            if (cluster is not null && o.BrokerKind != "bridge")
                throw new ConfigException($"{file}: 'trading.node.broker.kind' = simulated: in a cluster the broker must outlive the primary's process; use bridge (the miniQMT bridge, or trading broker-sim).");
            var alerts = AlertOptions.From(root, file);
            // The web dashboard (trading.dashboard), read now: a bad value is a one-line error before anything starts.
            var dashboard = Trading.Dashboard.DashboardSettings.FromConfig(root, file);
            if (parse.GetValue(speed) is { } sp)
                o = o with { Speed = sp is >= 1 and <= 100_000 ? sp : throw new FormatException($"--speed {sp} must be between 1 and 100000.") };
            if (parse.GetValue(day) is { } d) o = o with { ReplayDay = d };
            if (parse.GetValue(dataDir) is { } dd) o = o with { DataDirectory = Path.GetFullPath(dd) };
            return await RunAsync(node, o, alerts, cluster, dashboard, ct);
        }));
        return cmd;
    }

    private static async Task<int> RunAsync(TradingNodeOptions node, NodeFileOptions o, AlertOptions alerts, Trading.Cluster.Hosting.ClusterSettings? cluster,
        Trading.Dashboard.DashboardSettings? dashboard, CancellationToken ct)
    {
        var cfg = StrategyConfig.Load(o.StrategyFile);
        // The node cancels every open order at cancel-open-orders: an algo's window must end by then, or its children
        // would be cancelled from outside (and each parent stopped with an alert).
        if (cfg.Execution.Algo is { Slicing: true, Window: var window } && window.End > node.Schedule.CancelOpenOrders)
            throw new ConfigException($"{o.StrategyFile}: 'strategy.execution.window' = '{window}' ends after trading.schedule.cancel-open-orders "
                + $"({node.Schedule.CancelOpenOrders:HH\\:mm\\:ss}), when the node cancels every open order: end the window by then.");
        // A refresh without a usable token is a setup error, refused now rather than found at the first pre-open.
        if (o.DataRefresh is not null) Trading.Data.TuShare.TuShareToken.Load(o.TuShare.TokenFile);
        var store = MarketStore.Open(o.Store);
        var run = await BacktestRunner.PrepareAsync(cfg, store, null, null, ct);
        var panel = run.Options.Panel;
        var replay = ReplayDay(o.ReplayDay, panel, run.Model);
        Directory.CreateDirectory(o.DataDirectory);
        var logs = Path.Combine(o.DataDirectory, "logs");
        var reports = Path.Combine(o.DataDirectory, "reports");
        // The node's own log files for this run; the process's logger comes back after it (tests run commands in one process).
        var previousLogger = Log.Logger;
        Logging.Configure(false, logs, "node");
        try
        {
            return await RunNodeAsync(node, o, alerts, cluster, dashboard, cfg, run, replay, logs, reports, ct);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
            Log.Logger = previousLogger;
        }
    }

    private static async Task<int> RunNodeAsync(TradingNodeOptions node, NodeFileOptions o, AlertOptions alerts, Trading.Cluster.Hosting.ClusterSettings? cluster,
        Trading.Dashboard.DashboardSettings? dashboard, StrategyConfig cfg, BacktestRunner.Prepared run,
        DateOnly replay, string logs, string reports, CancellationToken ct)
    {
        var panel = run.Options.Panel;

        // Accelerated, a timer's jitter is worth minutes of the replayed day: a rebalance found "late" still runs (before the cancel time).
        var schedule = o.Speed > 1 ? node.Schedule with { LateRebalance = LateRebalance.Run } : node.Schedule;
        var planner = new SchedulePlanner(new TradingDays(panel.Calendar, schedule.Holidays), schedule);
        var time = new ReplayTimeProvider(planner.At(replay, o.StartAt), o.Speed);
        DateTime Now() => planner.Local(time.GetUtcNow()).DateTime;
        // simulated: the exchange in this process, driven by the paper day; bridge: the broker in another process
        // (trading broker-sim, later the miniQMT bridge) runs its own market, this node only trades with it.
        var exchange = o.BrokerKind == "bridge" ? null : BacktestEngine.CreateExchange(run.Options, Now, fund: false);
        IBrokerGateway gateway = exchange is not null ? exchange
            : new Trading.Brokers.Bridge.BridgeGateway(new Trading.Brokers.Bridge.BridgeGatewayOptions(o.BrokerHost, o.BrokerPort, Account: node.AccountId, Name: "bridge",
                Secret: o.BrokerSecret, Fees: run.Options.Fees));
        var market = new PaperMarket(panel, exchange, cfg.Execution.FillAt) { MatchesThroughTheDay = cfg.Execution.Algo.Slicing };
        var brain = new TradingBrain
        {
            Gateway = gateway,
            Now = Now,
            Quotes = market.Quote,
            Strategies = [new StrategySpec(cfg, run.Model, panel)],
            Risk = run.Options.Risk,
            Rules = run.Options.Rules,
            Fees = run.Options.Fees,
            // A node trades through the day on its clock: the strategy's execution algo (if any) slices its orders.
            IntradayExecution = true,
            Time = time,
        };
        var journalPath = Path.Combine(o.DataDirectory, "journal.db");
        var journal = TradingSystem.Journal(o.Journal, o.Journal == JournalKind.Sqlite ? journalPath : null);
        var database = Trading.Runtime.ReadModels.ReadModelDatabase.For(o.Journal, o.Journal == JournalKind.Sqlite ? journalPath : null);
        // The store's Chinese names beside positions (console, dashboard).
        var names = panel.Stocks.Where(kv => kv.Value.Name is { Length: > 0 }).ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.Name!);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // A Windows service (the office standby) or a systemd unit when run as one; nothing otherwise.
        builder.UseTradingServiceLifetime();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(20));
        IHostApplicationLifetime? lifetime = null;
        builder.Services.AddAkka(cluster?.SystemName ?? "trading-node", (akka, services) =>
        {
            akka.AddHocon(cluster is null ? journal.Config : Trading.Cluster.Hosting.ClusterHocon.Build(cluster).WithFallback(journal.Config), HoconAddMode.Replace);
            if (journal.Setup is not null) akka.AddSetup(journal.Setup);
            // Akka.Persistence.Sql's own defaults (plugin classes, table names) are loaded by journal.Started: it must run
            // before the first persistent actor starts, so it is the first actor starter (starters run in order). As an
            // AddStartup task it raced the trader's actors, and under load a restarted node lost: "Plugin class name must
            // be defined in config property [akka.persistence.journal.sql.class]" (kill -9 qmt run, 2026-12-03).
            akka.WithActors((system, _) => journal.Started(system));
            // The paper day's clock: it drives the brain through the day (in a cluster, a child of the singleton).
            Props PaperDay(IActorRef trader, Func<bool>? mayTrade) => PaperDayActor.Props(new PaperDaySetup(node.AccountId, trader, market, run.Model, planner, time, cfg.InitialCash,
                reports, cfg.Name, TimeSpan.FromSeconds(120))
            {
                LastDay = o.ExitAfterClose ? replay : null,
                // A late timer tick (after a pause) asks again whether this brain may still trade (its lease, in a cluster).
                MayTrade = mayTrade,
                LateTickTolerance = o.LateTickTolerance,
                RemoteBroker = exchange is null ? gateway : null,
                DailyStatement = o.Statement ? (sys, day) => WriteStatementAsync(sys, node, o, cfg, run, reports, day) : null,
                // The same fetch as `trading data fetch`: incremental into the node's store, one atomic import.
                DataRefresh = o.DataRefresh is { } what
                    ? async (_, token) => DataRefresh.Summary(await DataRefresh.RunAsync(o.TuShare, o.Store,
                        new Trading.Data.TuShare.TuShareFetchOptions { What = what, IndexCodes = o.TuShare.IndexCodes }, token), o.Store)
                    : null,
                Finished = why =>
                {
                    Console.WriteLine(why);
                    lifetime?.StopApplication();
                },
            });
            if (cluster is null) akka.WithTradingNode(node, brain);
            akka.WithActors((system, registry) =>
            {
                // Alerts and operator actions journaled; read models (orders, fills, positions, NAV, risk events, alerts,
                // audit) projected from the tagged journal for reports, the console and the dashboard. In a cluster each
                // node journals its own (ids carry the node's address) and the projector lives with the brain (one writer).
                var logId = cluster is null ? "" : "-" + Trading.Cluster.Hosting.ClusterNode.NodeId(system);
                system.ActorOf(Trading.Runtime.Actors.EventLogActor.Props(Trading.Runtime.Actors.AlertLogActor.Id + logId, typeof(Trading.Runtime.Messages.RiskAlert), "alert-log"), "alert-log");
                system.ActorOf(Trading.Runtime.Actors.EventLogActor.Props(Trading.Runtime.Actors.AuditLogActor.Id + logId, typeof(Trading.Runtime.Messages.AuditEntry), "audit-log"), "audit-log");
                var echo = system.ActorOf(Props.Create(() => new ConsoleEcho()), "console-echo");
                system.EventStream.Subscribe(echo, typeof(PaperDayEvent));
                system.EventStream.Subscribe(echo, typeof(Trading.Runtime.Messages.RiskAlert));
                if (cluster is not null)
                {
                    var clusterEcho = system.ActorOf(Props.Create(() => new ClusterMember.ClusterEcho()), "cluster-echo");
                    foreach (var t in new[] { typeof(Trading.Cluster.Hosting.NodeUp), typeof(Trading.Cluster.Hosting.BrainStarted), typeof(Trading.Cluster.Hosting.BrainStopped) })
                        system.EventStream.Subscribe(clusterEcho, t);
                }
                // Alerts to people (WeCom robot, e-mail, the log) when trading.alerts configures a remote sink; its windows
                // and rate are on the wall clock, whatever the replay speed (a robot's limit is per real minute).
                if (alerts.HasRemoteSinks)
                    system.ActorOf(NotifierActor.Props(alerts, NotifierActor.Sinks(alerts), TimeProvider.System), "notifier");
                // A node the cluster downed (or that left on a hand-over) has a terminated actor system: the process ends
                // with it, and systemd / Kubernetes start it again as a fresh standby.
                if (cluster is not null) system.WhenTerminated.ContinueWith(_ => lifetime?.StopApplication());
                if (cluster is null)
                {
                    system.ActorOf(Trading.Runtime.ReadModels.ReadModelProjector.Props(database), "read-models");
                    system.ActorOf(PaperDay(registry.Get<TradingNodeKey>(), brain.MayTrade), "paper-day");
                    // The dashboard's controls on a node without a cluster: the console's brain side and an endpoint at
                    // /user/control that only this process reaches (no receptionist, no tokens: it takes the dashboard's
                    // local requests), auditing into this node's journal like a cluster node's endpoint.
                    if (dashboard is not null)
                    {
                        var control = system.ActorOf(Trading.Cluster.Control.TraderControlActor.Props(registry.Get<TradingNodeKey>(), node.AccountId,
                            new Trading.Runtime.ReadModels.ReadModels(database), names), "trader-control");
                        Trading.Cluster.Control.ControlEndpoint.StartLocal(system, new Trading.Cluster.Control.ControlEndpointSetup(control,
                            new Trading.Cluster.Control.ConsoleUsers([]), TimeSpan.FromSeconds(10)));
                    }
                    return;
                }
                // The console's brain-side commands, with the store's Chinese names beside positions.
                Trading.Cluster.Hosting.ClusterNode.StartTrader(system, cluster, node.AccountId, Trading.Cluster.Hosting.ClusterNode.PostgresLeases(system, cluster),
                    // The brain of an epoch: the epoch is the lease's token, and every send checks the lease first.
                    (epoch, lease) => Trading.Runtime.Actors.TradingSupervisor.Props(TradingComposition.Setup(
                        node with { Epoch = Trading.Runtime.Actors.EpochSource.Of(epoch) }, brain with { MayTrade = lease.CheckLease }) with { StopOnChildLoss = true }),
                    (context, trader, lease) =>
                    {
                        context.ActorOf(Trading.Runtime.ReadModels.ReadModelProjector.Props(database), "read-models");
                        context.ActorOf(PaperDay(trader, lease.CheckLease), "paper-day");
                    },
                    trader => Trading.Cluster.Control.TraderControlActor.Props(trader, node.AccountId, new Trading.Runtime.ReadModels.ReadModels(database), names));
            });
        });
        // Health endpoints (/health/live, /health/ready, /health/status) after the actor system (hosted services start in order).
        if (cluster is not null)
            builder.Services.AddTradingHealth(cluster, o.Journal == JournalKind.Postgres ? Trading.Cluster.Health.JournalChecks.Postgres() : null);
        // The web dashboard (trading.dashboard) after the actor system: its controls go to /user/control.
        builder.Services.AddTradingDashboard(dashboard, database, sp => new Trading.Dashboard.DashboardSources(node.AccountId, new Trading.Runtime.ReadModels.ReadModels(database))
        {
            System = sp.GetRequiredService<ActorSystem>(),
            Names = names,
            Industries = panel.Stocks.Where(kv => kv.Value.Industry is { Length: > 0 }).ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.Industry),
            Benchmark = run.Options.Benchmark.Where(b => b.Code == cfg.Benchmark).Select(b => (b.Date, b.Close)).ToArray(),
            InitialCash = cfg.InitialCash,
            ReportRoots = [reports, Path.GetFullPath("out")],
        }, url => Console.WriteLine($"  dashboard: {url} (users: trading dashboard-user add NAME --role viewer|operator|admin --config …)"));
        using var host = builder.Build();
        lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        Console.WriteLine($"Paper node '{node.AccountId}' ({cfg.Name}): replaying {replay:yyyy-MM-dd} from {o.StartAt:HH\\:mm} Shanghai at {o.Speed:0.##}x");
        Console.WriteLine($"  broker:  {(exchange is null ? $"bridge at {o.BrokerHost}:{o.BrokerPort}" : "simulated exchange in this process")}");
        if (cfg.Execution.Algo is { Slicing: true } algo)
            Console.WriteLine($"  orders:  worked by {algo.Algo.ToString().ToLowerInvariant()} over {algo.Window}, {algo.Slices} slices"
                + (algo.Participation > 0 ? $", at most {algo.Participation:P1} of the previous day's volume each" : "")
                + (algo.RepriceAfter is { } after ? $", re-priced after {after.TotalSeconds:0}s" : ""));
        if (alerts.HasRemoteSinks)
            Console.WriteLine($"  alerts:  {string.Join(", ", new[] { alerts.WeCom is { } w ? $"wecom ({w.MinSeverity.ToString().ToLowerInvariant()} and up)" : null, alerts.Email is { } e ? $"e-mail to {string.Join(", ", e.To)} ({e.MinSeverity.ToString().ToLowerInvariant()} and up)" : null }.OfType<string>())}");
        if (o.DataRefresh is { } refresh)
            Console.WriteLine($"  data:    refreshed from TuShare at pre-open ({string.Join(",", refresh.Select(d => d.Name))}) into {o.Store}");
        Console.WriteLine($"  journal: {journal.Description}");
        Console.WriteLine($"  logs:    {logs}");
        Console.WriteLine($"  reports: {reports} (nav.csv, positions.csv, trades.csv, orders.csv{(cfg.Execution.Algo.Slicing ? ", parents.csv" : "")}{(o.Statement ? ", daily/YYYY-MM-DD.html" : "")} after the post-close)");
        Console.WriteLine("  stop with Ctrl-C; a restart goes on from the journal");
        await host.RunAsync(ct);
        var summary = Path.Combine(reports, "summary.json");
        // Not ct: after Ctrl-C it is cancelled, and a node stopped by hand would end with "error: cancelled".
        if (File.Exists(summary)) Console.WriteLine(await File.ReadAllTextAsync(summary, CancellationToken.None));
        return 0;
    }

    /// <summary>
    /// The post-close's daily risk statement: the read models brought up to the journal's end (the day's last events
    /// may not be projected yet), then reports/daily/YYYY-MM-DD.html from them and the node's panel.
    /// </summary>
    private static async Task<Trading.Runtime.Messages.DailyStatementReady> WriteStatementAsync(ActorSystem system, TradingNodeOptions node, NodeFileOptions o,
        StrategyConfig cfg, BacktestRunner.Prepared run, string reports, DateOnly day)
    {
        var database = Trading.Runtime.ReadModels.ReadModelDatabase.For(o.Journal, o.Journal == JournalKind.Sqlite ? Path.Combine(o.DataDirectory, "journal.db") : null);
        await Trading.Runtime.ReadModels.ReadModelProjector.CatchUpAsync(system, database);
        var file = Path.Combine(reports, "daily", $"{day:yyyy-MM-dd}.html");
        var request = new StatementRequest(node.AccountId, day, run.Options.Panel, run.Options.Benchmark, cfg.Benchmark, o.StatementHistoryDays, cfg.InitialCash, cfg.Name)
        {
            Notes = new Trading.Dashboard.Notes.NoteStore(database, TimeProvider.System).ForStatementAsync,
        };
        var (_, markdown) = await DailyStatementSource.WriteAsync(new Trading.Runtime.ReadModels.ReadModels(database), request, file, DateTimeOffset.Now);
        // Printed here, before the post-close goes on (an echo actor on the event stream could lose the race with the
        // node's own stop after the close: the summary then never reached the console).
        Console.Write(markdown);
        return new Trading.Runtime.Messages.DailyStatementReady(node.AccountId, day, Path.GetFullPath(file), markdown);
    }

    /// <summary>The day to replay: a date, <c>last</c>, or <c>last-rebalance</c> (the strategy's last rebalance day in the store).</summary>
    internal static DateOnly ReplayDay(string text, Trading.Data.Panel.MarketPanel panel, IStrategyModel model)
    {
        if (text.Equals("last", StringComparison.OrdinalIgnoreCase)) return panel.Dates[^1];
        if (text.Equals("last-rebalance", StringComparison.OrdinalIgnoreCase))
        {
            for (int d = panel.Dates.Length - 1; d > 0; d--)
                if (model.IsRebalanceDay(panel, d)) return panel.Dates[d];
            throw new FormatException("replay-day = last-rebalance: the strategy has no rebalance day in the store.");
        }
        if (!DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new FormatException($"replay-day '{text}' must be YYYY-MM-DD, last or last-rebalance.");
        if (panel.DayIndex(day) < 0)
            throw new FormatException($"replay-day {day:yyyy-MM-dd} is not a trading day of the store ({panel.Dates[0]:yyyy-MM-dd}..{panel.Dates[^1]:yyyy-MM-dd}).");
        return day;
    }

    /// <summary>
    /// A replayed day as a fakextquant fixture (scripts/fakextquant/README.md): for each listed stock its price at the
    /// strategy's fill timing as <c>last</c> (what the fake fills marketable orders at, like the simulator), the previous
    /// close, the day's limits, suspension and volume. Written atomically.
    /// </summary>
    private static int WriteFixture(string file, Trading.Data.Panel.MarketPanel panel, DateOnly day, Func<Trading.Domain.Instruments.Symbol, Trading.Data.Model.DailyBar?> bars, Trading.Domain.Orders.FillTiming timing,
        Trading.Domain.Fees.FeeSchedule fees)
    {
        var symbols = new System.Text.Json.Nodes.JsonObject();
        foreach (var symbol in panel.Symbols)
        {
            if (bars(symbol) is not { } bar) continue;
            decimal last = timing switch
            {
                Trading.Domain.Orders.FillTiming.Close => bar.Close,
                Trading.Domain.Orders.FillTiming.Vwap when bar.Volume > 0 => Math.Round(bar.Amount / bar.Volume, 2, MidpointRounding.AwayFromZero),
                _ => bar.Open,
            };
            if (last <= 0m) last = bar.PreClose;
            symbols[symbol.ToString()] = new System.Text.Json.Nodes.JsonObject
            {
                ["last"] = last.ToString(CultureInfo.InvariantCulture),
                ["pre_close"] = bar.PreClose.ToString(CultureInfo.InvariantCulture),
                ["up_limit"] = bar.UpLimit.ToString(CultureInfo.InvariantCulture),
                ["down_limit"] = bar.DownLimit.ToString(CultureInfo.InvariantCulture),
                ["suspended"] = bar.IsSuspended,
                ["volume"] = bar.Volume,
            };
        }
        // The account's fee rates in force that day (dated, as the node charges them), so the fake's cash is the node's.
        var stamp = fees.StampDutyAt(day);
        var rates = new System.Text.Json.Nodes.JsonObject
        {
            ["commission_rate"] = fees.CommissionRate.ToString(CultureInfo.InvariantCulture),
            ["min_commission"] = fees.MinCommission.ToString(CultureInfo.InvariantCulture),
            ["stamp_duty_rate"] = (stamp.OnSells ? stamp.Rate : 0m).ToString(CultureInfo.InvariantCulture),
            ["transfer_fee_rate"] = fees.TransferRateAt(day).ToString(CultureInfo.InvariantCulture),
        };
        var doc = new System.Text.Json.Nodes.JsonObject
        {
            ["trade_date"] = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["fees"] = rates, ["symbols"] = symbols,
        };
        var full = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp";
        File.WriteAllText(tmp, doc.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, full, overwrite: true);
        return symbols.Count;
    }

    /// <summary>The node's milestones and alerts on the console (the log file has everything).</summary>
    private sealed class ConsoleEcho : ReceiveActor
    {
        public ConsoleEcho()
        {
            Receive<PaperDayEvent>(e => { if (e.Job != ScheduledJob.Monitor) Console.WriteLine($"[{e.Day:yyyy-MM-dd}] {e.Job}: {e.Detail}"); });
            Receive<Trading.Runtime.Messages.RiskAlert>(a => { if (a.Kind != "risk-reject") Console.WriteLine($"[alert] {a.Kind} {a.Source}: {a.Message}"); });
        }
    }

    /// <summary>
    /// <c>trading broker-sim --config NODE.conf</c>: the simulated exchange of a paper node's replayed day in its own
    /// process, served over the bridge wire on 127.0.0.1 (the connection the miniQMT bridge will use), so the broker
    /// lives on while a node is killed. It opens the day, matches open orders against the day's bar every
    /// <c>--match-every</c> (at the strategy's fill timing), and runs until Ctrl-C or SIGTERM.
    /// </summary>
    public static Command BrokerSim()
    {
        var config = new Option<string>("--config", "-c") { Description = "The node's HOCON (strategy, store, replay day, account)", Required = true };
        var port = new Option<int?>("--port") { Description = "Port on 127.0.0.1 (overrides trading.node.broker.port; 0: any free port)" };
        var day = new Option<string?>("--replay-day") { Description = "The stored day to open (overrides trading.node.paper.replay-day)" };
        var every = new Option<int>("--match-every-ms") { Description = "How often open orders are matched against the day's bar", DefaultValueFactory = _ => 50 };
        var fixture = new Option<string?>("--write-fixture")
        {
            Description = "Write the replayed day as a fakextquant fixture (prices at the strategy's fill timing, limits, suspensions, volumes) to this file and exit",
        };
        var cmd = new Command("broker-sim", "Serve the simulated exchange of a replayed day over the bridge wire, in its own process") { config, port, day, every, fixture };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var file = parse.GetValue(config)!;
            var root = HoconFile.Load(file);
            var node = TradingNodeOptions.FromConfig(root, file);
            var o = NodeFileOptions.Parse(root, file);
            if (parse.GetValue(day) is { } d) o = o with { ReplayDay = d };
            int matchEvery = parse.GetValue(every);
            if (matchEvery is < 1 or > 60_000) throw new FormatException($"--match-every-ms {matchEvery} must be between 1 and 60000.");
            int listen = parse.GetValue(port) ?? o.BrokerPort;
            if (listen is < 0 or > 65535) throw new FormatException($"--port {listen} must be between 0 and 65535.");
            var cfg = StrategyConfig.Load(o.StrategyFile);
            var run = await BacktestRunner.PrepareAsync(cfg, MarketStore.Open(o.Store), null, null, ct);
            var panel = run.Options.Panel;
            var replay = ReplayDay(o.ReplayDay, panel, run.Model);
            var bars = Trading.Brokers.PanelBars.On(panel, replay);
            if (parse.GetValue(fixture) is { } fixtureFile)
            {
                int n = WriteFixture(fixtureFile, panel, replay, bars, cfg.Execution.FillAt, run.Options.Fees);
                Console.WriteLine($"broker-sim: {n} symbols of {replay:yyyy-MM-dd} written to {fixtureFile} (fakextquant fixture, prices at {cfg.Execution.FillAt})");
                return 0;
            }
            var exchange = BacktestEngine.CreateExchange(run.Options, () => DateTime.Now, fund: true);
            exchange.BeginDay(replay, bars);
            await using var server = new Trading.Brokers.Bridge.BridgeServer(exchange, new Trading.Brokers.Bridge.BridgeServerOptions(Port: listen, Account: node.AccountId, Secret: o.BrokerSecret));
            server.Log += line => Log.Information("broker-sim: {Line}", line);
            await server.StartAsync(ct);
            Console.WriteLine($"broker-sim: account '{node.AccountId}', {replay:yyyy-MM-dd}, cash {cfg.InitialCash:N2}, listening on 127.0.0.1:{server.Port}{(o.BrokerSecret is null ? "" : ", shared secret required")}");
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    await Task.Delay(matchEvery, ct);
                    exchange.MatchBar(replay, cfg.Execution.FillAt, bars);
                }
            }
            catch (OperationCanceledException) { }
            Console.WriteLine("broker-sim: stopped");
            return 0;
        }));
        return cmd;
    }
}
