using System.Collections.Immutable;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Positions;
using Trading.Domain.Rules;

namespace Trading.Runtime.State;

/// <summary>Events of the position book, persisted before they change it.</summary>
public abstract record BookEvent;
public sealed record CashDeposited(decimal Amount, string Note) : BookEvent;
public sealed record FillBooked(Fill Fill) : BookEvent;
public sealed record DayOpened(DateOnly Date) : BookEvent;
public sealed record PricesMarked(DateOnly Date, ImmutableDictionary<Symbol, decimal> Prices) : BookEvent;
/// <summary>A cash dividend per share and/or bonus shares per share (0.3 = 3 for 10) on an ex-date.</summary>
public sealed record CorporateActionBooked(Symbol Symbol, DateOnly ExDate, decimal CashPerShare, decimal BonusPerShare) : BookEvent;

/// <summary>One position: shares under T+1, cost (value paid + fees), last price.</summary>
public sealed record Position(Holding Holding, decimal Cost, decimal LastPrice)
{
    public long Quantity => Holding.Quantity;
    public decimal MarketValue => Holding.Quantity * LastPrice;
    public decimal AverageCost => Holding.Quantity > 0 ? Cost / Holding.Quantity : 0m;
}

/// <summary>
/// Cash, positions (T+1 sellable), cost and realised P&amp;L of an account, as a pure value with event
/// application: the persistent actor persists the events and applies them; recovery is the same function.
/// A fill seen twice (same fill id) is ignored.
/// </summary>
public sealed record PositionBookState(
    decimal Cash,
    ImmutableSortedDictionary<Symbol, Position> Positions,
    decimal RealisedPnl,
    decimal FeesPaid,
    DateOnly Date,
    ImmutableHashSet<string> FillIds)
{
    public static PositionBookState Empty { get; } = new(0m, ImmutableSortedDictionary<Symbol, Position>.Empty, 0m, 0m, default, ImmutableHashSet<string>.Empty);

    public decimal MarketValue => Positions.Values.Sum(p => p.MarketValue);
    public decimal Nav => Cash + MarketValue;

    public Holding HoldingOf(Symbol symbol) => Positions.TryGetValue(symbol, out var p) ? p.Holding : Holding.Empty;

    /// <summary>Whether an event would change the state (duplicates are not).</summary>
    public bool Accepts(BookEvent e) => e is not FillBooked f || !FillIds.Contains(f.Fill.FillId);

    public PositionBookState Apply(BookEvent e) => e switch
    {
        CashDeposited d => this with { Cash = Cash + d.Amount },
        FillBooked f => ApplyFill(f.Fill),
        DayOpened o => this with
        {
            Date = o.Date,
            Positions = Positions.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value with { Holding = kv.Value.Holding.RollToNextDay() }),
        },
        PricesMarked m => this with
        {
            Date = m.Date,
            Positions = Positions.ToImmutableSortedDictionary(kv => kv.Key,
                kv => m.Prices.TryGetValue(kv.Key, out var p) ? kv.Value with { LastPrice = p } : kv.Value),
        },
        CorporateActionBooked c => ApplyCorporateAction(c),
        _ => throw new ArgumentException($"Unknown book event {e.GetType().Name}", nameof(e)),
    };

    private PositionBookState ApplyFill(Fill fill)
    {
        if (FillIds.Contains(fill.FillId)) return this;
        var pos = Positions.TryGetValue(fill.Symbol, out var p) ? p : new Position(Holding.Empty, 0m, fill.Price);
        var ids = FillIds.Add(fill.FillId);
        if (fill.Side == Side.Buy)
        {
            var bought = pos with { Holding = pos.Holding.Buy(fill.Quantity), Cost = pos.Cost + fill.Amount + fill.Fees.Total, LastPrice = fill.Price };
            return this with { Cash = Cash + fill.CashDelta, Positions = Positions.SetItem(fill.Symbol, bought), FeesPaid = FeesPaid + fill.Fees.Total, FillIds = ids };
        }
        var costOut = pos.Quantity > 0 ? Money.RoundFen(pos.Cost * fill.Quantity / pos.Quantity) : 0m;
        var realised = fill.Amount - fill.Fees.Total - costOut;
        var sold = pos with { Holding = pos.Holding.Sell(fill.Quantity), Cost = pos.Cost - costOut, LastPrice = fill.Price };
        var positions = sold.Quantity == 0 ? Positions.Remove(fill.Symbol) : Positions.SetItem(fill.Symbol, sold);
        return this with { Cash = Cash + fill.CashDelta, Positions = positions, RealisedPnl = RealisedPnl + realised, FeesPaid = FeesPaid + fill.Fees.Total, FillIds = ids };
    }

    private PositionBookState ApplyCorporateAction(CorporateActionBooked c)
    {
        if (!Positions.TryGetValue(c.Symbol, out var pos)) return this;
        var cash = Money.RoundFen(pos.Quantity * c.CashPerShare);
        var holding = c.BonusPerShare > 0 ? pos.Holding.Split(1 + c.BonusPerShare) : pos.Holding;
        return this with { Cash = Cash + cash, Positions = Positions.SetItem(c.Symbol, pos with { Holding = holding, Cost = pos.Cost - cash }) };
    }
}
