using System.Text;

namespace Trading.Cluster.Control;

// The console's protocol. Every message crosses nodes (console → endpoint through the receptionist, endpoint → brain
// through the singleton proxy) with Akka.Remote's default JSON serializer: records of strings and lists of strings only.

/// <summary>
/// The console → <see cref="Hosting.ClusterPaths.Control"/>: one command with its arguments and the user's token. The
/// token is checked and dropped by the endpoint; it never reaches the brain, the audit trail or a log —
/// <see cref="ToString"/> leaves it out, so a dead letter or a debug line cannot print it either.
/// </summary>
public sealed record ControlRequest(string RequestId, string Token, string Command, IReadOnlyList<string> Args)
{
    /// <summary>Always an array: a collection expression's list type has no constructor Newtonsoft can call on the other node.</summary>
    public IReadOnlyList<string> Args { get; init; } = Args?.ToArray() ?? [];

    private bool PrintMembers(StringBuilder b)
    {
        b.Append($"RequestId = {RequestId}, Command = {Command}, Args = [{string.Join(", ", Args ?? [])}], Token = (hidden)");
        return true;
    }
}

/// <summary>
/// The answer to a <see cref="ControlRequest"/> or a <see cref="ControlCall"/>: whether it worked, a text for people
/// and, when there is data, JSON for scripts (<c>trading console --json</c>).
/// </summary>
public sealed record ControlReply(string RequestId, bool Ok, string Text, string? Json);

/// <summary>
/// The endpoint → the brain's <see cref="TraderControlActor"/>: an authenticated, authorised command, with who sent it
/// (for the brain's own journal: a kill switch says who engaged it).
/// </summary>
public sealed record ControlCall(string RequestId, string Command, IReadOnlyList<string> Args, string User, string Role)
{
    /// <summary>Where the command came from (<c>console</c>, <c>dashboard</c>): the brain's journal says who and through what.</summary>
    public string Channel { get; init; } = "console";

    /// <summary>Always an array (see <see cref="ControlRequest.Args"/>).</summary>
    public IReadOnlyList<string> Args { get; init; } = Args?.ToArray() ?? [];
}

/// <summary>
/// A trusted entry into <see cref="ControlEndpointActor"/> for a front end in the same process that has authenticated
/// its user itself (the web dashboard: a password login, a role from its own user table). No token: the endpoint
/// accepts it only from a sender of its own actor system — one from another node is refused and audited — and then
/// does what it does for a <see cref="ControlRequest"/>: the same role check, the same call and the same audit trail,
/// with <paramref name="Channel"/> (<c>dashboard</c>) in the audit entry.
/// </summary>
public sealed record LocalControlRequest(string RequestId, string User, string Role, string Command, IReadOnlyList<string> Args, string Channel)
{
    /// <summary>Always an array (see <see cref="ControlRequest.Args"/>).</summary>
    public IReadOnlyList<string> Args { get; init; } = Args?.ToArray() ?? [];
}
