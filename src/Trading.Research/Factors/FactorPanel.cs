namespace Trading.Research.Factors;

/// <summary>
/// Values of one factor (or any per-stock score) over dates × symbols, laid out date-major
/// (<c>day * Symbols + symbol</c>) because everything done to factors — transforms, IC, quantiles — works one
/// cross-section at a time. NaN means no value.
/// </summary>
public sealed class FactorPanel
{
    public FactorPanel(string name, int days, int symbols)
    {
        Name = name;
        Days = days;
        Symbols = symbols;
        Values = GC.AllocateUninitializedArray<double>(checked(days * symbols));
        Array.Fill(Values, double.NaN);
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
