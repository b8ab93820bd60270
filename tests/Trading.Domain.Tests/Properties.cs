using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Domain.Calendar;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Domain.Tests;

/// <summary>
/// FsCheck properties. Oracles are independent restatements of A_SHARE_RULES.md §1.1 in integer fen / share
/// arithmetic, never the code under test.
/// </summary>
public class Properties
{
    // ---- (a) price limits ------------------------------------------------------------------------------------

    /// <summary>A board band in force: the symbol and date pick it, <c>Percent</c> is what §1.1 says it must be.</summary>
    public sealed record BandCase(string Symbol, DateOnly Date, bool IsSt, int Percent)
    {
        public override string ToString() => $"{Symbol} {Date:yyyy-MM-dd} ST={IsSt} ±{Percent}%";
    }

    private static readonly BandCase[] BandCases =
    [
        new("600000.SH", new DateOnly(2024, 3, 1), false, 10),
        new("000001.SZ", new DateOnly(2024, 3, 1), false, 10),
        new("600000.SH", new DateOnly(2024, 3, 1), true, 5),
        new("000001.SZ", new DateOnly(2025, 7, 4), true, 5),
        new("600000.SH", new DateOnly(2025, 7, 7), true, 10),
        new("300750.SZ", new DateOnly(2024, 3, 1), false, 20),
        new("300750.SZ", new DateOnly(2024, 3, 1), true, 20),
        new("300750.SZ", new DateOnly(2020, 8, 21), false, 10),
        new("300750.SZ", new DateOnly(2020, 8, 21), true, 5),
        new("688981.SH", new DateOnly(2024, 3, 1), false, 20),
        new("688981.SH", new DateOnly(2024, 3, 1), true, 20),
        new("830799.BJ", new DateOnly(2024, 3, 1), false, 30),
        new("920001.BJ", new DateOnly(2025, 1, 2), true, 30),
    ];

    /// <summary>Reference prices 0.01 .. 5000.00 as integer fen, biased towards tiny and round-looking ones.</summary>
    private static Gen<int> ReferenceFen() =>
        Gen.OneOf(Gen.Choose(1, 200), Gen.Choose(1, 10_000), Gen.Choose(1, 500_000), Gen.Choose(1, 50_000).Select(f => f * 10));

