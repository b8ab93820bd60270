using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Trading.Runtime.Persistence;

namespace Trading.Runtime.ReadModels;

/// <summary>One persistence id of a journal: live (not deleted) events, highest sequence number written, latest snapshot.</summary>
public sealed record JournalStream(string PersistenceId, long Events, long HighestSequenceNr, long? SnapshotSequenceNr);

/// <summary>What <c>trading journal inspect</c> shows.</summary>
public sealed record JournalSummary(string Source, IReadOnlyList<JournalStream> Streams, IReadOnlyList<(string Tag, long Events)> Tags, IReadOnlyList<TagLag>? Lag);

/// <summary>One raw journal row with its payload as text (the journal serializer's JSON).</summary>
public sealed record JournalRow(long Ordering, string PersistenceId, long SequenceNr, bool Deleted, DateTime Written, string Manifest, int SerializerId, string Tags, string Payload);

/// <summary>
/// Reads a journal's own tables (Akka.Persistence.Sql's default mapping: <c>journal</c>, <c>tags</c>,
/// <c>snapshot</c>) and the read models' offsets, without an actor system and without writing. Opening checks that
/// the database is there and is a journal: a missing file, a file that is not SQLite or has no journal table, a
/// server that cannot be reached — each a one-line exception naming the file or host:port/database (never a password).
/// </summary>
public sealed class JournalInspector
{
    private readonly ReadModelDatabase _database;

    private JournalInspector(ReadModelDatabase database) => _database = database;

    public ReadModelDatabase Database => _database;

    /// <summary>The journal at <paramref name="connection"/> (SQLite: a file that must exist; PostgreSQL: null = TRADING_PG_CONNECTION).</summary>
    public static async Task<JournalInspector> OpenAsync(JournalKind kind, string? connection, CancellationToken ct = default)
    {
        if (kind == JournalKind.Sqlite)
        {
            if (string.IsNullOrWhiteSpace(connection)) throw new FormatException("a SQLite journal needs its file");
            if (Directory.Exists(connection)) throw new InvalidDataException($"{connection} is a folder, not a journal file");
            if (!File.Exists(connection)) throw new FileNotFoundException($"journal file {connection} not found", connection);
        }
        var inspector = new JournalInspector(ReadModelDatabase.For(kind, connection));
        await using var c = await inspector._database.OpenAsync(ct);
        bool isJournal;
        try
        {
            isJournal = await inspector.TableExistsAsync(c, "journal", ct);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"{inspector._database.Description} is not a journal: {e.Message.Split('\n')[0]}", e);
        }
        if (!isJournal) throw new InvalidDataException($"{inspector._database.Description} is not a journal: it has no journal table");
        return inspector;
    }

    public async Task<JournalSummary> SummaryAsync(CancellationToken ct = default)
    {
        await using var c = await _database.OpenAsync(ct);
        var snapshots = new Dictionary<string, long>();
        if (await TableExistsAsync(c, "snapshot", ct))
            await ReadAsync(c, "SELECT persistence_id, MAX(sequence_number) FROM snapshot GROUP BY persistence_id",
                r => snapshots[r.GetString(0)] = r.GetInt64(1), ct);
        var streams = new List<JournalStream>();
        await ReadAsync(c, """
            SELECT persistence_id, SUM(CASE WHEN deleted THEN 0 ELSE 1 END), MAX(sequence_number)
            FROM journal GROUP BY persistence_id ORDER BY persistence_id
            """, r => streams.Add(new JournalStream(r.GetString(0), r.GetInt64(1), r.GetInt64(2),
                snapshots.TryGetValue(r.GetString(0), out var s) ? s : null)), ct);
        var tags = new List<(string, long)>();
        if (await TableExistsAsync(c, "tags", ct))
            await ReadAsync(c, "SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag", r => tags.Add((r.GetString(0), r.GetInt64(1))), ct);
        IReadOnlyList<TagLag>? lag = null;
        if (await TableExistsAsync(c, "rm_offsets", ct))
        {
            var offsets = new Dictionary<string, long>();
            await ReadAsync(c, "SELECT tag, ordering FROM rm_offsets", r => offsets[r.GetString(0)] = r.GetInt64(1), ct);
            var list = new List<TagLag>();
            foreach (var tag in ReadModelStore.ProjectedTags)
            {
                var offset = offsets.GetValueOrDefault(tag);
                await using var q = ReadModelDatabase.Command(c, null, "SELECT COUNT(*) FROM tags WHERE tag = @tag AND ordering_id > @offset", ("@tag", tag), ("@offset", offset));
                var behind = tags.Count == 0 ? 0 : Convert.ToInt64(await q.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
                list.Add(new TagLag(tag, tags.FirstOrDefault(t => t.Item1 == tag).Item2, offset, behind));
            }
            lag = list;
        }
        return new JournalSummary(_database.Kind == JournalKind.Sqlite ? $"SQLite journal {_database.Description}" : $"PostgreSQL journal at {_database.Description}",
            streams, tags, lag);
    }

    /// <summary>Every journal row in global order, deleted ones included (flagged), with its tags and its payload as text.</summary>
    public async IAsyncEnumerable<JournalRow> RowsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await _database.OpenAsync(ct);
        // Tags merged by ordering from a second connection (Npgsql runs one reader per connection).
        await using var tc = await _database.OpenAsync(ct);
        bool hasTags = await TableExistsAsync(tc, "tags", ct);
        await using var tq = ReadModelDatabase.Command(tc, null, hasTags ? "SELECT ordering_id, tag FROM tags ORDER BY ordering_id, tag" : "SELECT 0, '' WHERE 1 = 0");
        await using var tr = await tq.ExecuteReaderAsync(ct);
        bool moreTags = await tr.ReadAsync(ct);
        await using var q = ReadModelDatabase.Command(c, null,
            "SELECT ordering, persistence_id, sequence_number, deleted, created, manifest, identifier, message FROM journal ORDER BY ordering");
        await using var r = await q.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            long ordering = r.GetInt64(0);
            var tags = new List<string>();
            while (moreTags && tr.GetInt64(0) <= ordering)
            {
                if (tr.GetInt64(0) == ordering) tags.Add(tr.GetString(1));
                moreTags = await tr.ReadAsync(ct);
            }
            int serializer = Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture);
            var bytes = (byte[])r.GetValue(7);
            // The journal serializer and Akka's Newtonsoft one both write JSON text; anything else stays opaque.
            var payload = serializer is JournalSerializer.Id or 1 ? Encoding.UTF8.GetString(bytes) : "base64:" + Convert.ToBase64String(bytes);
            yield return new JournalRow(ordering, r.GetString(1), r.GetInt64(2), Convert.ToBoolean(r.GetValue(3), CultureInfo.InvariantCulture),
                new DateTime(Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture), DateTimeKind.Utc), r.IsDBNull(5) ? "" : r.GetString(5),
                serializer, string.Join(';', tags), payload);
        }
    }

    private async Task<bool> TableExistsAsync(DbConnection c, string table, CancellationToken ct)
    {
        var sql = _database.Kind == JournalKind.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @name";
        await using var q = ReadModelDatabase.Command(c, null, sql, ("@name", table));
        return Convert.ToInt64(await q.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
    }

    private static async Task ReadAsync(DbConnection c, string sql, Action<DbDataReader> row, CancellationToken ct)
    {
        await using var q = ReadModelDatabase.Command(c, null, sql);
        await using var r = await q.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) row(r);
    }
}
