using System.Collections.Immutable;
using Trading.Brokers;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;
using Trading.Risk;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;

namespace Trading.Backtest;

/// <summary>
/// The same strategy, rules, risk chain, exchange and book as <see cref="BacktestEngine"/>, called in a plain loop
/// without actors, messages or a journal. Two uses: the baseline the benchmark compares the actor run with, and a
/// cross-check — both must produce the same NAV to the fen, or the actor tree lost or added something.
/// </summary>
public static class PureLoopBacktest
{
    public static IReadOnlyList<NavRow> Run(BacktestOptions o)
    {
        var panel = o.Panel;
        var cfg = o.Strategy;
        var days = panel.Calendar.Between(o.Start ?? cfg.Start ?? panel.Dates[0], o.End ?? cfg.End ?? panel.Dates[^1]).ToArray();
        var clock = new VirtualClock();
        var exchange = BacktestEngine.CreateExchange(o, clock);
        exchange.ConnectAsync(CancellationToken.None).GetAwaiter().GetResult();
        var book = PositionBookState.Empty.Apply(new CashDeposited(cfg.InitialCash, "initial capital"));
        var risk = RiskState.Empty;
        var chain = PreTradeChain.FromOptions(o.Risk);
        var states = new Dictionary<ClientOrderId, OrderState>();
        var benchmark = o.Benchmark.Where(b => b.Code == cfg.Benchmark).ToDictionary(b => b.Date, b => b.Close);
        var nav = new List<NavRow>();

        exchange.Report += r =>
        {
            if (!states.TryGetValue(r.OrderId, out var s)) return;
            OrderEvent e = r switch
            {
                OrderAccepted a => new OrderAcknowledged(a.OrderId, a.At, a.BrokerOrderId),
                OrderRejected x => new OrderRejectReported(x.OrderId, x.At, "broker", x.Reason),
                OrderFilled f => new OrderFillReported(f.OrderId, f.At, f.Fill),
                Trading.Brokers.OrderCancelled c => new OrderCancelReported(c.OrderId, c.At, c.Reason, c.FilledQuantity),
                OrderExpired x => new OrderExpireReported(x.OrderId, x.At, x.Reason, x.FilledQuantity),
                _ => throw new InvalidOperationException(r.GetType().Name),
            };
            var t = s.Apply(e);
            if (!t.Applied) return;
            states[r.OrderId] = t.State;
            if (e is OrderFillReported fr) book = book.Apply(new FillBooked(fr.Fill));
            if (t.State.Status.IsTerminal()) risk = risk.Apply(new OrderFinished(r.OrderId));
        };

        TradeQuote? Quote(Symbol s, DateOnly date) => BacktestEngine.PreOpenQuote(panel, s, date);

        decimal Frozen() => states.Values.Sum(s => s.FrozenCash());

        var targets = ImmutableSortedDictionary<Symbol, double>.Empty;
        long sequence = 0;
        var sizing = PlannerSizing.From(cfg, o.Fees);
        void Round(DateOnly date, TimeOnly time)
        {
            clock.Set(date, time);
            var orders = RebalancePlanner.Plan(cfg.Name, date, targets, book, book.Cash - Frozen(), s => Quote(s, date), o.Rules, cfg.CashBuffer, ref sequence, sizing: sizing);
            if (orders.Count == 0) return;
            var quotes = new Dictionary<Symbol, MarketQuote>();
            foreach (var s in orders.Select(x => x.Symbol).Concat(book.Positions.Keys).Distinct())
                if (Quote(s, date) is { } q) quotes[s] = new MarketQuote(q.ReferencePrice, q.Limit, q.Suspended);
            var account = new RiskAccount(book.Cash, Frozen(), book.Nav,
                book.Positions.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Holding),
                book.Positions.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.MarketValue));
            var open = states.Values.Where(s => s.Status.IsOpen()).Select(s => new OpenOrder(s.Request, s.Status, s.FilledQuantity, s.CreatedAt)).ToList();
            var batch = chain.EvaluateBatch(orders, new RiskContext(account, quotes, open, risk, clock.Now) { Market = o.Rules, Fees = o.Fees });
            risk = batch.State;
            foreach (var order in batch.Approved)
            {
                var created = OrderState.Create(new OrderCreated(order.Id, clock.Now, order));
                states[order.Id] = created.Apply(new OrderSent(order.Id, clock.Now)).State;
                exchange.SubmitAsync(order, 1, CancellationToken.None).GetAwaiter().GetResult();
            }
        }

        foreach (var date in days)
        {
            int d = panel.DayIndex(date);
            var bars = Trading.Brokers.PanelBars.On(panel, date);
            clock.Set(date, new TimeOnly(9, 15));
            var actions = BacktestEngine.CorporateActions(panel, d, book.Positions.Keys);
            exchange.BeginDay(date, bars, actions);
            foreach (var a in actions) book = book.Apply(new CorporateActionBooked(a.Symbol, a.ExDate, a.CashPerShare, a.BonusPerShare));
            book = book.Apply(new DayOpened(date));
            risk = risk.Apply(new DayStarted(date));
            foreach (var id in states.Where(kv => kv.Value.Status.IsTerminal()).Select(kv => kv.Key).ToList()) states.Remove(id);

            bool rebalance = d > 0 && o.Model.IsRebalanceDay(panel, d);
            if (rebalance)
            {
                targets = o.Model.Targets(panel, d - 1, IStrategyModel.WeightsOf(book));
                sequence = 0;
                Round(date, new TimeOnly(9, 25));
            }
            clock.Set(date, cfg.Execution.FillAt == FillTiming.Close ? new TimeOnly(14, 57) : new TimeOnly(9, 30));
            exchange.MatchBar(date, cfg.Execution.FillAt, bars);
            if (rebalance) Round(date, new TimeOnly(10, 0));
            clock.Set(date, new TimeOnly(14, 57));
            exchange.MatchBar(date, FillTiming.Vwap, bars);
            clock.Set(date, new TimeOnly(15, 0));
            exchange.EndDay(date);

            book = book.Apply(new PricesMarked(date, BacktestEngine.Closes(panel, d, book.Positions.Keys)));
            nav.Add(new NavRow(date, book.Nav, book.Cash, book.MarketValue, benchmark.TryGetValue(date, out var b) ? b : double.NaN));
        }
        return nav;
    }
}
