using Trading.Domain.Rules;

namespace Trading.Reporting.Metrics;

/// <summary>A value on a date: one point of a returns, drawdown or rolling series.</summary>
public readonly record struct DatedValue(DateOnly Date, double Value);

/// <summary>
/// One fill, as trades.csv of a backtest has it. <see cref="Amount"/> is the gross traded value
/// (quantity × price, positive for both sides); <see cref="Fees"/> is everything paid on the fill
/// (commission + stamp duty + transfer fee + other fees).
/// </summary>
public sealed record TradeRecord(DateOnly Date, string Symbol, Side Side, long Quantity, double Price, double Amount, double Fees);

/// <summary>One end-of-day holding: a symbol's market value on a date (positions.csv).</summary>
public sealed record PositionRecord(DateOnly Date, string Symbol, double MarketValue);

/// <summary>
/// Optional trading data for the trade statistics. Any part may be null. Exposure comes from
/// <see cref="Positions"/> when given, otherwise from <see cref="MarketValue"/> (nav.csv's market_value column).
/// </summary>
public sealed record TradingActivity(
    IReadOnlyList<TradeRecord>? Trades = null,
    IReadOnlyList<PositionRecord>? Positions = null,
    IReadOnlyList<(DateOnly Date, double MarketValue)>? MarketValue = null);

/// <summary>Knobs of <see cref="PerformanceAnalyzer.Analyze"/>; the defaults are QuantStats'.</summary>
public sealed record MetricsOptions
{
    public static MetricsOptions Default { get; } = new();

    /// <summary>Window of the rolling Sharpe / volatility / beta series, in returns (trading days). Default 126 ≈ 6 months.</summary>
    public int RollingWindow { get; init; } = 126;

    /// <summary>Bins of the daily-return histogram; 0 (default) = Sturges' rule, ⌈log2 N⌉ + 1 for N returns.</summary>
    public int HistogramBins { get; init; }

    /// <summary>
    /// Annual risk-free rate subtracted, as QuantStats does, from the daily returns of Sharpe, Sortino and the
    /// rolling Sharpe only: r − ((1 + rf)^(1/252) − 1). Default 0.
    /// </summary>
    public double RiskFreeRate { get; init; }
}
