using System.Collections.Immutable;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Execution;

/// <summary>One child of a parent as its algo knows it: what it decided (journaled) and what the OMS last said of it.</summary>
public sealed record ChildRecord(OrderRequest Request, int Slice, ClientOrderId? Replaces, DateTime DecidedAt)
{
    public ClientOrderId Id => Request.Id;

    /// <summary>The child's status at the OMS when last heard of (null: not seen there yet).</summary>
    public OrderStatus? Seen { get; init; }

    /// <summary>Shares as the OMS took the child: less than decided when the risk guard shrank it.</summary>
    public long Quantity { get; init; } = Request.Quantity;

    public long Filled { get; init; }
    public decimal FilledValue { get; init; }

    /// <summary>Why the algo asked to cancel it (<see cref="CancelReasons"/>); null: it did not.</summary>
    public string? CancelWhy { get; init; }

    /// <summary>The child ended (<see cref="ChildEnded"/> journaled): <see cref="Filled"/> is final.</summary>
    public bool Ended { get; init; }

    /// <summary>Live at the OMS: seen there, not yet ended.</summary>
    public bool Working => !Ended && Seen is { } s && s.IsOpen();

    /// <summary>
    /// Shares of the parent this child holds: all it was decided with while it lives (any of them may still fill), what
    /// filled once it ended, plus what the risk guard shrank off (never sent again).
    /// </summary>
    public long Committed => Ended ? Filled + (Request.Quantity - Quantity) : Request.Quantity;
}

/// <summary>What an algo decided: events to journal (then to act on: propose each <see cref="ChildDecided"/>, send each
/// <see cref="ChildCancelDecided"/>) and what to issue again after a restart (not new decisions, so not journaled).</summary>
public sealed record AlgoDecision(IReadOnlyList<AlgoEvent> Events, IReadOnlyList<OrderRequest> Resubmit, IReadOnlyList<ChildRecord> Recancel)
{
    public static readonly AlgoDecision None = new([], [], []);
}

/// <summary>What an algo decides with at one moment: the time, the stock's quote, the board's lots and tick, the cage, its settings.</summary>
public sealed record AlgoContext(DateTime Now, TradeQuote? Quote, QuantityRule Lots, decimal Tick, PriceCage Cage, ExecutionAlgoOptions Options);

/// <summary>
/// One parent's algo as a pure state machine (the shape of <see cref="OmsDecisions"/>): the journaled events rebuild it
/// (<see cref="Apply"/>), what the OMS says of the children updates it (<see cref="Observe"/>, <see cref="Judged"/>,
/// <see cref="Reconcile"/>), and <see cref="Decide"/> says, at a given time, what to journal and send. Its rules:
/// <list type="bullet">
/// <item>the slices follow the plan journaled at the start (<see cref="ExecutionSlicer"/>): when slice k is due, has no
/// child yet and no other child of the parent is out, one child goes out for what the schedule owes by then — the
/// slices up to k less every share already committed — sized by <see cref="ExecutionSlicer.ChildQuantity"/> (lots, the
/// participation cap), at the passive price (at the re-price level once a child of the parent had to be re-priced). One
/// child at a time keeps a parent to one active order (the risk guard caps active orders) and one cancel per re-price;</item>
/// <item>never over the parent: a live child commits all its shares, an ended one what filled (the broker's count when it
/// reported more), so no child is decided for shares that may still fill elsewhere;</item>
/// <item>a child unfilled <c>reprice-after</c> after it was decided is cancelled when a replacement would be priced
/// better; only once the cancel is confirmed (the child ended) is its rest sent again, under a fresh client id, at the
/// aggressive price inside the cage (<see cref="ChildPricing"/>);</item>
/// <item>a risk rejection, a broker rejection, a child cancelled or expired by someone else, or a suspension stops the
/// parent; at the window's end (or once stopped) every live child is cancelled and the parent finishes when all have
/// ended, reporting what filled.</item>
/// </list>
/// </summary>
public sealed record ExecutionAlgoState(ParentOrder Parent)
{
    public SlicePlan? Plan { get; init; }
    public ImmutableList<ChildRecord> Children { get; init; } = [];
    public string? Stopped { get; init; }
    public ParentOutcome? Finished { get; init; }

    public long Committed => Children.Sum(c => c.Committed);
    public long Filled => Children.Sum(c => c.Filled);
    public decimal FilledValue => Children.Sum(c => c.FilledValue);

    public ChildRecord? Child(ClientOrderId id) => Children.Find(c => c.Id == id);

    // ---- Journal. ----

