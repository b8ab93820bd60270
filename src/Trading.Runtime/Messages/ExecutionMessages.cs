using Trading.Runtime.Execution;

namespace Trading.Runtime.Messages;

/// <summary>Every parent order of the node (answered with <see cref="ParentsSnapshot"/>; empty when no strategy slices its orders).</summary>
public sealed record GetParents
{
    public static readonly GetParents Instance = new();
}

/// <summary>
/// A parent as the execution manager sees it: accepted when, filled so far (its children's fills as the OMS reported
/// them), how many children reached the OMS, and its outcome once its algo is done (null while it works).
/// </summary>
public sealed record ParentView(ParentOrder Parent, DateTime AcceptedAt, long Filled, decimal FilledValue, int Children, ParentOutcome? Outcome)
{
    public bool Open => Outcome is null;
}

public sealed record ParentsSnapshot(IReadOnlyList<ParentView> Parents);

/// <summary>An operator stops a parent: nothing more is sent, its live children are cancelled, it reports what filled.</summary>
public sealed record StopParent(string ParentId, string Reason);

/// <summary>The algo state of a parent still being worked (answered by its algo with its <see cref="ExecutionAlgoState"/>; no answer once done).</summary>
public sealed record GetParentState(string ParentId);
