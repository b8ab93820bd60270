using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Domain.Fees;
using Symbol = Trading.Domain.Instruments.Symbol;
using Trading.Domain.Orders;
using Trading.Domain.Positions;
using Trading.Domain.Rules;
using Trading.Runtime;
using Trading.Runtime.PTrade;
using Trading.Runtime.State;
using Trading.Runtime.Strategy;
using System.Collections.Immutable;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading ptrade export|import</c>: the file-based hand-off to a PTrade strategy (BROKER_BRIDGES.md §4), for
/// days the miniQMT channel is down. Export writes the day's target file; scripts/ptrade_strategy.py trades it inside
/// PTrade and writes acknowledgements and fills; import records those in the node's journal.
/// </summary>
internal static class PTradeCommand
{
    public static Command Build()
    {
        var cmd = new Command("ptrade", "PTrade hand-off: target files out, acknowledgements and fills back");
        cmd.Subcommands.Add(Export());
        cmd.Subcommands.Add(Import());
        return cmd;
    }

    private static Option<string?> AccountOption() => new("--account") { Description = "The account id (default: the node config's trading.account-id, else \"main\")" };

    private static Option<string?> ConfigOption() => new("--config") { Description = "The node's HOCON (as for 'trading node'): its strategy, store, journal and account unless given here" };

    /// <summary>What a node config names (strategy, store, journal, account), for the options not given on the command line.</summary>
    private sealed record NodeTarget(string? Strategy, string? Store, JournalKind Journal, string? JournalFile, string Account);

    private static NodeTarget Node(ParseResult parse, Option<string?> config, string? journalFile, Option<string?> account)
    {
        if (parse.GetValue(config) is not { } file)
            return new NodeTarget(null, null, JournalKind.Sqlite, journalFile, parse.GetValue(account) ?? "main");
        var root = Trading.Runtime.Configuration.HoconFile.Load(file);
        var node = Trading.Runtime.Hosting.TradingNodeOptions.FromConfig(root, file);
        var o = NodeFileOptions.Parse(root, file);
        var kind = journalFile is not null ? JournalKind.Sqlite : o.Journal;
        return new NodeTarget(o.StrategyFile, o.Store, kind,
            journalFile ?? (o.Journal == JournalKind.Sqlite ? Path.Combine(o.DataDirectory, "journal.db") : null), parse.GetValue(account) ?? node.AccountId);
    }

