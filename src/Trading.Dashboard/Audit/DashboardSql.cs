using System.Data.Common;
using System.Globalization;
using Trading.Runtime;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Audit;

/// <summary>
/// The dashboard's own tables (<c>dash_*</c>) in the read-model database, beside the node's <c>rm_*</c> tables: one
/// SQL text for SQLite and PostgreSQL where it can be (<c>RETURNING</c>, <c>ON CONFLICT</c>), the dialect only where
/// it must (an auto-numbered key). Times are ISO 8601 UTC text, like the read models.
/// </summary>
internal static class DashboardSql
{
    public static string AutoId(ReadModelDatabase db) => db.Kind == JournalKind.Sqlite ? "id INTEGER PRIMARY KEY AUTOINCREMENT" : "id BIGSERIAL PRIMARY KEY";

    public static DbCommand Command(DbConnection c, string sql, params (string Name, object? Value)[] args) => ReadModelDatabase.Command(c, null, sql, args);

    public static async Task<int> ExecuteAsync(DbConnection c, string sql, CancellationToken ct, params (string Name, object? Value)[] args)
    {
        await using var cmd = Command(c, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static long Long(object v) => Convert.ToInt64(v, CultureInfo.InvariantCulture);
}
