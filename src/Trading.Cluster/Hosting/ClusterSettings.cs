using System.Globalization;
using System.Text.RegularExpressions;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Hosting;

/// <summary>A node's part in a cluster (<c>trading.cluster.role</c>).</summary>
public enum ClusterRole
{
    /// <summary>Primary or standby: a candidate for the trading singleton (the brain and its trading day).</summary>
    Trader,
    /// <summary>Never trades; the third vote that lets a primary/standby pair fail over; may host the console endpoint.</summary>
    Witness,
    /// <summary>Runs sweep points sent by <c>trading sweep --cluster</c>.</summary>
    Worker,
}

/// <summary>The PostgreSQL lease that fences the trading brain (<c>trading.cluster.lease</c>).</summary>
/// <param name="Name">The lease's row (default <c>trader-{account}</c>): one brain per account.</param>
/// <param name="Ttl">How long a lease lives without a renew, judged by the database clock; longer than the longest pause a healthy primary may have.</param>
/// <param name="Heartbeat">How often the owner renews it (well below <paramref name="Ttl"/>).</param>
/// <param name="OperationTimeout">How long one acquire / renew / release statement may take.</param>
/// <param name="ConnectionFile">An owner-only file holding the connection string (null: <c>TRADING_PG_CONNECTION</c>, as the journal).</param>
public sealed record LeaseSettings(string Name, TimeSpan Ttl, TimeSpan Heartbeat, TimeSpan OperationTimeout, string? ConnectionFile);

