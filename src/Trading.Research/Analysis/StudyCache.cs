using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trading.Data.Panel;
using Trading.Research.Factors;
using Trading.Research.Universe;

namespace Trading.Research.Analysis;

/// <summary>
/// A factor's study (its summary and daily IC series) kept in the factor cache's folder, keyed like its factor panel
/// plus the universe and the analysis options: a researcher who changes a weight, the top-N or the execution and runs
/// again reads the report's factor section instead of recomputing it, because none of those change it. Doubles are
/// written in their shortest round-trip form, so a study read back is bit-identical to the one computed. A damaged
/// entry is deleted and the study recomputed.
/// </summary>
public sealed class StudyCache(FactorCache cache, string storeVersion)
{
    public const string Extension = ".study.json";
    private const int Format = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = false,
    };

    private sealed record Entry(int Format, string Key, FactorSummary Summary, List<IcPoint> Series);

    public string Key(IFactor factor, MarketPanel panel, UniverseFilter universe, FactorAnalysisOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder()
            .Append("study-format=").Append(Format).Append('\n')
            .Append("panel=").Append(FactorCache.Key(storeVersion, factor, panel)).Append('\n')
            .Append("universe=").Append(universe.ExcludeSuspended).Append(',').Append(universe.ExcludeSt).Append(',')
            .Append(universe.MinListedDays.ToString(inv)).Append(',').Append(universe.MinAverageAmount.ToString("R", inv)).Append(',')
            .Append(universe.LiquidityLookback.ToString(inv)).Append(',').Append(universe.ExcludeLimitUp).Append('\n')
            .Append("options=").Append(options.Horizon.ToString(inv)).Append(',').Append(options.Quantiles.ToString(inv)).Append(',')
            .Append(string.Join('/', options.DecayHorizons.Select(h => h.ToString(inv)))).Append(',').Append(options.MinPairs.ToString(inv)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private string PathOf(string key) => Path.Combine(cache.Directory, key + Extension);

    public bool Has(string key) => File.Exists(PathOf(key));

    /// <summary>The cached study, or null (none, or damaged: then deleted).</summary>
    public (IReadOnlyList<IcPoint> Series, FactorSummary Summary)? TryRead(string key)
    {
        var path = PathOf(key);
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllBytes(path), Json);
            if (entry is null || entry.Format != Format || entry.Key != key || entry.Summary is null || entry.Series is null)
                throw new InvalidDataException("entry");
            CacheFolder.Touch(path);
            return (entry.Series, entry.Summary);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            CacheFolder.TryDelete(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Stores a study (best effort, like the factor panels).</summary>
    public void Write(string key, IReadOnlyList<IcPoint> series, FactorSummary summary)
    {
        var path = PathOf(key);
        var temp = CacheFolder.TempFor(path);
        try
        {
            Directory.CreateDirectory(cache.Directory);
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(new Entry(Format, key, summary, series.ToList()), Json));
            File.Move(temp, path, overwrite: true);
            cache.Evict(keep: path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CacheFolder.TryDelete(temp);
        }
    }
}
