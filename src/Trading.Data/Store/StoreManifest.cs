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
            : m.Symbols is null || m.Days is null || m.Sources is null ? "missing symbols, days or sources"
            : null;
        if (problem is not null) throw new StoreException($"{Text.Printable.Escape(path)}: invalid store manifest ({problem}); the store is damaged.");
        return m;
    }
}
