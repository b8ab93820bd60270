using Akka.Actor;
using Akka.TestKit;
using Trading.Brokers;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Tests.Actors;

public class BrokerSessionActorTests : RuntimeTestKit
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly DateTime At = new(2024, 1, 2, 9, 30, 0);

    private static OrderRequest Order(int n) => new(ClientOrderId.Create("bs", Day, n), S, Side.Buy, 100, 10.00m, OrderType.Limit, Day);

    private (IActorRef Session, TestProbe Oms) Start(IBrokerGateway gateway)
    {
        var oms = CreateTestProbe();
        var slot = new ActorRefSlot { Ref = oms.Ref };
        return (Sys.ActorOf(BrokerSessionActor.Props(gateway, slot, 3, TimeSpan.Zero, Clock)), oms);
    }

    [Fact]
    public void Orders_sent_while_connecting_are_left_to_the_oms_outbox_which_is_told_on_connect()
    {
        var gateway = new ScriptedGateway { ConnectGate = new TaskCompletionSource() };
        var (session, oms) = Start(gateway);
        session.Tell(new SubmitToBroker(Order(1)));
        AwaitCondition(() => gateway.ConnectStarted, TimeSpan.FromSeconds(3));
        gateway.ConnectGate.SetResult();
        Assert.Equal(3, oms.ExpectMsg<BrokerConnected>().Epoch);
        // The OMS re-sends its outbox; they go out in order, stamped with the epoch.
        session.Tell(new SubmitToBroker(Order(1)), oms.Ref);
        session.Tell(new SubmitToBroker(Order(2)), oms.Ref);
        AwaitCondition(() => gateway.Calls.Count(c => c.StartsWith("submit")) == 2, TimeSpan.FromSeconds(3));
        var submits = gateway.Calls.Where(c => c.StartsWith("submit")).ToList();
        Assert.Equal([$"submit {Order(1).Id.Value} @3", $"submit {Order(2).Id.Value} @3"], submits);
        Assert.Contains("query", gateway.Calls); // reconciled on connect
    }

    [Fact]
    public void A_submit_made_while_a_connect_fails_is_sent_once_the_restarted_session_connects()
    {
        // Before the OMS kept the outbox, the session stashed the submit and the failed connect (which stops it under
        // its BackoffSupervisor) lost it: the order stayed PendingSubmit for ever and never reached the broker.
        var gateway = new ScriptedGateway { ConnectGate = new TaskCompletionSource(), ConnectFailures = 1 };
        var slot = new ActorRefSlot();
        var session = Sys.ActorOf(Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnFailure(
            BrokerSessionActor.Props(gateway, slot, 3, TimeSpan.Zero, Clock), "session",
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), 0, -1)));
        var book = CreateTestProbe();
        var orders = Sys.ActorOf(OrderManagerActor.Props("bs-outbox", session, book.Ref, Clock));
        slot.Ref = orders;
        var a = Order(1);
        orders.Tell(new SubmitApproved([a], 1));
        AwaitCondition(() => gateway.ConnectStarted, TimeSpan.FromSeconds(3));
        // The OMS has journaled the order and told the session (GetOrders answers after the write's handler, which
        // sends the submit); a moment more for the BackoffSupervisor's forward to the connecting child. A bare sleep
        // was not enough under load: a slow journal write let the submit reach the session after it reconnected, and
        // the order went out twice (same id: harmless at a broker, but not what this test pins).
        orders.Tell(new GetOrders());
        Assert.Single(ExpectMsg<OrdersSnapshot>(TimeSpan.FromSeconds(5)).Orders);
        Thread.Sleep(200);
        gateway.ConnectGate.SetResult(); // … whose connect now fails
        AwaitCondition(() => gateway.Calls.Contains($"submit {a.Id.Value} @3"), TimeSpan.FromSeconds(5));
        Assert.Single(gateway.Calls, c => c.StartsWith("submit"));
    }

    [Fact]
    public void It_announces_its_epoch_before_it_reconciles_or_sends()
    {
        var gateway = new ScriptedGateway();
        var (session, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        session.Tell(new SubmitToBroker(Order(1)));
        AwaitCondition(() => gateway.Calls.Any(c => c.StartsWith("submit")), TimeSpan.FromSeconds(3));
        var calls = gateway.Calls.ToList();
        Assert.Equal("fence @3", calls[0]);
        Assert.True(calls.IndexOf("query") > 0 && calls.FindIndex(c => c.StartsWith("submit")) > 0, string.Join(", ", calls));
    }

    [Fact]
    public void Fenced_out_on_connect_it_never_sends_and_publishes_FencedOut_and_a_critical_alert()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(FencedOut));
        Sys.EventStream.Subscribe(events.Ref, typeof(RiskAlert));
        var gateway = new ScriptedGateway { Fence = 9 }; // a newer brain announced epoch 9 before this one woke
        var oms = CreateTestProbe();
        var slot = new ActorRefSlot { Ref = oms.Ref };
        var session = Sys.ActorOf(Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnFailure(
            BrokerSessionActor.Props(gateway, slot, 3, TimeSpan.Zero, Clock), "session",
            TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), 0, -1)));

        var alert = events.FishForMessage<RiskAlert>(a => a.Kind == BrokerSessionActor.FencedKind, TimeSpan.FromSeconds(3));
        Assert.Contains("epoch 9", alert.Message);
        Assert.Equal(Trading.Runtime.Alerts.AlertSeverity.Critical, Trading.Runtime.Alerts.AlertOptions.Default.SeverityOf(alert.Kind));
        Assert.Equal(new FencedOut("main", 3, 9), events.FishForMessage<FencedOut>(_ => true, TimeSpan.FromSeconds(3)));

        session.Tell(new SubmitToBroker(Order(1)));
        session.Tell(new CancelAtBroker(Order(1).Id));
        session.Tell(new SubmitToBroker(Order(2)));
        oms.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no BrokerConnected: the OMS never re-sends its outbox
        Assert.Equal(["fence @3"], gateway.Calls);      // no reconcile, no submit, no cancel
        Assert.True(slot.Fenced);
    }

    [Fact]
    public void A_submit_refused_as_stale_fences_the_session_out_without_rejecting_the_order()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(FencedOut));
        var gateway = new ScriptedGateway();
        var (session, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        // A newer brain's first order raised the broker's fence while this one held its connection.
        gateway.Fence = 9;
        gateway.SubmitFailure = new StaleEpochException(Order(1).Id, "epoch 3 is below epoch 9 already seen (stale primary)");
        session.Tell(new SubmitToBroker(Order(1)));

        Assert.Equal(new FencedOut("main", 3, 9), events.ExpectMsg<FencedOut>(TimeSpan.FromSeconds(3)));
        session.Tell(new SubmitToBroker(Order(2)));
        Thread.Sleep(300);
        while (oms.HasMessages) Assert.IsNotType<OrderRejected>(oms.ReceiveOne(TimeSpan.Zero)); // the newer brain resolves it
        Assert.Single(gateway.Calls, c => c.StartsWith("submit"));
    }

    [Fact]
    public void When_the_brain_may_not_trade_orders_are_held_unsent_and_TradingSuspended_is_published_once()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(TradingSuspended));
        var gateway = new ScriptedGateway();
        var oms = CreateTestProbe();
        var may = false;
        var session = Sys.ActorOf(BrokerSessionActor.Props(gateway, new ActorRefSlot { Ref = oms.Ref }, 3,
            BrokerSessionOptions.Default with { Heartbeat = TimeSpan.Zero, ReconcileAccount = false }, Clock, "acct", () => may));
        oms.ExpectMsg<BrokerConnected>();

        session.Tell(new SubmitToBroker(Order(1)));
        session.Tell(new SubmitToBroker(Order(2)));
        session.Tell(new SubmitToBroker(Order(1))); // the OMS's re-send
        var suspended = events.ExpectMsg<TradingSuspended>(TimeSpan.FromSeconds(3));
        Assert.Equal(("acct", 3L), (suspended.AccountId, suspended.Epoch));
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // once
        Assert.DoesNotContain(gateway.Calls, c => c.StartsWith("submit"));

        may = true;
        session.Tell(new SubmitToBroker(Order(1)));
        AwaitCondition(() => gateway.Calls.Contains($"submit {Order(1).Id.Value} @3"), TimeSpan.FromSeconds(3));
        Assert.Single(gateway.Calls, c => c.StartsWith("submit"));
    }

    [Fact]
    public void FencedOut_and_TradingSuspended_survive_a_round_trip_through_the_serializer_between_nodes()
    {
        object[] messages = [new FencedOut("acct-1", 3, 9), new TradingSuspended("acct-1", 3, "the brain may not trade (its lease is not held)")];
        foreach (var m in messages)
        {
            var serializer = Sys.Serialization.FindSerializerFor(m);
            Assert.Equal(m, serializer.FromBinary(serializer.ToBinary(m), m.GetType()));
        }
    }

    [Fact]
    public void A_slow_submit_does_not_hold_the_next_call_which_still_goes_out_after_it()
    {
        // Ordering is the gateway's job (a serialised writer): the session makes the calls in send order and never
        // waits for one to complete before the next.
        var gateway = new ScriptedGateway();
        var (session, oms) = Start(gateway);
        AwaitCondition(() => gateway.Calls.Contains("query"), TimeSpan.FromSeconds(3));
        gateway.SubmitGate = new TaskCompletionSource(); // never answers within the test
        var a = Order(1);
        session.Tell(new SubmitToBroker(a));
        session.Tell(new CancelAtBroker(a.Id));
        AwaitCondition(() => gateway.Calls.Any(c => c.StartsWith("cancel")), TimeSpan.FromSeconds(3));
        var calls = gateway.Calls.ToList();
        Assert.True(calls.FindIndex(c => c.StartsWith("submit")) < calls.FindIndex(c => c.StartsWith("cancel")));
    }

    [Fact]
    public void A_submit_that_never_answers_does_not_block_the_heartbeat_and_times_out_as_unknown()
    {
        var gateway = new ScriptedGateway();
        var oms = CreateTestProbe();
        var options = BrokerSessionOptions.Default with { Heartbeat = TimeSpan.FromMilliseconds(100), SubmitTimeout = TimeSpan.FromSeconds(2) };
        var session = Sys.ActorOf(BrokerSessionActor.Props(gateway, new ActorRefSlot { Ref = oms.Ref }, 3, options, Clock));
        oms.ExpectMsg<BrokerConnected>();
        gateway.SubmitGate = new TaskCompletionSource(); // the bridge hangs
        session.Tell(new SubmitToBroker(Order(1)));
        AwaitCondition(() => gateway.Calls.Any(c => c.StartsWith("submit")), TimeSpan.FromSeconds(3));

        gateway.Drop(); // the link goes silently, no event: only the heartbeat can notice
        // Well before the submit's timeout, the heartbeat has seen it: the session restarted and connects again.
        AwaitCondition(() => gateway.Connects >= 2, TimeSpan.FromMilliseconds(1500));
        var unknown = oms.FishForMessage<SubmitOutcomeUnknown>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal(Order(1).Id, unknown.OrderId);
        Assert.Contains("no answer within", unknown.Reason);
    }

    [Fact]
    public void A_pushed_disconnect_restarts_the_session_which_reconnects_and_reconciles()
    {
        var gateway = new ScriptedGateway();
        var (_, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        gateway.PushDisconnect("link down");
        oms.ExpectMsg<BrokerConnected>(); // the restarted session's
        Assert.Equal(2, gateway.Connects);
        Assert.Equal(2, gateway.Calls.Count(c => c == "query"));
    }

    [Fact]
    public void A_lost_link_is_published_as_broker_link_down_and_its_return_as_broker_link_up_but_a_first_connect_is_not()
    {
        var alerts = CreateTestProbe();
        Sys.EventStream.Subscribe(alerts.Ref, typeof(RiskAlert));
        var gateway = new ScriptedGateway();
        var (_, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        alerts.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        gateway.PushDisconnect("connection reset");
        var down = alerts.ExpectMsg<RiskAlert>();
        Assert.Equal((BrokerSessionActor.LinkDown, "scripted", "scripted disconnected: connection reset"), (down.Kind, down.Source, down.Message));
        oms.ExpectMsg<BrokerConnected>();
        var up = alerts.ExpectMsg<RiskAlert>();
        Assert.Equal((BrokerSessionActor.LinkUp, "scripted"), (up.Kind, up.Source));
    }

    [Fact]
    public void A_seq_gap_is_replayed_and_reports_reach_the_oms_in_order()
    {
        var gateway = new ScriptedGateway();
        var (_, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        var a = Order(1);
        var lost = new OrderAccepted(a.Id, At, "B2");
        gateway.Push(new OrderAccepted(a.Id, At, "B1"));                // seq 1
        gateway.Skip(lost);                                              // seq 2 never arrives live
        gateway.Push(new OrderCancelled(a.Id, At, 0, "by the client")); // seq 3: a jump

        Assert.Equal("B1", oms.ExpectMsg<OrderAccepted>().BrokerOrderId);
        Assert.Equal("B2", oms.ExpectMsg<OrderAccepted>().BrokerOrderId); // replayed before 3
        oms.ExpectMsg<OrderCancelled>();
        Assert.Contains("replay 1@2", gateway.Calls);
        Assert.Single(gateway.Calls, c => c == "query"); // no full reconcile
    }

    [Fact]
    public void A_replay_gap_reconciles_in_full()
    {
        var a = Order(1);
        var gateway = new ScriptedGateway { ReplayGap = true };
        var (_, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        gateway.Orders = [new BrokerOrder(a, "B1", 3, OrderStatus.Submitted, 0, 0m, 0m, "", [])];
        gateway.Skip(new OrderAccepted(a.Id, At, "B1"));
        gateway.Push(new OrderCancelled(a.Id, At, 0, "by the client"));

        oms.ExpectMsg<OrderCancelled>(); // what is there goes on
        Assert.Equal(a, oms.ExpectMsg<BrokerOrderFound>().Order.Request); // then the broker's full view
        AwaitCondition(() => gateway.Calls.Count(c => c == "query") == 2, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void A_new_broker_epoch_reconciles_in_full_and_its_reports_pass()
    {
        var a = Order(1);
        var gateway = new ScriptedGateway();
        var (_, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        gateway.Orders = [new BrokerOrder(a, "B9", 3, OrderStatus.Submitted, 0, 0m, 0m, "", [])];
        gateway.NewEpoch();
        gateway.Push(new OrderAccepted(a.Id, At, "B9")); // seq 1 of the new epoch (after 0 of the old: not a gap)

        Assert.Equal("B9", oms.ExpectMsg<OrderAccepted>().BrokerOrderId);
        Assert.Equal("B9", oms.ExpectMsg<BrokerOrderFound>().Order.BrokerOrderId);
        AwaitCondition(() => gateway.Calls.Count(c => c == "query") == 2, TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(gateway.Calls, c => c.StartsWith("replay"));
    }

    [Fact]
    public void Pushed_reports_reach_the_oms_and_a_conflicting_id_becomes_a_rejection()
    {
        var gateway = new ScriptedGateway();
        var (session, oms) = Start(gateway);
        AwaitCondition(() => gateway.Calls.Contains("query"), TimeSpan.FromSeconds(3));
        oms.ExpectMsg<BrokerConnected>();
        var a = Order(1);
        gateway.Push(new OrderAccepted(a.Id, At, "B1"));
        Assert.Equal("B1", oms.ExpectMsg<OrderAccepted>().BrokerOrderId);

        gateway.SubmitFailure = new ClientOrderIdConflictException(a.Id, "different quantity");
        session.Tell(new SubmitToBroker(a));
        var rejected = oms.ExpectMsg<OrderRejected>();
        Assert.Equal(a.Id, rejected.OrderId);
        Assert.Contains("different quantity", rejected.Reason);
    }

    [Fact]
    public void On_connect_the_days_orders_and_fills_are_replayed_to_the_oms()
    {
        var a = Order(1);
        var fill = new Fill("f1", a.Id, S, Side.Buy, 100, 10.00m, Day, FeeSchedule.Default.Compute(Side.Buy, 10m, 100, Day));
        var gateway = new ScriptedGateway
        {
            Orders = [new BrokerOrder(a, "B1", 3, OrderStatus.Filled, 100, 1000m, fill.Fees.Total, "", [fill])],
        };
        var (_, oms) = Start(gateway);
        oms.ExpectMsg<BrokerConnected>();
        Assert.Equal(a, oms.ExpectMsg<BrokerOrderFound>().Order.Request); // the terms first, to adopt an order the OMS lost
        Assert.Equal("B1", oms.ExpectMsg<OrderAccepted>().BrokerOrderId);
        var filled = oms.ExpectMsg<OrderFilled>();
        Assert.Equal((100L, 0L), (filled.CumulativeQuantity, filled.RemainingQuantity));
    }

    [Fact]
    public void A_submit_that_fails_ambiguously_or_times_out_is_reported_unknown_and_looked_up_by_its_id()
    {
        var a = Order(1);
        var gateway = new ScriptedGateway { Orders = [new BrokerOrder(a, "B1", 3, OrderStatus.Submitted, 0, 0m, 0m, "", [])] };
        var oms = CreateTestProbe();
        var session = Sys.ActorOf(BrokerSessionActor.Props(gateway, new ActorRefSlot { Ref = oms.Ref }, 3, TimeSpan.Zero, Clock,
            submitTimeout: TimeSpan.FromMilliseconds(200)));
        oms.ExpectMsg<BrokerConnected>();
        oms.ExpectMsg<BrokerOrderFound>();
        oms.ExpectMsg<OrderAccepted>();

        gateway.SubmitFailure = new IOException("connection reset by peer");
        session.Tell(new SubmitToBroker(Order(2)));
        var unknown = oms.ExpectMsg<SubmitOutcomeUnknown>();
        Assert.Equal((Order(2).Id, "connection reset by peer"), (unknown.OrderId, unknown.Reason));

        gateway.SubmitFailure = null;
        gateway.SubmitGate = new TaskCompletionSource(); // never answers
        session.Tell(new SubmitToBroker(Order(3)));
        Assert.Equal(Order(3).Id, oms.ExpectMsg<SubmitOutcomeUnknown>(TimeSpan.FromSeconds(3)).OrderId);

        session.Tell(new LookUpOrder(a.Id));
        Assert.Equal("B1", oms.ExpectMsg<BrokerOrderFound>().Order.BrokerOrderId);
        Assert.Equal(a.Id, oms.ExpectMsg<OrderAccepted>().OrderId);
        session.Tell(new LookUpOrder(Order(3).Id));
        Assert.Equal(Order(3).Id, oms.ExpectMsg<BrokerOrderNotFound>().OrderId);
    }

    /// <summary>
    /// A gateway that records its calls; connects and submits can be held open to play a slow bridge; pushes are
    /// numbered like a bridge's (seq per epoch), and <see cref="Skip"/> numbers one without pushing it (kept for replay).
    /// </summary>
    private sealed class ScriptedGateway : IBrokerGateway
    {
        private readonly object _lock = new();
        private readonly List<string> _calls = [];
        private readonly List<SequencedReport> _sent = [];
        private readonly GatewayListeners _listeners = new();
        private string _epoch = "e1";
        private long _seq;
        private int _connects;
        public TaskCompletionSource? ConnectGate { get; init; }
        public int ConnectFailures { get; set; }
        public TaskCompletionSource? SubmitGate { get; set; }
        public Exception? SubmitFailure { get; set; }
        public IReadOnlyList<BrokerOrder> Orders { get; set; } = [];
        public bool ReplayGap { get; init; }
        public volatile bool ConnectStarted;
        public IReadOnlyList<string> Calls { get { lock (_lock) return _calls.ToList(); } }
        public int Connects => Volatile.Read(ref _connects);
        public string Name => "scripted";
        public bool IsConnected { get; private set; }

        public IDisposable Listen(Action<GatewayEvent> listener) => _listeners.Add(listener);

        public void Push(BrokerReport r) => _listeners.Publish(Number(r));
        public void Skip(BrokerReport r) => Number(r);
        public void PushDisconnect(string reason) { IsConnected = false; _listeners.Publish(new ConnectionChanged(ConnectionState.Disconnected, _epoch, reason)); }
        public void Drop() => IsConnected = false;

        public void NewEpoch()
        {
            lock (_lock) (_epoch, _seq) = ("e2", 0);
            _listeners.Publish(new ConnectionChanged(ConnectionState.Connected, "e2", "trader rebuilt"));
        }

        private SequencedReport Number(BrokerReport r)
        {
            lock (_lock)
            {
                var e = new SequencedReport(_epoch, ++_seq, r);
                _sent.Add(e);
                return e;
            }
        }

        private void Record(string call) { lock (_lock) _calls.Add(call); }

        public async Task<GatewaySession> ConnectAsync(CancellationToken ct)
        {
            ConnectStarted = true;
            Interlocked.Increment(ref _connects);
            if (ConnectGate is not null) await ConnectGate.Task;
            if (ConnectFailures > 0)
            {
                ConnectFailures--;
                throw new InvalidOperationException("connect refused");
            }
            IsConnected = true;
            lock (_lock) return new GatewaySession(_epoch, _seq);
        }

        public Task DisconnectAsync(CancellationToken ct) { IsConnected = false; return Task.CompletedTask; }

        public Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct)
        {
            Record($"submit {order.Id.Value} @{epoch}");
            if (SubmitFailure is { } e) return Task.FromException(e);
            return SubmitGate?.Task ?? Task.CompletedTask;
        }

        /// <summary>The fence this broker holds (0: none yet); an epoch below it is fenced out.</summary>
        public long Fence { get; set; }

        public Task<long> FenceAsync(long epoch, CancellationToken ct)
        {
            Record($"fence @{epoch}");
            lock (_lock)
            {
                if (epoch < Fence) return Task.FromException<long>(new FencedOutException(epoch, Fence));
                Fence = epoch;
                return Task.FromResult(epoch);
            }
        }

        public Task CancelAsync(ClientOrderId id, CancellationToken ct)
        {
            Record($"cancel {id.Value}");
            return Task.CompletedTask;
        }

        public Task<BrokerAccount> QueryAccountAsync(CancellationToken ct) => Task.FromResult(new BrokerAccount(0m, 0m, []));

        public Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct)
        {
            Record("query");
            return Task.FromResult(Orders);
        }

        public Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct)
        {
            lock (_lock)
            {
                _calls.Add($"replay {epoch[1..]}@{fromSeq}");
                if (ReplayGap || epoch != _epoch) return Task.FromResult(ReplayResult.Missing);
                return Task.FromResult(new ReplayResult(_sent.Where(e => e.Epoch == epoch && e.Seq >= fromSeq).ToArray(), false));
            }
        }
    }
}
