using Trading.Brokers;
using Trading.Domain.Instruments;

namespace Trading.Runtime.State;

/// <summary>One thing the journal and the broker disagree on after the known differences were resolved.</summary>
/// <param name="Kind"><c>foreign-order</c> (an order no client of this system placed: typed into the client by a
/// person), <c>position</c> or <c>cash</c></param>
public sealed record ReconciliationDifference(string Kind, string Detail, Symbol? Symbol = null);

/// <summary>
/// The account half of reconciliation, pure: the book (the journal's account) against the broker's, once the broker's
/// orders and fills have been replayed into the OMS — so what is left is what no report explains: a position that
/// does not add up, cash that differs by more than the tolerance, orders the broker has that this system never placed.
/// </summary>
public static class AccountReconciliation
{
    public static IReadOnlyList<ReconciliationDifference> Compare(PositionBookState book, BrokerAccount broker, decimal cashTolerance)
    {
        var differences = new List<ReconciliationDifference>();
        var symbols = book.Positions.Where(p => p.Value.Quantity != 0).Select(p => p.Key)
            .Union(broker.Positions.Where(p => p.Quantity != 0).Select(p => p.Symbol))
            .Order();
        foreach (var symbol in symbols)
        {
            long ours = book.Positions.TryGetValue(symbol, out var p) ? p.Quantity : 0;
            long theirs = broker.PositionOf(symbol)?.Quantity ?? 0;
            if (ours != theirs)
                differences.Add(new("position", $"{symbol}: journal {ours:N0} shares, broker {theirs:N0}", symbol));
        }
        if (Math.Abs(book.Cash - broker.Cash) > cashTolerance)
            differences.Add(new("cash", $"journal {book.Cash:N2} CNY, broker {broker.Cash:N2} (difference {broker.Cash - book.Cash:+#,##0.00;-#,##0.00}, tolerance {cashTolerance:N2})"));
        return differences;
    }
}
