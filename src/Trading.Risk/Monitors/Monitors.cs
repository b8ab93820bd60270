namespace Trading.Risk;

/// <summary>Something an operator should see, raised by an in-trade monitor.</summary>
/// <param name="EngageKillSwitch">The monitor asks the risk guard to engage the kill switch.</param>
public sealed record MonitorAlert(string Monitor, DateTime At, string Message, Symbol? Symbol = null, ClientOrderId? OrderId = null, bool EngageKillSwitch = false);

/// <summary>The drawdown monitor's memory: the NAV peak and how many thresholds the current drawdown has already alerted.</summary>
public sealed record DrawdownState(decimal Peak, int Alerted)
{
    public static DrawdownState Start { get; } = new(0m, 0);
}

public sealed record DrawdownObservation(DrawdownState State, ImmutableList<MonitorAlert> Alerts);

/// <summary>
/// Peak-to-current NAV drawdown against ascending thresholds. A threshold alerts once when the drawdown reaches it
/// and is re-armed only after the drawdown falls back below it (a recovery or a new peak), so a NAV that hovers
/// under a threshold does not alert again and again. The <c>killSwitchAt</c> threshold's alert asks for the kill switch.
/// </summary>
public sealed class DrawdownMonitor
{
    private readonly (decimal Pct, bool Kill)[] _thresholds;

    public DrawdownMonitor(IEnumerable<decimal> thresholds, decimal? killSwitchAt = null)
    {
        var all = thresholds.Select(t => (Pct: t, Kill: false)).ToList();
        if (killSwitchAt is { } k) all.Add((k, true));
        if (all.Any(t => t.Pct is <= 0m or >= 1m))
            throw new ArgumentOutOfRangeException(nameof(thresholds), "Drawdown thresholds are fractions in (0, 1).");
        _thresholds = all.GroupBy(t => t.Pct).Select(g => (g.Key, g.Any(t => t.Kill))).OrderBy(t => t.Item1).ToArray();
    }

    public static DrawdownMonitor FromOptions(RiskOptions options) => new(options.DrawdownAlerts, options.KillSwitchDrawdown);

    public string Name => "drawdown";

    public DrawdownObservation Observe(DrawdownState state, decimal nav, DateTime at)
    {
        var peak = Math.Max(state.Peak, nav);
        var drawdown = peak > 0m ? (peak - nav) / peak : 0m;
        int reached = _thresholds.Count(t => drawdown >= t.Pct);
        var alerts = ImmutableList<MonitorAlert>.Empty;
        for (int i = state.Alerted; i < reached; i++)
        {
            var (pct, kill) = _thresholds[i];
            alerts = alerts.Add(new MonitorAlert(Name, at,
                $"NAV {nav:N2} is {drawdown:0.00%} below its peak {peak:N2}, past the {pct:0.00%} threshold{(kill ? "; engage the kill switch" : "")}",
                EngageKillSwitch: kill));
        }
        return new DrawdownObservation(new DrawdownState(peak, reached), alerts);
    }
}

/// <summary>Orders without a final report longer than <paramref name="timeout"/> after they were submitted.</summary>
public sealed class StuckOrderMonitor(TimeSpan timeout)
{
    public static StuckOrderMonitor FromOptions(RiskOptions options) => new(options.StuckOrderTimeout);

    public string Name => "stuck-order";

    /// <summary>One alert per stuck order; pass <see cref="RiskContext.OutstandingOrders"/> to include orders the OMS never reported.</summary>
    public ImmutableList<MonitorAlert> Check(IEnumerable<OpenOrder> orders, DateTime now) =>
        orders
            .Where(o => !o.Status.IsTerminal() && now - o.SubmittedAt > timeout)
            .Select(o => new MonitorAlert(Name, now,
                $"{o.Id} ({o.Order.Side} {o.Order.Quantity:N0} {o.Order.Symbol}) is {o.Status} {(now - o.SubmittedAt).TotalSeconds:N0} s after submission, longer than {timeout.TotalSeconds:N0} s",
                o.Order.Symbol, o.Id))
            .ToImmutableList();
}

/// <summary>Cancels / orders of the day above <paramref name="maxRatio"/>, once the day has at least <paramref name="minOrders"/> orders.</summary>
public sealed class CancelRateMonitor(decimal maxRatio, int minOrders)
{
    public static CancelRateMonitor FromOptions(RiskOptions options) => new(options.MaxCancelRatio, options.CancelRateMinOrders);

    public string Name => "cancel-rate";

    public MonitorAlert? Check(RiskState state, DateTime now)
    {
        int orders = state.OrderCount, cancels = state.CancelCount;
        if (orders < minOrders || orders == 0) return null;
        var ratio = (decimal)cancels / orders;
        return ratio > maxRatio
            ? new MonitorAlert(Name, now, $"{cancels:N0} cancels / {orders:N0} orders = {ratio:0.0%} on {state.TradingDay:yyyy-MM-dd}, above {maxRatio:0.0%}")
            : null;
    }
}
