using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Trading.Dashboard.Live;

namespace Trading.Bench.Workloads;

/// <summary>
/// <paramref name="Clients"/> logged-in pages; <paramref name="Rate"/> events a second published for <paramref name="Seconds"/>
/// through the live feed (<see cref="ILiveFeed.Publish"/>, what the node's event-stream listener calls), and
/// <paramref name="MarksPerSecond"/> position re-marks a second written to the read-model database (the poll's path: the
/// positions, tiles and risk charts re-render). <paramref name="WarmupSeconds"/> of the same load first, not counted.
/// </summary>
public sealed record DashboardLoadOptions(int Clients = 10, int Rate = 50, int Seconds = 60, int MarksPerSecond = 2, int WarmupSeconds = 3);

/// <summary>
/// One page's numbers, all in ms and measured in the page against the server's <c>sentAt</c> (same machine, same clock):
/// <see cref="Render"/> push → painted (the page's own <c>window.__dashboard.latencies</c>: the frame after the update was
/// rendered); <see cref="Receive"/> push → the message reaching the page's script, before the page renders it (the floor:
/// socket, SignalR, JSON, a busy main thread); <see cref="EventLag"/> publish → received, per load event (adds the feed's
/// coalescing wait).
/// </summary>
public sealed record DashboardClientNumbers(int Client, int Updates, int Events, double[] Render, double[] Receive, double[] EventLag, bool HandlerFirst);

public sealed record DashboardLoadResult(DashboardLoadOptions Options, long Published, long Pushes, int Marks, double Elapsed,
    IReadOnlyList<DashboardClientNumbers> Clients, double ServerCpuSeconds, double BrowserCpuSeconds, IReadOnlyList<string> Problems);

/// <summary>The load test behind <c>bench dashboard-load</c> (and its short check in the dashboard's browser tests).</summary>
public static class DashboardLoad
{
    /// <summary>
    /// Put in front of the page's own <c>update</c> handler when its handler list can be found, so the
    /// receive time is taken before the page renders; otherwise after it (then <see cref="DashboardClientNumbers.HandlerFirst"/> is false).
    /// </summary>
    private const string Hook = """
        () => {
          var B = window.__bench = { receive: [], eventLag: [], updates: 0, events: 0, first: false };
          function onUpdate(m) {
            var now = Date.now();
            B.updates++;
            B.receive.push(now - m.sentAt);
            (m.events || []).forEach(function (e) { if (e.kind === 'load') { B.events++; B.eventLag.push(now - Date.parse(e.at)); } });
          }
          // the client keeps its handlers per lower-cased method name in an object whose property name the minifier
          // changes: find the one holding the page's 'update' handler
          var hub = window.__dashboard.hub, list = null;
          Object.keys(hub).forEach(function (k) {
            var v = hub[k];
            if (!list && v && typeof v === 'object' && Array.isArray(v['update']) && typeof v['update'][0] === 'function') list = v['update'];
          });
          if (list) { list.unshift(onUpdate); B.first = true; } else hub.on('update', onUpdate);
        }
        """;

    private const string Reset = "() => { window.__dashboard.latencies.length = 0; var B = window.__bench; B.receive.length = 0; B.eventLag.length = 0; B.updates = 0; B.events = 0; }";

    private const string Collect = """
        () => ({ render: window.__dashboard.latencies.slice(), receive: window.__bench.receive, eventLag: window.__bench.eventLag,
                 updates: window.__bench.updates, events: window.__bench.events, first: window.__bench.first })
        """;

