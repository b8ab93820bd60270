using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Trading.Dashboard.Audit;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Auth;

/// <summary>A dashboard user as <c>trading dashboard-user list</c> shows it: no hash.</summary>
public sealed record DashboardUser(string Name, string Role, int Failed, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt);

/// <summary>A user's mistake with a dashboard user (bad name, short password, no such user): one line for the CLI.</summary>
public sealed class DashboardUserException(string message) : Exception(message);

/// <summary>What a login attempt came to. <see cref="Locked"/> also when this attempt was the one that locked the user out.</summary>
public enum LoginOutcome
{
    Ok,
    Wrong,
    Locked,
}

/// <summary>A login's outcome and, when it is <see cref="LoginOutcome.Ok"/>, the user's role.</summary>
public sealed record LoginResult(LoginOutcome Outcome, string? Role, bool LockedNow = false);

/// <summary>
/// The dashboard's users in table <c>dash_users(name, role, password_hash, failed, locked_until, created_at)</c> of the
/// read-model database (created if missing, SQLite or PostgreSQL). Hashes are the framework's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2 with a per-password salt, versioned, rehashed when its defaults move on):
/// a solved problem, not ours to hand-write. <see cref="LoginAsync"/> counts failures in a row and locks a user out for
/// a while after too many; a locked user is refused even with the right password. An unknown user costs a hash check too
/// (a login's timing does not tell which names exist). No method returns or logs a password or a hash.
/// </summary>
public sealed class DashboardUsers(ReadModelDatabase database, TimeProvider time)
{
    public const int MinPassword = 10;
    public const int MaxPassword = 1024;
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$");
    private static readonly PasswordHasher<string> Hasher = new();
    // A hash of nothing anyone knows: an unknown user's login verifies against it (same work as a real user's).
    private static readonly Lazy<string> DecoyHash = new(() => Hasher.HashPassword("", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));
    private int _schema;

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref _schema) == 1) return;
        await using var c = await database.OpenAsync(ct);
        await DashboardSql.ExecuteAsync(c, """
            CREATE TABLE IF NOT EXISTS dash_users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
              failed BIGINT NOT NULL DEFAULT 0, locked_until TEXT, created_at TEXT NOT NULL)
            """, ct);
        Volatile.Write(ref _schema, 1);
    }

    public static string CheckName(string name) =>
        NamePattern.IsMatch(name) ? name : throw new DashboardUserException($"user name '{Clip(name)}' must be 1–64 letters, digits, '.', '_', '@' or '-'.");

    public static string CheckRole(string role) =>
        DashboardPolicies.Roles.Contains(role.Trim().ToLowerInvariant()) ? role.Trim().ToLowerInvariant()
            : throw new DashboardUserException($"role '{Clip(role)}' must be viewer, operator or admin.");

    public static void CheckPassword(string password)
    {
        if (password.Length < MinPassword) throw new DashboardUserException($"the password must have at least {MinPassword} characters.");
        if (password.Length > MaxPassword) throw new DashboardUserException($"the password must have at most {MaxPassword} characters.");
    }

    public async Task AddAsync(string name, string role, string password, CancellationToken ct = default)
    {
        CheckName(name);
        role = CheckRole(role);
        CheckPassword(password);
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        var added = await DashboardSql.ExecuteAsync(c, """
            INSERT INTO dash_users (name, role, password_hash, failed, locked_until, created_at) VALUES (@name, @role, @hash, 0, NULL, @at)
            ON CONFLICT (name) DO NOTHING
            """, ct, ("@name", name), ("@role", role), ("@hash", Hasher.HashPassword(name, password)), ("@at", DashboardSql.Time(time.GetUtcNow())));
        if (added == 0) throw new DashboardUserException($"user '{name}' already exists (remove it first to replace it).");
    }

    public async Task<IReadOnlyList<DashboardUser>> ListAsync(CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        await using var q = DashboardSql.Command(c, "SELECT name, role, failed, locked_until, created_at FROM dash_users ORDER BY name");
        await using var r = await q.ExecuteReaderAsync(ct);
        var rows = new List<DashboardUser>();
        while (await r.ReadAsync(ct))
            rows.Add(new DashboardUser(r.GetString(0), r.GetString(1), (int)DashboardSql.Long(r.GetValue(2)),
                r.IsDBNull(3) ? null : DashboardSql.ParseTime(r.GetString(3)), DashboardSql.ParseTime(r.GetString(4))));
        return rows;
    }

    /// <summary>The user's role now, or null when the user is gone (a session of a removed user ends at its next request).</summary>
    public async Task<string?> RoleOfAsync(string name, CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        await using var q = DashboardSql.Command(c, "SELECT role FROM dash_users WHERE name = @name", ("@name", name));
        return await q.ExecuteScalarAsync(ct) as string;
    }

    public async Task<int> CountAsync(CancellationToken ct = default) => (await ListAsync(ct)).Count;

    /// <summary>Removes a user; false when there was none of that name.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        return await DashboardSql.ExecuteAsync(c, "DELETE FROM dash_users WHERE name = @name", ct, ("@name", name)) > 0;
    }

    /// <summary>Lifts a lock-out and clears the failure count; false when there is no such user.</summary>
    public async Task<bool> UnlockAsync(string name, CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        await using var c = await database.OpenAsync(ct);
        return await DashboardSql.ExecuteAsync(c, "UPDATE dash_users SET failed = 0, locked_until = NULL WHERE name = @name", ct, ("@name", name)) > 0;
    }

    /// <summary>
    /// Checks a login. A locked user is refused without looking at the password; a wrong password counts a failure and,
    /// at <paramref name="attempts"/> in a row, locks the user for <paramref name="lockFor"/>; a right one clears the count.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string name, string password, int attempts, TimeSpan lockFor, CancellationToken ct = default)
    {
        await EnsureSchemaAsync(ct);
        var now = time.GetUtcNow();
        await using var c = await database.OpenAsync(ct);
        string? role = null, hash = null, lockedUntil = null;
        if (NamePattern.IsMatch(name))
        {
            await using var q = DashboardSql.Command(c, "SELECT role, password_hash, locked_until FROM dash_users WHERE name = @name", ("@name", name));
            await using var r = await q.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) (role, hash, lockedUntil) = (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2));
        }
        if (role is null || hash is null)
        {
            Hasher.VerifyHashedPassword("", DecoyHash.Value, password);
            return new LoginResult(LoginOutcome.Wrong, null);
        }
        if (lockedUntil is not null && DashboardSql.ParseTime(lockedUntil) > now) return new LoginResult(LoginOutcome.Locked, null);
        var verdict = password.Length is 0 or > MaxPassword ? PasswordVerificationResult.Failed : Hasher.VerifyHashedPassword(name, hash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await using var inc = DashboardSql.Command(c, "UPDATE dash_users SET failed = failed + 1 WHERE name = @name RETURNING failed", ("@name", name));
            var failed = DashboardSql.Long((await inc.ExecuteScalarAsync(ct))!);
            if (failed < attempts) return new LoginResult(LoginOutcome.Wrong, null);
            await DashboardSql.ExecuteAsync(c, "UPDATE dash_users SET failed = 0, locked_until = @until WHERE name = @name", ct,
                ("@name", name), ("@until", DashboardSql.Time(now + lockFor)));
            return new LoginResult(LoginOutcome.Locked, null, LockedNow: true);
        }
        await DashboardSql.ExecuteAsync(c, verdict == PasswordVerificationResult.SuccessRehashNeeded
                ? "UPDATE dash_users SET failed = 0, locked_until = NULL, password_hash = @hash WHERE name = @name"
                : "UPDATE dash_users SET failed = 0, locked_until = NULL WHERE name = @name", ct,
            verdict == PasswordVerificationResult.SuccessRehashNeeded
                ? [("@name", name), ("@hash", Hasher.HashPassword(name, password))]
                : [("@name", name)]);
        return new LoginResult(LoginOutcome.Ok, role);
    }

    private static string Clip(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
