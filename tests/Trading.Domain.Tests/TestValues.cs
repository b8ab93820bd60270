using System.Globalization;

namespace Trading.Domain.Tests;

/// <summary>Parsers for [InlineData] rows: attributes cannot hold decimals or dates, so rows carry them as text.</summary>
internal static class TestValues
{
    /// <summary>An exact decimal from its invariant text, e.g. "11.06".</summary>
    public static decimal M(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>A date from yyyy-MM-dd or yyyyMMdd (TuShare's trade_date).</summary>
    public static DateOnly D(string text) =>
        text.Length == 8
            ? DateOnly.ParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture)
            : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A time of day from HH:mm or HH:mm:ss.</summary>
    public static TimeOnly T(string text) =>
        TimeOnly.ParseExact(text, text.Length == 5 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);
}
