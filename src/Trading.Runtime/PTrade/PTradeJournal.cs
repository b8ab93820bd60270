using Akka.Actor;
using Akka.Persistence;
using Trading.Domain.Orders;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;
using Trading.Runtime.State;

namespace Trading.Runtime.PTrade;

/// <summary>An order PTrade placed for a target file, with the fills reported for it.</summary>
public sealed record PTradeOrder(OrderRequest Request, string BrokerOrderId, DateTime At, IReadOnlyList<Fill> Fills);

/// <summary>What an import changed: orders and fills new to the journal, the ones it held already, and the book after.</summary>
public sealed record PTradeImportOutcome(int NewOrders, int NewFills, int KnownFills, PositionBookState Book);

/// <summary>
/// A node's journal seen from the PTrade hand-off, with the node stopped (the import appends to its OMS stream): the
/// account's book as the node would recover it, and the recording of PTrade's orders and fills as the node's own —
/// each order adopted into the OMS stream (<c>orders-{account}</c>) under its client id with PTrade's order id as the
/// broker id, each fill journaled there and booked by the account's <see cref="PositionBookActor"/> (cash, T+1
/// positions, cost), an order not wholly filled expired as A-share orders are at the close. Fill ids make it
/// idempotent: a fill the OMS stream holds is not journaled again and the book keeps each fill id once, so importing
/// the same acknowledgements twice changes nothing.
/// </summary>
public static class PTradeJournal
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<PositionBookState> ReadBookAsync(JournalKind kind, string? connection, string account, CancellationToken ct = default)
    {
        await ReadModels.JournalInspector.OpenAsync(kind, connection, ct); // a missing file or not a journal: one line, before any actor
        using var system = TradingSystem.Create("ptrade-book", kind, connection, "akka.loglevel = WARNING");
        try
        {
            var book = system.ActorOf(PositionBookActor.Props(account), "position-book");
            return (await book.Ask<AccountSnapshot>(new GetAccount(), Timeout, ct)).Book;
        }
        finally
        {
            await system.Terminate();
        }
    }

    public static async Task<PTradeImportOutcome> ImportAsync(JournalKind kind, string? connection, string account,
        IReadOnlyList<PTradeOrder> orders, CancellationToken ct = default)
    {
        await ReadModels.JournalInspector.OpenAsync(kind, connection, ct);
        using var system = TradingSystem.Create("ptrade-import", kind, connection, "akka.loglevel = WARNING");
        try
        {
            var book = system.ActorOf(PositionBookActor.Props(account), "position-book");
            var writer = system.ActorOf(Props.Create(() => new OrderStreamWriter(account)), "ptrade-orders");
            var recorded = await writer.Ask<Recorded>(new Record(orders), Timeout, ct);
            // Every fill to the book, new or not: the book keeps each fill id once (it may have missed one the OMS
            // stream holds, if an earlier import stopped between the two). A trade date after the book's opens that
            // day first, as the node's day start would: yesterday's shares become sellable (T+1).
            var after = await book.Ask<AccountSnapshot>(new GetAccount(), Timeout, ct);
            foreach (var day in orders.SelectMany(o => o.Fills).GroupBy(f => f.TradeDate).OrderBy(g => g.Key))
            {
                if (after.Book.Date < day.Key) await book.Ask<StepDone>(new StartDay(day.Key, 0), Timeout, ct);
                foreach (var fill in day.OrderBy(f => f.Side == Trading.Domain.Rules.Side.Sell ? 0 : 1)) book.Tell(new BookFill(fill));
                after = await book.Ask<AccountSnapshot>(new GetAccount(), Timeout, ct);
            }
            return new PTradeImportOutcome(recorded.NewOrders, recorded.NewFills, recorded.KnownFills, after.Book);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed record Record(IReadOnlyList<PTradeOrder> Orders);

    private sealed record Recorded(int NewOrders, int NewFills, int KnownFills);

    /// <summary>Appends to the OMS stream what it lacks of the orders given (the node is stopped: nothing else writes it).</summary>
    private sealed class OrderStreamWriter : ReceivePersistentActor
    {
        private readonly HashSet<ClientOrderId> _orders = [];
        private readonly HashSet<string> _fills = new(StringComparer.Ordinal);

        public OrderStreamWriter(string account)
        {
            PersistenceId = $"orders-{account}";
            Recover<OrderEvent>(e =>
            {
                _orders.Add(e.OrderId);
                if (e is OrderFillReported f) _fills.Add(f.Fill.FillId);
            });
            Recover<SnapshotOffer>(o =>
            {
                if (o.Snapshot is not OmsSnapshot s) return;
                foreach (var order in s.Orders) _orders.Add(order.Id);
            });
            Command<Record>(OnRecord);
        }

        public override string PersistenceId { get; }

        private void OnRecord(Record r)
        {
            var events = new List<OrderEvent>();
            int newOrders = 0, newFills = 0, known = 0;
            foreach (var o in r.Orders)
            {
                var id = o.Request.Id;
                if (!_orders.Contains(id))
                {
                    // An order first seen here: adopted, its fills, and its end (PTrade's orders live for one day and
                    // the fills file is written after the close).
                    events.Add(new OrderAdopted(id, o.At, o.Request, o.BrokerOrderId));
                    newOrders++;
                    long filled = 0;
                    foreach (var f in o.Fills)
                    {
                        events.Add(new OrderFillReported(id, o.At, f));
                        _fills.Add(f.FillId);
                        filled += f.Quantity;
                        newFills++;
                    }
                    if (filled < o.Request.Quantity)
                        events.Add(new OrderExpireReported(id, o.At, "PTrade: the day ended", filled));
                    _orders.Add(id);
                    continue;
                }
                foreach (var f in o.Fills)
                    if (_fills.Contains(f.FillId)) known++;
                    else
                    {
                        // A fill of an order imported before (a later fills file): journaled; the OMS keeps it if the order is still open.
                        events.Add(new OrderFillReported(id, o.At, f));
                        _fills.Add(f.FillId);
                        newFills++;
                    }
            }
            var sender = Sender;
            var answer = new Recorded(newOrders, newFills, known);
            if (events.Count == 0) { sender.Tell(answer); return; }
            int left = events.Count;
            PersistAll(events, _ => { if (--left == 0) sender.Tell(answer); });
        }
    }
}
