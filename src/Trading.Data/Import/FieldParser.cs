using System.Globalization;
using Trading.Data.Validation;

namespace Trading.Data.Import;

/// <summary>Parses one field and, when it fails, says which kind of failure it is (missing, malformed, NaN…).</summary>
internal static class FieldParser
{
    private const NumberStyles Decimal = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite;
    private const NumberStyles Float = Decimal | NumberStyles.AllowExponent;

    public readonly record struct Failure(IssueKind Kind, string Message);

    private static bool IsNonFinite(ReadOnlySpan<char> s)
    {
        s = s.Trim().TrimStart("+-");
        return s.Equals("nan", StringComparison.OrdinalIgnoreCase) || s.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || s.Equals("infinity", StringComparison.OrdinalIgnoreCase) || s.Equals("∞", StringComparison.Ordinal);
    }

    /// <summary>A raw price: a finite, positive decimal on the 0.01 tick.</summary>
    public static Failure? Price(ReadOnlySpan<char> s, out decimal value)
    {
        value = 0;
        if (s.IsWhiteSpace()) return new(IssueKind.MissingValue, "empty price");
        if (IsNonFinite(s)) return new(IssueKind.BadPrice, $"price '{s.ToString()}' is not a finite number");
        if (!decimal.TryParse(s, Float, CultureInfo.InvariantCulture, out value))
            return new(IssueKind.MalformedNumber, $"'{s.ToString()}' is not a number");
        if (value <= 0m) return new(IssueKind.BadPrice, $"price {value} must be positive");
        if (value % 0.01m != 0m)
            return new(IssueKind.OffTick, $"price {value} is not on the 0.01 tick (raw, unadjusted prices expected; adjustment belongs in adj_factor)");
        return null;
    }

    /// <summary>A finite non-negative quantity (volume or amount) times a unit multiplier.</summary>
    public static Failure? Quantity(ReadOnlySpan<char> s, double unit, IssueKind negativeKind, out double value)
    {
        value = 0;
        if (s.IsWhiteSpace()) return new(IssueKind.MissingValue, "empty value");
        if (IsNonFinite(s)) return new(IssueKind.MalformedNumber, $"'{s.ToString()}' is not a finite number");
        if (!double.TryParse(s, Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
            return new(IssueKind.MalformedNumber, $"'{s.ToString()}' is not a number");
        if (value < 0) return new(negativeKind, $"{value.ToString(CultureInfo.InvariantCulture)} must not be negative");
        value *= unit;
        return null;
    }

    /// <summary>A cumulative adjustment factor: finite and strictly positive.</summary>
    public static Failure? AdjFactor(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        if (s.IsWhiteSpace()) return new(IssueKind.MissingValue, "empty adj_factor");
        if (IsNonFinite(s)) return new(IssueKind.BadAdjFactor, $"adj_factor '{s.ToString()}' is not finite");
        if (!double.TryParse(s, Float, CultureInfo.InvariantCulture, out value))
            return new(IssueKind.MalformedNumber, $"'{s.ToString()}' is not a number");
        if (!(value > 0)) return new(IssueKind.BadAdjFactor, $"adj_factor {value.ToString(CultureInfo.InvariantCulture)} must be positive");
        return null;
    }

    /// <summary>
    /// An optional number (fundamentals): empty, <c>NaN</c>, <c>null</c> or <c>None</c> is missing (NaN); an
    /// infinity or text that is not a number is malformed. The value is multiplied by <paramref name="unit"/>.
    /// </summary>
    public static Failure? OptionalNumber(ReadOnlySpan<char> s, double unit, out double value)
    {
        value = double.NaN;
        s = s.Trim();
        if (s.IsEmpty || s.Equals("nan", StringComparison.OrdinalIgnoreCase) || s.Equals("null", StringComparison.OrdinalIgnoreCase)
            || s.Equals("none", StringComparison.OrdinalIgnoreCase))
            return null;
        if (IsNonFinite(s)) return new(IssueKind.MalformedNumber, $"'{s.ToString()}' is not a finite number");
        if (!double.TryParse(s, Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            return new(IssueKind.MalformedNumber, $"'{s.ToString()}' is not a number");
        value = v * unit;
        return null;
    }

    /// <summary>A date as YYYY-MM-DD or YYYYMMDD.</summary>
    public static Failure? Date(ReadOnlySpan<char> s, out DateOnly value)
    {
        s = s.Trim();
        value = default;
        if (s.IsEmpty) return new(IssueKind.MissingValue, "empty date");
        if (DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value)) return null;
        if (DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value)) return null;
        return new(IssueKind.BadDate, $"'{s.ToString()}' is not a date (YYYY-MM-DD or YYYYMMDD)");
    }
}
