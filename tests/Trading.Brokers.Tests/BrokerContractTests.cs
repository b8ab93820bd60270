using Trading.Brokers.Bridge;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using static Trading.Brokers.Tests.Harness;

namespace Trading.Brokers.Tests;

/// <summary>
/// One contract, two brokers behind the same wire and the same C# gateway: the in-process fake (the bridge server
/// around the simulated exchange) and the real xtquant bridge (scripts/qmt_bridge.py, unmodified) in front of
/// fakextquant, each in its own process. Every scenario runs against both and must read the same.
/// </summary>
public class BrokerContractTests
{
    public static TheoryData<string> Brokers => new() { "sim", "qmt" };

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task An_order_is_accepted_filled_once_and_the_account_agrees_to_the_fen(string broker)
    {
        await using var rig = await Rig.Start(broker);
        var buy = rig.Buy(1000, 10.00m);
        await rig.Client.SubmitAsync(buy, 1, default);
        var accepted = await rig.Report<OrderAccepted>(buy.Id);
        Assert.False(string.IsNullOrEmpty(accepted.BrokerOrderId));

        await rig.Match();
        var filled = await rig.Report<OrderFilled>(buy.Id);
        Assert.Equal((1000L, 0L, 10.00m), (filled.CumulativeQuantity, filled.RemainingQuantity, filled.Fill.Price));
        var fees = FeeSchedule.Default.Compute(Side.Buy, 10.00m, 1000, Day1);
        Assert.Equal(fees.Total, filled.Fill.Fees.Total);

        var order = Assert.Single(await rig.Client.QueryOrdersAsync(default));
        Assert.Equal((buy.Id, OrderStatus.Filled, 1000L), (order.Id, order.Status, order.FilledQuantity));
        Assert.Equal([filled.Fill.FillId], order.Fills.Select(f => f.FillId));
        var account = await rig.Client.QueryAccountAsync(default);
        Assert.Equal(1_000_000m - 10_000m - fees.Total, account.Cash);
        var position = Assert.Single(account.Positions);
        Assert.Equal((Main, 1000L, 0L), (position.Symbol, position.Quantity, position.Available)); // T+1: not sellable today
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task The_same_id_is_one_order_and_different_terms_are_a_conflict(string broker)
    {
        await using var rig = await Rig.Start(broker);
        var buy = rig.Buy(1000, 9.50m);
        await rig.Client.SubmitAsync(buy, 1, default);
        await rig.Report<OrderAccepted>(buy.Id);
        await rig.Client.SubmitAsync(buy with { Strategy = "re-sent", Reason = "after a crash" }, 1, default);
        var conflict = await Assert.ThrowsAsync<ClientOrderIdConflictException>(() => rig.Client.SubmitAsync(buy with { Quantity = 2000 }, 1, default));
        Assert.Contains("quantity 1000 vs 2000", conflict.Message);
        Assert.Single(await rig.Client.QueryOrdersAsync(default));
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task A_fence_announced_on_connect_refuses_an_older_epoch_before_any_order_raised_it(string broker)
    {
        await using var rig = await Rig.Start(broker);
        Assert.Equal(7, await rig.Client.FenceAsync(7, default));
        Assert.Equal(7, await rig.Client.FenceAsync(7, default)); // idempotent for the brain that holds it

        var refused = await Assert.ThrowsAsync<FencedOutException>(() => rig.Client.FenceAsync(6, default));
        Assert.Equal((6L, 7L), (refused.Epoch, refused.Highest));

        var stale = rig.Buy(100, 10.00m);
        if (broker == "qmt")
            await Assert.ThrowsAsync<StaleEpochException>(() => rig.Client.SubmitAsync(stale, 6, default)); // refused, id not spent
        else
        {
            await rig.Client.SubmitAsync(stale, 6, default); // the simulator spends the id on a rejection
            Assert.StartsWith(RejectRules.Epoch, (await rig.Report<OrderRejected>(stale.Id)).Reason);
        }
        Assert.Equal(8, await rig.Client.FenceAsync(8, default));
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task A_cancel_ends_an_open_order_and_an_unaffordable_one_is_rejected(string broker)
    {
        await using var rig = await Rig.Start(broker);
        var resting = rig.Buy(1000, 9.50m); // below the market: it rests
        await rig.Client.SubmitAsync(resting, 1, default);
        await rig.Report<OrderAccepted>(resting.Id);
        await rig.Match();
        await rig.Client.CancelAsync(resting.Id, default);
        var cancelled = await rig.Report<OrderCancelled>(resting.Id);
        Assert.Equal(0, cancelled.FilledQuantity);

        var huge = rig.Buy(1_000_000, 10.00m);
        await rig.Client.SubmitAsync(huge, 1, default);
        await rig.Report<OrderRejected>(huge.Id);
        var orders = await rig.Client.QueryOrdersAsync(default);
        Assert.Equal(OrderStatus.Cancelled, orders.Single(o => o.Id == resting.Id).Status);
        Assert.Equal(1_000_000m, (await rig.Client.QueryAccountAsync(default)).Cash);
    }

    [Theory]
    [MemberData(nameof(Brokers))]
    public async Task A_fill_made_while_the_link_was_down_arrives_once_after_the_reconnect(string broker)
    {
        await using var rig = await Rig.Start(broker);
        var buy = rig.Buy(500, 10.00m);
        await rig.Client.SubmitAsync(buy, 1, default);
        await rig.Report<OrderAccepted>(buy.Id);
        await rig.Client.DisconnectAsync(default);

        await rig.Match(); // fills at the broker while nobody listens

        await rig.Client.ConnectAsync(default);
        var fill = await rig.Report<OrderFilled>(buy.Id);
        Assert.Equal(500, fill.Fill.Quantity);
        await Task.Delay(300);
        Assert.Single(rig.Reports.OfType<OrderFilled>());
    }

    /// <summary>A broker behind the wire and the gateway to it, with what it pushed.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly List<BrokerReport> _reports = [];
        private readonly Func<Task> _match;
        private readonly Func<ValueTask> _dispose;
        private long _n;

        private Rig(BridgeGateway client, Func<Task> match, Func<ValueTask> dispose)
        {
            Client = client;
            _match = match;
            _dispose = dispose;
            client.Listen(e => { if (e is SequencedReport r) lock (_reports) _reports.Add(r.Report); });
        }

        public BridgeGateway Client { get; }

        public IReadOnlyList<BrokerReport> Reports { get { lock (_reports) return _reports.ToList(); } }

        public OrderRequest Buy(long quantity, decimal price) =>
            new(ClientOrderId.Create("ct", Day1, ++_n), Main, Side.Buy, quantity, price, OrderType.Limit, Day1, "contract", "test");

        public Task Match() => _match();

        public async Task<T> Report<T>(ClientOrderId id) where T : BrokerReport
        {
            var until = DateTime.UtcNow + Wait;
            while (DateTime.UtcNow < until)
            {
                if (Reports.OfType<T>().FirstOrDefault(r => r.OrderId == id) is { } found) return found;
                await Task.Delay(20);
            }
            throw new TimeoutException($"no {typeof(T).Name} for {id} within {Wait}; got: {string.Join(", ", Reports.Select(r => r.GetType().Name + " " + r.OrderId))}");
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _dispose();
        }

        public static async Task<Rig> Start(string broker) => broker switch
        {
            "sim" => await Sim(),
            "qmt" => await Qmt(),
            _ => throw new ArgumentException(broker),
        };

        private static async Task<Rig> Sim()
        {
            var h = new Harness(link: Link.Direct).Open(Day1, Flat(Main, Day1, 10.00m));
            var server = new BridgeServer(h.Exchange);
            await server.StartAsync();
            var client = new BridgeGateway(new BridgeGatewayOptions("127.0.0.1", server.Port, RequestTimeout: TimeSpan.FromSeconds(5)));
            var rig = new Rig(client, () => { h.Match(); return Task.CompletedTask; }, async () => { await server.DisposeAsync(); h.Dispose(); });
            await client.ConnectAsync(default);
            return rig;
        }

        private static async Task<Rig> Qmt()
        {
            var dir = Directory.CreateTempSubdirectory("qmt-contract-").FullName;
            var fixture = Path.Combine(dir, "fixture.json");
            var day = Day1.ToString("yyyy-MM-dd");
            await File.WriteAllTextAsync(fixture, "{\"trade_date\": \"" + day + "\", \"symbols\": {\"" + Main + "\": {\"last\": \"10.00\", "
                + "\"pre_close\": \"10.00\", \"up_limit\": \"11.00\", \"down_limit\": \"9.00\", \"suspended\": false, \"volume\": 1000000}}}");
            var qmt = await Trading.Bench.Workloads.QmtProcesses.Start(RepoRoot(), fixture, "main", 1_000_000m, Day1);
            var client = new BridgeGateway(new BridgeGatewayOptions("127.0.0.1", qmt.Port, RequestTimeout: TimeSpan.FromSeconds(10)));
            await client.ConnectAsync(default);
            return new Rig(client, async () => await qmt.Ctl("match"), async () =>
            {
                await qmt.DisposeAsync();
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
            });
        }

        private static string RepoRoot()
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Trading.Actors.sln"))) return d.FullName;
            throw new InvalidOperationException("Trading.Actors.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
