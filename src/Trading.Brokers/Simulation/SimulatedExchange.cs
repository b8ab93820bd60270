using Trading.Data.Model;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Positions;
using Trading.Domain.Rules;

namespace Trading.Brokers;

/// <summary>
/// A simulated A-share broker and exchange on daily bars, behind the same <see cref="IBrokerGateway"/> as a live
/// broker. It owns the account as a broker does: cash, positions under T+1, cash frozen for open buys (limit price ×
/// quantity + the fees of filling it all) and shares frozen for open sells.
/// <para>
/// The backtest clock drives it: <see cref="BeginDay"/> (T+1 rollover, corporate actions, the day's reference data),
/// <see cref="MatchBar"/> once per fill timing (open, close, VWAP proxy), <see cref="EndDay"/> (what is left expires,
/// or rolls over with <see cref="SimulatedExchangeOptions.RollOverOpenOrders"/>). Submissions are validated as a
/// broker's counter would (see <see cref="RejectRules"/>); matching follows <see cref="FillModel"/>; fees follow
/// <see cref="OrderFees"/>. Nothing reads a clock: report times come from the injected <c>now</c>, ids from counters,
/// and open orders are matched in the order they were accepted, so a run is reproducible.
/// </para>
/// <para>
/// Reports are raised after the exchange's lock is released, one at a time, in the order they happened, on the thread
/// that caused them (in a backtest, the one actor loop thread: a listener's Tell is all the hop costs); a handler may
/// submit or cancel from inside the event. Each report is numbered in the exchange's epoch (gap-free) and kept in a
/// ring of the last <see cref="ReplayCapacity"/> for <see cref="ReplayAsync"/>. While disconnected the exchange keeps
/// trading (and numbering) but its pushes are lost, as a live broker's are; <see cref="ReplayAsync"/>,
/// <see cref="QueryOrdersAsync"/> and <see cref="QueryAccountAsync"/> catch up after a reconnect.
/// <see cref="StartNewEpoch"/> plays a broker that rebuilt its session.
/// </para>
/// </summary>
public sealed class SimulatedExchange : IBrokerGateway
{
    private readonly object _sync = new();
    private readonly Func<DateTime> _now;
    private readonly SimulatedExchangeOptions _options;

    private readonly Dictionary<ClientOrderId, SimulatedOrder> _orders = [];
    private readonly List<SimulatedOrder> _open = [];
    private List<SimulatedOrder> _ofTheDay = [];
    private readonly SortedDictionary<Symbol, Holding> _holdings = [];
    private readonly Dictionary<Symbol, long> _frozenShares = [];
    private decimal _cash, _frozenCash;

    private readonly Queue<GatewayEvent> _outbox = new();
    private readonly GatewayListeners _listeners = new();
    private readonly Queue<SequencedReport> _ring = new();
    private string _epoch = NewEpochId();
    private long _seq;
    private bool _dispatching;
    private bool _connected;

    private long _highestEpoch = long.MinValue;
    private long _orderSequence;
    private DateOnly? _day;
    private bool _dayOpen;
    private Func<Symbol, DailyBar?>? _reference;

    /// <param name="now">The clock that stamps reports: the backtest's virtual clock, never the wall clock.</param>
    public SimulatedExchange(Func<DateTime> now, SimulatedExchangeOptions? options = null)
    {
        _now = now ?? throw new ArgumentNullException(nameof(now));
        _options = options ?? new SimulatedExchangeOptions();
        _options.Validate();
    }

    public string Name => _options.Name;

    public SimulatedExchangeOptions Options => _options;

    /// <summary>Reports kept for <see cref="ReplayAsync"/> (BROKER_BRIDGES §2.1 asks at least 20 000).</summary>
    public const int ReplayCapacity = 20_000;

    /// <summary>The pushed reports, unnumbered (a backtest's recorder); <see cref="Listen"/> gets them with their seq.</summary>
    public event Action<BrokerReport>? Report;

    public IDisposable Listen(Action<GatewayEvent> listener) => _listeners.Add(listener);

    /// <summary>The current epoch and the last seq given out (pushed or not).</summary>
    public GatewaySession Cursor { get { lock (_sync) return new(_epoch, _seq); } }

