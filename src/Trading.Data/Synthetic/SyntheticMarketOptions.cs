using Trading.Domain.Rules;

namespace Trading.Data.Synthetic;

/// <summary>
/// What <see cref="SyntheticMarketGenerator"/> builds: <paramref name="Symbols"/> stocks over
/// <paramref name="Days"/> trading days from <see cref="Start"/>, entirely determined by <paramref name="Seed"/>
/// and the tunables below. Rates are per stock; returns are daily log returns.
/// </summary>
public sealed record SyntheticMarketOptions(int Symbols, int Days, ulong Seed)
{
    /// <summary>First calendar day; the first trading day is the first synthetic trading day on or after it.</summary>
    public DateOnly Start { get; init; } = new(2015, 1, 5);

    /// <summary>The rulebook for bands and IPO no-limit days (limits are computed from it, dated).</summary>
    public MarketRules Rules { get; init; } = MarketRules.Default;

    // ---- Universe -------------------------------------------------------------------------------------------

    /// <summary>Board mix (relative weights): SSE main 600/601/603, SZSE main 000/002, ChiNext 300, STAR 688, BSE 83/920.</summary>
    public double ShanghaiMainShare { get; init; } = 0.30;
    public double ShenzhenMainShare { get; init; } = 0.30;
    public double ChiNextShare { get; init; } = 0.20;
    public double StarShare { get; init; } = 0.12;
    public double BseShare { get; init; } = 0.08;

    /// <summary>
    /// When true, no stock trades on a board before the board opened (ChiNext 2009-10-30, STAR 2019-07-22,
    /// BSE 2021-11-15): such stocks list at or after the opening, and when the board opens after the last day,
    /// they are moved to a main board. Set false to get every board from day one (limits still follow the rules).
    /// </summary>
    public bool RespectBoardLaunchDates { get; init; } = true;

    /// <summary>Share of stocks that list (IPO) inside the range rather than trading from the first day.</summary>
    public double ListingFraction { get; init; } = 0.30;

    /// <summary>Share of stocks delisted inside the range by plan (each preceded by a *ST spell).</summary>
    public double DelistFraction { get; init; } = 0.04;

    /// <summary>
    /// Delist a stock after 20 consecutive closes below 1.00 CNY (面值退市). Off by default: the row count is then
    /// known before simulating, so the table is allocated exactly; with it on, a large run pays for one final copy
    /// of every column (about 2 s for 12M rows on a small VM).
    /// </summary>
    public bool FaceValueDelisting { get; init; }

    /// <summary>Share of stocks with a (random) ST spell of 60-480 trading days.</summary>
    public double StFraction { get; init; } = 0.06;

    /// <summary>Suspension spells per stock per 244 trading days; lengths 1 day (50%), 2-5 (30%), 6-max (20%).</summary>
    public double SuspensionsPerYear { get; init; } = 0.8;

    /// <summary>Longest suspension spell in trading days.</summary>
    public int MaxSuspensionDays { get; init; } = 30;

    /// <summary>Chance per stock and calendar year of an ex-date in June-July (cash dividend and/or bonus shares).</summary>
    public double ExDateProbability { get; init; } = 0.65;

    /// <summary>On an ex-date, chance of bonus/transfer shares (送转, 2-10 per 10); ×3 above 30 CNY, ×6 above 100 CNY (at most 0.6).</summary>
    public double BonusProbability { get; init; } = 0.10;

    /// <summary>Cash dividend yield on an ex-date, uniform in [min, max] of the previous close.</summary>
    public double MinDividendYield { get; init; } = 0.002;
    public double MaxDividendYield { get; init; } = 0.04;

    /// <summary>First-bar price (existing stocks) or issue price (listings): log-normal around 12 CNY, clamped.</summary>
    public double MinStartPrice { get; init; } = 3.0;
    public double MaxStartPrice { get; init; } = 80.0;

    // ---- Return model: r = beta·m + industry + size·z_size + momentum·exposure + idio (student-t) + jumps ------

    /// <summary>Mean daily log return of the market factor.</summary>
    public double MarketDrift { get; init; } = 0.0002;

    /// <summary>Long-run daily vol of the market factor (GARCH(1,1), α 0.07, β 0.90).</summary>
    public double MarketVol { get; init; } = 0.014;

    /// <summary>Daily vol of each industry factor (times a fixed per-industry multiplier, exp(0.25·N)).</summary>
    public double IndustryVol { get; init; } = 0.007;

    /// <summary>Daily return per unit of size z-score ((log cap − SizeCenter) / SizeScale); negative = small caps win.</summary>
    public double SizePremiumMean { get; init; } = -0.0002;
    public double SizePremiumVol { get; init; } = 0.003;

    /// <summary>
    /// Daily return per unit of momentum exposure, drawn each day as N(mean, vol). The exposure is the stock's
    /// market-relative log return over its last <see cref="MomentumLookback"/> bars divided by 0.025·√lookback,
    /// clamped to ±3 (see <see cref="SyntheticTruth.MomentumExposure"/>).
    /// </summary>
    public double MomentumPremiumMean { get; init; } = 0.0004;
    public double MomentumPremiumVol { get; init; } = 0.0008;
    public int MomentumLookback { get; init; } = 60;

