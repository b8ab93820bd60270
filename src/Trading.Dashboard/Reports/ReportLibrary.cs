using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Trading.Dashboard.Reports;

/// <summary>One report in the library. <see cref="Id"/> names it in URLs: never a path, so a URL cannot point elsewhere.</summary>
public sealed record ReportEntry(string Id, string Kind, string Title, string Strategy, DateOnly? Date, string File)
{
    public string Url => $"/reports/{Id}";
}

/// <summary>
/// Every report under the configured roots: backtest runs (a folder with <c>report.html</c> and <c>summary.json</c>,
/// whose strategy and last day it reads), sweeps (a folder with <c>sweep.html</c>) and a node's daily risk statements
/// (<c>daily/YYYY-MM-DD.html</c>). A report's id is a hash of its full path, and <see cref="Find"/> answers only ids of
/// files it found under a root: no request path ever becomes a file path. The scan is bounded (depth, count) and kept
/// for a few seconds, so a search per keystroke does not walk the disk each time.
/// </summary>
public sealed class ReportLibrary(IReadOnlyList<string> roots, TimeProvider time)
{
    private const int MaxDepth = 5;
    private const int MaxReports = 5000;
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    private static readonly Regex DailyName = new(@"^(\d{4}-\d{2}-\d{2})\.html$");
    private static readonly Regex IdPattern = new("^[0-9a-f]{16}$");
    private readonly IReadOnlyList<string> _roots = roots.Select(r => Path.GetFullPath(r)).Distinct().ToArray();
    private readonly Lock _gate = new();
    private (DateTimeOffset At, IReadOnlyList<ReportEntry> Entries)? _scan;

    public IReadOnlyList<string> Roots => _roots;

    /// <summary>Reports matching every given filter (text in title, strategy, kind or file name; date range; strategy), newest first.</summary>
    public IReadOnlyList<ReportEntry> Search(string? text, DateOnly? from, DateOnly? to, string? strategy)
    {
        IEnumerable<ReportEntry> rows = Scan();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            rows = rows.Where(r => words.All(w => $"{r.Title} {r.Strategy} {r.Kind} {Path.GetFileName(Path.GetDirectoryName(r.File))}"
                .Contains(w, StringComparison.OrdinalIgnoreCase)));
        }
        if (from is { } f) rows = rows.Where(r => r.Date >= f);
        if (to is { } t) rows = rows.Where(r => r.Date <= t);
        if (!string.IsNullOrWhiteSpace(strategy)) rows = rows.Where(r => r.Strategy.Contains(strategy.Trim(), StringComparison.OrdinalIgnoreCase));
        return rows.OrderByDescending(r => r.Date).ThenBy(r => r.Title, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The report of an id, or null (unknown, malformed, or the file is gone).</summary>
    public ReportEntry? Find(string id)
    {
        if (!IdPattern.IsMatch(id)) return null;
        var hit = Scan().FirstOrDefault(r => r.Id == id) ?? Scan(force: true).FirstOrDefault(r => r.Id == id);
        return hit is not null && File.Exists(hit.File) ? hit : null;
    }

    private IReadOnlyList<ReportEntry> Scan(bool force = false)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!force && _scan is { } s && now - s.At < Fresh) return s.Entries;
            var found = new List<ReportEntry>();
            foreach (var root in _roots.Where(Directory.Exists)) Walk(root, 0, found);
            var entries = found.DistinctBy(e => e.Id).ToArray();
            _scan = (now, entries);
            return entries;
        }
    }

    private static void Walk(string dir, int depth, List<ReportEntry> found)
    {
        if (found.Count >= MaxReports) return;
        string[] files, dirs;
        try
        {
            files = Directory.GetFiles(dir);
            dirs = Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        var names = files.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var folder = Path.GetFileName(dir);
        if (names.Contains("report.html") && names.Contains("summary.json"))
        {
            var (strategy, end) = Summary(Path.Combine(dir, "summary.json"));
            found.Add(Entry("backtest", $"Backtest {folder}{(strategy.Length > 0 ? $" · {strategy}" : "")}", strategy,
                end ?? Modified(Path.Combine(dir, "report.html")), Path.Combine(dir, "report.html")));
        }
        if (names.Contains("sweep.html"))
            found.Add(Entry("sweep", $"Sweep {folder}", "", Modified(Path.Combine(dir, "sweep.html")), Path.Combine(dir, "sweep.html")));
        if (folder == "daily")
        {
            // The node's reports folder (the parent) has the strategy's summary.json after its first post-close.
            var (strategy, _) = Summary(Path.Combine(Path.GetDirectoryName(dir)!, "summary.json"));
            foreach (var file in files)
                if (DailyName.Match(Path.GetFileName(file)) is { Success: true } m
                    && DateOnly.TryParseExact(m.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    found.Add(Entry("daily", $"Daily risk statement {day:yyyy-MM-dd}{(strategy.Length > 0 ? $" · {strategy}" : "")}", strategy, day, file));
        }
        if (depth >= MaxDepth) return;
        foreach (var sub in dirs.Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(sub);
            // Nothing to list in hidden folders, dependencies or a journal's data; and symbolic links are not followed.
            if (name.StartsWith('.') || name is "node_modules" or "logs") continue;
            try { if (new DirectoryInfo(sub).LinkTarget is not null) continue; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            Walk(sub, depth + 1, found);
        }
    }

    private static ReportEntry Entry(string kind, string title, string strategy, DateOnly? date, string file)
    {
        var full = Path.GetFullPath(file);
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        return new ReportEntry(id, kind, title, strategy, date, full);
    }

    /// <summary>summary.json's <c>strategy</c> and <c>end</c>; blanks when it is missing or unreadable (the report is still listed).</summary>
    private static (string Strategy, DateOnly? End) Summary(string file)
    {
        try
        {
            if (!File.Exists(file) || new FileInfo(file).Length > 1_000_000) return ("", null);
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return ("", null);
            var strategy = doc.RootElement.TryGetProperty("strategy", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() ?? "" : "";
            DateOnly? end = doc.RootElement.TryGetProperty("end", out var e) && e.ValueKind == JsonValueKind.String
                && DateOnly.TryParseExact(e.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
            return (strategy, end);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return ("", null); }
    }

    private static DateOnly? Modified(string file)
    {
        try { return DateOnly.FromDateTime(File.GetLastWriteTime(file)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
