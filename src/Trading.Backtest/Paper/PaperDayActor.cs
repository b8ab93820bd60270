using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Brokers;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Runtime.Actors;
using Trading.Runtime.Clock;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Paper;

/// <summary>What a paper node's day runs on.</summary>
public sealed record PaperDaySetup(
    string AccountId,
    IActorRef Trader,
    PaperMarket Market,
    IStrategyModel Model,
    SchedulePlanner Planner,
    TimeProvider Time,
    decimal InitialCash,
    string ReportsDirectory,
    string StrategyName,
    TimeSpan StepTimeout)
{
    /// <summary>The brain's may-trade check (<c>TradingBrain.MayTrade</c>), asked before a job that fires late; null: never asked.</summary>
    public Func<bool>? MayTrade { get; init; }

    /// <summary>How late (real time) a job may fire before <see cref="MayTrade"/> is asked (<c>trading.node.late-tick-tolerance</c>).</summary>
    public TimeSpan LateTickTolerance { get; init; } = RealTimeClockActor.DefaultLateTickTolerance;

    /// <summary>After the post-close of this day the node's work is done (replays and tests stop there); null: run on.</summary>
    public DateOnly? LastDay { get; init; }

    /// <summary>Called, with a line saying why, once the post-close of <see cref="LastDay"/> has run (the host stops).</summary>
    public Action<string>? Finished { get; init; }

    /// <summary>
    /// A broker in another process (a bridge): the trades report hears its fills from the gateway's reports (each
    /// fill id once, replays included). Null: the in-process exchange of <see cref="Market"/>.
    /// </summary>
    public IBrokerGateway? RemoteBroker { get; init; }

    /// <summary>
    /// Writes the day's risk statement after the post-close's reports (the node: <see cref="DailyStatementSource"/>);
    /// null: none. Its answer is published on the event stream; a failure is an alert, never a failed post-close.
    /// </summary>
    public Func<ActorSystem, DateOnly, Task<DailyStatementReady>>? DailyStatement { get; init; }

    /// <summary>
    /// The pre-open data refresh (<c>trading.node.data-refresh</c>): refreshes the node's store and says what it did.
    /// A failure raises a <c>data-refresh</c> alert and the day goes on with the data already loaded. Null: none.
    /// </summary>
    public Func<DateOnly, CancellationToken, Task<string>>? DataRefresh { get; init; }

    /// <summary>How long a rebalance's orders at a <see cref="RemoteBroker"/> are given to fill before the top-up.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>A paper day's milestone, published on the event stream (logs, tests, the dashboard).</summary>
public sealed record PaperDayEvent(string AccountId, DateOnly Day, ScheduledJob Job, string Detail);

/// <summary>
/// Runs a paper node's trading day on the real-time clock: the <see cref="RealTimeClockActor"/> (its child) fires the
/// schedule's jobs, this actor journals each one (<c>day-{account}</c>) before running it — so a restarted node never
/// runs a job twice (the rebalance included) and still runs the ones it has not (the cancel of open orders, the
/// post-close) — and drives the same steps the backtest does, through the trading brain's single entry point:
/// <list type="bullet">
/// <item>day-start: the replayed day opens at the exchange; corporate actions to the book; <see cref="StartDay"/>;</item>
/// <item>rebalance: <see cref="Decide"/> on rebalance days; the exchange fills at the strategy's timing; <see cref="TopUp"/>;</item>
/// <item>cancel-open-orders: the rest of the day fills at its average price, then every open order is cancelled (nothing overnight);</item>
/// <item>monitor: with an execution algo, the exchange matches the children sent since (the daily fill model), then a flush;</item>
/// <item>post-close: the exchange closes the day; <see cref="MarkToMarket"/>; nav, positions, trades and orders (and parents.csv
/// when an algo worked parent orders) written to the reports folder, then the daily risk statement (reports/daily/, published
/// as <see cref="DailyStatementReady"/>).</item>
/// </list>
/// The simulated exchange lives in this process: on start it is funded from the book as journaled (or with the
/// initial cash on a fresh journal), so a restarted paper node trades on from its own account.
/// </summary>
public sealed class PaperDayActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PaperDaySetup _s;
    private readonly BacktestRecorder _recorder = new();
    private readonly IDisposable? _remote;
    private DayProgress? _progress;
    private readonly HashSet<(DateOnly, ScheduledJob)> _done = [];
    private bool _journaled;
    private long _step;

    public static Props Props(PaperDaySetup setup) => Akka.Actor.Props.Create(() => new PaperDayActor(setup));

    public override string PersistenceId { get; }

    public PaperDayActor(PaperDaySetup setup)
    {
        _s = setup;
        PersistenceId = $"day-{setup.AccountId}";
        if (_s.Market.Exchange is { } ex) ex.Report += _recorder.OnReport;
        _remote = _s.RemoteBroker?.Listen(e => { if (e is SequencedReport r) _recorder.OnReport(r.Report); });
        Recover<JobFired>(e => { _journaled = true; Apply(e.Day, e.Job, e.ScheduledAt, ran: true); });
        Recover<JobMissed>(e => { _journaled = true; Apply(e.Day, e.Job, e.ScheduledAt, ran: false); });
        Recover<JobDone>(e => _done.Add((e.Day, e.Job)));
        Recover<RecoveryCompleted>(_ => Self.Tell(Begin.Instance));
        Command<Completed>(c => Persist(new JobDone(c.Job, c.Day), e =>
        {
            _done.Add((e.Day, e.Job));
            c.Then?.Invoke();
        }));
        CommandAsync<Begin>(_ => StartAsync());
        Command<ScheduledJobDue>(j => Persist(new JobFired(j.Job, j.Day, j.ScheduledAt), e =>
        {
            Apply(e.Day, e.Job, e.ScheduledAt, ran: true);
            Self.Tell(new Run(j));
        }));
        Command<ScheduledJobMissed>(m => Persist(new JobMissed(m.Job, m.Day, m.ScheduledAt, m.Reason), e =>
        {
            Apply(e.Day, e.Job, e.ScheduledAt, ran: false);
            Publish(m.Day, m.Job, $"missed: {m.Reason}");
        }));
        CommandAsync<Run>(r => RunAsync(r.Job));
    }

    protected override void PostStop()
    {
        if (_s.Market.Exchange is { } ex) ex.Report -= _recorder.OnReport;
        _remote?.Dispose();
    }

    /// <summary>
    /// A broker in another process fills on its own time: before the top-up reads the account, the day's orders are
    /// given until <see cref="PaperDaySetup.SettleTimeout"/> to end or rest (the in-process exchange has filled them
    /// synchronously at this point), so the top-up decides on the same account either way.
    /// </summary>
    private async Task SettleAsync(DateOnly day)
    {
        var until = DateTime.UtcNow + _s.SettleTimeout;
        (int Open, long Filled)? previous = null;
        while (DateTime.UtcNow < until)
        {
            var orders = (await _s.Trader.Ask<OrdersSnapshot>(new GetOrders(), _s.StepTimeout)).Orders
                .Where(o => o.Request.TradeDate == day && o.Status.IsOpen()).ToList();
            // Done when nothing is open, or what is open has stopped filling (resting below the market).
            var progress = (orders.Count, orders.Sum(o => o.FilledQuantity));
            if (orders.Count == 0 || (progress == previous && orders.All(o => o.Status is OrderStatus.Submitted or OrderStatus.PartiallyFilled))) break;
            previous = progress;
            await Task.Delay(200);
        }
        await Step(new Flush(++_step));
    }

    /// <summary>The clock's marker rebuilt from the journal (the same rules as <see cref="SchedulePlanner"/>'s).</summary>
    private void Apply(DateOnly day, ScheduledJob job, DateTimeOffset at, bool ran)
    {
        var p = _progress is { } x && x.Day == day ? x : DayProgress.Empty(day);
        if (job == ScheduledJob.Monitor) p = p with { LastMonitor = TimeOnly.FromDateTime(_s.Planner.Local(at).DateTime) };
        else p = ran ? p with { Ran = p.Ran.Add(job) } : p with { Missed = p.Missed.Add(job) };
        _progress = p;
    }

    private async Task StartAsync()
    {
        await TradingComposition.WaitReadyAsync(_s.Trader, _s.StepTimeout);
        // The book as the OMS's journal says: fills a crash kept from the book are booked before anything reads it.
        await Step(new FlushOrders(++_step));
        var account = (await _s.Trader.Ask<AccountSnapshot>(new GetAccount(), _s.StepTimeout)).Book;
        var exchange = _s.Market.Exchange;
        if (!_journaled && account.Cash == 0 && account.Positions.Count == 0)
        {
            await _s.Trader.Ask<Deposited>(new Deposit(_s.InitialCash, "initial capital (paper)"), _s.StepTimeout);
            exchange?.Deposit(_s.InitialCash);
            _log.Info("Paper account {0} funded with {1:N2}", _s.AccountId, _s.InitialCash);
        }
        else if (exchange is not null)
        {
            // The simulated broker in this process starts from the account the node journaled.
            exchange.Deposit(account.Cash);
            foreach (var (symbol, holding) in account.Positions) exchange.TransferInShares(symbol, holding.Quantity);
            _log.Info("Paper account {0} resumed from its journal: cash {1:N2}, {2} positions", _s.AccountId, account.Cash, account.Positions.Count);
        }
        // A post-close that had started but not finished when the node stopped (killed, or handed over mid-close: the job
        // is journaled as run when it starts) runs again, or the day would have no reports and no statement. Its steps
        // are idempotent: the closes marked again, the reports and the statement written again.
        var closeInterrupted = _progress is { } c && c.Ran.Contains(ScheduledJob.PostClose) && !_done.Contains((c.Day, ScheduledJob.PostClose));
        // Restarted after today's day-start: reopen the day at the (new) exchange; the book already rolled.
        if (_progress is { } p && p.Ran.Contains(ScheduledJob.DayStart) && _s.Market.IsStored(p.Day) && (!p.Ran.Contains(ScheduledJob.PostClose) || closeInterrupted))
            _s.Market.BeginDay(p.Day, []);
        if (closeInterrupted)
        {
            var day = _progress!.Day;
            _log.Warning("Paper post-close of {0:yyyy-MM-dd} was interrupted: running it again", day);
            try
            {
                await PostCloseAsync(day);
                var finished = _s.LastDay is { } lastDay && day >= lastDay;
                Self.Tell(new Completed(ScheduledJob.PostClose, day,
                    finished ? () => _s.Finished?.Invoke($"{day:yyyy-MM-dd} closed: the replay is done (its interrupted post-close ran again)") : null));
                if (finished) return;
            }
            catch (Exception e)
            {
                _log.Error(e, "Paper post-close of {0:yyyy-MM-dd} failed again", day);
                Context.System.EventStream.Publish(new RiskAlert(DateTime.Now, "failure", "paper-day", $"PostClose of {day:yyyy-MM-dd} failed: {e.Message}", AccountId: _s.AccountId));
            }
        }
        if (_s.LastDay is { } last && _progress is { } done && done.Day >= last && done.Ran.Contains(ScheduledJob.PostClose))
        {
            Publish(done.Day, ScheduledJob.PostClose, "already closed in the journal: nothing left to run");
            _s.Finished?.Invoke($"{done.Day:yyyy-MM-dd} is already closed in the journal: nothing left to run");
            return;
        }
        // A rebalance the node had started when it died runs again before anything else: the planner counts the
        // orders it already sent (open or filled) and the new incarnation's ids are its own, so only what is missing goes out.
        if (_progress is { } q && q.Ran.Contains(ScheduledJob.Rebalance) && !_done.Contains((q.Day, ScheduledJob.Rebalance))
            && !q.Decided(ScheduledJob.CancelOpenOrders))
        {
            var at = _s.Planner.At(q.Day, _s.Planner.Schedule.Rebalance);
            _log.Warning("Paper rebalance of {0:yyyy-MM-dd} was interrupted: running it again", q.Day);
            Self.Tell(new Run(new ScheduledJobDue(ScheduledJob.Rebalance, q.Day, at, at, true)));
        }
        if (_s.Time is ReplayTimeProvider replay) replay.Start();
        Context.ActorOf(RealTimeClockActor.Props(_s.Planner, _s.Time, Self, _progress, _s.MayTrade, _s.LateTickTolerance), "clock");
    }

    private async Task RunAsync(ScheduledJobDue job)
    {
        var day = job.Day;
        if (!_s.Market.IsStored(day))
        {
            Publish(day, job.Job, "not in the store: nothing to replay");
            return;
        }
        try
        {
            switch (job.Job)
            {
                case ScheduledJob.DayStart:
                    var held = (await Account()).Book.Positions.Keys.ToList();
                    var actions = _s.Market.BeginDay(day, held);
                    foreach (var a in actions) _s.Trader.Tell(new CorporateActionBooked(a.Symbol, a.ExDate, a.CashPerShare, a.BonusPerShare));
                    await Step(new StartDay(day, ++_step));
                    Publish(day, job.Job, $"{actions.Count} corporate actions");
                    break;
                case ScheduledJob.PreOpen:
                    Publish(day, job.Job, _s.DataRefresh is null ? "pre-open" : await RefreshAsync(day));
                    break;
                case ScheduledJob.Rebalance:
                    int d = _s.Market.Panel.DayIndex(day);
                    if (d <= 0 || !_s.Model.IsRebalanceDay(_s.Market.Panel, d))
                    {
                        Publish(day, job.Job, "not a rebalance day");
                        Self.Tell(new Completed(job.Job, day));
                        break;
                    }
                    var decided = (StepDone)await Step(new Decide(day, ++_step));
                    var fills = _s.Market.AfterRebalance(day);
                    await Step(new Flush(++_step));
                    if (_s.RemoteBroker is not null) await SettleAsync(day);
                    if (decided.Detail.Length > 0) await Step(new TopUp(day, ++_step));
                    Publish(day, job.Job, _s.RemoteBroker is null ? $"{decided.Detail}; {fills.Count} fills at {_s.Market.Timing}" : $"{decided.Detail}; sent to the broker");
                    Self.Tell(new Completed(job.Job, day));
                    break;
                case ScheduledJob.Monitor:
                    // Children of execution algos go out all day: the exchange matches them at each monitor.
                    if (_s.Market.Intraday(day).Count > 0) await Step(new Flush(++_step));
                    break;
                case ScheduledJob.CancelOpenOrders:
                    var rest = _s.Market.RestOfDay(day);
                    await Step(new Flush(++_step));
                    await _s.Trader.Ask<StepDone>(new CancelAllOrders("close of day: nothing overnight"), _s.StepTimeout);
                    await Step(new Flush(++_step));
                    Publish(day, job.Job, $"{rest.Count} fills at the day's average price; open orders cancelled");
                    break;
                case ScheduledJob.PostClose:
                    await PostCloseAsync(day);
                    // Journaled as done only when the reports are written (a restart before this runs the post-close again),
                    // and the replay ends only after that.
                    Self.Tell(new Completed(job.Job, day,
                        _s.LastDay is { } last && day >= last ? () => _s.Finished?.Invoke($"{day:yyyy-MM-dd} closed: the replay is done") : null));
                    break;
            }
        }
        catch (Exception e)
        {
            // The job is journaled as run: it is not retried blindly; the operator sees the alert.
            _log.Error(e, "Paper {0} of {1:yyyy-MM-dd} failed", job.Job, day);
            Context.System.EventStream.Publish(new RiskAlert(DateTime.Now, "failure", "paper-day", $"{job.Job} of {day:yyyy-MM-dd} failed: {e.Message}", AccountId: _s.AccountId));
        }
    }

    /// <summary>The pre-open data refresh; its failure is an alert, never the end of the day (yesterday's store still trades).</summary>
    private async Task<string> RefreshAsync(DateOnly day)
    {
        try
        {
            return "data refresh: " + await _s.DataRefresh!(day, CancellationToken.None);
        }
        catch (Exception e)
        {
            _log.Warning("Pre-open data refresh of {0:yyyy-MM-dd} failed ({1}): {2}", day, e.GetType().Name, e.Message);
            Context.System.EventStream.Publish(new RiskAlert(DateTime.Now, "data-refresh", "pre-open",
                $"data refresh failed, trading on the stored data: {e.Message}", AccountId: _s.AccountId));
            return "data refresh failed";
        }
    }

    private async Task PostCloseAsync(DateOnly day)
    {
        _s.Market.Close(day);
        await Step(new Flush(++_step));
        var held = (await Account()).Book.Positions.Keys.ToList();
        var marked = (MarkedToMarket)await Step(new MarkToMarket(day, _s.Market.Closes(day, held), ++_step));
        var book = marked.Account.Book;
        _recorder.OnNav(new NavRow(day, book.Nav, book.Cash, book.MarketValue, double.NaN));
        _recorder.OnPositions(day, book);
        var orders = (await _s.Trader.Ask<OrdersSnapshot>(new GetOrders(), _s.StepTimeout)).Orders;
        var parents = (await _s.Trader.Ask<ParentsSnapshot>(GetParents.Instance, _s.StepTimeout)).Parents;
        var summary = System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["account"] = _s.AccountId,
            ["strategy"] = _s.StrategyName,
            ["day"] = day.ToString("yyyy-MM-dd"),
            ["nav"] = book.Nav,
            ["cash"] = book.Cash,
            ["positions"] = book.Positions.Count,
            ["orders"] = orders.Count,
        });
        _recorder.Write(_s.ReportsDirectory, orders, summary);
        if (parents.Count > 0) BacktestRecorder.WriteParents(_s.ReportsDirectory, parents, orders);
        Publish(day, ScheduledJob.PostClose, $"NAV {book.Nav:N2}, cash {book.Cash:N2}, {book.Positions.Count} positions, {orders.Count} orders"
            + (parents.Count > 0 ? $" of {parents.Count} parents" : "") + $"; reports in {_s.ReportsDirectory}");
        if (_s.DailyStatement is { } statement)
        {
            try
            {
                var ready = await statement(Context.System, day);
                Context.System.EventStream.Publish(ready);
                Publish(day, ScheduledJob.PostClose, $"daily risk statement {ready.Path}");
            }
            catch (Exception e)
            {
                // The day is closed and its reports are written: a statement that cannot be made is the operator's alert.
                _log.Error(e, "Daily statement of {0:yyyy-MM-dd} failed", day);
                Context.System.EventStream.Publish(new RiskAlert(DateTime.Now, "failure", "daily-statement", $"daily statement of {day:yyyy-MM-dd} failed: {e.Message}", AccountId: _s.AccountId));
            }
        }
    }

    private Task<AccountSnapshot> Account() => _s.Trader.Ask<AccountSnapshot>(new GetAccount(), _s.StepTimeout);

    private async Task<object> Step(object message)
    {
        var answer = await _s.Trader.Ask<object>(message, _s.StepTimeout);
        return answer is Status.Failure f ? throw f.Cause : answer;
    }

    private void Publish(DateOnly day, ScheduledJob job, string detail)
    {
        _log.Info("Paper {0} {1:yyyy-MM-dd}: {2}", job, day, detail);
        Context.System.EventStream.Publish(new PaperDayEvent(_s.AccountId, day, job, detail));
    }

    private sealed class Begin
    {
        public static readonly Begin Instance = new();
    }

    private sealed record Run(ScheduledJobDue Job);

    /// <param name="Then">what to do once the job's end is journaled (the replay's end: only then may the node stop)</param>
    private sealed record Completed(ScheduledJob Job, DateOnly Day, Action? Then = null);
}
