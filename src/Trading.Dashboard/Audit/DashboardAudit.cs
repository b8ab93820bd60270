using Serilog;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Audit;

/// <summary>One line of the dashboard's audit trail.</summary>
public sealed record AuditLine(long Id, DateTimeOffset At, string User, string Action, string Detail, bool Ok);

/// <summary>
/// The dashboard's audit trail, table <c>dash_audit(at, user, action, detail, ok)</c>: every login (ok, failed, locked
/// out), logout, note, control request with its result and user change. Controls are also audited by the node's
/// control endpoint (the operator console's trail, rm_audit). Callers pass what happened, never a password: the detail
/// is cut to one line of at most 500 characters. Each entry is also a structured log line.
/// </summary>
public sealed class DashboardAudit(ReadModelDatabase database, TimeProvider time, ILogger? log = null)
{
    private readonly ILogger _log = (log ?? Log.Logger).ForContext<DashboardAudit>();
    private int _schema;

    public ReadModelDatabase Database => database;

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _schema) == 1) return;
        await using var c = await database.OpenAsync(ct);
        await DashboardSql.ExecuteAsync(c, $"""
            CREATE TABLE IF NOT EXISTS dash_audit ({DashboardSql.AutoId(database)}, at TEXT NOT NULL, "user" TEXT NOT NULL,
              action TEXT NOT NULL, detail TEXT NOT NULL, ok INTEGER NOT NULL)
            """, ct);
        Volatile.Write(ref _schema, 1);
    }

    public async Task WriteAsync(string user, string action, string detail, bool ok, CancellationToken ct = default)
    {
        var line = string.Join(' ', detail.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length > 500) line = line[..500] + "…";
        _log.Information("Dashboard audit {User} {Action} {Ok}: {Detail}", user, action, ok ? "ok" : "refused", line);
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        await DashboardSql.ExecuteAsync(c, """INSERT INTO dash_audit (at, "user", action, detail, ok) VALUES (@at, @user, @action, @detail, @ok)""", ct,
            ("@at", DashboardSql.Time(time.GetUtcNow())), ("@user", user), ("@action", action), ("@detail", line), ("@ok", ok ? 1 : 0));
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditLine>> RecentAsync(int limit = 200, CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        await using var q = DashboardSql.Command(c, """SELECT id, at, "user", action, detail, ok FROM dash_audit ORDER BY id DESC LIMIT @limit""", ("@limit", limit));
        await using var r = await q.ExecuteReaderAsync(ct);
        var rows = new List<AuditLine>();
        while (await r.ReadAsync(ct))
            rows.Add(new AuditLine(DashboardSql.Long(r.GetValue(0)), DashboardSql.ParseTime(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4),
                DashboardSql.Long(r.GetValue(5)) != 0));
        return rows;
    }
}
