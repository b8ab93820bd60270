using System.Diagnostics;
using Trading.Bench.Workloads;
using Trading.Data.Synthetic;

namespace Trading.Bench;

/// <summary>
/// <c>bench tushare-fetch [--symbols 5000] [--days 1] [--rate 500] [--seed 42] [--trading PATH]</c>: a full-market refresh of
/// <c>--days</c> days (one: the morning refresh; more: a backfill)
/// through the <c>trading data fetch</c> command (a child process) against the TuShare stand-in on 127.0.0.1
/// (bench/Workloads/TuShareFixture.cs, a synthetic market of that many stocks). The store already holds the day
/// before (fetched first, not timed); the timed fetch brings the next day with the default datasets, once at the
/// configured rate and once with the rate out of the way (100,000 a minute: what the code and the process cost).
/// Reports the calls (counted by the server), the seconds, and the floor the rate sets.
/// </summary>
internal static class TuShareFetchSuite
{
    private const string Token = "bench-token-not-a-real-one";

    public static async Task<int> Run(Options o)
    {
        int symbols = o.Int("symbols", 5000), days = o.Int("days", 1), rate = o.Int("rate", 500), seed = o.Int("seed", 42);
        var trading = o.Get("trading", Path.Combine(Suites.Root, "scripts", "trading"));
        var market = SyntheticMarketGenerator.Generate(new SyntheticMarketOptions(symbols, days + 1, (ulong)seed) { Start = new DateOnly(2024, 6, 3) });
        using var server = new TuShareFixture(market, Token);
        var work = Path.Combine(Path.GetTempPath(), $"trading-bench-tushare-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var token = Path.Combine(work, "token");
            await File.WriteAllTextAsync(token, Token);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            string Day(int i) => market.TradingDays[i].ToString("yyyy-MM-dd");
            var seedStore = Path.Combine(work, "seed");
            var (ok, _, detail) = await RunCli(trading, seedStore, token, server.BaseUrl, 100_000, ["--from", Day(0), "--to", Day(0)]);
            if (!ok) { Console.Error.WriteLine($"tushare-fetch: seeding the store failed: {detail}"); return 1; }

            var rows = new List<(string Label, int Rate, int Calls, double Seconds, Dictionary<string, int> PerApi)>();
            foreach (var (label, r) in new[] { ("at the configured rate", rate), ("rate out of the way (baseline)", 100_000) })
            {
                var store = Path.Combine(work, $"run-{r}");
                CopyDirectory(seedStore, store);
                int before = server.Calls.Count;
                var (done, seconds, output) = await RunCli(trading, store, token, server.BaseUrl, r, ["--to", Day(days)]);
                if (!done) { Console.Error.WriteLine($"tushare-fetch: the timed fetch failed: {output}"); return 1; }
                var calls = server.Calls.Skip(before).ToList();
                rows.Add((label, r, calls.Count, seconds, calls.GroupBy(c => c.Api).ToDictionary(g => g.Key, g => g.Count())));
            }

            var (_, _, calls0, seconds0, perApi) = rows[0];
            double floor = calls0 * 60.0 / rate;
            // The client's bucket per API holds one refill period's tokens (max(60 s / rate, 100 ms)): each API's first
            // calls of a period go at once, the rest wait for the bucket.
            double period = Math.Max(60.0 / rate, 0.1);
            int burst = Math.Max(1, (int)Math.Round(rate * period / 60));
            double perApiFloor = perApi.Values.Sum(n => Math.Max(0, n - burst) * period / burst);
            Console.WriteLine($"### TuShare refresh: full market ({symbols:N0} stocks), {(days == 1 ? "one day" : $"{days} days")}, against the local stand-in");
            Console.WriteLine();
            Console.WriteLine($"Command: `dotnet .build/bench/Trading.Bench.dll tushare-fetch --symbols {symbols} --days {days} --rate {rate}` — runs `{Path.GetFileName(trading)} data fetch --source tushare` "
                + "(default datasets: trade_cal, daily, adj_factor, stk_limit, daily_basic, index_daily, stock_basic ×3 list statuses, namechange) "
                + "in a child process into a store holding the day before the first; seconds are the child's wall time, process start included.");
            Console.WriteLine();
            Console.WriteLine("| run | rate (calls/min per API) | calls | seconds | floor = calls / rate |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var (label, r, calls, seconds, _) in rows)
                Console.WriteLine($"| {label} | {r:N0} | {calls} | {seconds:F2} | {calls * 60.0 / r:F2} s |");
            Console.WriteLine();
            Console.WriteLine($"Calls per API: {string.Join(", ", perApi.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))}. TuShare limits each API separately, so the "
                + $"client's buckets are per API: the wait the rate imposes on this sequential fetch is at most {perApiFloor:F2} s (calls beyond each API's bucket of {burst}), "
                + $"calls / rate = {floor:F2} s is the bound under a single shared limit. Time above the baseline: {seconds0 - rows[1].Seconds:F2} s.");
            Console.WriteLine();
            return 0;
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    private static async Task<(bool Ok, double Seconds, string Output)> RunCli(string trading, string store, string token, string baseUrl, int rate, string[] extra)
    {
        var psi = new ProcessStartInfo(trading) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["data", "fetch", "--source", "tushare", "--store", store, "--token-file", token, "--base-url", baseUrl,
                     "--rate-per-minute", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extra])
            psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        clock.Stop();
        return (p.ExitCode == 0, clock.Elapsed.TotalSeconds, (await stdout + await stderr).Trim());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }
}
