using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Domain.Instruments;

namespace Trading.Research.Factors;

/// <summary>
/// What a factor may see when it computes the cross-section of day <see cref="Day"/>: every series ends at that
/// day, so a factor cannot read the future — look-ahead is impossible by construction, not by care. Prices are
/// raw or adjusted with the anchor at <see cref="Day"/> (forward adjustment relative to today, which uses no
/// later factor).
/// </summary>
public readonly struct PointInTimeView
{
    private readonly MarketPanel _panel;

    public PointInTimeView(MarketPanel panel, int day)
    {
        if ((uint)day >= (uint)panel.DayCount) throw new ArgumentOutOfRangeException(nameof(day), day, "Day outside the panel.");
        _panel = panel;
        Day = day;
    }

    /// <summary>Index of today in the panel; also the number of earlier days available.</summary>
    public int Day { get; }

    public DateOnly Date => _panel.Dates[Day];

    public int SymbolCount => _panel.SymbolCount;

    public Symbol Symbol(int s) => _panel.Symbols[s];

    public StockInfo? Stock(int s) => _panel.Stocks.TryGetValue(_panel.Symbols[s], out var info) ? info : null;

    /// <summary>The first <c>Day + 1</c> values of a field for one symbol: history up to and including today.</summary>
    private ReadOnlySpan<double> History(double[] field, int s) => field.AsSpan(s * _panel.DayCount, Day + 1);

    public ReadOnlySpan<double> Open(int s) => History(_panel.Open, s);
    public ReadOnlySpan<double> High(int s) => History(_panel.High, s);
    public ReadOnlySpan<double> Low(int s) => History(_panel.Low, s);
    public ReadOnlySpan<double> Close(int s) => History(_panel.Close, s);
    public ReadOnlySpan<double> PreClose(int s) => History(_panel.PreClose, s);
    public ReadOnlySpan<double> Volume(int s) => History(_panel.Volume, s);
    public ReadOnlySpan<double> Amount(int s) => History(_panel.Amount, s);
    public ReadOnlySpan<double> AdjFactor(int s) => History(_panel.AdjFactor, s);
    public ReadOnlySpan<byte> Flags(int s) => _panel.Flags.AsSpan(s * _panel.DayCount, Day + 1);

    public bool HasValuations => _panel.Valuations is not null;

    public bool HasFinancials => _panel.Financials is not null;

    /// <summary>Total shares outstanding up to today (empty when there are no valuations).</summary>
    public ReadOnlySpan<double> TotalShares(int s) => _panel.Valuations is { } v ? History(v.TotalShares, s) : [];
    public ReadOnlySpan<double> FloatShares(int s) => _panel.Valuations is { } v ? History(v.FloatShares, s) : [];
    /// <summary>Total market value in CNY up to today (empty when there are no valuations).</summary>
    public ReadOnlySpan<double> TotalMarketValue(int s) => _panel.Valuations is { } v ? History(v.TotalMarketValue, s) : [];
    public ReadOnlySpan<double> PeTtm(int s) => _panel.Valuations is { } v ? History(v.PeTtm, s) : [];
    public ReadOnlySpan<double> Pb(int s) => _panel.Valuations is { } v ? History(v.Pb, s) : [];
    public ReadOnlySpan<double> TurnoverRate(int s) => _panel.Valuations is { } v ? History(v.TurnoverRate, s) : [];

    /// <summary>Whether the panel holds the imported custom factor <paramref name="name"/>.</summary>
    public bool HasCustom(string name) => _panel.CustomFactors.ContainsKey(name);

    /// <summary>An imported custom factor's values for one symbol up to and including today (empty when the panel lacks it).</summary>
    public ReadOnlySpan<double> Custom(string name, int s) => _panel.CustomFactors.TryGetValue(name, out var v) ? History(v, s) : [];

    /// <summary>The latest financial report announced on or before today.</summary>
    public bool TryFinancials(int s, out FinancialReport report)
    {
        report = default;
        return _panel.Financials is { } f && f.TryLatest(s, Date, out report);
    }

    /// <summary>The latest financial report announced on or before today that carries <paramref name="part"/>'s figures.</summary>
    public bool TryFinancials(int s, ReportParts part, out FinancialReport report)
    {
        report = default;
        return _panel.Financials is { } f && f.TryLatest(s, Date, part, out report);
    }

    /// <summary>Back-adjusted close <paramref name="lag"/> days ago (raw × factor); ratios of these are total returns.</summary>
    public double AdjustedClose(int s, int lag = 0)
    {
        int d = Day - lag;
        if (d < 0) return double.NaN;
        int c = s * _panel.DayCount + d;
        return _panel.Close[c] * _panel.AdjFactor[c];
    }

    /// <summary>Traded today (listed, not suspended).</summary>
    public bool IsTraded(int s, int lag = 0)
    {
        int d = Day - lag;
        return d >= 0 && (_panel.Flags[s * _panel.DayCount + d] & (byte)(BarFlags.Suspended | BarFlags.NotListed)) == 0;
    }

    public bool IsListed(int s, int lag = 0)
    {
        int d = Day - lag;
        return d >= 0 && (_panel.Flags[s * _panel.DayCount + d] & (byte)BarFlags.NotListed) == 0;
    }
}