    public bool IsConnected { get { lock (_sync) return _connected; } }

    /// <summary>The trading day begun last (null before the first <see cref="BeginDay"/>).</summary>
    public DateOnly? CurrentDay { get { lock (_sync) return _day; } }

    /// <summary>True between <see cref="BeginDay"/> and <see cref="EndDay"/>: orders are accepted.</summary>
    public bool IsDayOpen { get { lock (_sync) return _dayOpen; } }

    /// <summary>The highest epoch seen on a submission or announced by <see cref="FenceAsync"/> (null before the first).</summary>
    public long? HighestEpoch { get { lock (_sync) return _highestEpoch == long.MinValue ? null : _highestEpoch; } }

    /// <summary>The account as the exchange holds it, connected or not (the gateway query needs a connection).</summary>
    public BrokerAccount Account { get { lock (_sync) return AccountLocked(); } }

    /// <summary>The orders <see cref="QueryOrdersAsync"/> would return, connected or not.</summary>
    public IReadOnlyList<BrokerOrder> Orders { get { lock (_sync) return _ofTheDay.Select(o => o.Snapshot()).ToArray(); } }

    // ---- Account funding (outside the gateway: a bank transfer or a transfer of custody) ----

    /// <summary>Cash paid into the account.</summary>
    public void Deposit(decimal amount)
    {
        if (amount <= 0m) throw new ArgumentOutOfRangeException(nameof(amount), amount, "A deposit must be positive.");
        lock (_sync) _cash += amount;
    }

    /// <summary>Shares transferred into the account (转托管): held from before today, so sellable at once.</summary>
    public void TransferInShares(Symbol symbol, long quantity)
    {
        if (quantity <= 0) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A transfer must be positive.");
        lock (_sync)
        {
            var h = HoldingOf(symbol);
            _holdings[symbol] = new Holding(h.Quantity + quantity, h.Sellable + quantity);
        }
    }

    // ---- Gateway ----

