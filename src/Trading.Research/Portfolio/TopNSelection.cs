using Trading.Domain.Instruments;

namespace Trading.Research.Portfolio;

/// <summary>The names chosen by <see cref="TopNSelection"/>, as indices into the universe.</summary>
/// <param name="Selected">The portfolio, best rank first.</param>
/// <param name="Kept">Current holdings that stay (ranked within the buffer), best rank first.</param>
/// <param name="Added">New names, best rank first.</param>
/// <param name="Dropped">Current holdings that leave (ranked beyond the buffer, not eligible, or crowded out), in universe order.</param>
/// <param name="Ranks">1-based rank of every eligible name; 0 for names without a finite score.</param>
public sealed record SelectionResult(int[] Selected, int[] Kept, int[] Added, int[] Dropped, int[] Ranks);

/// <summary>
/// Top-N selection with a rank buffer, which cuts turnover: names are ranked by score (higher is better, ties broken
/// by symbol, smaller code first, so the result never depends on input order); a current holding stays while it ranks
/// within <c>bufferRank</c> (M ≥ N); the remaining places up to N go to the best-ranked names not held. When more than
/// N holdings rank within the buffer, the best-ranked N stay. Names with a NaN or infinite score are not eligible and
/// leave the portfolio.
/// </summary>
public static class TopNSelection
{
    public static SelectionResult Select(ReadOnlySpan<Symbol> symbols, ReadOnlySpan<double> scores, ReadOnlySpan<long> currentShares, int count, int bufferRank)
    {
        int n = symbols.Length;
        if (scores.Length != n) throw new ArgumentException($"{scores.Length} scores for {n} symbols.", nameof(scores));
        if (currentShares.Length != n && !currentShares.IsEmpty) throw new ArgumentException($"{currentShares.Length} holdings for {n} symbols.", nameof(currentShares));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (bufferRank < count) throw new ArgumentOutOfRangeException(nameof(bufferRank), bufferRank, $"The buffer rank M must be at least N = {count}.");

        var ranks = Rank(symbols, scores);
        var order = new int[n];
        int eligible = 0;
        for (int i = 0; i < n; i++) if (ranks[i] > 0) order[ranks[i] - 1] = i;
        for (int i = 0; i < n; i++) if (ranks[i] > 0) eligible++;

        var shares = currentShares.ToArray();
        bool Held(int i) => shares.Length > 0 && shares[i] > 0;

        var kept = new List<int>();
        for (int r = 0; r < Math.Min(bufferRank, eligible) && kept.Count < count; r++)
            if (Held(order[r])) kept.Add(order[r]);
        var inPortfolio = new bool[n];
        foreach (var i in kept) inPortfolio[i] = true;
        var added = new List<int>();
        for (int r = 0; r < eligible && kept.Count + added.Count < count; r++)
        {
            int i = order[r];
            if (!inPortfolio[i] && !Held(i)) { added.Add(i); inPortfolio[i] = true; }
        }
        var selected = kept.Concat(added).OrderBy(i => ranks[i]).ToArray();
        var dropped = new List<int>();
        for (int i = 0; i < n; i++) if (Held(i) && !inPortfolio[i]) dropped.Add(i);
        return new SelectionResult(selected, kept.ToArray(), added.ToArray(), dropped.ToArray(), ranks);
    }

    /// <summary>1-based ranks by descending score, ties by ascending symbol; 0 for names without a finite score.</summary>
    public static int[] Rank(ReadOnlySpan<Symbol> symbols, ReadOnlySpan<double> scores)
    {
        int n = symbols.Length;
        var idx = new List<int>(n);
        for (int i = 0; i < n; i++) if (double.IsFinite(scores[i])) idx.Add(i);
        var s = scores.ToArray();
        var sym = symbols.ToArray();
        idx.Sort((a, b) =>
        {
            int c = s[b].CompareTo(s[a]);
            if (c == 0) c = sym[a].CompareTo(sym[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var ranks = new int[n];
        for (int r = 0; r < idx.Count; r++) ranks[idx[r]] = r + 1;
        return ranks;
    }
}
