namespace Trading.Runtime.Configuration;

/// <summary>
/// A strict check of HOCON's grammar before Akka's parser sees the text. Akka's parser has loops that make no
/// progress on some malformed input (a stray character in a list, a value cut by a comment, a misread substitution)
/// and then never return or fill the memory, and a fuzz test keeps finding new ones; so rather than patch each, the
/// text must first be a well-formed document of the HOCON this project uses:
/// <list type="bullet">
/// <item>fields <c>key = value</c>, <c>key : value</c> or <c>key { … }</c>, keys dotted from unquoted or quoted
/// segments, fields separated by new lines or one comma;</item>
/// <item>values: quoted, triple-quoted and unquoted strings (numbers, words), substitutions <c>${a.b}</c>, blocks
/// <c>{ … }</c>, lists <c>[ … ]</c> with elements separated by commas or new lines; values on one line concatenate
/// (simple values with simple values, blocks with blocks, lists with lists, substitutions with any);</item>
/// <item>comments <c>#</c> and <c>//</c>; the root may be wrapped in braces.</item>
/// </list>
/// Not supported (an error): <c>+=</c>, <c>include</c> (resolved earlier by <see cref="HoconFile"/>), optional
/// substitutions. Nesting is bounded by <see cref="HoconSyntax.Check"/>, which runs first.
/// </summary>
public static class HoconGrammar
{
    private const string NotInUnquoted = "$\"{}[]:=,#`^?!@*&\\";

    /// <summary>Null when <paramref name="text"/> is well-formed, else "line L, column C: what was expected".</summary>
    public static string? Validate(string text)
    {
        try
        {
            var p = new Reader(text);
            p.SkipAll();
            if (p.Peek == '{')
            {
                p.Next();
                p.ObjectBody('}');
                p.Expect('}', "'}'");
                p.SkipAll();
                if (!p.End) p.Fail("nothing may follow the root block");
            }
            else p.ObjectBody(null);
            return null;
        }
        catch (GrammarError e)
        {
            return e.Message;
        }
    }

    private sealed class GrammarError(string message) : Exception(message);

    private enum Kind { Simple, Block, List, Substitution }

    private sealed class Reader(string text)
    {
        private int _i;

        public bool End => _i >= text.Length;
        public char Peek => _i < text.Length ? text[_i] : '\0';
        private char PeekAt(int k) => _i + k < text.Length ? text[_i + k] : '\0';
        public void Next() => _i++;

        public void Fail(string what)
        {
            int line = 1, col = 1;
            for (int k = 0; k < _i && k < text.Length; k++)
            {
                if (text[k] == '\n') { line++; col = 1; }
                else col++;
            }
            var found = End ? "the end of the file" : $"'{(char.IsControl(Peek) ? $"\\u{(int)Peek:x4}" : Peek.ToString())}'";
            throw new GrammarError($"line {line}, column {col}: {what} (found {found})");
        }

        public void Expect(char c, string what)
        {
            if (Peek != c || End) Fail($"expected {what}");
            Next();
        }

        private bool AtComment => Peek == '#' || (Peek == '/' && PeekAt(1) == '/');

        private void SkipComment()
        {
            while (!End && Peek != '\n') Next();
        }

        /// <summary>Spaces and tabs (not new lines) and a comment up to the end of the line.</summary>
        private void SkipInline()
        {
            while (!End)
            {
                if (Peek != '\n' && char.IsWhiteSpace(Peek)) Next();
                else if (AtComment) SkipComment();
                else break;
            }
        }

        /// <summary>White space, new lines and comments.</summary>
        public void SkipAll()
        {
            while (!End)
            {
                if (char.IsWhiteSpace(Peek)) Next();
                else if (AtComment) SkipComment();
                else break;
            }
        }

        private static bool IsUnquoted(char c) => !char.IsWhiteSpace(c) && NotInUnquoted.IndexOf(c) < 0 && c != '\0';

        private bool AtUnquoted => !End && IsUnquoted(Peek) && !AtComment;

        /// <summary>Fields until <paramref name="close"/> (or the end of the text at the root).</summary>
        public void ObjectBody(char? close)
        {
            while (true)
            {
                SkipAll();
                if (End)
                {
                    if (close is not null) Fail($"expected '{close}'");
                    return;
                }
                if (Peek == close) return;
                Field();
                SkipInline();
                if (End || Peek == '\n' || Peek == close) continue;
                if (Peek == ',') { Next(); continue; }
                Fail("expected a new line, ',' or the end of the block after a value");
            }
        }

