using System.Globalization;

namespace Trading.Data.Csv;

/// <summary>Writing side of CSV (Sylvan reads): RFC 4180 quoting and invariant number formatting.</summary>
public static class CsvText
{
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        bool quote = value.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        return quote ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    public static string Row(params string?[] fields) => string.Join(',', fields.Select(Field));

    public static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public static string Num(decimal v) => v.ToString(CultureInfo.InvariantCulture);
}
