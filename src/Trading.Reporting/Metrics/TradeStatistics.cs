using Trading.Domain.Rules;

namespace Trading.Reporting.Metrics;

/// <summary>
/// A closed round trip: one sell fill matched FIFO against the symbol's earlier buy lots.
/// <see cref="Cost"/> = the matched lots' buy amount plus their share of the buy fees; <see cref="Proceeds"/> =
/// the matched share of the sell amount minus the same share of the sell fees; <see cref="Profit"/> =
/// Proceeds − Cost (net of all fees). <see cref="OpenDate"/> is the oldest matched lot's date.
/// </summary>
public sealed record RoundTrip(string Symbol, DateOnly OpenDate, DateOnly CloseDate, long Quantity, double Cost, double Proceeds)
{
    public double Profit => Proceeds - Cost;
    public double Return => Profit / Cost;
}

/// <summary>
/// Trade statistics. A field whose source was not given is NaN (JSON null); counts are null then.
/// </summary>
public sealed record TradingStatistics
{
    /// <summary>Number of fills (trades.csv rows); null when no trades were given.</summary>
    public int? NumberOfTrades { get; init; }

    /// <summary>Closed round trips (sells matched FIFO to buys); null when no trades were given.</summary>
    public int? NumberOfRoundTrips { get; init; }

    /// <summary>
    /// Winning round trips / (winning + losing); a round trip with a profit of exactly 0 is left out, like zero
    /// days in the daily win rate. NaN when no round trip won or lost.
    /// </summary>
    public double TradeWinRate { get; init; } = double.NaN;

    /// <summary>
    /// Average profit of the winning round trips / |average profit of the losing ones| (QuantStats'
    /// <c>payoff_ratio</c> on round trips). NaN without a win or without a loss.
    /// </summary>
    public double ProfitLossRatio { get; init; } = double.NaN;

    /// <summary>Total fees of all fills.</summary>
    public double FeesPaid { get; init; } = double.NaN;

    /// <summary>
    /// Annualised turnover: (Σ traded amount / 2) / average NAV / years, with the average NAV over all NAV rows
    /// and years = number of returns / 252. All fills count, buys and sells (hence the / 2).
    /// </summary>
    public double Turnover { get; init; } = double.NaN;

    /// <summary>
    /// Share of NAV dates with a position: a date counts when some position row on it has a non-zero market
    /// value (positions given) or, failing positions, when the market value on it is non-zero. A NAV date with no
    /// row counts as flat; rows on dates outside the NAV series are ignored.
    /// </summary>
    public double Exposure { get; init; } = double.NaN;

    /// <summary>
    /// Average length, in trading days (NAV dates), of the position spells: a spell is a maximal run of
    /// consecutive NAV dates on which a symbol has a non-zero market value. A spell still open on the last date
    /// counts with its length so far. NaN without positions (or without any spell).
    /// </summary>
    public double AverageHoldingDays { get; init; } = double.NaN;

    /// <summary>The closed round trips, in closing order.</summary>
    public IReadOnlyList<RoundTrip> RoundTrips { get; init; } = [];

    internal static TradingStatistics Compute(TradingActivity activity, IReadOnlyList<DateOnly> dates, IReadOnlyList<double> nav)
    {
        var trades = activity.Trades;
        var stats = new TradingStatistics();
        if (trades is not null)
        {
            ValidateTrades(trades);
            var trips = MatchFifo(trades);
            int wins = 0, losses = 0;
            double winSum = 0, lossSum = 0;
            foreach (var t in trips)
            {
                var p = t.Profit;
                if (p > 0) { wins++; winSum += p; }
                else if (p < 0) { losses++; lossSum += p; }
            }
            double fees = 0, amount = 0;
            foreach (var t in trades) { fees += t.Fees; amount += t.Amount; }
            var years = (double)(nav.Count - 1) / ReturnStatistics.TradingDaysPerYear;
            stats = stats with
            {
                NumberOfTrades = trades.Count,
                NumberOfRoundTrips = trips.Count,
                TradeWinRate = wins + losses == 0 ? double.NaN : (double)wins / (wins + losses),
                ProfitLossRatio = wins == 0 || losses == 0 ? double.NaN : winSum / wins / Math.Abs(lossSum / losses),
                FeesPaid = fees,
                Turnover = amount / 2 / ReturnStatistics.Mean(nav) / years,
                RoundTrips = trips,
            };
        }

        var index = new Dictionary<DateOnly, int>(dates.Count);
        for (int i = 0; i < dates.Count; i++) index[dates[i]] = i;
        if (activity.Positions is { } positions)
        {
            var held = new bool[dates.Count];
            var bySymbol = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
            for (int k = 0; k < positions.Count; k++)
            {
                var p = positions[k];
                if (p is null) throw new MetricsInputException($"position row {k + 1}: null", row: k + 1);
                if (!double.IsFinite(p.MarketValue))
                    throw new MetricsInputException($"position row {k + 1} ({SeriesValidation.Iso(p.Date)}, {p.Symbol}): market value is {SeriesValidation.Text(p.MarketValue)}; it must be finite", row: k + 1);
                if (p.MarketValue == 0 || !index.TryGetValue(p.Date, out var i)) continue;
                held[i] = true;
                if (!bySymbol.TryGetValue(p.Symbol, out var set)) bySymbol[p.Symbol] = set = [];
                set.Add(i);
            }
            int spells = 0, spellDays = 0;
            foreach (var set in bySymbol.Values)
            {
                int prev = int.MinValue;
                foreach (var i in set)
                {
                    if (i != prev + 1) spells++;
                    spellDays++;
                    prev = i;
                }
            }
            stats = stats with
            {
                Exposure = (double)held.Count(h => h) / dates.Count,
                AverageHoldingDays = spells == 0 ? double.NaN : (double)spellDays / spells,
            };
        }
        else if (activity.MarketValue is { } mv)
        {
            var held = new bool[dates.Count];
            for (int k = 0; k < mv.Count; k++)
            {
                var (date, value) = mv[k];
                if (!double.IsFinite(value))
                    throw new MetricsInputException($"market value row {k + 1} ({SeriesValidation.Iso(date)}): market value is {SeriesValidation.Text(value)}; it must be finite", row: k + 1);
                if (value != 0 && index.TryGetValue(date, out var i)) held[i] = true;
            }
            stats = stats with { Exposure = (double)held.Count(h => h) / dates.Count };
        }
        return stats;
    }

