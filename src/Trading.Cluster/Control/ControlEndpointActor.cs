using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Tools.Client;
using Akka.Event;
using Trading.Cluster.Hosting;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;

namespace Trading.Cluster.Control;

/// <summary>
/// What the control endpoint needs: where the brain's commands go (<paramref name="Trader"/>: the singleton proxy
/// <c>/user/trader-proxy</c> on a cluster node, a local actor in tests), who may send them, and how long to wait.
/// </summary>
public sealed record ControlEndpointSetup(IActorRef Trader, ConsoleUsers Users, TimeSpan AskTimeout)
{
    /// <summary>Where audit entries go; null: the endpoint's own journal (<c>control-audit-{node}</c>, tag <c>audit</c> → rm_audit).</summary>
    public IActorRef? Audit { get; init; }
    public Func<DateTime> Now { get; init; } = () => DateTime.Now;
    /// <summary>The node's cluster status actor (<see cref="ClusterPaths.Status"/>): <c>status</c> and <c>failover</c> ask it.</summary>
    public string StatusPath { get; init; } = ClusterPaths.Status;
}

/// <summary>
/// The operator console's door into the cluster, at <see cref="ClusterPaths.Control"/> on every node and registered
/// with the cluster-client receptionist (<see cref="ControlEndpoint.Start"/>). For each <see cref="ControlRequest"/> it authenticates
/// the token (<see cref="ConsoleUsers"/>), authorises the command by role (<see cref="ConsoleCommands.Required"/>),
/// runs it — <c>nodes</c> from this node's view of the cluster, <c>status</c> from the brain and the cluster status
/// actor, <c>failover</c> by the cluster status actor, everything else as a <see cref="ControlCall"/> to the brain — and
/// audits the request with its outcome, refusals included, before it answers. The audit trail is journaled under this
/// node's own persistence id (every node has an endpoint; one shared id would make two writers of one stream) with
/// the <c>audit</c> tag, so the read models show it beside the node's other audit entries. The token goes no further
/// than this actor: not to the brain, not into the audit trail, not into a log line.
/// </summary>
public sealed class ControlEndpointActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ControlEndpointSetup _setup;
    private IActorRef _audit = ActorRefs.Nobody;

    public static Props Props(ControlEndpointSetup setup) => Akka.Actor.Props.Create(() => new ControlEndpointActor(setup));

    public ControlEndpointActor(ControlEndpointSetup setup)
    {
        _setup = setup;
        Receive<ControlRequest>(OnRequest);
        Receive<LocalControlRequest>(OnLocalRequest);
        Receive<Finished>(f =>
        {
            Audit(f.User, f.Command, f.Args, f.Reply.Ok ? "ok" : "failed", f.Reply.Text, f.Channel);
            f.ReplyTo.Tell(f.Reply);
        });
    }

    protected override void PreStart()
    {
        if (_setup.Audit is { } audit) _audit = audit;
        else
        {
            var address = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
            var node = $"{address.System}@{address.Host ?? "local"}:{address.Port ?? 0}";
            _audit = Context.ActorOf(EventLogActor.Props($"control-audit-{node}", typeof(AuditEntry), "control-audit", subscribe: false), "audit");
        }
    }

    private void OnRequest(ControlRequest r)
    {
        var command = (r.Command ?? "").Trim().ToLowerInvariant();
        var args = (r.Args ?? []).Select(a => a ?? "").ToArray();
        var id = r.RequestId ?? "";
        if (string.IsNullOrWhiteSpace(r.Token))
        {
            Refuse(id, "(no token)", command, args, "no token given: pass --token-file or set TRADING_CONSOLE_TOKEN");
            return;
        }
        if (_setup.Users.Find(r.Token) is not { } user)
        {
            Refuse(id, "(unknown)", command, args, "token not recognised");
            return;
        }
        if (!ConsoleCommands.Required.TryGetValue(command, out var needs))
        {
            Refuse(id, user.Name, command, args, $"unknown command '{command}' (help lists them)");
            return;
        }
        if (user.Role < needs)
        {
            Refuse(id, user.Name, command, args,
                $"role {ConsoleCommands.RoleName(user.Role)} may not {command}; needs {ConsoleCommands.RoleName(needs)}");
            return;
        }
        Call(id, command, args, user.Name, user.Role, ConsoleChannel);
    }

    /// <summary>
    /// A front end of this process (the dashboard) that authenticated its user itself: no token, but only from a local
    /// sender (<see cref="Address.HasLocalScope"/>: an actor or an ask of this actor system). Then the same role check,
    /// call and audit as a console request, the channel in the audit entry.
    /// </summary>
    private void OnLocalRequest(LocalControlRequest r)
    {
        var command = (r.Command ?? "").Trim().ToLowerInvariant();
        var args = (r.Args ?? []).Select(a => a ?? "").ToArray();
        var (id, user) = (r.RequestId ?? "", string.IsNullOrWhiteSpace(r.User) ? "(unnamed)" : r.User.Trim());
        var channel = r.Channel is { Length: > 0 } c && c.All(char.IsAsciiLetterOrDigit) ? c : "local";
        if (!Sender.Path.Address.HasLocalScope)
        {
            Refuse(id, $"{user}@{Sender.Path.Address}", command, args, "a local control request from another node is refused (remote consoles present a token)", channel);
            return;
        }
        ConsoleRole role;
        try { role = ConsoleUsers.ParseRole(r.Role ?? "", "role"); }
        catch (Trading.Runtime.Configuration.ConfigException e)
        {
            Refuse(id, user, command, args, e.Message, channel);
            return;
        }
        if (!ConsoleCommands.Required.TryGetValue(command, out var needs))
        {
            Refuse(id, user, command, args, $"unknown command '{command}'", channel);
            return;
        }
        if (role < needs)
        {
            Refuse(id, user, command, args, $"role {ConsoleCommands.RoleName(role)} may not {command}; needs {ConsoleCommands.RoleName(needs)}", channel);
            return;
        }
        Call(id, command, args, user, role, channel);
    }

    private const string ConsoleChannel = "console";

    private void Call(string id, string command, string[] args, string user, ConsoleRole role, string channel)
    {
        var replyTo = Sender;
        var call = new ControlCall(id, command, args, user, ConsoleCommands.RoleName(role)) { Channel = channel };
        Run(call).PipeTo(Self,
            success: reply => new Finished(user, command, args, reply, replyTo, channel),
            failure: e => new Finished(user, command, args, new ControlReply(id, false, e.Message, null), replyTo, channel));
    }

    private void Refuse(string id, string user, string command, string[] args, string why, string channel = ConsoleChannel)
    {
        Audit(user, command, args, "refused", why, channel);
        Sender.Tell(new ControlReply(id, false, why, null));
    }

    /// <summary>One audit entry: <c>console:ann</c> / <c>console pause</c> for the console, <c>dashboard:ann</c> / <c>dashboard pause</c> for the dashboard.</summary>
    private void Audit(string user, string command, IReadOnlyList<string> args, string outcome, string text, string channel = ConsoleChannel)
    {
        var firstLine = text.Split('\n', 2)[0].Trim();
        if (firstLine.Length > 200) firstLine = firstLine[..200] + "…";
        var what = args.Count == 0 ? command : $"{command} {string.Join(' ', args)}";
        _log.Info("Control ({Channel}) {User}: {Command} → {Outcome}: {Text}", channel, user, what, outcome, firstLine);
        _audit.Tell(new AuditEntry(_setup.Now(), $"{channel}:{user}", $"{channel} {command}", $"{what} → {outcome}: {firstLine}"));
    }

    /// <summary>Runs an authorised command; never throws (a failure is an answer that says what failed).</summary>
    private Task<ControlReply> Run(ControlCall call)
    {
        var timeout = _setup.AskTimeout;
        var status = Context.ActorSelection(_setup.StatusPath);
        return call.Command switch
        {
            "nodes" => Task.FromResult(Nodes(Context.System, call.RequestId)),
            "status" => Status(call, status, timeout),
            "failover" => Failover(call, status, timeout),
            _ => Brain(call, timeout),
        };
    }

    private async Task<ControlReply> Brain(ControlCall call, TimeSpan timeout)
    {
        try
        {
            return await _setup.Trader.Ask<ControlReply>(call, timeout);
        }
        catch (AskTimeoutException)
        {
            return new ControlReply(call.RequestId, false, $"the trading brain did not answer within {timeout.TotalSeconds:0.#}s (is a primary running?)", null);
        }
        catch (Exception e)
        {
            return new ControlReply(call.RequestId, false, e.Message, null);
        }
    }

    private static ControlReply Nodes(ActorSystem system, string id)
    {
        Akka.Cluster.Cluster cluster;
        try { cluster = Akka.Cluster.Cluster.Get(system); }
        catch (Exception) { return new ControlReply(id, false, "this node is not part of a cluster", null); }
        var state = cluster.State;
        var rows = state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new NodeRow(
            m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToArray(), m.Status.ToString(), !state.Unreachable.Contains(m),
            m.Address == state.Leader, m.Address == cluster.SelfAddress)).ToArray();
        var text = string.Join('\n', rows.Select(n =>
            $"{n.Address}  [{string.Join(",", n.Roles)}]  {n.Status}{(n.Reachable ? "" : "  UNREACHABLE")}{(n.Leader ? "  leader" : "")}{(n.Self ? "  (this node)" : "")}"));
        return new ControlReply(id, true, rows.Length == 0 ? "no members" : text, JsonSerializer.Serialize(new { nodes = rows }, ControlJson.Options));
    }

    private static async Task<ClusterStatusView?> ClusterStatus(ActorSelection status, TimeSpan timeout)
    {
        try
        {
            var target = await status.ResolveOne(TimeSpan.FromMilliseconds(Math.Min(timeout.TotalMilliseconds, 2000)));
            return await target.Ask<ClusterStatusView>(GetClusterStatus.Instance, timeout);
        }
        catch (Exception e) when (e is ActorNotFoundException or AskTimeoutException) { return null; }
    }

    private async Task<ControlReply> Status(ControlCall call, ActorSelection statusActor, TimeSpan timeout)
    {
        var brainTask = Brain(call, timeout);
        var cluster = await ClusterStatus(statusActor, timeout);
        var brain = await brainTask;
        var clusterText = cluster is null
            ? "cluster: no cluster status on this node"
            : $"cluster: primary {cluster.PrimaryAddress ?? "none"} epoch {cluster.Epoch}"
              + (cluster.PrimarySince is { } since ? $" since {since:yyyy-MM-dd HH:mm:ss}" : "")
              + $"; {cluster.Members.Count} members ({cluster.Members.Count(m => !m.Reachable)} unreachable); broker link {cluster.BrokerLink}"
              + (cluster.LastFailover is { } f ? $"; last failover {cluster.LastFailoverAt:yyyy-MM-dd HH:mm:ss}: {f}" : "");
        var json = $"{{\"brain\":{(brain.Ok && brain.Json is { } j ? j : JsonSerializer.Serialize(new { error = brain.Text }, ControlJson.Options))},"
            + $"\"cluster\":{(cluster is null ? "null" : JsonSerializer.Serialize(cluster, ControlJson.Options))}}}";
        var brainText = brain.Ok ? brain.Text : $"brain: {brain.Text}";
        // The console is for a troubled moment: the cluster's side is shown even when the brain does not answer.
        return new ControlReply(call.RequestId, brain.Ok, brainText + "\n" + clusterText, json);
    }

    private static async Task<ControlReply> Failover(ControlCall call, ActorSelection statusActor, TimeSpan timeout)
    {
        try
        {
            var target = await statusActor.ResolveOne(TimeSpan.FromMilliseconds(Math.Min(timeout.TotalMilliseconds, 2000)));
            var started = await target.Ask<HandOverStarted>(new RequestHandOver(call.User), timeout);
            return new ControlReply(call.RequestId, true, $"hand-over started from {started.From}: {started.Detail}",
                JsonSerializer.Serialize(started, ControlJson.Options));
        }
        catch (ActorNotFoundException)
        {
            return new ControlReply(call.RequestId, false, "failover: no cluster status actor on this node (not a cluster node?)", null);
        }
        catch (AskTimeoutException)
        {
            return new ControlReply(call.RequestId, false, $"failover: no answer within {timeout.TotalSeconds:0.#}s", null);
        }
        catch (Exception e)
        {
            return new ControlReply(call.RequestId, false, $"failover refused: {e.Message}", null);
        }
    }

    private sealed record Finished(string User, string Command, IReadOnlyList<string> Args, ControlReply Reply, IActorRef ReplyTo, string Channel);

    private sealed record NodeRow(string Address, string[] Roles, string Status, bool Reachable, bool Leader, bool Self);
}

/// <summary>Starting the endpoint on a node.</summary>
public static class ControlEndpoint
{
    /// <summary>
    /// A node without a cluster (a single paper node): the endpoint at <c>/user/control</c> for in-process front ends
    /// (the dashboard's <see cref="LocalControlRequest"/>), registered with no receptionist; <c>status</c> answers from
    /// the brain alone and <c>failover</c> says there is no cluster.
    /// </summary>
    public static IActorRef StartLocal(ActorSystem system, ControlEndpointSetup setup) =>
        system.ActorOf(ControlEndpointActor.Props(setup), ClusterPaths.Control["/user/".Length..]);

    /// <summary>Starts the endpoint as <c>/user/control</c> and registers it with the receptionist (the console's entry).</summary>
    public static IActorRef Start(ActorSystem system, ControlEndpointSetup setup)
    {
        var endpoint = system.ActorOf(ControlEndpointActor.Props(setup), ClusterPaths.Control["/user/".Length..]);
        ClusterClientReceptionist.Get(system).RegisterService(endpoint);
        return endpoint;
    }
}

/// <summary>The JSON of console answers: camelCase, enums as text.</summary>
public static class ControlJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
