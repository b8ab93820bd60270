using System.Globalization;
using System.Text;
using System.Text.Json;
using Trading.Data.Text;

namespace Trading.Data.TuShare;

/// <summary>
/// One answer of the TuShare Pro HTTP API (A_SHARE_RULES.md §4): <c>data.fields</c> and <c>data.items</c>, every value
/// kept as the text the CSV export of the same call would hold (null → empty), so the import reads it exactly as it
/// reads a TuShare CSV file.
/// </summary>
public sealed record TuShareTable(IReadOnlyList<string> Fields, IReadOnlyList<string[]> Rows)
{
    public static readonly TuShareTable Empty = new([], []);

    public int Column(string field)
    {
        for (int i = 0; i < Fields.Count; i++)
            if (Fields[i] == field) return i;
        return -1;
    }
}

/// <summary>How a TuShare failure is handled: retried (transient), or reported at once.</summary>
public enum TuShareFailure
{
    /// <summary>The token is wrong or expired: never retried.</summary>
    Auth,
    /// <summary>The account's points do not cover this API: never retried.</summary>
    Permission,
    /// <summary>Over the per-minute limit of the account's tier: retried after a backoff.</summary>
    RateLimited,
    /// <summary>Over a per-day (or per-hour) quota: retrying within the run cannot help.</summary>
    Quota,
    /// <summary>HTTP 5xx, a timeout or a broken connection: retried.</summary>
    Unavailable,
    /// <summary>An answer that is not TuShare's format (malformed JSON, missing fields, ragged rows): never retried.</summary>
    Malformed,
    /// <summary>Any other non-zero code (bad parameters…): never retried.</summary>
    Other,
}

/// <summary>
/// A failed TuShare call, with a message a user can act on. Messages never hold the token: the client scrubs any
/// text that came from the server (<see cref="TuShareClient"/>) and the request body is never put into one.
/// </summary>
public sealed class TuShareException(TuShareFailure failure, string api, int? code, string message) : Exception(message)
{
    public TuShareFailure Failure { get; } = failure;
    public string Api { get; } = api;
    public int? Code { get; } = code;
    public bool Transient => Failure is TuShareFailure.RateLimited or TuShareFailure.Unavailable;
}

/// <summary>Reads TuShare's answers and maps its error codes to <see cref="TuShareFailure"/>s and clear messages.</summary>
public static class TuShareProtocol
{
    /// <summary>
    /// TuShare's documented codes are few: 2002 is a permission/auth refusal [P]; the Python SDK's users report
    /// 40101 for a bad token and 40203 for both "no permission for this API" and "at most N calls a minute/day",
    /// told apart only by the message (抱歉，您每分钟最多访问该接口200次 / 您每天最多访问 / 您没有权限访问该接口).
    /// The code of the rate-limit answer is not confirmed [U]: the message decides, whatever the code.
    /// </summary>
    public static TuShareFailure Classify(int code, string message)
    {
        if (message.Contains("每分钟", StringComparison.Ordinal) || message.Contains("每分", StringComparison.Ordinal)
            || message.Contains("per minute", StringComparison.OrdinalIgnoreCase))
            return TuShareFailure.RateLimited;
        if (message.Contains("每天", StringComparison.Ordinal) || message.Contains("每小时", StringComparison.Ordinal)
            || message.Contains("per day", StringComparison.OrdinalIgnoreCase))
            return TuShareFailure.Quota;
        if (code is 40101 or -2001 || message.Contains("token", StringComparison.OrdinalIgnoreCase))
            return TuShareFailure.Auth;
        if (code is 2002 or 40203 || message.Contains("权限", StringComparison.Ordinal))
            return TuShareFailure.Permission;
        return TuShareFailure.Other;
    }

    /// <summary>The user's line for a non-zero code; <paramref name="serverMessage"/> is already scrubbed of the token.</summary>
    public static string Describe(TuShareFailure failure, string api, int code, string serverMessage) => failure switch
    {
        TuShareFailure.Auth => $"TuShare refused the token (api {api}, code {code}: {serverMessage}); set TUSHARE_TOKEN or --token-file to a valid token",
        TuShareFailure.Permission => $"the TuShare account may not call '{api}' (code {code}: {serverMessage}); its points tier does not cover it, leave it out of --what",
        TuShareFailure.RateLimited => $"TuShare throttled '{api}' (code {code}: {serverMessage}); lower the rate (--rate-per-minute, trading.data.tushare.rate-per-minute) to the account's tier",
        TuShareFailure.Quota => $"TuShare's quota for '{api}' is used up (code {code}: {serverMessage}); try again tomorrow or with a higher tier",
        _ => $"TuShare answered '{api}' with error code {code}: {serverMessage}",
    };

