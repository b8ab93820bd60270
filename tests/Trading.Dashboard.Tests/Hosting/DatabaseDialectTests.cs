using Npgsql;
using Trading.Dashboard.Audit;
using Trading.Dashboard.Auth;
using Trading.Dashboard.Notes;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Tests.Hosting;

/// <summary>
/// The dashboard's tables (<c>dash_users</c>, <c>dash_audit</c>, <c>dash_notes</c>) on both databases a node can have:
/// the SQLite journal file and PostgreSQL (the server of TRADING_PG_CONNECTION, each run in a database of its own;
/// skipped without one outside CI, like the journal's tests — scripts/test.sh starts a throwaway server).
/// </summary>
public class DatabaseDialectTests
{
    [Fact]
    public async Task Users_audit_and_notes_on_sqlite() =>
        await RoundTrip(ReadModelDatabase.Sqlite(Path.Combine(Path.GetTempPath(), $"dash-{Guid.NewGuid():N}.db")));

    [PostgresFact]
    public async Task Users_audit_and_notes_on_postgres()
    {
        var admin = Environment.GetEnvironmentVariable("TRADING_PG_CONNECTION")
            ?? throw new InvalidOperationException("TRADING_PG_CONNECTION is not set, and CI=true requires the PostgreSQL tests");
        var name = $"dash_{Guid.NewGuid():N}";
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await create.ExecuteNonQueryAsync();
        }
        await RoundTrip(ReadModelDatabase.Postgres(new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString));
    }

    private static async Task RoundTrip(ReadModelDatabase database)
    {
        var time = new TestTime(new DateTimeOffset(2024, 6, 3, 1, 30, 0, TimeSpan.Zero));
        var users = new DashboardUsers(database, time);
        await users.AddAsync("ann", "operator", "a long password");
        await Assert.ThrowsAsync<DashboardUserException>(() => users.AddAsync("ann", "admin", "another password"));
        Assert.Equal(new LoginResult(LoginOutcome.Ok, "operator"), await users.LoginAsync("ann", "a long password", 2, TimeSpan.FromMinutes(5)));
        Assert.Equal(LoginOutcome.Wrong, (await users.LoginAsync("ann", "wrong password", 2, TimeSpan.FromMinutes(5))).Outcome);
        Assert.Equal(new LoginResult(LoginOutcome.Locked, null, LockedNow: true), await users.LoginAsync("ann", "wrong password", 2, TimeSpan.FromMinutes(5)));
        Assert.Equal(LoginOutcome.Locked, (await users.LoginAsync("ann", "a long password", 2, TimeSpan.FromMinutes(5))).Outcome);
        var listed = Assert.Single(await users.ListAsync());
        Assert.Equal(time.Now + TimeSpan.FromMinutes(5), listed.LockedUntil);
        Assert.True(await users.UnlockAsync("ann"));
        Assert.Equal("operator", await users.RoleOfAsync("ann"));
        Assert.True(await users.RemoveAsync("ann"));
        Assert.Null(await users.RoleOfAsync("ann"));

        var audit = new DashboardAudit(database, time);
        await audit.WriteAsync("ann", "login", "operator from 127.0.0.1", true);
        await audit.WriteAsync("ann", "control", "kill on\nsecond line", false);
        var lines = await audit.RecentAsync();
        Assert.Equal([("control", "kill on second line", false), ("login", "operator from 127.0.0.1", true)], lines.Select(l => (l.Action, l.Detail, l.Ok)));

        var notes = new NoteStore(database, time);
        var first = await notes.AddAsync("ann", "day", "2024-06-03", "一");
        var second = await notes.AddAsync("ann", "alert", "42", "二");
        Assert.True(second.Id > first.Id);
        Assert.Equal(["一", "二"], (await notes.ListAsync(new DateOnly(2024, 6, 3), new DateOnly(2024, 6, 3))).Select(n => n.Text));
        Assert.Empty(await notes.ListAsync(new DateOnly(2024, 6, 4), null));
    }
}

/// <summary>A test that needs the PostgreSQL server of TRADING_PG_CONNECTION: skipped without it, except under CI (CI=true).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("TRADING_PG_CONNECTION")) && !ci)
            Skip = "TRADING_PG_CONNECTION is not set: scripts/test.sh starts a throwaway PostgreSQL for these tests";
    }
}
