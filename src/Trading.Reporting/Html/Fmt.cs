using System.Globalization;
using System.Text;

namespace Trading.Reporting.Html;

/// <summary>Invariant, culture-free formatting and HTML encoding (the report must not depend on the machine's locale).</summary>
internal static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Pct(double v, int digits = 2) =>
        double.IsFinite(v) ? (v * 100).ToString("F" + digits, Inv) + "%" : "–";

    /// <summary>Percent with an explicit sign: +1.23% / −4.56%.</summary>
    public static string SignedPct(double v, int digits = 2) =>
        !double.IsFinite(v) ? "–" : (v >= 0 ? "+" : "−") + Math.Abs(v * 100).ToString("F" + digits, Inv) + "%";

    /// <summary>Percentage points with a sign, for differences of returns.</summary>
    public static string Pp(double v, int digits = 2) =>
        !double.IsFinite(v) ? "–" : (v >= 0 ? "+" : "−") + Math.Abs(v * 100).ToString("F" + digits, Inv) + " pp";

    public static string Num(double v, int digits = 2) =>
        double.IsFinite(v) ? v.ToString("F" + digits, Inv) : "–";

    public static string Int(long v) => v.ToString("N0", Inv);

    public static string Money(decimal v) => v.ToString("N2", Inv);

    public static string Money(double v) => double.IsFinite(v) ? v.ToString("N2", Inv) : "–";

    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", Inv);

    public static string Month(DateOnly d) => d.ToString("yyyy-MM", Inv);

    /// <summary>CSS class of a signed number (A-share colours: up red, down green).</summary>
    public static string Sign(double v) => !double.IsFinite(v) || v == 0 ? "" : v > 0 ? "pos" : "neg";

    /// <summary>HTML-encodes text for element content and quoted attribute values.</summary>
    public static string H(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        int i = text.AsSpan().IndexOfAny("&<>\"'");
        if (i < 0 && !HasControl(text)) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (char.IsControl(c) && c != '\n' && c != '\t') sb.Append(' ');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool HasControl(string s)
    {
        foreach (var c in s) if (char.IsControl(c) && c != '\n' && c != '\t') return true;
        return false;
    }
}
