using Trading.Domain.Instruments;

namespace Trading.Domain.Tests;

public class BoardTests
{
    // A_SHARE_RULES.md §1.1: the code prefix decides the board.
    [Theory]
    [InlineData(600000, Exchange.SH, Board.ShanghaiMain)]
    [InlineData(600999, Exchange.SH, Board.ShanghaiMain)]
    [InlineData(601398, Exchange.SH, Board.ShanghaiMain)]
    [InlineData(603288, Exchange.SH, Board.ShanghaiMain)]
    [InlineData(605499, Exchange.SH, Board.ShanghaiMain)]
    [InlineData(1, Exchange.SZ, Board.ShenzhenMain)]
    [InlineData(1979, Exchange.SZ, Board.ShenzhenMain)]
    [InlineData(2594, Exchange.SZ, Board.ShenzhenMain)]
    [InlineData(3816, Exchange.SZ, Board.ShenzhenMain)]
    [InlineData(300750, Exchange.SZ, Board.ChiNext)]
    [InlineData(301269, Exchange.SZ, Board.ChiNext)]
    [InlineData(302132, Exchange.SZ, Board.ChiNext)] // 302 added for ChiNext codes issued from 2025 (commit ec214eb)
    [InlineData(688981, Exchange.SH, Board.Star)]
    [InlineData(689009, Exchange.SH, Board.Star)]
    [InlineData(830799, Exchange.BJ, Board.Bse)]
    [InlineData(871981, Exchange.BJ, Board.Bse)]
    [InlineData(800000, Exchange.BJ, Board.Bse)]
    [InlineData(899999, Exchange.BJ, Board.Bse)]
    [InlineData(430047, Exchange.BJ, Board.Bse)]
    [InlineData(400000, Exchange.BJ, Board.Bse)]
    [InlineData(920001, Exchange.BJ, Board.Bse)]
    [InlineData(920999, Exchange.BJ, Board.Bse)]
    public void Code_prefix_decides_the_board(int code, Exchange exchange, Board board)
    {
        Assert.True(Boards.TryOf(code, exchange, out var found));
        Assert.Equal(board, found);
        Assert.Equal(board, Boards.Of(code, exchange));
        Assert.Equal(exchange, Boards.InferExchange(code));
        Assert.Equal(board, Symbol.Create(code, exchange).Board);
    }

    [Theory]
    [InlineData(900001, Exchange.SH)] // SSE B share
    [InlineData(200002, Exchange.SZ)] // SZSE B share
    [InlineData(510300, Exchange.SH)] // ETF
    [InlineData(159915, Exchange.SZ)] // ETF
    [InlineData(399001, Exchange.SZ)] // index
    [InlineData(599999, Exchange.SH)]
    [InlineData(602000, Exchange.SH)]
    [InlineData(604000, Exchange.SH)]
    [InlineData(606000, Exchange.SH)]
    [InlineData(687999, Exchange.SH)]
    [InlineData(690000, Exchange.SH)]
    [InlineData(4000, Exchange.SZ)]
    [InlineData(299999, Exchange.SZ)]
    [InlineData(303000, Exchange.SZ)]
    [InlineData(600000, Exchange.SZ)]
    [InlineData(300750, Exchange.SH)]
    [InlineData(688981, Exchange.BJ)]
    [InlineData(830799, Exchange.SH)]
    [InlineData(830799, Exchange.SZ)]
    [InlineData(920001, Exchange.SH)]
    [InlineData(919999, Exchange.BJ)]
    [InlineData(921000, Exchange.BJ)]
    [InlineData(399999, Exchange.BJ)]
    [InlineData(500000, Exchange.BJ)]
    public void Codes_outside_the_board_table_are_rejected(int code, Exchange exchange)
    {
        Assert.False(Boards.TryOf(code, exchange, out _));
        var ex = Assert.Throws<FormatException>(() => Boards.Of(code, exchange));
        Assert.Contains($"'{code:D6}.{exchange}'", ex.Message);
    }

    [Theory]
    [InlineData(900001)]
    [InlineData(200002)]
    [InlineData(510300)]
    [InlineData(100000)]
    [InlineData(700000)]
    [InlineData(999999)]
    public void No_exchange_is_inferred_for_codes_no_board_uses(int code)
    {
        Assert.Null(Boards.InferExchange(code));
    }

    [Theory]
    [InlineData(Board.ShanghaiMain, "SSE main")]
    [InlineData(Board.ShenzhenMain, "SZSE main")]
    [InlineData(Board.ChiNext, "ChiNext")]
    [InlineData(Board.Star, "STAR")]
    [InlineData(Board.Bse, "BSE")]
    public void Display_names(Board board, string name)
    {
        Assert.Equal(name, board.DisplayName());
    }
}
