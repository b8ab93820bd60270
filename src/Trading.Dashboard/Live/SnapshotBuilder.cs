using System.Globalization;
using Akka.Actor;
using Trading.Cluster.Hosting;
using Trading.Runtime.Alerts;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Live;

/// <summary>
/// Builds a <see cref="DashboardSnapshot"/> from the read models of <see cref="DashboardSources"/> (and the cluster status
/// actor when the node is clustered). Stateless: each call reads the tables again.
/// <para>
/// <b>Trading day</b>: the latest trade date of the account's orders and fills, else the last NAV row's date (a paper
/// node replaying a stored day trades that day, not the wall clock's).
/// </para>
/// <para>
/// <b>What is exact and what is estimated.</b> When the last NAV row is of the trading day (the book marked its prices at
/// the close) NAV, cash and market value are that row: exact. Before the mark they are estimated: cash is the last NAV
/// row's cash plus the net cash of every fill after that row's date (amounts and fees as the broker reported them, so
/// exact unless money was deposited or withdrawn since), and market value is the positions' quantity × last price, where
/// a position's last price is its last fill or the last mark — not a live quote, hence the estimate. Day P&amp;L is NAV
/// minus the last NAV row before the trading day; cumulative return is NAV over the first NAV row's.
/// </para>
/// </summary>
public sealed class SnapshotBuilder(DashboardSources sources)
{
    /// <summary>Fewer overlapping daily returns than this give no beta: an estimate from a few days is noise.</summary>
    public const int MinBetaDays = 20;
    public const int MaxAlerts = 100;
    public const int MaxTrades = 500;
    public const int MaxOrders = 500;
    public static readonly TimeSpan ClusterStatusTimeout = TimeSpan.FromSeconds(2);

    private const string Unknown = "其他/unknown";

    public async Task<DashboardSnapshot> BuildAsync(CancellationToken ct = default)
    {
        var rm = sources.ReadModels;
        var account = sources.AccountId;
        var nav = await rm.NavAsync(account, ct);
        var positions = await rm.PositionsAsync(account, ct);
        var fills = await rm.FillsAsync(account, ct);
        var orders = await rm.OrdersAsync(account, ct);
        var parents = await rm.ParentsAsync(account, ct);
        var alerts = await rm.AlertsAsync(ct);

        DateOnly? day = Max(orders.Select(o => o.TradeDate).Concat(fills.Select(f => f.TradeDate))) ?? (nav.Count > 0 ? nav[^1].Date : null);
        var overview = Overview(nav, positions, fills, day, sources.InitialCash);
        var today = day is { } d ? fills.Where(f => f.TradeDate == d).ToList() : [];
        var changed = today.Select(f => f.Symbol).ToHashSet(StringComparer.Ordinal);
        var positionViews = Positions(positions, overview.Nav, changed);
        return new DashboardSnapshot(account, DateTime.Now, day, overview, positionViews, Equity(nav), Risk(positionViews, overview, nav),
            Orders(orders, parents, day), Trades(today, orders), Alerts(alerts), await ClusterAsync(alerts, ct));
    }

    private static DateOnly? Max(IEnumerable<DateOnly> dates)
    {
        DateOnly? max = null;
        foreach (var d in dates) if (max is null || d > max) max = d;
        return max;
    }

    internal static AccountOverview Overview(IReadOnlyList<NavRow> nav, IReadOnlyList<PositionRow> positions, IReadOnlyList<FillRow> fills, DateOnly? day,
        decimal? initialCash = null)
    {
        var grossMv = positions.Sum(p => p.MarketValue);
        if (nav.Count == 0)
        {
            if (initialCash is not { } start)
                return new AccountOverview(null, null, grossMv, null, null, null, null, null, null, Estimated: true);
            // The first day, before its close: the starting cash plus every fill's cash, the positions at their last prices.
            var firstCash = start + fills.Sum(CashOf);
            var firstNav = firstCash + grossMv;
            return new AccountOverview(firstNav, firstCash, grossMv, firstNav - start, start > 0 ? (double)(firstNav / start - 1m) : null,
                start > 0 ? (double)(firstNav / start - 1m) : null, start, null, null, Estimated: true);
        }
        var last = nav[^1];
        var previous = day is { } d ? nav.LastOrDefault(r => r.Date < d) : (nav.Count > 1 ? nav[^2] : null);
        decimal cash, mv, value;
        bool estimated = day is { } td && last.Date < td;
        if (!estimated)
            (cash, mv, value) = (last.Cash, last.MarketValue, last.Nav);
        else
        {
            cash = last.Cash + fills.Where(f => f.TradeDate > last.Date).Sum(CashOf);
            mv = grossMv;
            value = cash + mv;
        }
        decimal? dayPnl = previous is null ? null : value - previous.Nav;
        double? dayReturn = previous is { Nav: > 0 } ? (double)(value / previous.Nav - 1m) : null;
        double? cumulative = nav[0].Nav > 0 ? (double)(value / nav[0].Nav - 1m) : null;
        return new AccountOverview(value, cash, mv, dayPnl, dayReturn, cumulative, previous?.Nav, nav[0].Date, last.Date, estimated);
    }