    public ExecutionAlgoState Apply(AlgoEvent e) => e switch
    {
        SlicesPlanned p => this with { Plan = new SlicePlan(p.Slices, p.Unplanned, p.Cap) },
        ChildDecided d when Child(d.Child.Id) is null => this with { Children = Children.Add(new ChildRecord(d.Child, d.Slice, d.Replaces, d.At)) },
        ChildCancelDecided c => Update(c.ChildId, x => x with { CancelWhy = c.Why }),
        ChildEnded x => Update(x.ChildId, c => c with { Ended = true, Seen = x.Status, Quantity = x.Quantity, Filled = x.Filled, FilledValue = x.FilledValue }),
        AlgoStopped s => this with { Stopped = Stopped ?? s.Reason },
        AlgoFinished f => this with { Finished = f.Outcome },
        _ => this,
    };

    private ExecutionAlgoState Update(ClientOrderId id, Func<ChildRecord, ChildRecord> change)
    {
        int i = Children.FindIndex(c => c.Id == id);
        return i < 0 ? this : this with { Children = Children.SetItem(i, change(Children[i])) };
    }

    // ---- What the OMS says of the children. ----

    /// <summary>
    /// The OMS's view of a child (an <see cref="OrderUpdated"/>, or a look at its orders after a restart): kept while the
    /// child lives; its end is journaled (<see cref="ChildEnded"/>), and an end the algo did not ask for stops the parent.
    /// </summary>
    public (ExecutionAlgoState State, IReadOnlyList<AlgoEvent> Events) Observe(OrderState o, DateTime now)
    {
        if (Child(o.Id) is not { Ended: false } child) return (this, []);
        var state = Update(o.Id, c => c with
        {
            Seen = o.Status,
            Quantity = o.Request.Quantity,
            Filled = Math.Max(c.Filled, o.FilledQuantity),
            FilledValue = o.FilledQuantity >= c.Filled ? o.FilledValue : c.FilledValue,
        });
        if (!o.Status.IsTerminal()) return (state, []);
        var events = new List<AlgoEvent>
        {
            new ChildEnded(Parent.Id, now, o.Id, o.Status, o.Request.Quantity, o.FinalFilledQuantity, o.FilledValue, o.Reason ?? ""),
        };
        var ending = IsEnding(now);
        string? stop = o.Status switch
        {
            OrderStatus.Rejected => $"child {o.Id} was rejected by the broker: {o.Reason}",
            OrderStatus.Cancelled when child.CancelWhy is null => $"child {o.Id} was cancelled outside the algo ({o.Reason})",
            OrderStatus.Expired when !ending => $"child {o.Id} expired before the window's end ({o.Reason})",
            _ => null,
        };
        if (stop is not null && Stopped is null) events.Add(new AlgoStopped(Parent.Id, now, stop));
        return (events.Aggregate(state, (s, e) => s.Apply(e)), events);
    }

    /// <summary>
    /// The risk guard's verdict on proposed children: a rejected child ends unsent and stops the parent; a shrunk one
    /// holds only what was approved (the rest is never sent again).
    /// </summary>
    public (ExecutionAlgoState State, IReadOnlyList<AlgoEvent> Events) Judged(ProposalResult result, DateTime now)
    {
        var state = this;
        foreach (var approved in result.Approved)
            if (state.Child(approved.Id) is { Ended: false, Seen: null } c && approved.Quantity < c.Quantity)
                state = state.Update(approved.Id, x => x with { Quantity = approved.Quantity });
        var events = new List<AlgoEvent>();
        foreach (var r in result.Rejected)
        {
            if (state.Child(r.Order.Id) is not { Ended: false }) continue;
            var rejected = new ChildEnded(Parent.Id, now, r.Order.Id, OrderStatus.Rejected, r.Order.Quantity, 0, 0m, $"risk {r.Rule}: {r.Reason}");
            state = state.Apply(rejected);
            events.Add(rejected);
            if (state.Stopped is null)
            {
                var stop = new AlgoStopped(Parent.Id, now, $"the risk guard rejected child {r.Order.Id} ({r.Rule}: {r.Reason})");
                state = state.Apply(stop);
                events.Add(stop);
            }
        }
        return (state, events);
    }

