using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Trading.Brokers;
using Trading.Data.Panel;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Clock;
using Trading.Runtime.Configuration;
using Trading.Runtime.Execution;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Hosting;

/// <summary>
/// A node's own settings, from the <c>trading</c> block of its HOCON (hocon/base.conf documents each):
/// <c>account-id</c>, <c>epoch</c> (<c>auto</c> or a number, <see cref="EpochSource"/>), <c>broker.*</c> and
/// <c>schedule.*</c> (<see cref="TradingSchedule"/>).
/// </summary>
public sealed record TradingNodeOptions
{
    public string AccountId { get; init; } = "main";
    public EpochSource Epoch { get; init; } = EpochSource.Auto;
    /// <summary>The broker session: heartbeat (zero: none, as in backtests), reconnect backoff, a timeout per call (<c>trading.broker</c>).</summary>
    public BrokerSessionOptions Broker { get; init; } = BrokerSessionOptions.Default;
    public TradingSchedule Schedule { get; init; } = TradingSchedule.Default;

    public static TradingNodeOptions Default { get; } = new();

    private static readonly string[] TradingKeys = ["account-id", "epoch", "broker", "schedule", "node", "alerts", "data", "cluster", "dashboard"];

    /// <summary>The <c>trading</c> block of <paramref name="root"/>, strictly: an unknown key or a bad value names its place in <paramref name="file"/>.</summary>
    public static TradingNodeOptions FromConfig(Config root, string file)
    {
        var t = ConfigBlock.Root(root, file).BlockOrEmpty("trading", TradingKeys);
        var d = Default;
        var account = t.String("account-id", d.AccountId).Trim();
        if (account.Length == 0 || account.Length > 64 || !account.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ConfigException($"{t.Where("account-id")} = '{account}' must be 1–64 characters of A–Z, a–z, 0–9, '-', '_' or '.'.");
        var epochText = t.Text("epoch")?.Trim();
        EpochSource epoch = epochText is null || epochText.Equals("auto", StringComparison.OrdinalIgnoreCase)
            ? EpochSource.Auto
            : long.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out var e) && e >= 1
                ? EpochSource.Of(e)
                : throw new ConfigException($"{t.Where("epoch")} = '{epochText}' must be 'auto' or a whole number ≥ 1.");
        return new TradingNodeOptions
        {
            AccountId = account,
            Epoch = epoch,
            Broker = BrokerSessionOptions.From(root, file),
            Schedule = TradingSchedule.Parse(root, file),
        };
    }
}

/// <summary>One strategy of a node: its file's settings, its model and the market data it decides on.</summary>
public sealed record StrategySpec(StrategyConfig Config, IStrategyModel Model, MarketPanel Panel);

/// <summary>
/// What a trading brain trades with, besides its settings: the broker, the clock, the quotes the risk guard and the
/// rebalancer size orders with, the strategies and the rules. The backtest passes the simulated exchange and a virtual
/// clock, the paper node the same exchange on the real-time clock, the live node a broker bridge.
/// </summary>
public sealed record TradingBrain
{
    public required IBrokerGateway Gateway { get; init; }
    public required Func<DateTime> Now { get; init; }
    /// <summary>What is known of a stock before trading on a day: reference price, limits, suspension (null: unknown).</summary>
    public required Func<Symbol, DateOnly, TradeQuote?> Quotes { get; init; }
    public IReadOnlyList<StrategySpec> Strategies { get; init; } = [];
    public RiskOptions Risk { get; init; } = RiskOptions.Default;
    public MarketRules Rules { get; init; } = MarketRules.Default;
    public FeeSchedule Fees { get; init; } = FeeSchedule.Default;
    /// <summary>How long a clock step may take before it fails (and a strategy's or the rebalancer's own asks).</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>The watchdog's settings; null: from <see cref="Risk"/> with its stuck-order timer.</summary>
    public WatchdogOptions? Watchdog { get; init; }

    /// <summary>
    /// Whether the host trades through the day on a clock (a paper or live node): then a strategy's execution algo (twap,
    /// vwap) slices each order over its window. False — a backtest on daily bars — sends every order whole, as today,
    /// whatever the algo: a daily bar has no intraday path to slice against, and none is invented; the daily fill model
    /// decides how the order fills.
    /// </summary>
    public bool IntradayExecution { get; init; }

    /// <summary>The execution algo; null: the (first) strategy's <c>strategy.execution</c> (immediate without one).</summary>
    public ExecutionAlgoOptions? Execution { get; init; }

    /// <summary>The timers of intraday execution (an algo's next slice, re-price, window end), matching <see cref="Now"/>: a
    /// paper node's replay clock, a fake one in tests.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Whether this brain may trade now — in a cluster, that it still holds its lease (CLUSTER_FAILOVER "fence", the
    /// best-effort layer on top of the broker's fence). Asked right before every submit and re-send (false: the order
    /// stays journaled, unsent, and <see cref="Messages.TradingSuspended"/> is published) and before a scheduled job that
    /// fires late after a pause. Null — backtests, a single node — always may.
    /// </summary>
    public Func<bool>? MayTrade { get; init; }
}

