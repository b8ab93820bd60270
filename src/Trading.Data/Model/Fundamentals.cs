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

/// <summary>
/// One financial report as announced (TuShare <c>fina_indicator</c>): usable from <see cref="AnnDate"/> on (point in
/// time). Percentages as given (ROE 12.5 = 12.5 %). NaN where missing.
/// </summary>
public readonly record struct FinancialReport(
    Symbol Symbol,
    DateOnly AnnDate,
    DateOnly EndDate,
    double Roe,
    double NetProfitYoY,
    double RevenueYoY,
    double Eps,
    double Bps);