/// <summary>
/// The <c>trading.cluster</c> block of a node's HOCON, with the environment's overrides (a deployment sets the role,
/// address and seeds per machine and keeps one file): <c>TRADING_CLUSTER_ROLE</c>, <c>TRADING_CLUSTER_HOSTNAME</c>,
/// <c>TRADING_CLUSTER_PUBLIC_HOSTNAME</c>, <c>TRADING_CLUSTER_PORT</c>, <c>TRADING_CLUSTER_SEEDS</c> (comma-separated
/// <c>host:port</c> or <c>akka.tcp://…</c> addresses). Failure-detection timings default to the tuned values measured
/// in CLUSTER_FAILOVER.md, shortened after issue 14's benchmark (≈ 2.5–3 s detection + 2 s stable-after + 0.5 s removal
/// margin; BENCHMARKS.md "Cluster failover": with 3 s + 1 s one crash in 34 took 10.6 s).
/// </summary>
public sealed record ClusterSettings(
    ClusterRole Role,
    string SystemName,
    string Hostname,
    string? PublicHostname,
    int Port,
    IReadOnlyList<string> SeedNodes,
    LeaseSettings Lease,
    TimeSpan HeartbeatInterval,
    TimeSpan AcceptableHeartbeatPause,
    TimeSpan StableAfter,
    TimeSpan DownRemovalMargin)
{
    /// <summary>The raw <c>trading.cluster.control</c> block (console users, TLS), read by the control endpoint.</summary>
    public ConfigBlock? Control { get; init; }
    /// <summary>The raw <c>trading.cluster.health</c> block (HTTP health endpoints), read by the health host.</summary>
    public ConfigBlock? Health { get; init; }
    /// <summary>The raw <c>trading.cluster.sweep</c> block (a worker's store and limits), read by the sweep worker.</summary>
    public ConfigBlock? Sweep { get; init; }

    /// <summary>
    /// The tuned failure detection (<see cref="FromConfig"/>'s defaults; a sweep's cluster uses them too). Heartbeat and
    /// acceptable pause as CLUSTER_FAILOVER.md measured; stable-after 2 s and a 0.5 s removal margin (3 s and 1 s there)
    /// measured against false downs under a trial's start-up load by the failover benchmark's <c>none</c> trials. The
    /// removal margin may be short because the fencing lease, not the margin, keeps a downed brain from trading.
    /// </summary>
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromMilliseconds(500), DefaultAcceptablePause = TimeSpan.FromSeconds(2),
        DefaultStableAfter = TimeSpan.FromSeconds(2), DefaultRemovalMargin = TimeSpan.FromMilliseconds(500);

    public const string RoleVariable = "TRADING_CLUSTER_ROLE", HostVariable = "TRADING_CLUSTER_HOSTNAME",
        PublicHostVariable = "TRADING_CLUSTER_PUBLIC_HOSTNAME", PortVariable = "TRADING_CLUSTER_PORT", SeedsVariable = "TRADING_CLUSTER_SEEDS";

    private static readonly string[] Keys = ["role", "system-name", "hostname", "public-hostname", "port", "seed-nodes", "lease",
        "failure-detector", "control", "health", "sweep"];
    private static readonly string[] LeaseKeys = ["name", "ttl", "heartbeat-interval", "operation-timeout", "connection-file"];
    private static readonly string[] DetectorKeys = ["heartbeat-interval", "acceptable-heartbeat-pause", "stable-after", "down-removal-margin"];

    /// <summary>The akka role name of <paramref name="role"/>.</summary>
    public static string RoleName(ClusterRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Whether the cluster's transport is TLS (<c>trading.cluster.control.tls</c>): addresses are then <c>akka.ssl.tcp://</c>.</summary>
    public bool Tls => Control?.Block("tls", null) is not null;

    /// <summary>The address scheme: <c>akka.ssl.tcp</c> with TLS, else <c>akka.tcp</c>.</summary>
    public string Scheme => Tls ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>This node's own address as seeds name it.</summary>
    public string SelfAddress => $"{Scheme}://{SystemName}@{PublicHostname ?? Hostname}:{Port}";

    /// <summary>The <c>trading.cluster</c> block, or null when the file has none (a single node).</summary>
    public static ClusterSettings? FromConfig(Akka.Configuration.Config root, string file, string accountId, Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var c = ConfigBlock.Root(root, file).Block("trading", null)?.Block("cluster", Keys);
        if (c is null) return null;
        var roleText = env(RoleVariable) is { Length: > 0 } r ? r.Trim() : c.Text("role");
        if (roleText is null) throw new ConfigException($"{c.Where("role")} is missing: trader, witness or worker.");
        if (!Enum.TryParse<ClusterRole>(roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role) || !char.IsLetter(roleText[0]))
            throw new ConfigException($"{(env(RoleVariable) is { Length: > 0 } ? RoleVariable : c.Where("role"))} = '{roleText}' must be trader, witness or worker.");
        var system = c.String("system-name", "trading").Trim();
        if (!Regex.IsMatch(system, "^[A-Za-z0-9][A-Za-z0-9_-]*$"))
            throw new ConfigException($"{c.Where("system-name")} = '{system}' must be letters, digits, '-' or '_'.");
        var host = env(HostVariable) is { Length: > 0 } h ? h.Trim() : c.String("hostname", "127.0.0.1").Trim();
        var publicHost = env(PublicHostVariable) is { Length: > 0 } ph ? ph.Trim() : c.Text("public-hostname")?.Trim();
        int port;
        if (env(PortVariable) is { Length: > 0 } pt)
        {
            if (!int.TryParse(pt.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535)
                throw new ConfigException($"{PortVariable} = '{pt}' must be a port 0..65535.");
        }
        else port = c.Int("port", 4053, 0, 65535);
        var seedTexts = env(SeedsVariable) is { Length: > 0 } s
            ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : c.Strings("seed-nodes") ?? [];
        var scheme = c.Block("control", null)?.Block("tls", null) is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = seedTexts.Select(x => Seed(x, system, env(SeedsVariable) is { Length: > 0 } ? SeedsVariable : c.Where("seed-nodes"), scheme)).ToArray();
        var l = c.BlockOrEmpty("lease", LeaseKeys);
        var ttl = Duration(l, "ttl", TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        var beat = Duration(l, "heartbeat-interval", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        if (beat * 2 >= ttl) throw new ConfigException($"{l.Where("heartbeat-interval")} = {beat.TotalMilliseconds:0}ms must be less than half of ttl ({ttl.TotalMilliseconds:0}ms): a renew must get a second chance before the lease lapses.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var lease = new LeaseSettings(
            l.String("name", $"trader-{accountId}").Trim(), ttl, beat,
            Duration(l, "operation-timeout", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)),
            l.Text("connection-file") is { Length: > 0 } cf ? Path.GetFullPath(Path.Combine(dir, cf)) : null);
        var f = c.BlockOrEmpty("failure-detector", DetectorKeys);
        return new ClusterSettings(role, system, host, publicHost, port, seeds, lease,
            Duration(f, "heartbeat-interval", DefaultHeartbeat, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30)),
            Duration(f, "acceptable-heartbeat-pause", DefaultAcceptablePause, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(1)),
            Duration(f, "stable-after", DefaultStableAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)),
            Duration(f, "down-removal-margin", DefaultRemovalMargin, TimeSpan.Zero, TimeSpan.FromMinutes(5)))
        {
            Control = c.Block("control", null),
            Health = c.Block("health", null),
            Sweep = c.Block("sweep", null),
        };
    }

    /// <summary>A seed as <c>akka.tcp://SYSTEM@host:port</c>, from that form or <c>host:port</c>.</summary>
    public static string Seed(string text, string system, string where, string scheme = "akka.tcp")
    {
        var t = text.Trim();
        if (t.StartsWith("akka.", StringComparison.Ordinal))
        {
            var m = Regex.Match(t, @"^akka\.(?:ssl\.)?tcp://([A-Za-z0-9_-]+)@([^:@/]+):(\d{1,5})/?$");
            if (!m.Success || !t.StartsWith(scheme + "://", StringComparison.Ordinal)) throw new ConfigException($"{where}: '{t}' must be {scheme}://SYSTEM@HOST:PORT.");
            if (m.Groups[1].Value != system) throw new ConfigException($"{where}: '{t}' names the actor system '{m.Groups[1].Value}', this cluster is '{system}'.");
            return t.TrimEnd('/');
        }
        var hp = Regex.Match(t, @"^([^:@/\s]+):(\d{1,5})$");
        if (!hp.Success || int.Parse(hp.Groups[2].Value, CultureInfo.InvariantCulture) is < 1 or > 65535)
            throw new ConfigException($"{where}: '{t}' must be HOST:PORT or {scheme}://{system}@HOST:PORT.");
        return $"{scheme}://{system}@{hp.Groups[1].Value}:{hp.Groups[2].Value}";
    }

    /// <summary>A duration with a unit (<c>500ms</c>, <c>3s</c>, <c>1m</c>) in [min, max].</summary>
    public static TimeSpan Duration(ConfigBlock b, string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (b.Text(key) is not { } text) return fallback;
        if (!ConfigValues.TryDuration(text, out var span))
            throw new ConfigException($"{b.Where(key)} = '{text}' must be a duration with a unit (500ms, 3s, 1m).");
        if (span < min || span > max)
            throw new ConfigException($"{b.Where(key)} = '{text}' must be between {min.TotalMilliseconds:0}ms and {max.TotalMilliseconds:0}ms.");
        return span;
    }
}
