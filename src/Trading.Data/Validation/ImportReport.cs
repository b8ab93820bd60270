using System.Text;
using System.Text.Json;
using System.Globalization;
using Trading.Data.Csv;

namespace Trading.Data.Validation;

/// <summary>Everything an import or validation found: per-file row counts and each issue with its place.</summary>
public sealed class ImportReport
{
    private readonly List<ImportIssue> _issues = [];
    private readonly Dictionary<string, FileStats> _files = new(StringComparer.Ordinal);

    public sealed class FileStats
    {
        public string Kind { get; set; } = "";
        public long RowsRead { get; set; }
        public long RowsAccepted { get; set; }
        public long RowsRejected { get; set; }
        /// <summary>The encoding the file was decoded with ("UTF-8", "GB18030", "ASCII"…), or "" when it was not read.</summary>
        public string Encoding { get; set; } = "";
    }

    public IReadOnlyList<ImportIssue> Issues => _issues;
    public IReadOnlyDictionary<string, FileStats> Files => _files;

    public int ErrorCount { get; private set; }
    public int WarningCount { get; private set; }
    public bool HasErrors => ErrorCount > 0;

    public long RowsRead => _files.Values.Sum(f => f.RowsRead);
    public long RowsAccepted => _files.Values.Sum(f => f.RowsAccepted);
    public long RowsRejected => _files.Values.Sum(f => f.RowsRejected);

    public FileStats File(string file, string kind)
    {
        if (!_files.TryGetValue(file, out var stats)) _files[file] = stats = new FileStats { Kind = kind };
        return stats;
    }

    public void Add(ImportIssue issue)
    {
        lock (_issues)
        {
            _issues.Add(issue);
            if (issue.Severity == IssueSeverity.Error) ErrorCount++;
            else WarningCount++;
        }
    }

    public IEnumerable<(IssueKind Kind, IssueSeverity Severity, int Count)> CountsByKind() =>
        _issues.GroupBy(i => (i.Kind, i.Severity)).OrderBy(g => g.Key.Kind).Select(g => (g.Key.Kind, g.Key.Severity, g.Count()));

    /// <summary>The report as CSV: one row per issue (severity, kind, file, line, column, symbol, date, message).</summary>
    public void WriteCsv(TextWriter writer)
    {
        writer.WriteLine("severity,kind,file,line,column,symbol,date,message");
        foreach (var i in _issues.OrderBy(i => i.File, StringComparer.Ordinal).ThenBy(i => i.Line))
            writer.WriteLine(CsvText.Row(i.Severity.ToString().ToLowerInvariant(), i.Kind.ToString(), i.File,
                i.Line.ToString(CultureInfo.InvariantCulture), i.Column, i.Symbol, i.Date?.ToString("yyyy-MM-dd"), i.Message));
    }

    public string ToJson(int maxIssues = int.MaxValue)
    {
        var o = new
        {
            rows_read = RowsRead,
            rows_accepted = RowsAccepted,
            rows_rejected = RowsRejected,
            errors = ErrorCount,
            warnings = WarningCount,
            files = _files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new { file = f.Key, kind = f.Value.Kind, encoding = f.Value.Encoding, rows_read = f.Value.RowsRead, rows_accepted = f.Value.RowsAccepted, rows_rejected = f.Value.RowsRejected }),
            by_kind = CountsByKind().Select(c => new { kind = c.Kind.ToString(), severity = c.Severity.ToString().ToLowerInvariant(), count = c.Count }),
            issues = _issues.Take(maxIssues).Select(i => new { severity = i.Severity.ToString().ToLowerInvariant(), kind = i.Kind.ToString(), file = i.File, line = i.Line, column = i.Column, symbol = i.Symbol, date = i.Date?.ToString("yyyy-MM-dd"), message = i.Message }),
        };
        return JsonSerializer.Serialize(o, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Summary()
    {
        var sb = new StringBuilder();
        sb.Append($"{RowsRead} rows read, {RowsAccepted} accepted, {RowsRejected} rejected; {ErrorCount} errors, {WarningCount} warnings");
        return sb.ToString();
    }
}