    /// <summary>A fill's effect on cash: a buy pays its amount and fees, a sell receives its amount less fees.</summary>
    private static decimal CashOf(FillRow f) => f.Side == "Buy" ? -(f.Amount + f.Fees) : f.Amount - f.Fees;

    private List<PositionView> Positions(IReadOnlyList<PositionRow> positions, decimal? nav, HashSet<string> changed)
    {
        var basis = nav is > 0 ? nav.Value : positions.Sum(p => p.MarketValue);
        return positions
            .Where(p => p.Quantity != 0)
            .Select(p =>
            {
                var pnl = p.MarketValue - p.Cost;
                return new PositionView(p.Symbol, NameOf(p.Symbol), p.Quantity, p.Sellable, basis > 0 ? (double)(p.MarketValue / basis) : 0,
                    p.Cost, p.Quantity > 0 ? Math.Round(p.Cost / p.Quantity, 4) : 0m, p.LastPrice, p.MarketValue, pnl,
                    p.Cost > 0 ? (double)(pnl / p.Cost) : null, changed.Contains(p.Symbol));
            })
            .OrderByDescending(p => p.MarketValue).ThenBy(p => p.Symbol, StringComparer.Ordinal)
            .ToList();
    }

    private EquityCurve Equity(IReadOnlyList<NavRow> nav)
    {
        if (nav.Count == 0) return new EquityCurve([], sources.Benchmark.Count > 0);
        var first = nav[0].Nav;
        var baseClose = CloseOnOrBefore(nav[0].Date);
        var points = nav.Select(r => new EquityPoint(r.Date, r.Nav, first > 0 ? (double)(r.Nav / first) : 1,
            baseClose is > 0 && CloseOnOrBefore(r.Date) is { } c ? c / baseClose.Value : null)).ToList();
        return new EquityCurve(points, baseClose is > 0);
    }

    /// <summary>The benchmark's close on <paramref name="date"/>, or its last close before it (a holiday of the index feed).</summary>
    private double? CloseOnOrBefore(DateOnly date)
    {
        var b = sources.Benchmark;
        int lo = 0, hi = b.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (b[mid].Date <= date) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found < 0 ? null : b[found].Close;
    }

    private RiskView Risk(IReadOnlyList<PositionView> positions, AccountOverview overview, IReadOnlyList<NavRow> nav)
    {
        var gross = positions.Sum(p => Math.Abs(p.MarketValue));
        var industries = positions
            .GroupBy(p => sources.Industries.TryGetValue(p.Symbol, out var i) && !string.IsNullOrWhiteSpace(i) ? i : Unknown)
            .Select(g => new IndustryWeight(g.Key, g.Sum(p => p.MarketValue), g.Sum(p => p.Weight)))
            .OrderByDescending(i => i.MarketValue).ThenBy(i => i.Industry, StringComparer.Ordinal)
            .ToList();
        var top = positions.OrderByDescending(p => p.Weight).ThenBy(p => p.Symbol, StringComparer.Ordinal).Take(10)
            .Select(p => new SymbolWeight(p.Symbol, p.Name, p.Weight)).ToList();
        // Shares of gross market value, so the HHI is 1/N for N equal positions whatever the cash.
        var hhi = gross > 0 ? positions.Sum(p => Math.Pow((double)(Math.Abs(p.MarketValue) / gross), 2)) : 0;
        var (beta, days) = Beta(nav);
        return new RiskView(industries, top, positions.Count > 0 ? positions.Max(p => p.Weight) : 0, hhi, hhi > 0 ? 1 / hhi : 0,
            beta, days, overview.Nav is > 0 ? (double)(gross / overview.Nav.Value) : 0);
    }

