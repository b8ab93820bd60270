using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Trading.Domain.Orders;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;

namespace Trading.Cluster.Control;

/// <summary>
/// Runs the console's commands against one account's brain (a <see cref="TradingSupervisor"/>, every command wrapped
/// in <see cref="ForAccount"/>), next to it on the primary, and answers each <see cref="ControlCall"/> with a text and
/// JSON. Alerts come from the read models when the node has them (durable: they outlive a failover), else from the
/// alerts this node has seen. <c>reconcile</c> waits for the <see cref="AccountReconciled"/> the broker session
/// publishes. Authentication and roles are the endpoint's: this actor trusts the calls it gets.
/// </summary>
public sealed class TraderControlActor : ReceiveActor
{
    private const int RecentAlerts = 200;
    private readonly IActorRef _brain;
    private readonly string _account;
    private readonly Trading.Runtime.ReadModels.ReadModels? _readModels;
    private readonly IReadOnlyDictionary<string, string> _names;
    private readonly TimeSpan _timeout;
    private readonly LinkedList<RiskAlert> _alerts = new();
    private readonly List<(ControlCall Call, IActorRef ReplyTo, ICancelable Timer)> _reconciling = [];

    /// <param name="names">Chinese short names by symbol (<c>600000.SH</c> → 浦发银行), shown beside positions when known.</param>
    /// <param name="timeout">How long each ask of the brain may take (and a reconciliation's answer).</param>
    public static Props Props(IActorRef brain, string accountId, Trading.Runtime.ReadModels.ReadModels? readModels,
        IReadOnlyDictionary<string, string>? names = null, TimeSpan? timeout = null) =>
        Akka.Actor.Props.Create(() => new TraderControlActor(brain, accountId, readModels, names, timeout ?? TimeSpan.FromSeconds(10)));

