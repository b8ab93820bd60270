using System.Globalization;
using System.Text;

namespace Trading.Data.Text;

/// <summary>
/// Makes text from inputs safe to echo in messages: control characters (C0, DEL, C1) and invisible format
/// characters (bidirectional overrides, zero-width marks) become visible escapes such as <c>\x1B</c> or
/// <c>\u202E</c>, so an input cannot move the cursor, recolour or rewrite the terminal. Printable text, Chinese
/// included, is kept as it is.
/// </summary>
public static class Printable
{
    public static bool NeedsEscape(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator;

    public static bool HasControl(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (NeedsEscape(c)) return true;
        return false;
    }

    /// <summary>The text with every control or format character escaped (<c>\n</c>, <c>\t</c>, <c>\xNN</c>, <c>\uNNNN</c>).</summary>
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s) || !HasControl(s)) return s ?? "";
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (!NeedsEscape(c)) { sb.Append(c); continue; }
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c <= 0xFF => $"\\x{(int)c:X2}",
                _ => $"\\u{(int)c:X4}",
            });
        }
        return sb.ToString();
    }
}
