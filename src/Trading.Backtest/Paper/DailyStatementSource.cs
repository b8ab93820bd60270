using System.Globalization;
using System.Text.Json;
using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Reporting.Html;
using Trading.Research.Risk;
using Trading.Research.Transforms;
using Trading.Runtime.ReadModels;

namespace Trading.Backtest.Paper;

/// <summary>What a daily statement is about and where its market data comes from.</summary>
/// <param name="Date">The day; null: the last day the node marked.</param>
/// <param name="Benchmark">Index code of the beta (the strategy's benchmark, CSI 300 by default).</param>
/// <param name="HistoryDays">Trading days of returns behind the VaR and the beta (<c>trading.node.statement.history-days</c>).</param>
/// <param name="InitialCash">Capital when the journal holds no deposit (a live account funded outside the node).</param>
public sealed record StatementRequest(
    string Account, DateOnly? Date, MarketPanel Panel, IReadOnlyList<IndexBar> Index, string Benchmark, int HistoryDays,
    decimal InitialCash, string? Strategy)
{
    /// <summary>The team's notes of a day (the web dashboard's), shown in their own section; null: none.</summary>
    public Func<DateOnly, CancellationToken, Task<IReadOnlyList<StatementEvent>>>? Notes { get; init; }
}

/// <summary>
/// Gathers a <see cref="DailyStatementInputs"/> from a node's read models (NAV, positions, fills, orders, risk events,
/// alerts, audit — brought up to the journal's end by the caller) and the store's panel (names, industries, closes,
/// return history, the factor risk model), and writes the statement. Shared by the node's post-close and
/// <c>trading report daily</c>, so both write the same page.
/// </summary>
public static class DailyStatementSource
{
    /// <summary>The statement of <paramref name="request"/>: built, written to <paramref name="outFile"/>, with its markdown summary linking there.</summary>
    public static async Task<(DailyStatement Statement, string Markdown)> WriteAsync(ReadModels rm, StatementRequest request, string outFile,
        DateTimeOffset? generatedAt, CancellationToken ct = default)
    {
        var inputs = await LoadAsync(rm, request, ct);
        var statement = DailyStatement.Build(inputs with { GeneratedAt = generatedAt });
        var full = Path.GetFullPath(outFile);
        DailyStatementHtml.Write(statement, full);
        return (statement, DailyStatementHtml.Summary(statement, full));
    }

