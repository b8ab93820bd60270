using Trading.Domain.Instruments;

namespace Trading.Data.Model;

/// <summary>
/// A stock's daily valuation (TuShare <c>daily_basic</c>): shares in shares (not 10k), values in CNY (not 10k CNY),
/// ratios as given (PE/PB times; turnover in %). NaN where the source has no value (e.g. PE of a loss maker).
/// </summary>
public readonly record struct Valuation(
    Symbol Symbol,
    DateOnly Date,
    double TotalShares,
    double FloatShares,
    double TotalMarketValue,
    double CirculatingMarketValue,
    double PeTtm,
    double Pb,
    double TurnoverRate);

/// <summary>Which sources' figures a <see cref="FinancialReport"/> holds.</summary>
[Flags]
public enum ReportParts
{
    None = 0,
    /// <summary>TuShare <c>fina_indicator</c>: ROE, growth, EPS, BPS.</summary>
    Indicators = 1,
    /// <summary>TuShare <c>income</c> (consolidated): revenue, profits, basic EPS.</summary>
    Income = 2,
    /// <summary>TuShare <c>balancesheet</c> (consolidated): assets, liabilities, equity, cash.</summary>
    BalanceSheet = 4,
}

/// <summary>
/// One financial report as announced: usable from <see cref="AnnDate"/> on (point in time). Ratios from TuShare
/// <c>fina_indicator</c> as given (percentages: ROE 12.5 = 12.5 %); consolidated income-statement and balance-sheet
/// figures (TuShare <c>income</c>, <c>balancesheet</c>, report_type 1) in CNY as given. NaN where missing.
/// <para>
/// One record, not a table per statement: the three sources describe the same announcement of the same period,
/// keyed alike by (symbol, announcement date, end_date), and a factor such as net margin or ROE wants figures of one
/// report side by side, point in time, through the lookup every financial factor already uses
/// (<c>FinancialHistory</c>). A source fills only its own figures (<see cref="ReportParts"/>); the import overlays
/// them onto the stored report of the same key, so importing income never erases fina_indicator's ratios. Where the
/// sources' announcement dates differ, they stay separate announcements and a factor asks for the latest report
/// that carries its part (<see cref="Carries"/>).
/// </para>
/// </summary>
public readonly record struct FinancialReport(
    Symbol Symbol,
    DateOnly AnnDate,
    DateOnly EndDate,
    double Roe,
    double NetProfitYoY,
    double RevenueYoY,
    double Eps,
    double Bps)
{
    /// <summary>A report with no figure at all (every part NaN).</summary>
    public static FinancialReport Empty(Symbol symbol, DateOnly ann, DateOnly end) =>
        new(symbol, ann, end, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    // income (doc 33), CNY
    public double BasicEps { get; init; } = double.NaN;
    public double TotalRevenue { get; init; } = double.NaN;
    public double Revenue { get; init; } = double.NaN;
    public double OperatingProfit { get; init; } = double.NaN;
    public double TotalProfit { get; init; } = double.NaN;
    /// <summary>Net income including minority interests (n_income).</summary>
    public double NetIncome { get; init; } = double.NaN;
    /// <summary>Net income attributable to the parent's shareholders (n_income_attr_p).</summary>
    public double NetIncomeToParent { get; init; } = double.NaN;

    // balancesheet (doc 36), CNY
    public double TotalAssets { get; init; } = double.NaN;
    public double TotalLiabilities { get; init; } = double.NaN;
    /// <summary>Equity attributable to the parent's shareholders (total_hldr_eqy_exc_min_int).</summary>
    public double ParentEquity { get; init; } = double.NaN;
    public double CurrentAssets { get; init; } = double.NaN;
    public double CurrentLiabilities { get; init; } = double.NaN;
    /// <summary>Cash and equivalents (money_cap).</summary>
    public double Cash { get; init; } = double.NaN;

    /// <summary>Whether any figure of <paramref name="part"/> is given (a source that gave none is as good as absent).</summary>
    public bool Carries(ReportParts part) => part switch
    {
        ReportParts.Indicators => Given(Roe, NetProfitYoY, RevenueYoY, Eps, Bps),
        ReportParts.Income => Given(BasicEps, TotalRevenue, Revenue, OperatingProfit, TotalProfit) || !double.IsNaN(NetIncome) || !double.IsNaN(NetIncomeToParent),
        ReportParts.BalanceSheet => Given(TotalAssets, TotalLiabilities, ParentEquity, CurrentAssets, CurrentLiabilities) || !double.IsNaN(Cash),
        _ => false,
    };

    private static bool Given(double a, double b, double c, double d, double e) =>
        !double.IsNaN(a) || !double.IsNaN(b) || !double.IsNaN(c) || !double.IsNaN(d) || !double.IsNaN(e);

    /// <summary>This report with <paramref name="part"/>'s figures taken from <paramref name="newer"/> (same key), the rest kept.</summary>
    public FinancialReport Overlay(FinancialReport newer, ReportParts part) => part switch
    {
        ReportParts.Indicators => this with { Roe = newer.Roe, NetProfitYoY = newer.NetProfitYoY, RevenueYoY = newer.RevenueYoY, Eps = newer.Eps, Bps = newer.Bps },
        ReportParts.Income => this with
        {
            BasicEps = newer.BasicEps, TotalRevenue = newer.TotalRevenue, Revenue = newer.Revenue, OperatingProfit = newer.OperatingProfit,
            TotalProfit = newer.TotalProfit, NetIncome = newer.NetIncome, NetIncomeToParent = newer.NetIncomeToParent,
        },
        ReportParts.BalanceSheet => this with
        {
            TotalAssets = newer.TotalAssets, TotalLiabilities = newer.TotalLiabilities, ParentEquity = newer.ParentEquity,
            CurrentAssets = newer.CurrentAssets, CurrentLiabilities = newer.CurrentLiabilities, Cash = newer.Cash,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, "one part at a time"),
    };
}
