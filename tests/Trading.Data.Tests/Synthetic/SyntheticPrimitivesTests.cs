using Trading.Data.Synthetic;
using Trading.Domain.Rules;

namespace Trading.Data.Tests.Synthetic;

public class SyntheticRandomTests
{
    [Fact]
    public void Same_seed_and_stream_repeat_and_other_streams_differ()
    {
        var a = new SyntheticRng(42, 3, 7);
        var b = new SyntheticRng(42, 3, 7);
        var otherIndex = new SyntheticRng(42, 3, 8);
        var otherSeed = new SyntheticRng(43, 3, 7);
        int sameIndex = 0, sameSeed = 0;
        for (int i = 0; i < 1000; i++)
        {
            ulong x = a.NextU64();
            Assert.Equal(x, b.NextU64());
            if (x == otherIndex.NextU64()) sameIndex++;
            if (x == otherSeed.NextU64()) sameSeed++;
        }
        Assert.Equal(0, sameIndex);
        Assert.Equal(0, sameSeed);
    }

    [Fact]
    public void Xoshiro256_star_star_matches_the_reference_vector()
    {
        // Reference implementation (Blackman & Vigna) from state {1, 2, 3, 4}.
        var rng = SyntheticRng.FromState(1, 2, 3, 4);
        Assert.Equal(11520UL, rng.NextU64());
        Assert.Equal(0UL, rng.NextU64());
        Assert.Equal(1509978240UL, rng.NextU64());
        Assert.Equal(1215971899390074240UL, rng.NextU64());
    }

    [Fact]
    public void Output_is_pinned_so_a_runtime_or_refactoring_change_shows()
    {
        // xoshiro256** seeded by SplitMix64: these words must never change, or every synthetic data set changes.
        var rng = new SyntheticRng(42, 1, 0);
        ulong[] words = [rng.NextU64(), rng.NextU64(), rng.NextU64()];
        Assert.Equal(GoldenWords, words);
        var normals = new SyntheticRng(42, 1, 0);
        Assert.Equal(GoldenNormalBits, BitConverter.DoubleToInt64Bits(normals.Normal() + normals.Normal() + normals.StudentT(4)));
    }

    // Recorded on x64 .NET 10 (Debug and Release, with and without AVX); every platform must reproduce them.
    private static readonly ulong[] GoldenWords = [14457562285706336022UL, 10341770233613169073UL, 14552710655544408635UL];
    private const long GoldenNormalBits = 4614310780373898704L;

    [Fact]
    public void Uniforms_stay_in_range()
    {
        var rng = new SyntheticRng(1, 2);
        for (int i = 0; i < 100_000; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 0.9999999999999999);
            double o = rng.NextOpen();
            Assert.True(o > 0.0 && o < 1.0);
            Assert.InRange(rng.NextInt(7), 0, 6);
        }
    }

    [Fact]
    public void Normal_has_unit_moments_and_student_t_has_fat_tails()
    {
        var rng = new SyntheticRng(5, 6);
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double z = rng.Normal();
            sum += z;
            sumSq += z * z;
        }
        Assert.InRange(sum / n, -0.01, 0.01);
        Assert.InRange(sumSq / n, 0.98, 1.02);

        // P(|t4| > 4) = 0.01613 (two-sided); a normal gives 0.00006.
        int beyond = 0;
        for (int i = 0; i < n; i++)
            if (Math.Abs(rng.StudentT(4)) > 4.0) beyond++;
        Assert.InRange(beyond / (double)n, 0.0145, 0.0178);

        // Chi-square(5): mean 5, variance 10.
        double c = 0, cc = 0;
        for (int i = 0; i < n; i++)
        {
            double x = rng.ChiSquare(5);
            c += x;
            cc += x * x;
        }
        Assert.InRange(c / n, 4.95, 5.05);
        Assert.InRange(cc / n - (c / n) * (c / n), 9.7, 10.3);
    }

    [Fact]
    public void DetMath_log_and_exp_agree_with_the_runtime_to_a_few_ulp()
    {
        double worstLog = 0, worstExp = 0;
        for (int i = 1; i <= 200_000; i++)
        {
            double x = i * 0.0137;
            double expected = Math.Log(x);
            if (expected != 0) worstLog = Math.Max(worstLog, Math.Abs(DetMath.Log(x) - expected) / Math.Abs(expected));
            double y = (i - 100_000) * 0.007; // ±700
            worstExp = Math.Max(worstExp, Math.Abs(DetMath.Exp(y) - Math.Exp(y)) / Math.Exp(y));
        }
        Assert.True(worstLog < 1e-15, $"log error {worstLog}");
        Assert.True(worstExp < 1e-15, $"exp error {worstExp}");
        Assert.Equal(0.0, DetMath.Log(1.0));
        Assert.Equal(1.0, DetMath.Exp(0.0));
        Assert.Equal(double.NegativeInfinity, DetMath.Log(0.0));
        Assert.True(double.IsNaN(DetMath.Log(-1.0)));
        Assert.Equal(Math.Log(double.Epsilon), DetMath.Log(double.Epsilon), 1e-12); // subnormal input
        Assert.Equal(double.PositiveInfinity, DetMath.Exp(1000.0));
        Assert.Equal(0.0, DetMath.Exp(-1000.0));
    }
}