    public TraderControlActor(IActorRef brain, string accountId, Trading.Runtime.ReadModels.ReadModels? readModels,
        IReadOnlyDictionary<string, string>? names, TimeSpan timeout)
    {
        _brain = brain;
        _account = accountId;
        _readModels = readModels;
        _names = names ?? new Dictionary<string, string>();
        _timeout = timeout;
        Receive<ControlCall>(OnCall);
        Receive<RiskAlert>(a =>
        {
            if (a.AccountId is { } acc && acc != _account) return;
            _alerts.AddLast(a);
            if (_alerts.Count > RecentAlerts) _alerts.RemoveFirst();
        });
        Receive<AccountReconciled>(OnReconciled);
        Receive<ReconcileTimedOut>(t =>
        {
            var i = _reconciling.FindIndex(p => p.Call.RequestId == t.RequestId);
            if (i < 0) return;
            var p = _reconciling[i];
            _reconciling.RemoveAt(i);
            p.ReplyTo.Tell(new ControlReply(p.Call.RequestId, true,
                $"reconciliation requested; no result within {_timeout.TotalSeconds:0.#}s (is the broker connected?) — 'status' shows a halt if it finds differences", null));
        });
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(RiskAlert));
        Context.System.EventStream.Subscribe(Self, typeof(AccountReconciled));
    }

    protected override void PostStop()
    {
        foreach (var p in _reconciling) p.Timer.Cancel();
    }

    private void OnCall(ControlCall call)
    {
        var replyTo = Sender;
        if (call.Command == "reconcile")
        {
            if (Usage(call, 0, "reconcile") is { } bad)
            {
                replyTo.Tell(bad);
                return;
            }
            var timer = Context.System.Scheduler.ScheduleTellOnceCancelable(_timeout, Self, new ReconcileTimedOut(call.RequestId), Self);
            _reconciling.Add((call, replyTo, timer));
            _brain.Tell(new ForAccount(_account, new ReconcileNow(call.User)), Self);
            return;
        }
        var alerts = _alerts.ToArray();
        Execute(call, alerts).PipeTo(replyTo, Self, failure: e => new ControlReply(call.RequestId, false, Message(e), null));
    }

    private void OnReconciled(AccountReconciled r)
    {
        if (r.AccountId != _account || _reconciling.Count == 0) return;
        var text = r.Agrees
            ? $"reconciled at {r.At:HH:mm:ss}: the journal and the broker agree"
            : $"reconciled at {r.At:HH:mm:ss}: {r.Differences.Count} differences; new orders are halted until 'ack'\n"
              + string.Join('\n', r.Differences.Select(d => "  " + d));
        var json = JsonSerializer.Serialize(new { account = r.AccountId, at = r.At, agrees = r.Agrees, differences = r.Differences.Select(d => d.ToString()) }, ControlJson.Options);
        foreach (var p in _reconciling)
        {
            p.Timer.Cancel();
            p.ReplyTo.Tell(new ControlReply(p.Call.RequestId, true, text, json));
        }
        _reconciling.Clear();
    }

    private static string Message(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Message(a.InnerExceptions[0]),
        AskTimeoutException => "the trading brain did not answer in time",
        _ => e.Message,
    };

    private Task<T> Ask<T>(object command) => _brain.Ask<T>(new ForAccount(_account, command), _timeout);

    private static ControlReply? Usage(ControlCall call, int args, string usage) =>
        call.Args.Count == args ? null : new ControlReply(call.RequestId, false, $"usage: {usage}", null);

    private async Task<ControlReply> Execute(ControlCall c, RiskAlert[] recent)
    {
        var id = c.RequestId;
        switch (c.Command)
        {
            case "status":
                return Usage(c, 0, "status") ?? await Status(id);
            case "positions":
                return Usage(c, 0, "positions") ?? Positions(id, await Ask<AccountSnapshot>(new GetAccount()));
            case "orders":
                return Usage(c, 0, "orders") ?? Orders(id, await Ask<OrdersSnapshot>(new GetOrders()));
            case "alerts":
                return await Alerts(c, recent);
            case "pause" or "resume":
            {
                if (Usage(c, 1, $"{c.Command} STRATEGY") is { } bad) return bad;
                var name = c.Args[0];
                var s = await Ask<NodeStatus>(c.Command == "pause" ? new PauseStrategy(name, c.User) : new ResumeStrategy(name, c.User));
                var paused = s.Paused.Contains(name);
                return new ControlReply(id, true, $"strategy {name} {(paused ? "paused: it skips its decisions until resumed" : "running")}",
                    JsonSerializer.Serialize(new { strategy = name, paused, allPaused = s.Paused }, ControlJson.Options));
            }
            case "cancel-all":
            {
                if (Usage(c, 0, "cancel-all") is { } bad) return bad;
                var open = (await Ask<OrdersSnapshot>(new GetOrders())).Orders.Count(o => o.Status.IsOpen());
                await Ask<StepDone>(new CancelAllOrders($"{c.Channel}: {c.User}"));
                return new ControlReply(id, true, $"cancel requested for {open} open orders", JsonSerializer.Serialize(new { cancelRequested = open }, ControlJson.Options));
            }
            case "kill":
            {
                var on = c.Args.Count >= 1 && c.Args[0].Equals("on", StringComparison.OrdinalIgnoreCase);
                var off = c.Args.Count == 1 && c.Args[0].Equals("off", StringComparison.OrdinalIgnoreCase);
                if (!on && !off) return new ControlReply(id, false, "usage: kill on [REASON…] | kill off", null);
                var reason = c.Args.Count > 1 ? string.Join(' ', c.Args.Skip(1)) : "operator";
                var r = await Ask<RiskStatus>(on ? new EngageKillSwitch($"{c.Channel} {c.User}: {reason}") : new ReleaseKillSwitch($"{c.Channel} {c.User}"));
                return Risk(id, r, r.KillSwitchEngaged ? "kill switch ENGAGED: open orders are being cancelled, no new order leaves" : "kill switch released");
            }
            case "ack":
            {
                if (Usage(c, 0, "ack") is { } bad) return bad;
                var r = await Ask<RiskStatus>(new AcknowledgeReconciliation($"{c.Channel} {c.User}"));
                return Risk(id, r, r.ReconcileHalt is null ? "reconciliation acknowledged: new orders may go out" : $"still halted: {r.ReconcileHalt}");
            }
            default:
                return new ControlReply(id, false, $"the brain does not handle '{c.Command}'", null);
        }
    }

    private static ControlReply Risk(string id, RiskStatus r, string text) =>
        new(id, true, text, JsonSerializer.Serialize(r, ControlJson.Options));

    private async Task<ControlReply> Status(string id)
    {
        var node = await _brain.Ask<NodeStatus>(GetNodeStatus.Instance, _timeout);
        RiskStatus? risk = node.Ready ? await Ask<RiskStatus>(new GetRiskStatus()) : null;
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"account {node.AccountId}: epoch {node.Epoch}, {(node.Ready ? "ready" : node.Refused is { } why ? $"refused: {why}" : "starting")}");
        b.Append('\n').Append(CultureInfo.InvariantCulture, $"strategies: {(node.Strategies.Count == 0 ? "none" : string.Join(", ", node.Strategies.Select(s => node.Paused.Contains(s) ? s + " (PAUSED)" : s)))}");
        if (risk is not null)
        {
            b.Append('\n').Append(risk.KillSwitchEngaged ? $"kill switch: ENGAGED ({risk.Reason})" : "kill switch: off");
            b.Append('\n').Append(CultureInfo.InvariantCulture, $"today: {risk.OrdersToday} orders, {risk.AmountToday:N2} CNY");
            b.Append('\n').Append(risk.ReconcileHalt is { } h ? $"reconciliation: HALTED ({h}) — 'ack' after checking" : "reconciliation: ok");
        }
        return new ControlReply(id, true, b.ToString(), JsonSerializer.Serialize(new { node, risk }, ControlJson.Options));
    }

    private ControlReply Positions(string id, AccountSnapshot a)
    {
        var nav = a.Book.Nav;
        var rows = a.Book.Positions.Where(kv => kv.Value.Quantity != 0).Select(kv =>
        {
            var (symbol, p) = (kv.Key.ToString(), kv.Value);
            return new PositionView(symbol, _names.TryGetValue(symbol, out var name) ? name : null, p.Quantity, p.Holding.Sellable,
                Math.Round(p.AverageCost, 4), p.LastPrice, p.MarketValue, p.MarketValue - p.Cost, nav == 0 ? 0 : Math.Round(p.MarketValue / nav, 6));
        }).ToArray();
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"cash {a.Book.Cash:N2} (available {a.AvailableCash:N2}), market value {a.Book.MarketValue:N2}, NAV {nav:N2}");
        foreach (var r in rows)
            b.Append('\n').Append(CultureInfo.InvariantCulture,
                $"{r.Symbol} {r.Name ?? ""}  {r.Quantity} @ {r.Cost:0.00##} → {r.Price:0.00}  value {r.Value:N2}  P&L {r.Pnl:+#,0.00;-#,0.00;0.00}  {r.Weight:P1}");
        if (rows.Length == 0) b.Append("\nno positions");
        return new ControlReply(id, true, b.ToString(), JsonSerializer.Serialize(new
        {
            account = _account, cash = a.Book.Cash, availableCash = a.AvailableCash, marketValue = a.Book.MarketValue, nav, positions = rows,
        }, ControlJson.Options));
    }

    private static ControlReply Orders(string id, OrdersSnapshot s)
    {
        var rows = s.Orders.OrderByDescending(o => o.Status.IsOpen()).ThenByDescending(o => o.CreatedAt).ThenBy(o => o.Id.Value, StringComparer.Ordinal)
            .Select(o => new OrderView(o.Id.Value, o.Request.Symbol.ToString(), o.Request.Side.ToString(), o.Request.Quantity, o.Request.LimitPrice,
                o.Status.ToString(), o.Status.IsOpen(), o.FilledQuantity, Math.Round(o.AveragePrice, 4), o.Reason, o.CreatedAt)).ToArray();
        var open = rows.Count(r => r.Open);
        var text = $"{rows.Length} orders, {open} open" + string.Concat(rows.Select(r =>
            $"\n{r.OrderId}  {r.Symbol} {r.Side} {r.Quantity} @ {r.LimitPrice:0.00}  {r.Status}  filled {r.Filled}{(r.Reason is { } why ? $"  ({why})" : "")}"));
        return new ControlReply(id, true, text, JsonSerializer.Serialize(new { orders = rows }, ControlJson.Options));
    }

    private async Task<ControlReply> Alerts(ControlCall c, RiskAlert[] recent)
    {
        int n = 20;
        if (c.Args.Count > 1 || c.Args.Count == 1 && (!int.TryParse(c.Args[0], NumberStyles.None, CultureInfo.InvariantCulture, out n) || n is < 1 or > 1000))
            return new ControlReply(c.RequestId, false, "usage: alerts [N] (N from 1 to 1000)", null);
        AlertView[] rows;
        string source;
        if (_readModels is not null)
        {
            var all = await _readModels.AlertsAsync();
            rows = all.TakeLast(n).Select(a => new AlertView(a.At, a.Kind, a.Source, a.Message, a.Symbol, a.OrderId)).ToArray();
            source = "read models";
        }
        else
        {
            rows = recent.TakeLast(n).Select(a => new AlertView(a.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), a.Kind, a.Source, a.Message,
                a.Symbol?.ToString(), a.OrderId?.Value)).ToArray();
            source = "this node since it started";
        }
        var text = rows.Length == 0 ? $"no alerts ({source})" : string.Join('\n', rows.Select(a => $"{a.At}  {a.Kind}  {a.Source}: {a.Message}"));
        return new ControlReply(c.RequestId, true, text, JsonSerializer.Serialize(new { source, alerts = rows }, ControlJson.Options));
    }

    private sealed record ReconcileTimedOut(string RequestId);

    private sealed record PositionView(string Symbol, string? Name, long Quantity, long Sellable, decimal Cost, decimal Price, decimal Value, decimal Pnl, decimal Weight);

    private sealed record OrderView(string OrderId, string Symbol, string Side, long Quantity, decimal LimitPrice, string Status, bool Open, long Filled,
        decimal AveragePrice, string? Reason, DateTime CreatedAt);

    private sealed record AlertView(string At, string Kind, string Source, string Message, string? Symbol, string? OrderId);
}
