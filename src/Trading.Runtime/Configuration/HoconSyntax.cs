namespace Trading.Runtime.Configuration;

/// <summary>
/// A structural check of HOCON text before Akka's parser sees it: balanced braces and brackets, closed strings.
/// Akka's parser is lenient with some malformed input and never returns on others (an unclosed array makes it
/// loop until memory runs out), so a config with a typo must be caught here, with its line and column.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Null when the structure is sound, else a message with line:column.</summary>
    public static string? Check(string text)
    {
        var stack = new Stack<(char Open, int Line, int Col)>();
        int line = 1, col = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            col++;
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
            if (c is '{' or '[') stack.Push((c, line, col));
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
}

/// <summary>
/// Reads a HOCON file for the project's configs (market fees, strategies): missing file, broken structure
/// (<see cref="HoconSyntax"/>) and parser errors all become a <see cref="ConfigException"/> naming the file.
/// </summary>
public static class HoconFile
{
    public static Akka.Configuration.Config Load(string file)
    {
        if (!File.Exists(file)) throw new ConfigException($"Config file '{file}' does not exist.");
        var text = File.ReadAllText(file);
        if (HoconSyntax.Check(text) is { } problem) throw new ConfigException($"{file}: not valid HOCON: {problem}.");
        try
        {
            return Akka.Configuration.ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is Akka.Configuration.ConfigurationException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new ConfigException($"{file}: not valid HOCON: {e.Message}");
        }
    }
}
