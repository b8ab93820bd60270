using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Trading.Brokers;
using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;
using Trading.Runtime.Threading;

namespace Trading.Backtest;

public sealed record BacktestOptions
{
    public required StrategyConfig Strategy { get; init; }
    public required IStrategyModel Model { get; init; }
    public required MarketPanel Panel { get; init; }
    public IReadOnlyList<IndexBar> Benchmark { get; init; } = [];
    public FeeSchedule Fees { get; init; } = FeeSchedule.Default;
    public RiskOptions Risk { get; init; } = RiskOptions.Default;
    public MarketRules Rules { get; init; } = MarketRules.Default;
    public DateOnly? Start { get; init; }
    public DateOnly? End { get; init; }
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Akka's log level for the run (alerts are logged at WARNING; a sweep runs at ERROR: its points' alerts would drown the console).</summary>
    public string LogLevel { get; init; } = "WARNING";
    public IProgress<(int Done, int Total, DateOnly Date)>? Progress { get; init; }
}

public sealed record BacktestResult(BacktestRecorder Recorder, IReadOnlyList<Runtime.State.OrderState> Orders, string SummaryJson, int Days)
{
    /// <summary>Ex-ante risk of every rebalance (risk.csv); empty unless the strategy builds a risk model.</summary>
    public IReadOnlyList<RebalanceRisk> Risk { get; init; } = [];
}

/// <summary>
/// Runs the live actor tree (<see cref="TradingSupervisor"/> and its children) against the simulated exchange,
/// one trading day at a time on a virtual clock. Each phase is a step that completes only when the tree is quiet:
/// <list type="number">
/// <item>09:15 start of day — T+1 roll, day counters (exchange, book, risk guard, watchdog);</item>
/// <item>09:25 decide — strategies decide on the previous close; sells and cash-covered buys go out;</item>
/// <item>fill at the open (or the configured timing); flush the report path;</item>
/// <item>10:00 top-up — buys paid by the morning's sale proceeds; fill at the day's average price (VWAP proxy); flush;</item>
/// <item>15:00 end of day — unfilled orders expire; flush; mark to market; record NAV and positions.</item>
/// </list>
/// Nothing reads a wall clock, and every step waits for its acknowledgements: the same inputs give the same files.
/// </summary>
public static class BacktestEngine
{
    private static long _runs;
    // One instance: System.Text.Json builds (and emits code for) its metadata per options instance.
    private static readonly JsonSerializerOptions SummaryJson = new() { WriteIndented = true };

    /// <summary>
    /// Runs the backtest on its own <see cref="ActorLoop"/>: the actors and this clock share one thread, so a step's
    /// messages never wait for another thread to wake up and runs side by side (a sweep) each keep to one core.
    /// </summary>
    public static async Task<BacktestResult> RunAsync(BacktestOptions o, CancellationToken ct = default)
    {
        // One number per run names its loop, its actor system and its account: persistence ids must not meet those of
        // another run in this process (sweeps run many at once).
        long run = Interlocked.Increment(ref _runs);
        using var loop = new ActorLoop($"backtest-loop-{run}");
        return await loop.RunAsync(() => RunOnLoopAsync(o, loop, $"backtest-{run}", ct));
    }

