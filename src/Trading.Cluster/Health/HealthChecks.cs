using Akka.Actor;
using Npgsql;
using Trading.Cluster.Hosting;
using Trading.Runtime.Persistence;

namespace Trading.Cluster.Health;

/// <summary>What one probe found: whether it passed, and why not (each reason one line, no secrets).</summary>
public sealed record HealthReport(bool Ok, string Role, string Member, string Address, IReadOnlyList<string> Reasons);

/// <summary>
/// The checks behind the endpoints, apart from HTTP so their rules read in one place. Liveness asks only "is this
/// process worth keeping": a restart is the cure for a dead actor system, never for a cluster that has not formed —
/// restarting a node that waits for its seeds would only delay the cluster. Readiness asks "may traffic and the
/// seeds' peers count on it": a member that is Up and, for a trader, a journal that answers (a trader that cannot
/// journal cannot take over).
/// </summary>
public static class HealthChecks
{
    /// <summary>Alive: the actor system runs and its dispatcher answers an <c>Identify</c> of the user guardian in time.</summary>
    public static async Task<HealthReport> LiveAsync(ActorSystem system, HealthOptions options, CancellationToken ct)
    {
        var (member, address) = Member(system);
        if (system.WhenTerminated.IsCompleted)
            return new HealthReport(false, Role(options), member, address, ["the actor system has terminated"]);
        try
        {
            await system.ActorSelection("/user").Ask<ActorIdentity>(new Identify("health"), options.Timeout, ct);
            return new HealthReport(true, Role(options), member, address, []);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return new HealthReport(false, Role(options), member, address, [$"the actor system did not answer within {options.Timeout.TotalMilliseconds:0}ms"]);
        }
    }

    /// <summary>Ready: this node is an Up member of its cluster and, on a trader, <see cref="HealthOptions.JournalCheck"/> passes.</summary>
    public static async Task<HealthReport> ReadyAsync(ActorSystem system, HealthOptions options, CancellationToken ct)
    {
        var reasons = new List<string>();
        var (member, address) = Member(system);
        if (system.WhenTerminated.IsCompleted) reasons.Add("the actor system has terminated");
        else if (member == "none") reasons.Add("not a cluster node (akka.actor.provider is not cluster)");
        else if (member != "Up") reasons.Add($"member is {member}, not Up (not joined yet, or leaving)");
        if (options.Role == ClusterRole.Trader && options.JournalCheck is { } check)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(options.Timeout);
            try
            {
                await check(cts.Token).WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                reasons.Add($"journal: no answer within {options.Timeout.TotalMilliseconds:0}ms");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                reasons.Add($"journal: {OneLine(e.Message)}");
            }
        }
        return new HealthReport(reasons.Count == 0, Role(options), member, address, reasons);
    }

    /// <summary>The <see cref="ClusterStatusView"/> of <see cref="ClusterPaths.Status"/>, or why there is none.</summary>
    public static async Task<(ClusterStatusView? View, string? Error)> StatusAsync(ActorSystem system, HealthOptions options, CancellationToken ct)
    {
        try
        {
            var answer = await system.ActorSelection(ClusterPaths.Status).Ask<object>(GetClusterStatus.Instance, options.Timeout, ct);
            return answer switch
            {
                ClusterStatusView view => (view, null),
                Status.Failure f => (null, $"{ClusterPaths.Status} failed: {OneLine(f.Cause.Message)}"),
                var other => (null, $"{ClusterPaths.Status} answered {other.GetType().Name}, not a ClusterStatusView"),
            };
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return (null, $"no answer from {ClusterPaths.Status} within {options.Timeout.TotalMilliseconds:0}ms");
        }
    }

    private static string Role(HealthOptions o) => ClusterSettings.RoleName(o.Role);

    private static (string Member, string Address) Member(ActorSystem system)
    {
        if (system is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider }) return ("none", "");
        var cluster = Akka.Cluster.Cluster.Get(system);
        return (cluster.IsTerminated ? "Removed" : cluster.SelfMember.Status.ToString(), cluster.SelfAddress.ToString());
    }

    internal static string OneLine(string message) =>
        string.Join("; ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>Journal checks for <see cref="HealthOptions.JournalCheck"/>.</summary>
public static class JournalChecks
{
    /// <summary>
    /// The PostgreSQL journal answers <c>SELECT 1</c> (opening a pooled connection alone proves nothing: the pool hands
    /// out an idle one without a round trip). <paramref name="connection"/> null: <c>TRADING_PG_CONNECTION</c>, as the
    /// journal. A failure names host:port/database, never the password.
    /// </summary>
    public static Func<CancellationToken, Task> Postgres(string? connection = null)
    {
        connection ??= Environment.GetEnvironmentVariable(PostgresJournal.ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new Trading.Runtime.Configuration.ConfigException($"the journal check needs a connection string: set {PostgresJournal.ConnectionVariable}.");
        NpgsqlConnectionStringBuilder b;
        try
        {
            b = new NpgsqlConnectionStringBuilder(connection) { ApplicationName = "trading-health" };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Not e.Message: a stray ';' in a password would show part of it as an "unknown keyword".
            throw new Trading.Runtime.Configuration.ConfigException($"{PostgresJournal.ConnectionVariable} is not a valid Npgsql connection string.");
        }
        var text = b.ConnectionString;
        var where = PostgresJournal.Describe(b);
        return async ct =>
        {
            try
            {
                await using var c = new NpgsqlConnection(text);
                await c.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT 1", c);
                await cmd.ExecuteScalarAsync(ct);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                throw new JournalUnavailableException($"PostgreSQL at {where}: {HealthChecks.OneLine(e.Message)}", e);
            }
        };
    }
}
