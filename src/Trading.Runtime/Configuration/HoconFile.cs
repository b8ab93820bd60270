using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Trading.Runtime.Configuration;

/// <summary>
/// Reads a HOCON file for the project's configs (market fees, strategies). Missing files, broken structure
/// (<see cref="HoconSyntax"/>), missing or cyclic includes, substitution cycles and any parser error all become a
/// <see cref="ConfigException"/> naming the file — never another exception, a hang or a stack overflow.
/// <list type="bullet">
/// <item><c>include "x.conf"</c>, <c>include file("x.conf")</c> and <c>include required(file("x.conf"))</c> are
/// resolved here, relative to the including file, before Akka's parser sees the text (its own include support needs
/// a callback and crashes without one); a missing file is an error naming the including file and line, and so is an
/// include cycle. The included file's text takes the place of the statement (its outer braces, if any, dropped), so
/// its keys land in the block holding the include and its substitutions are absolute paths.</item>
/// <item>Substitution cycles (<c>a = ${b}, b = ${a}</c>, <c>a = ${a}</c>, a value referring to a block that holds
/// it) are refused: Akka's parser would accept them and its readers then recurse until the stack overflows.</item>
/// </list>
/// </summary>
public static class HoconFile
{
    /// <summary>At most this many includes in one file tree (a guard against include bombs).</summary>
    public const int MaxIncludes = 100;

    public static Config Load(string file)
    {
        if (!File.Exists(file)) throw new ConfigException($"Config file '{file}' does not exist.");
        return Parse(ReadChecked(file, file), file);
    }

    /// <summary>
    /// The file's text with its includes resolved and checked as <see cref="Load"/> does: a strategy as one
    /// self-contained text, which <see cref="Parse"/> reads anywhere (a sweep point sent to a cluster worker).
    /// </summary>
    public static string LoadText(string file)
    {
        if (!File.Exists(file)) throw new ConfigException($"Config file '{file}' does not exist.");
        return ReadChecked(file, file);
    }

    /// <summary>Text (already with includes resolved) to a Config, with the substitution check; errors name <paramref name="file"/>.</summary>
    public static Config Parse(string text, string file)
    {
        if ((HoconSyntax.Check(text) ?? HoconGrammar.Validate(text)) is { } problem) throw new ConfigException($"{file}: not valid HOCON: {problem}.");
        if (text.Contains("${", StringComparison.Ordinal)) CheckSubstitutions(text, file);
        return ParseWithAkka(text, file);
    }