    public Task<GatewaySession> ConnectAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        GatewaySession session;
        lock (_sync)
        {
            _connected = true;
            session = new GatewaySession(_epoch, _seq);
            _outbox.Enqueue(new ConnectionChanged(ConnectionState.Connected, _epoch, "connected"));
        }
        Publish();
        return Task.FromResult(session);
    }

    public Task DisconnectAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            if (_connected) _outbox.Enqueue(new ConnectionChanged(ConnectionState.Disconnected, _epoch, "disconnected by the client"));
            _connected = false;
        }
        Publish();
        return Task.CompletedTask;
    }

    public Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            EnsureConnected();
            if (epoch != _epoch) return Task.FromResult(ReplayResult.Missing);
            fromSeq = Math.Max(fromSeq, 1);
            long oldest = _ring.TryPeek(out var first) ? first.Seq : _seq + 1;
            if (fromSeq < oldest && fromSeq <= _seq) return Task.FromResult(ReplayResult.Missing);
            return Task.FromResult(new ReplayResult(_ring.Where(e => e.Seq >= fromSeq).ToArray(), false));
        }
    }

    /// <summary>
    /// Plays a broker that rebuilt its session (a bridge restart, a new xtquant session): a new epoch whose seq starts
    /// again at 1, nothing of the old one kept for replay; connected listeners are told with <see cref="ConnectionChanged"/>.
    /// </summary>
    public string StartNewEpoch(string reason)
    {
        string epoch;
        lock (_sync)
        {
            _epoch = epoch = NewEpochId();
            _seq = 0;
            _ring.Clear();
            if (_connected) _outbox.Enqueue(new ConnectionChanged(ConnectionState.Connected, epoch, reason));
        }
        Publish();
        return epoch;
    }

    private static string NewEpochId() => Guid.NewGuid().ToString("N");

    public Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            EnsureConnected();
            if (_orders.TryGetValue(order.Id, out var existing))
            {
                // Idempotent: the same client order id never makes a second order; its reports go out again.
                var conflict = OrderTerms.Conflict(existing.Request, order);
                if (conflict is not null) throw new ClientOrderIdConflictException(order.Id, conflict);
                _highestEpoch = Math.Max(_highestEpoch, epoch);
                foreach (var report in existing.History) Push(report);
            }
            else
            {
                var o = new SimulatedOrder(order, $"SIM{++_orderSequence:D8}", epoch);
                _orders.Add(order.Id, o);
                _ofTheDay.Add(o);
                // A fenced order is rejected and its id is spent: a later resubmission replays the rejection.
                var reason = epoch < _highestEpoch
                    ? $"{RejectRules.Epoch}: epoch {epoch} is below epoch {_highestEpoch} already seen (stale primary)"
                    : Validate(order);
                _highestEpoch = Math.Max(_highestEpoch, epoch);
                if (reason is null) Accept(o);
                else Reject(o, reason);
            }
        }
        Publish();
        return Task.CompletedTask;
    }

    public Task<long> FenceAsync(long epoch, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            EnsureConnected();
            if (epoch < _highestEpoch) return Task.FromException<long>(new FencedOutException(epoch, _highestEpoch));
            _highestEpoch = epoch;
            return Task.FromResult(epoch);
        }
    }

    public Task CancelAsync(ClientOrderId id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            EnsureConnected();
            if (!_orders.TryGetValue(id, out var o)) throw new KeyNotFoundException($"{Name} has no order {id}.");
            if (o.Status.IsOpen())
                End(o, OrderStatus.Cancelled, o.Filled > 0
                    ? $"cancelled by the client with {o.Filled} of {o.Request.Quantity} filled"
                    : "cancelled by the client");
            else
                Push(o.History[^1]);
        }
        Publish();
        return Task.CompletedTask;
    }

    public Task<BrokerAccount> QueryAccountAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            EnsureConnected();
            return Task.FromResult(AccountLocked());
        }
    }

    public Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_sync)
        {
            EnsureConnected();
            return Task.FromResult<IReadOnlyList<BrokerOrder>>(_ofTheDay.Select(o => o.Snapshot()).ToArray());
        }
    }

    // ---- The backtest clock ----

    /// <summary>
    /// Opens a trading day: yesterday's buys become sellable (T+1), corporate actions with this ex-date are applied
    /// (cash per share credited, bonus shares added), and the day's reference data is set.
    /// </summary>
    /// <param name="reference">
    /// What the counter knows before the open: whether a stock trades today (no bar or the suspended flag: it does not)
    /// and its band (<see cref="DailyBar.UpLimit"/>/<see cref="DailyBar.DownLimit"/>). Only those fields are read, never
    /// the day's prices. Without it, submissions are not checked for suspension or the band (matching still refuses
    /// suspended bars).
    /// </param>
    /// <param name="corporateActions">Actions to apply; those with another ex-date are ignored.</param>
    public void BeginDay(DateOnly day, Func<Symbol, DailyBar?>? reference = null, IEnumerable<CorporateAction>? corporateActions = null)
    {
        lock (_sync)
        {
            if (_dayOpen) throw new InvalidOperationException($"Trading day {_day:yyyy-MM-dd} is still open: call EndDay first.");
            if (_day is { } last && day <= last)
                throw new InvalidOperationException($"Trading days must advance: {day:yyyy-MM-dd} is not after {last:yyyy-MM-dd}.");
            _day = day;
            _dayOpen = true;
            _reference = reference;

            foreach (var symbol in _holdings.Keys.ToArray()) _holdings[symbol] = _holdings[symbol].RollToNextDay();
            foreach (var action in corporateActions ?? [])
                if (action.Validate().ExDate == day) ApplyCorporateAction(action);

            // Orders rolled over from yesterday are re-entered at the exchange: new commission minimum, today's fee rates.
            _ofTheDay = [.. _open];
            foreach (var o in _open)
            {
                o.DayValue = 0m;
                o.DayCommission = 0m;
                if (o.Request.Side == Side.Buy) SetReserve(o, OrderFees.BuyReserve(_options.Fees, o.Request.LimitPrice, o.Remaining, day));
            }
        }
    }

    /// <summary>Matches open orders against the day's daily bars at one timing; a symbol without a bar does not trade.</summary>
    /// <returns>The fills made, in order.</returns>
    public IReadOnlyList<Fill> MatchBar(DateOnly day, FillTiming timing, Func<Symbol, DailyBar?> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return Match(day, timing, symbol => bars(symbol) is { } bar ? MarketBar.FromDaily(bar) : null);
    }

    /// <summary>
    /// Matches open orders against bars of any length at one timing (<see cref="MatchBar"/> for daily bars). Orders are
    /// taken in the order they were accepted.
    /// </summary>
    public IReadOnlyList<Fill> Match(DateOnly day, FillTiming timing, Func<Symbol, MarketBar?> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var fills = new List<Fill>();
        lock (_sync)
        {
            EnsureDayOpen(day);
            foreach (var o in _open.ToArray())
            {
                if (bars(o.Request.Symbol) is not { } bar) continue; // no bar: suspended or no data, nothing trades
                if (bar.Date != day)
                    throw new ArgumentException($"A bar of {bar.Date:yyyy-MM-dd} was given for {o.Request.Symbol} on {day:yyyy-MM-dd}.", nameof(bars));
                var key = (bar.Date, bar.Start);
                long onBar = o.LastBar == key ? o.FilledOnLastBar : 0;
                var decision = FillModel.Decide(o.Request.Side, o.Request.LimitPrice, o.Remaining, onBar, bar, timing, _options);
                if (decision.Fills && TryFill(o, decision, bar, onBar) is { } fill) fills.Add(fill);

                if (o.Status.IsOpen() && o.Request.Type == OrderType.ProtectedMarket && !bar.Suspended
                    && _options.ProtectedMarketRemainder == MarketRemainder.Cancel)
                    End(o, OrderStatus.Cancelled, $"protected market order: the unfilled {o.Remaining} cancelled after the {timing} match"
                        + (decision.NoFillReason is { } why ? $" ({why})" : ""));
            }
        }
        Publish();
        return fills;
    }

    /// <summary>Closes the day: open orders expire (their cash and shares unfreeze) unless they roll over.</summary>
    public void EndDay(DateOnly day)
    {
        lock (_sync)
        {
            EnsureDayOpen(day);
            if (!_options.RollOverOpenOrders)
                foreach (var o in _open.ToArray())
                    End(o, OrderStatus.Expired, $"expired at the close of {day:yyyy-MM-dd} with {o.Filled} of {o.Request.Quantity} filled");
            _dayOpen = false;
        }
        Publish();
    }

    // ---- Submission ----

    /// <summary>The checks of a broker's counter, in its order; null when the order is acceptable.</summary>
    private string? Validate(OrderRequest order)
    {
        if (!_dayOpen || _day is not { } day) return $"{RejectRules.Closed}: no trading day is open";
        if (order.TradeDate != day)
            return $"{RejectRules.TradeDate}: the order is for {order.TradeDate:yyyy-MM-dd}, today is {day:yyyy-MM-dd}";
        if (!Enum.IsDefined(order.Side) || !Enum.IsDefined(order.Type))
            return $"{RejectRules.OrderType}: unknown side {order.Side} or order type {order.Type}";
        if (order.Quantity <= 0) return $"{RejectRules.Quantity}: quantity {order.Quantity} must be positive";

        var rules = _options.Rules.For(order.Symbol);
        var what = order.Type == OrderType.ProtectedMarket ? "protective price" : "limit price";
        if (order.LimitPrice <= 0m) return $"{RejectRules.Price}: {what} {order.LimitPrice} must be positive";
        if (!Money.IsOnTick(order.LimitPrice, rules.Tick))
            return $"{RejectRules.Tick}: {what} {order.LimitPrice} is not on the {rules.Tick} tick";

        if (_reference is { } reference)
        {
            if (reference(order.Symbol) is not { IsSuspended: false } today)
                return $"{RejectRules.Suspended}: {order.Symbol} does not trade on {day:yyyy-MM-dd} (suspended)";
            var band = MarketBar.LimitOf(today);
            if (!band.Contains(order.LimitPrice))
                return $"{RejectRules.PriceLimit}: {what} {order.LimitPrice:0.00} is outside today's band {band}";
        }

        var lots = rules.Quantity;
        var (maxSize, kind) = order.Type == OrderType.ProtectedMarket ? (lots.MaxMarketOrder, "market") : (lots.MaxLimitOrder, "limit");
        if (order.Quantity > maxSize)
            return $"{RejectRules.MaxSize}: quantity {order.Quantity} exceeds the {order.Symbol.Board.DisplayName()} maximum {kind} order of {maxSize}";

        if (order.Side == Side.Buy)
        {
            if (!lots.IsValidBuy(order.Quantity))
                return $"{RejectRules.Lot}: buy quantity {order.Quantity} is not at least {lots.MinBuy} in steps of {lots.Step} (odd lots can only be sold)";
            var reserve = OrderFees.BuyReserve(_options.Fees, order.LimitPrice, order.Quantity, day);
            var available = _cash - _frozenCash;
            if (reserve > available)
                return $"{RejectRules.Cash}: needs {reserve:0.00} (value at the limit price + fees), {available:0.00} available";
            return null;
        }

        var holding = HoldingOf(order.Symbol);
        long frozen = _frozenShares.GetValueOrDefault(order.Symbol);
        long availableShares = holding.Sellable - frozen;
        if (order.Quantity > availableShares)
            return $"{RejectRules.Position}: sell quantity {order.Quantity} exceeds the {availableShares} available shares "
                + $"({holding.Quantity} held, {holding.Sellable} sellable under T+1, {frozen} frozen by open sells)";
        return lots.SellViolation(order.Quantity, availableShares) is { } lotViolation ? $"{RejectRules.Lot}: {lotViolation}" : null;
    }

    private void Accept(SimulatedOrder o)
    {
        o.Status = OrderStatus.Submitted;
        if (o.Request.Side == Side.Buy)
            SetReserve(o, OrderFees.BuyReserve(_options.Fees, o.Request.LimitPrice, o.Request.Quantity, _day!.Value));
        else
            _frozenShares[o.Request.Symbol] = _frozenShares.GetValueOrDefault(o.Request.Symbol) + o.Request.Quantity;
        _open.Add(o);
        Record(o, new OrderAccepted(o.Request.Id, _now(), o.BrokerOrderId));
    }

    private void Reject(SimulatedOrder o, string reason)
    {
        o.Status = OrderStatus.Rejected;
        o.Reason = reason;
        Record(o, new OrderRejected(o.Request.Id, _now(), reason));
    }

    // ---- Matching ----

    private Fill? TryFill(SimulatedOrder o, FillDecision decision, in MarketBar bar, long filledOnBar)
    {
        var request = o.Request;
        long quantity = decision.Quantity;
        var value = decision.Price * quantity;
        var fees = OrderFees.ForFill(_options.Fees, request.Side, value, o.DayValue, o.DayCommission, bar.Date);
        var holding = HoldingOf(request.Symbol);

        if (request.Side == Side.Buy)
        {
            // The reserve covers a fill; the check only guards rounding corner cases: the account never overdraws.
            var cost = value + fees.Total;
            if (cost > _cash - (_frozenCash - o.Reserve)) return null;
            _cash -= cost;
            _holdings[request.Symbol] = holding.Buy(quantity);
        }
        else
        {
            if (quantity > holding.Sellable) return null; // only after a corporate action shrank the holding
            _cash += value - fees.Total;
            var left = holding.Sell(quantity);
            if (left.Quantity == 0) _holdings.Remove(request.Symbol);
            else _holdings[request.Symbol] = left;
            Unfreeze(request.Symbol, quantity);
        }

        o.Filled += quantity;
        o.FilledValue += value;
        o.Fees += fees.Total;
        o.DayValue += value;
        o.DayCommission += fees.Commission;
        o.LastBar = (bar.Date, bar.Start);
        o.FilledOnLastBar = filledOnBar + quantity;
        if (request.Side == Side.Buy)
            SetReserve(o, OrderFees.BuyReserve(_options.Fees, request.LimitPrice, o.Remaining, bar.Date));

        var fill = new Fill($"{o.BrokerOrderId}-{++o.FillCount}", request.Id, request.Symbol, request.Side, quantity,
            decision.Price, bar.Date, fees);
        if (o.Remaining == 0)
        {
            o.Status = OrderStatus.Filled;
            _open.Remove(o);
        }
        else o.Status = OrderStatus.PartiallyFilled;
        Record(o, new OrderFilled(request.Id, _now(), fill, o.Filled, o.Remaining));
        return fill;
    }

    /// <summary>Ends an open order as cancelled or expired and releases what it held frozen.</summary>
    private void End(SimulatedOrder o, OrderStatus status, string reason)
    {
        if (o.Request.Side == Side.Buy) SetReserve(o, 0m);
        else Unfreeze(o.Request.Symbol, o.Remaining);
        o.Status = status;
        o.Reason = reason;
        _open.Remove(o);
        var now = _now();
        Record(o, status == OrderStatus.Cancelled
            ? new OrderCancelled(o.Request.Id, now, o.Filled, reason)
            : new OrderExpired(o.Request.Id, now, o.Filled, reason));
    }

    private void SetReserve(SimulatedOrder o, decimal reserve)
    {
        _frozenCash += reserve - o.Reserve;
        o.Reserve = reserve;
    }

    private void Unfreeze(Symbol symbol, long quantity)
    {
        long left = _frozenShares.GetValueOrDefault(symbol) - quantity;
        if (left > 0) _frozenShares[symbol] = left;
        else _frozenShares.Remove(symbol);
    }

    private void ApplyCorporateAction(CorporateAction action)
    {
        if (!_holdings.TryGetValue(action.Symbol, out var holding)) return;
        _cash += Money.RoundFen(holding.Quantity * action.CashPerShare);
        if (action.BonusPerShare != 0m)
        {
            var split = holding.Split(1m + action.BonusPerShare);
            if (split.Quantity == 0) _holdings.Remove(action.Symbol);
            else _holdings[action.Symbol] = split;
        }
    }

    // ---- Plumbing ----

    private Holding HoldingOf(Symbol symbol) => _holdings.TryGetValue(symbol, out var h) ? h : Holding.Empty;

    private BrokerAccount AccountLocked() => new(_cash, _frozenCash,
        _holdings.Select(kv => new BrokerPosition(kv.Key, kv.Value.Quantity, kv.Value.Sellable, _frozenShares.GetValueOrDefault(kv.Key))).ToArray());

    private void EnsureConnected()
    {
        if (!_connected) throw new InvalidOperationException($"{Name} is not connected.");
    }

    private void EnsureDayOpen(DateOnly day)
    {
        if (!_dayOpen || _day != day)
            throw new InvalidOperationException(_dayOpen
                ? $"Trading day {_day:yyyy-MM-dd} is open, not {day:yyyy-MM-dd}."
                : $"Trading day {day:yyyy-MM-dd} is not open: call BeginDay first.");
    }

    /// <summary>Keeps the report in the order's history and pushes it.</summary>
    private void Record(SimulatedOrder o, BrokerReport report)
    {
        o.History.Add(report);
        Push(report);
    }

    /// <summary>Numbers the report and keeps it for replay; queues it only while connected (a live push is lost otherwise).</summary>
    private void Push(BrokerReport report)
    {
        var e = new SequencedReport(_epoch, ++_seq, report);
        if (_ring.Count == ReplayCapacity) _ring.Dequeue();
        _ring.Enqueue(e);
        if (_connected) _outbox.Enqueue(e);
    }

    /// <summary>
    /// Raises queued reports outside the lock, one at a time and in order. A handler that submits or cancels queues
    /// more reports; the loop already running delivers them after the current one, never out of order.
    /// </summary>
    private void Publish()
    {
        lock (_sync)
        {
            if (_dispatching) return;
            _dispatching = true;
        }
        try
        {
            while (true)
            {
                GatewayEvent e;
                Action<BrokerReport>? handler;
                lock (_sync)
                {
                    if (!_outbox.TryDequeue(out e!))
                    {
                        _dispatching = false;
                        return;
                    }
                    handler = Report;
                }
                if (e is SequencedReport r) handler?.Invoke(r.Report);
                _listeners.Publish(e);
            }
        }
        catch
        {
            lock (_sync) _dispatching = false;
            throw;
        }
    }
}
