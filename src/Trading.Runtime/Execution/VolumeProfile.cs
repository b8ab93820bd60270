using System.Collections.Immutable;

namespace Trading.Runtime.Execution;

/// <summary>
/// How a day's volume spreads over continuous trading, in eight half-hour buckets (09:30, 10:00, 10:30, 11:00, 13:00,
/// 13:30, 14:00, 14:30–14:57), volume spread evenly inside each bucket. A VWAP algo weighs its slices by it.
/// <para>The default is the U shape of A-share trading [U: from general knowledge of the market, not fitted to the
/// bundled data, which has daily bars only]: the heaviest half hour is the first (orders queued overnight), volume falls
/// into the lunch break, picks up after 13:00 and rises into the close. Configure your own
/// (<c>strategy.execution.profile</c>, eight non-negative weights; they need not sum to 1).</para>
/// </summary>
public sealed record VolumeProfile
{
    public const int Buckets = 8;

    /// <summary>Bucket boundaries on the continuous axis, in minutes (the last bucket is 27 minutes: 14:30–14:57).</summary>
    private static readonly double[] Edges = [0, 30, 60, 90, 120, 150, 180, 210, ContinuousSession.Length.TotalMinutes];

    public static VolumeProfile Default { get; } = new([0.18, 0.13, 0.11, 0.09, 0.11, 0.10, 0.12, 0.16]);

    public VolumeProfile(IReadOnlyList<double> weights)
    {
        if (weights.Count != Buckets) throw new ArgumentException($"a volume profile has {Buckets} half-hour weights, not {weights.Count}", nameof(weights));
        if (weights.Any(w => !double.IsFinite(w) || w < 0)) throw new ArgumentException("volume profile weights must be finite and not negative", nameof(weights));
        if (weights.Sum() <= 0) throw new ArgumentException("a volume profile needs a positive weight", nameof(weights));
        double total = weights.Sum();
        Weights = weights.Select(w => w / total).ToImmutableArray();
    }

    /// <summary>The eight weights, normalised to sum to 1.</summary>
    public ImmutableArray<double> Weights { get; }

    /// <summary>The share of the day's continuous volume traded between <paramref name="from"/> and <paramref name="to"/> (continuous axis).</summary>
    public double Share(TimeSpan from, TimeSpan to)
    {
        double a = from.TotalMinutes, b = to.TotalMinutes, share = 0;
        for (int i = 0; i < Buckets; i++)
        {
            double lo = Math.Max(a, Edges[i]), hi = Math.Min(b, Edges[i + 1]);
            if (hi > lo) share += Weights[i] * (hi - lo) / (Edges[i + 1] - Edges[i]);
        }
        return share;
    }

    public bool Equals(VolumeProfile? other) => other is not null && Weights.SequenceEqual(other.Weights);

    public override int GetHashCode() => Weights.Aggregate(0, (h, w) => HashCode.Combine(h, w));
}
