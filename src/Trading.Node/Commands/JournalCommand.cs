using System.CommandLine;
using System.Globalization;
using Trading.Data.Csv;
using Trading.Runtime;
using Trading.Runtime.ReadModels;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading journal inspect|export</c>: a node's durable journal (a SQLite file, or the PostgreSQL database of
/// TRADING_PG_CONNECTION) and its read models. The connection string never reaches the output: the server is named
/// as host:port/database and user.
/// </summary>
internal static class JournalCommand
{
    private static readonly string[] Kinds = ["orders", "parents", "fills", "positions", "nav", "alerts", "audit", "risk", "events"];

    public static Command Build()
    {
        var cmd = new Command("journal", "A node's durable journal: what it holds, and its read models as CSV");
        cmd.Subcommands.Add(Inspect());
        cmd.Subcommands.Add(Export());
        return cmd;
    }

    private static (Option<string?> File, Option<bool> Postgres) Source() => (
        new Option<string?>("--journal") { Description = "The node's SQLite journal file (e.g. data/journal.db)" },
        new Option<bool>("--postgres") { Description = "The PostgreSQL journal of TRADING_PG_CONNECTION" });

    private static (JournalKind Kind, string? Connection) Resolve(ParseResult parse, Option<string?> file, Option<bool> postgres)
    {
        var path = parse.GetValue(file);
        bool pg = parse.GetValue(postgres);
        if (pg == (path is not null)) throw new FormatException("give exactly one of --journal FILE and --postgres");
        return pg ? (JournalKind.Postgres, null) : (JournalKind.Sqlite, path);
    }

