using System.Collections.Immutable;
using Trading.Domain.Orders;

namespace Trading.Runtime.Execution;

/// <summary>
/// What the execution manager and its algos journal (tag <c>parent</c>): the manager's registry of parents
/// (<see cref="ParentAccepted"/>, <see cref="ParentClosed"/>, persistence id <c>execution-{account}</c>) and each algo's own
/// decisions (<c>algo-{account}/{parent id}</c>): its plan, every child — its client id decided and journaled before it
/// is proposed —, every cancel it asked for, every child's end, and the parent's end.
/// </summary>
public abstract record AlgoEvent(string ParentId, DateTime At);

/// <summary>The manager took a parent to work (written before its algo starts).</summary>
public sealed record ParentAccepted(ParentOrder Parent, DateTime At) : AlgoEvent(Parent.Id, At);

/// <summary>The parent's algo is done (the manager's record: its algo is not started again after a restart).</summary>
public sealed record ParentClosed(string ParentId, DateTime At, ParentOutcome Outcome) : AlgoEvent(ParentId, At);

/// <summary>The algo's slices, decided once when it starts (a restart goes on with the same plan).</summary>
public sealed record SlicesPlanned(string ParentId, DateTime At, ImmutableList<Slice> Slices, long Unplanned, long? Cap) : AlgoEvent(ParentId, At);

/// <summary>
/// A child decided, its client id included (write ahead: it is proposed to the risk guard only after this is journaled).
/// <paramref name="Slice"/> is the index of the slice it works; <paramref name="Replaces"/> the child whose cancelled rest
/// it re-prices, if any.
/// </summary>
public sealed record ChildDecided(string ParentId, DateTime At, OrderRequest Child, int Slice, ClientOrderId? Replaces) : AlgoEvent(ParentId, At);

/// <summary>The algo asked the OMS to cancel a child (<see cref="CancelReasons"/>).</summary>
public sealed record ChildCancelDecided(string ParentId, DateTime At, ClientOrderId ChildId, string Why) : AlgoEvent(ParentId, At);

/// <summary>
/// A child ended (filled, cancelled, rejected, expired) with <paramref name="Filled"/> shares done — for a cancel the
/// broker's own count where it reported more than the fills seen — out of <paramref name="Quantity"/> (as the OMS took it).
/// </summary>
public sealed record ChildEnded(string ParentId, DateTime At, ClientOrderId ChildId, OrderStatus Status, long Quantity, long Filled, decimal FilledValue,
    string Reason) : AlgoEvent(ParentId, At);

/// <summary>The parent sends nothing more (a risk or broker rejection, a cancel from outside, an operator): its live children are cancelled.</summary>
public sealed record AlgoStopped(string ParentId, DateTime At, string Reason) : AlgoEvent(ParentId, At);

/// <summary>The parent is done: filled, or its window ended (or it stopped) and every child has ended.</summary>
public sealed record AlgoFinished(string ParentId, DateTime At, ParentOutcome Outcome) : AlgoEvent(ParentId, At);

/// <summary>Why an algo cancels a child.</summary>
public static class CancelReasons
{
    public const string Reprice = "reprice", WindowEnd = "window end", Stopped = "parent stopped";
}

public enum ParentStatus
{
    /// <summary>Its algo is still working it.</summary>
    Working,
    Filled,
    /// <summary>The window ended with shares unfilled.</summary>
    Incomplete,
    /// <summary>Stopped before the window's end (see the reason).</summary>
    Stopped,
}

/// <summary>How a parent ended: what filled (average price over the fills seen), how many children it took, and why it is not whole.</summary>
public sealed record ParentOutcome(ParentStatus Status, long Filled, decimal AveragePrice, int Children, string Reason);