    private static Command Export()
    {
        var strategy = new Option<string?>("--strategy") { Description = "Strategy HOCON file (or the node config's)" };
        var store = new Option<string?>("--store", "-s") { Description = "Store folder with data up to the day before --date (or the node config's)" };
        var config = ConfigOption();
        var date = new Option<string>("--date", "-d") { Description = "Trade date YYYY-MM-DD (decided on the close of the store's last trading day before it)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder for targets_<yyyymmdd>_v<n>.json and its .ok marker", Required = true };
        var journal = new Option<string?>("--journal") { Description = "The node's SQLite journal: holdings and cash of the account (default: the node config's; without either, no holdings and --capital in cash)" };
        var capital = new Option<decimal?>("--capital") { Description = "NAV in CNY to size the targets with when there is no --journal (default: strategy.initial-cash)" };
        var account = AccountOption();
        var cmd = new Command("export", "Write the strategy's target portfolio for a trade date as a versioned, checksummed PTrade target file")
        {
            strategy, store, config, date, output, journal, capital, account,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var target = Node(parse, config, parse.GetValue(journal), account);
            var cfg = StrategyConfig.Load(parse.GetValue(strategy) ?? target.Strategy ?? throw new FormatException("give --strategy FILE or --config NODE.conf."));
            var storeDir = parse.GetValue(store) ?? target.Store ?? throw new FormatException("give --store DIR or --config NODE.conf.");
            var tradeDate = ParseDate(parse.GetValue(date)!, "--date");
            bool fromJournal = target.JournalFile is not null || target.Journal == JournalKind.Postgres;
            if (fromJournal && parse.GetValue(capital) is not null) throw new FormatException("give a journal (--journal, --config) or --capital, not both.");
            var model = new FactorStrategyModel(cfg);
            var panel = await MarketPanel.LoadAsync(MarketStore.Open(storeDir), ct);
            var missing = model.Unavailable(panel).ToList();
            if (missing.Count > 0) throw new FormatException($"{cfg.Source}: factors without data in this store: {string.Join("; ", missing)}");
            int decisionDay = Array.FindLastIndex(panel.Dates, d => d < tradeDate);
            if (decisionDay < 0) throw new FormatException($"--date {tradeDate:yyyy-MM-dd}: the store has no trading day before it.");
            string acct = target.Account;

            var held = new Dictionary<Symbol, long>();
            decimal nav;
            if (fromJournal)
            {
                var book = await PTradeJournal.ReadBookAsync(target.Journal, target.JournalFile, acct, ct);
                nav = book.Cash;
                foreach (var (symbol, p) in book.Positions)
                {
                    held[symbol] = p.Quantity;
                    nav += p.Quantity * Close(panel, decisionDay, symbol, p.LastPrice);
                }
            }
            else nav = parse.GetValue(capital) ?? cfg.InitialCash;
            if (nav <= 0) throw new FormatException($"the account's NAV is {nav}: nothing to invest.");

            var weights = held.ToDictionary(h => h.Key, h => (double)(h.Value * Close(panel, decisionDay, h.Key, 0m) / nav));
            var targets = model.Targets(panel, decisionDay, weights);
            // What the node would hold after this rebalance: the planner's orders (fee-aware lots and the trade filter
            // for a strategy with a portfolio block), through the strategy's pre-trade risk rules (position and order
            // caps resize or refuse an order here as they would in the node), applied to the holdings.
            var legs = new List<PTradeLeg>();
            var (quantities, refused) = PlannedTargets(cfg, panel, decisionDay, tradeDate, targets, held, nav);
            foreach (var (symbol, quantity) in quantities)
                if (quantity > 0 || held.ContainsKey(symbol)) legs.Add(new PTradeLeg(PTradeTargets.Code(symbol), quantity));
            foreach (var r in refused) Console.Error.WriteLine($"warning: {r}");
            legs.Sort((a, b) => string.CompareOrdinal(a.Code, b.Code));
            var outDir = parse.GetValue(output)!;
            var t = new PTradeTargets(acct, cfg.Name, tradeDate, panel.Dates[decisionDay], PTradeTargets.NextVersion(outDir, tradeDate), Math.Round(nav, 2), legs);
            var path = t.Write(outDir);
            Console.WriteLine($"Wrote {Path.GetFullPath(path)}: version {t.Version}, {legs.Count} positions (decided on the close of {panel.Dates[decisionDay]:yyyy-MM-dd}, NAV {t.Nav:N2}), sha256 {t.Sha256}.");
            Console.WriteLine($"Upload it, then {PTradeTargets.FileBase(tradeDate, t.Version)}.ok, to PTrade's research directory (get_research_path()).");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// What the strategy holds after the trades the node would send on the trade date: the planner's orders
    /// (<see cref="RebalancePlanner.Plan"/>, sized as the strategy sizes them) through its pre-trade risk chain, added
    /// to a book of the holdings (all sellable: the trade date is after the decision day) and the cash that makes
    /// <paramref name="nav"/>, marked and quoted at the decision day's close (the trade date's limits are not known
    /// yet: the planner's ±2 % cage applies). Also the risk rules' refusals, one line each.
    /// </summary>
    internal static (SortedDictionary<Symbol, long> Targets, List<string> Refused) PlannedTargets(StrategyConfig cfg, MarketPanel panel, int decisionDay,
        DateOnly tradeDate, ImmutableSortedDictionary<Symbol, double> targets, IReadOnlyDictionary<Symbol, long> held, decimal nav)
    {
        var day = panel.Dates[decisionDay];
        var positions = held.ToImmutableSortedDictionary(h => h.Key,
            h => new Position(new Holding(h.Value, h.Value), 0m, Close(panel, decisionDay, h.Key, 0m)));
        var book = PositionBookState.Empty with { Positions = positions, Date = day };
        book = book with { Cash = nav - book.MarketValue };
        var quotes = new Dictionary<Symbol, TradeQuote>();
        TradeQuote? Quote(Symbol symbol)
        {
            if (quotes.TryGetValue(symbol, out var known)) return known;
            int s = panel.SymbolIndex(symbol);
            if (s < 0) return null;
            decimal close = Close(panel, decisionDay, symbol, 0m);
            double volume = panel.Volume[panel.Cell(decisionDay, s)];
            if (close <= 0) return null;
            return quotes[symbol] = new TradeQuote(close, PriceLimit.None, false, double.IsFinite(volume) && volume > 0 ? (long)volume : 0);
        }
        var fees = StrategyOptions.Fees(cfg);
        long sequence = 0;
        var orders = RebalancePlanner.Plan(cfg.Name, tradeDate, targets, book, book.Cash, Quote, MarketRules.Default, cfg.CashBuffer, ref sequence,
            PlannerSizing.From(cfg, fees));
        var market = orders.Select(o => o.Symbol).Concat(held.Keys).Distinct()
            .Select(symbol => (symbol, q: Quote(symbol)))
            .Where(x => x.q is not null)
            .ToDictionary(x => x.symbol, x => new Trading.Risk.MarketQuote(x.q!.Value.ReferencePrice, x.q.Value.Limit, x.q.Value.Suspended));
        var account = new Trading.Risk.RiskAccount(book.Cash, 0m, book.Nav,
            book.Positions.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.Holding),
            book.Positions.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.MarketValue));
        var state = Trading.Risk.RiskState.Empty.Apply(new Trading.Risk.DayStarted(tradeDate));
        var batch = Trading.Risk.PreTradeChain.FromOptions(StrategyOptions.Risk(cfg)).EvaluateBatch(orders,
            new Trading.Risk.RiskContext(account, market, [], state, tradeDate.ToDateTime(new TimeOnly(9, 25))) { Market = MarketRules.Default, Fees = fees });
        var result = new SortedDictionary<Symbol, long>();
        foreach (var (symbol, quantity) in held) result[symbol] = quantity;
        foreach (var o in batch.Approved)
            result[o.Symbol] = result.GetValueOrDefault(o.Symbol) + (o.Side == Side.Buy ? o.Quantity : -o.Quantity);
        var refused = batch.Rejected.Select(r => $"{r.Requested.Side} {r.Requested.Quantity} {r.Requested.Symbol} not in the targets: {r.Rejection?.Rule}: {r.Rejection?.Reason}").ToList();
        return (result, refused);
    }

