using Akka.Actor;
using Trading.Cluster.Control;
using Trading.Cluster.Hosting;

namespace Trading.Dashboard.Controls;

/// <summary>The controls the dashboard offers (the console's commands that act; its views have their own pages).</summary>
public static class DashboardCommands
{
    public static readonly IReadOnlyList<string> All = ["pause", "resume", "cancel-all", "kill", "ack", "reconcile", "failover"];

    /// <summary>Reconciling only asks the broker again; everything else changes trading and must be confirmed.</summary>
    public static bool NeedsConfirmation(string command) => command != "reconcile";

    /// <summary>The least dashboard role of a command: the console's (<see cref="ConsoleCommands.Required"/>), so both doors agree.</summary>
    public static string Required(string command) => ConsoleCommands.RoleName(ConsoleCommands.Required[command]);

    public static bool Admits(string role, string command) => DashboardPolicies.Admitted(Required(command)).Contains(role);
}

/// <summary>
/// The dashboard's way to the runtime: a <see cref="LocalControlRequest"/> to the node's control endpoint
/// (<see cref="ClusterPaths.Control"/>), which checks the role again, runs the command exactly as it runs a console's
/// and audits it in the console's trail. Null <paramref name="system"/> (standalone): there is nowhere to send.
/// </summary>
public sealed class DashboardControl(ActorSystem? system, TimeSpan timeout)
{
    public bool Available => system is not null;

    /// <summary>The endpoint's answer, or null when the node has no control endpoint.</summary>
    public async Task<ControlReply?> SendAsync(string user, string role, string command, IReadOnlyList<string> args, CancellationToken ct)
    {
        if (system is null) return null;
        IActorRef endpoint;
        try { endpoint = await system.ActorSelection(ClusterPaths.Control).ResolveOne(TimeSpan.FromSeconds(2), ct); }
        catch (ActorNotFoundException) { return null; }
        var id = "dash-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            return await endpoint.Ask<ControlReply>(new LocalControlRequest(id, user, role, command, args.ToArray(), "dashboard"), timeout, ct);
        }
        catch (AskTimeoutException)
        {
            return new ControlReply(id, false, $"the node did not answer within {timeout.TotalSeconds:0}s", null);
        }
    }
}
