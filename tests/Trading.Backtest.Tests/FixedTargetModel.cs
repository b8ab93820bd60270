using System.Collections.Immutable;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Tests;

/// <summary>A strategy whose targets are given per trade day (test double for the research pipeline).</summary>
internal sealed class FixedTargetModel(string name, Dictionary<DateOnly, Dictionary<Symbol, double>> plan, Exception? failOn = null) : IStrategyModel
{
    public string Name => name;

    public bool IsRebalanceDay(MarketPanel panel, int tradeDay) => plan.ContainsKey(panel.Dates[tradeDay]) || failOn is not null;

    public ImmutableSortedDictionary<Symbol, double> Targets(MarketPanel panel, int decisionDay, IReadOnlySet<Symbol> holdings)
    {
        if (failOn is not null) throw failOn;
        return plan[panel.Dates[decisionDay + 1]].ToImmutableSortedDictionary();
    }
}
