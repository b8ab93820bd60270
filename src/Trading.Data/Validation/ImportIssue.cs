using Trading.Data.Text;

namespace Trading.Data.Validation;

public enum IssueSeverity : byte
{
    /// <summary>The row is kept; the report notes something odd about it.</summary>
    Warning = 1,
    /// <summary>The row is rejected (skipped by default; the whole input under --strict).</summary>
    Error = 2,
}

/// <summary>What was wrong with a row or a file. Each kind has a fixture in the tests.</summary>
public enum IssueKind : byte
{
    MissingColumn,
    MissingValue,
    MalformedNumber,
    BadDate,
    BadSymbol,
    /// <summary>NaN, infinite, zero or negative price.</summary>
    BadPrice,
    /// <summary>Price not on the 0.01 tick (raw prices expected).</summary>
    OffTick,
    /// <summary>High below low, or open/close outside [low, high].</summary>
    InconsistentOhlc,
    NegativeVolume,
    NegativeAmount,
    DuplicateRow,
    DateOutOfOrder,
    BadAdjFactor,
    /// <summary>Implied average price (amount / volume) far from the bar's prices: volume or amount in the wrong unit.</summary>
    SuspiciousUnits,
    /// <summary>Close outside the day's price band with no adjustment, listing or resumption to explain it.</summary>
    UnexplainedMove,
    /// <summary>Implied average price outside [low, high] by a small margin.</summary>
    AveragePriceOutsideRange,
    ZeroVolume,
    /// <summary>A file whose columns match no known kind, or that cannot be read.</summary>
    UnreadableFile,
    /// <summary>A row referring to a symbol or index the input does not know.</summary>
    UnknownSymbol,
    /// <summary>A negative share count, market value or turnover (daily_basic).</summary>
    NegativeValue,
    /// <summary>A date after the last real trading day (today in Shanghai) without --allow-future-dates.</summary>
    FutureDate,
    /// <summary>A file that is not UTF-8 and was decoded as GB18030 (warning).</summary>
    NotUtf8,
    /// <summary>Control characters in a name or code.</summary>
    ControlCharacters,
    /// <summary>A custom factor value that is NaN or infinite.</summary>
    NonFiniteValue,
    /// <summary>A custom factor row dated on a day that is not a trading day of the store.</summary>
    NotATradingDay,
    /// <summary>A code field with a value its format does not define (suspend_d's suspend_type other than S or R).</summary>
    UnknownCode,
    /// <summary>The bars and TuShare's suspend_d disagree: a bar on a day it lists as a full-day suspension, or a missing bar on a day it does not (warning).</summary>
    SuspensionMismatch,
}

/// <summary>One finding, naming the place: file, line (1-based, the header is line 1) and column.</summary>
public sealed record ImportIssue(
    IssueSeverity Severity,
    IssueKind Kind,
    string File,
    long Line,
    string? Column,
    string Message,
    string? Symbol = null,
    DateOnly? Date = null)
{
    // Everything here may quote the input: control characters are escaped once, for every place it is shown.
    public string File { get; init; } = Printable.Escape(File);
    public string? Column { get; init; } = Column is null ? null : Printable.Escape(Column);
    public string Message { get; init; } = Printable.Escape(Message);
    public string? Symbol { get; init; } = Symbol is null ? null : Printable.Escape(Symbol);

    public string Place => Column is null ? $"{File}:{Line}" : $"{File}:{Line} column '{Column}'";

    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()} {Kind} at {Place}: {Message}";
}