    /// <summary>
    /// After a restart, the OMS's orders: each child it holds is observed; a child it never received is proposed again
    /// under its own id (the OMS refuses an id it already has, so this never makes a second order) — or, once the parent
    /// is ending, written off as never sent; a cancel asked for and not yet done is asked again.
    /// </summary>
    public (ExecutionAlgoState State, AlgoDecision Decision) Reconcile(IReadOnlyList<OrderState> orders, DateTime now)
    {
        var byId = orders.Where(o => o.Request.ParentId == Parent.Id).ToDictionary(o => o.Id);
        var state = this;
        var events = new List<AlgoEvent>();
        var resubmit = new List<OrderRequest>();
        foreach (var child in Children.Where(c => !c.Ended))
        {
            if (byId.TryGetValue(child.Id, out var o))
            {
                var (next, e) = state.Observe(o, now);
                state = next;
                events.AddRange(e);
            }
            else if (state.IsEnding(now))
            {
                var unsent = new ChildEnded(Parent.Id, now, child.Id, OrderStatus.Rejected, child.Quantity, 0, 0m, "never reached the OMS");
                state = state.Apply(unsent);
                events.Add(unsent);
            }
            else resubmit.Add(child.Request);
        }
        var recancel = state.Children.Where(c => c.Working && c.CancelWhy is not null && c.Seen != OrderStatus.PendingCancel).ToList();
        return (state, new AlgoDecision(events, resubmit, recancel));
    }

    // ---- Decisions. ----

    /// <summary>The window is over (or the trade date), or the parent stopped: nothing new is sent.</summary>
    public bool IsEnding(DateTime now) => Stopped is not null || now >= Parent.WindowEnd || DateOnly.FromDateTime(now) > Parent.TradeDate;

    /// <summary>What to do at <see cref="AlgoContext.Now"/>: plan (once), re-price, replace, send the slice due, cancel at the end, finish.</summary>
    public (ExecutionAlgoState State, AlgoDecision Decision) Decide(AlgoContext c)
    {
        if (Finished is not null) return (this, AlgoDecision.None);
        var events = new List<AlgoEvent>();
        var s = this;
        void Add(AlgoEvent e)
        {
            events.Add(e);
            s = s.Apply(e);
        }

        if (s.Plan is null) Add(PlanNow(c));
        if (!s.IsEnding(c.Now) && c.Quote is { Suspended: true })
            Add(new AlgoStopped(Parent.Id, c.Now, $"{Parent.Symbol} is suspended"));
        if (s.IsEnding(c.Now))
        {
            var why = s.Stopped is not null ? CancelReasons.Stopped : CancelReasons.WindowEnd;
            foreach (var child in s.Children.Where(x => x.Working && x.CancelWhy is null).ToList())
                Add(new ChildCancelDecided(Parent.Id, c.Now, child.Id, why));
            if (s.Children.All(x => x.Ended)) Add(new AlgoFinished(Parent.Id, c.Now, s.Outcome()));
            return (s, new AlgoDecision(events, [], []));
        }

        var side = Parent.Side;
        long? cap = s.Plan!.Cap;
        if (c.Quote is { } quote)
        {
            var aggressive = ChildPricing.Aggressive(side, quote, Parent.LimitPrice, c.Tick, c.Cage, c.Options.RepriceTicks);
            // Re-price: a child unfilled after the wait is cancelled — when its replacement would be priced better.
            if (c.Options.RepriceAfter is { } after && aggressive is { } better)
                foreach (var child in s.Children.Where(x => !x.Ended && x.CancelWhy is null && x.Seen is OrderStatus.Submitted or OrderStatus.PartiallyFilled
                             && x.DecidedAt + after <= c.Now && x.Filled < x.Quantity && Improves(side, better, x.Request.LimitPrice)).ToList())
                    Add(new ChildCancelDecided(Parent.Id, c.Now, child.Id, CancelReasons.Reprice));
            // Replace: the confirmed rest of a re-priced child, under a fresh id, toward the market.
            foreach (var ended in s.Children.Where(x => x.Ended && x.CancelWhy == CancelReasons.Reprice && x.Filled < x.Quantity).ToList())
            {
                if (s.Children.Any(x => x.Replaces == ended.Id) || aggressive is not { } price) continue;
                long q = ExecutionSlicer.ChildQuantity(side, ended.Quantity - ended.Filled, Parent.Quantity - s.Committed, c.Lots, cap);
                if (q > 0) Add(NewChild(s, c.Now, q, price, ended.Slice, ended.Id));
            }
            // The slice due now, if it has no child yet and none of the parent's children is still out (one at a time:
            // what a slice cannot send while another child works is owed, and goes with the next one): what the
            // schedule owes by now. Passive — unless a child of this parent already had to be re-priced: the market is
            // beyond the reference, and later slices start where the re-price went.
            if (s.DueSlice(c.Now) is { } k && !s.Children.Any(x => x.Slice == k.Index && x.Replaces is null) && s.Children.All(x => x.Ended)
                && (s.Children.Any(x => x.CancelWhy == CancelReasons.Reprice) ? aggressive : ChildPricing.Passive(side, quote, Parent.LimitPrice, c.Tick)) is { } limit)
            {
                long owed = s.Plan.Slices.TakeWhile(x => x.Index <= k.Index).Sum(x => x.Quantity) - s.Committed;
                long q = ExecutionSlicer.ChildQuantity(side, owed, Parent.Quantity - s.Committed, c.Lots, cap);
                if (q > 0) Add(NewChild(s, c.Now, q, limit, k.Index, null));
            }
        }
        if (s.Filled >= Parent.Quantity && s.Children.All(x => x.Ended)) Add(new AlgoFinished(Parent.Id, c.Now, s.Outcome()));
        return (s, new AlgoDecision(events, [], []));
    }