    /// <summary>The JSON request body. It holds the token: it is sent and dropped, never logged or put into a message.</summary>
    public static byte[] RequestBody(string api, string token, IReadOnlyDictionary<string, string> parameters, string fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("api_name", api);
            w.WriteString("token", token);
            w.WriteStartObject("params");
            foreach (var (k, v) in parameters) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteString("fields", fields);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Parses an answer: <c>{"code":0,"msg":"","data":{"fields":[…],"items":[[…],…]}}</c>. A non-zero code is a
    /// <see cref="TuShareException"/> with its mapped failure; anything not in this shape (malformed JSON, a missing
    /// or non-numeric code, fields that are not strings, a row whose length differs from the fields, a nested value)
    /// is <see cref="TuShareFailure.Malformed"/>. <paramref name="scrub"/> removes the token from server text.
    /// </summary>
    public static TuShareTable Parse(string api, ReadOnlySpan<byte> body, Func<string, string> scrub)
    {
        TuShareException Bad(string why) => new(TuShareFailure.Malformed, api, null, $"TuShare's answer to '{api}' is not in its format ({why}); nothing was stored");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Bad($"malformed JSON at byte {e.BytePositionInLine ?? 0} of line {(e.LineNumber ?? 0) + 1}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad($"a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            if (!root.TryGetProperty("code", out var codeElement) || !codeElement.TryGetInt32(out int code)) throw Bad("no numeric 'code'");
            if (code != 0)
            {
                var msg = root.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
                msg = Printable.Escape(scrub(msg.Length > 300 ? msg[..300] + "…" : msg));
                var failure = Classify(code, msg);
                throw new TuShareException(failure, api, code, Describe(failure, api, code, msg));
            }
            if (!root.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null) return TuShareTable.Empty;
            if (data.ValueKind != JsonValueKind.Object) throw Bad("'data' is not an object");
            if (!data.TryGetProperty("fields", out var fieldsElement) || fieldsElement.ValueKind != JsonValueKind.Array) throw Bad("no 'data.fields' list");
            var fields = new List<string>();
            foreach (var f in fieldsElement.EnumerateArray())
            {
                if (f.ValueKind != JsonValueKind.String || f.GetString() is not { Length: > 0 } name) throw Bad("a field name that is not a string");
                fields.Add(name);
            }
            if (!data.TryGetProperty("items", out var items) || items.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null)) throw Bad("no 'data.items' list");
            var rows = new List<string[]>();
            if (items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Array) throw Bad($"row {rows.Count + 1} is not a list");
                    var row = new string[fields.Count];
                    int k = 0;
                    foreach (var v in item.EnumerateArray())
                    {
                        if (k == fields.Count) { k++; break; }
                        row[k++] = v.ValueKind switch
                        {
                            JsonValueKind.Null => "",
                            JsonValueKind.String => v.GetString()!,
                            JsonValueKind.Number => Number(v),
                            JsonValueKind.True => "1",
                            JsonValueKind.False => "0",
                            _ => throw Bad($"row {rows.Count + 1} holds a nested {v.ValueKind.ToString().ToLowerInvariant()}"),
                        };
                    }
                    if (k != fields.Count) throw Bad($"row {rows.Count + 1} has {(k > fields.Count ? "more" : "fewer")} values than the {fields.Count} fields");
                    rows.Add(row);
                }
            }
            return new TuShareTable(fields, rows);
        }
    }

    /// <summary>A JSON number as the CSV export writes it: plain decimal notation (no exponent), NaN never occurs in JSON.</summary>
    private static string Number(JsonElement v)
    {
        var raw = v.GetRawText();
        if (raw.AsSpan().IndexOfAny('e', 'E') < 0) return raw;
        return v.TryGetDecimal(out var d) ? d.ToString(CultureInfo.InvariantCulture) : v.GetDouble().ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A CSV field, quoted when it must be (names may hold commas or quotes).</summary>
    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";

    /// <summary>Appends <paramref name="table"/>'s rows to a CSV writer in <paramref name="fields"/>' order.</summary>
    public static void WriteCsvRows(TextWriter w, TuShareTable table, IReadOnlyList<string> fields)
    {
        var index = fields.Select(table.Column).ToArray();
        var line = new StringBuilder();
        foreach (var row in table.Rows)
        {
            line.Clear();
            for (int i = 0; i < index.Length; i++)
            {
                if (i > 0) line.Append(',');
                line.Append(CsvField(index[i] < 0 ? "" : row[index[i]]));
            }
            w.WriteLine(line);
        }
    }
}
