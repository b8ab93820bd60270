using System.Collections.Immutable;
using Akka.Actor;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;

namespace Trading.Node.Tests;

/// <summary><c>trading journal inspect|export</c> on a SQLite journal a real OMS and book wrote, and its bad inputs.</summary>
[Collection("console")]
public class JournalCommandTests
{
    private static readonly Symbol S = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly TimeSpan T = TimeSpan.FromSeconds(20);

    /// <summary>A node's session on a fresh journal file: a deposit, a buy of 200 acknowledged and filled, a mark, an audit entry.</summary>
    private static async Task<string> WriteJournalAsync()
    {
        var file = Path.Combine(CliRunner.TempDir(), "journal.db");
        using var sys = TradingSystem.Create("cli-journal", JournalKind.Sqlite, file, "akka.loglevel = WARNING\nakka.loggers = [\"Akka.Event.DefaultLogger\"]");
        var audit = sys.ActorOf(AuditLogActor.Props());
        await audit.Ask<StepDone>(new Flush(0), T);
        var at = new DateTime(2024, 1, 2, 9, 30, 0);
        var book = sys.ActorOf(PositionBookActor.Props("cli"));
        await book.Ask<Deposited>(new Deposit(50_000m, "seed"), T);
        var oms = sys.ActorOf(OrderManagerActor.Props("cli", ActorRefs.Nobody, book, () => at));
        var order = new OrderRequest(ClientOrderId.Create("c", Day, 1), S, Side.Buy, 200, 10.00m, OrderType.Limit, Day);
        var ack = oms.Ask<BatchAcknowledged>(new SubmitApproved([order], 1), T);
        while ((await oms.Ask<OrdersSnapshot>(new GetOrders(), T)).Orders.Count == 0) await Task.Delay(10);
        oms.Tell(new Trading.Brokers.OrderAccepted(order.Id, at, "B1"));
        await ack;
        var fill = new Fill("f1", order.Id, S, Side.Buy, 200, 10.00m, Day, FeeSchedule.Default.Compute(Side.Buy, 10m, 200, Day));
        oms.Tell(new Trading.Brokers.OrderFilled(order.Id, at.AddMinutes(1), fill, 200, 0));
        await oms.Ask<StepDone>(new Flush(1), T);
        await book.Ask<AccountSnapshot>(new MarkToMarket(Day, ImmutableDictionary<Symbol, decimal>.Empty.Add(S, 10.5m), 2), T);
        sys.EventStream.Publish(new AuditEntry(at, "bob, the operator", "note", "says \"hello\""));
        await audit.Ask<StepDone>(new Flush(2), T);
        await sys.Terminate();
        return file;
    }

