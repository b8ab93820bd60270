using Akka.Actor;
using Trading.Brokers;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.Actors;
using Trading.Runtime.Hosting;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Tests.Hosting;

/// <summary>
/// Reconciliation of a node with its broker, journal against broker: what reports explain is resolved (a fill missed
/// while down is booked), what they do not — an order typed into the broker's client, a position or cash that does not
/// add up — halts new orders with an alert until an operator acknowledges, across a restart; or a policy adopts.
/// </summary>
public class ReconciliationTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 35, 0);
    private static readonly Symbol A = Symbol.Parse("600000.SH");
    private static readonly Symbol B = Symbol.Parse("000001.SZ");
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"reconcile-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" }) if (File.Exists(f)) File.Delete(f);
    }

    private static TradingNodeOptions Node(UnknownDifferencePolicy policy = UnknownDifferencePolicy.Halt) => new()
    {
        AccountId = "acct-r",
        Broker = BrokerSessionOptions.Default with
        {
            Heartbeat = TimeSpan.Zero, UnknownDifferences = policy,
            AccountCheckAttempts = 2, AccountCheckInterval = TimeSpan.FromMilliseconds(200),
        },
    };

    private static TradingBrain Brain(IBrokerGateway gateway) => FlatBrain.For(gateway, At, Timeout);

    private static OrderRequest Buy(string id, Symbol s, long qty) => new(new ClientOrderId(id), s, Side.Buy, qty, 10.00m, OrderType.Limit, Day);

    private static Fill FillOf(OrderRequest o, string id) =>
        new(id, o.Id, o.Symbol, o.Side, o.Quantity, o.LimitPrice, Day, FeeSchedule.Default.Compute(o.Side, o.LimitPrice, o.Quantity, Day));

    private static BrokerOrder Filled(OrderRequest o, string brokerId)
    {
        var f = FillOf(o, "f-" + brokerId);
        return new BrokerOrder(o, brokerId, 1, OrderStatus.Filled, o.Quantity, o.Quantity * o.LimitPrice, f.Fees.Total, "", [f]);
    }

    /// <summary>Cash after buying these orders' fills from a start of 1,000,000.</summary>
    private static decimal CashAfter(params BrokerOrder[] orders) =>
        1_000_000m - orders.SelectMany(o => o.Fills).Sum(f => f.Price * f.Quantity + f.Fees.Total);

    private sealed class Harness : IAsyncDisposable
    {
        public required ActorSystem System { get; init; }
        public required IActorRef Trader { get; init; }
        public required Akka.TestKit.TestProbe Events { get; init; }

        public async Task<AccountReconciled> Reconciled() =>
            await Task.Run(() => Events.FishForMessage<AccountReconciled>(_ => true, Timeout));

        public Task<RiskStatus> Risk() => Trader.Ask<RiskStatus>(new GetRiskStatus(), Timeout);

        public async Task<ProposalResult> Propose(string id, long step) =>
            await Trader.Ask<ProposalResult>(new ProposeOrders("t", [Buy(id, A, 100)], step), Timeout);

        public async ValueTask DisposeAsync() => await System.Terminate();
    }

    private async Task<Harness> Start(FakeBroker broker, UnknownDifferencePolicy policy = UnknownDifferencePolicy.Halt, bool deposit = true)
    {
        var system = TradingSystem.Create("reconcile", JournalKind.Sqlite, _db, "akka.loglevel = ERROR");
        var probe = new Akka.TestKit.TestProbe(system, new Akka.TestKit.Xunit2.XunitAssertions());
        system.EventStream.Subscribe(probe.Ref, typeof(AccountReconciled));
        var trader = TradingComposition.Start(system, Node(policy), Brain(broker));
        await TradingComposition.WaitReadyAsync(trader, Timeout);
        if (deposit) await trader.Ask<Deposited>(new Deposit(1_000_000m, "seed"), Timeout);
        await trader.Ask<StepDone>(new StartDay(Day, 1), Timeout);
        return new Harness { System = system, Trader = trader, Events = probe };
    }

    [Fact]
    public async Task A_fill_missed_while_down_is_booked_and_the_account_then_agrees()
    {
        var ours = Filled(Buy("t-20240102-000001", A, 1000), "B1");
        var broker = new FakeBroker { Orders = [ours], Account = new BrokerAccount(CashAfter(ours), 0m, [new BrokerPosition(A, 1000, 0, 0)]) };
        await using var h = await Start(broker);

        var r = await h.Reconciled();
        Assert.True(r.Agrees, string.Join("; ", r.Differences.Select(d => d.Detail)));
        Assert.Equal("acct-r", r.AccountId);
        var account = await h.Trader.Ask<AccountSnapshot>(new GetAccount(), Timeout);
        Assert.Equal(1000, account.Book.HoldingOf(A).Quantity);
        Assert.Null((await h.Risk()).ReconcileHalt);
        Assert.Single((await h.Propose("t-20240102-000002", 2)).Approved);
    }

    [Fact]
    public async Task An_order_typed_into_the_client_halts_new_orders_until_acknowledged_even_across_a_restart()
    {
        var manual = Filled(Buy(BrokerOrder.ForeignPrefix + "77", B, 500), "B77");
        var broker = new FakeBroker { Orders = [manual], Account = new BrokerAccount(CashAfter(manual), 0m, [new BrokerPosition(B, 500, 0, 0)]) };
        await using (var h = await Start(broker))
        {
            var r = await h.Reconciled();
            Assert.Contains(r.Differences, d => d.Kind == "foreign-order" && d.Detail.Contains("B77"));
            Assert.Contains(r.Differences, d => d.Kind == "position" && d.Symbol == B);
            var status = await Eventually(h.Risk, s => s.ReconcileHalt is not null);
            Assert.Contains("not placed by this system", status.ReconcileHalt);
            var refused = await h.Propose("t-20240102-000001", 2);
            Assert.Empty(refused.Approved);
            Assert.Equal("reconciliation-halt", Assert.Single(refused.Rejected).Rule);
            // Not adopted: the journal does not invent the manual trade.
            var orders = await h.Trader.Ask<OrdersSnapshot>(new GetOrders(), Timeout);
            Assert.DoesNotContain(orders.Orders, o => o.Id.Value.StartsWith(BrokerOrder.ForeignPrefix));
        }
        broker.Orders = []; // whatever the broker says now, the halt is journaled
        broker.Account = new BrokerAccount(1_000_000m, 0m, []);
        await using (var h = await Start(broker, deposit: false))
        {
            Assert.NotNull((await h.Risk()).ReconcileHalt);
            var released = await h.Trader.Ask<RiskStatus>(new ForAccount("acct-r", new AcknowledgeReconciliation("ops@desk")), Timeout);
            Assert.Null(released.ReconcileHalt);
            Assert.Single((await h.Propose("t-20240102-000002", 3)).Approved);
        }
    }

    [Fact]
    public async Task With_the_adopt_policy_a_manual_order_is_adopted_and_booked()
    {
        var manual = Filled(Buy(BrokerOrder.ForeignPrefix + "78", B, 500), "B78");
        var broker = new FakeBroker { Orders = [manual], Account = new BrokerAccount(CashAfter(manual), 0m, [new BrokerPosition(B, 500, 0, 0)]) };
        await using var h = await Start(broker, UnknownDifferencePolicy.Adopt);

        var r = await h.Reconciled();
        Assert.True(r.Agrees, string.Join("; ", r.Differences.Select(d => d.Detail)));
        var orders = await h.Trader.Ask<OrdersSnapshot>(new GetOrders(), Timeout);
        Assert.Contains(orders.Orders, o => o.Id == manual.Id && o.Status == OrderStatus.Filled);
        Assert.Equal(500, (await h.Trader.Ask<AccountSnapshot>(new GetAccount(), Timeout)).Book.HoldingOf(B).Quantity);
        Assert.Null((await h.Risk()).ReconcileHalt);
    }

    [Fact]
    public async Task A_position_or_cash_no_order_explains_halts_and_an_operator_can_ask_again()
    {
        var broker = new FakeBroker { Account = new BrokerAccount(1_000_000m, 0m, [new BrokerPosition(A, 300, 300, 0)]) };
        await using var h = await Start(broker);
        var r = await h.Reconciled();
        var d = Assert.Single(r.Differences);
        Assert.Equal(("position", A), (d.Kind, d.Symbol));
        Assert.Contains("journal 0 shares, broker 300", d.Detail);
        await Eventually(h.Risk, s => s.ReconcileHalt is not null);

        // The operator fixes the broker side (say, a transfer booked late) and asks again: it agrees now; the halt
        // stays until acknowledged — agreeing later does not release it by itself.
        broker.Account = new BrokerAccount(1_000_000m, 0m, []);
        h.Trader.Tell(new ReconcileNow("ops@desk"));
        var again = await h.Reconciled();
        Assert.True(again.Agrees);
        Assert.Contains("requested by ops@desk", again.Why);
        Assert.NotNull((await h.Risk()).ReconcileHalt);

        broker.Account = new BrokerAccount(999_000m, 0m, []);
        h.Trader.Tell(new ReconcileNow("ops@desk"));
        var cash = Assert.Single((await h.Reconciled()).Differences);
        Assert.Equal("cash", cash.Kind);
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var until = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > until) return value;
            await Task.Delay(50);
        }
    }

    /// <summary>A broker whose orders and account the test sets; it accepts every order and fills nothing.</summary>
    private sealed class FakeBroker : IBrokerGateway
    {
        private readonly GatewayListeners _listeners = new();
        private long _seq;
        public volatile IReadOnlyList<BrokerOrder> Orders = [];
        public volatile BrokerAccount Account = new(1_000_000m, 0m, []);
        public string Name => "fake";
        public bool IsConnected { get; private set; }
        public IDisposable Listen(Action<GatewayEvent> listener) => _listeners.Add(listener);
        public Task<GatewaySession> ConnectAsync(CancellationToken ct) { IsConnected = true; return Task.FromResult(new GatewaySession("e1", Interlocked.Read(ref _seq))); }
        public Task DisconnectAsync(CancellationToken ct) { IsConnected = false; return Task.CompletedTask; }
        public Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct)
        {
            _listeners.Publish(new SequencedReport("e1", Interlocked.Increment(ref _seq), new OrderAccepted(order.Id, At, "X" + order.Id.Value)));
            return Task.CompletedTask;
        }
        public Task CancelAsync(ClientOrderId id, CancellationToken ct) => Task.CompletedTask;
        public Task<long> FenceAsync(long epoch, CancellationToken ct) => Task.FromResult(epoch);
        public Task<BrokerAccount> QueryAccountAsync(CancellationToken ct) => Task.FromResult(Account);
        public Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct) => Task.FromResult(Orders);
        public Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct) => Task.FromResult(ReplayResult.Missing);
    }
}
