using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Execution;

/// <summary>
/// What the planner must count as already on its way when parents are being worked: an open parent's unfilled shares
/// (<see cref="ParentView.Filled"/> as the execution manager saw its children's fills) are pending — whether they sit in
/// a live child or in a slice not yet sent — so a top-up or a re-run rebalance never orders them again; and an open buy
/// parent holds back the cash its unsent shares will need (at its limit, with the fee allowance) beyond what its live
/// children already freeze. Orders sent whole count through their reservations as before. Pure.
/// <para>Races between the two views (the manager is asked first, then the book) only ever count a share twice, never
/// not at all: a fill the book has and the manager not yet shows in both the holding and the parent's pending.</para>
/// </summary>
public static class ParentPending
{
    public static (IReadOnlyDictionary<Symbol, PendingShares> Pending, decimal AvailableCash) Of(AccountSnapshot account, IReadOnlyList<ParentView> parents)
    {
        var reservations = account.Reservations.Values;
        var pending = new Dictionary<Symbol, PendingShares>(RebalancePlanner.PendingOf(reservations.Where(r => r.Order.ParentId is null)));
        decimal cash = account.AvailableCash;
        foreach (var view in parents.Where(v => v.Open))
        {
            var p = view.Parent;
            long left = p.Quantity - view.Filled;
            if (left <= 0) continue;
            var had = pending.GetValueOrDefault(p.Symbol);
            pending[p.Symbol] = p.Side == Side.Buy ? had with { Buying = had.Buying + left } : had with { Selling = had.Selling + left };
            if (p.Side != Side.Buy) continue;
            var frozen = reservations.Where(r => r.Order.ParentId == p.Id).Sum(r => r.FrozenCash);
            var need = Money.RoundFen(left * p.LimitPrice * (1 + OrderState.FeeAllowanceRate));
            cash -= Math.Max(0m, need - frozen);
        }
        return (pending, cash);
    }
}
