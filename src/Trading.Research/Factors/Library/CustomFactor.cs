using System.Runtime.CompilerServices;
using Trading.Data.Panel;

namespace Trading.Research.Factors;

/// <summary>
/// <c>custom(name=N, max_age=A)</c>: a factor imported with <c>trading factors import --name N</c>, point in time.
/// The value dated t is usable from day t on (the decision at t's close may use it), never before: the view ends at
/// today, so a later value cannot be seen. Where a stock has no value dated today, its latest value is used for at
/// most <c>max_age</c> trading days after its date (default 5; 0 = only same-day values), then NaN — a factor the
/// provider stopped sending fades out rather than being held for ever. Unavailable when the store has no such factor.
/// </summary>
public sealed class CustomFactor(string factorName, int maxAge) : IPerStockFactor
{
    public const int DefaultMaxAge = 5;

    public string FactorName { get; } = factorName;

    public int MaxAge { get; } = maxAge;

    public string Name => $"custom(name={FactorName},max_age={MaxAge})";

    public PanelContents Needs => PanelContents.CustomFactors;
    public int WarmupDays => 0;

    public FactorAvailability Availability(MarketPanel panel) => panel.CustomFactors.ContainsKey(FactorName) ? FactorAvailability.Yes
        : FactorAvailability.No($"no custom factor '{FactorName}' in the store (import it with 'trading factors import --name {FactorName}'; "
            + $"the store has: {(panel.CustomFactors.Count == 0 ? "none" : string.Join(", ", panel.CustomFactors.Keys.Order(StringComparer.Ordinal)))})");

    public void Compute(in PointInTimeView view, Span<double> output) => Compute(view, 0, output);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Compute(in PointInTimeView view, int firstSymbol, Span<double> output)
    {
        if (!view.HasCustom(FactorName)) { output.Fill(double.NaN); return; }
        int today = view.Day, oldest = Math.Max(0, today - MaxAge);
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
        {
            var history = view.Custom(FactorName, s);
            double value = double.NaN;
            for (int d = today; d >= oldest; d--)
                if (!double.IsNaN(history[d])) { value = history[d]; break; }
            output[i] = value;
        }
    }
}
