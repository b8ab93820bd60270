using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trading.Data.Store;

/// <summary>What a store version holds, written beside its Parquet files (manifest.json).</summary>
public sealed record StoreManifest
{
    public const int CurrentFormat = 1;

    [JsonPropertyName("format")] public int Format { get; init; } = CurrentFormat;
    [JsonPropertyName("version")] public int Version { get; init; }
    [JsonPropertyName("created_utc")] public DateTime CreatedUtc { get; init; }
    [JsonPropertyName("bars")] public long Bars { get; init; }
    [JsonPropertyName("symbols")] public int[] Symbols { get; init; } = [];
    /// <summary>Trading days (DayNumber) found in the bars, ascending.</summary>
    [JsonPropertyName("days")] public int[] Days { get; init; } = [];
    [JsonPropertyName("stocks")] public int Stocks { get; init; }
    [JsonPropertyName("index_bars")] public int IndexBars { get; init; }
    /// <summary>Rows in valuations.parquet (0 in versions written before valuations were stored).</summary>
    [JsonPropertyName("valuations")] public long Valuations { get; init; }
    /// <summary>Rows in financials.parquet (0 in versions written before financial reports were stored).</summary>
    [JsonPropertyName("financial_reports")] public int FinancialReports { get; init; }
    [JsonPropertyName("sources")] public string[] Sources { get; init; } = [];
    /// <summary>Imported custom factors (<c>trading factors import</c>), one file each; none in versions written before them.</summary>
    [JsonPropertyName("custom_factors")] public CustomFactorEntry[] CustomFactors { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a manifest; anything but a well-formed one with sane counts is a <see cref="StoreException"/> naming the file.</summary>
    public static StoreManifest FromJson(string json, string path)
    {
        StoreManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<StoreManifest>(json, Json);
        }
        catch (JsonException e)
        {
            throw new StoreException($"{Text.Printable.Escape(path)}: not a valid store manifest ({Text.Printable.Escape(e.Message)}); the store is damaged.");
        }
        if (m is null) throw new StoreException($"{Text.Printable.Escape(path)}: empty store manifest; the store is damaged.");
        string? problem = m.Format != CurrentFormat ? $"format {m.Format} is not {CurrentFormat}"
            : m.Bars is < 0 || m.Bars > Array.MaxLength ? $"bars {m.Bars} out of range"
            : m.Valuations is < 0 || m.Valuations > Array.MaxLength ? $"valuations {m.Valuations} out of range"
            : m.FinancialReports < 0 || m.Stocks < 0 || m.IndexBars < 0 ? "negative count"
            : m.Symbols is null || m.Days is null || m.Sources is null || m.CustomFactors is null ? "missing symbols, days, sources or custom factors"
            : m.CustomFactors.Any(f => f is null || !CustomFactorEntry.IsName(f.Name) || f.Rows < 0) ? "bad custom factor entry"
            : null;
        if (problem is not null) throw new StoreException($"{Text.Printable.Escape(path)}: invalid store manifest ({problem}); the store is damaged.");
        return m;
    }
}

/// <summary>One imported custom factor of a store version: its name, rows and date range, and where it came from.</summary>
public sealed record CustomFactorEntry
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("rows")] public long Rows { get; init; }
    [JsonPropertyName("first_date")] public DateOnly? FirstDate { get; init; }
    [JsonPropertyName("last_date")] public DateOnly? LastDate { get; init; }
    [JsonPropertyName("source")] public string Source { get; init; } = "";

    /// <summary>A factor name as a factor spec spells it (letters, digits, '_', starting with a letter; at most 64), which is also a safe file name.</summary>
    public static bool IsName(string? name) =>
        name is { Length: > 0 and <= 64 } && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
