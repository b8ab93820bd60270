using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Trading.Domain.Instruments;

namespace Trading.Runtime.PTrade;

/// <summary>One position of a target file: a PTrade code and the shares to hold after the rebalance.</summary>
public sealed record PTradeLeg(string Code, long Target);

/// <summary>
/// The target-portfolio file of the PTrade hand-off (BROKER_BRIDGES.md §4): <c>targets_&lt;yyyymmdd&gt;_v&lt;n&gt;.json</c>
/// (schema <c>ashare.targets/1</c>) and its <c>.ok</c> marker, written last (the strategy trades a version only once
/// its marker is there, so a half-uploaded file is never read). <c>sha256</c> is the hex SHA-256 of the UTF-8 bytes
/// of the positions array written compactly with its keys sorted — <c>[{"code":"600000.SS","target":1200},…]</c>,
/// what Python's <c>json.dumps(positions, sort_keys=True, separators=(',', ':'))</c> gives — so the template
/// (scripts/ptrade_strategy.py) checks it with hashlib alone. Targets are whole shares already lot-rounded by the
/// planner's rule; codes are PTrade's (<c>.SS</c> for Shanghai).
/// </summary>
public sealed record PTradeTargets(
    string Account,
    string Strategy,
    DateOnly TradeDate,
    DateOnly DecisionDate,
    int Version,
    decimal Nav,
    IReadOnlyList<PTradeLeg> Positions)
{
    public const string Schema = "ashare.targets/1";

    public string Sha256 => Checksum(Positions);

    public static string Date(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string FileBase(DateOnly tradeDate, int version) => $"targets_{Date(tradeDate)}_v{version}";

    /// <summary>A symbol in PTrade's spelling: Shanghai is <c>.SS</c> (A_SHARE_RULES.md §3), Shenzhen <c>.SZ</c>, Beijing <c>.BJ</c>.</summary>
    public static string Code(Symbol symbol)
    {
        var s = symbol.ToString();
        return s.EndsWith(".SH", StringComparison.Ordinal) ? s[..^3] + ".SS" : s;
    }

    public static string Canonical(IReadOnlyList<PTradeLeg> positions)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < positions.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"code\":").Append(JsonSerializer.Serialize(positions[i].Code))
              .Append(",\"target\":").Append(positions[i].Target.ToString(CultureInfo.InvariantCulture)).Append('}');
        }
        return sb.Append(']').ToString();
    }

    public static string Checksum(IReadOnlyList<PTradeLeg> positions) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(positions))));

    /// <summary>The next free version of a trade date's file in <paramref name="dir"/> (1 for the first).</summary>
    public static int NextVersion(string dir, DateOnly tradeDate)
    {
        if (!Directory.Exists(dir)) return 1;
        var prefix = $"targets_{Date(tradeDate)}_v";
        int max = 0;
        foreach (var f in Directory.EnumerateFiles(dir, prefix + "*.json"))
            if (int.TryParse(Path.GetFileNameWithoutExtension(f).AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                max = Math.Max(max, v);
        return max + 1;
    }

    /// <summary>Writes the file (through a temporary name) and then its .ok marker; returns the file's path.</summary>
    public string Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, FileBase(TradeDate, Version) + ".json");
        if (File.Exists(path)) throw new IOException($"'{path}' exists already: versions are never overwritten.");
        var json = $$"""
            {"schema":"{{Schema}}","account":{{JsonSerializer.Serialize(Account)}},"strategy":{{JsonSerializer.Serialize(Strategy)}},"trade_date":"{{Date(TradeDate)}}","decision_date":"{{Date(DecisionDate)}}","version":{{Version}},"generated_at":"{{DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)):yyyy-MM-ddTHH:mm:sszzz}}","mode":"shares","sell_first":true,"unlisted":"hold","nav":{{Nav.ToString(CultureInfo.InvariantCulture)}},"positions":{{Canonical(Positions)}},"sha256":"{{Sha256}}"}
            """;
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, json + "\n", new UTF8Encoding(false));
        File.Move(tmp, path);
        File.WriteAllText(Path.Combine(dir, FileBase(TradeDate, Version) + ".ok"), Sha256 + "\n");
        return path;
    }

    /// <summary>Reads a target file; anything malformed, or a checksum that does not match its positions, is an <see cref="InvalidDataException"/>.</summary>
    public static PTradeTargets Read(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var r = doc.RootElement;
            if (r.GetProperty("schema").GetString() != Schema) throw new InvalidDataException($"{path}: schema is not {Schema}.");
            var legs = r.GetProperty("positions").EnumerateArray().Select(p => new PTradeLeg(p.GetProperty("code").GetString()!, p.GetProperty("target").GetInt64())).ToList();
            var t = new PTradeTargets(r.GetProperty("account").GetString() ?? "", r.GetProperty("strategy").GetString() ?? "",
                DateOnly.ParseExact(r.GetProperty("trade_date").GetString()!, "yyyyMMdd", CultureInfo.InvariantCulture),
                DateOnly.ParseExact(r.GetProperty("decision_date").GetString()!, "yyyyMMdd", CultureInfo.InvariantCulture),
                r.GetProperty("version").GetInt32(), r.GetProperty("nav").GetDecimal(), legs);
            if (t.Sha256 != r.GetProperty("sha256").GetString()) throw new InvalidDataException($"{path}: the checksum does not match the positions.");
            return t;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a target file ({e.Message}).");
        }
    }
}
