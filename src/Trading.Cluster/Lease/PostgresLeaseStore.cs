using Npgsql;
using Trading.Runtime.Persistence;

namespace Trading.Cluster.Lease;

/// <summary>One lease row as the database sees it; <paramref name="SecondsLeft"/> is judged by the database clock.</summary>
/// <param name="Owner">Who holds it; null once released (the row stays, so its token never goes back).</param>
public sealed record LeaseRow(string Name, string? Owner, long Token, DateTimeOffset ExpiresAt, DateTimeOffset? AcquiredAt,
    DateTimeOffset? RenewedAt, double SecondsLeft)
{
    /// <summary>Whether someone holds it now (an owner, and not yet expired by the database clock).</summary>
    public bool Held => Owner is not null && SecondsLeft > 0;
}

/// <summary>
/// The leases' table on PostgreSQL, in plain SQL: one row per lease (<c>name, owner, token, expires_at</c>). Every
/// change is one statement, so two nodes racing are ordered by the row lock, and every expiry is <c>now() + ttl</c> on
/// the database clock — the nodes' clocks never decide who holds a lease. The token is the fencing token
/// (CLUSTER_FAILOVER.md "Two brains at once happen — so fence"): it rises on every change of owner and never goes back,
/// so whatever a brain writes with it can be refused once a newer brain exists. Errors are
/// <see cref="LeaseStoreUnavailableException"/>: one line naming host:port/database, never the password.
/// </summary>
public sealed class PostgresLeaseStore : IAsyncDisposable
{
    /// <summary>The row a released lease keeps as its owner: nobody (the column is not null).</summary>
    private const string Nobody = "";

    // Two nodes starting at once would both run CREATE TABLE IF NOT EXISTS, and the loser can fail on pg_type's unique
    // index; a transaction-scoped advisory lock (its key spells "tradls") orders them.
    private const string CreateSql = """
        SELECT pg_advisory_xact_lock(127978439452787);
        CREATE TABLE IF NOT EXISTS trading_lease (
            name text PRIMARY KEY,
            owner text NOT NULL,
            token bigint NOT NULL,
            expires_at timestamptz NOT NULL,
            acquired_at timestamptz,
            renewed_at timestamptz);
        """;

    // The owner (or nobody after a release) keeps its token; any other owner takes it only once expired, with token + 1.
    private const string AcquireSql = """
        INSERT INTO trading_lease AS l (name, owner, token, expires_at, acquired_at, renewed_at)
        VALUES (@name, @owner, 1, now() + @ttl, now(), now())
        ON CONFLICT (name) DO UPDATE SET
            token = CASE WHEN l.owner = excluded.owner THEN l.token ELSE l.token + 1 END,
            acquired_at = CASE WHEN l.owner = excluded.owner THEN l.acquired_at ELSE now() END,
            owner = excluded.owner,
            expires_at = excluded.expires_at,
            renewed_at = now()
        WHERE l.owner = @owner OR l.owner = '' OR l.expires_at < now()
        RETURNING token
        """;

    private const string RenewSql = """
        UPDATE trading_lease SET expires_at = now() + @ttl, renewed_at = now()
        WHERE name = @name AND owner = @owner AND token = @token
        """;

    private const string ReleaseSql = """
        UPDATE trading_lease SET owner = '', expires_at = now(), renewed_at = now()
        WHERE name = @name AND owner = @owner AND token = @token
        """;

    private const string CurrentSql = """
        SELECT owner, token, expires_at, acquired_at, renewed_at, EXTRACT(EPOCH FROM expires_at - now())::float8
        FROM trading_lease WHERE name = @name
        """;

    private static readonly TimeSpan MinSetupTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan SetupTimeout => _timeout > MinSetupTimeout ? _timeout : MinSetupTimeout;

    private readonly NpgsqlDataSource _source;
    private readonly TimeSpan _timeout;
    private int _created;
    private long _statements;

    private PostgresLeaseStore(NpgsqlDataSource source, string description, TimeSpan timeout)
    {
        _source = source;
        Description = description;
        _timeout = timeout;
    }

    /// <summary>host:port/database as user — what logs and errors show of the connection.</summary>
    public string Description { get; }

    /// <summary>Statements sent so far (tests: a local answer must not touch the database).</summary>
    internal long Statements => Interlocked.Read(ref _statements);

    /// <summary>
    /// A store on <paramref name="connectionString"/>; each statement (and the connect before it) may take
    /// <paramref name="operationTimeout"/>. Nothing is contacted yet. A malformed string is a
    /// <see cref="Akka.Configuration.ConfigurationException"/> that quotes none of it.
    /// </summary>
    public static PostgresLeaseStore Open(string connectionString, TimeSpan operationTimeout, string source)
    {
        NpgsqlConnectionStringBuilder b;
        try
        {
            b = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Not e.Message: a stray ';' in a password would show part of it as an "unknown keyword".
            throw new Akka.Configuration.ConfigurationException($"{source} is not a valid Npgsql connection string: expected Host=…;Port=…;Database=…;Username=…;Password=…");
        }
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "trading-lease";
        // Npgsql's own connect timeout (whole seconds) stays; each operation's cancellation enforces the finer timeout.
        return new PostgresLeaseStore(NpgsqlDataSource.Create(b), PostgresJournal.Describe(b), operationTimeout);
    }

