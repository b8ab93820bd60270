using Trading.Bench.Workloads;

namespace Trading.Bench;

/// <summary>
/// <c>bench dashboard-load [--clients 10] [--rate 50] [--seconds 60] [--marks 2] [--warmup 3]</c>: the dashboard (this
/// process) on a seeded read-model database, <c>--clients</c> Chromium pages logged in and connected to <c>/hubs/live</c>,
/// <c>--rate</c> events a second published through the live feed for <c>--seconds</c> plus <c>--marks</c> position re-marks a
/// second through the database (bench/Workloads/DashboardLoad.cs). Prints push → render latency per page and overall, with
/// the floor measured on the same messages (push → the page's script, before it renders), how many events the feed merged
/// into each push, and the CPU of the server and of the browsers. Heavy (10 browser pages): run it niced, once.
/// </summary>
internal static class DashboardLoadSuite
{
    public static async Task<int> Run(Options o)
    {
        var options = new DashboardLoadOptions(o.Int("clients", 10), o.Int("rate", 50), o.Int("seconds", 60), o.Int("marks", 2), o.Int("warmup", 3));
        if (options.Clients is < 1 or > 50 || options.Rate is < 1 or > 1000 || options.Seconds is < 1 or > 3600 || options.MarksPerSecond < 0 || options.WarmupSeconds < 0)
        {
            Console.Error.WriteLine("dashboard-load: --clients 1–50, --rate 1–1000, --seconds 1–3600, --marks ≥ 0, --warmup ≥ 0");
            return 2;
        }
        if (DashboardBrowser.Missing() is { } why)
        {
            Console.Error.WriteLine($"dashboard-load: {why}");
            return 1;
        }
        var load0 = LoadAverage();
        await using var site = await DashboardSite.StartAsync();
        var (playwright, browser) = await DashboardBrowser.LaunchAsync();
        DashboardLoadResult r;
        try
        {
            r = await DashboardLoad.RunAsync(site, browser, options, m => Console.Error.WriteLine($"dashboard-load: {m}"));
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
        }
        Print(r, load0, LoadAverage());
        return r.Problems.Count == 0 && r.Clients.All(c => c.Events == r.Published) ? 0 : 1;
    }

    private static void Print(DashboardLoadResult r, string load0, string load1)
    {
        var o = r.Options;
        Console.WriteLine("### Dashboard: push → render latency under load (issue 15)");
        Console.WriteLine();
        Console.WriteLine($"Command: `dotnet .build/bench/Trading.Bench.dll dashboard-load --clients {o.Clients} --rate {o.Rate} --seconds {o.Seconds} --marks {o.MarksPerSecond}` "
            + "(Release; build with `dotnet build bench/Trading.Bench -c Release -o .build/bench`). The dashboard server runs in the bench process on 127.0.0.1 "
            + $"over a seeded SQLite read-model database, with its default live options (reads every 500 ms while a page is connected, at most 10 pushes a second). "
            + $"{o.Clients} headless Chromium pages (Debian's, through Playwright) log in as a viewer and stay connected over WebSockets; "
            + $"{o.Rate} events a second are published through the live feed (`ILiveFeed.Publish`, what the node's event-stream listener calls) "
            + $"and {o.MarksPerSecond} position re-marks a second are written to the read-model database (positions, tiles and both risk charts re-render), "
            + $"for {o.Seconds} s after a {o.WarmupSeconds} s warm-up. "
            + "Latencies are measured in each page against the server's `sentAt`: **push → render** is the page's own `window.__dashboard.latencies` "
            + "(the animation frame after the update was drawn); the **floor**, on the same messages, is push → the message reaching the page's script, before the page renders it.");
        Console.WriteLine();
        Console.WriteLine("| page | updates received | events received | push → render p50 / p95 / p99 / max (ms) | floor: push → script p50 / p95 / p99 / max (ms) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var c in r.Clients)
            Console.WriteLine($"| {c.Client} | {c.Updates} | {c.Events} | {Stats(c.Render)} | {Stats(c.Receive)} |");
        var render = r.Clients.SelectMany(c => c.Render).ToArray();
        var receive = r.Clients.SelectMany(c => c.Receive).ToArray();
        Console.WriteLine($"| **all** | {r.Clients.Sum(c => c.Updates)} | {r.Clients.Sum(c => c.Events)} | **{Stats(render)}** | {Stats(receive)} |");
        Console.WriteLine();
        var lag = r.Clients.SelectMany(c => c.EventLag).ToArray();
        var perPush = r.Pushes > 0 ? (double)r.Published / r.Pushes : double.NaN;
        Console.WriteLine($"Sent: {r.Published:N0} events in {r.Elapsed:F1} s ({r.Published / r.Elapsed:F1}/s) and {r.Marks} re-marks; the feed pushed {r.Pushes:N0} updates to each page "
            + $"({r.Pushes / r.Elapsed:F1}/s), so each push carried {perPush:F1} events on average (coalesced: the feed pushes at most 10 times a second). "
            + $"Every page received {(r.Clients.All(c => c.Events == r.Published) ? "every event" : $"between {r.Clients.Min(c => c.Events)} and {r.Clients.Max(c => c.Events)} of the events")}. "
            + $"Publish → received per event (coalescing wait included): {Stats(lag)} ms.");
        Console.WriteLine();
        var cores = Environment.ProcessorCount;
        Console.WriteLine($"CPU during the {r.Elapsed:F0} s: server process {r.ServerCpuSeconds:F1} s ({100 * r.ServerCpuSeconds / r.Elapsed:F0}% of one core), "
            + $"the {o.Clients} browser pages with Chromium's own processes and the Playwright driver {r.BrowserCpuSeconds:F1} s ({100 * r.BrowserCpuSeconds / r.Elapsed:F0}% of one core), "
            + $"on {cores} cores. Load average before / after: {load0} / {load1}.");
        if (!r.Clients.All(c => c.HandlerFirst))
            Console.WriteLine("Note: the floor was taken after the page's own handler (the SignalR client's handler list was not reachable), so it includes the page's script time.");
        if (r.Problems.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Problems on the pages ({r.Problems.Count}): {string.Join("; ", r.Problems.Take(10))}");
        }
        Console.WriteLine();
    }

    private static string Stats(double[] values)
    {
        if (values.Length == 0) return "—";
        var s = values.Order().ToArray();
        return $"{DashboardLoad.Percentile(s, 50):F0} / {DashboardLoad.Percentile(s, 95):F0} / {DashboardLoad.Percentile(s, 99):F0} / {s[^1]:F0}";
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
