using Trading.Domain.Instruments;

namespace Trading.Data.Model;

/// <summary>An inclusive date range; <see cref="To"/> null means still open.</summary>
public readonly record struct DateSpan(DateOnly From, DateOnly? To)
{
    public bool Contains(DateOnly date) => date >= From && (To is null || date <= To.Value);
    public override string ToString() => $"{From:yyyy-MM-dd}..{(To is { } t ? t.ToString("yyyy-MM-dd") : "")}";
}

/// <summary>Where a stock's ST spells come from.</summary>
public enum StSource : byte
{
    /// <summary>Not known yet (inferred when bars are enriched).</summary>
    None = 0,
    /// <summary>From TuShare namechange rows: exact.</summary>
    NameChange = 1,
    /// <summary>Inferred from prices against the ST band (see StInference).</summary>
    Inferred = 2,
    /// <summary>Planted by the synthetic market generator: exact.</summary>
    Synthetic = 3,
}

/// <summary>
/// Reference data of a stock: name (Chinese), board, industry, listing and delisting dates, risk-warning (ST)
/// spells. <see cref="Industry"/> is the source's label (TuShare's own classification in the sample);
/// <see cref="StSpells"/> come from namechange data where given, otherwise from the inference in
/// <c>StInference</c> (its documentation says how).
/// </summary>
public sealed record StockInfo(
    Symbol Symbol,
    string Name,
    string Industry,
    DateOnly? ListDate,
    DateOnly? DelistDate,
    IReadOnlyList<DateSpan> StSpells,
    string Area = "",
    StSource StSource = StSource.None)
{
    public Board Board => Symbol.Board;

    public bool IsStOn(DateOnly date)
    {
        foreach (var s in StSpells) if (s.Contains(date)) return true;
        return false;
    }

    public bool IsListedOn(DateOnly date) =>
        (ListDate is null || date >= ListDate.Value) && (DelistDate is null || date < DelistDate.Value);

    /// <summary>The current name says risk warning (ST, *ST, SST, S*ST).</summary>
    public static bool NameIsSt(string name)
    {
        var n = name.AsSpan().Trim();
        if (n.StartsWith("SST") || n.StartsWith("S*ST")) n = n[1..]; // 未股改 prefix "S"
        if (n.StartsWith("*")) n = n[1..];
        return n.StartsWith("ST", StringComparison.OrdinalIgnoreCase);
    }
}
