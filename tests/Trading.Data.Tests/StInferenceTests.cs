using Trading.Data.Enrichment;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;
using E = Trading.Data.Enrichment.StInference.Evidence;

namespace Trading.Data.Tests;

public class StInferenceTests
{
    private static E[] Days(string pattern) => pattern.Select(c => c switch { 'N' => E.NotSt, 'S' => E.St, _ => E.None }).ToArray();
    private static string Path(bool[] p) => new(p.Select(x => x ? '1' : '0').ToArray());

    [Theory]
    // No evidence: the name decides.
    [InlineData("..........", true, "1111111111")]
    [InlineData("..........", false, "0000000000")]
    // A single limit close is not enough to believe a spell (2 switches cost 8).
    [InlineData("....S.....", false, "0000000000")]
    // A lone proof inside an ST name's history is a day out of the spell; a proof followed by limit closes is not.
    [InlineData("SSSSN.....", true, "1111011111")]
    // Under an ST name the spell starts right after the last proof of a wider band.
    [InlineData("NNNN....SSSSS", true, "0000111111111")]
    // Limit closes all through the window of a non-ST name: a spell that must still end before today.
    [InlineData("SSSSSSSSSS", false, "1111111111")]
    [InlineData("NN..SSSSSSSSS..NN", false, "00001111111110000")]
    // One stray limit close among proofs stays normal.
    [InlineData("NNNSNNN", false, "0000000")]
    public void Viterbi_path_picks_the_cheapest_spells(string evidence, bool stToday, string expected)
    {
        Assert.Equal(expected, Path(StInference.MostLikelyPath(Days(evidence), stToday)));
    }

    [Theory]
    // pre 10.00: ST band [9.50, 10.50]
    [InlineData("10.00", "10.60", "9.90", "10.20", E.NotSt)]
    [InlineData("10.00", "10.20", "9.40", "9.60", E.NotSt)]
    [InlineData("10.00", "10.50", "10.00", "10.50", E.St)]
    [InlineData("10.00", "10.00", "9.50", "9.50", E.St)]
    [InlineData("10.00", "10.40", "9.60", "10.00", E.None)]
    public void Evidence_of_a_main_board_day(string pre, string high, string low, string close, E expected)
    {
        var e = StInference.Classify(MarketRules.Default, Board.ShenzhenMain, new DateOnly(2024, 5, 6),
            decimal.Parse(pre), decimal.Parse(high), decimal.Parse(low), decimal.Parse(close));
        Assert.Equal(expected, e);
    }

    [Fact]
    public void Boards_whose_st_band_equals_the_normal_band_give_no_evidence()
    {
        Assert.Equal(E.None, StInference.Classify(MarketRules.Default, Board.Star, new DateOnly(2024, 5, 6), 10m, 11.5m, 9m, 10.5m));
        // Main board after the (unverified) 2025-07-07 change: ST band = 10% = normal band.
        Assert.Equal(E.None, StInference.Classify(MarketRules.Default, Board.ShanghaiMain, new DateOnly(2025, 8, 1), 10m, 10.8m, 9m, 10.5m));
    }

    [Fact]
    public void Spells_close_at_the_last_st_day_or_stay_open_for_an_st_name()
    {
        var dates = Enumerable.Range(0, 5).Select(i => new DateOnly(2024, 1, 2).AddDays(i)).ToArray();
        var spells = StInference.Spells(dates, [false, true, true, false, true], stToday: true);
        Assert.Equal(2, spells.Count);
        Assert.Equal((dates[1], (DateOnly?)dates[2]), (spells[0].From, spells[0].To));
        Assert.Equal((dates[4], (DateOnly?)null), (spells[1].From, spells[1].To));
    }
}
