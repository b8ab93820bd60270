using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Trading.Reporting.Metrics;

public sealed partial record PerformanceReport
{
    /// <summary>
    /// The report as JSON with snake_case keys and a fixed schema: every key is always present; NaN and ±∞ are
    /// written as null, as are the benchmark keys without a benchmark and the trade keys without trade data.
    /// Ratios and returns are fractions (0.05 = 5 %), dates yyyy-MM-dd. <c>monthly_returns</c> is
    /// {"2016": {"01": …, "02": …, "year": …}} with only the months that have returns. With
    /// <paramref name="includeSeries"/>, a <c>series</c> object adds the daily, rolling and histogram series as
    /// {"dates": […], "values": […]}.
    /// </summary>
    public string ToJson(bool includeSeries = false, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteString("start_date", Iso(StartDate));
            w.WriteString("end_date", Iso(EndDate));
            w.WriteNumber("days", Days);
            w.WriteNumber("return_days", ReturnDays);
            Num(w, "years", Years);
            Num(w, "start_nav", StartNav);
            Num(w, "end_nav", EndNav);
            Num(w, "risk_free_rate", RiskFreeRate);

            Num(w, "total_return", TotalReturn);
            Num(w, "cagr", Cagr);
            Num(w, "volatility", Volatility);
            Num(w, "sharpe", Sharpe);
            Num(w, "sortino", Sortino);
            Num(w, "calmar", Calmar);
            Num(w, "max_drawdown", MaxDrawdown.Depth);
            Date(w, "max_drawdown_start", MaxDrawdown.Start);
            Date(w, "max_drawdown_valley", MaxDrawdown.Valley);
            Date(w, "max_drawdown_end", MaxDrawdown.End);
            Date(w, "max_drawdown_recovery", MaxDrawdown.Recovery);
            w.WriteNumber("longest_drawdown_days", LongestDrawdownDays);
            Num(w, "var_95", ValueAtRisk95);
            Num(w, "var_95_historical", HistoricalValueAtRisk95);
            Num(w, "cvar_95", ConditionalValueAtRisk95);
            Num(w, "win_rate", WinRate);
            Num(w, "best_day", BestDay);
            Num(w, "worst_day", WorstDay);
            Num(w, "best_month", BestMonth);
            Num(w, "worst_month", WorstMonth);
            Num(w, "skew", Skew);
            Num(w, "kurtosis", Kurtosis);

            var b = Benchmark;
            Int(w, "benchmark_days", b?.CommonDates);
            Num(w, "beta", b?.Beta);
            Num(w, "alpha", b?.Alpha);
            Num(w, "correlation", b?.Correlation);
            Num(w, "information_ratio", b?.InformationRatio);
            Num(w, "tracking_error", b?.TrackingError);
            Num(w, "benchmark_total_return", b?.TotalReturn);
            Num(w, "benchmark_cagr", b?.Cagr);
            Num(w, "benchmark_volatility", b?.Volatility);
            Num(w, "benchmark_sharpe", b?.Sharpe);
            Num(w, "benchmark_max_drawdown", b?.MaxDrawdown);

            var t = Trading;
            Num(w, "exposure", t?.Exposure);
            Num(w, "turnover", t?.Turnover);
            Num(w, "avg_holding_days", t?.AverageHoldingDays);
            Int(w, "trades", t?.NumberOfTrades);
            Int(w, "round_trips", t?.NumberOfRoundTrips);
            Num(w, "trade_win_rate", t?.TradeWinRate);
            Num(w, "profit_loss_ratio", t?.ProfitLossRatio);
            Num(w, "fees", t?.FeesPaid);

            w.WriteStartObject("monthly_returns");
            foreach (var year in YearlyReturns)
            {
                w.WriteStartObject(year.Year.ToString("D4", CultureInfo.InvariantCulture));
                foreach (var m in MonthlyReturns)
                    if (m.Year == year.Year) Num(w, m.Month.ToString("D2", CultureInfo.InvariantCulture), m.Return);
                Num(w, "year", year.Return);
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteStartArray("drawdowns");
            foreach (var e in DrawdownEpisodes)
            {
                w.WriteStartObject();
                w.WriteString("start", Iso(e.Start));
                w.WriteString("valley", Iso(e.Valley));
                w.WriteString("end", Iso(e.End));
                w.WriteNumber("days", e.Days);
                Num(w, "max_drawdown", e.MaxDrawdown);
                Date(w, "recovery", e.Recovery);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            if (includeSeries)
            {
                w.WriteStartObject("series");
                Series(w, "returns", Returns);
                Series(w, "cumulative", Cumulative);
                Series(w, "drawdown", Drawdown);
                w.WriteNumber("rolling_window", RollingWindow);
                Series(w, "rolling_sharpe", RollingSharpe);
                Series(w, "rolling_volatility", RollingVolatility);
                if (b is not null)
                {
                    Series(w, "benchmark_returns", b.Returns);
                    Series(w, "benchmark_cumulative", b.Cumulative);
                    Series(w, "rolling_beta", b.RollingBeta);
                }
                w.WriteStartArray("histogram");
                foreach (var bin in Histogram)
                {
                    w.WriteStartObject();
                    Num(w, "lower", bin.Lower);
                    Num(w, "upper", bin.Upper);
                    w.WriteNumber("count", bin.Count);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (t is not null)
                {
                    w.WriteStartArray("round_trip_details");
                    foreach (var rt in t.RoundTrips)
                    {
                        w.WriteStartObject();
                        w.WriteString("symbol", rt.Symbol);
                        w.WriteString("open_date", Iso(rt.OpenDate));
                        w.WriteString("close_date", Iso(rt.CloseDate));
                        w.WriteNumber("quantity", rt.Quantity);
                        Num(w, "cost", rt.Cost);
                        Num(w, "proceeds", rt.Proceeds);
                        Num(w, "profit", rt.Profit);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void Num(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x && double.IsFinite(x)) w.WriteNumber(name, x);
        else w.WriteNull(name);
    }

    private static void Int(Utf8JsonWriter w, string name, int? v)
    {
        if (v is { } x) w.WriteNumber(name, x);
        else w.WriteNull(name);
    }

    private static void Date(Utf8JsonWriter w, string name, DateOnly? d)
    {
        if (d is { } x) w.WriteString(name, Iso(x));
        else w.WriteNull(name);
    }

    private static void Series(Utf8JsonWriter w, string name, IReadOnlyList<DatedValue> series)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("dates");
        foreach (var p in series) w.WriteStringValue(Iso(p.Date));
        w.WriteEndArray();
        w.WriteStartArray("values");
        foreach (var p in series)
        {
            if (double.IsFinite(p.Value)) w.WriteNumberValue(p.Value);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