    private static Config ParseWithAkka(string text, string file)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException or ConfigException))
        {
            // Akka's parser reports bad input with a mix of exception types (its own, FormatException, NullReference…).
            throw new ConfigException($"{file}: not valid HOCON: {e.Message.Split('\n')[0].Trim()}");
        }
    }

    private static string ReadChecked(string file, string top)
    {
        string text;
        try { text = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ConfigException($"{file}: cannot be read: {e.Message}"); }
        if (text.Contains('\0')) throw new ConfigException($"{file}: not valid HOCON: it contains NUL bytes (a binary file?).");
        if ((HoconSyntax.Check(text) ?? HoconGrammar.Validate(text)) is { } problem) throw new ConfigException($"{file}: not valid HOCON: {problem}.");
        int includes = 0;
        return ExpandIncludes(text, file, [Path.GetFullPath(file)], ref includes);
    }

    // ---- includes ----

    private static string ExpandIncludes(string text, string file, List<string> chain, ref int includes)
    {
        System.Text.StringBuilder? result = null;
        int copied = 0;
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') { line++; continue; }
            int skip = HoconSyntax.SkipCommentOrString(text, i);
            if (skip != i)
            {
                for (int k = i; k < skip; k++) if (text[k] == '\n') line++;
                i = skip - 1;
                continue;
            }
            if (c != 'i' || !IsStatementStart(text, i) || string.CompareOrdinal(text, i, "include", 0, 7) != 0
                || i + 7 >= text.Length || !char.IsWhiteSpace(text[i + 7]) || text[i + 7] == '\n')
                continue;
            int end = ParseInclude(text, i + 7, file, line, out var name);
            if (++includes > MaxIncludes) throw new ConfigException($"{file}: line {line}: more than {MaxIncludes} includes.");
            var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
            var target = Path.GetFullPath(Path.Combine(dir, name));
            if (chain.Contains(target, StringComparer.Ordinal))
                throw new ConfigException($"{file}: line {line}: include \"{name}\" makes a cycle ({string.Join(" → ", chain.Append(target).Select(Path.GetFileName))}).");
            if (!File.Exists(target))
                throw new ConfigException($"{file}: line {line}: include \"{name}\": '{target}' does not exist.");
            string body;
            try { body = File.ReadAllText(target); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ConfigException($"{file}: line {line}: include \"{name}\": {e.Message}"); }
            if (body.Contains('\0')) throw new ConfigException($"{target}: not valid HOCON: it contains NUL bytes (a binary file?).");
            if ((HoconSyntax.Check(body) ?? HoconGrammar.Validate(body)) is { } problem) throw new ConfigException($"{target}: not valid HOCON: {problem}.");
            chain.Add(target);
            body = ExpandIncludes(StripOuterBraces(body), target, chain, ref includes);
            chain.RemoveAt(chain.Count - 1);
            result ??= new System.Text.StringBuilder(text.Length + body.Length);
            result.Append(text, copied, i - copied).Append('\n').Append(body).Append('\n');
            copied = end;
            for (int k = i; k < end; k++) if (text[k] == '\n') line++;
            i = end - 1;
        }
        if (result is null) return text;
        return result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>An include is a statement of its own: only spaces since the line's start, a '{' or a ','.</summary>
    private static bool IsStatementStart(string t, int i)
    {
        for (int k = i - 1; k >= 0; k--)
        {
            if (t[k] is ' ' or '\t' or '\r') continue;
            return t[k] is '\n' or '{' or ',';
        }
        return true;
    }

    /// <summary>After the word include: <c>"x"</c>, <c>file("x")</c>, <c>required("x")</c> or <c>required(file("x"))</c>; returns the index after it.</summary>
    private static int ParseInclude(string t, int i, string file, int line, out string name)
    {
        int depth = 0;
        i = SkipSpaces(t, i);
        if (StartsWord(t, i, "required(")) { depth++; i = SkipSpaces(t, i + 9); }
        if (StartsWord(t, i, "file(")) { depth++; i = SkipSpaces(t, i + 5); }
        else if (StartsWord(t, i, "classpath(") || StartsWord(t, i, "url("))
            throw new ConfigException($"{file}: line {line}: only file includes are supported (include \"x.conf\" or include file(\"x.conf\")).");
        if (i >= t.Length || t[i] != '"' || (i + 2 < t.Length && t[i + 1] == '"' && t[i + 2] == '"'))
            throw new ConfigException($"{file}: line {line}: include must name a file in quotes: include \"x.conf\" or include file(\"x.conf\").");
        int close = HoconSyntax.SkipCommentOrString(t, i);
        var literal = t[i..close];
        try { name = System.Text.Json.JsonSerializer.Deserialize<string>(literal) ?? ""; }
        catch (System.Text.Json.JsonException) { throw new ConfigException($"{file}: line {line}: include {literal}: not a valid quoted file name."); }
        if (name.Trim().Length == 0) throw new ConfigException($"{file}: line {line}: include names no file.");
        i = close;
        for (; depth > 0; depth--)
        {
            i = SkipSpaces(t, i);
            if (i >= t.Length || t[i] != ')') throw new ConfigException($"{file}: line {line}: include {literal}: a ')' is missing.");
            i++;
        }
        return i;
    }

    private static int SkipSpaces(string t, int i)
    {
        while (i < t.Length && t[i] is ' ' or '\t') i++;
        return i;
    }

    private static bool StartsWord(string t, int i, string word) => string.CompareOrdinal(t, i, word, 0, word.Length) == 0;

    /// <summary>A file whose content is one <c>{ … }</c> block becomes the block's content (so it can stand among keys).</summary>
    private static string StripOuterBraces(string text)
    {
        int first = NextCode(text, 0);
        if (first >= text.Length || text[first] != '{') return text;
        int depth = 0, close = -1;
        for (int i = first; i < text.Length; i++)
        {
            int skip = HoconSyntax.SkipCommentOrString(text, i);
            if (skip != i) { i = skip - 1; continue; }
            if (text[i] is '{' or '[') depth++;
            else if (text[i] is '}' or ']' && --depth == 0) { close = i; break; }
        }
        if (close < 0 || NextCode(text, close + 1) < text.Length) return text;
        return text[..first] + " " + text[(first + 1)..close] + " " + text[(close + 1)..];
    }

    /// <summary>The index of the next character that is neither white space nor inside a comment.</summary>
    private static int NextCode(string t, int i)
    {
        while (i < t.Length)
        {
            if (char.IsWhiteSpace(t[i])) { i++; continue; }
            int skip = HoconSyntax.SkipCommentOrString(t, i);
            if (skip != i && t[i] != '"') { i = skip; continue; }
            return i;
        }
        return i;
    }

    // ---- substitutions ----

    private const string Placeholder = "__trading_substitution_";

    /// <summary>A character Akka reads as part of an unquoted path (its tokenizer's unquoted text).</summary>
    private static bool IsPathChar(char c) => !char.IsWhiteSpace(c) && "$\"{}[]:=,#`^?!@*&\\".IndexOf(c) < 0;

    /// <summary>
    /// Finds every <c>${path}</c>, parses the text with each replaced by a plain string (so the tree's shape is Akka's
    /// own), attributes each to the key holding it, and refuses any dependency cycle among keys: a key depends on the
    /// paths it refers to, a path on the keys inside it and on any key above it that is itself a substitution.
    /// Conservative: a reference to a block from inside that block is a cycle too.
    /// </summary>
    private static void CheckSubstitutions(string text, string file)
    {
        var targets = new List<string>();
        var masked = new System.Text.StringBuilder(text.Length);
        int copied = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int skip = HoconSyntax.SkipCommentOrString(text, i);
            if (skip != i) { i = skip - 1; continue; }
            if (text[i] != '$' || i + 1 >= text.Length || text[i + 1] != '{') continue;
            // Akka's tokenizer reads a substitution as unquoted text up to the '}' and takes the next character as the
            // '}' whatever it is: anything else (${?x}, ${ x }, ${"x"}) would silently shift the rest of the file.
            int close = i + 2;
            while (close < text.Length && IsPathChar(text[close])) close++;
            if (close == i + 2 || close >= text.Length || text[close] != '}')
            {
                int line = 1 + text.AsSpan(0, i).Count('\n');
                var shown = text.AsSpan(i, Math.Min(text.Length - i, 30)).ToString().Split('\n')[0];
                throw new ConfigException($"{file}: line {line}: substitution '{shown}…' must be a plain path such as ${{a.b}} (no spaces, quotes or '?').");
            }
            targets.Add(text[(i + 2)..close]);
            masked.Append(text, copied, i - copied).Append('"').Append(Placeholder).Append(targets.Count - 1).Append('"');
            copied = close + 1;
            i = close;
        }
        masked.Append(text, copied, text.Length - copied);

        var tree = ParseWithAkka(masked.ToString(), file).Root;
        // key → the paths its value refers to
        var refs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        // Inside a list, values are not addressable: they count as the list's key.
        var stack = new Stack<(HoconValue Value, string Path, bool InList)>();
        stack.Push((tree, "", false));
        while (stack.Count > 0)
        {
            var (value, path, inList) = stack.Pop();
            foreach (var element in value.Values)
            {
                switch (element)
                {
                    case HoconObject o:
                        foreach (var (key, child) in o.Items)
                            stack.Push((child, inList ? path : path.Length == 0 ? key : $"{path}.{key}", inList));
                        break;
                    case HoconArray a:
                        foreach (var item in a) stack.Push((item, path, true));
                        break;
                    case HoconLiteral l when l.Value is { } v && v.StartsWith(Placeholder, StringComparison.Ordinal)
                                             && int.TryParse(v.AsSpan(Placeholder.Length), out int n) && n < targets.Count:
                        if (!refs.TryGetValue(path, out var list)) refs[path] = list = [];
                        list.Add(targets[n]);
                        break;
                }
            }
        }
        if (refs.Count == 0) return;

        static bool Under(string path, string prefix) =>
            path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal) && path[prefix.Length] == '.';

        // What resolving `node` needs: the references of every key at it, inside it, or above it.
        IEnumerable<string> Needs(string node) => refs.Where(kv => kv.Key == node || Under(kv.Key, node) || Under(node, kv.Key)).SelectMany(kv => kv.Value);

        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        foreach (var start in refs.Keys)
        {
            if (state.ContainsKey(start)) continue;
            var path = new Stack<(string Node, IEnumerator<string> Next)>();
            state[start] = 1;
            path.Push((start, Needs(start).GetEnumerator()));
            while (path.Count > 0)
            {
                var (node, next) = path.Peek();
                if (!next.MoveNext()) { state[node] = 2; path.Pop(); continue; }
                var target = next.Current;
                if (state.TryGetValue(target, out var s))
                {
                    if (s == 1)
                    {
                        var cycle = path.Reverse().Select(p => p.Node).SkipWhile(n => n != target).Append(target).ToList();
                        if (cycle.Count == 1) cycle = [node, target];
                        throw new ConfigException($"{file}: substitution cycle: {string.Join(" → ", cycle.Select(n => $"'{n}'"))}: a value cannot refer to itself.");
                    }
                    continue;
                }
                state[target] = 1;
                path.Push((target, Needs(target).GetEnumerator()));
            }
        }
    }
}
