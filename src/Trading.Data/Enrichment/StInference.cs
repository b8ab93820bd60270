using Trading.Data.Model;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Enrichment;

/// <summary>
/// Infers risk-warning (ST) spells from prices when the source has no namechange history (the bundled sample gives
/// only today's names). On boards where the ST band is narrower than the normal one (main boards: 5% vs 10%), the
/// tape gives evidence each day:
/// <list type="bullet">
/// <item>a high above, or a low below, the ST band proves the stock was <em>not</em> ST that day;</item>
/// <item>a close exactly at the ST band's limit price (round-half-up of pre_close × 1.05 / 0.95) is evidence it was.</item>
/// </list>
/// A two-state Viterbi path over the days picks the spells with the least cost: <see cref="ProofCost"/> for
/// contradicting a proof, <see cref="EvidenceCost"/> for each ignored limit close, <see cref="SwitchCost"/> per change,
/// a small <see cref="PriorCost"/> per day against the state today's name suggests, and one more switch when the
/// last day's state contradicts today's name. So a spell needs several limit closes to be believed, and a stock
/// whose name is ST today stays ST where nothing contradicts it.
/// </summary>
public static class StInference
{
    public const double ProofCost = 10;
    public const double EvidenceCost = 1;
    public const double SwitchCost = 4;
    public const double PriorCost = 0.02;

    public enum Evidence : byte { None, NotSt, St }

    /// <summary>The evidence of one day, or <see cref="Evidence.None"/> when the ST band equals the normal band.</summary>
    public static Evidence Classify(MarketRules rules, Board board, DateOnly date, decimal preClose, decimal high, decimal low, decimal close)
    {
        if (preClose <= 0m) return Evidence.None;
        var stPct = rules.BandPct(board, date, isSt: true);
        if (stPct >= rules.BandPct(board, date, isSt: false)) return Evidence.None;
        var st = PriceLimit.FromReference(preClose, stPct);
        if (high > st.Up || low < st.Down) return Evidence.NotSt;
        if (close == st.Up || close == st.Down) return Evidence.St;
        return Evidence.None;
    }

    /// <summary>
    /// The most likely ST state of each day given the evidence; <paramref name="stToday"/> is whether the stock's
    /// current name is ST (the prior). Returns one bool per day.
    /// </summary>
    public static bool[] MostLikelyPath(ReadOnlySpan<Evidence> evidence, bool stToday)
    {
        int n = evidence.Length;
        var path = new bool[n];
        if (n == 0) return path;
        // back[i, s] = previous state chosen for state s at day i.
        var back = new byte[n, 2];
        double c0 = 0, c1 = 0;
        for (int i = 0; i < n; i++)
        {
            double e0 = (evidence[i] == Evidence.St ? EvidenceCost : 0) + (stToday ? PriorCost : 0);
            double e1 = (evidence[i] == Evidence.NotSt ? ProofCost : 0) + (stToday ? 0 : PriorCost);
            double n0, n1;
            if (i == 0) { n0 = e0; n1 = e1; }
            else
            {
                if (c0 <= c1 + SwitchCost) { n0 = c0 + e0; back[i, 0] = 0; } else { n0 = c1 + SwitchCost + e0; back[i, 0] = 1; }
                if (c1 <= c0 + SwitchCost) { n1 = c1 + e1; back[i, 1] = 1; } else { n1 = c0 + SwitchCost + e1; back[i, 1] = 0; }
            }
            c0 = n0; c1 = n1;
        }
        // Ending in a state that today's name contradicts needs one more change after the data ends.
        if (stToday) c0 += SwitchCost; else c1 += SwitchCost;
        int s = c1 < c0 ? 1 : 0;
        for (int i = n - 1; i >= 0; i--)
        {
            path[i] = s == 1;
            s = back[i, s];
        }
        return path;
    }

    /// <summary>Turns a per-day path into spells over the given dates (the last spell stays open when the name is ST today).</summary>
    public static List<DateSpan> Spells(ReadOnlySpan<DateOnly> dates, ReadOnlySpan<bool> path, bool stToday)
    {
        var spells = new List<DateSpan>();
        int start = -1;
        for (int i = 0; i <= path.Length; i++)
        {
            bool on = i < path.Length && path[i];
            if (on && start < 0) start = i;
            if (!on && start >= 0)
            {
                bool open = i == path.Length && stToday;
                spells.Add(new DateSpan(dates[start], open ? null : dates[i - 1]));
                start = -1;
            }
        }
        return spells;
    }
}
