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

    public static StoreManifest FromJson(string json, string path) =>
        JsonSerializer.Deserialize<StoreManifest>(json, Json) ?? throw new InvalidDataException($"Empty manifest at '{path}'.");
}
