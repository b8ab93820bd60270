using System.Diagnostics;
using System.Globalization;
using Trading.Data.Model;
using Trading.Data.Store;
using Trading.Domain.Instruments;
using Trading.Research.Factors;
using Trading.Research.Transforms;
using Trading.Research.Universe;
using Trading.Runtime.Strategy;

namespace Trading.Bench;

/// <summary>
/// <c>research-floor-once --store DIR --config FILE</c>: the floor under <c>trading backtest</c> (issue 16) — the same
/// portfolio as a plain, array-at-a-time C# computation, timed from the worker's first line to its last. It reads
/// from bars.parquet only the columns the strategy needs, straight into dates × symbols arrays (no BarTable, no
/// MarketPanel); on each rebalance's decision day (the close before the first trading day of a month, for a monthly
/// strategy) it computes every factor's cross-section over the symbols on back-adjusted closes, masks it by the
/// strategy's universe, winsorizes and z-scores it, sums the weighted factors, picks the top N with the rank buffer
/// around the holdings and weights them equally under the max weight. The chosen weights are bought at the
/// decision day's close and held — they drift with prices — earning each later day's close-to-close return of the
/// adjusted close until the next decision day: no fills, fees, lots or limit rules, so its NAV is not the backtest's.
/// What it shares with the command is the essential work: the same bars, factors, decision days, universe and
/// selection, all read from the strategy file and the store.
/// </summary>
internal static class ResearchFloor
{
    private const byte NotTraded = (byte)(BarFlags.Suspended | BarFlags.NotListed);

    /// <summary>The MAD multiple <see cref="FactorStrategyModel"/> winsorizes with (CrossSection.WinsorizeMad's default k).</summary>
    private const double WinsorizeK = 3.0;

    public static async Task<int> Once(Options o)
    {
        var clock = Stopwatch.StartNew();
        var cfg = StrategyConfig.Load(o.Get("config", ""));
        var factors = FloorFactor.From(cfg);
        if (cfg.Weighting != Weighting.Equal || PortfolioConstruction.Applies(cfg))
            throw new NotSupportedException($"{cfg.Source}: research-floor-once weights equally (weighting = equal, no portfolio risk report), not '{cfg.Weighting.ToString().ToLowerInvariant()}'.");
        var universe = new UniverseFilter
        {
            ExcludeSt = cfg.ExcludeSt, MinListedDays = cfg.MinListedDays, MinAverageAmount = cfg.MinAverageAmount, ExcludeLimitUp = cfg.ExcludeLimitUp,
        };
        var store = MarketStore.Open(o.Get("store", ""));
        var market = await FloorMarket.LoadAsync(store, universe);
        double readSeconds = clock.Elapsed.TotalSeconds;

        var log = o.Get("check", "off") == "on" ? new List<Rebalance>() : null;
        var (nav, decisions, days) = Simulate(cfg, factors, universe, market, log);
        clock.Stop();
        double uptime = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
        long peak = Measure.PeakRss(), allocated = GC.GetTotalAllocatedBytes();
        var check = log is null ? "" : $"; {await CheckAsync(cfg, store, log)}";
        Measure.Emit(new Sample("research-floor", clock.Elapsed.TotalSeconds, peak, allocated,
            $"{cfg.Name}: {market.BarsRead:N0} bars read ({string.Join(", ", market.Columns)}) into {market.Days} days x {market.Symbols} symbols in {readSeconds:F2} s; " +
            $"{decisions} decision days, {factors.Count} factors, top {cfg.TopN} (buffer {cfg.Buffer}) over {days} days in {clock.Elapsed.TotalSeconds - readSeconds:F2} s; " +
            $"process uptime {uptime:F2} s; final NAV {nav.ToString("F2", CultureInfo.InvariantCulture)}{check}"));
        return 0;
    }

    /// <summary>One decision of the floor: the day, the holdings it started from, the weights it chose.</summary>
    private sealed record Rebalance(int Day, int[] Held, List<(int Symbol, double Weight)> Targets);

