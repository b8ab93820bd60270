using Trading.Data.Model;
using Trading.Domain.Instruments;

namespace Trading.Data.Synthetic;

/// <summary>
/// A generated A-share market: bars as TuShare would give them (raw prices in fen, no rows on suspended days,
/// pre_close = ex-rights reference on ex-dates, cumulative backward adj_factor from 1.0), reference data, a
/// cap-weighted benchmark, daily valuations and point-in-time financial reports, and the planted truth behind them
/// (<see cref="Truth"/>).
/// </summary>
public sealed class SyntheticMarket
{
    internal SyntheticMarket(SyntheticMarketOptions options, BarTable bars, IReadOnlyList<StockInfo> stocks,
        IReadOnlyList<IndexBar> benchmark, IReadOnlyList<DateOnly> tradingDays, int[] rowStart, SyntheticTruth truth,
        IReadOnlyList<Valuation> valuations, IReadOnlyList<FinancialReport> financials)
    {
        Valuations = valuations;
        Financials = financials;
        Options = options;
        Bars = bars;
        Stocks = stocks;
        Benchmark = benchmark;
        TradingDays = tradingDays;
        _rowStart = rowStart;
        Truth = truth;
    }

    private readonly int[] _rowStart;

    public SyntheticMarketOptions Options { get; }

    /// <summary>Daily bars sorted by (symbol packed value, date), traded days only.</summary>
    public BarTable Bars { get; }

    /// <summary>Reference data sorted by symbol; index i here is stock i in <see cref="Truth"/> and <see cref="RowsOf"/>.</summary>
    public IReadOnlyList<StockInfo> Stocks { get; }

    /// <summary>The cap-weighted benchmark, code <see cref="SyntheticMarketGenerator.BenchmarkCode"/>, one bar per trading day.</summary>
    public IReadOnlyList<IndexBar> Benchmark { get; }

    /// <summary>The synthetic exchange calendar: exactly <see cref="SyntheticMarketOptions.Days"/> days.</summary>
    public IReadOnlyList<DateOnly> TradingDays { get; }

    /// <summary>What was planted: factor exposures and returns, corporate actions, suspensions.</summary>
    public SyntheticTruth Truth { get; }

    /// <summary>
    /// Daily valuations as TuShare daily_basic would give them (units converted: shares, CNY), one per row of
    /// <see cref="Bars"/> and aligned with it (row i of the bars is valuation i). Total shares come from the planted
    /// size (<c>exp(LogCap) / first pre_close</c>, whole shares) and grow on bonus ex-dates; float shares are a
    /// fraction of them (<see cref="SyntheticTruth.FloatFraction"/>; for a listing, a smaller fraction until the
    /// lock-up ends 244 trading days after the IPO). total_mv = close × total shares, circ_mv = close × float
    /// shares, turnover = volume / float shares × 100. pe_ttm = total_mv / TTM net profit (NaN when the TTM profit
    /// is not positive or not yet known) and pb = total_mv / net assets, both from the reports announced on or
    /// before the day (see <see cref="Financials"/>): while the share count is unchanged since the reports' period
    /// ends, pe_ttm = close / TTM EPS and pb = close / BPS.
    /// </summary>
    public IReadOnlyList<Valuation> Valuations { get; }

    /// <summary>
    /// Financial reports as TuShare fina_indicator would give them, sorted by (symbol, ann_date, end_date):
    /// quarterly (end dates Mar 31, Jun 30, Sep 30, Dec 31) from two years before a stock's first bar, announced
    /// 20-31 days after Q1 and Q3, 20-62 after H1, 61-118 after the year end (March-April; the year's Q1 report
    /// never comes before it), moved off weekends, or two weeks before the listing for periods a new listing reports in its prospectus;
    /// only announcements up to the stock's last bar are included. Values follow the TuShare conventions:
    /// eps (CNY per share) and roe (%, on average equity) are year-to-date, netprofit_yoy and or_yoy (%) compare
    /// year-to-date figures with the same period a year earlier, bps is net assets per share at the period end.
    /// About 3 % of reports are restated: the first announcement misstates the profit and a later announcement of
    /// the same period (30-180 days on) gives the true figures.
    /// The same announcements carry the consolidated income statement and balance sheet (TuShare income,
    /// balancesheet; CNY, year to date) consistent with those ratios: n_income_attr_p = eps × shares at the period
    /// end, revenue the year-to-date revenue behind or_yoy, total_hldr_eqy_exc_min_int = bps × shares; minority
    /// interests 5 %, total_liab / total_assets a per-stock debt ratio in [0.15, 0.85] drawn from a stream of its own.
    /// </summary>
    public IReadOnlyList<FinancialReport> Financials { get; }

    /// <summary>The rows of stock <paramref name="stock"/> (an index into <see cref="Stocks"/>) in <see cref="Bars"/>.</summary>
    public (int Start, int Count) RowsOf(int stock) => (_rowStart[stock], _rowStart[stock + 1] - _rowStart[stock]);
}

