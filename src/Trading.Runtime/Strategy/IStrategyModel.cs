using System.Collections.Immutable;
using Trading.Data.Panel;
using Trading.Domain.Instruments;

namespace Trading.Runtime.Strategy;

/// <summary>
/// The research side of a strategy, called by the StrategyActor (and by the pure-loop baseline): on a rebalance
/// day it turns data up to the decision day's close into target weights. It sees the panel only through
/// point-in-time views ending at <paramref name="decisionDay"/>.
/// </summary>
public interface IStrategyModel
{
    string Name { get; }

    /// <summary>Whether orders are sent on trading day <paramref name="tradeDay"/> (decided with data up to the day before).</summary>
    bool IsRebalanceDay(MarketPanel panel, int tradeDay);

    /// <summary>Target weights of NAV from data up to <paramref name="decisionDay"/>; <paramref name="holdings"/> feeds the rank buffer.</summary>
    ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlySet<Symbol> holdings);

    /// <summary>
    /// The same with the holdings' current weights of NAV (market value at the decision day's close ÷ NAV), which a
    /// turnover limit needs; models that only use the names inherit this.
    /// </summary>
    ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlyDictionary<Symbol, double> currentWeights) =>
        Targets(panel, decisionDay, currentWeights.Keys.ToHashSet());

    /// <summary>Ex-ante risk of the rebalances decided so far (risk.csv); empty for models without a risk model.</summary>
    IReadOnlyList<RebalanceRisk> RiskLog => [];

    /// <summary>Current weights of NAV of a book's positions (the keys are exactly the book's positions).</summary>
    static IReadOnlyDictionary<Symbol, double> WeightsOf(Trading.Runtime.State.PositionBookState book)
    {
        var nav = book.Nav;
        return book.Positions.ToDictionary(kv => kv.Key, kv => nav > 0 ? (double)(kv.Value.MarketValue / nav) : 0);
    }
}
