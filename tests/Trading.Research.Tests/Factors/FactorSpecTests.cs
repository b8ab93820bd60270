using Trading.Data.Panel;
using Trading.Research.Factors;

namespace Trading.Research.Tests.Factors;

public class FactorSpecTests
{
    [Theory]
    [InlineData("size", "size")]
    [InlineData("  size  ", "size")]
    [InlineData("size()", "size")]
    [InlineData("momentum(lookback=60)", "momentum(lookback=60)")]
    [InlineData(" momentum ( lookback = 250 , skip = 20 ) ", "momentum(lookback=250,skip=20)")]
    [InlineData("winsor(p=0.01,k=-3)", "winsor(p=0.01,k=-3)")]
    public void Parses_names_and_parameters(string text, string canonical)
    {
        Assert.Equal(canonical, FactorSpec.Parse(text).ToString());
    }

    [Fact]
    public void Keeps_parameters_in_order_as_text()
    {
        var spec = FactorSpec.Parse("momentum(skip=20, lookback=250)");
        Assert.Equal("momentum", spec.Name);
        Assert.Equal([new FactorParameter("skip", "20"), new FactorParameter("lookback", "250")], spec.Parameters);
        Assert.True(spec.TryGet("lookback", out var v));
        Assert.Equal("250", v);
        Assert.False(spec.TryGet("other", out _));
    }

    [Theory]
    [InlineData("", "expected a factor name")]
    [InlineData("(lookback=5)", "expected a factor name")]
    [InlineData("5day", "expected a factor name")]
    [InlineData("momentum(lookback=)", "parameter 'lookback' has no value")]
    [InlineData("momentum(lookback=5", "missing ')'")]
    [InlineData("momentum(lookback 5)", "expected '=' after parameter 'lookback'")]
    [InlineData("momentum(lookback=5,)", "expected a parameter name")]
    [InlineData("momentum(lookback=5;skip=1)", "expected ',' or ')'")]
    [InlineData("momentum(lookback=5,lookback=6)", "parameter 'lookback' is given twice")]
    [InlineData("momentum(lookback=5) x", "unexpected text after the spec")]
    [InlineData("momentum lookback", "unexpected text after the spec")]
    public void Rejects_bad_syntax_quoting_the_text(string text, string why)
    {
        var e = Assert.Throws<FormatException>(() => FactorSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(why, e.Message);
    }
}

public class FactorRegistryTests
{
    [Fact]
    public void Every_library_factor_is_registered_and_its_name_round_trips()
    {
        var registry = FactorRegistry.Default;
        Assert.Equal(
            ["custom", "growth_profit", "growth_revenue", "leverage", "liquidity", "ma_deviation", "momentum", "momentum_12_1", "net_margin", "quality_roe",
             "reversal", "size", "turnover", "value_bp", "value_ep", "volatility"],
            registry.Names);
        foreach (var name in registry.Names)
        {
            var factor = registry.Create(CustomFactorExample.Spec(name));
            Assert.Equal(factor.Name, registry.Create(factor.Name).Name);
        }
    }

    [Fact]
    public void Defaults_fill_parameters_not_given()
    {
        var r = FactorRegistry.Default;
        Assert.Equal("momentum(lookback=60,skip=0)", r.Create("momentum").Name);
        Assert.Equal("momentum(lookback=120,skip=5)", r.Create("momentum(skip=5, lookback=120)").Name);
        Assert.Equal("reversal(lookback=5)", r.Create("reversal").Name);
        Assert.Equal("volatility(lookback=20)", r.Create("volatility").Name);
        Assert.Equal("liquidity(lookback=20)", r.Create("liquidity").Name);
        Assert.Equal("turnover(lookback=20)", r.Create("turnover").Name);
        Assert.Equal("ma_deviation(lookback=10)", r.Create("ma_deviation(lookback=10)").Name);
        Assert.Equal(60, r.Create("momentum").WarmupDays);
    }

    [Fact]
    public void An_unknown_factor_is_an_error_listing_the_known_ones()
    {
        var e = Assert.Throws<FormatException>(() => FactorRegistry.Default.Create("momentun(lookback=5)"));
        Assert.Contains("'momentun(lookback=5)'", e.Message);
        Assert.Contains("unknown factor 'momentun'", e.Message);
        Assert.Contains("momentum, momentum_12_1, net_margin, quality_roe", e.Message);
    }

    [Theory]
    [InlineData("momentum(lookbak=5)", "unknown parameter 'lookbak' for factor 'momentum' (its parameters: lookback, skip)")]
    [InlineData("size(window=5)", "unknown parameter 'window' for factor 'size' (it takes no parameters)")]
    [InlineData("momentum_12_1(skip=1)", "unknown parameter 'skip'")]
    [InlineData("momentum(lookback=6.5)", "parameter 'lookback' must be a whole number, got '6.5'")]
    [InlineData("momentum(lookback=0)", "parameter 'lookback' must be at least 1, got 0")]
    [InlineData("momentum(lookback=5,skip=5)", "The lookback must exceed the skip (5)")]
    [InlineData("volatility(lookback=1)", "parameter 'lookback' must be at least 2, got 1")]
    public void Bad_parameters_are_errors_quoting_the_spec(string spec, string why)
    {
        var e = Assert.Throws<FormatException>(() => FactorRegistry.Default.Create(spec));
        Assert.Contains($"'{spec}'", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void A_new_factor_is_one_class_and_one_registration()
    {
        var registry = FactorRegistry.CreateDefault()
            .Register("close_level", a => new CloseLevel(a.Double("scale", 1.0, min: 0)));
        var factor = registry.Create("close_level(scale=2)");
        Assert.Equal("close_level(scale=2)", factor.Name);
        var panel = TinyMarket.Panel();
        Assert.Equal(24.2, FactorEngine.Compute(panel, factor)[5, panel.SymbolIndex(TinyMarket.A)], 12);
        Assert.Throws<ArgumentException>(() => registry.Register("close_level", _ => new Size()));
        Assert.Throws<ArgumentException>(() => registry.Register("bad name", _ => new Size()));
        Assert.DoesNotContain("close_level", FactorRegistry.Default.Names);
    }

    private sealed class CloseLevel(double scale) : IFactor
    {
        public string Name => $"close_level(scale={scale})";
        public int WarmupDays => 0;
        public FactorAvailability Availability(MarketPanel panel) => FactorAvailability.Yes;
        public void Compute(in PointInTimeView view, Span<double> output)
        {
            for (int s = 0; s < output.Length; s++) output[s] = view.Close(s)[view.Day] * scale;
        }
    }
}