    private static void ValidateTrades(IReadOnlyList<TradeRecord> trades)
    {
        for (int k = 0; k < trades.Count; k++)
        {
            var t = trades[k];
            if (t is null) throw new MetricsInputException($"trade row {k + 1}: null", row: k + 1);
            string at = $"trade row {k + 1} ({SeriesValidation.Iso(t.Date)}, {t.Symbol})";
            string? problem =
                string.IsNullOrWhiteSpace(t.Symbol) ? "symbol is empty"
                : t.Side is not (Side.Buy or Side.Sell) ? $"side {(int)t.Side} is neither buy nor sell"
                : t.Quantity <= 0 ? $"quantity is {t.Quantity}; it must be positive"
                : !double.IsFinite(t.Price) || t.Price <= 0 ? $"price is {SeriesValidation.Text(t.Price)}; it must be a finite positive number"
                : !double.IsFinite(t.Amount) || t.Amount < 0 ? $"amount is {SeriesValidation.Text(t.Amount)}; it must be finite and not negative"
                : !double.IsFinite(t.Fees) || t.Fees < 0 ? $"fees are {SeriesValidation.Text(t.Fees)}; they must be finite and not negative"
                : null;
            if (problem is not null) throw new MetricsInputException($"{at}: {problem}", row: k + 1);
        }
    }

    /// <summary>
    /// FIFO matching per symbol. Fills are taken by date; within a date sells come before buys (T+1: a share
    /// bought today cannot be sold today), otherwise input order. A buy opens a lot at (amount + fees) / quantity
    /// per share. A sell consumes the oldest lots first; the part of a sell with no lot left (shares held before
    /// the data starts) is ignored, and a sell with no lot at all closes no round trip.
    /// </summary>
    internal static List<RoundTrip> MatchFifo(IReadOnlyList<TradeRecord> trades)
    {
        var ordered = trades.Select((t, i) => (t, i))
            .OrderBy(x => x.t.Date).ThenBy(x => x.t.Side == Side.Sell ? 0 : 1).ThenBy(x => x.i)
            .Select(x => x.t);
        var lots = new Dictionary<string, Queue<Lot>>(StringComparer.Ordinal);
        var trips = new List<RoundTrip>();
        foreach (var t in ordered)
        {
            if (!lots.TryGetValue(t.Symbol, out var queue)) lots[t.Symbol] = queue = new Queue<Lot>();
            if (t.Side == Side.Buy)
            {
                queue.Enqueue(new Lot(t.Date, t.Quantity, (t.Amount + t.Fees) / t.Quantity));
                continue;
            }
            long left = t.Quantity, matched = 0;
            double cost = 0;
            DateOnly? open = null;
            while (left > 0 && queue.Count > 0)
            {
                var lot = queue.Peek();
                open ??= lot.Date;
                var take = Math.Min(left, lot.Remaining);
                cost += take * lot.CostPerShare;
                lot.Remaining -= take;
                left -= take;
                matched += take;
                if (lot.Remaining == 0) queue.Dequeue();
            }
            if (matched == 0) continue;
            var proceeds = (t.Amount - t.Fees) * matched / t.Quantity;
            trips.Add(new RoundTrip(t.Symbol, open!.Value, t.Date, matched, cost, proceeds));
        }
        return trips;
    }

    private sealed class Lot(DateOnly date, long quantity, double costPerShare)
    {
        public DateOnly Date { get; } = date;
        public long Remaining { get; set; } = quantity;
        public double CostPerShare { get; } = costPerShare;
    }
}