    /// <summary>The decision day's close of a symbol, or <paramref name="fallback"/> when it has none.</summary>
    private static decimal Close(MarketPanel panel, int day, Symbol symbol, decimal fallback)
    {
        int s = panel.SymbolIndex(symbol);
        if (s < 0) return fallback;
        double close = panel.Close[panel.Cell(day, s)];
        return double.IsFinite(close) && close > 0 ? Money.FromDouble(close) : fallback;
    }

    private static Command Import()
    {
        var acks = new Option<string>("--acks") { Description = "Folder with the ack_<yyyymmdd>_v<n>.json and fills_<yyyymmdd>_v<n>.json files downloaded from PTrade", Required = true };
        var targets = new Option<string?>("--targets") { Description = "Folder of the exported target files (default: --acks)" };
        var journal = new Option<string?>("--journal") { Description = "The node's SQLite journal (stop the node first), or the node config's" };
        var strategy = new Option<string?>("--strategy") { Description = "Strategy HOCON whose fees apply to the fills (default: the node config's strategy, else the market's fee schedule)" };
        var config = ConfigOption();
        var account = AccountOption();
        var cmd = new Command("import", "Record PTrade's acknowledged orders and fills in the node's journal (idempotent, by fill id)")
        {
            acks, targets, journal, config, strategy, account,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var ackDir = parse.GetValue(acks)!;
            if (!Directory.Exists(ackDir)) throw new DirectoryNotFoundException($"--acks '{ackDir}' is not a folder.");
            var target = Node(parse, config, parse.GetValue(journal), account);
            if (target.JournalFile is null && target.Journal != JournalKind.Postgres) throw new FormatException("give --journal FILE.db or --config NODE.conf.");
            var fees = (parse.GetValue(strategy) ?? target.Strategy) is { } s ? StrategyOptions.Fees(StrategyConfig.Load(s)) : FeeSchedule.Default;
            var acct = target.Account;
            var reading = PTradeAcknowledgements.Read(ackDir, parse.GetValue(targets) ?? ackDir, acct, fees);
            foreach (var note in reading.Notes) Console.WriteLine($"note: {note}");
            foreach (var problem in reading.Problems) Console.WriteLine($"problem: {problem}");
            var outcome = await PTradeJournal.ImportAsync(target.Journal, target.JournalFile, acct, reading.Orders, ct);
            Console.WriteLine($"Imported into account {acct}: {outcome.NewOrders} new orders, {outcome.NewFills} new fills ({outcome.KnownFills} already in the journal).");
            Console.WriteLine($"Cash {outcome.Book.Cash:N2}; positions: {(outcome.Book.Positions.Count == 0 ? "none" : string.Join(", ", outcome.Book.Positions.Select(p => $"{p.Key} {p.Value.Quantity}")))}");
            if (reading.Problems.Count > 0)
                throw new InvalidDataException($"{reading.Problems.Count} acknowledgement problem(s) not imported; first: {reading.Problems[0]}");
            return 0;
        }));
        return cmd;
    }

    internal static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new FormatException($"{option} '{text}' is not a date YYYY-MM-DD.");
}
