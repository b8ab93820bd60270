using Trading.Domain.Positions;

namespace Trading.Domain.Tests;

public class HoldingTests
{
    [Fact]
    public void A_buy_is_held_but_not_sellable_the_same_day()
    {
        var h = Holding.Empty.Buy(300);

        Assert.Equal(300, h.Quantity);
        Assert.Equal(0, h.Sellable);
        Assert.Equal(300, h.BoughtToday);
    }

    [Fact]
    public void Selling_todays_buy_raises_a_T_plus_1_error()
    {
        var h = Holding.Empty.Buy(300);

        var ex = Assert.Throws<InvalidOperationException>(() => h.Sell(100));
        Assert.Contains("T+1", ex.Message);
        Assert.Contains("only 0 of 300", ex.Message);
    }

    [Fact]
    public void After_rolling_to_the_next_day_the_buy_is_sellable()
    {
        var h = Holding.Empty.Buy(300).RollToNextDay();

        Assert.Equal(new Holding(300, 300), h);
        Assert.Equal(0, h.BoughtToday);
        Assert.Equal(new Holding(200, 200), h.Sell(100));
        Assert.Equal(Holding.Empty, h.Sell(300));
    }

    [Fact]
    public void Old_shares_stay_sellable_while_new_buys_wait()
    {
        var h = new Holding(1_000, 1_000).Buy(500);

        Assert.Equal(new Holding(1_500, 1_000), h);
        Assert.Equal(500, h.BoughtToday);

        var afterSell = h.Sell(1_000);
        Assert.Equal(new Holding(500, 0), afterSell);
        Assert.Throws<InvalidOperationException>(() => afterSell.Sell(1));

        Assert.Equal(new Holding(500, 500), afterSell.RollToNextDay());
    }

    [Fact]
    public void Partial_sells_across_days()
    {
        var day1 = Holding.Empty.Buy(1_000).Buy(250);           // two fills today
        Assert.Equal(new Holding(1_250, 0), day1);

        var day2 = day1.RollToNextDay().Sell(200).Sell(50);     // sell a lot, then the odd lot
        Assert.Equal(new Holding(1_000, 1_000), day2);

        var day2b = day2.Buy(100).Sell(600);
        Assert.Equal(new Holding(500, 400), day2b);
        Assert.Throws<InvalidOperationException>(() => day2b.Sell(401));
        Assert.Equal(new Holding(100, 0), day2b.Sell(400));

        Assert.Equal(new Holding(500, 500), day2b.RollToNextDay());
    }

    [Fact]
    public void Operations_do_not_change_the_original()
    {
        var h = new Holding(100, 100);
        _ = h.Buy(100);
        _ = h.Sell(100);
        _ = h.Split(2m);
        Assert.Equal(new Holding(100, 100), h);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    public void Non_positive_fills_are_rejected(long quantity)
    {
        var h = new Holding(500, 500);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Buy(quantity));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Sell(quantity));
    }

    [Fact]
    public void Selling_more_than_held_is_rejected()
    {
        Assert.Throws<InvalidOperationException>(() => new Holding(500, 500).Sell(600));
        Assert.Throws<InvalidOperationException>(() => Holding.Empty.Sell(100));
    }

    [Theory]
    [InlineData(1_000, 600, "1.5", 1_500, 900)]
    [InlineData(1_000, 1_000, "2", 2_000, 2_000)]
    [InlineData(1_000, 333, "1.3", 1_300, 432)]    // 432.9 floors to 432
    [InlineData(1_050, 1_050, "1.2", 1_260, 1_260)]
    [InlineData(1_001, 1_001, "0.5", 500, 500)]    // reverse split: 500.5 floors to 500
    [InlineData(155, 0, "1.1", 170, 0)]            // 170.5 floors to 170; nothing sellable stays so
    [InlineData(0, 0, "3", 0, 0)]
    public void Split_scales_held_and_sellable_alike_rounding_down(long quantity, long sellable, string ratio, long newQuantity, long newSellable)
    {
        var split = new Holding(quantity, sellable).Split(TestValues.M(ratio));

        Assert.Equal(new Holding(newQuantity, newSellable), split);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void Split_rejects_non_positive_ratios(string ratio)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Holding(100, 100).Split(TestValues.M(ratio)));
    }
}
