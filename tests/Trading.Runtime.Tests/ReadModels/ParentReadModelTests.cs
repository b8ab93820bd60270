using System.Collections.Immutable;
using Akka.Actor;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Runtime.Execution;
using Trading.Runtime.Messages;
using Trading.Runtime.ReadModels;
using Trading.Runtime.Tests.Actors;

namespace Trading.Runtime.Tests.ReadModels;

/// <summary>
/// Parents and children in the read models: a TWAP parent worked to the end on a durable journal projects into
/// rm_parents (taken, then closed with its outcome) and its children into rm_orders with their parent_id; a read-model
/// database made before parent_id existed gets the column.
/// </summary>
public class ParentReadModelTests
{
    private static readonly Symbol A = Symbol.Parse("600000.SH");
    private static readonly DateOnly Day = new(2024, 1, 2);
    private static readonly TimeSpan T = TimeSpan.FromSeconds(20);

    [Theory, InlineData(JournalKind.Sqlite), PostgresJournal]
    public async Task A_worked_parent_and_its_children_project_with_the_parent_id(JournalKind kind)
    {
        await using var journal = await TestJournal.CreateAsync(kind);
        using var sys = journal.Start("rmp", ReadModelProjectorTests.Quiet);
        var tree = new Execution.AlgoTree();
        var trader = await tree.StartAsync(sys, "rmp",
            new ExecutionAlgoOptions { Algo = ExecutionAlgo.Twap, Window = TradingWindow.Parse("09:35-09:55", out _), Slices = 2, RepriceAfter = null });
        var parent = Assert.Single((await trader.Ask<ProposalResult>(
            new TargetPortfolio("t", Day, ImmutableSortedDictionary<Symbol, double>.Empty.Add(A, 0.02), 2), T)).Approved);
        for (int slice = 1; slice <= 2; slice++)
        {
            while ((await trader.Ask<OrdersSnapshot>(new GetOrders(), T)).Orders.Count < slice) await Task.Delay(20);
            tree.Exchange.MatchBar(Day, FillTiming.Vwap, Execution.AlgoTree.Bar);
            tree.Time.Advance(TimeSpan.FromMinutes(10));
        }
        while ((await trader.Ask<ParentsSnapshot>(GetParents.Instance, T)).Parents.Single().Open) await Task.Delay(20);

        var db = journal.ReadModels();
        var counts = await ReadModelProjector.CatchUpAsync(sys, db);
        Assert.True(counts["parent"] >= 2, $"{counts["parent"]} parent events"); // accepted and closed (and the algo's own)
        var rm = new Trading.Runtime.ReadModels.ReadModels(db);
        var row = Assert.Single(await rm.ParentsAsync("rmp"));
        Assert.Equal((parent.Id.Value, "Twap", "09:35-09:55", "Filled", 2_000L, 2, 2_000L, 2),
            (row.ParentId, row.Algo, row.Window, row.Status, row.FilledQuantity, row.Children, row.ChildrenFilled, row.ChildOrders));
        var orders = await rm.OrdersAsync("rmp");
        Assert.Equal(2, orders.Count);
        Assert.All(orders, o => Assert.Equal(parent.Id.Value, o.ParentId));
        await sys.Terminate();
    }

    [Fact]
    public async Task A_read_model_database_from_before_parents_gets_the_parent_id_column()
    {
        var file = Path.Combine(Path.GetTempPath(), $"rm-old-{Guid.NewGuid():N}.db");
        try
        {
            var db = ReadModelDatabase.Sqlite(file);
            await using (var c = await db.OpenAsync())
                await ReadModelDatabase.Execute(c, null, """
                    CREATE TABLE rm_orders (account TEXT NOT NULL, order_id TEXT NOT NULL, symbol TEXT NOT NULL,
                      side TEXT NOT NULL, quantity BIGINT NOT NULL, limit_price TEXT NOT NULL, trade_date TEXT NOT NULL,
                      strategy TEXT NOT NULL, status TEXT NOT NULL, filled_quantity BIGINT NOT NULL, average_price TEXT NOT NULL,
                      fees TEXT NOT NULL, broker_order_id TEXT, reason TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                      last_seq BIGINT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (account, order_id))
                    """, default);
            Assert.Empty(await new Trading.Runtime.ReadModels.ReadModels(db).OrdersAsync()); // reads: the column is there now
            await db.EnsureSchemaAsync(); // and stays one column
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }
}
