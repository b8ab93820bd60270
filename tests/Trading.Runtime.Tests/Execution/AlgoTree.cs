using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Trading.Brokers;
using Trading.Data.Model;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Execution;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Tests.Execution;

/// <summary>
/// A whole trading brain for the execution tests, from the composition root: the simulated exchange (no slippage or
/// impact, the whole bar's volume) on 2 January 2024, every quote 10.00 with a previous day's volume of 10 M, and a fake
/// intraday clock from 09:35 Shanghai that moves only when a test moves it.
/// </summary>
internal sealed class AlgoTree
{
    public static readonly DateOnly Day = new(2024, 1, 2);
    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8), T = TimeSpan.FromSeconds(20);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2024, 1, 2, 9, 35, 0, Shanghai));

    public SimulatedExchange Exchange { get; }

    public AlgoTree()
    {
        Exchange = new SimulatedExchange(Now, new SimulatedExchangeOptions { FixedSlippageBps = 0, ImpactBps = 0, MaxParticipation = 1m });
        Exchange.Deposit(1_000_000m);
        Exchange.BeginDay(Day);
    }

    public DateTime Now() => Time.GetUtcNow().ToOffset(Shanghai).DateTime;

    /// <summary>Starts the brain on <paramref name="system"/>, funds it with 1,000,000 and starts the day; returns its supervisor.</summary>
    public async Task<IActorRef> StartAsync(ActorSystem system, string account, ExecutionAlgoOptions algo, bool intraday = true, RiskOptions? risk = null)
    {
        var brain = new TradingBrain
        {
            Gateway = Exchange,
            Now = Now,
            Time = Time,
            Quotes = (_, _) => new TradeQuote(10.00m, PriceLimit.FromReference(10.00m, 0.10m), false, 10_000_000),
            Risk = risk ?? RiskOptions.Default with { DuplicateWindow = null },
            StepTimeout = T,
            Watchdog = new WatchdogOptions { StuckCheckInterval = TimeSpan.Zero },
            IntradayExecution = intraday,
            Execution = algo,
        };
        var node = new TradingNodeOptions { AccountId = account, Broker = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero } };
        var trader = TradingComposition.Start(system, node, brain, $"trader-{account}");
        await TradingComposition.WaitReadyAsync(trader, T);
        await trader.Ask<Deposited>(new Deposit(1_000_000m, "seed"), T);
        await trader.Ask<StepDone>(new StartDay(Day, 1), T);
        return trader;
    }

    /// <summary>A day whose average price is 9.95: children at the 10.00 reference fill.</summary>
    public static DailyBar? Bar(Symbol s) => new DailyBar(s, Day, 10.00m, 10.10m, 9.80m, 9.90m, 10.00m, 10_000_000, 99_500_000m, 1.0);
}