    /// <summary>
    /// <c>--check on</c> (after the timed work, not timed): the runtime's own model, <see cref="FactorStrategyModel"/> over a
    /// loaded MarketPanel, decides each of the floor's decision days from the floor's holdings; counts the days on
    /// which it picks the same names with the same weights — the evidence that the floor does the same selection.
    /// </summary>
    private static async Task<string> CheckAsync(StrategyConfig cfg, MarketStore store, List<Rebalance> log)
    {
        var panel = await Trading.Data.Panel.MarketPanel.LoadAsync(store, fundamentals: false);
        var model = new FactorStrategyModel(cfg);
        int same = 0;
        var differ = new List<string>();
        foreach (var r in log)
        {
            var expected = model.Targets(panel, r.Day, r.Held.ToDictionary(s => panel.Symbols[s], _ => 0.0));
            bool equal = expected.Count == r.Targets.Count
                && r.Targets.All(t => expected.TryGetValue(panel.Symbols[t.Symbol], out var w) && Math.Abs(w - t.Weight) < 1e-12);
            if (equal) same++;
            else if (differ.Count < 3)
                differ.Add($"{panel.Dates[r.Day]:yyyy-MM-dd} ({r.Targets.Count(t => expected.ContainsKey(panel.Symbols[t.Symbol]))} of {r.Targets.Count} names shared, model {expected.Count})");
        }
        return $"checked against FactorStrategyModel: {same} of {log.Count} decisions identical" + (differ.Count > 0 ? $", first differences {string.Join(", ", differ)}" : "");
    }

    /// <summary>
    /// Walks the backtest's days: on a rebalance day the targets are decided on the previous day's close (the decision
    /// day) and bought at that close; then every day's close-to-close return of the adjusted close moves each holding.
    /// Returns the final NAV, the number of decision days and of days walked.
    /// </summary>
    private static (double Nav, int Decisions, int Days) Simulate(StrategyConfig cfg, IReadOnlyList<FloorFactor> factors, UniverseFilter universe, FloorMarket m,
        List<Rebalance>? log)
    {
        int first = cfg.Start is { } start ? m.FirstDayOnOrAfter(start) : 0;
        int last = cfg.End is { } end ? m.FirstDayOnOrAfter(end.AddDays(1)) - 1 : m.Days - 1;
        int n = m.Symbols;
        var value = new double[n]; // money in each name
        var held = new List<int>();
        double cash = (double)cfg.InitialCash;
        int decisions = 0;
        var decide = new Decision(m, factors, universe, cfg);
        for (int t = first; t <= last; t++)
        {
            if (t > 0 && IsRebalanceDay(cfg.Rebalance, m.Dates[t - 1], m.Dates[t]))
            {
                double nav = cash;
                foreach (var s in held) nav += value[s];
                var targets = decide.Targets(t - 1, value);
                log?.Add(new Rebalance(t - 1, [.. held], targets));
                foreach (var s in held) value[s] = 0;
                held.Clear();
                cash = nav;
                // The strategy's cash buffer stays in cash, as the backtest's planner keeps it.
                foreach (var (s, w) in targets)
                {
                    value[s] = nav * w * (1 - cfg.CashBuffer);
                    cash -= value[s];
                    held.Add(s);
                }
                decisions++;
            }
            if (t == 0) continue;
            ReadOnlySpan<double> today = m.Row(m.AdjClose, t), before = m.Row(m.AdjClose, t - 1);
            foreach (var s in held)
            {
                // A name gone from the data keeps its last value (the backtest could not sell it either).
                double r = today[s] / before[s];
                if (double.IsFinite(r)) value[s] *= r;
            }
        }
        double final = cash;
        foreach (var s in held) final += value[s];
        return (final, decisions, last - first + 1);
    }

    /// <summary>The rebalance rule of <see cref="FactorStrategyModel.IsRebalanceDay"/>: the first trading day of a new month (week, or every day).</summary>
    private static bool IsRebalanceDay(RebalanceFrequency frequency, DateOnly before, DateOnly today) => frequency switch
    {
        RebalanceFrequency.Daily => true,
        RebalanceFrequency.Weekly => ISOWeek.GetWeekOfYear(today.ToDateTime(TimeOnly.MinValue)) != ISOWeek.GetWeekOfYear(before.ToDateTime(TimeOnly.MinValue)) || today.DayNumber - before.DayNumber > 6,
        _ => today.Month != before.Month || today.Year != before.Year,
    };

