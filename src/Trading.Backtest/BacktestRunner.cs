using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Rules;
using Trading.Runtime.Strategy;

namespace Trading.Backtest;

/// <summary>From a strategy config and a store to ready backtest options: panel, benchmark, model, fees and risk limits.</summary>
public static class BacktestRunner
{
    public sealed record Prepared(BacktestOptions Options, FactorStrategyModel Model);

    public static async Task<Prepared> PrepareAsync(StrategyConfig cfg, MarketStore store, DateOnly? start, DateOnly? end, CancellationToken ct = default)
    {
        var model = new FactorStrategyModel(cfg);
        var panel = await MarketPanel.LoadAsync(store, ct);
        var missing = model.Unavailable(panel).ToList();
        if (missing.Count > 0)
            throw new FormatException($"{cfg.Source}: factors without data in this store: {string.Join("; ", missing)}");
        var index = await store.ReadIndexAsync(ct);
        var options = new BacktestOptions
        {
            Strategy = cfg,
            Model = model,
            Panel = panel,
            Benchmark = index,
            Fees = StrategyOptions.Fees(cfg),
            Risk = StrategyOptions.Risk(cfg),
            Rules = MarketRules.Default,
            Start = start,
            End = end,
        };
        return new Prepared(options, model);
    }
}
