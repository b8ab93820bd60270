using System.Globalization;

namespace Trading.Research.Factors;

/// <summary>
/// The parameters of one spec as a factory reads them: typed, with defaults and ranges. The registry rejects any
/// parameter the factory did not ask for, naming the ones it did.
/// </summary>
public sealed class FactorArguments
{
    private readonly List<string> _asked = [];

    internal FactorArguments(FactorSpec spec, string text)
    {
        Spec = spec;
        Text = text;
    }

    public FactorSpec Spec { get; }

    /// <summary>The spec as written, for messages.</summary>
    public string Text { get; }

    /// <summary>The parameter names asked for so far, in order.</summary>
    public IReadOnlyList<string> Known => _asked;

    /// <summary>A whole-number parameter in [<paramref name="min"/>, <paramref name="max"/>], or its default.</summary>
    public int Int(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        _asked.Add(key);
        if (!Spec.TryGet(key, out var text)) return defaultValue;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Error($"parameter '{key}' must be a whole number, got '{text}'");
        if (value < min || value > max) throw Error($"parameter '{key}' must be {Range(Bound(min, int.MinValue), Bound(max, int.MaxValue))}, got {value}");
        return value;
    }

    /// <summary>A real parameter in [<paramref name="min"/>, <paramref name="max"/>], or its default.</summary>
    public double Double(string key, double defaultValue, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        _asked.Add(key);
        if (!Spec.TryGet(key, out var text)) return defaultValue;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error($"parameter '{key}' must be a number, got '{text}'");
        if (value < min || value > max) throw Error($"parameter '{key}' must be {Range(Bound(min), Bound(max))}, got {value.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>A required name parameter: letters, digits and '_', starting with a letter (at most 64 characters).</summary>
    public string Identifier(string key)
    {
        _asked.Add(key);
        if (!Spec.TryGet(key, out var text)) throw Error($"parameter '{key}' is required");
        if (text.Length > 64 || !char.IsAsciiLetter(text[0]) || !text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw Error($"parameter '{key}' must be a name (letters, digits, '_', starting with a letter), got '{text}'");
        return text;
    }

    internal FormatException Error(string what) => new($"Factor spec '{Text}': {what}.");

    private static string Range(string? min, string? max) =>
        min is not null && max is not null ? $"in {min}..{max}" : min is not null ? $"at least {min}" : $"at most {max}";

    private static string? Bound(int v, int unbounded) => v == unbounded ? null : v.ToString(CultureInfo.InvariantCulture);

    private static string? Bound(double v) => double.IsInfinity(v) ? null : v.ToString(CultureInfo.InvariantCulture);
}