    /// <summary>One rebalance's selection, with its scratch rows (one value per symbol) allocated once.</summary>
    private sealed class Decision(FloorMarket m, IReadOnlyList<FloorFactor> factors, UniverseFilter universe, StrategyConfig cfg)
    {
        private readonly bool[] _mask = new bool[m.Symbols];
        private readonly double[] _score = new double[m.Symbols], _weightSum = new double[m.Symbols], _values = new double[m.Symbols];
        private readonly double[] _sum = new double[m.Symbols], _scratch = new double[m.Symbols];
        private readonly int[] _count = new int[m.Symbols];
        private double[] _returns = [];

        /// <summary>The target weights (symbol, weight) decided at day <paramref name="d"/>'s close; <paramref name="value"/> &gt; 0 marks a holding.</summary>
        public List<(int Symbol, double Weight)> Targets(int d, double[] value)
        {
            Universe(d);
            Array.Clear(_score);
            Array.Clear(_weightSum);
            foreach (var f in factors)
            {
                Array.Fill(_values, double.NaN);
                if (d >= f.Factor.WarmupDays) Compute(f.Factor, d);
                for (int s = 0; s < _values.Length; s++) if (!_mask[s]) _values[s] = double.NaN;
                foreach (var t in f.Transforms)
                    if (t == "winsorize") WinsorizeMad(_values, _scratch);
                    else ZScore(_values);
                for (int s = 0; s < _values.Length; s++)
                {
                    double x = _values[s];
                    if (!double.IsFinite(x)) continue;
                    _score[s] += f.Weight * x;
                    _weightSum[s] += Math.Abs(f.Weight);
                }
            }
            for (int s = 0; s < _score.Length; s++) if (_weightSum[s] == 0 || !_mask[s]) _score[s] = double.NaN;
            var chosen = Select(value);
            if (chosen.Count == 0) return [];
            // Equal weights; too few names for the cap to sum to one: each at the cap, the rest in cash.
            double w = chosen.Count * cfg.MaxWeight < 1 - 1e-12 ? cfg.MaxWeight : 1.0 / chosen.Count;
            return chosen.Select(s => (s, w)).ToList();
        }

        /// <summary>
        /// Top N by descending score (ties by symbol), keeping a holding while it ranks within the buffer — the rule of
        /// TopNSelection: holdings within the buffer first (best first, at most N), then the best names not held.
        /// </summary>
        private List<int> Select(double[] value)
        {
            var order = new List<int>(_score.Length);
            for (int s = 0; s < _score.Length; s++) if (double.IsFinite(_score[s])) order.Add(s);
            order.Sort((a, b) => _score[b] != _score[a] ? _score[b].CompareTo(_score[a]) : a.CompareTo(b)); // symbols are in packed order
            var chosen = new List<int>(cfg.TopN);
            var taken = new HashSet<int>();
            for (int r = 0; r < Math.Min(cfg.Buffer, order.Count) && chosen.Count < cfg.TopN; r++)
                if (value[order[r]] > 0) { chosen.Add(order[r]); taken.Add(order[r]); }
            for (int r = 0; r < order.Count && chosen.Count < cfg.TopN; r++)
                if (value[order[r]] <= 0 && taken.Add(order[r])) chosen.Add(order[r]);
            return chosen;
        }

        /// <summary>The universe at day <paramref name="d"/>'s close, as <see cref="UniverseFilter"/> decides it (suspended names always out).</summary>
        private void Universe(int d)
        {
            var flags = m.Row(m.Flags, d);
            for (int s = 0; s < _mask.Length; s++)
            {
                byte f = flags[s];
                _mask[s] = (f & NotTraded) == 0
                    && !(universe.ExcludeSt && (f & (byte)BarFlags.St) != 0)
                    && !(universe.ExcludeLimitUp && (f & FloorMarket.ClosedAtLimitUp) != 0)
                    && !(universe.MinListedDays > 0 && d - m.ListIndex[s] < universe.MinListedDays);
            }
            if (universe.MinAverageAmount <= 0) return;
            Array.Clear(_sum);
            Array.Clear(_count);
            for (int k = Math.Max(0, d - universe.LiquidityLookback + 1); k <= d; k++)
            {
                ReadOnlySpan<byte> f = m.Row(m.Flags, k);
                ReadOnlySpan<double> amount = m.Row(m.Amount!, k);
                for (int s = 0; s < _sum.Length; s++)
                    if ((f[s] & NotTraded) == 0) { _sum[s] += amount[s]; _count[s]++; }
            }
            for (int s = 0; s < _mask.Length; s++)
                if (_count[s] == 0 || _sum[s] / _count[s] < universe.MinAverageAmount) _mask[s] = false;
        }

