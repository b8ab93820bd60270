namespace Trading.Research.Transforms;

/// <summary>Weights of several factors per day (days × factors, NaN = no weight that day).</summary>
public sealed class FactorWeights
{
    public FactorWeights(IReadOnlyList<string> factors, int days)
    {
        Factors = factors.ToArray();
        Days = days;
        Values = new double[checked(days * Factors.Count)];
        Array.Fill(Values, double.NaN);
    }

    public IReadOnlyList<string> Factors { get; }
    public int Days { get; }
    public double[] Values { get; }

    public Span<double> Row(int day) => Values.AsSpan(day * Factors.Count, Factors.Count);

    public double this[int day, int factor]
    {
        get => Values[day * Factors.Count + factor];
        set => Values[day * Factors.Count + factor] = value;
    }
}
