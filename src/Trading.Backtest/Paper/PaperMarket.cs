using System.Collections.Immutable;
using Trading.Brokers;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Runtime.Strategy;

namespace Trading.Backtest.Paper;

/// <summary>
/// The market of a paper node: a stored day replayed through the simulated exchange, in the same phases as the
/// backtest (<see cref="BacktestEngine"/>): the day opens (reference prices, limits, corporate actions), orders fill
/// at the configured timing after the rebalance, the rest of the day at its average price (VWAP proxy), and the
/// close ends the day. Only daily bars are stored, so no intraday path is invented. Without an exchange (null: the
/// broker lives in another process, behind the bridge, and runs its own market) only the data side remains: quotes,
/// corporate actions and closes for the book.
/// <para>With an execution algo (<see cref="MatchesThroughTheDay"/>) children are sent all day long: the exchange then
/// also matches open orders at every intraday monitor, by the same daily fill model (the day's average price, the
/// volume cap of the day's bar) — still no invented intraday path, only more moments at which that model is asked.</para>
/// </summary>
public sealed class PaperMarket(MarketPanel panel, SimulatedExchange? exchange, FillTiming timing)
{
    /// <summary>Match open orders at each intraday monitor too (the strategy slices its orders through the day).</summary>
    public bool MatchesThroughTheDay { get; init; }

    /// <summary>An intraday match (see <see cref="MatchesThroughTheDay"/>): none unless the day is open at the exchange.</summary>
    public IReadOnlyList<Fill> Intraday(DateOnly day) =>
        MatchesThroughTheDay && Exchange is { IsDayOpen: true } ex && ex.CurrentDay == day ? RestOfDay(day) : [];

    public MarketPanel Panel { get; } = panel;

    public SimulatedExchange? Exchange { get; } = exchange;

    public FillTiming Timing { get; } = timing;

    public bool IsStored(DateOnly day) => Panel.DayIndex(day) >= 0;

    /// <summary>Opens <paramref name="day"/> at the exchange; returns the corporate actions of the held stocks for the book.</summary>
    public IReadOnlyList<CorporateAction> BeginDay(DateOnly day, IEnumerable<Symbol> held)
    {
        int d = Panel.DayIndex(day);
        var actions = BacktestEngine.CorporateActions(Panel, d, held.Order());
        Exchange?.BeginDay(day, PanelBars.On(Panel, day), actions);
        return actions;
    }

    /// <summary>Fills at the strategy's timing (the open, by default): what the continuous session does with the rebalance's orders.</summary>
    public IReadOnlyList<Fill> AfterRebalance(DateOnly day) => Exchange?.MatchBar(day, Timing, PanelBars.On(Panel, day)) ?? [];

    /// <summary>The rest of the day's trading at its average price, before open orders are cancelled.</summary>
    public IReadOnlyList<Fill> RestOfDay(DateOnly day) => Exchange?.MatchBar(day, FillTiming.Vwap, PanelBars.On(Panel, day)) ?? [];

    public void Close(DateOnly day) => Exchange?.EndDay(day);

    public TradeQuote? Quote(Symbol symbol, DateOnly day) => BacktestEngine.PreOpenQuote(Panel, symbol, day);

    public ImmutableDictionary<Symbol, decimal> Closes(DateOnly day, IEnumerable<Symbol> held) =>
        BacktestEngine.Closes(Panel, Panel.DayIndex(day), held);
}