    [Fact]
    public async Task Inspect_shows_streams_tags_and_lag_and_export_writes_the_read_models_and_raw_events()
    {
        var file = await WriteJournalAsync();
        var (exit, output, err) = await CliRunner.Run("journal", "inspect", "--journal", file);
        Assert.True(exit == 0, err);
        Assert.Contains($"SQLite journal {file}", output);
        Assert.Matches(@"orders-cli\s+4\s+4\s+-", output);          // created, sent, acknowledged, filled; no snapshot
        Assert.Matches(@"position-book-cli\s+3\s+3\s+-", output);    // deposit, fill, mark
        Assert.Matches(@"audit\s+1\s+1\s+-", output);
        Assert.Contains("tags: audit 1, fill 1, nav 1, order 4, position 3", output);
        Assert.Contains("read models: not projected yet", output);

        var dir = Path.GetDirectoryName(file)!;
        var orders = Path.Combine(dir, "orders.csv");
        (exit, output, err) = await CliRunner.Run("journal", "export", "--journal", file, "--what", "orders", "--out", orders);
        Assert.True(exit == 0, err);
        Assert.Contains("Wrote 1 orders rows", output);
        var lines = File.ReadAllLines(orders);
        Assert.Equal("account,order_id,symbol,side,quantity,limit_price,trade_date,strategy,status,filled_quantity,average_price,fees,broker_order_id,reason,created_at,updated_at,parent_id", lines[0]);
        Assert.StartsWith("cli,c-20240102-000001,600000.SH,Buy,200,10.00,2024-01-02,,Filled,200,10", lines[1]);

        var nav = Path.Combine(dir, "nav.csv");
        Assert.Equal(0, (await CliRunner.Run("journal", "export", "--journal", file, "--what", "nav", "--out", nav)).Exit);
        var fees = FeeSchedule.Default.Compute(Side.Buy, 10m, 200, Day).Total;
        var navRow = File.ReadAllLines(nav)[1].Split(',');
        Assert.Equal(["cli", "2024-01-02"], navRow[..2]);
        var money = navRow[2..].Select(x => decimal.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([50_000m - 2_000m - fees, 2_100m, 50_000m - 2_000m - fees + 2_100m, 0m, fees], money);

        var audit = Path.Combine(dir, "audit.csv");
        Assert.Equal(0, (await CliRunner.Run("journal", "export", "--journal", file, "--what", "audit", "--out", audit)).Exit);
        var auditText = File.ReadAllText(audit);
        Assert.Contains("\"bob, the operator\",note,\"says \"\"hello\"\"\"", auditText); // quoted by the CSV writer
        Assert.Contains(",operator,deposit,50000 to cli: seed", auditText);

        var events = Path.Combine(dir, "events.csv");
        (exit, output, _) = await CliRunner.Run("journal", "export", "--journal", file, "--what", "events", "--out", events);
        Assert.Equal(0, exit);
        Assert.Contains("Wrote 8 events rows", output);
        var rows = File.ReadAllLines(events);
        Assert.Equal("ordering,persistence_id,sequence_nr,deleted,written,manifest,tags,event", rows[0]);
        var created = Assert.Single(rows, r => r.Contains("order/OrderCreated"));
        Assert.Contains(",orders-cli,1,false," + DateTime.UtcNow.Year, created);
        Assert.Contains(",order/OrderCreated,order,\"{\"\"Request\"\":{\"\"Id\"\":\"\"c-20240102-000001\"\"", created);
        Assert.Contains(rows, r => r.Contains(",book/PricesMarked,nav;position,"));

        // The exports projected the journal: inspect now finds the read models current.
        (_, output, _) = await CliRunner.Run("journal", "inspect", "--journal", file);
        Assert.Contains("read models: order current, fill current, position current, risk current, alert current, audit current", output);
    }

    [Fact]
    public async Task Bad_sources_fail_in_one_line_naming_them()
    {
        var dir = CliRunner.TempDir();
        var missing = Path.Combine(dir, "nope.db");
        var (exit, output, err) = await CliRunner.Run("journal", "inspect", "--journal", missing);
        Assert.Equal((1, ""), (exit, output));
        Assert.Equal($"error: journal file {missing} not found", err.TrimEnd());
        Assert.False(File.Exists(missing), "inspect created the missing file");

        var text = Path.Combine(dir, "notes.db");
        File.WriteAllText(text, "not a database at all, just some text that is long enough to have a header");
        (exit, _, err) = await CliRunner.Run("journal", "export", "--journal", text, "--what", "orders", "--out", Path.Combine(dir, "o.csv"));
        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {text} is not a journal", err);
        Assert.Single(err.TrimEnd().Split('\n'));

        var empty = Path.Combine(dir, "empty.db");
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={empty}"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "CREATE TABLE other (x INTEGER)";
            q.ExecuteNonQuery();
        }
        (exit, _, err) = await CliRunner.Run("journal", "inspect", "--journal", empty);
        Assert.Equal((1, $"error: {empty} is not a journal: it has no journal table"), (exit, err.TrimEnd()));

        (exit, _, err) = await CliRunner.Run("journal", "inspect");
        Assert.Equal((1, "error: give exactly one of --journal FILE and --postgres"), (exit, err.TrimEnd()));
        (exit, _, err) = await CliRunner.Run("journal", "inspect", "--journal", empty, "--postgres");
        Assert.Equal(1, exit);
        (exit, _, err) = await CliRunner.Run("journal", "export", "--journal", empty, "--what", "trades", "--out", "x.csv");
        Assert.Equal(1, exit);
        Assert.Contains("trades", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task An_unreachable_postgres_server_is_named_without_its_password()
    {
        var previous = Environment.GetEnvironmentVariable("TRADING_PG_CONNECTION");
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        const string Secret = "s3cret-pw-never-shown";
        Environment.SetEnvironmentVariable("TRADING_PG_CONNECTION", $"Host=127.0.0.1;Port={port};Database=trading;Username=trader;Password={Secret};Timeout=3");
        try
        {
            var (exit, output, err) = await CliRunner.Run("journal", "inspect", "--postgres");
            Assert.Equal((1, ""), (exit, output));
            Assert.StartsWith($"error: journal database 127.0.0.1:{port}/trading as trader: ", err);
            Assert.Single(err.TrimEnd().Split('\n'));
            Assert.False(err.Contains(Secret), "the error shows the password");

            Environment.SetEnvironmentVariable("TRADING_PG_CONNECTION", null);
            (exit, _, err) = await CliRunner.Run("journal", "inspect", "--postgres");
            Assert.Equal(1, exit);
            Assert.Contains("TRADING_PG_CONNECTION", err);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TRADING_PG_CONNECTION", previous);
        }
    }
}
