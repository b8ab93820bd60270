using Trading.Domain.Instruments;

namespace Trading.Domain.Tests;

public class SymbolTests
{
    [Theory]
    [InlineData("600000.SH", 600000, Exchange.SH, Board.ShanghaiMain)]
    [InlineData("601398.SH", 601398, Exchange.SH, Board.ShanghaiMain)]
    [InlineData("000001.SZ", 1, Exchange.SZ, Board.ShenzhenMain)]
    [InlineData("002594.SZ", 2594, Exchange.SZ, Board.ShenzhenMain)]
    [InlineData("300750.SZ", 300750, Exchange.SZ, Board.ChiNext)]
    [InlineData("688981.SH", 688981, Exchange.SH, Board.Star)]
    [InlineData("689009.SH", 689009, Exchange.SH, Board.Star)]
    [InlineData("830799.BJ", 830799, Exchange.BJ, Board.Bse)]
    [InlineData("920001.BJ", 920001, Exchange.BJ, Board.Bse)]
    [InlineData("430047.BJ", 430047, Exchange.BJ, Board.Bse)]
    public void Parses_the_canonical_form_and_prints_it_back(string text, int code, Exchange exchange, Board board)
    {
        var s = Symbol.Parse(text);

        Assert.Equal(code, s.Code);
        Assert.Equal(exchange, s.Exchange);
        Assert.Equal(board, s.Board);
        Assert.Equal(text, s.ToString());
    }

    [Theory]
    [InlineData("SH600000", "600000.SH")]
    [InlineData("sh600000", "600000.SH")]
    [InlineData("Sh600000", "600000.SH")]
    [InlineData("SZ000001", "000001.SZ")]
    [InlineData("sz300750", "300750.SZ")]
    [InlineData("BJ830799", "830799.BJ")]
    [InlineData("bj920001", "920001.BJ")]
    [InlineData("600000.sh", "600000.SH")]
    [InlineData("000001.sz", "000001.SZ")]
    [InlineData("830799.bj", "830799.BJ")]
    [InlineData("600000.SS", "600000.SH")]
    [InlineData("688981.ss", "688981.SH")]
    [InlineData(" 600000.SH ", "600000.SH")]
    [InlineData("\t000001.SZ\n", "000001.SZ")]
    public void Accepts_prefixed_lower_case_PTrade_and_padded_forms(string text, string canonical)
    {
        Assert.Equal(canonical, Symbol.Parse(text).ToString());
    }

    [Theory]
    [InlineData("600000", "600000.SH")]
    [InlineData("601398", "601398.SH")]
    [InlineData("603288", "603288.SH")]
    [InlineData("605499", "605499.SH")]
    [InlineData("688981", "688981.SH")]
    [InlineData("689009", "689009.SH")]
    [InlineData("000001", "000001.SZ")]
    [InlineData("001979", "001979.SZ")]
    [InlineData("002594", "002594.SZ")]
    [InlineData("003816", "003816.SZ")]
    [InlineData("300750", "300750.SZ")]
    [InlineData("301269", "301269.SZ")]
    [InlineData("302132", "302132.SZ")]
    [InlineData("830799", "830799.BJ")]
    [InlineData("871981", "871981.BJ")]
    [InlineData("430047", "430047.BJ")]
    [InlineData("920001", "920001.BJ")]
    public void Infers_the_exchange_of_a_bare_code(string text, string canonical)
    {
        Assert.Equal(canonical, Symbol.Parse(text).ToString());
    }

