using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Trading.Runtime.Configuration;

/// <summary>
/// A block of a config file read strictly: every key must be one the reader knows (a typo such as
/// <c>slipage = 99</c> is an error, never a silently kept default), every value must have the asked type (a block
/// where a number is expected is an error), numbers must be finite and in range, whole numbers whole
/// (<c>top-n = 5.7</c> is an error, never 5). Every error is a <see cref="ConfigException"/> naming the file and the
/// full key (<c>strategy.universe.min-listed-days</c>, <c>strategy.factors[2].weight</c>).
/// The one reader of strategies, their risk and fee blocks, and market.conf: new blocks should read through it too.
/// </summary>
public sealed class ConfigBlock
{
    private ConfigBlock(Config config, string path, string file)
    {
        Config = config;
        Path = path;
        File = file;
    }

    /// <summary>The underlying HOCON of this block.</summary>
    public Config Config { get; }

    /// <summary>The block's full key (<c>strategy.universe</c>), empty at the root.</summary>
    public string Path { get; }

    /// <summary>The file errors name.</summary>
    public string File { get; }

    /// <summary>A whole file (its root), keys not checked.</summary>
    public static ConfigBlock Root(Config root, string file) => new(root, "", file);

    /// <summary>A block already taken out of its file (e.g. a strategy's raw <c>fees</c>) at <paramref name="path"/>.</summary>
    public static ConfigBlock Of(Config block, string path, string file) => new(block, path, file);

    /// <summary>The full key of <paramref name="key"/> in this block.</summary>
    public string Full(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>"file: 'full.key'", the prefix of every error about <paramref name="key"/>.</summary>
    public string Where(string key) => $"{File}: '{Full(key)}'";

    /// <summary>The keys this block sets (first path segment), in file order.</summary>
    public IEnumerable<string> Keys() => Config.IsEmpty ? [] : Config.AsEnumerable().Select(kv => kv.Key.Split('.')[0]).Distinct();

    /// <summary>Refuses any key not in <paramref name="known"/>; returns this block.</summary>
    public ConfigBlock Known(IReadOnlyCollection<string> known)
    {
        foreach (var key in Keys())
            if (!known.Contains(key))
                throw new ConfigException($"{File}: unknown key '{Full(key)}' (known: {string.Join(", ", known.Order(StringComparer.Ordinal))}).");
        return this;
    }

    public bool Has(string key) => !Config.IsEmpty && Config.HasPath(key);

    private HoconValue? Value(string key) => Has(key) ? Config.GetValue(key) : null;

    /// <summary>
    /// A nested block, its keys checked against <paramref name="known"/> (null: a block shared with other readers, not
    /// checked here); null when absent, an error when not a block. <paramref name="key"/> may be a dotted path.
    /// </summary>
    public ConfigBlock? Block(string key, IReadOnlyCollection<string>? known)
    {
        if (Value(key) is not { } v) return null;
        if (!v.IsObject()) throw new ConfigException($"{Where(key)} must be a block {{ … }}.");
        var block = new ConfigBlock(Config.GetConfig(key), Full(key), File);
        return known is null ? block : block.Known(known);
    }

    /// <summary>Like <see cref="Block"/>, an empty block when absent.</summary>
    public ConfigBlock BlockOrEmpty(string key, IReadOnlyCollection<string> known) =>
        Block(key, known) ?? new ConfigBlock(ConfigurationFactory.Empty, Full(key), File);

    /// <summary>A list of blocks (<c>key = [ { … }, { … } ]</c>), each named <c>key[i]</c> and checked against <paramref name="known"/>.</summary>
    public IReadOnlyList<ConfigBlock> Blocks(string key, IReadOnlyCollection<string> known)
    {
        if (Value(key) is not { } v) return [];
        var items = Items(v) ?? throw new ConfigException($"{Where(key)} must be a list [ {{ … }}, … ].");
        var blocks = new List<ConfigBlock>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            if (!items[i].IsObject()) throw new ConfigException($"{File}: '{Full(key)}[{i}]' must be a block {{ … }}.");
            blocks.Add(new ConfigBlock(new Config(new HoconRoot(items[i])), $"{Full(key)}[{i}]", File).Known(known));
        }
        return blocks;
    }