        /// <summary>One factor's cross-section at day <paramref name="d"/> into the values row, with the library factor's definition.</summary>
        private void Compute(IFactor factor, int d)
        {
            var today = m.Row(m.AdjClose, d);
            var traded = m.Row(m.Flags, d);
            switch (factor)
            {
                case Momentum f:
                {
                    ReadOnlySpan<double> recent = m.Row(m.AdjClose, d - f.Skip), past = m.Row(m.AdjClose, d - f.Lookback);
                    for (int s = 0; s < _values.Length; s++)
                        _values[s] = (traded[s] & NotTraded) == 0 ? recent[s] / past[s] - 1.0 : double.NaN;
                    break;
                }
                case Reversal f:
                {
                    var past = m.Row(m.AdjClose, d - f.Lookback);
                    for (int s = 0; s < _values.Length; s++)
                        _values[s] = (traded[s] & NotTraded) == 0 ? -(today[s] / past[s] - 1.0) : double.NaN;
                    break;
                }
                case MovingAverageDeviation f:
                {
                    // Mean over the traded days of the window (today included); needs ⌈N/2⌉ of them.
                    Array.Clear(_sum);
                    Array.Clear(_count);
                    for (int k = Math.Max(0, d - f.Lookback + 1); k <= d; k++)
                    {
                        ReadOnlySpan<double> price = m.Row(m.AdjClose, k);
                        ReadOnlySpan<byte> flags = m.Row(m.Flags, k);
                        for (int s = 0; s < _sum.Length; s++)
                            if ((flags[s] & NotTraded) == 0) { _sum[s] += price[s]; _count[s]++; }
                    }
                    int min = (f.Lookback + 1) / 2;
                    for (int s = 0; s < _values.Length; s++)
                        _values[s] = (traded[s] & NotTraded) == 0 && _count[s] >= min ? today[s] / (_sum[s] / _count[s]) - 1.0 : double.NaN;
                    break;
                }
                case Volatility f:
                    Volatility(f.Lookback, d, traded);
                    break;
                default:
                    throw new NotSupportedException($"research-floor-once computes momentum, reversal, volatility and ma_deviation, not '{factor.Name}'.");
            }
        }

        /// <summary>
        /// Sample standard deviation of daily log returns of the adjusted close over the window's days on which the
        /// stock traded and was listed the day before (a suspension's move lands on the day it trades again); needs
        /// max(2, ⌈N/2⌉) returns. The returns of the window are kept row by row for the second pass.
        /// </summary>
        private void Volatility(int lookback, int d, ReadOnlySpan<byte> tradedToday)
        {
            int n = _values.Length, first = Math.Max(1, d - lookback + 1), min = Math.Max(2, (lookback + 1) / 2);
            if (_returns.Length < lookback * n) _returns = new double[lookback * n];
            Array.Clear(_sum);
            Array.Clear(_count);
            for (int s = 0; s < n; s++) _scratch[s] = Math.Log(m.AdjClose[(long)(first - 1) * n + s]); // yesterday's log
            for (int k = first; k <= d; k++)
            {
                ReadOnlySpan<double> price = m.Row(m.AdjClose, k), previous = m.Row(m.AdjClose, k - 1);
                ReadOnlySpan<byte> flags = m.Row(m.Flags, k);
                var r = _returns.AsSpan((k - first) * n, n);
                for (int s = 0; s < n; s++)
                {
                    double log = Math.Log(price[s]);
                    if ((flags[s] & NotTraded) == 0 && !double.IsNaN(previous[s]))
                    {
                        r[s] = log - _scratch[s];
                        _sum[s] += r[s];
                        _count[s]++;
                    }
                    else r[s] = double.NaN;
                    _scratch[s] = log;
                }
            }
            for (int s = 0; s < n; s++) _values[s] = 0;
            for (int k = first; k <= d; k++)
            {
                var r = _returns.AsSpan((k - first) * n, n);
                for (int s = 0; s < n; s++)
                    if (!double.IsNaN(r[s])) { double x = r[s] - _sum[s] / _count[s]; _values[s] += x * x; }
            }
            for (int s = 0; s < n; s++)
                _values[s] = (tradedToday[s] & NotTraded) == 0 && _count[s] >= min ? Math.Sqrt(_values[s] / (_count[s] - 1)) : double.NaN;
        }
    }

