using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Trading.Cluster.Health;
using Trading.Dashboard;
using Trading.Cluster.Hosting;
using Trading.Runtime;
using Trading.Runtime.Configuration;
using Trading.Runtime.Hosting;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading node --config FILE</c> for a cluster member that trades nothing: a <c>witness</c> (the third vote of a
/// primary/standby pair; answers consoles) or a <c>worker</c> (runs sweep points). It reads only
/// <c>trading.cluster</c> and, from <c>trading.node</c>, the journal (the console's audit log: postgres, shared with the
/// traders) and the data folder (logs). Runs until Ctrl-C / SIGTERM, or until the cluster downs it.
/// </summary>
internal static class ClusterMember
{
    private static readonly string[] NodeKeys = ["mode", "strategy", "store", "data-dir", "journal", "paper", "broker", "statement", "data-refresh", "late-tick-tolerance"];

    public static async Task<int> RunAsync(Akka.Configuration.Config root, string file, TradingNodeOptions node, ClusterSettings cluster, string? dataDirOverride, CancellationToken ct)
    {
        var n = ConfigBlock.Root(root, file).Block("trading", null)?.Block("node", NodeKeys);
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var dataDir = dataDirOverride is { } d ? Path.GetFullPath(d)
            : n?.Text("data-dir") is { Length: > 0 } dd ? Path.GetFullPath(Path.Combine(dir, dd)) : Path.GetFullPath(Path.Combine(dir, "node-data"));
        JournalKind? journalKind = n?.Text("journal")?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "postgres" or "postgresql" => JournalKind.Postgres,
            "none" => null,
            var j => throw new ConfigException($"{n!.Where("journal")} = '{j}': a {ClusterSettings.RoleName(cluster.Role)} journals (its console audit) to the cluster's postgres, or none."),
        };
        // A worker runs sweep points against its own store (read now: a bad path is a start-up error, not a refused point).
        // The cluster config, with TLS and console-users files read now (one-line errors before anything starts).
        var clusterConfig = ClusterNode.Prepare(cluster);
        var dashboard = Trading.Dashboard.DashboardSettings.FromConfig(root, file);
        if (dashboard is not null && journalKind is null)
            throw new ConfigException($"{file}: 'trading.dashboard' needs the cluster's database: set trading.node.journal = postgres on this {ClusterSettings.RoleName(cluster.Role)}.");
        var sweep = cluster.Role == ClusterRole.Worker ? Trading.Cluster.Sweeps.SweepWorkerOptions.From(cluster.Sweep, file) : null;
        Directory.CreateDirectory(dataDir);
        var logs = Path.Combine(dataDir, "logs");
        var previousLogger = Log.Logger;
        Logging.Configure(false, logs, ClusterSettings.RoleName(cluster.Role));
        try
        {
            var journal = journalKind is { } k ? TradingSystem.Journal(k) : null;
            var config = clusterConfig;
            if (journal is not null) config = config.WithFallback(journal.Config);
            else config = config.WithFallback(TradingSystem.LoadConfig(JournalKind.InMemory));
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.UseTradingServiceLifetime();
            builder.Services.AddSerilog(Log.Logger, dispose: false);
            builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(20));
            IHostApplicationLifetime? lifetime = null;
            builder.Services.AddAkka(cluster.SystemName, (akka, _) =>
            {
                akka.AddHocon(config, HoconAddMode.Replace);
                if (journal?.Setup is not null) akka.AddSetup(journal.Setup);
                if (journal is not null) akka.WithActors((system, _) => journal.Started(system));
                akka.WithActors((system, _) =>
                {
                    if (journal is not null)
                        system.ActorOf(Trading.Runtime.Actors.EventLogActor.Props($"{Trading.Runtime.Actors.AuditLogActor.Id}-{ClusterNode.NodeId(system)}",
                            typeof(Trading.Runtime.Messages.AuditEntry), "audit-log"), "audit-log");
                    // The console's audit: journaled by the endpoint (its own stream) when there is a journal, else logged.
                    ClusterNode.StartCommon(system, cluster, journal is null ? system.ActorOf(Props.Create(() => new LoggedAudit()), "audit-log") : null);
                    if (sweep is not null)
                        system.ActorOf(Trading.Cluster.Sweeps.SweepWorkerActor.Props(sweep), Trading.Cluster.Sweeps.SweepPaths.Worker.Split('/')[^1]);
                    // Downed by the cluster: the process ends with its actor system (a service manager restarts it).
                    system.WhenTerminated.ContinueWith(_ => lifetime?.StopApplication());
                    var echo = system.ActorOf(Props.Create(() => new ClusterEcho()), "console-echo");
                    system.EventStream.Subscribe(echo, typeof(NodeUp));
                });
            });
            builder.Services.AddTradingHealth(cluster, journal is null ? null : Trading.Cluster.Health.JournalChecks.Postgres());
            // The dashboard on a witness or worker: the cluster's read models, controls through this node's endpoint.
            if (dashboard is not null)
            {
                var database = Trading.Runtime.ReadModels.ReadModelDatabase.Postgres(null);
                builder.Services.AddTradingDashboard(dashboard, database, sp => new Trading.Dashboard.DashboardSources(node.AccountId, new Trading.Runtime.ReadModels.ReadModels(database))
                {
                    System = sp.GetRequiredService<ActorSystem>(),
                    ReportRoots = [Path.Combine(dataDir, "reports"), Path.GetFullPath("out")],
                }, url => Console.WriteLine($"  dashboard: {url}"));
            }
            using var host = builder.Build();
            lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
            Console.WriteLine($"Cluster {ClusterSettings.RoleName(cluster.Role)} '{cluster.SelfAddress}' of account '{node.AccountId}'");
            Console.WriteLine($"  seeds:   {(cluster.SeedNodes.Count == 0 ? "(none: joins itself, the first node)" : string.Join(", ", cluster.SeedNodes))}");
            Console.WriteLine($"  journal: {journal?.Description ?? "none (the console's audit is only logged)"}");
            Console.WriteLine($"  logs:    {logs}");
            Console.WriteLine("  stop with Ctrl-C");
            await host.RunAsync(ct);
            return 0;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
            Log.Logger = previousLogger;
        }
    }

    /// <summary>A node without a journal: the console's audit entries go to the log (structured) only.</summary>
    private sealed class LoggedAudit : ReceiveActor
    {
        public LoggedAudit() => Receive<Trading.Runtime.Messages.AuditEntry>(e =>
            Log.Information("Audit {Actor} {Action}: {Detail}", e.Actor, e.Action, e.Detail));
    }

    /// <summary>Cluster milestones of this node on its console (the log file has everything).</summary>
    internal sealed class ClusterEcho : ReceiveActor
    {
        public ClusterEcho()
        {
            Receive<NodeUp>(u => Console.WriteLine($"[cluster] this node is up: {u.Address} ({u.Role})"));
            Receive<BrainStarted>(b => Console.WriteLine($"[cluster] brain of {b.AccountId} runs here with epoch {b.Epoch} ({b.At:HH:mm:ss.fff} UTC)"));
            Receive<BrainStopped>(b => Console.WriteLine($"[cluster] brain of {b.AccountId} (epoch {b.Epoch}) stopped here: {b.Reason}"));
        }
    }
}
