using System.Globalization;
using Trading.Dashboard.Audit;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Notes;

/// <summary>A note on a day (<c>2024-06-03</c>), an order (its client id) or an alert (its sequence number).</summary>
public sealed record Note(long Id, DateTimeOffset At, string Author, string TargetKind, string TargetId, string Text);

/// <summary>A note that cannot be stored as given: the message says which field and why (an HTTP 400).</summary>
public sealed class NoteException(string message) : Exception(message);

/// <summary>
/// Team notes in table <c>dash_notes</c> of the read-model database. Each note has a trading day (<c>day</c>): the
/// day it is about, or for an order or an alert the Shanghai day it was written, so a day's timeline and its daily
/// statement find every note of that day with one range query.
/// </summary>
public sealed class NoteStore(ReadModelDatabase database, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Kinds = ["day", "order", "alert"];
    public const int MaxText = 4000;
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private int _schema;

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _schema) == 1) return;
        await using var c = await database.OpenAsync(ct);
        await DashboardSql.ExecuteAsync(c, $"""
            CREATE TABLE IF NOT EXISTS dash_notes ({DashboardSql.AutoId(database)}, at TEXT NOT NULL, day TEXT NOT NULL, author TEXT NOT NULL,
              target_kind TEXT NOT NULL, target_id TEXT NOT NULL, text TEXT NOT NULL)
            """, ct);
        await DashboardSql.ExecuteAsync(c, "CREATE INDEX IF NOT EXISTS dash_notes_day ON dash_notes (day)", ct);
        Volatile.Write(ref _schema, 1);
    }

    public async Task<Note> AddAsync(string author, string? kind, string? targetId, string? text, CancellationToken ct = default)
    {
        kind = (kind ?? "").Trim().ToLowerInvariant();
        if (!Kinds.Contains(kind)) throw new NoteException("targetKind must be day, order or alert.");
        targetId = (targetId ?? "").Trim();
        if (targetId.Length is 0 or > 100 || targetId.Any(char.IsControl)) throw new NoteException("targetId must be 1–100 characters without control characters.");
        text = (text ?? "").Trim();
        if (text.Length is 0 or > MaxText) throw new NoteException($"text must be 1–{MaxText} characters.");
        var now = time.GetUtcNow();
        string day;
        if (kind == "day")
        {
            if (!DateOnly.TryParseExact(targetId, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                throw new NoteException("a day note's targetId must be a date YYYY-MM-DD.");
            day = targetId = d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        else day = TimeZoneInfo.ConvertTime(now, Shanghai).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        await using var q = DashboardSql.Command(c, """
            INSERT INTO dash_notes (at, day, author, target_kind, target_id, text) VALUES (@at, @day, @author, @kind, @target, @text) RETURNING id
            """, ("@at", DashboardSql.Time(now)), ("@day", day), ("@author", author), ("@kind", kind), ("@target", targetId), ("@text", text));
        var id = DashboardSql.Long((await q.ExecuteScalarAsync(ct))!);
        return new Note(id, DashboardSql.ParseTime(DashboardSql.Time(now)), author, kind, targetId, text);
    }

    /// <summary>
    /// A day's notes as rows of the daily risk statement (time in Shanghai, the target, the author, the text): the node's
    /// post-close and <c>trading report daily</c> pass this to the statement.
    /// </summary>
    public async Task<IReadOnlyList<Trading.Reporting.Html.StatementEvent>> ForStatementAsync(DateOnly day, CancellationToken ct = default) =>
        (await ListAsync(day, day, ct)).Select(n => new Trading.Reporting.Html.StatementEvent(
            TimeZoneInfo.ConvertTime(n.At, Shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), $"note on {n.TargetKind} {n.TargetId}",
            n.Author, null, n.TargetKind == "order" ? n.TargetId : null, n.Text)).ToArray();

    /// <summary>Notes whose day is in [<paramref name="from"/>, <paramref name="to"/>] (either open), oldest first.</summary>
    public async Task<IReadOnlyList<Note>> ListAsync(DateOnly? from, DateOnly? to, CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        await using var q = DashboardSql.Command(c, """
            SELECT id, at, author, target_kind, target_id, text FROM dash_notes WHERE day >= @from AND day <= @to ORDER BY at, id
            """, ("@from", from?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "0000-00-00"),
            ("@to", to?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "9999-99-99"));
        await using var r = await q.ExecuteReaderAsync(ct);
        var rows = new List<Note>();
        while (await r.ReadAsync(ct))
            rows.Add(new Note(DashboardSql.Long(r.GetValue(0)), DashboardSql.ParseTime(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)));
        return rows;
    }
}