    [Property(MaxTest = 2000)]
    public Property Limits_are_the_half_up_rounded_band_on_the_tick()
    {
        var gen = Gen.Elements(BandCases).Zip(ReferenceFen());
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (band, fen) = t;
            decimal reference = fen / 100m;
            var limit = MarketRules.Default.Limit(Symbol.Parse(band.Symbol), band.Date, new LimitContext(reference, band.IsSt, null, null));
            decimal pct = band.Percent / 100m;

            // On the 0.01 tick.
            Assert.Equal(decimal.Truncate(limit.Up * 100m), limit.Up * 100m);
            Assert.Equal(decimal.Truncate(limit.Down * 100m), limit.Down * 100m);

            // Within half a fen of the exact band (down may instead be held at one fen).
            Assert.True(Math.Abs(limit.Up - reference * (1m + pct)) <= 0.005m, $"up {limit.Up} vs {reference * (1m + pct)}");
            Assert.True(limit.Down == 0.01m || Math.Abs(limit.Down - reference * (1m - pct)) <= 0.005m,
                $"down {limit.Down} vs {reference * (1m - pct)}");

            // Exactly the integer half-up oracle: floor((fen × (100 ± p) + 50) / 100), at least 1 fen.
            long upFen = ((long)fen * (100 + band.Percent) + 50) / 100;
            long downFen = Math.Max(1, ((long)fen * (100 - band.Percent) + 50) / 100);
            Assert.Equal(upFen / 100m, limit.Up);
            Assert.Equal(downFen / 100m, limit.Down);

            // Ordered around the reference; strictly once the band exceeds half a fen (fen × p > 50). Below that
            // (e.g. 0.05 at ±10%, 0.10 at ±5%) round_half_up collapses a side onto the reference: see PriceLimitTests.
            Assert.True(limit.Down <= reference && reference <= limit.Up);
            if ((long)fen * band.Percent > 50)
            {
                Assert.True(limit.Down < reference, $"down {limit.Down} !< {reference}");
                Assert.True(reference < limit.Up, $"up {limit.Up} !> {reference}");
            }
            Assert.True(limit.Contains(reference));
        });
    }

    [Property(MaxTest = 1000)]
    public Property FromReference_any_band_is_on_the_tick_and_within_half_a_fen()
    {
        // Any band 0.01% .. 99.99% in basis points.
        var gen = ReferenceFen().Zip(Gen.Choose(1, 9_999));
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (fen, bp) = t;
            decimal reference = fen / 100m, pct = bp / 10_000m;
            var limit = PriceLimit.FromReference(reference, pct);

            Assert.Equal(decimal.Truncate(limit.Up * 100m), limit.Up * 100m);
            Assert.Equal(decimal.Truncate(limit.Down * 100m), limit.Down * 100m);
            Assert.True(Math.Abs(limit.Up - reference * (1m + pct)) <= 0.005m);
            Assert.True(limit.Down == 0.01m || Math.Abs(limit.Down - reference * (1m - pct)) <= 0.005m);
            Assert.True(limit.Down >= 0.01m);
            Assert.True(limit.Down <= reference && reference <= limit.Up);
        });
    }

    // ---- (b) buy lot rounding -----------------------------------------------------------------------------------

    private static readonly Board[] AllBoards = [Board.ShanghaiMain, Board.ShenzhenMain, Board.ChiNext, Board.Star, Board.Bse];

    private static Gen<long> Quantity() =>
        Gen.OneOf(Gen.Choose(-10, 1_000), Gen.Choose(0, 5_000), Gen.Choose(0, 2_000_000)).Select(i => (long)i);

    [Property(MaxTest = 2000)]
    public Property RoundBuyDown_is_the_largest_valid_lot_not_above_the_target()
    {
        var gen = Gen.Elements(AllBoards).Zip(Quantity());
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (board, target) = t;
            var rule = MarketRules.Default.For(board).Quantity;
            long r = rule.RoundBuyDown(target);

            Assert.True(r >= 0);
            Assert.True(r <= Math.Max(0, target), $"{r} > {target}");
            if (r != 0)
            {
                Assert.True(rule.IsValidBuy(r));
                // independent restatement: at least MinBuy, MinBuy + k × Step, at most the order cap
                Assert.True(r >= rule.MinBuy && (r - rule.MinBuy) % rule.Step == 0 && r <= rule.MaxLimitOrder);
            }

            if (target < rule.MinBuy) Assert.Equal(0, r);
            else if (target <= rule.MaxLimitOrder) Assert.True(target - r < rule.Step, $"{target} - {r} >= {rule.Step}");
            else Assert.Equal(rule.MaxLimitOrder, r); // every default cap is itself a valid lot
        });
    }

    // ---- (c) sell rounding --------------------------------------------------------------------------------------

    /// <summary>§1.1 odd-lot rule restated: lot boards sell whole lots, optionally with the whole odd remainder;
    /// STAR/BSE sell at least MinBuy, or everything that is left.</summary>
    private static bool OracleValidSell(QuantityRule rule, long q, long sellable)
    {
        if (q <= 0 || q > sellable || q > rule.MaxLimitOrder) return false;
        bool lotBoard = rule.Step == rule.MinBuy;
        return lotBoard
            ? q % rule.Step == 0 || q % rule.Step == sellable % rule.Step
            : q >= rule.MinBuy || q == sellable;
    }

    private static Gen<(Board Board, long Sellable, long Target)> SellCase(int maxSellable) =>
        from board in Gen.Elements(AllBoards)
        from sellable in Gen.OneOf(Gen.Choose(0, 1_000), Gen.Choose(0, maxSellable))
        from target in Gen.OneOf(Gen.Choose(-5, sellable + 300), Gen.Choose(0, 2_000_000))
        select (board, (long)sellable, (long)target);

    [Property(MaxTest = 2000)]
    public Property RoundSellDown_is_valid_and_never_exceeds_target_or_sellable()
    {
        return Prop.ForAll(SellCase(1_200_000).ToArbitrary(), t =>
        {
            var (board, sellable, target) = t;
            var rule = MarketRules.Default.For(board).Quantity;
            long r = rule.RoundSellDown(target, sellable);

            Assert.True(r >= 0);
            Assert.True(r <= Math.Max(0, target), $"{r} > target {target}");
            Assert.True(r <= sellable, $"{r} > sellable {sellable}");
            Assert.True(r <= rule.MaxLimitOrder);
            if (r != 0)
            {
                Assert.True(rule.IsValidSell(r, sellable), $"{r} of {sellable} invalid: {rule.SellViolation(r, sellable)}");
                Assert.True(OracleValidSell(rule, r, sellable));
            }
        });
    }

    [Property(MaxTest = 1000)]
    public Property RoundSellDown_is_the_largest_valid_sell()
    {
        // Small positions so that every quantity between the result and the target can be checked.
        return Prop.ForAll(SellCase(3_000).Where(c => c.Sellable <= 3_000).ToArbitrary(), t =>
        {
            var (board, sellable, target) = t;
            var rule = MarketRules.Default.For(board).Quantity;
            long r = rule.RoundSellDown(target, sellable);

            long top = Math.Min(target, sellable);
            for (long q = r + 1; q <= top; q++)
                Assert.False(OracleValidSell(rule, q, sellable), $"{q} of {sellable} is valid and above {r} (target {target})");
        });
    }

    [Property(MaxTest = 2000)]
    public Property IsValidSell_agrees_with_the_odd_lot_rule()
    {
        var gen =
            from board in Gen.Elements(AllBoards)
            from sellable in Gen.OneOf(Gen.Choose(0, 1_000), Gen.Choose(0, 1_200_000))
            from q in Gen.OneOf(Gen.Choose(-5, sellable + 300), Gen.Choose(-5, 250), Gen.Choose(0, 2_000_000))
            select (board, (long)sellable, (long)q);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (board, sellable, q) = t;
            var rule = MarketRules.Default.For(board).Quantity;
            Assert.Equal(OracleValidSell(rule, q, sellable), rule.IsValidSell(q, sellable));
        });
    }

    // ---- symbols ------------------------------------------------------------------------------------------------

    private static Gen<(int Code, Exchange Exchange)> BoardCode() => Gen.OneOf(
        Gen.Choose(600_000, 601_999).Select(c => (c, Exchange.SH)),
        Gen.Choose(603_000, 603_999).Select(c => (c, Exchange.SH)),
        Gen.Choose(605_000, 605_999).Select(c => (c, Exchange.SH)),
        Gen.Choose(688_000, 689_999).Select(c => (c, Exchange.SH)),
        Gen.Choose(0, 3_999).Select(c => (c, Exchange.SZ)),
        Gen.Choose(300_000, 302_999).Select(c => (c, Exchange.SZ)),
        Gen.Choose(400_000, 499_999).Select(c => (c, Exchange.BJ)),
        Gen.Choose(800_000, 899_999).Select(c => (c, Exchange.BJ)),
        Gen.Choose(920_000, 920_999).Select(c => (c, Exchange.BJ)));

    [Property(MaxTest = 1000)]
    public Property Symbols_round_trip_through_every_spelling()
    {
        return Prop.ForAll(BoardCode().ToArbitrary(), t =>
        {
            var (code, exchange) = t;
            var s = Symbol.Create(code, exchange);
            string digits = code.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

            Assert.Equal($"{digits}.{exchange}", s.ToString());
            Assert.Equal(s, Symbol.Parse(s.ToString()));
            Assert.Equal(s, Symbol.Parse(s.ToPTrade()));
            Assert.Equal(s, Symbol.Parse(digits));
            Assert.Equal(s, Symbol.Parse($"{exchange}{digits}".ToLowerInvariant()));
            Assert.Equal(s, Symbol.FromPacked(s.Packed));
            Assert.Equal(code * 4 + (int)exchange, s.Packed);
        });
    }

    [Property(MaxTest = 500)]
    public Property Symbol_order_is_code_order()
    {
        return Prop.ForAll(BoardCode().Zip(BoardCode()).ToArbitrary(), t =>
        {
            var a = Symbol.Create(t.Item1.Code, t.Item1.Exchange);
            var b = Symbol.Create(t.Item2.Code, t.Item2.Exchange);
            Assert.Equal(Math.Sign(t.Item1.Code.CompareTo(t.Item2.Code)), Math.Sign(a.CompareTo(b)));
            Assert.Equal(t.Item1.Code == t.Item2.Code, a == b);
        });
    }

    // ---- calendar -------------------------------------------------------------------------------------------------

    [Property(MaxTest = 500)]
    public Property Calendar_lookups_match_a_linear_scan()
    {
        var start = new DateOnly(2024, 1, 1);
        var gen =
            from offsets in Gen.ListOf(Gen.Choose(0, 59))
            from query in Gen.Choose(-5, 65)
            from span in Gen.Choose(-3, 20)
            select (offsets.ToArray(), query, span);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (offsets, q, span) = t;
            var days = offsets.Select(o => start.AddDays(o)).ToArray();   // unsorted, with duplicates
            var cal = new TradingCalendar(days);
            var date = start.AddDays(q);
            var set = days.Distinct().OrderBy(d => d).ToList();

            Assert.Equal(set, cal.Days);
            Assert.Equal(set.Contains(date), cal.IsTradingDay(date));
            Assert.Equal(set.IndexOf(date), cal.IndexOf(date));
            Assert.Equal(set.Where(d => d > date).Select(d => (DateOnly?)d).FirstOrDefault(), cal.Next(date));
            Assert.Equal(set.Where(d => d < date).Select(d => (DateOnly?)d).LastOrDefault(), cal.Previous(date));
            var to = date.AddDays(span);
            Assert.Equal(set.Where(d => d >= date && d <= to).ToArray(), cal.Between(date, to).ToArray());
        });
    }
}