    public static async Task<DailyStatementInputs> LoadAsync(ReadModels rm, StatementRequest q, CancellationToken ct = default)
    {
        var navs = await rm.NavAsync(q.Account, ct);
        if (navs.Count == 0)
            throw new InvalidDataException($"account '{q.Account}' has no NAV in the journal: the node has not closed a day yet");
        var date = q.Date ?? navs.Max(n => n.Date);
        var nav = navs.FirstOrDefault(n => n.Date == date)
            ?? throw new InvalidDataException($"account '{q.Account}' has no NAV on {date:yyyy-MM-dd} (the node closed {navs.Count} day(s), {navs.Min(n => n.Date):yyyy-MM-dd} to {navs.Max(n => n.Date):yyyy-MM-dd})");
        var previous = navs.Where(n => n.Date < date).MaxBy(n => n.Date);
        string day = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        bool OnDay(string at) => at.StartsWith(day, StringComparison.Ordinal);

        var audit = await rm.AuditAsync(ct);
        var deposits = audit.Where(a => a.Action == "deposit").Select(a => Deposit(a.Detail, q.Account)).OfType<decimal>().ToList();
        var fills = await rm.FillsAsync(q.Account, ct);
        var orders = (await rm.OrdersAsync(q.Account, ct)).Where(o => o.TradeDate == date).ToList();

        // Positions at the close of the day: the book's current ones, with the fills of later days undone.
        var later = fills.Where(f => f.TradeDate > date).ToList();
        var current = await rm.PositionsAsync(q.Account, ct);
        var quantity = current.ToDictionary(p => p.Symbol, p => p.Quantity, StringComparer.Ordinal);
        foreach (var f in later) quantity[f.Symbol] = quantity.GetValueOrDefault(f.Symbol) - (IsBuy(f.Side) ? f.Quantity : -f.Quantity);
        bool marked = later.Count == 0 && date == navs.Max(n => n.Date);
        var lastPrice = current.ToDictionary(p => p.Symbol, p => p.LastPrice, StringComparer.Ordinal);

        var panel = q.Panel;
        int d = LastDayOnOrBefore(panel, date);
        var holdings = new List<StatementHolding>();
        foreach (var (symbolText, qty) in quantity.Where(x => x.Value != 0).OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            int s = Symbol.TryParse(symbolText, out var symbol) ? panel.SymbolIndex(symbol) : -1;
            var info = s >= 0 && panel.Stocks.TryGetValue(symbol, out var i) ? i : null;
            bool stored = s >= 0 && d >= 0 && panel.Dates[d] == date;
            // The book's own mark when the day is its last; otherwise the stored close of that day.
            decimal price = marked && lastPrice.TryGetValue(symbolText, out var lp) ? lp
                : stored && panel.Close[panel.Cell(d, s)] > 0 ? (decimal)panel.Close[panel.Cell(d, s)]
                : throw new InvalidDataException($"no close of {symbolText} on {day} in the store: cannot value the position");
            decimal? preClose = stored && panel.PreClose[panel.Cell(d, s)] > 0 ? Math.Round((decimal)panel.PreClose[panel.Cell(d, s)], 4) : null;
            holdings.Add(new StatementHolding(symbolText, info?.Name is { Length: > 0 } name ? name : null, info?.Industry, qty, price, preClose));
        }

        var risk = await rm.RiskEventsAsync(q.Account, ct);
        var hits = risk.Where(r => r.Kind == "rejected" && OnDay(r.At)).Select(r =>
        {
            var (rule, reason) = Rejection(r.Detail);
            return new StatementEvent(Time(r.At), "risk-reject", rule, r.Symbol, r.OrderId, reason);
        }).ToList();
        // Risk rejections are also raised as alerts (kind risk-reject): they are the rule hits, not listed twice.
        var alerts = (await rm.AlertsAsync(ct)).Where(a => OnDay(a.At) && a.Kind != "risk-reject")
            .Select(a => new StatementEvent(Time(a.At), a.Kind, a.Source, a.Symbol, a.OrderId, a.Message)).ToList();
        var actions = audit.Where(a => OnDay(a.At))
            .Select(a => new StatementEvent(Time(a.At), a.Action, a.Actor, null, null, a.Detail)).ToList();

        var inputs = new DailyStatementInputs
        {
            Account = q.Account,
            Date = date,
            Strategy = q.Strategy,
            Nav = nav.Nav,
            Cash = nav.Cash,
            PreviousNav = previous?.Nav,
            PreviousDate = previous?.Date,
            Capital = deposits.Count > 0 ? deposits.Sum() : q.InitialCash,
            Holdings = holdings,
            Fills = fills.Where(f => f.TradeDate == date).Select(f => new StatementFill(f.Symbol, IsBuy(f.Side), f.Quantity, f.Amount, f.Fees)).ToList(),
            Orders = orders.Select(o => new StatementOrder(o.OrderId, o.Symbol, o.Side, o.Quantity, o.Status, o.FilledQuantity, o.Reason)).ToList(),
            RuleHits = hits,
            Alerts = alerts,
            OperatorActions = actions,
            Notes = q.Notes is { } notes ? await notes(date, ct) : [],
            BenchmarkName = q.Benchmark,
        };
        return d < 0 ? inputs with { ModelNote = $"the store has no day up to {day}" } : WithHistory(inputs, q, d);
    }