    /// <summary>
    /// Ordinary least squares slope of the account's daily NAV returns on CSI 300's over the days both have (cov / var;
    /// one regressor needs no library). Returns between consecutive NAV rows whose dates both have a benchmark close.
    /// </summary>
    internal (double? Beta, int Days) Beta(IReadOnlyList<NavRow> nav)
    {
        var closes = new Dictionary<DateOnly, double>();
        foreach (var (date, close) in sources.Benchmark) closes[date] = close;
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 1; i < nav.Count; i++)
        {
            if (nav[i - 1].Nav <= 0 || !closes.TryGetValue(nav[i - 1].Date, out var b0) || !closes.TryGetValue(nav[i].Date, out var b1) || b0 <= 0) continue;
            xs.Add(b1 / b0 - 1);
            ys.Add((double)(nav[i].Nav / nav[i - 1].Nav - 1m));
        }
        return (Slope(xs, ys, MinBetaDays), xs.Count);
    }

    internal static double? Slope(IReadOnlyList<double> xs, IReadOnlyList<double> ys, int minimum)
    {
        if (xs.Count < minimum || xs.Count == 0) return null;
        double mx = xs.Average(), my = ys.Average(), sxy = 0, sxx = 0;
        for (var i = 0; i < xs.Count; i++)
        {
            sxy += (xs[i] - mx) * (ys[i] - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
        }
        return sxx > 0 ? sxy / sxx : null;
    }

    private OrdersView Orders(IReadOnlyList<OrderRow> orders, IReadOnlyList<ParentRow> parents, DateOnly? day)
    {
        var ofDay = orders.Where(o => o.TradeDate == day).ToList();
        var slices = ofDay.Where(o => o.ParentId is not null).ToLookup(o => o.ParentId!);
        var parentViews = parents.Where(p => p.TradeDate == day)
            .Select(p => new ParentView(p.ParentId, p.Symbol, NameOf(p.Symbol), p.Side, p.Quantity, p.LimitPrice, p.Strategy, p.Algo, p.Window,
                p.Status, p.FilledQuantity ?? p.ChildrenFilled, p.AcceptedAt, p.ClosedAt, p.Reason, slices[p.ParentId].Select(Order).ToList()))
            .ToList();
        var whole = ofDay.Where(o => o.ParentId is null).TakeLast(MaxOrders).Select(Order).ToList();
        return new OrdersView(parentViews, whole);
    }

    private OrderView Order(OrderRow o) => new(o.OrderId, o.Symbol, NameOf(o.Symbol), o.Side, o.Quantity, o.LimitPrice, o.Strategy, o.Status,
        o.FilledQuantity, o.AveragePrice, o.CreatedAt, o.UpdatedAt, o.Reason, o.ParentId);

    /// <summary>The trading day's fills, newest first, each as "09:30:00 买入 平安银行 1000股 @ ¥13.50 成交1000" (order quantity, fill price, fill quantity).</summary>
    private List<TradeLine> Trades(IReadOnlyList<FillRow> today, IReadOnlyList<OrderRow> orders)
    {
        var quantities = orders.ToDictionary(o => o.OrderId, o => o.Quantity, StringComparer.Ordinal);
        return today.AsEnumerable().Reverse().Take(MaxTrades).Select(f =>
        {
            var name = NameOf(f.Symbol);
            var ordered = quantities.TryGetValue(f.OrderId, out var q) ? q : f.Quantity;
            var time = TimeOf(f.At);
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{time} {(f.Side == "Buy" ? "买入" : "卖出")} {name} {ordered}股 @ ¥{f.Price:0.00##} 成交{f.Quantity}");
            return new TradeLine(f.At, time, f.Side, f.Symbol, name, ordered, f.Price, f.Quantity, f.OrderId, text);
        }).ToList();
    }

    /// <summary>HH:mm:ss of a stored ISO time (<c>2024-06-03T09:30:00.0000000</c>).</summary>
    internal static string TimeOf(string at) =>
        DateTime.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : at;

    private static List<AlertView> Alerts(IReadOnlyList<AlertRow> alerts) =>
        alerts.AsEnumerable().Reverse().Take(MaxAlerts)
            .Select(a => new AlertView(a.Seq, a.At, a.Kind, SeverityOf(a.Kind), a.Source, a.Message, a.Symbol, a.OrderId))
            .ToList();

    /// <summary>The notifier's default severity of an alert kind (<see cref="AlertOptions.DefaultSeverities"/>), lower case.</summary>
    public static string SeverityOf(string kind) =>
        (AlertOptions.DefaultSeverities.TryGetValue(kind, out var s) ? s : AlertOptions.Default.DefaultSeverity).ToString().ToLowerInvariant();

    private async Task<ClusterView> ClusterAsync(IReadOnlyList<AlertRow> alerts, CancellationToken ct)
    {
        // Without a cluster the broker link is what its last link alert said.
        var link = alerts.LastOrDefault(a => a.Kind is "broker-link-down" or "broker-link-up" or "fenced")?.Kind switch
        {
            "broker-link-up" => "up",
            "broker-link-down" => "down",
            "fenced" => "fenced",
            _ => "unknown",
        };
        if (sources.System is not { } system) return new ClusterView("standalone", null, null, null, null, null, null, link, []);
        if (system is not ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider })
            return new ClusterView("single", null, "this node", null, null, null, null, link, []);
        try
        {
            var v = await system.ActorSelection(ClusterPaths.Status).Ask<ClusterStatusView>(GetClusterStatus.Instance, ClusterStatusTimeout, ct);
            return new ClusterView("cluster", v.SelfAddress, v.PrimaryAddress, v.Epoch, v.PrimarySince, v.LastFailoverAt, v.LastFailover, v.BrokerLink,
                v.Members.Select(m => new ClusterMemberLine(m.Address, string.Join(",", m.Roles), m.Status, m.Reachable, m.IsPrimary)).ToList());
        }
        catch (Exception e) when (e is AskTimeoutException or ActorNotFoundException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return new ClusterView("unavailable", null, null, null, null, null, null, link, []);
        }
    }

    private string NameOf(string symbol) => sources.Names.TryGetValue(symbol, out var n) && !string.IsNullOrWhiteSpace(n) ? n : symbol;
}
