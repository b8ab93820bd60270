namespace Trading.Research.Factors;

/// <summary>
/// Values of one factor (or any per-stock score) over dates × symbols, laid out date-major
/// (<c>day * Symbols + symbol</c>) because everything done to factors — transforms, IC, quantiles — works one
/// cross-section at a time. NaN means no value.
/// </summary>
public sealed class FactorPanel
{
    public FactorPanel(string name, int days, int symbols) : this(name, days, symbols, fill: true) { }

    /// <summary>A panel whose values the caller writes in full (<paramref name="fill"/> off: not first set to NaN).</summary>
    internal FactorPanel(string name, int days, int symbols, bool fill)
    {
        Name = name;
        Days = days;
        Symbols = symbols;
        Values = Data.Panel.LargeArrays.Allocate<double>(checked(days * symbols));
        if (fill) Array.Fill(Values, double.NaN);
    }

    public string Name { get; }
    public int Days { get; }
    public int Symbols { get; }
    public double[] Values { get; }

    public Span<double> Row(int day) => Values.AsSpan(day * Symbols, Symbols);

    public double this[int day, int symbol]
    {
        get => Values[day * Symbols + symbol];
        set => Values[day * Symbols + symbol] = value;
    }

    public FactorPanel Clone(string? name = null)
    {
        var copy = new FactorPanel(name ?? Name, Days, Symbols);
        Values.CopyTo(copy.Values, 0);
        return copy;
    }
}