    private static async Task<BacktestResult> RunOnLoopAsync(BacktestOptions o, ActorLoop loop, string name, CancellationToken ct)
    {
        var panel = o.Panel;
        var cfg = o.Strategy;
        var start = o.Start ?? cfg.Start ?? panel.Dates[0];
        var end = o.End ?? cfg.End ?? panel.Dates[^1];
        var days = panel.Calendar.Between(start, end).ToArray();
        if (days.Length == 0) throw new FormatException($"No trading days between {start:yyyy-MM-dd} and {end:yyyy-MM-dd} in the data.");

        var clock = new VirtualClock();
        clock.Set(days[0], new TimeOnly(9, 0));
        var exchange = CreateExchange(o, clock);
        var recorder = new BacktestRecorder();
        exchange.Report += recorder.OnReport;
        long reports = 0, flushedAt = 0;
        exchange.Report += _ => reports++;

        var benchmark = o.Benchmark.Where(b => b.Code == cfg.Benchmark).ToDictionary(b => b.Date, b => b.Close);
        // Start-up waits for the loggers, which run on the loop: create the system off it.
        var system = await Task.Run(() => TradingSystem.Create(name, JournalKind.InMemory,
            extra: $"akka.loglevel = {o.LogLevel}\n{ActorLoop.Hocon}", with: loop.Setup), ct);
        try
        {
            var listener = system.ActorOf(Props.Create(() => new EventListener(recorder)), "backtest-listener");
            system.EventStream.Subscribe(listener, typeof(RiskAlert));
            system.EventStream.Subscribe(listener, typeof(ProposalJudged));

            var timeout = o.StepTimeout;
            // The one composition root, as the paper and live node use it: a virtual clock, the simulated exchange,
            // no heartbeat (nothing can drop), and no wall-clock timer (the stuck-order check runs at each close of day).
            var node = new TradingNodeOptions
            {
                AccountId = name,
                Broker = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero, ReconcileAccount = false, ReconnectMinBackoff = TimeSpan.FromMilliseconds(100), ReconnectMaxBackoff = TimeSpan.FromSeconds(2) },
            };
            var brain = new TradingBrain
            {
                Gateway = exchange,
                Now = () => clock.Now,
                Quotes = (s, date) => PreOpenQuote(panel, s, date),
                Strategies = [new StrategySpec(cfg, o.Model, panel)],
                Risk = o.Risk,
                Rules = o.Rules,
                Fees = o.Fees,
                StepTimeout = timeout,
                Watchdog = WatchdogOptions.From(o.Risk) with { StuckCheckInterval = TimeSpan.Zero },
            };
            var trader = TradingComposition.Start(system, node, brain);
            await TradingComposition.WaitReadyAsync(trader, timeout, ct);
            var steps = new StepChannel(system, timeout, "backtest-clock");
            await trader.Ask<Deposited>(new Deposit(cfg.InitialCash, "initial capital"), timeout);

            long step = 0;
            var timing = cfg.Execution.FillAt;
            // Held symbols as of the last close (nothing changes overnight), plus whatever today's fills bring: the clock
            // knows them without asking the book twice a day. Closes for a symbol sold out meanwhile are ignored by the book.
            var held = (await trader.Ask<AccountSnapshot>(new GetAccount(), timeout)).Book.Positions.Keys.ToHashSet();
            exchange.Report += r => { if (r is Trading.Brokers.OrderFilled f) held.Add(f.Fill.Symbol); };
            for (int i = 0; i < days.Length; i++)
            {
                ct.ThrowIfCancellationRequested();
                var date = days[i];
                int d = panel.DayIndex(date);
                var bars = Trading.Brokers.PanelBars.On(panel, date);

                clock.Set(date, new TimeOnly(9, 15));
                var actions = CorporateActions(panel, d, held.Order());
                exchange.BeginDay(date, bars, actions);
                foreach (var a in actions) trader.Tell(new Runtime.State.CorporateActionBooked(a.Symbol, a.ExDate, a.CashPerShare, a.BonusPerShare));
                await steps.Step(trader, new StartDay(date, ++step));

                // A flush is only needed when the exchange reported something since the last one (quiet days skip it).
                async Task FlushIfReported()
                {
                    if (reports == flushedAt) return;
                    flushedAt = reports;
                    await steps.Step(trader, new Flush(++step));
                }

                clock.Set(date, new TimeOnly(9, 25));
                // Strategies decide on their rebalance days only (the strategy actor answers at once on others): skip the step.
                var decided = d > 0 && o.Model.IsRebalanceDay(panel, d)
                    ? (StepDone)await steps.Step(trader, new Decide(date, ++step))
                    : new StepDone(++step);
                clock.Set(date, timing == Trading.Domain.Orders.FillTiming.Close ? new TimeOnly(14, 57) : new TimeOnly(9, 30));
                exchange.MatchBar(date, timing, bars);
                await FlushIfReported();

                if (decided.Detail.Length > 0) // a strategy acted today: the top-up round may spend the morning's proceeds
                {
                    clock.Set(date, new TimeOnly(10, 0));
                    await steps.Step(trader, new TopUp(date, ++step));
                }
                clock.Set(date, new TimeOnly(14, 57));
                exchange.MatchBar(date, Trading.Domain.Orders.FillTiming.Vwap, bars);
                await FlushIfReported();

                clock.Set(date, new TimeOnly(15, 0));
                exchange.EndDay(date);
                await FlushIfReported();
                var account = ((MarkedToMarket)await steps.Step(trader, new MarkToMarket(date, Closes(panel, d, held), ++step))).Account;
                held = account.Book.Positions.Keys.ToHashSet();
                recorder.OnNav(new NavRow(date, account.Book.Nav, account.Book.Cash, account.Book.MarketValue,
                    benchmark.TryGetValue(date, out var b) ? b : double.NaN));
                recorder.OnPositions(date, account.Book);
                o.Progress?.Report((i + 1, days.Length, date));
            }

            var orders = (await trader.Ask<OrdersSnapshot>(new GetOrders(), timeout)).Orders;
            // Portfolio construction that fell back (optimiser infeasible, too little history) is a risk event of the decision day.
            var risk = o.Model.RiskLog;
            foreach (var r in risk)
                if (r.Warning is { } warning)
                    recorder.OnAlert(new RiskAlert(r.Date.ToDateTime(new TimeOnly(15, 0)), "portfolio-fallback", cfg.Name, warning));
            var summary = Summary(cfg, recorder, orders, days);
            return new BacktestResult(recorder, orders, summary, days.Length) { Risk = risk };
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The simulated exchange a run trades on, funded with the initial cash.</summary>
    internal static SimulatedExchange CreateExchange(BacktestOptions o, VirtualClock clock) => CreateExchange(o, () => clock.Now, fund: true);

    /// <summary>The simulated exchange with the strategy's execution settings (funded with the initial cash when <paramref name="fund"/>).</summary>
    public static SimulatedExchange CreateExchange(BacktestOptions o, Func<DateTime> now, bool fund)
    {
        var execution = o.Strategy.Execution;
        var exchange = new SimulatedExchange(now, new SimulatedExchangeOptions
        {
            Rules = o.Rules,
            Fees = o.Fees,
            FixedSlippageBps = (decimal)execution.SlippageBps,
            ImpactBps = (decimal)(execution.ImpactCoefficient * 1000),
            MaxParticipation = (decimal)execution.VolumeCap,
            RollOverOpenOrders = execution.RollUnfilled,
        });
        if (fund) exchange.Deposit(o.Strategy.InitialCash);
        return exchange;
    }

    /// <summary>What is known of a stock before the open: the previous close, today's limits, whether it is suspended, the previous day's volume.</summary>
    internal static TradeQuote? PreOpenQuote(MarketPanel panel, Symbol symbol, DateOnly date)
    {
        int d = panel.DayIndex(date), i = panel.SymbolIndex(symbol);
        if (d <= 0 || i < 0) return null;
        int prev = panel.Cell(d - 1, i), today = panel.Cell(d, i);
        double reference = panel.Close[prev];
        if (double.IsNaN(reference)) return null;
        var limit = double.IsNaN(panel.UpLimit[today]) ? PriceLimit.None
            : new PriceLimit(Money.FromDouble(panel.UpLimit[today]), Money.FromDouble(panel.DownLimit[today]));
        double volume = panel.Volume[prev];
        return new TradeQuote(Money.FromDouble(reference), limit, !panel.IsTraded(d, i), double.IsFinite(volume) && volume > 0 ? (long)volume : 0);
    }

    /// <summary>Closes of the day for the held symbols (suspended ones carry their last close): what the book marks.</summary>
    internal static ImmutableDictionary<Symbol, decimal> Closes(MarketPanel panel, int d, IEnumerable<Symbol> held)
    {
        var b = ImmutableDictionary.CreateBuilder<Symbol, decimal>();
        foreach (var symbol in held)
        {
            int s = panel.SymbolIndex(symbol);
            if (s < 0) continue;
            double c = panel.Close[panel.Cell(d, s)];
            if (!double.IsNaN(c)) b[symbol] = Money.FromDouble(c);
        }
        return b.ToImmutable();
    }

    /// <summary>
    /// Ex-dates of held stocks from the panel: the factor ratio says how much value moved from price to holder.
    /// The data does not separate cash from bonus shares, so a ratio above 1.3 is booked as bonus shares (a split)
    /// and anything smaller as a cash dividend of previous close − reference price; both keep NAV whole.
    /// </summary>
    internal static IReadOnlyList<CorporateAction> CorporateActions(MarketPanel panel, int d, IEnumerable<Symbol> held)
    {
        if (d == 0) return [];
        var actions = new List<CorporateAction>();
        foreach (var symbol in held)
        {
            int s = panel.SymbolIndex(symbol);
            if (s < 0) continue;
            int c = panel.Cell(d, s);
            double adj = panel.AdjFactor[c], prevAdj = panel.AdjFactor[c - 1];
            if (double.IsNaN(adj) || double.IsNaN(prevAdj) || adj == prevAdj || !panel.IsTraded(d, s)) continue;
            decimal prev = Money.FromDouble(panel.Close[c - 1]), reference = Money.FromDouble(panel.PreClose[c]);
            double ratio = adj / prevAdj;
            actions.Add(ratio > 1.3
                ? new CorporateAction(symbol, panel.Dates[d], 0m, Math.Round((decimal)ratio - 1m, 4))
                : new CorporateAction(symbol, panel.Dates[d], Math.Max(0m, prev - reference), 0m));
        }
        return actions;
    }

    private static string Summary(StrategyConfig cfg, BacktestRecorder r, IReadOnlyList<Runtime.State.OrderState> orders, DateOnly[] days)
    {
        var nav = r.Nav;
        decimal first = cfg.InitialCash, last = nav.Count > 0 ? nav[^1].Nav : first;
        var o = new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["strategy"] = cfg.Name,
            ["start"] = days[0].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["end"] = days[^1].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["trading_days"] = days.Length,
            ["initial_cash"] = cfg.InitialCash,
            ["final_nav"] = last,
            ["total_return"] = Math.Round(last / first - 1, 8),
            ["trades"] = r.Fills.Count,
            ["orders"] = orders.Count,
            ["risk_rejections"] = r.Rejections.Count,
            ["fees_paid"] = r.Fills.Sum(f => f.Fees.Total),
            ["turnover_value"] = r.Fills.Sum(f => f.Amount),
            ["alerts"] = r.Alerts.Count,
        };
        return JsonSerializer.Serialize(o, SummaryJson);
    }

    /// <summary>Collects alerts and risk rejections from the event stream.</summary>
    private sealed class EventListener : ReceiveActor
    {
        public EventListener(BacktestRecorder recorder)
        {
            Receive<RiskAlert>(a => { if (a.Kind != "risk-reject") recorder.OnAlert(a); });
            Receive<ProposalJudged>(p => recorder.OnRejections(p.Result.Rejected));
        }
    }
}

public sealed class BacktestFailedException(string message, Exception inner) : Exception(message, inner);
