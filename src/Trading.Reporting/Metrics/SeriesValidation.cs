using System.Globalization;

namespace Trading.Reporting.Metrics;

/// <summary>
/// Checks of a dated price-like series (NAV, benchmark close): at least <c>minRows</c> rows, every value a
/// positive finite number, dates strictly increasing (so no duplicates). The first failure is reported.
/// </summary>
internal static class SeriesValidation
{
    /// <summary>Error factory: index of the bad row (−1 for the series as a whole) and the message.</summary>
    internal delegate MetricsInputException ErrorAt(int index, string message);

    public static void Validate(IReadOnlyList<(DateOnly Date, double Value)> rows, string what, int minRows, ErrorAt error)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count < minRows)
            throw error(-1, $"{what} series has {rows.Count} row{(rows.Count == 1 ? "" : "s")}; at least {minRows} are needed");
        for (int i = 0; i < rows.Count; i++)
        {
            var (date, value) = rows[i];
            if (!double.IsFinite(value))
                throw error(i, $"{what} is {Text(value)}; it must be a finite positive number");
            if (value <= 0)
                throw error(i, $"{what} is {Text(value)}; it must be positive");
            if (i > 0)
            {
                var prev = rows[i - 1].Date;
                if (date == prev)
                    throw error(i, $"duplicate date {Iso(date)} (same as the previous row)");
                if (date < prev)
                    throw error(i, $"date {Iso(date)} is earlier than the previous row's {Iso(prev)}; dates must be sorted ascending");
            }
        }
    }

    /// <summary>Validation of an in-memory list: errors say "NAV row 3 (2016-01-05): …" (1-based).</summary>
    public static void ValidateList(IReadOnlyList<(DateOnly Date, double Value)> rows, string what, string rowName)
    {
        Validate(rows, what, 2, (i, message) => i < 0
            ? new MetricsInputException(message)
            : new MetricsInputException($"{rowName} row {i + 1} ({Iso(rows[i].Date)}): {message}", row: i + 1));
    }

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
