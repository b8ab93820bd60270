using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Rules;
using Trading.Runtime.Strategy;

namespace Trading.Backtest;

/// <summary>From a strategy config and a store to ready backtest options: panel, benchmark, model, fees and risk limits.</summary>
public static class BacktestRunner
{
    public sealed record Prepared(BacktestOptions Options, FactorStrategyModel Model);

    public static Task<Prepared> PrepareAsync(StrategyConfig cfg, MarketStore store, DateOnly? start, DateOnly? end, CancellationToken ct = default) =>
        PrepareAsync(cfg, store, start, end, null, ct);

    /// <summary>As above, the store's bars read from <paramref name="cache"/> when it holds them (<see cref="MarketPanel.LoadAsync(MarketStore, PanelContents, PanelCache?, CancellationToken)"/>).</summary>
    public static async Task<Prepared> PrepareAsync(StrategyConfig cfg, MarketStore store, DateOnly? start, DateOnly? end, PanelCache? cache, CancellationToken ct = default)
    {
        CheckDates(cfg, start, end);
        var model = new FactorStrategyModel(cfg);
        // Only what the strategy reads: at market scale valuations alone are seven more dates × symbols arrays.
        var panel = await MarketPanel.LoadAsync(store, model.Needs, cache, ct);
        var missing = model.Unavailable(panel).ToList();
        if (missing.Count > 0)
            throw new FormatException($"{cfg.Source}: factors without data in this store: {string.Join("; ", missing)}");
        var index = await store.ReadIndexAsync(ct);
        CheckAgainstStore(cfg, panel, index, start, end, store.Root);
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

    /// <summary>The run's dates (command line first, then the strategy's): the end may not be before the start.</summary>
    public static void CheckDates(StrategyConfig cfg, DateOnly? start, DateOnly? end)
    {
        if (start is { } a && end is { } b && b < a)
            throw new FormatException($"--end {b:yyyy-MM-dd} is before --start {a:yyyy-MM-dd}.");
        if ((start ?? cfg.Start) is { } s && (end ?? cfg.End) is { } e && e < s)
            throw new FormatException($"the run would end ({e:yyyy-MM-dd}) before it starts ({s:yyyy-MM-dd}): check --start/--end against 'strategy.start'/'strategy.end' in {cfg.Source}.");
    }

    /// <summary>
    /// What the strategy names must be in the store: its benchmark series, its whitelisted symbols, and trading days
    /// between the dates. Checked before anything runs, so a typo is an error rather than an empty benchmark.
    /// </summary>
    public static void CheckAgainstStore(StrategyConfig cfg, MarketPanel? panel, IReadOnlyList<Data.Model.IndexBar> index, DateOnly? start, DateOnly? end, string store)
    {
        CheckDates(cfg, start, end);
        if (!index.Any(b => b.Code == cfg.Benchmark))
        {
            var codes = index.Select(b => b.Code).Distinct().Order(StringComparer.Ordinal).ToList();
            throw new Runtime.Configuration.ConfigException($"{cfg.Source}: 'strategy.benchmark' = '{cfg.Benchmark}' is not in the store {store} (index series there: {(codes.Count == 0 ? "none" : string.Join(", ", codes))}).");
        }
        if (panel is null) return;
        if (panel.Dates.Length == 0) throw new FormatException($"the store {store} has no bars.");
        if (cfg.Weighting == Weighting.Cap && panel.Valuations is null)
            throw new Runtime.Configuration.ConfigException($"{cfg.Source}: 'strategy.weighting' = cap needs market values, and the store {store} has no valuations (import TuShare daily_basic files), so it would silently weight equally.");
        var known = panel.Symbols.Select(x => x.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var symbol in (StrategyOptions.Risk(cfg).Whitelist ?? []).Select(x => x.ToString()).Order(StringComparer.Ordinal))
            if (!known.Contains(symbol))
                throw new Runtime.Configuration.ConfigException($"{cfg.Source}: 'strategy.risk.whitelist' names {symbol}, which is not in the store {store}.");
        var from = start ?? cfg.Start ?? panel.Dates[0];
        var to = end ?? cfg.End ?? panel.Dates[^1];
        if (panel.Calendar.Between(from, to).IsEmpty)
            throw new FormatException($"no trading days between {from:yyyy-MM-dd} and {to:yyyy-MM-dd} in the store {store} (it has {panel.Dates[0]:yyyy-MM-dd} to {panel.Dates[^1]:yyyy-MM-dd}).");
    }
}