    /// <summary>When the algo next has something to look at: the next slice, the next re-price, the window's end.</summary>
    public DateTime? NextWake(DateTime now, ExecutionAlgoOptions options)
    {
        if (Finished is not null) return null;
        if (IsEnding(now)) return null; // waits for the children's ends
        var candidates = new List<DateTime> { Parent.WindowEnd };
        if (Plan is { } plan && plan.Slices.FirstOrDefault(x => Parent.TradeDate.ToDateTime(x.At) > now) is { } next)
            candidates.Add(Parent.TradeDate.ToDateTime(next.At));
        if (options.RepriceAfter is { } after)
            candidates.AddRange(Children.Where(x => x.Working && x.CancelWhy is null).Select(x => x.DecidedAt + after).Where(t => t > now));
        return candidates.Min();
    }

    /// <summary>The last slice whose time has come (on the trade date).</summary>
    private Slice? DueSlice(DateTime now) =>
        DateOnly.FromDateTime(now) != Parent.TradeDate ? null : Plan!.Slices.LastOrDefault(x => x.At <= TimeOnly.FromDateTime(now));

    private static bool Improves(Side side, decimal replacement, decimal current) => side == Side.Buy ? replacement > current : replacement < current;

    private SlicesPlanned PlanNow(AlgoContext c)
    {
        var window = Parent.Window;
        var now = TimeOnly.FromDateTime(c.Now);
        var from = DateOnly.FromDateTime(c.Now) < Parent.TradeDate || now < window.Start ? window.Start : now;
        long? cap = ExecutionSlicer.Cap(c.Options.Participation, c.Quote?.PreviousVolume ?? 0);
        if (IsEnding(c.Now) || ContinuousSession.Elapsed(from) >= ContinuousSession.Elapsed(window.End))
            return new SlicesPlanned(Parent.Id, c.Now, [], Parent.Quantity, cap);
        var plan = ExecutionSlicer.Plan(Parent.Side, Parent.Quantity, Parent.Algo, from, window.End, c.Options.Slices, c.Options.Profile, cap, c.Lots);
        return new SlicesPlanned(Parent.Id, c.Now, plan.Slices, plan.Unplanned, cap);
    }

    private ChildDecided NewChild(ExecutionAlgoState s, DateTime now, long quantity, decimal price, int slice, ClientOrderId? replaces)
    {
        var id = Parent.ChildId(s.Children.Count + 1);
        var what = replaces is { } r ? $"re-price of {r}" : $"{Parent.Algo.ToString().ToLowerInvariant()} slice {slice + 1}";
        var order = new OrderRequest(id, Parent.Symbol, Parent.Side, quantity, price, OrderType.Limit, Parent.TradeDate, Parent.Strategy, what)
        {
            ParentId = Parent.Id,
        };
        return new ChildDecided(Parent.Id, now, order, slice, replaces);
    }

    /// <summary>What the parent came to: filled, or what is missing and why.</summary>
    public ParentOutcome Outcome()
    {
        long filled = Filled;
        var average = filled > 0 ? Math.Round(FilledValue / filled, 4) : 0m;
        if (filled >= Parent.Quantity) return new ParentOutcome(ParentStatus.Filled, filled, average, Children.Count, "");
        var missing = $"{Parent.Quantity - filled} of {Parent.Quantity} unfilled";
        if (Stopped is { } why) return new ParentOutcome(ParentStatus.Stopped, filled, average, Children.Count, $"stopped: {why}; {missing}");
        var capped = Plan is { Unplanned: > 0 } p ? $" ({p.Unplanned} beyond the participation cap{(p.Cap == 0 ? ": no previous day's volume" : "")})" : "";
        return new ParentOutcome(ParentStatus.Incomplete, filled, average, Children.Count, $"window ended with {missing}{capped}");
    }
}