    public static async Task<DashboardLoadResult> RunAsync(DashboardSite site, IBrowser browser, DashboardLoadOptions o, Action<string>? progress = null)
    {
        var contexts = new List<IBrowserContext>();
        var recorders = new List<PageRecorder>();
        try
        {
            for (int i = 0; i < o.Clients; i++)
            {
                var context = await DashboardBrowser.NewContextAsync(browser);
                contexts.Add(context);
                var page = await context.NewPageAsync();
                recorders.Add(new PageRecorder(page));
                await DashboardBrowser.LoginAsync(page, site.Url, DashboardSite.Viewer, DashboardSite.Password);
                await page.EvaluateAsync(Hook);
            }
            progress?.Invoke($"{o.Clients} pages logged in and connected; warm-up {o.WarmupSeconds} s");
            await DriveAsync(site, o.Rate, o.WarmupSeconds, o.MarksPerSecond, "warm-up");
            await Task.Delay(500);
            foreach (var r in recorders) await r.Page.EvaluateAsync(Reset);

            var pushes0 = site.Feed.Pushes;
            var serverCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var browserCpu0 = DescendantsCpuSeconds();
            progress?.Invoke($"measuring: {o.Rate} events/s and {o.MarksPerSecond} marks/s for {o.Seconds} s");
            var (published, marks, elapsed) = await DriveAsync(site, o.Rate, o.Seconds, o.MarksPerSecond, "load");
            // Let the last push (at most one push interval after the last event) arrive and paint.
            await Task.Delay(1500);
            var serverCpu = (Process.GetCurrentProcess().TotalProcessorTime - serverCpu0).TotalSeconds;
            var browserCpu = DescendantsCpuSeconds() - browserCpu0;
            var pushes = site.Feed.Pushes - pushes0;

            var clients = new List<DashboardClientNumbers>();
            for (int i = 0; i < recorders.Count; i++)
            {
                var c = (await recorders[i].Page.EvaluateAsync<JsonElement?>(Collect))!.Value;
                static double[] Numbers(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetDouble())];
                clients.Add(new DashboardClientNumbers(i + 1, c.GetProperty("updates").GetInt32(), c.GetProperty("events").GetInt32(),
                    Numbers(c.GetProperty("render")), Numbers(c.GetProperty("receive")), Numbers(c.GetProperty("eventLag")), c.GetProperty("first").GetBoolean()));
            }
            return new DashboardLoadResult(o, published, pushes, marks, elapsed, clients, serverCpu, browserCpu,
                [.. recorders.SelectMany((r, i) => r.Problems.Select(p => $"client {i + 1}: {p}"))]);
        }
        finally
        {
            foreach (var c in contexts) await c.CloseAsync();
        }
    }

    /// <summary>Publishes <paramref name="rate"/> events a second on a fixed schedule (no drift) and re-marks a position now and then.</summary>
    private static async Task<(long Published, int Marks, double Seconds)> DriveAsync(DashboardSite site, int rate, int seconds, int marksPerSecond, string label)
    {
        var feed = site.Feed;
        long total = (long)rate * seconds;
        int markEvery = marksPerSecond > 0 ? Math.Max(1, rate / marksPerSecond) : int.MaxValue;
        int marks = 0;
        var random = new Random(42);
        decimal price = 1_712.50m;
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < total; i++)
        {
            var wait = TimeSpan.FromSeconds(i / (double)rate) - sw.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            feed.Publish(new LiveEvent("load", DateTime.UtcNow, "info", "bench", $"{label} #{i.ToString(CultureInfo.InvariantCulture)}"));
            if (i % markEvery == 0)
            {
                // The read-model path: the projection rewrites a position's row; the feed reads and pushes what changed.
                price = Math.Round(price * (1m + (decimal)((random.NextDouble() - 0.5) * 0.002)), 2);
                await DashboardSite.Position(site.Database, "600519.SH", 100, 100, 168_000m, price);
                feed.Refresh();
                marks++;
            }
        }
        return (total, marks, sw.Elapsed.TotalSeconds);
    }

    /// <summary>CPU seconds (user + system) of every live process below this one: the Playwright driver and the browsers.</summary>
    public static double DescendantsCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        var parent = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid … utime(14) stime(15): comm may hold spaces, so split after its closing parenthesis
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parent[pid] = int.Parse(f[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var self = Environment.ProcessId;
        long sum = 0;
        foreach (var pid in ticks.Keys)
        {
            int p = pid, hops = 0;
            while (parent.TryGetValue(p, out var pp) && pp > 1 && hops++ < 64)
            {
                if (pp == self) { sum += ticks[pid]; break; }
                p = pp;
            }
        }
        return sum / 100.0; // USER_HZ is 100 on Linux
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