/// <summary>
/// The planted structure of a synthetic market, for tests that must recover it. Per-stock arrays are aligned with
/// <see cref="SyntheticMarket.Stocks"/>, per-day arrays with <see cref="SyntheticMarket.TradingDays"/>, per-row
/// arrays with <see cref="SyntheticMarket.Bars"/>. The arrays are the generator's own: treat them as read-only.
/// <para>
/// The latent daily log return of stock i on day t is
/// <c>Beta[i]·MarketReturn[t] + IndustryReturn[Industry[i]][t] + SizePremium[t]·(LogCap[i] − SizeCenter)/SizeScale
/// + MomentumPremium[t]·exposure + IdioVol[i]·t_df/√(df/(df−2)) + jump</c>; the traded close follows the latent
/// price within the day's limits, so a move beyond the band is carried into the next days (limit streaks).
/// </para>
/// </summary>
public sealed class SyntheticTruth
{
    /// <summary>Names of the 31 SW level-1 industries; <see cref="Industry"/> indexes this list.</summary>
    public required IReadOnlyList<string> Industries { get; init; }

    /// <summary>Per stock: industry index into <see cref="Industries"/> (and <see cref="ShenwanIndustries.Level1"/>).</summary>
    public required int[] Industry { get; init; }

    /// <summary>Per stock: natural log of market cap in CNY at the first bar (the planted size).</summary>
    public required double[] LogCap { get; init; }

    /// <summary>Per stock: loading on the market factor.</summary>
    public required double[] Beta { get; init; }

    /// <summary>Per stock: daily idiosyncratic vol (the student-t shock is scaled to this standard deviation).</summary>
    public required double[] IdioVol { get; init; }

    /// <summary>Per stock: true when the stock is a benchmark constituent.</summary>
    public required bool[] IndexMember { get; init; }

    /// <summary>Size z-score = (LogCap − SizeCenter) / SizeScale.</summary>
    public required double SizeCenter { get; init; }
    public required double SizeScale { get; init; }

    /// <summary>Per day: the market factor's log return.</summary>
    public required double[] MarketReturn { get; init; }

    /// <summary>[industry][day]: each industry factor's log return.</summary>
    public required double[][] IndustryReturn { get; init; }

    /// <summary>Per day: return per unit of size z-score.</summary>
    public required double[] SizePremium { get; init; }

    /// <summary>Per day: return per unit of <see cref="MomentumExposure"/> (the planted momentum premium).</summary>
    public required double[] MomentumPremium { get; init; }

    /// <summary>Bars in the momentum window.</summary>
    public required int MomentumLookback { get; init; }

    /// <summary>Divisor of the momentum exposure: 0.025·√lookback.</summary>
    public required double MomentumScale { get; init; }

    /// <summary>
    /// Per row of <see cref="SyntheticMarket.Bars"/>: the momentum exposure that priced that row's return, known
    /// at the previous close: clamp(Σ over the stock's previous <see cref="MomentumLookback"/> bars of
    /// (ln(close/pre_close) − MarketReturn[day]) / <see cref="MomentumScale"/>, ±3). NaN while the stock has fewer
    /// bars than the lookback since its IPO period (no-limit days plus 40 bars) ended.
    /// </summary>
    public required float[] MomentumExposure { get; init; }

    /// <summary>Every ex-date applied, sorted by symbol then date.</summary>
    public required IReadOnlyList<SyntheticCorporateAction> CorporateActions { get; init; }

    /// <summary>Every suspension spell (days without a row while listed), sorted by symbol then date.</summary>
    public required IReadOnlyList<SyntheticSuspension> Suspensions { get; init; }

    /// <summary>
    /// Per stock: the planted mean annual ROE in % (quality). Quarterly profit starts at RoeMean/4 % of the opening
    /// equity and grows at <see cref="ProfitGrowth"/> with AR(1) noise; equity accumulates profit less cash dividends.
    /// </summary>
    public double[] RoeMean { get; init; } = [];

    /// <summary>Per stock: the planted annual growth rate of net profit (growth); a loss shrinks when it is positive.</summary>
    public double[] ProfitGrowth { get; init; } = [];

    /// <summary>Per stock: price-to-book when the report history begins, net assets = exp(LogCap) / InitialPb (value).</summary>
    public double[] InitialPb { get; init; } = [];

    /// <summary>Per stock: float shares as a fraction of total shares (after any IPO lock-up).</summary>
    public double[] FloatFraction { get; init; } = [];
}

/// <summary>
/// An ex-date: pre_close that day is <see cref="ReferencePrice"/> = round_half_up((PrevClose − CashDividend) /
/// (1 + BonusRatio), 2), and adj_factor grows by PrevClose / ReferencePrice.
/// </summary>
/// <param name="CashDividend">CNY per share (to 0.001).</param>
/// <param name="BonusRatio">New shares per share (送转), e.g. 0.3 for 10送3; 0 when none.</param>
public readonly record struct SyntheticCorporateAction(
    Symbol Symbol, DateOnly Date, decimal CashDividend, decimal BonusRatio, decimal PrevClose, decimal ReferencePrice);

/// <summary>A suspension: trading days <see cref="First"/>..<see cref="Last"/> (inclusive) have no row.</summary>
public readonly record struct SyntheticSuspension(Symbol Symbol, DateOnly First, DateOnly Last, int TradingDays);
