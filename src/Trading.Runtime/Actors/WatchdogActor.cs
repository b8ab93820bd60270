using Akka.Actor;
using Akka.Event;
using Trading.Domain.Orders;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.Actors;

/// <summary>
/// In-trade monitoring: drawdown alerts from the daily NAV, orders stuck without a final report, the day's cancel
/// rate, and failures of children reported by the supervisor. Alerts are published on the event stream as
/// <see cref="RiskAlert"/> (journal projections, reports and the dashboard read them there).
/// </summary>
public sealed class WatchdogActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WatchdogOptions _options;
    private readonly Func<DateTime> _now;
    private readonly Dictionary<ClientOrderId, OrderState> _open = [];
    private decimal _peak;
    private int _drawdownLevel;
    private int _ordersToday, _cancelsToday;
    private bool _cancelRateAlerted;

    public static Props Props(WatchdogOptions options, Func<DateTime> now) => Akka.Actor.Props.Create(() => new WatchdogActor(options, now));

    public WatchdogActor(WatchdogOptions options, Func<DateTime> now)
    {
        _options = options;
        _now = now;
        Receive<OrderUpdated>(u => Track(u.Order));
        Receive<NavMarked>(OnNav);
        Receive<StartDay>(s =>
        {
            _ordersToday = _cancelsToday = 0;
            _cancelRateAlerted = false;
            Sender.Tell(new StepDone(s.Step, "watchdog"));
        });
        Receive<CheckStuckOrders>(_ => CheckStuck());
        Receive<ChildFailed>(f => Alert("failure", f.Child, f.Message));
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(OrderUpdated));

    private void Track(OrderState s)
    {
        if (s.Status == OrderStatus.PendingSubmit && !_open.ContainsKey(s.Id)) _ordersToday++;
        if (s.Status == OrderStatus.Cancelled) _cancelsToday++;
        if (s.Status.IsTerminal()) _open.Remove(s.Id); else _open[s.Id] = s;
        if (!_cancelRateAlerted && _ordersToday >= _options.CancelRateMinOrders && _cancelsToday > _options.MaxCancelRate * _ordersToday)
        {
            _cancelRateAlerted = true;
            Alert("cancel-rate", "watchdog", $"{_cancelsToday} cancels of {_ordersToday} orders today exceed {_options.MaxCancelRate:P0}");
        }
    }

    private void OnNav(NavMarked m)
    {
        if (m.Nav > _peak) { _peak = m.Nav; _drawdownLevel = 0; }
        if (_peak <= 0) return;
        var drawdown = (double)(1 - m.Nav / _peak);
        int level = _options.DrawdownAlerts.Count(t => drawdown >= t);
        if (level > _drawdownLevel)
        {
            _drawdownLevel = level;
            Alert("drawdown", "watchdog", $"drawdown {drawdown:P2} from peak {_peak:N2} to {m.Nav:N2} on {m.Date:yyyy-MM-dd} crossed {_options.DrawdownAlerts[level - 1]:P0}");
        }
    }

    private void CheckStuck()
    {
        var now = _now();
        foreach (var s in _open.Values.Where(s => s.Status is OrderStatus.PendingSubmit or OrderStatus.PendingCancel && now - s.UpdatedAt > _options.StuckAfter))
            Alert("stuck-order", "watchdog", $"order {s.Id} has been {s.Status} since {s.UpdatedAt:O}", s.Request.Symbol, s.Id);
    }

    private void Alert(string kind, string source, string message, Trading.Domain.Instruments.Symbol? symbol = null, ClientOrderId? id = null)
    {
        _log.Warning("Alert {Kind} from {Source}: {Message}", kind, source, message);
        Context.System.EventStream.Publish(new RiskAlert(_now(), kind, source, message, symbol, id));
    }
}

public sealed record WatchdogOptions
{
    /// <summary>Drawdown levels that each raise one alert when first crossed after a new peak.</summary>
    public IReadOnlyList<double> DrawdownAlerts { get; init; } = [0.05, 0.10, 0.20];
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromSeconds(30);
    public double MaxCancelRate { get; init; } = 0.5;
    public int CancelRateMinOrders { get; init; } = 20;
}

public sealed record NavMarked(DateOnly Date, decimal Nav);
public sealed record CheckStuckOrders;
public sealed record ChildFailed(string Child, string Message);
