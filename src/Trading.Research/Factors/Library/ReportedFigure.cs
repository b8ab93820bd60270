using System.Runtime.CompilerServices;
using Trading.Data.Model;

namespace Trading.Research.Factors;

/// <summary>
/// The point-in-time rule of the report factors: the figure of the latest report period announced on or before
/// today (its latest announcement, so a restatement counts from its own date and never earlier) among the reports
/// carrying the factor's source (<see cref="ReportParts"/>: fina_indicator, income or balance sheet); NaN when the
/// stock does not trade today, nothing of that source is announced yet, or the figure is missing.
/// </summary>
internal static class ReportedFigure
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(in PointInTimeView view, int firstSymbol, Span<double> output, ReportParts part, Func<FinancialReport, double> figure)
    {
        if (!view.HasFinancials) { output.Fill(double.NaN); return; }
        for (int i = 0, s = firstSymbol; i < output.Length; i++, s++)
            output[i] = view.IsTraded(s) && view.TryFinancials(s, part, out var report) ? figure(report) : double.NaN;
    }
}
