using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Microsoft.Data.Sqlite;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Runtime;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.Persistence;
using Trading.Runtime.State;

namespace Trading.Bench;

/// <summary>
/// Issue 11: recovery of a node whose SQLite journal holds ~1 M OMS and book events. The journal is written in bulk
/// (rows as the plugin writes them: the same columns, the real <see cref="JournalSerializer"/> bytes and manifests,
/// the tags of <see cref="JournalTagger"/>) — driving a million events through the actors would take the SQLite
/// order path many minutes — with the snapshots the actors' own policy leaves: the OMS's at the last day start
/// (orders of the last <c>keep-finished-days</c> = 5 days), the book's at the last multiple of
/// <see cref="PositionBookActor.SnapshotEvery"/>. Every event stays in the journal (the actors delete what a snapshot
/// covers; here nothing is deleted, the worst case for the file). The timed part is a fresh process's actor system
/// recovering the OMS and the book until both answer.
/// </summary>
internal static class RecoveryWorkers
{
    private const string Account = "bench";
    private static readonly DateOnly FirstDay = new(2024, 1, 1);
    private const int KeepFinishedDays = 5;

    /// <summary>The journal: <c>--days</c> days of <c>--orders-per-day</c> orders (filled; the last day's open), one book fill per order.</summary>
    public static async Task<int> Write(Options o)
    {
        var file = o.Get("file", "");
        int days = o.Int("days", 41), perDay = o.Int("orders-per-day", 5000);
        if (File.Exists(file)) File.Delete(file);
        var sw = Stopwatch.StartNew();
        using var system = TradingSystem.Create("recovery-write", JournalKind.Sqlite, file, "akka.loglevel = WARNING");
        // The plugin creates its tables (journal, tags, snapshot) on first use: one recovery of an unrelated id.
        await system.ActorOf(PositionBookActor.Props("init")).Ask<AccountSnapshot>(new GetAccount(), TimeSpan.FromSeconds(30));
        var serializer = (SerializerWithStringManifest)system.Serialization.FindSerializerForType(typeof(OrderEvent));

        await using var c = new SqliteConnection($"Data Source={file}");
        await c.OpenAsync();
        await using var tx = (SqliteTransaction)await c.BeginTransactionAsync();
        var insert = c.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            VALUES ($created, 0, $pid, $seq, $message, $manifest, $identifier, $writer); SELECT last_insert_rowid();
            """;
        var p = new[] { "$created", "$pid", "$seq", "$message", "$manifest", "$identifier", "$writer" }.Select(n => insert.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
        var tag = c.CreateCommand();
        tag.Transaction = tx;
        tag.CommandText = "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES ($o, $t, $s, $p)";
        var tp = new[] { "$o", "$t", "$s", "$p" }.Select(n => tag.Parameters.Add(new SqliteParameter { ParameterName = n })).ToArray();
        var writer = Guid.NewGuid().ToString();
        long oms = 0, book = 0, events = 0;
        async Task Journal(string pid, long seq, object e)
        {
            p[0].Value = DateTime.UtcNow.Ticks; p[1].Value = pid; p[2].Value = seq; p[3].Value = serializer.ToBinary(e);
            p[4].Value = serializer.Manifest(e); p[5].Value = serializer.Identifier; p[6].Value = writer;
            var ordering = (long)(await insert.ExecuteScalarAsync())!;
            foreach (var t in JournalTagger.TagsOf(e)!)
            {
                tp[0].Value = ordering; tp[1].Value = t; tp[2].Value = seq; tp[3].Value = pid;
                await tag.ExecuteNonQueryAsync();
            }
            events++;
        }
        async Task Snapshot(string pid, long seq, object s)
        {
            await using var q = c.CreateCommand();
            q.Transaction = tx;
            q.CommandText = "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) VALUES ($p, $s, $c, $b, $m, $i)";
            q.Parameters.AddWithValue("$p", pid); q.Parameters.AddWithValue("$s", seq); q.Parameters.AddWithValue("$c", DateTime.UtcNow.Ticks);
            q.Parameters.AddWithValue("$b", serializer.ToBinary(s)); q.Parameters.AddWithValue("$m", serializer.Manifest(s)); q.Parameters.AddWithValue("$i", serializer.Identifier);
            await q.ExecuteNonQueryAsync();
        }

        string omsId = $"orders-{Account}", bookId = $"position-book-{Account}";
        var orders = new Dictionary<ClientOrderId, OrderState>();
        var state = PositionBookState.Empty;
        PositionBookState? bookSnapshot = null;
        long bookSnapshotSeq = 0;
        async Task Book(BookEvent e)
        {
            await Journal(bookId, ++book, e);
            state = state.Apply(e);
            if (book % PositionBookActor.SnapshotEvery == 0) (bookSnapshot, bookSnapshotSeq) = (state, book);
        }
        await Book(new CashDeposited(10_000_000_000m, "bench"));
        var symbols = Enumerable.Range(0, 1000).Select(i => Symbol.Create(600000 + i, Exchange.SH)).ToArray();
        for (int d = 0; d < days; d++)
        {
            var date = FirstDay.AddDays(d);
            bool today = d == days - 1;
            if (today)
            {
                // The OMS's day start: forget orders finished before the retention, snapshot the rest (OnStartDay).
                var before = date.AddDays(-KeepFinishedDays);
                foreach (var id in orders.Values.Where(x => x.Status.IsTerminal() && x.Request.TradeDate < before).Select(x => x.Id).ToList()) orders.Remove(id);
                await Snapshot(omsId, oms, new OmsSnapshot([.. orders.Values.OrderBy(x => x.CreatedAt).ThenBy(x => x.Id.Value, StringComparer.Ordinal)]));
            }
            await Book(new DayOpened(date));
            var at = date.ToDateTime(new TimeOnly(9, 35));
            for (int i = 0; i < perDay; i++)
            {
                var request = new OrderRequest(ClientOrderId.Create("b", date, i + 1), symbols[i % symbols.Length], Side.Buy, 100, 10.00m, OrderType.Limit, date, "bench");
                var created = new OrderCreated(request.Id, at, request);
                var s = OrderState.Create(created);
                await Journal(omsId, ++oms, created);
                OrderEvent[] rest = today
                    ? [new OrderSent(request.Id, at), new OrderAcknowledged(request.Id, at, $"B{d}-{i}")]
                    : [new OrderSent(request.Id, at), new OrderAcknowledged(request.Id, at, $"B{d}-{i}"),
                       new OrderFillReported(request.Id, at.AddSeconds(1), new Fill($"F{d}-{i}", request.Id, request.Symbol, Side.Buy, 100, 10.00m, date, FeeSchedule.Default.Compute(Side.Buy, 10.00m, 100, date)))];
                foreach (var e in rest)
                {
                    await Journal(omsId, ++oms, e);
                    s = s.Apply(e).State;
                    if (e is OrderFillReported f) await Book(new FillBooked(f.Fill));
                }
                orders[request.Id] = s;
            }
            if (!today) await Book(new PricesMarked(date, symbols.ToImmutableDictionary(x => x, _ => 10.10m)));
        }
        if (bookSnapshot is not null) await Snapshot(bookId, bookSnapshotSeq, bookSnapshot);
        await tx.CommitAsync();
        await system.Terminate();
        Measure.Emit(new Sample("recovery-write", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{events} events: OMS {oms} (snapshot at the last day start), book {book} (snapshot at {bookSnapshotSeq}); {new FileInfo(file).Length / 1048576} MB"));
        return 0;
    }

    /// <summary>A fresh actor system on the journal; the OMS and the book recover until both answer. Timed from before the system's creation.</summary>
    public static async Task<int> RecoverOnce(Options o)
    {
        var file = o.Get("file", "");
        if (o.Get("without-snapshots", "false") == "true")
        {
            var copy = file + ".nosnap.db";
            File.Copy(file, copy, true);
            await using (var c = new SqliteConnection($"Data Source={copy};Pooling=false"))
            {
                await c.OpenAsync();
                await using var q = c.CreateCommand();
                q.CommandText = "DELETE FROM snapshot";
                await q.ExecuteNonQueryAsync();
            }
            file = copy;
        }
        var now = FirstDay.AddDays(o.Int("days", 41) - 1).ToDateTime(new TimeOnly(10, 0));
        if (o.Get("trace-sql", "false") == "true")
        {
            // linq2db's trace: every statement the plugin runs, with its time (to stderr).
            LinqToDB.Data.DataConnection.TurnTraceSwitchOn(System.Diagnostics.TraceLevel.Info);
            LinqToDB.Data.DataConnection.WriteTraceLine = (message, category, level) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {category}: {message}");
        }
        var timeout = TimeSpan.FromMinutes(10);
        var sw = Stopwatch.StartNew();
        if (o.Get("jit-profile", "") is { Length: > 0 } profiles)
        {
            // What the node does (Trading.Node's Program.StartJitProfile): multi-core JIT from the previous run's profile.
            Directory.CreateDirectory(profiles);
            System.Runtime.ProfileOptimization.SetProfileRoot(profiles);
            System.Runtime.ProfileOptimization.StartProfile("recovery.jitprofile");
        }
        using var system = TradingSystem.Create("recovery", JournalKind.Sqlite, file, $"akka.loglevel = WARNING\ntrading.oms.keep-finished-days = {KeepFinishedDays}");
        var started = sw.Elapsed;
        // --account other: the same recovery of streams that are not in the journal (the plugin's fixed start cost).
        var account0 = o.Get("account", Account);
        var book = system.ActorOf(PositionBookActor.Props(account0));
        IActorRef Oms() => system.ActorOf(OrderManagerActor.Props(account0, ActorRefs.Nobody, book, () => now));
        TimeSpan bookReady = default, omsReady = default;
        // --only book: the book alone (the OMS asked after it has answered), to see each one's share.
        var only = o.Get("only", "");
        var ordersTask = only == "book" ? null : Oms().Ask<OrdersSnapshot>(new GetOrders(), timeout).ContinueWith(t => { omsReady = sw.Elapsed; return t.Result; });
        var account = await book.Ask<AccountSnapshot>(new GetAccount(), timeout);
        bookReady = sw.Elapsed;
        var orders = (await (ordersTask ?? Oms().Ask<OrdersSnapshot>(new GetOrders(), timeout).ContinueWith(t => { omsReady = sw.Elapsed; return t.Result; }))).Orders;
        sw.Stop();
        Measure.Emit(new Sample("recovery", sw.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{orders.Count:N0} orders ({orders.Count(x => !x.Status.IsTerminal()):N0} open), {account.Book.Positions.Count} positions, {account.Book.FillIds.Count:N0} fill ids; actor system start {started.TotalSeconds:F2} s, book ready {bookReady.TotalSeconds:F2} s, OMS ready {omsReady.TotalSeconds:F2} s"));
        await system.Terminate();
        if (file.EndsWith(".nosnap.db", StringComparison.Ordinal)) foreach (var f in Directory.GetFiles(Path.GetDirectoryName(file)!, Path.GetFileName(file) + "*")) File.Delete(f);
        return 0;
    }

    /// <summary>
    /// The floor: without actors, open the file, read each stream's latest snapshot row and the events after it, and
    /// deserialize them all — the data a recovery cannot avoid.
    /// </summary>
    public static async Task<int> FloorOnce(Options o)
    {
        var file = o.Get("file", "");
        var cold = await ReadStreams(file);
        var warm = await ReadStreams(file); // the same again in this process: what of the cold read was JIT and first use
        Measure.Emit(new Sample("recovery-floor", cold.Seconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(), $"{cold.Detail}; again in the same process {warm.Seconds:F2} s"));
        return 0;
    }

    private static async Task<(double Seconds, string Detail)> ReadStreams(string file)
    {
        var sw = Stopwatch.StartNew();
        await using var c = new SqliteConnection($"Data Source={file}");
        await c.OpenAsync();
        long events = 0, bytes = 0;
        var opened = sw.Elapsed;
        var parts = new List<string>();
        foreach (var pid in new[] { $"orders-{Account}", $"position-book-{Account}" })
        {
            var t0 = sw.Elapsed;
            long from = 0;
            await using (var q = c.CreateCommand())
            {
                q.CommandText = "SELECT sequence_number, snapshot, manifest FROM snapshot WHERE persistence_id = $p ORDER BY sequence_number DESC LIMIT 1";
                q.Parameters.AddWithValue("$p", pid);
                await using var r = await q.ExecuteReaderAsync();
                if (await r.ReadAsync())
                {
                    from = r.GetInt64(0);
                    var b = (byte[])r.GetValue(1);
                    bytes += b.Length;
                    JsonSerializer.Deserialize(b, JournalSerializer.Types[r.GetString(2)], JournalSerializer.Options);
                }
            }
            await using (var q = c.CreateCommand())
            {
                q.CommandText = "SELECT message, manifest FROM journal WHERE persistence_id = $p AND sequence_number > $s ORDER BY sequence_number";
                q.Parameters.AddWithValue("$p", pid);
                q.Parameters.AddWithValue("$s", from);
                await using var r = await q.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    var b = (byte[])r.GetValue(0);
                    bytes += b.Length;
                    JsonSerializer.Deserialize(b, JournalSerializer.Types[r.GetString(1)], JournalSerializer.Options);
                    events++;
                }
            }
            parts.Add($"{pid} {(sw.Elapsed - t0).TotalSeconds:F2} s");
        }
        sw.Stop();
        return (sw.Elapsed.TotalSeconds, $"2 snapshots + {events:N0} later events read and deserialized, {bytes / 1048576.0:F1} MB (open {opened.TotalSeconds:F2} s, {string.Join(", ", parts)})");
    }
}
