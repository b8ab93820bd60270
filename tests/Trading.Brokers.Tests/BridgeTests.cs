using System.Collections.Concurrent;
using Trading.Brokers.Bridge;
using Trading.Domain.Orders;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

/// <summary>The bridge wire itself: bad lines, silence, lost pushes, a new epoch, a reconnect.</summary>
public class BridgeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A simulated exchange behind a bridge server (counting the submits that reach it), a client, and what it pushed.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        public readonly Harness H = new(link: Link.Direct);
        public readonly CountingGateway Broker;
        public readonly BridgeServer Server;
        public readonly BridgeGateway Client;
        public readonly ConcurrentQueue<GatewayEvent> Events = new();

        public Rig(TimeSpan? silence = null, string? serverSecret = null, string? clientSecret = null)
        {
            Broker = new CountingGateway(H.Exchange);
            Server = new BridgeServer(Broker, new BridgeServerOptions(HeartbeatInterval: silence is null ? null : TimeSpan.FromMilliseconds(100),
                Secret: serverSecret is null ? null : System.Text.Encoding.UTF8.GetBytes(serverSecret)));
            Server.StartAsync().GetAwaiter().GetResult();
            Client = new BridgeGateway(new BridgeGatewayOptions("127.0.0.1", Server.Port,
                HeartbeatInterval: silence is null ? null : TimeSpan.FromMilliseconds(100), SilenceTimeout: silence,
                Secret: clientSecret is null ? null : System.Text.Encoding.UTF8.GetBytes(clientSecret), ConnectAttempts: 1,
                RequestTimeout: TimeSpan.FromSeconds(3)));
            Client.Listen(Events.Enqueue);
            H.Open(Day1, Flat(Main, Day1));
        }

        public IEnumerable<SequencedReport> Reports => Events.OfType<SequencedReport>();

        public async Task<ConnectionChanged> Disconnected() =>
            await Eventually(() => Events.OfType<ConnectionChanged>().LastOrDefault(c => c.State == ConnectionState.Disconnected));

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private static async Task<T> Eventually<T>(Func<T?> probe) where T : class
    {
        var until = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < until)
        {
            if (probe() is { } found) return found;
            await Task.Delay(20);
        }
        throw new TimeoutException("condition not met within " + Wait);
    }

    [Fact]
    public async Task A_malformed_line_resets_the_link_with_a_one_line_error_and_applies_nothing()
    {
        await using var rig = new Rig();
        await rig.Client.ConnectAsync(default);
        var buy = rig.H.Buy(Main, 100, 10m);
        await rig.Client.SubmitAsync(buy, 1, default);
        int before = rig.Reports.Count();

        await rig.Server.SendRawAsync("{\"v\":1,\"kind\":\"evt\",\"op\":\"order_accepted\",\"epoch\":\"e\",\"seq\":99,\"payload\":{\"client_order_id\":\"x\",\"at\":\n");

        var down = await rig.Disconnected();
        Assert.Contains("malformed frame", down.Reason);
        Assert.DoesNotContain('\n', down.Reason);
        Assert.False(rig.Client.IsConnected);
        Assert.Equal(before, rig.Reports.Count());
        await Assert.ThrowsAsync<InvalidOperationException>(() => rig.Client.QueryOrdersAsync(default));

        await rig.Client.ConnectAsync(default); // a reset, not the end: the next connect works
        Assert.Single(await rig.Client.QueryOrdersAsync(default));
    }

    [Fact]
    public async Task An_event_missing_a_field_is_refused_whole()
    {
        await using var rig = new Rig();
        var session = await rig.Client.ConnectAsync(default);

        // Well-formed JSON, but a fill report without its fill: no half report may reach a listener.
        await rig.Server.SendRawAsync($"{{\"v\":1,\"kind\":\"evt\",\"op\":\"order_filled\",\"epoch\":\"{session.Epoch}\",\"seq\":1,"
            + "\"payload\":{\"client_order_id\":\"t-20240301-000001\",\"at\":\"2024-03-01T09:30:00\",\"cumulative_quantity\":100,\"remaining_quantity\":0}}\n");

        var down = await rig.Disconnected();
        Assert.Contains("fill is missing", down.Reason);
        Assert.Empty(rig.Reports);
    }

    [Fact]
    public async Task With_a_shared_secret_every_line_is_signed_and_trading_works()
    {
        await using var rig = new Rig(serverSecret: "s3cret-Key", clientSecret: "s3cret-Key");
        var session = await rig.Client.ConnectAsync(default);
        var buy = rig.H.Buy(Main, 100, 10m);
        await rig.Client.SubmitAsync(buy, 1, default);
        await rig.Client.PingAsync();
        Assert.Contains(rig.Reports, r => r.Report is OrderAccepted a && a.OrderId == buy.Id);
        Assert.Single(await rig.Client.QueryOrdersAsync(default));
        await Task.Delay(1_200); // heartbeats both ways, signed, keep the link up
        Assert.True(rig.Client.IsConnected);
        Assert.Equal(session.Epoch, rig.Reports.Last().Epoch);
    }

    [Theory]
    [InlineData("s3cret-Key", "wrong-key", "refused the link")]
    [InlineData("s3cret-Key", null, "requires a shared secret")]
    [InlineData(null, "s3cret-Key", "does not authenticate")]
    public async Task A_wrong_or_missing_secret_is_refused_in_one_line_that_never_shows_a_secret(string? server, string? client, string expected)
    {
        await using var rig = new Rig(serverSecret: server, clientSecret: client);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => rig.Client.ConnectAsync(default));
        var down = await rig.Disconnected();
        Assert.Contains(expected, down.Reason);
        Assert.DoesNotContain('\n', down.Reason);
        foreach (var text in new[] { down.Reason, e.Message, rig.Client.LastError ?? "", rig.Client.ToString()! })
        {
            Assert.DoesNotContain("s3cret-Key", text);
            Assert.DoesNotContain("wrong-key", text);
        }
        Assert.Equal(0, rig.Broker.Submits);
    }

    [Fact]
    public async Task A_line_altered_in_flight_is_refused_and_nothing_of_it_applied()
    {
        await using var rig = new Rig(serverSecret: "k", clientSecret: "k");
        await rig.Client.ConnectAsync(default);
        // A forged event: right shape, but not signed with the link's key and counter.
        await rig.Server.SendRawAsync(new string('0', 64) + " {\"v\":1,\"kind\":\"evt\",\"op\":\"order_accepted\",\"epoch\":\"e\",\"seq\":1,"
            + "\"payload\":{\"client_order_id\":\"t-20240301-000001\",\"at\":\"2024-03-01T09:30:00\",\"order_id\":\"B1\"}}\n");
        var down = await rig.Disconnected();
        Assert.Contains("valid signature", down.Reason);
        Assert.Empty(rig.Reports);
    }

    [Fact]
    public void A_fill_without_fees_is_charged_by_the_account_fee_schedule_and_the_broker_commission_wins()
    {
        var day = new DateOnly(2024, 3, 1);
        var fill = new FillDto("SH-1", "t-20240301-000001", "600000.SH", "SELL", 1000, 10.00m, day, Fees: null);
        var computed = WireMapping.FromWire(fill, Trading.Domain.Fees.FeeSchedule.Default).Fees;
        Assert.Equal(Trading.Domain.Fees.FeeSchedule.Default.Compute(Trading.Domain.Rules.Side.Sell, 10.00m, 1000, day), computed);
        Assert.Equal(5.00m, computed.Commission); // the 5 CNY minimum
        Assert.Equal(5.00m, computed.StampDuty);  // 0.05 % on sells

        var charged = WireMapping.FromWire(fill with { Commission = 3.10m }, Trading.Domain.Fees.FeeSchedule.Default).Fees;
        Assert.Equal(computed with { Commission = 3.10m }, charged);
        Assert.Throws<BridgeProtocolException>(() => WireMapping.FromWire(fill with { Quantity = 0 }, Trading.Domain.Fees.FeeSchedule.Default));
    }

    [Fact]
    public async Task Three_seconds_without_a_frame_take_the_link_down()
    {
        await using var rig = new Rig(silence: TimeSpan.FromMilliseconds(600));
        await rig.Client.ConnectAsync(default);
        await Task.Delay(900);
        Assert.True(rig.Client.IsConnected); // the bridge's heartbeats keep it up

        rig.Server.Silent = true; // a hung bridge: the socket stays open, nothing comes
        var down = await rig.Disconnected();
        Assert.Contains("no frame", down.Reason);
        Assert.False(rig.Client.IsConnected);
    }

    [Fact]
    public async Task A_lost_push_shows_as_a_seq_gap_that_replay_fills()
    {
        await using var rig = new Rig();
        var session = await rig.Client.ConnectAsync(default);
        rig.Server.DropPushes = 1;
        var a = rig.H.Buy(Main, 100, 10m);
        var b = rig.H.Buy(Main, 100, 10m);
        await rig.Client.SubmitAsync(a, 1, default);
        await rig.Client.SubmitAsync(b, 1, default);
        await rig.Client.PingAsync();

        var live = Assert.Single(rig.Reports);
        Assert.Equal((session.Epoch, session.LastSeq + 2, b.Id), (live.Epoch, live.Seq, live.Report.OrderId)); // seq 1 never came

        var replay = await rig.Client.ReplayAsync(session.Epoch, session.LastSeq + 1, default);
        Assert.False(replay.Gap);
        Assert.Equal([(1L, a.Id), (2L, b.Id)], replay.Events.Select(e => (e.Seq, e.Report.OrderId)));
        Assert.True((await rig.Client.ReplayAsync("another-epoch", 1, default)).Gap);
    }

    [Fact]
    public async Task A_new_broker_epoch_is_announced_and_numbering_starts_again()
    {
        await using var rig = new Rig();
        var session = await rig.Client.ConnectAsync(default);
        await rig.Client.SubmitAsync(rig.H.Buy(Main, 100, 10m), 1, default);

        rig.H.Exchange.StartNewEpoch("trader rebuilt");
        await rig.Client.SubmitAsync(rig.H.Buy(Main, 100, 10m), 1, default);
        await rig.Client.PingAsync();

        var changed = Assert.Single(rig.Events.OfType<ConnectionChanged>(), c => c.Epoch != session.Epoch);
        Assert.Equal(ConnectionState.Connected, changed.State);
        var last = rig.Reports.Last();
        Assert.Equal((changed.Epoch, 1L), (last.Epoch, last.Seq));
        Assert.True((await rig.Client.ReplayAsync(session.Epoch, 1, default)).Gap); // the old epoch is gone
    }

    [Fact]
    public async Task A_reconnect_resumes_the_missed_pushes_once_and_a_resubmission_reaches_the_broker_never_twice()
    {
        await using var rig = new Rig();
        await rig.Client.ConnectAsync(default);
        var buy = rig.H.Buy(Main, 1000, 10m);
        await rig.Client.SubmitAsync(buy, 1, default);

        rig.Server.DropClients("network blip");
        await rig.Disconnected();
        rig.H.Match(); // fills while the client is away: numbered and kept by the bridge

        var resumed = await rig.Client.ConnectAsync(default);
        await rig.Client.PingAsync();
        var fill = Assert.Single(rig.Reports, r => r.Report is OrderFilled);
        Assert.True(fill.Seq > resumed.LastSeq); // pushed after the cursor the session starts from

        // The OMS's outbox re-sends the order under the same id after a reconnect: the broker never sees it again.
        await rig.Client.SubmitAsync(buy, 1, default);
        await rig.Client.SubmitAsync(buy, 1, default);
        Assert.Equal(1, rig.Broker.Submits);
        Assert.Single(rig.H.Exchange.Orders);
        await Assert.ThrowsAsync<ClientOrderIdConflictException>(() => rig.Client.SubmitAsync(buy with { LimitPrice = 10.5m }, 1, default));
        Assert.Equal(1, rig.Broker.Submits);
    }

    /// <summary>The exchange, counting the submits that reach it.</summary>
    private sealed class CountingGateway(SimulatedExchange inner) : IBrokerGateway
    {
        private int _submits;
        public int Submits => Volatile.Read(ref _submits);
        public string Name => inner.Name;
        public bool IsConnected => inner.IsConnected;
        public IDisposable Listen(Action<GatewayEvent> listener) => inner.Listen(listener);
        public Task<GatewaySession> ConnectAsync(CancellationToken ct) => inner.ConnectAsync(ct);
        public Task DisconnectAsync(CancellationToken ct) => inner.DisconnectAsync(ct);
        public Task SubmitAsync(OrderRequest order, long epoch, CancellationToken ct)
        {
            Interlocked.Increment(ref _submits);
            return inner.SubmitAsync(order, epoch, ct);
        }
        public Task<long> FenceAsync(long epoch, CancellationToken ct) => inner.FenceAsync(epoch, ct);
        public Task CancelAsync(ClientOrderId id, CancellationToken ct) => inner.CancelAsync(id, ct);
        public Task<BrokerAccount> QueryAccountAsync(CancellationToken ct) => inner.QueryAccountAsync(ct);
        public Task<IReadOnlyList<BrokerOrder>> QueryOrdersAsync(CancellationToken ct) => inner.QueryOrdersAsync(ct);
        public Task<ReplayResult> ReplayAsync(string epoch, long fromSeq, CancellationToken ct) => inner.ReplayAsync(epoch, fromSeq, ct);
    }
}
