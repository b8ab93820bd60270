using System.Text.Json;
using Trading.Cluster.Lease;

namespace Trading.Node.Tests;

/// <summary><c>trading lease status</c>: owner, token and seconds left by the database clock; one-line errors without the connection string.</summary>
[Collection("console")]
public class LeaseCommandTests
{
    private static string Node(string dir, string connectionFile, string name)
    {
        var file = Path.Combine(dir, "node.conf");
        File.WriteAllText(file, $$"""
            trading {
              account-id = acct
              cluster { role = trader, lease { name = "{{name}}", ttl = 6s, heartbeat-interval = 1s, connection-file = "{{Path.GetFileName(connectionFile)}}" } }
            }
            """);
        return file;
    }

    private static string ConnectionFile(string dir, string connection)
    {
        var file = Path.Combine(dir, "pg.conn");
        File.WriteAllText(file, connection);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    [Fact]
    public async Task An_unreachable_database_is_one_line_without_the_connection_string()
    {
        var dir = CliRunner.TempDir();
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        const string Secret = "lease-pw-never-shown";
        var conf = Node(dir, ConnectionFile(dir, $"Host=127.0.0.1;Port={port};Database=trading;Username=trader;Password={Secret}"), "trader-acct");
        var (exit, output, err) = await CliRunner.Run("lease", "status", "--config", conf);
        Assert.Equal((1, ""), (exit, output));
        Assert.StartsWith($"error: PostgreSQL lease store at 127.0.0.1:{port}/trading as trader: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.DoesNotContain(Secret, err);

        // A connection file others may read is refused; a file without a cluster has no lease.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(dir, "pg.conn"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            (exit, _, err) = await CliRunner.Run("lease", "status", "--config", conf);
            Assert.Equal(1, exit);
            Assert.Contains("'trading.cluster.lease.connection-file'", err);
            Assert.Contains("chmod 600", err);
            Assert.DoesNotContain(Secret, err);
        }
        File.WriteAllText(conf, "trading { account-id = acct }");
        (exit, _, err) = await CliRunner.Run("lease", "status", "--config", conf);
        Assert.Equal(1, exit);
        Assert.Contains("'trading.cluster' is missing", err);
    }

    [LeasePostgresFact]
    public async Task Status_shows_owner_token_and_seconds_left_by_the_database_clock()
    {
        var connection = Environment.GetEnvironmentVariable(LeaseConnection.Variable);
        Assert.False(string.IsNullOrWhiteSpace(connection), "TRADING_PG_CONNECTION is not set, and CI=true requires the PostgreSQL lease tests: run them through scripts/test.sh, which starts a server");
        var dir = CliRunner.TempDir();
        var name = $"cli-{Guid.NewGuid():N}";
        var conf = Node(dir, ConnectionFile(dir, connection), name);
        var (exit, output, err) = await CliRunner.Run("lease", "status", "--config", conf);
        Assert.True(exit == 0, err);
        Assert.Contains("never acquired", output);

        await using var store = PostgresLeaseStore.Open(connection, TimeSpan.FromSeconds(5), "test");
        var token = (await store.AcquireAsync(name, "node-a:4053", TimeSpan.FromSeconds(30)))!.Value;
        (exit, output, err) = await CliRunner.Run("lease", "status", "--config", conf);
        Assert.True(exit == 0, err);
        Assert.Contains("owner   node-a:4053", output);
        Assert.Contains($"token   {token}", output);
        Assert.Contains("s left by the database clock", output);
        Assert.DoesNotContain("Password", output);

        (exit, output, err) = await CliRunner.Run("lease", "status", "--config", conf, "--json");
        Assert.True(exit == 0, err);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(name, json.GetProperty("name").GetString());
        Assert.Equal("node-a:4053", json.GetProperty("owner").GetString());
        Assert.Equal(token, json.GetProperty("token").GetInt64());
        Assert.True(json.GetProperty("held").GetBoolean());
        Assert.InRange(json.GetProperty("secondsLeft").GetDouble(), 20, 30);

        Assert.True(await store.ReleaseAsync(name, "node-a:4053", token));
        (exit, output, _) = await CliRunner.Run("lease", "status", "--config", conf);
        Assert.Equal(0, exit);
        Assert.Contains("nobody (released)", output);
        Assert.Contains($"token   {token}", output);
    }
}

/// <summary>As the journal's PostgreSQL tests: skipped without TRADING_PG_CONNECTION outside CI, failed under CI (scripts/test.sh starts a server).</summary>
public sealed class LeasePostgresFactAttribute : FactAttribute
{
    public LeasePostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(LeaseConnection.Variable))
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Skip = "TRADING_PG_CONNECTION is not set: scripts/test.sh starts a throwaway PostgreSQL for these tests (or: scripts/postgres-test.sh start && eval \"$(scripts/postgres-test.sh env)\")";
    }
}
