using System.Numerics;

namespace Trading.Data.Synthetic;

/// <summary>
/// xoshiro256** seeded through SplitMix64: a small, fast generator whose output depends only on (seed, stream,
/// index) and on IEEE-754 arithmetic, so the synthetic market is bit-identical across runs, machines and .NET
/// versions. Never <see cref="Random"/> (its algorithm is not part of the contract) and never <see cref="HashCode"/>
/// (randomised per process). Normals use Marsaglia's polar method with <see cref="DetMath.Log"/> and
/// <see cref="Math.Sqrt"/> (correctly rounded), so no libm call decides a bit.
/// </summary>
internal sealed class SyntheticRng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>An independent stream for (seed, stream tag, index): e.g. one per stock and purpose.</summary>
    public SyntheticRng(ulong seed, ulong stream, ulong index = 0)
    {
        ulong sm = SplitMix64.Mix(seed) ^ SplitMix64.Mix(stream * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL)
            ^ SplitMix64.Mix(index * 0xD1B54A32D192ED03UL + 0x8CB92BA72F3D8DD7UL);
        _s0 = SplitMix64.Next(ref sm);
        _s1 = SplitMix64.Next(ref sm);
        _s2 = SplitMix64.Next(ref sm);
        _s3 = SplitMix64.Next(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1; // the one forbidden state
    }

    private SyntheticRng() { }

    /// <summary>A generator in a given raw state (for checking the algorithm against published vectors).</summary>
    internal static SyntheticRng FromState(ulong s0, ulong s1, ulong s2, ulong s3) =>
        new() { _s0 = s0, _s1 = s1, _s2 = s2, _s3 = s3 };

    public ulong NextU64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextU64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform in (0, 1): never 0, safe for logarithms.</summary>
    public double NextOpen() => ((NextU64() >> 11) + 0.5) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform integer in [0, n) (multiply-high; the bias is below 2^-32 for the sizes used here).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The range must be positive.");
        return (int)Math.BigMul(NextU64(), (ulong)n, out _);
    }

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Standard normal (Marsaglia polar method; the second value of each pair is kept for the next call).</summary>
    public double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);
        double f = Math.Sqrt(-2.0 * DetMath.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Exponential with mean 1.</summary>
    public double Exponential() => -DetMath.Log(NextOpen());

    /// <summary>Chi-square with an integer number of degrees of freedom: −2·ln(∏U) for each pair, plus Z² when odd.</summary>
    public double ChiSquare(int df)
    {
        double sum = 0.0;
        int pairs = df >> 1;
        // Products of up to 16 uniforms stay far above the double range limit; log once per block.
        while (pairs > 0)
        {
            int block = Math.Min(pairs, 16);
            double product = 1.0;
            for (int i = 0; i < block; i++) product *= NextOpen();
            sum -= 2.0 * DetMath.Log(product);
            pairs -= block;
        }
        if ((df & 1) != 0)
        {
            double z = Normal();
            sum += z * z;
        }
        return sum;
    }

    /// <summary>Student-t with <paramref name="df"/> degrees of freedom (variance df/(df−2); not rescaled).</summary>
    public double StudentT(int df) => Normal() / Math.Sqrt(ChiSquare(df) / df);
}

internal static class SplitMix64
{
    public static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// Logarithm and exponential from IEEE-754 basic operations only (argument reduction plus series), so results do
/// not depend on the platform's libm the way <see cref="Math.Log(double)"/> and <see cref="Math.Exp"/> may.
/// Accurate to a few ulp; the generator needs reproducibility, not correct rounding.
/// </summary>
internal static class DetMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01; // fdlibm split of ln 2: Ln2Hi·k is exact for |k| < 2^11
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Sqrt2 = 1.4142135623730951;

    public static double Log(double x)
    {
        if (double.IsNaN(x) || x < 0.0) return double.NaN;
        if (x == 0.0) return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x)) return x;
        long bits = BitConverter.DoubleToInt64Bits(x);
        int e = (int)(bits >> 52) & 0x7FF;
        if (e == 0)
        {
            // Subnormal: scale into the normal range first.
            bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0); // 2^54
            e = ((int)(bits >> 52) & 0x7FF) - 54;
        }
        e -= 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }
        // ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.1716: 2s + Σ 2 s^(2k+1)/(2k+1).
        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double r = z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (2.0 / 13
            + z * (2.0 / 15 + z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21))))))))));
        double lnM = 2.0 * s + s * r;
        return e * Ln2Hi + (e * Ln2Lo + lnM);
    }

    public static double Exp(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > 709.0) return double.PositiveInfinity;
        if (x < -708.0) return 0.0;
        double kd = Math.Round(x * InvLn2); // exact operation (ties to even)
        int k = (int)kd;
        double r = (x - kd * Ln2Hi) - kd * Ln2Lo; // |r| ≤ 0.35
        double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720
            + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
            + r * (1.0 / 479001600 + r * (1.0 / 6227020800)))))))))))));
        return p * BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
    }
}
