namespace Trading.Runtime.Configuration;

/// <summary>
/// A structural check of HOCON text before Akka's parser sees it: balanced braces and brackets, closed strings.
/// Akka's parser is lenient with some malformed input and never returns on others (an unclosed array makes it
/// loop until memory runs out), so a config with a typo must be caught here, with its line and column. Akka's parser
/// and its value readers are also recursive (one level per brace, bracket and dot of a key), so nesting is bounded
/// here: a stack overflow cannot be caught in .NET and would kill the process.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Braces and brackets open at once, at most (real configs use fewer than 10).</summary>
    public const int MaxDepth = 64;

    /// <summary>Segments of one dotted key or value (<c>a.b.c</c>), at most.</summary>
    public const int MaxDottedSegments = 64;

    /// <summary>Null when the structure is sound, else a message with line:column.</summary>
    public static string? Check(string text)
    {
        var stack = new Stack<(char Open, int Line, int Col)>();
        int line = 1, col = 0, dots = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            col++;
            if (c == '.' && ++dots >= MaxDottedSegments) return $"line {line}, column {col}: more than {MaxDottedSegments} dotted segments in one key or value";
            else if (c is not '.' and not '"' && (char.IsWhiteSpace(c) || c is '=' or ':' or ',' or '{' or '}' or '[' or ']')) dots = 0;
            if (c == '\n') { line++; col = 0; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                int startLine = line, startCol = col;
                bool triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                if (triple)
                {
                    int end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return $"line {startLine}, column {startCol}: unterminated \"\"\" string";
                    for (int k = i; k < end + 3; k++) if (text[k] == '\n') { line++; col = 0; } else col++;
                    i = end + 2;
                    continue;
                }
                i++;
                for (; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\') i++;
                    else if (text[i] == '\n') return $"line {startLine}, column {startCol}: unterminated string";
                }
                if (i >= text.Length) return $"line {startLine}, column {startCol}: unterminated string";
                col += 1;
                continue;
            }
            // In a list, Akka's parser makes no progress on a character that starts no value (it adds empty elements
            // until memory runs out), so those are refused here: ':', '=', '`', '^', '?', '!', '@', '*', '&', '\\' and a
            // '$' that starts no substitution.
            if (stack.Count > 0 && stack.Peek().Open == '['
                && (c is ':' or '=' or '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\' || (c == '$' && (i + 1 >= text.Length || text[i + 1] != '{'))))
                return $"line {line}, column {col}: '{c}' cannot stand unquoted in a list (quote the value)";
            if (c is '{' or '[')
            {
                if (stack.Count >= MaxDepth) return $"line {line}, column {col}: nested more than {MaxDepth} levels deep";
                stack.Push((c, line, col));
            }
            else if (c is '}' or ']')
            {
                char want = c == '}' ? '{' : '[';
                if (stack.Count == 0) return $"line {line}, column {col}: '{c}' closes nothing";
                var open = stack.Pop();
                if (open.Open != want)
                    return $"line {line}, column {col}: '{c}' does not match '{open.Open}' opened at line {open.Line}, column {open.Col}";
            }
        }
        if (stack.Count > 0)
        {
            var open = stack.Peek();
            return $"line {open.Line}, column {open.Col}: '{open.Open}' is never closed";
        }
        return null;
    }

    /// <summary>True when <paramref name="key"/> is a plain dotted key (<c>strategy.universe.min-listed-days</c>).</summary>
    public static bool IsPlainPath(string key) =>
        System.Text.RegularExpressions.Regex.IsMatch(key, @"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*){0,15}$");

    /// <summary><paramref name="value"/> as a HOCON quoted string (nothing in it is read as HOCON syntax).</summary>
    public static string Quote(string value)
    {
        var sb = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (var ch in value)
            sb.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)ch:x4}",
                _ => ch.ToString(),
            });
        return sb.Append('"').ToString();
    }

    /// <summary>The index just after a comment or a quoted string starting at <paramref name="i"/>, or <paramref name="i"/> when neither starts there.</summary>
    internal static int SkipCommentOrString(string t, int i)
    {
        if (t[i] == '#' || (t[i] == '/' && i + 1 < t.Length && t[i + 1] == '/'))
        {
            int e = t.IndexOf('\n', i);
            return e < 0 ? t.Length : e;
        }
        if (t[i] != '"') return i;
        if (i + 2 < t.Length && t[i + 1] == '"' && t[i + 2] == '"')
        {
            int e = t.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
            return e < 0 ? t.Length : e + 3;
        }
        for (int k = i + 1; k < t.Length; k++)
        {
            if (t[k] == '\\') k++;
            else if (t[k] is '"' or '\n') return k + 1;
        }
        return t.Length;
    }
}

