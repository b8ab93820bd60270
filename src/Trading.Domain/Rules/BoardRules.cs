using Trading.Domain.Instruments;

namespace Trading.Domain.Rules;

/// <summary>The rules of one board: bands (normal, ST), no-limit days after an IPO, quantities and tick.</summary>
public sealed record BoardRules(
    Board Board,
    DatedSetting<decimal> LimitPct,
    DatedSetting<decimal> StLimitPct,
    DatedSetting<int> IpoNoLimitDays,
    QuantityRule Quantity,
    decimal Tick);

/// <summary>What decides a stock's price band on one day, besides its board.</summary>
/// <param name="Reference">The exchange's reference price (前收盘价; after an ex-date the ex-rights reference).</param>
/// <param name="IsSt">Under risk warning (ST or *ST) on that day.</param>
/// <param name="TradingDaysListed">0 on the listing day, 1 on the next trading day, …; null when unknown.</param>
/// <param name="ListDate">The listing date; the IPO rule in force then applies (null when unknown).</param>
public readonly record struct LimitContext(decimal Reference, bool IsSt, int? TradingDaysListed, DateOnly? ListDate);

/// <summary>
/// The A-share rulebook by board, every band dated and sourced. <see cref="Default"/> follows A_SHARE_RULES.md;
/// tests and configs may replace any setting.
/// </summary>
public sealed class MarketRules
{
    private readonly Dictionary<Board, BoardRules> _boards;

    public MarketRules(IEnumerable<BoardRules> boards) => _boards = boards.ToDictionary(b => b.Board);

    public BoardRules For(Board board) =>
        _boards.TryGetValue(board, out var rules) ? rules : throw new KeyNotFoundException($"No rules for board {board}.");

    public BoardRules For(Symbol symbol) => For(symbol.Board);

    public QuantityRule Quantity(Symbol symbol) => For(symbol).Quantity;

    /// <summary>The band pct in force for a stock on a date (ST band when under risk warning).</summary>
    public decimal BandPct(Board board, DateOnly date, bool isSt)
    {
        var rules = For(board);
        return isSt ? rules.StLimitPct.At(date) : rules.LimitPct.At(date);
    }

    /// <summary>True on the first days after listing when the board sets no price limit.</summary>
    public bool IsNoLimitDay(Board board, int? tradingDaysListed, DateOnly? listDate) =>
        tradingDaysListed is { } n && listDate is { } listed && n < For(board).IpoNoLimitDays.At(listed);

    /// <summary>The price band of a stock on a date: round_half_up(reference × (1 ± pct), 2), or none on IPO days.</summary>
    public PriceLimit Limit(Symbol symbol, DateOnly date, in LimitContext context)
    {
        var board = symbol.Board;
        if (IsNoLimitDay(board, context.TradingDaysListed, context.ListDate)) return PriceLimit.None;
        return PriceLimit.FromReference(context.Reference, BandPct(board, date, context.IsSt));
    }

    private static readonly DateOnly Since1996 = new(1996, 12, 16);

    // Sources (A_SHARE_RULES.md §1.1 and §6): bands [C]; ST band [P]; the 2025-07-07 ST change is [U];
    // ChiNext registration reform 2020-08-24; STAR launch 2019-07-22; BSE opening 2021-11-15;
    // main-board registration regime (5 no-limit IPO days) from 2023-04-10 [P].
    private const string Rules11 = "A_SHARE_RULES.md §1.1";

    public static MarketRules Default { get; } = new(
    [
        new BoardRules(Board.ShanghaiMain, MainBand(), MainStBand(), MainIpoDays(),
            new QuantityRule(100, 100, 1_000_000, 1_000_000), Money.Fen),
        new BoardRules(Board.ShenzhenMain, MainBand(), MainStBand(), MainIpoDays(),
            new QuantityRule(100, 100, 1_000_000, 1_000_000), Money.Fen),
        new BoardRules(Board.ChiNext,
            new DatedSetting<decimal>("ChiNext band",
                new(Since1996, 0.10m, $"{Rules11}: ±10% before the registration reform"),
                new(new DateOnly(2020, 8, 24), 0.20m, $"{Rules11} [C]: ±20% from the 2020-08-24 reform")),
            new DatedSetting<decimal>("ChiNext ST band",
                new(Since1996, 0.05m, $"{Rules11}: ±5% before the reform"),
                new(new DateOnly(2020, 8, 24), 0.20m, $"{Rules11} [P]: no separate ST band since 2020-08-24")),
            new DatedSetting<int>("ChiNext IPO no-limit days",
                new(DateOnly.MinValue, 1, $"{Rules11}: day-1 band against the issue price, not the daily band"),
                new(new DateOnly(2020, 8, 24), 5, $"{Rules11} [C]: first 5 days")),
            new QuantityRule(100, 100, 300_000, 150_000), Money.Fen),
        new BoardRules(Board.Star,
            DatedSetting<decimal>.Always("STAR band", 0.20m, $"{Rules11} [C]: ±20% since launch 2019-07-22"),
            DatedSetting<decimal>.Always("STAR ST band", 0.20m, $"{Rules11} [P]"),
            DatedSetting<int>.Always("STAR IPO no-limit days", 5, $"{Rules11} [C]"),
            new QuantityRule(200, 1, 100_000, 50_000), Money.Fen),
        new BoardRules(Board.Bse,
            DatedSetting<decimal>.Always("BSE band", 0.30m, $"{Rules11} [C]: ±30% since opening 2021-11-15"),
            DatedSetting<decimal>.Always("BSE ST band", 0.30m, $"{Rules11} [P]"),
            DatedSetting<int>.Always("BSE IPO no-limit days", 1, $"{Rules11} [C]: first day only"),
            new QuantityRule(100, 1, 1_000_000, 1_000_000), Money.Fen),
    ]);

    private static DatedSetting<decimal> MainBand() =>
        DatedSetting<decimal>.Always("main-board band", 0.10m, $"{Rules11} [C]: ±10% since 1996-12-16");

    private static DatedSetting<decimal> MainStBand() => new("main-board ST band",
        new(DateOnly.MinValue, 0.05m, $"{Rules11} [P]: ±5% for ST/*ST"),
        new(new DateOnly(2025, 7, 7), 0.10m, $"{Rules11} [U]: reported rise to ±10% effective 2025-07-07, unverified"));

    private static DatedSetting<int> MainIpoDays() => new("main-board IPO no-limit days",
        new(DateOnly.MinValue, 1, $"{Rules11} [U]: day-1 band +44%/−36% of the issue price, not the daily band"),
        new(new DateOnly(2023, 4, 10), 5, $"{Rules11} [P]: first 5 days under the registration regime"));
}