/// <summary>The registry key of a node's <see cref="TradingSupervisor"/> (Akka.Hosting's <c>ActorRegistry</c>).</summary>
public sealed class TradingNodeKey;

/// <summary>
/// The one composition root of a trading brain: the backtest, the paper and live node and the tests build the actor
/// tree here, from <see cref="TradingNodeOptions"/> (HOCON) and a <see cref="TradingBrain"/>. Nothing else wires the
/// children of a <see cref="TradingSupervisor"/>.
/// </summary>
public static class TradingComposition
{
    /// <summary>The supervisor's setup: how each child is built.</summary>
    public static TradingNodeSetup Setup(TradingNodeOptions node, TradingBrain brain)
    {
        var account = node.AccountId;
        var timeout = brain.StepTimeout;
        // One rebalancer per node: its cash buffer and sizing come from the (first) strategy.
        var primary = brain.Strategies.Count > 0 ? brain.Strategies[0].Config : null;
        MarketQuote? RiskQuote(Symbol s, DateOnly d) => brain.Quotes(s, d) is { } q ? new MarketQuote(q.ReferencePrice, q.Limit, q.Suspended) : null;
        var strategies = new Dictionary<string, Func<IActorRef, IActorRef, Props>>();
        foreach (var spec in brain.Strategies)
        {
            if (strategies.ContainsKey(spec.Config.Name))
                throw new ConfigException($"Two strategies of account '{account}' are named '{spec.Config.Name}'.");
            strategies[spec.Config.Name] = (rebalancer, book) => StrategyActor.Props(spec.Model, spec.Panel, rebalancer, book, timeout);
        }
        // Execution algos run only where there is an intraday clock; on daily bars a parent is one order sent as today.
        var algo = brain.Execution ?? primary?.Execution.Algo;
        Func<IActorRef, IActorRef, Props>? execution = brain.IntradayExecution && algo is { Slicing: true }
            ? (risk, orders) => ExecutionManagerActor.Props(new AlgoSetup(account, risk, orders, algo, brain.Now, brain.Time, brain.Quotes, brain.Rules,
                brain.Risk.PriceCages ?? PriceCage.Defaults))
            : null;
        return new TradingNodeSetup(
            AccountId: account,
            BrokerSession: (slot, epoch) => BrokerSessionActor.Props(brain.Gateway, slot, epoch, node.Broker, brain.Now, node.AccountId, brain.MayTrade),
            RiskGuard: (orders, book) => RiskGuardActor.Props(account, brain.Risk, orders, book, RiskQuote, brain.Rules, brain.Fees, brain.Now),
            Rebalancer: (risk, book, executionManager, epoch) => RebalanceActor.Props(risk, book, brain.Quotes, brain.Rules, primary?.CashBuffer ?? 0,
                timeout, primary is null ? null : PlannerSizing.From(primary, brain.Fees), sequenceBase: (epoch - 1) * 10_000, accountId: account,
                execution: executionManager),
            Strategies: strategies,
            Watchdog: brain.Watchdog ?? WatchdogOptions.From(brain.Risk),
            Now: brain.Now,
            BrokerMinBackoff: node.Broker.ReconnectMinBackoff,
            BrokerMaxBackoff: node.Broker.ReconnectMaxBackoff,
            StepTimeout: timeout) { Epoch = node.Epoch, Execution = execution };
    }

    /// <summary>Starts the brain as <c>/user/{name}</c>; its children start once its epoch is journaled (ask <see cref="GetNodeStatus"/>).</summary>
    public static IActorRef Start(ActorSystem system, TradingNodeOptions node, TradingBrain brain, string name = "trader") =>
        system.ActorOf(TradingSupervisor.Props(Setup(node, brain)), name);

    /// <summary>
    /// Waits until the brain has journaled its epoch and started its children; fails with the reason when it refuses
    /// to start (e.g. <c>trading.epoch</c> below the journaled one) or does not answer within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<NodeStatus> WaitReadyAsync(IActorRef trader, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await trader.Ask<NodeStatus>(GetNodeStatus.Instance, timeout, ct);
            if (status.Refused is { } why) throw new InvalidOperationException($"Trading node '{status.AccountId}' refused to start: {why}");
            if (status.Ready) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Trading node '{status.AccountId}' not ready within {timeout}.");
            await Task.Delay(20, ct);
        }
    }

    /// <summary>
    /// Akka.Hosting: starts the brain with the actor system of the generic host and registers it under
    /// <see cref="TradingNodeKey"/> (resolve it with <c>ActorRegistry.GetAsync&lt;TradingNodeKey&gt;()</c> or
    /// <c>IRequiredActor&lt;TradingNodeKey&gt;</c>).
    /// </summary>
    public static AkkaConfigurationBuilder WithTradingNode(this AkkaConfigurationBuilder builder, TradingNodeOptions node, TradingBrain brain) =>
        builder.WithActors((system, registry) => registry.Register<TradingNodeKey>(Start(system, node, brain)));
}