    private static Command Inspect()
    {
        var (file, postgres) = Source();
        var cmd = new Command("inspect", "Persistence ids, event counts, highest and snapshot sequence numbers, tags, read-model lag") { file, postgres };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (kind, connection) = Resolve(parse, file, postgres);
            var inspector = await JournalInspector.OpenAsync(kind, connection, ct);
            var s = await inspector.SummaryAsync(ct);
            Console.WriteLine(s.Source);
            Console.WriteLine($"{s.Streams.Count} persistence ids, {s.Streams.Sum(x => x.Events):N0} events");
            if (s.Streams.Count > 0)
            {
                int w = Math.Max(16, s.Streams.Max(x => x.PersistenceId.Length));
                Console.WriteLine($"  {"persistence id".PadRight(w)} {"events",10} {"highest seq",12} {"snapshot seq",12}");
                foreach (var x in s.Streams)
                    Console.WriteLine($"  {x.PersistenceId.PadRight(w)} {x.Events,10:N0} {x.HighestSequenceNr,12:N0} {(x.SnapshotSequenceNr is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "-"),12}");
            }
            Console.WriteLine(s.Tags.Count == 0 ? "tags: none" : "tags: " + string.Join(", ", s.Tags.Select(t => $"{t.Tag} {t.Events:N0}")));
            if (s.Lag is null) Console.WriteLine("read models: not projected yet (a node with the projector, or `trading journal export`, builds them)");
            else
                Console.WriteLine("read models: " + string.Join(", ", s.Lag.Select(l => $"{l.Tag} {(l.Behind == 0 ? "current" : $"{l.Behind:N0} behind")}")));
            return 0;
        }));
        return cmd;
    }

    private static Command Export()
    {
        var (file, postgres) = Source();
        var what = new Option<string>("--what") { Description = "orders, parents, fills, positions, nav, alerts, audit, risk or events (raw journal rows, payload as JSON)", Required = true };
        what.AcceptOnlyFromAmong(Kinds);
        var output = new Option<string>("--out", "-o") { Description = "CSV file to write", Required = true };
        var account = new Option<string?>("--account") { Description = "Only this account (orders, parents, fills, positions, nav, risk)" };
        var cmd = new Command("export", "Write a read model (brought up to the journal's end first) or the raw events as CSV") { file, postgres, what, output, account };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (kind, connection) = Resolve(parse, file, postgres);
            var kindOf = parse.GetValue(what)!;
            var outFile = parse.GetValue(output)!;
            var acct = parse.GetValue(account);
            var inspector = await JournalInspector.OpenAsync(kind, connection, ct);
            if (Path.GetDirectoryName(Path.GetFullPath(outFile)) is { } dir && !Directory.Exists(dir))
                throw new DirectoryNotFoundException($"--out folder {dir} does not exist");
            int rows;
            if (kindOf == "events")
            {
                // Streamed row by row: a journal of millions of events never sits in memory.
                rows = 0;
                var events = inspector.RowsAsync(ct).ToBlockingEnumerable(ct).Select(r =>
                {
                    rows++;
                    return new string?[] { r.Ordering.ToString(CultureInfo.InvariantCulture), r.PersistenceId, r.SequenceNr.ToString(CultureInfo.InvariantCulture),
                        r.Deleted ? "true" : "false", ReadModelStore.Time(r.Written), r.Manifest, r.Tags, r.Payload };
                });
                await Task.Run(() => CsvTable.Write(outFile, ["ordering", "persistence_id", "sequence_nr", "deleted", "written", "manifest", "tags", "event"], events), ct);
            }
            else
            {
                await CatchUpAsync(kind, connection, inspector.Database, ct);
                rows = await WriteReadModelAsync(new ReadModels(inspector.Database), kindOf, acct, outFile, ct);
            }
            Console.WriteLine($"Wrote {rows:N0} {kindOf} rows to {Path.GetFullPath(outFile)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Projects what the journal holds beyond the stored offsets, so the export is current even without a running node.</summary>
    internal static async Task CatchUpAsync(JournalKind kind, string? connection, ReadModelDatabase database, CancellationToken ct)
    {
        using var system = TradingSystem.Create("journal-export", kind, connection, "akka.loglevel = WARNING");
        try
        {
            await ReadModelProjector.CatchUpInBulkAsync(system, database, ct);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<int> WriteReadModelAsync(ReadModels rm, string kind, string? account, string file, CancellationToken ct)
    {
        static string M(decimal d) => d.ToString(CultureInfo.InvariantCulture);
        static string L(long n) => n.ToString(CultureInfo.InvariantCulture);
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        (string[] Header, List<string?[]> Rows) table = kind switch
        {
            "orders" => (["account", "order_id", "symbol", "side", "quantity", "limit_price", "trade_date", "strategy", "status", "filled_quantity", "average_price", "fees", "broker_order_id", "reason", "created_at", "updated_at", "parent_id"],
                (await rm.OrdersAsync(account, ct)).Select(o => new[] { o.Account, o.OrderId, o.Symbol, o.Side, L(o.Quantity), M(o.LimitPrice), D(o.TradeDate), o.Strategy, o.Status, L(o.FilledQuantity), M(o.AveragePrice), M(o.Fees), o.BrokerOrderId, o.Reason, o.CreatedAt, o.UpdatedAt, o.ParentId }).ToList()),
            // A parent's filled shares: its outcome once closed, its children's fills while it works.
            "parents" => (["account", "parent_id", "symbol", "side", "quantity", "limit_price", "trade_date", "strategy", "algo", "window", "status", "filled_quantity", "average_price", "children", "reason", "accepted_at", "closed_at"],
                (await rm.ParentsAsync(account, ct)).Select(p => new[] { p.Account, p.ParentId, p.Symbol, p.Side, L(p.Quantity), M(p.LimitPrice), D(p.TradeDate), p.Strategy, p.Algo, p.Window, p.Status, L(p.FilledQuantity ?? p.ChildrenFilled), p.AveragePrice is { } avg ? M(avg) : null, L(p.Children ?? p.ChildOrders), p.Reason, p.AcceptedAt, p.ClosedAt }).ToList()),
            "fills" => (["account", "fill_id", "order_id", "symbol", "side", "quantity", "price", "amount", "fees", "trade_date", "at"],
                (await rm.FillsAsync(account, ct)).Select(f => new string?[] { f.Account, f.FillId, f.OrderId, f.Symbol, f.Side, L(f.Quantity), M(f.Price), M(f.Amount), M(f.Fees), D(f.TradeDate), f.At }).ToList()),
            "positions" => (["account", "symbol", "quantity", "sellable", "cost", "last_price", "market_value"],
                (await rm.PositionsAsync(account, ct)).Select(p => new string?[] { p.Account, p.Symbol, L(p.Quantity), L(p.Sellable), M(p.Cost), M(p.LastPrice), M(p.MarketValue) }).ToList()),
            "nav" => (["account", "date", "cash", "market_value", "nav", "realised_pnl", "fees_paid"],
                (await rm.NavAsync(account, ct)).Select(n => new string?[] { n.Account, D(n.Date), M(n.Cash), M(n.MarketValue), M(n.Nav), M(n.RealisedPnl), M(n.FeesPaid) }).ToList()),
            "risk" => (["account", "seq", "at", "kind", "order_id", "symbol", "detail"],
                (await rm.RiskEventsAsync(account, ct)).Select(r => new[] { r.Account, L(r.Seq), r.At, r.Kind, r.OrderId, r.Symbol, r.Detail }).ToList()),
            "alerts" => (["seq", "at", "kind", "source", "message", "symbol", "order_id"],
                (await rm.AlertsAsync(ct)).Select(a => new[] { L(a.Seq), a.At, a.Kind, a.Source, a.Message, a.Symbol, a.OrderId }).ToList()),
            "audit" => (["persistence_id", "seq", "at", "actor", "action", "detail"],
                (await rm.AuditAsync(ct)).Select(a => new string?[] { a.PersistenceId, L(a.Seq), a.At, a.Actor, a.Action, a.Detail }).ToList()),
            _ => throw new FormatException($"--what {kind} is not one of {string.Join(", ", Kinds)}"),
        };
        CsvTable.Write(file, table.Header, table.Rows);
        return table.Rows.Count;
    }
}
