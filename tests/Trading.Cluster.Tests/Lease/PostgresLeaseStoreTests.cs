using System.Diagnostics;
using Trading.Cluster.Lease;
using Xunit.Abstractions;

namespace Trading.Cluster.Tests.Lease;

/// <summary>The lease's table on the real PostgreSQL: one winner, tokens that only rise, expiry by the database clock.</summary>
public class PostgresLeaseStoreTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task Concurrent_acquires_by_two_owners_have_one_winner_and_the_token_rises_on_every_change_of_owner()
    {
        await using var store = LeaseDatabase.Store();
        var name = LeaseDatabase.NewName();
        long previous = 0;
        string? previousOwner = null;
        for (int round = 0; round < 5; round++)
        {
            // 16 acquires at once, alternating owners, each on its own connection.
            var owners = Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? "node-a" : "node-b").ToArray();
            var tokens = await Task.WhenAll(owners.Select(o => Task.Run(() => store.AcquireAsync(name, o, Ttl))));
            var winners = owners.Select((o, i) => (Owner: o, Token: tokens[i])).Where(x => x.Token is not null).ToList();
            Assert.NotEmpty(winners);
            var owner = Assert.Single(winners.Select(w => w.Owner).Distinct());
            var token = Assert.Single(winners.Select(w => w.Token!.Value).Distinct());
            if (previousOwner is not null) Assert.True(token > previous, $"round {round}: token {token} after {previous}");
            var row = await store.CurrentAsync(name);
            Assert.Equal(owner, row!.Owner);
            Assert.Equal(token, row.Token);
            Assert.True(row.Held);
            (previous, previousOwner) = (token, owner);
            Assert.True(await store.ReleaseAsync(name, owner, token));
        }
    }

    [PostgresFact]
    public async Task The_owner_reacquiring_keeps_its_token_and_another_owner_waits_for_the_database_expiry()
    {
        await using var store = LeaseDatabase.Store();
        var name = LeaseDatabase.NewName();
        var ttl = TimeSpan.FromMilliseconds(1500);
        var first = await store.AcquireAsync(name, "node-a", ttl);
        Assert.NotNull(first);
        Assert.Equal(first, await store.AcquireAsync(name, "node-a", ttl));
        var held = (await store.CurrentAsync(name))!;
        Assert.Null(await store.AcquireAsync(name, "node-b", ttl));
        // node-a stops renewing: node-b gets it only once the database clock has passed node-a's expiry.
        while (true)
        {
            var attempt = await store.AcquireAsync(name, "node-b", ttl);
            var after = (await store.CurrentAsync(name))!;
            if (attempt is { } t)
            {
                Assert.Equal(first + 1, t);
                Assert.Equal("node-b", after.Owner);
                Assert.True(after.AcquiredAt > held.ExpiresAt, $"taken at {after.AcquiredAt:O} before node-a's expiry {held.ExpiresAt:O} by the database clock");
                break;
            }
            Assert.Equal("node-a", after.Owner);
            Assert.True(after.SecondsLeft > -0.5, "expired by the database clock but still refused");
            await Task.Delay(100);
        }
        // The stale owner's renew and release match nothing any more.
        Assert.False(await store.RenewAsync(name, "node-a", first!.Value, ttl));
        Assert.False(await store.ReleaseAsync(name, "node-a", first.Value));
        Assert.Equal("node-b", (await store.CurrentAsync(name))!.Owner);
    }

    [PostgresFact]
    public async Task A_release_frees_the_lease_but_keeps_its_token_so_the_next_one_is_higher()
    {
        await using var store = LeaseDatabase.Store();
        var name = LeaseDatabase.NewName();
        var t1 = (await store.AcquireAsync(name, "node-a", Ttl))!.Value;
        Assert.True(await store.ReleaseAsync(name, "node-a", t1));
        var freed = (await store.CurrentAsync(name))!;
        Assert.Null(freed.Owner);
        Assert.Equal(t1, freed.Token);
        Assert.False(freed.Held);
        Assert.False(await store.RenewAsync(name, "node-a", t1, Ttl));
        // Even the same owner gets a new token: between its two holds someone else could have held it.
        var t2 = (await store.AcquireAsync(name, "node-a", Ttl))!.Value;
        Assert.Equal(t1 + 1, t2);
        Assert.True(await store.ReleaseAsync(name, "node-a", t2));
        Assert.Equal(t2 + 1, await store.AcquireAsync(name, "node-b", Ttl));
        Assert.Null(await store.CurrentAsync(LeaseDatabase.NewName()));
    }

    [PostgresFact]
    public async Task Two_stores_creating_the_table_at_once_both_succeed()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => LeaseDatabase.Store()).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.EnsureTableAsync())));
        }
        finally
        {
            foreach (var s in stores) await s.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Acquire_and_renew_latency_on_this_machine()
    {
        await using var store = LeaseDatabase.Store();
        var name = LeaseDatabase.NewName();
        const int N = 300;
        var acquire = new double[N];
        var renew = new double[N];
        long token = (await store.AcquireAsync(name, "node-a", Ttl))!.Value;
        for (int i = 0; i < N; i++)
        {
            var sw = Stopwatch.StartNew();
            Assert.Equal(token, await store.AcquireAsync(name, "node-a", Ttl));
            acquire[i] = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            Assert.True(await store.RenewAsync(name, "node-a", token, Ttl));
            renew[i] = sw.Elapsed.TotalMilliseconds;
        }
        static string Stats(double[] x)
        {
            var s = x.OrderBy(v => v).ToArray();
            return $"p50 {s[s.Length / 2]:0.00} ms, p99 {s[(int)(s.Length * 0.99)]:0.00} ms, max {s[^1]:0.00} ms";
        }
        output.WriteLine($"acquire (held, same owner): {Stats(acquire)}");
        output.WriteLine($"renew: {Stats(renew)}");
        // A heartbeat of 1 s must fit many renews: far below the default operation timeout of 2 s.
        Assert.True(renew.OrderBy(v => v).ElementAt(N / 2) < 200, "median renew over 200 ms");
    }
}
