using System.Collections.Immutable;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Runtime.Execution;

/// <summary>
/// An order as the rebalancer planned it, worked by an execution algo: its children (real orders, each with its own
/// client id and <see cref="OrderRequest.ParentId"/> = <see cref="Id"/>) never add up to more than
/// <see cref="Quantity"/>, and never buy above or sell below <see cref="LimitPrice"/> (the planner's protective price).
/// The id is the planner's client id for the whole order: unique per account, never sent to a broker itself.
/// </summary>
public sealed record ParentOrder(
    string Id,
    Symbol Symbol,
    Side Side,
    long Quantity,
    decimal LimitPrice,
    ExecutionAlgo Algo,
    TradingWindow Window,
    DateOnly TradeDate,
    string Strategy = "",
    string Reason = "")
{
    /// <summary>The parent of a planned order, to be worked by <paramref name="algo"/> over <paramref name="window"/>.</summary>
    public static ParentOrder Of(OrderRequest o, ExecutionAlgo algo, TradingWindow window) =>
        new(o.Id.Value, o.Symbol, o.Side, o.Quantity, o.LimitPrice, algo, window, o.TradeDate, o.Strategy, o.Reason);

    /// <summary>The window's end on the trade date.</summary>
    public DateTime WindowEnd => TradeDate.ToDateTime(Window.End);

    /// <summary>The client id of this parent's <paramref name="n"/>-th child (1, 2, …): decided, and journaled, before it is proposed.</summary>
    public ClientOrderId ChildId(int n) => new($"{Id}-{n:D3}");
}

/// <summary>One slice of a parent: sent at <paramref name="At"/> (Shanghai time on the trade date).</summary>
public sealed record Slice(int Index, TimeOnly At, long Quantity);

/// <summary>
/// The slices of a parent in time order (only those with shares), and what they leave out: <paramref name="Unplanned"/>
/// shares the participation cap did not allow (or an odd lot no slice could carry under it); <paramref name="Cap"/> is
/// the most one slice (or child) may hold (null: no cap).
/// </summary>
public sealed record SlicePlan(ImmutableList<Slice> Slices, long Unplanned, long? Cap)
{
    public long Planned => Slices.Sum(s => s.Quantity);
}