    /// <summary>
    /// Clips the finite values to median ± k · 1.4826 · MAD (NaN left alone; no scale when the MAD is zero), the
    /// definition of CrossSection.WinsorizeMad.
    /// </summary>
    private static void WinsorizeMad(double[] values, double[] scratch)
    {
        int n = 0;
        foreach (var x in values) if (double.IsFinite(x)) scratch[n++] = x;
        if (n == 0) return;
        var finite = scratch.AsSpan(0, n);
        double median = Median(finite);
        for (int i = 0; i < n; i++) finite[i] = Math.Abs(finite[i] - median);
        double mad = Median(finite);
        if (!(mad > 0)) return;
        double lo = median - WinsorizeK * CrossSection.MadToSigma * mad, hi = median + WinsorizeK * CrossSection.MadToSigma * mad;
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < lo) values[i] = lo;
            else if (values[i] > hi) values[i] = hi;
        }
    }

    /// <summary>(x − mean) / sd over the finite values, sample sd (n − 1); no dispersion makes every finite value 0.</summary>
    private static void ZScore(double[] values)
    {
        double sum = 0;
        long n = 0;
        foreach (var x in values) if (double.IsFinite(x)) { sum += x; n++; }
        if (n == 0) return;
        double mean = sum / n, squares = 0;
        foreach (var x in values) if (double.IsFinite(x)) squares += (x - mean) * (x - mean);
        double sd = n > 1 ? Math.Sqrt(squares / (n - 1)) : 0, scale = sd > 0 ? 1 / sd : 0;
        for (int i = 0; i < values.Length; i++) if (double.IsFinite(values[i])) values[i] = (values[i] - mean) * scale;
    }

    /// <summary>The median (mean of the middle two for an even count) by quickselect; reorders <paramref name="v"/>.</summary>
    private static double Median(Span<double> v)
    {
        int k = (v.Length - 1) / 2;
        double lower = Nth(v, k);
        if ((v.Length & 1) == 1) return lower;
        double upper = double.PositiveInfinity;
        foreach (var x in v[(k + 1)..]) if (x < upper) upper = x;
        return lower + (upper - lower) * 0.5;
    }

    /// <summary>Hoare quickselect around a median-of-three pivot: afterwards v[k] is the k-th smallest, nothing before it larger.</summary>
    private static double Nth(Span<double> v, int k)
    {
        int lo = 0, hi = v.Length - 1;
        while (lo < hi)
        {
            double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
            double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (v[i] < pivot) i++;
                while (v[j] > pivot) j--;
                if (i <= j) { (v[i], v[j]) = (v[j], v[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return v[k];
        }
        return v[k];
    }

    /// <summary>A strategy factor the floor computes: the library's factor (for its parameters and warm-up), weight and transforms.</summary>
    private sealed record FloorFactor(IFactor Factor, double Weight, IReadOnlyList<string> Transforms)
    {
        public static IReadOnlyList<FloorFactor> From(StrategyConfig cfg) => cfg.Factors.Select(w =>
        {
            // The registry parses the spec (aliases, defaults, ranges); the floor computes the factor itself.
            var factor = FactorRegistry.Default.Create(w.Spec);
            if (factor is not (Momentum or Reversal or Volatility or MovingAverageDeviation))
                throw new NotSupportedException($"{cfg.Source}: research-floor-once computes momentum, reversal, volatility and ma_deviation, not '{w.Spec}'.");
            foreach (var t in w.Transforms)
                if (t is not ("winsorize" or "zscore"))
                    throw new NotSupportedException($"{cfg.Source}: research-floor-once applies the transforms winsorize and zscore, not '{t}' (factor '{w.Spec}').");
            return new FloorFactor(factor, w.Weight, w.Transforms);
        }).ToList();
    }
}
