namespace Trading.Reporting.Metrics;

/// <summary>
/// Input that the metrics cannot be computed from: fewer than two NAV rows, a NAV or close that is not a positive
/// finite number, dates that are not strictly increasing, or a CSV cell that cannot be read. The message always
/// names the offending row: "row 3 (2016-01-05)" for in-memory series (1-based) and "nav.csv line 4" for files.
/// </summary>
public sealed class MetricsInputException : Exception
{
    public MetricsInputException(string message, string? file = null, long? line = null, int? row = null)
        : base(message)
    {
        File = file;
        Line = line;
        Row = row;
    }

    /// <summary>The file that was being read, when the error comes from a CSV loader.</summary>
    public string? File { get; }

    /// <summary>1-based physical line in <see cref="File"/> (the header is line 1).</summary>
    public long? Line { get; }

    /// <summary>1-based row of the in-memory series, when the error comes from validation of a list.</summary>
    public int? Row { get; }
}