    [Theory]
    [InlineData("600000.SH", "600000.SS")]
    [InlineData("688981.SH", "688981.SS")]
    [InlineData("000001.SZ", "000001.SZ")]
    [InlineData("300750.SZ", "300750.SZ")]
    [InlineData("830799.BJ", "830799.BJ")]
    public void ToPTrade_writes_Shanghai_as_SS(string text, string ptrade)
    {
        var s = Symbol.Parse(text);

        Assert.Equal(ptrade, s.ToPTrade());
        Assert.Equal(s, Symbol.Parse(s.ToPTrade()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("60000")]
    [InlineData("6000000")]
    [InlineData("600000.XX")]
    [InlineData("600000.S")]
    [InlineData("600000SH")]
    [InlineData("ABCDEF")]
    [InlineData("60000A")]
    [InlineData("60000A.SH")]
    [InlineData("900001")]
    [InlineData("900001.SH")]
    [InlineData("200002")]
    [InlineData("510300")]
    [InlineData("100000")]
    [InlineData("600000.SZ")]
    [InlineData("000001.SH")]
    [InlineData("300750.SH")]
    [InlineData("688981.SZ")]
    [InlineData("830799.SH")]
    [InlineData("600000.BJ")]
    [InlineData("000001.SS")]
    [InlineData("SS600000")]
    [InlineData("XX600000")]
    [InlineData("SZ600000")]
    [InlineData("sh.600000")]
    public void Rejects_garbage_with_a_FormatException_quoting_the_input(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Symbol.Parse(text));
        Assert.Contains($"'{text}'", ex.Message);

        Assert.False(Symbol.TryParse(text, out var symbol));
        Assert.Equal(default, symbol);
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(Symbol.TryParse((string?)null, out var symbol));
        Assert.Equal(default, symbol);
    }

    [Fact]
    public void TryParse_reports_the_error_text()
    {
        Assert.False(Symbol.TryParse("600000.XX".AsSpan(), out _, out var error));
        Assert.Contains("'600000.XX'", error);
        Assert.Contains("'XX'", error);

        Assert.True(Symbol.TryParse("600000.SH".AsSpan(), out var ok, out var none));
        Assert.Equal("", none);
        Assert.Equal(600000, ok.Code);
    }

    [Theory]
    [InlineData(600000, Exchange.SH, "600000.SH")]
    [InlineData(1, Exchange.SZ, "000001.SZ")]
    [InlineData(920001, Exchange.BJ, "920001.BJ")]
    public void Create_builds_the_same_symbol_as_Parse(int code, Exchange exchange, string text)
    {
        var created = Symbol.Create(code, exchange);

        Assert.Equal(Symbol.Parse(text), created);
        Assert.Equal(text, created.ToString());
    }

    [Theory]
    [InlineData(-1, Exchange.SH)]
    [InlineData(1_000_000, Exchange.SH)]
    [InlineData(600000, (Exchange)0)]
    [InlineData(600000, (Exchange)4)]
    public void Create_rejects_out_of_range_codes_and_exchanges(int code, Exchange exchange)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Symbol.Create(code, exchange));
    }

    [Fact]
    public void Create_rejects_a_code_of_another_exchange_quoting_it()
    {
        var ex = Assert.Throws<FormatException>(() => Symbol.Create(600000, Exchange.SZ));
        Assert.Contains("'600000.SZ'", ex.Message);
    }

    [Theory]
    [InlineData("600000.SH", 2_400_001)]   // 600000 * 4 + 1
    [InlineData("000001.SZ", 6)]           // 1 * 4 + 2
    [InlineData("300750.SZ", 1_203_002)]   // 300750 * 4 + 2
    [InlineData("688981.SH", 2_755_925)]   // 688981 * 4 + 1
    [InlineData("830799.BJ", 3_323_199)]   // 830799 * 4 + 3
    [InlineData("920001.BJ", 3_680_007)]   // 920001 * 4 + 3
    public void Packed_is_code_times_four_plus_exchange_and_round_trips(string text, int packed)
    {
        var s = Symbol.Parse(text);

        Assert.Equal(packed, s.Packed);
        Assert.Equal(s, Symbol.FromPacked(packed));
        Assert.Equal(text, Symbol.FromPacked(packed).ToString());
    }

    [Fact]
    public void FromPacked_rejects_values_that_are_no_symbol()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Symbol.FromPacked(0));            // exchange 0
        Assert.Throws<FormatException>(() => Symbol.FromPacked(600000 * 4 + 2));           // 600000.SZ
        Assert.Throws<FormatException>(() => Symbol.FromPacked(900001 * 4 + 1));           // B share
    }

    [Fact]
    public void Sorting_orders_by_code_then_exchange()
    {
        var symbols = new[] { "830799.BJ", "600000.SH", "000002.SZ", "688981.SH", "300750.SZ", "000001.SZ", "430047.BJ", "920001.BJ" }
            .Select(Symbol.Parse)
            .ToList();

        symbols.Sort();

        Assert.Equal(
            ["000001.SZ", "000002.SZ", "300750.SZ", "430047.BJ", "600000.SH", "688981.SH", "830799.BJ", "920001.BJ"],
            symbols.Select(s => s.ToString()).ToArray());
    }

    [Theory]
    [InlineData("000001.SZ", "000002.SZ", -1)]
    [InlineData("600000.SH", "000001.SZ", 1)]
    [InlineData("600000.SH", "SH600000", 0)]
    [InlineData("830799.BJ", "920001.BJ", -1)]
    public void CompareTo_has_the_expected_sign(string a, string b, int sign)
    {
        Assert.Equal(sign, Math.Sign(Symbol.Parse(a).CompareTo(Symbol.Parse(b))));
    }

    [Fact]
    public void Equal_whatever_the_spelling()
    {
        var canonical = Symbol.Parse("600000.SH");
        var forms = new[] { "SH600000", "sh600000", "600000", "600000.SS", " 600000.sh " }.Select(Symbol.Parse).ToArray();

        foreach (var s in forms)
        {
            Assert.Equal(canonical, s);
            Assert.True(canonical == s);
            Assert.Equal(canonical.GetHashCode(), s.GetHashCode());
        }
        Assert.Single(forms.Append(canonical).Distinct());
        Assert.NotEqual(canonical, Symbol.Parse("601398.SH"));
        Assert.True(canonical != Symbol.Parse("000001.SZ"));
    }
}