    /// <summary>Idiosyncratic daily vol by board (each stock: times exp(0.25·N − 0.1·size z)).</summary>
    public double IdioVolMain { get; init; } = 0.019;
    public double IdioVolChiNext { get; init; } = 0.025;
    public double IdioVolStar { get; init; } = 0.027;
    public double IdioVolBse { get; init; } = 0.031;

    /// <summary>Degrees of freedom of the student-t idiosyncratic shocks (rescaled to unit variance); 3..200.</summary>
    public int TailDf { get; init; } = 4;

    /// <summary>Chance per stock-day of a news jump (mean size 12%, 55% negative): the source of limit streaks.</summary>
    public double JumpProbability { get; init; } = 0.003;

    // ---- Benchmark ------------------------------------------------------------------------------------------

    /// <summary>Constituents of the cap-weighted benchmark: the largest stocks by planted log cap.</summary>
    public int IndexMembers { get; init; } = 300;

    /// <summary>Benchmark level before the first day.</summary>
    public double IndexBase { get; init; } = 3500.0;

    public void Validate()
    {
        static void Fraction(double v, string name)
        {
            if (!(v >= 0.0 && v <= 1.0)) throw new ArgumentOutOfRangeException(name, v, "Must be in [0, 1].");
        }
        static void NonNegative(double v, string name)
        {
            if (!(v >= 0.0) || double.IsInfinity(v)) throw new ArgumentOutOfRangeException(name, v, "Must be finite and non-negative.");
        }
        static void Finite(double v, string name)
        {
            if (!double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, "Must be finite.");
        }

        if (Symbols < 1) throw new ArgumentOutOfRangeException(nameof(Symbols), Symbols, "Need at least one symbol.");
        if (Days < 1) throw new ArgumentOutOfRangeException(nameof(Days), Days, "Need at least one trading day.");
        ArgumentNullException.ThrowIfNull(Rules);
        foreach (var (v, n) in new[]
                 {
                     (ShanghaiMainShare, nameof(ShanghaiMainShare)), (ShenzhenMainShare, nameof(ShenzhenMainShare)),
                     (ChiNextShare, nameof(ChiNextShare)), (StarShare, nameof(StarShare)), (BseShare, nameof(BseShare)),
                 })
            NonNegative(v, n);
        if (!(ShanghaiMainShare + ShenzhenMainShare + ChiNextShare + StarShare + BseShare > 0.0))
            throw new ArgumentException("At least one board share must be positive.");
        Fraction(ListingFraction, nameof(ListingFraction));
        Fraction(DelistFraction, nameof(DelistFraction));
        Fraction(StFraction, nameof(StFraction));
        Fraction(ExDateProbability, nameof(ExDateProbability));
        Fraction(BonusProbability, nameof(BonusProbability));
        Fraction(JumpProbability, nameof(JumpProbability));
        NonNegative(SuspensionsPerYear, nameof(SuspensionsPerYear));
        if (SuspensionsPerYear >= 244.0) throw new ArgumentOutOfRangeException(nameof(SuspensionsPerYear), SuspensionsPerYear, "Must be below 244.");
        if (MaxSuspensionDays < 1) throw new ArgumentOutOfRangeException(nameof(MaxSuspensionDays), MaxSuspensionDays, "Must be at least 1.");
        if (!(MinDividendYield >= 0.0 && MaxDividendYield >= MinDividendYield && MaxDividendYield <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(MaxDividendYield), MaxDividendYield, "Need 0 <= MinDividendYield <= MaxDividendYield <= 0.5.");
        if (!(MinStartPrice >= 0.05 && MaxStartPrice >= MinStartPrice && MaxStartPrice <= 100_000.0))
            throw new ArgumentOutOfRangeException(nameof(MaxStartPrice), MaxStartPrice, "Need 0.05 <= MinStartPrice <= MaxStartPrice <= 100000.");
        Finite(MarketDrift, nameof(MarketDrift));
        NonNegative(MarketVol, nameof(MarketVol));
        NonNegative(IndustryVol, nameof(IndustryVol));
        Finite(SizePremiumMean, nameof(SizePremiumMean));
        NonNegative(SizePremiumVol, nameof(SizePremiumVol));
        Finite(MomentumPremiumMean, nameof(MomentumPremiumMean));
        NonNegative(MomentumPremiumVol, nameof(MomentumPremiumVol));
        if (MomentumLookback is < 2 or > 1000) throw new ArgumentOutOfRangeException(nameof(MomentumLookback), MomentumLookback, "Must be in 2..1000.");
        NonNegative(IdioVolMain, nameof(IdioVolMain));
        NonNegative(IdioVolChiNext, nameof(IdioVolChiNext));
        NonNegative(IdioVolStar, nameof(IdioVolStar));
        NonNegative(IdioVolBse, nameof(IdioVolBse));
        if (TailDf is < 3 or > 200) throw new ArgumentOutOfRangeException(nameof(TailDf), TailDf, "Must be in 3..200.");
        if (IndexMembers < 1) throw new ArgumentOutOfRangeException(nameof(IndexMembers), IndexMembers, "Must be at least 1.");
        if (!(IndexBase > 0.0) || double.IsInfinity(IndexBase)) throw new ArgumentOutOfRangeException(nameof(IndexBase), IndexBase, "Must be positive.");
    }
}