        private void Field()
        {
            if (Include()) return;
            Key();
            SkipInline();
            if (Peek == '{')
            {
                Next();
                ObjectBody('}');
                Expect('}', "'}'");
                return;
            }
            if (Peek == '+' && PeekAt(1) == '=') Fail("'+=' is not supported");
            if (Peek is not ('=' or ':')) Fail("expected '=', ':' or '{' after a key");
            Next();
            Value();
        }

        private void Key()
        {
            while (true)
            {
                if (Peek == '"')
                {
                    if (PeekAt(1) == '"' && PeekAt(2) == '"') Fail("a key cannot be a triple-quoted string");
                    Quoted();
                }
                else if (AtUnquoted && Peek != '.')
                {
                    while (AtUnquoted && Peek != '.') Next();
                }
                else Fail("expected a key");
                if (Peek != '.') return;
                Next();
            }
        }

        /// <summary>A value after '=' or ':', possibly on the next line.</summary>
        private void Value()
        {
            SkipAll();
            Concatenation();
        }

        /// <summary>A value's parts on one line: simple values with simple values, blocks with blocks, lists with lists, substitutions with any.</summary>
        private void Concatenation()
        {
            var kinds = new HashSet<Kind> { Part() };
            while (true)
            {
                int at = _i;
                while (!End && Peek != '\n' && char.IsWhiteSpace(Peek)) Next();
                if (End || !(Peek is '"' or '{' or '[' || (Peek == '$' && PeekAt(1) == '{') || AtUnquoted))
                {
                    _i = at;
                    break;
                }
                kinds.Add(Part());
                if (kinds.Count(k => k != Kind.Substitution) > 1) Fail("a block, a list and a string cannot be joined on one line");
            }
        }

        /// <summary>An include statement (resolved by <see cref="HoconFile"/>): include "x", file("x"), required(…).</summary>
        private bool Include()
        {
            if (string.CompareOrdinal(text, _i, "include", 0, 7) != 0 || !char.IsWhiteSpace(PeekAt(7)) || PeekAt(7) == '\n') return false;
            _i += 7;
            SkipInline();
            int parens = 0;
            foreach (var word in new[] { "required(", "file(" })
                if (string.CompareOrdinal(text, _i, word, 0, word.Length) == 0) { _i += word.Length; parens++; SkipInline(); }
            if (Peek != '"') Fail("expected a quoted file name after include");
            Quoted();
            for (; parens > 0; parens--)
            {
                SkipInline();
                Expect(')', "')'");
            }
            return true;
        }

        private Kind Part()
        {
            if (Peek == '{')
            {
                Next();
                ObjectBody('}');
                Expect('}', "'}'");
                return Kind.Block;
            }
            if (Peek == '[')
            {
                Next();
                ListBody();
                Expect(']', "']'");
                return Kind.List;
            }
            if (Peek == '$')
            {
                if (PeekAt(1) != '{') Fail("'$' must start a substitution ${a.b}");
                Next();
                Next();
                int start = _i;
                while (AtUnquoted) Next();
                if (_i == start) Fail("expected a path in ${…} (no spaces, quotes or '?')");
                Expect('}', "'}' closing the substitution");
                return Kind.Substitution;
            }
            if (Peek == '"')
            {
                if (PeekAt(1) == '"' && PeekAt(2) == '"') TripleQuoted();
                else Quoted();
                return Kind.Simple;
            }
            if (AtUnquoted)
            {
                while (AtUnquoted) Next();
                return Kind.Simple;
            }
            Fail("expected a value");
            return default;
        }

        private void ListBody()
        {
            SkipAll();
            while (Peek != ']')
            {
                if (End) Fail("expected ']'");
                Concatenation();
                SkipInline();
                if (Peek == ',') { Next(); SkipAll(); continue; }
                if (Peek == '\n') { SkipAll(); continue; }
                if (Peek != ']') Fail("expected ',', a new line or ']' after a list element");
            }
        }

        private void Quoted()
        {
            Next();
            while (true)
            {
                if (End || Peek == '\n') Fail("unterminated string");
                char c = Peek;
                Next();
                if (c == '"') return;
                if (c != '\\') continue;
                char e = Peek;
                if (e is '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't') { Next(); continue; }
                if (e == 'u')
                {
                    Next();
                    for (int k = 0; k < 4; k++)
                    {
                        if (!char.IsAsciiHexDigit(Peek)) Fail("expected four hex digits after \\u");
                        Next();
                    }
                    continue;
                }
                Fail("unknown escape in a string");
            }
        }

        private void TripleQuoted()
        {
            int end = text.IndexOf("\"\"\"", _i + 3, StringComparison.Ordinal);
            if (end < 0) Fail("unterminated \"\"\" string");
            _i = end + 3;
            while (Peek == '"') Next(); // """a"""" ends with the last three quotes
        }
    }
}