    /// <summary>The holdings' return history, the benchmark's, and the factor model's volatility of today's weights, up to panel day <paramref name="d"/>.</summary>
    private static DailyStatementInputs WithHistory(DailyStatementInputs inputs, StatementRequest q, int d)
    {
        var panel = q.Panel;
        int first = Math.Max(1, d - q.HistoryDays + 1);
        var dates = panel.Dates[first..(d + 1)];
        var assets = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var index = new SortedDictionary<int, double>(); // panel symbol → weight of NAV
        double nav = (double)inputs.Nav;
        foreach (var h in inputs.Holdings)
        {
            int s = Symbol.TryParse(h.Symbol, out var symbol) ? panel.SymbolIndex(symbol) : -1;
            if (s < 0) continue;
            var r = new double[dates.Length];
            for (int t = first; t <= d; t++)
            {
                int c = panel.Cell(t, s), p = panel.Cell(t - 1, s);
                double now = panel.Close[c] * panel.AdjFactor[c], before = panel.Close[p] * panel.AdjFactor[p];
                r[t - first] = panel.IsTraded(t, s) && panel.IsTraded(t - 1, s) && before > 0 ? now / before - 1 : double.NaN;
            }
            assets[h.Symbol] = r;
            index[s] = index.GetValueOrDefault(s) + (double)(h.Quantity * h.Price) / nav;
        }
        var closes = q.Index.Where(b => b.Code == q.Benchmark && b.Close > 0).GroupBy(b => b.Date).ToDictionary(g => g.Key, g => g.First().Close);
        var bench = new double[dates.Length];
        for (int t = first; t <= d; t++)
            bench[t - first] = closes.TryGetValue(panel.Dates[t], out var a) && closes.TryGetValue(panel.Dates[t - 1], out var b) ? a / b - 1 : double.NaN;

        double? sigma = null;
        string note;
        if (index.Count == 0) note = "no holding";
        else
        {
            var industries = IndustryIndex.Of(panel);
            var model = PanelRiskModel.Estimate(panel, d, index.Keys.ToArray(), industries.OfSymbol, industries.Names);
            if (model is null) note = $"fewer than {PanelRiskModelOptions.Default.MinDays} days of history before {panel.Dates[d]:yyyy-MM-dd}";
            else
            {
                sigma = Math.Sqrt(model.Model.Variance(index.Values.ToArray()));
                note = $"{model.HistoryDays} days, {model.IndustryNames.Length} industries and the styles {string.Join(", ", model.Styles)}";
            }
        }
        return inputs with { History = new ReturnHistory(dates, assets, bench), ModelDailyVolatility = sigma, ModelNote = note };
    }

    private static int LastDayOnOrBefore(MarketPanel panel, DateOnly date)
    {
        int i = Array.BinarySearch(panel.Dates, date);
        return i >= 0 ? i : ~i - 1;
    }

    private static bool IsBuy(string side) => side.Equals("buy", StringComparison.OrdinalIgnoreCase);

    /// <summary>"2024-12-02T09:30:00.0000000" → "09:30:00".</summary>
    private static string Time(string at) => at.Length >= 19 ? at[11..19] : at;

    /// <summary>The amount of a deposit's audit line (<c>"600000 to paper: initial capital"</c>) when it is this account's.</summary>
    internal static decimal? Deposit(string detail, string account)
    {
        int space = detail.IndexOf(' ');
        if (space <= 0 || !detail.AsSpan(space).StartsWith($" to {account}:", StringComparison.Ordinal)) return null;
        return decimal.TryParse(detail.AsSpan(0, space), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>The rule and the reason of a journaled <c>OrderRejectedByRisk</c> (its JSON in rm_risk_events.detail).</summary>
    private static (string Rule, string Reason) Rejection(string detail)
    {
        try
        {
            using var doc = JsonDocument.Parse(detail);
            string Get(string name) => doc.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value
                is { ValueKind: JsonValueKind.String } v ? v.GetString() ?? "" : "";
            return (Get("Rule") is { Length: > 0 } rule ? rule : "unknown", Get("Reason"));
        }
        catch (JsonException)
        {
            return ("unknown", detail);
        }
    }
}