    /// <summary>
    /// Takes <paramref name="name"/> for <paramref name="owner"/> until the database's <c>now() + ttl</c>: the token, or
    /// null when another owner holds it. The owner already holding it keeps its token (a retried acquire whose answer
    /// was lost changes nothing); any change of owner raises it by one.
    /// </summary>
    public async Task<long?> AcquireAsync(string name, string owner, TimeSpan ttl, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(owner)) throw new ArgumentException("a lease owner must not be empty", nameof(owner));
        await EnsureTableAsync(ct);
        return await RunAsync(name, async (c, dt) =>
        {
            await using var q = new NpgsqlCommand(AcquireSql, c);
            q.Parameters.AddWithValue("name", name);
            q.Parameters.AddWithValue("owner", owner);
            q.Parameters.AddWithValue("ttl", ttl);
            return await q.ExecuteScalarAsync(dt) is long token ? token : (long?)null;
        }, ct);
    }

    /// <summary>Extends the lease to <c>now() + ttl</c> if <paramref name="owner"/> still holds it with <paramref name="token"/>; false: lost.</summary>
    public Task<bool> RenewAsync(string name, string owner, long token, TimeSpan ttl, CancellationToken ct = default) =>
        UpdateAsync(RenewSql, name, owner, token, ttl, ct);

    /// <summary>Frees the lease now (expired, no owner, same token) if <paramref name="owner"/> holds it with <paramref name="token"/>.</summary>
    public Task<bool> ReleaseAsync(string name, string owner, long token, CancellationToken ct = default) =>
        UpdateAsync(ReleaseSql, name, owner, token, null, ct);

    /// <summary>The lease's row, or null when it was never acquired (no row, or no table yet).</summary>
    public Task<LeaseRow?> CurrentAsync(string name, CancellationToken ct = default) => RunAsync(name, async (c, dt) =>
    {
        await using var q = new NpgsqlCommand(CurrentSql, c);
        q.Parameters.AddWithValue("name", name);
        try
        {
            await using var r = await q.ExecuteReaderAsync(dt);
            if (!await r.ReadAsync(dt)) return null;
            var owner = r.GetString(0);
            return new LeaseRow(name, owner.Length == 0 ? null : owner, r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2),
                r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.GetDouble(5));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }, ct);

    /// <summary>
    /// Creates the table if missing (idempotent, and safe when several nodes start at once); once per store. Its first
    /// connect (authentication, a cold process loading Npgsql) and a wait for another node's creation are not what the
    /// operation timeout measures, so it has at least 10 s.
    /// </summary>
    public async Task EnsureTableAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _created) == 1) return;
        await RunAsync("(table)", async (c, dt) =>
        {
            await using var tx = await c.BeginTransactionAsync(dt);
            await using var q = new NpgsqlCommand(CreateSql, c, tx);
            await q.ExecuteNonQueryAsync(dt);
            await tx.CommitAsync(dt);
            return true;
        }, ct, SetupTimeout);
        Volatile.Write(ref _created, 1);
    }

    private async Task<bool> UpdateAsync(string sql, string name, string owner, long token, TimeSpan? ttl, CancellationToken ct) =>
        await RunAsync(name, async (c, dt) =>
        {
            await using var q = new NpgsqlCommand(sql, c);
            q.Parameters.AddWithValue("name", name);
            q.Parameters.AddWithValue("owner", owner);
            q.Parameters.AddWithValue("token", token);
            if (ttl is { } t) q.Parameters.AddWithValue("ttl", t);
            return await q.ExecuteNonQueryAsync(dt) == 1;
        }, ct);

    /// <summary>One connect and statement within the operation timeout; failures become one-line <see cref="LeaseStoreUnavailableException"/>s.</summary>
    private async Task<T> RunAsync<T>(string name, Func<NpgsqlConnection, CancellationToken, Task<T>> statement, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = timeout ?? _timeout;
        deadline.CancelAfter(limit);
        Interlocked.Increment(ref _statements);
        try
        {
            await using var c = await _source.OpenConnectionAsync(deadline.Token);
            return await statement(c, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new LeaseStoreUnavailableException($"PostgreSQL lease store at {Description}: lease '{name}': no answer within {limit.TotalMilliseconds:0}ms", null, timedOut: true);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new LeaseStoreUnavailableException($"PostgreSQL lease store at {Description}: lease '{name}': {Reason(e)}", e,
                timedOut: e is TimeoutException || e.InnerException is TimeoutException);
        }
    }

    /// <summary>What went wrong, on one line: Npgsql's message and, when it only says it failed to connect, why.</summary>
    private static string Reason(Exception e)
    {
        var reason = e.Message;
        if (e is NpgsqlException { InnerException: { } inner } && inner is not NpgsqlException) reason += $" ({inner.Message})";
        return string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

/// <summary>
/// The lease's database cannot be reached, refused the login, or did not answer in time; the message is one line naming
/// host:port/database, never the connection string (nor does Npgsql's inner exception, kept for the log file).
/// </summary>
public sealed class LeaseStoreUnavailableException(string message, Exception? inner, bool timedOut) : Akka.Coordination.LeaseException(message, inner!)
{
    /// <summary>Whether the statement ran out of its operation timeout (rather than failing outright).</summary>
    public bool TimedOut { get; } = timedOut;
}
