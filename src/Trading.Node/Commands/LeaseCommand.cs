using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Trading.Cluster.Hosting;
using Trading.Cluster.Lease;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading lease status --config NODE.conf [--json]</c>: who holds the node's trading lease
/// (<c>trading.cluster.lease</c>), its fencing token — the running brain's epoch — and how long it has left by the
/// database clock (the only clock a lease's expiry is judged by). The connection is the lease's: its
/// <c>connection-file</c>, else <c>TRADING_PG_CONNECTION</c> as the journal reads it; it is never printed, the server is
/// named as host:port/database and user.
/// </summary>
internal static class LeaseCommand
{
    public static Command Build()
    {
        var cmd = new Command("lease", "The PostgreSQL lease that fences a cluster's trading brain");
        cmd.Subcommands.Add(Status());
        return cmd;
    }

    /// <summary>What <c>--json</c> prints.</summary>
    internal sealed record LeaseStatus(string Name, string Database, string? Owner, long Token, bool Held,
        DateTimeOffset? ExpiresAt, double? SecondsLeft, DateTimeOffset? AcquiredAt, DateTimeOffset? RenewedAt);

    private static Command Status()
    {
        var config = new Option<string>("--config", "-c") { Description = "Node HOCON with a trading.cluster block", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON: name, database, owner, token, held, expiresAt, secondsLeft, acquiredAt, renewedAt" };
        var cmd = new Command("status", "Owner, fencing token and seconds left (by the database clock) of the node's trading lease") { config, json };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var file = parse.GetValue(config)!;
            var root = HoconFile.Load(file);
            var account = ConfigBlock.Root(root, file).Block("trading", null)?.String("account-id", "main").Trim() ?? "main";
            var cluster = ClusterSettings.FromConfig(root, file, account)
                ?? throw new ConfigException($"{file}: 'trading.cluster' is missing: a single node has no lease.");
            var lease = cluster.Lease;
            var (connection, source) = LeaseConnection.Resolve(null, lease.ConnectionFile, "'trading.cluster.lease.connection-file'");
            await using var store = PostgresLeaseStore.Open(connection, lease.OperationTimeout, source);
            var row = await store.CurrentAsync(lease.Name, ct);
            var s = new LeaseStatus(lease.Name, store.Description, row?.Owner, row?.Token ?? 0, row?.Held ?? false,
                row?.ExpiresAt, row is null ? null : Math.Round(row.SecondsLeft, 3), row?.AcquiredAt, row?.RenewedAt);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(s, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
                return 0;
            }
            Console.WriteLine($"lease   {s.Name} at {s.Database}");
            if (row is null)
            {
                Console.WriteLine("state   never acquired (no row yet)");
                return 0;
            }
            string Seconds(double x) => x.ToString("0.0", CultureInfo.InvariantCulture);
            Console.WriteLine($"owner   {row.Owner ?? "nobody (released)"}");
            Console.WriteLine($"token   {row.Token.ToString(CultureInfo.InvariantCulture)}");
            Console.WriteLine(row.Held ? $"state   held, {Seconds(row.SecondsLeft)} s left by the database clock (expires {row.ExpiresAt:yyyy-MM-dd HH:mm:ss.fff zzz})"
                : row.Owner is null ? $"state   free since {row.ExpiresAt:yyyy-MM-dd HH:mm:ss.fff zzz}"
                : $"state   expired {Seconds(-row.SecondsLeft)} s ago by the database clock: another owner's acquire takes it with token {row.Token + 1}");
            if (row.AcquiredAt is { } a) Console.WriteLine($"since   {a:yyyy-MM-dd HH:mm:ss.fff zzz} (last renew {row.RenewedAt:HH:mm:ss.fff})");
            return 0;
        }));
        return cmd;
    }
}
