using System.Globalization;
using System.Numerics;

namespace Trading.Runtime.Configuration;

/// <summary>
/// A configuration file that cannot be used; the message names the file and the key. A <see cref="FormatException"/>,
/// so callers that catch bad input in general catch it too.
/// </summary>
public sealed class ConfigException(string message) : FormatException(message);

/// <summary>
/// The value checks every config reader shares (strategies, their risk block, fee blocks): one spelling of on/off and
/// of a bounded number, and one error text naming <c>where</c> (file and key), the value and what is allowed.
/// </summary>
public static class ConfigValues
{
    public static bool OnOff(string text, string where) => text switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => throw new ConfigException($"{where} = '{text}' must be on or off."),
    };

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>]; with <paramref name="offAllowed"/>, "off" (or none, null) gives null.</summary>
    public static T? Number<T>(string text, string where, T min, T max, bool offAllowed = false) where T : struct, INumber<T>
    {
        if (offAllowed && text is "off" or "none" or "null") return null;
        if (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !T.IsFinite(v) || v < min || v > max)
            throw new ConfigException($"{where} = '{text}' must be a number in [{min}, {max}]{(offAllowed ? " or off" : "")}.");
        return v;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]: <c>5.7</c> is an error, never 5; <c>5.0</c> and <c>5e1</c> are whole.</summary>
    public static long? Integer(string text, string where, long min, long max, bool offAllowed = false)
    {
        if (offAllowed && text is "off" or "none" or "null") return null;
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v != decimal.Truncate(v) || v < min || v > max)
            throw new ConfigException($"{where} = '{text}' must be a whole number in [{min}, {max}]{(offAllowed ? " or off" : "")}.");
        return (long)v;
    }

    private static readonly System.Text.RegularExpressions.Regex DurationPattern = new(@"^\s*(\d{1,9})\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?)\s*$",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A duration with a unit (<c>500ms</c>, <c>3s</c>, <c>5m</c>, <c>1h</c>); false when the text is not one.</summary>
    public static bool TryDuration(string text, out TimeSpan span)
    {
        span = default;
        var m = DurationPattern.Match(text);
        if (!m.Success) return false;
        long n = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Value.ToLowerInvariant();
        span = unit.StartsWith("ms", StringComparison.Ordinal) || unit.StartsWith("milli", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(n)
            : unit.StartsWith('s') ? TimeSpan.FromSeconds(n)
            : unit.StartsWith('m') ? TimeSpan.FromMinutes(n)
            : TimeSpan.FromHours(n);
        return true;
    }
}
