using Akka.Actor;
using Akka.Event;
using Trading.Domain.Orders;
using Trading.Risk;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>
/// In-trade monitoring: drawdown alerts from the daily NAV (Trading.Risk's <see cref="DrawdownMonitor"/>; past its
/// kill-switch level the watchdog engages the risk guard's kill switch), orders stuck without a final report
/// (<see cref="StuckOrderMonitor"/>: PendingSubmit, SubmitUnknown or PendingCancel for longer than
/// <see cref="WatchdogOptions.StuckAfter"/>, checked every <see cref="WatchdogOptions.StuckCheckInterval"/> on a timer
/// and at each close of day — the clock's step, so a backtest, whose timer is off, stays deterministic; one alert per
/// order and stuck state), and failures of children reported by the supervisor. (The day's cancel rate is
/// the risk guard's: it holds the day's counts.)
/// Alerts are published on the event stream as <see cref="RiskAlert"/> (journal projections, reports and the
/// dashboard read them there).
/// </summary>
public sealed class WatchdogActor : ReceiveActor, IWithTimers
{
    // (order, state it is stuck in) already alerted: one alert each, again only if it gets stuck in another state.
    private readonly HashSet<(ClientOrderId, OrderStatus)> _alerted = [];

    public ITimerScheduler Timers { get; set; } = null!;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WatchdogOptions _options;
    private readonly Func<DateTime> _now;
    private readonly Dictionary<ClientOrderId, OrderState> _open = [];
    private readonly DrawdownMonitor _drawdown;
    private readonly StuckOrderMonitor _stuck;
    private DrawdownState _drawdownState = DrawdownState.Start;

    private readonly IActorRef _riskGuard;

    private readonly string? _accountId;

    /// <param name="accountId">the account watched: orders of other accounts on the event stream are ignored, and alerts carry it</param>
    public static Props Props(WatchdogOptions options, IActorRef riskGuard, Func<DateTime> now, string? accountId = null) =>
        Akka.Actor.Props.Create(() => new WatchdogActor(options, riskGuard, now, accountId));

    public WatchdogActor(WatchdogOptions options, IActorRef riskGuard, Func<DateTime> now, string? accountId = null)
    {
        _accountId = accountId;
        _options = options;
        _riskGuard = riskGuard;
        _now = now;
        _drawdown = new DrawdownMonitor(options.DrawdownAlerts, options.KillSwitchDrawdown);
        _stuck = new StuckOrderMonitor(options.StuckAfter);
        Receive<OrderUpdated>(u => { if (_accountId is null || u.AccountId == _accountId) Track(u.Order); });
        Receive<NavMarked>(OnNav);
        Receive<StartDay>(s => Sender.Tell(new StepDone(s.Step, "watchdog")));
        Receive<CheckStuckOrders>(_ => CheckStuck());
        Receive<ChildFailed>(f => Alert("failure", f.Child, f.Message));
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(OrderUpdated));
        if (_options.StuckCheckInterval > TimeSpan.Zero)
            Timers.StartPeriodicTimer("stuck-orders", new CheckStuckOrders(), _options.StuckCheckInterval);
    }

    private void Track(OrderState s)
    {
        if (s.Status.IsTerminal())
        {
            _open.Remove(s.Id);
            _alerted.RemoveWhere(a => a.Item1 == s.Id);
        }
        else _open[s.Id] = s;
    }

    private void OnNav(NavMarked m)
    {
        // A new peak re-arms the thresholds, so each fall from a new high is reported.
        if (m.Nav > _drawdownState.Peak) _drawdownState = new DrawdownState(m.Nav, 0);
        var seen = _drawdown.Observe(_drawdownState, m.Nav, _now());
        _drawdownState = seen.State;
        foreach (var a in seen.Alerts)
        {
            Alert("drawdown", "watchdog", $"{m.Date:yyyy-MM-dd}: {a.Message}");
            if (a.EngageKillSwitch) _riskGuard.Tell(new EngageKillSwitch($"watchdog: {a.Message}"));
        }
        CheckStuck(); // the close of day is a clock step: the check a backtest gets
        Sender.Tell(new StepDone(m.Step, "watchdog")); // after any kill-switch order, so the clock moves on only behind it
    }

    private void CheckStuck()
    {
        var open = _open.Values.Where(s => s.Status is OrderStatus.PendingSubmit or OrderStatus.SubmitUnknown or OrderStatus.PendingCancel)
            .Where(s => !_alerted.Contains((s.Id, s.Status)))
            .Select(s => new OpenOrder(s.Request, s.Status, s.FilledQuantity, s.UpdatedAt)).ToList();
        if (open.Count == 0) return;
        var status = open.ToDictionary(o => o.Id, o => o.Status);
        foreach (var a in _stuck.Check(open, _now()))
        {
            if (a.OrderId is { } id) _alerted.Add((id, status[id]));
            Alert("stuck-order", "watchdog", a.Message, a.Symbol, a.OrderId);
        }
    }

    private void Alert(string kind, string source, string message, Trading.Domain.Instruments.Symbol? symbol = null, ClientOrderId? id = null)
    {
        _log.Warning("Alert {Kind} from {Source}: {Message}", kind, source, message);
        Context.System.EventStream.Publish(new RiskAlert(_now(), kind, source, message, symbol, id, _accountId));
    }
}

/// <summary>The watchdog's settings: the risk block's (<see cref="RiskOptions"/>), whose defaults are the only ones.</summary>
public sealed record WatchdogOptions
{
    /// <summary>Drawdown levels that each raise one alert when first crossed after a new peak.</summary>
    public IReadOnlyList<decimal> DrawdownAlerts { get; init; } = RiskOptions.Default.DrawdownAlerts;
    /// <summary>Past this drawdown the watchdog engages the kill switch (null: never).</summary>
    public decimal? KillSwitchDrawdown { get; init; } = RiskOptions.Default.KillSwitchDrawdown;
    /// <summary>An order without a final report after this long is stuck.</summary>
    public TimeSpan StuckAfter { get; init; } = RiskOptions.Default.StuckOrderTimeout;
    /// <summary>How often a timer checks for stuck orders (zero: only at each close of day, as backtests do).</summary>
    public TimeSpan StuckCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    public static WatchdogOptions From(RiskOptions risk) => new()
    {
        DrawdownAlerts = risk.DrawdownAlerts, KillSwitchDrawdown = risk.KillSwitchDrawdown,
        StuckAfter = risk.StuckOrderTimeout,
    };
}

/// <summary>The day's NAV as marked; answered with <see cref="StepDone"/> of <paramref name="Step"/>.</summary>
public sealed record NavMarked(DateOnly Date, decimal Nav, long Step = 0);
public sealed record CheckStuckOrders;
public sealed record ChildFailed(string Child, string Message);