public class FenMathTests
{
    [Theory]
    [InlineData("0.05")]
    [InlineData("0.10")]
    [InlineData("0.20")]
    [InlineData("0.30")]
    [InlineData("0.44")]
    public void Integer_limits_equal_PriceLimit_FromReference(string bandText)
    {
        decimal band = decimal.Parse(bandText, System.Globalization.CultureInfo.InvariantCulture);
        int ppm = FenMath.ToPpm(band);
        // Every reference from 0.01 to 1,000.00 CNY, then a sparse sweep to 100,000 CNY.
        for (int fen = 1; fen <= 10_000_000; fen += fen < 100_000 ? 1 : 997)
        {
            FenMath.Limits(fen, ppm, out int up, out int down);
            var expected = PriceLimit.FromReference(fen / 100m, band);
            if (up != (int)(expected.Up * 100m) || down != (int)(expected.Down * 100m))
                Assert.Fail($"ref {fen / 100m} band {band}: integer [{down}, {up}] vs decimal {expected}");
        }
    }

    [Fact]
    public void Bands_convert_to_ppm_exactly_or_not_at_all()
    {
        Assert.Equal(50_000, FenMath.ToPpm(0.05m));
        Assert.Equal(100_000, FenMath.ToPpm(0.10m));
        Assert.Equal(300_000, FenMath.ToPpm(0.30m));
        Assert.Throws<NotSupportedException>(() => FenMath.ToPpm(0.1234567m));
        Assert.Throws<NotSupportedException>(() => FenMath.ToPpm(1.0m));
    }

    [Fact]
    public void Ex_rights_reference_equals_the_decimal_formula()
    {
        var rng = new SyntheticRng(9, 9);
        for (int i = 0; i < 200_000; i++)
        {
            int prev = 1 + rng.NextInt(i % 2 == 0 ? 5_000 : 500_000);
            int dividendMilli = rng.Chance(0.2) ? 0 : rng.NextInt(prev * 5 + 1);
            int per10 = rng.Chance(0.5) ? 0 : 1 + rng.NextInt(10);
            int fen = FenMath.ExRightsReference(prev, dividendMilli, per10);
            decimal expected = Money.RoundFen((prev / 100m - dividendMilli / 1000m) / (1m + per10 / 10m));
            Assert.Equal(expected, fen / 100m);
        }
        // Half-fen cases round up: (10.00 − 0.005) / 1 = 9.995 → 10.00; (10.01 − 0) / 2 = 5.005 → 5.01.
        Assert.Equal(1000, FenMath.ExRightsReference(1000, 5, 0));
        Assert.Equal(501, FenMath.ExRightsReference(1001, 0, 10));
        Assert.Equal(0, FenMath.ExRightsReference(100, 1000, 0));
    }

    [Fact]
    public void Round_is_half_up_and_stays_a_valid_price()
    {
        Assert.Equal(2, FenMath.Round(1.5));
        Assert.Equal(1, FenMath.Round(1.4999));
        Assert.Equal(1, FenMath.Round(0.2));
        Assert.Equal(1, FenMath.Round(double.NaN));
        Assert.Equal(2_000_000_000, FenMath.Round(1e30));
    }
}

public class SyntheticCalendarTests
{
    [Fact]
    public void Trading_days_are_weekdays_without_the_holidays()
    {
        var days = SyntheticCalendar.TradingDays(new DateOnly(2015, 1, 5), 2430);
        Assert.Equal(2430, days.Length);
        Assert.Equal(new DateOnly(2015, 1, 5), days[0]);
        for (int i = 1; i < days.Length; i++) Assert.True(days[i] > days[i - 1]);
        Assert.All(days, d => Assert.False(d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday));
        Assert.DoesNotContain(days, d => d.Month == 10 && d.Day <= 7);
        Assert.DoesNotContain(days, d => d.Month == 1 && d.Day == 1);
        Assert.DoesNotContain(new DateOnly(2016, 2, 8), days);  // lunar new year 2016
        Assert.DoesNotContain(new DateOnly(2016, 2, 12), days); // the fourth day
        Assert.Contains(new DateOnly(2016, 2, 15), days);
        int in2016 = days.Count(d => d.Year == 2016);
        Assert.InRange(in2016, 240, 250);
    }

    [Fact]
    public void A_start_on_a_holiday_moves_to_the_next_trading_day()
    {
        var days = SyntheticCalendar.TradingDays(new DateOnly(2016, 10, 1), 3);
        Assert.Equal(new DateOnly(2016, 10, 10), days[0]);
        Assert.Equal(new DateOnly(2016, 2, 8), SyntheticCalendar.LunarNewYear(2016));
        Assert.Equal(new DateOnly(2034, 2, 19), SyntheticCalendar.LunarNewYear(2034)); // 2015 + 19 years
    }
}
