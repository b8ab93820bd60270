namespace Trading.Research.Factors;

/// <summary>One <c>key=value</c> of a factor spec, as written (values are typed by the factor's registration).</summary>
public readonly record struct FactorParameter(string Key, string Value);

/// <summary>
/// A factor as text: <c>name</c> or <c>name(key=value, key=value)</c>. Names and keys are letters, digits and
/// underscores starting with a letter; values are any run of characters other than <c>, ( ) =</c> and spaces;
/// whitespace around tokens is ignored; a key may appear once. <see cref="ToString"/> gives the compact form
/// <c>name(key=value,key=value)</c> (bare <c>name</c> without parameters).
/// </summary>
public sealed record FactorSpec(string Name, IReadOnlyList<FactorParameter> Parameters)
{
    public bool TryGet(string key, out string value)
    {
        foreach (var p in Parameters)
            if (p.Key == key) { value = p.Value; return true; }
        value = "";
        return false;
    }

    public override string ToString() =>
        Parameters.Count == 0 ? Name : $"{Name}({string.Join(",", Parameters.Select(p => $"{p.Key}={p.Value}"))})";

    /// <exception cref="FormatException">The text is not a spec; the message quotes it and says where.</exception>
    public static FactorSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(text);
        reader.SkipSpaces();
        string name = reader.Identifier("a factor name");
        var parameters = new List<FactorParameter>();
        reader.SkipSpaces();
        if (reader.TryTake('('))
        {
            reader.SkipSpaces();
            if (!reader.TryTake(')'))
            {
                while (true)
                {
                    reader.SkipSpaces();
                    string key = reader.Identifier("a parameter name");
                    reader.SkipSpaces();
                    if (!reader.TryTake('=')) throw reader.Error($"expected '=' after parameter '{key}'");
                    reader.SkipSpaces();
                    string value = reader.Value(key);
                    if (parameters.Any(p => p.Key == key)) throw reader.Error($"parameter '{key}' is given twice");
                    parameters.Add(new FactorParameter(key, value));
                    reader.SkipSpaces();
                    if (reader.TryTake(',')) continue;
                    if (reader.TryTake(')')) break;
                    throw reader.Error(reader.AtEnd ? "missing ')'" : "expected ',' or ')'");
                }
            }
            reader.SkipSpaces();
        }
        if (!reader.AtEnd) throw reader.Error("unexpected text after the spec");
        return new FactorSpec(name, parameters);
    }

    private ref struct Reader(string text)
    {
        private int _at;

        public readonly bool AtEnd => _at >= text.Length;

        public void SkipSpaces()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
        }

        public bool TryTake(char c)
        {
            if (_at < text.Length && text[_at] == c) { _at++; return true; }
            return false;
        }

        public string Identifier(string what)
        {
            int start = _at;
            if (_at < text.Length && char.IsAsciiLetter(text[_at]))
                while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == '_')) _at++;
            if (_at == start) throw Error($"expected {what}");
            return text[start.._at];
        }

        public string Value(string key)
        {
            int start = _at;
            while (_at < text.Length && text[_at] is not (',' or '(' or ')' or '=') && !char.IsWhiteSpace(text[_at])) _at++;
            if (_at == start) throw Error($"parameter '{key}' has no value");
            return text[start.._at];
        }

        public readonly FormatException Error(string what)
        {
            string where = AtEnd ? "at the end" : $"at position {_at + 1}";
            return new FormatException($"Factor spec '{text}': {what} ({where}).");
        }
    }
}