    /// <summary>
    /// The elements of a list value, or null when it is not a list. Akka's IsArray is false for a list followed by
    /// spaces on its line (<c>[ … ] }</c>: the spaces become a literal), so those are looked through here.
    /// </summary>
    private static IList<HoconValue>? Items(HoconValue v)
    {
        var parts = v.Values.Where(x => !(x is HoconLiteral l && string.IsNullOrWhiteSpace(l.Value))).ToList();
        if (parts.Count > 0 && parts.All(x => x is HoconArray)) return parts.Cast<HoconArray>().SelectMany(a => a).ToList();
        return v.IsArray() ? v.GetArray() : null;
    }

    /// <summary>A single value as text (a string, number or word; a block or a list is an error); null when absent.</summary>
    public string? Text(string key)
    {
        if (Value(key) is not { } v) return null;
        if (v.IsObject() || v.IsArray() || !v.IsString()) throw new ConfigException($"{Where(key)} must be a single value, not a block or a list.");
        return v.GetString() ?? throw new ConfigException($"{Where(key)} has no value.");
    }

    public string String(string key, string fallback) => Text(key) ?? fallback;

    /// <summary>A list of single values (<c>key = [a, b]</c>); null when absent.</summary>
    public IReadOnlyList<string>? Strings(string key)
    {
        if (Value(key) is not { } v) return null;
        var items = Items(v) ?? throw new ConfigException($"{Where(key)} must be a list [ …, … ].");
        var list = new List<string>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].IsObject() || items[i].IsArray() || !items[i].IsString() || items[i].GetString() is not { } s)
                throw new ConfigException($"{File}: '{Full(key)}[{i}]' must be a single value, not a block or a list.");
            list.Add(s);
        }
        return list;
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>] (NaN and ±Infinity refused).</summary>
    public double Double(string key, double fallback, double min, double max) =>
        Text(key) is { } t ? ConfigValues.Number(t, Where(key), min, max)!.Value : fallback;

    /// <summary>Like <see cref="Double"/>, or <c>off</c> (none, null) for no value.</summary>
    public double? DoubleOrOff(string key, double? fallback, double min, double max) =>
        Text(key) is { } t ? ConfigValues.Number(t, Where(key), min, max, offAllowed: true) : fallback;

    public decimal Decimal(string key, decimal fallback, decimal min, decimal max) =>
        Text(key) is { } t ? ConfigValues.Number(t, Where(key), min, max)!.Value : fallback;

    /// <summary>A whole number in range: <c>5.7</c> is an error.</summary>
    public int Int(string key, int fallback, int min, int max) =>
        Text(key) is { } t ? (int)ConfigValues.Integer(t, Where(key), min, max)!.Value : fallback;

    public long Long(string key, long fallback, long min, long max) =>
        Text(key) is { } t ? ConfigValues.Integer(t, Where(key), min, max)!.Value : fallback;

    /// <summary>on/off (true/false, yes/no).</summary>
    public bool Flag(string key, bool fallback) => Text(key) is { } t ? ConfigValues.OnOff(t, Where(key)) : fallback;

    /// <summary>One of an enum's names, case-insensitive; the error lists them in lower case.</summary>
    public T Enum<T>(string key, T fallback) where T : struct, System.Enum
    {
        if (Text(key) is not { } t) return fallback;
        return t.Length > 0 && char.IsLetter(t[0]) && System.Enum.TryParse<T>(t, ignoreCase: true, out var v) && System.Enum.IsDefined(v)
            ? v
            : throw new ConfigException($"{Where(key)} = '{t}' must be one of {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
    }

    /// <summary>A date YYYY-MM-DD (or YYYYMMDD); null when absent.</summary>
    public DateOnly? Date(string key)
    {
        if (Text(key) is not { } t) return null;
        return DateOnly.TryParseExact(t, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new ConfigException($"{Where(key)} = '{t}' must be a date YYYY-MM-DD.");
    }
}
