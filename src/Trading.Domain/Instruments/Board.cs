namespace Trading.Domain.Instruments;

/// <summary>A-share boards, each with its own lot, limit and order-size rules (A_SHARE_RULES.md §1.1).</summary>
public enum Board : byte
{
    /// <summary>SSE main board: 600, 601, 603, 605.</summary>
    ShanghaiMain = 1,
    /// <summary>SZSE main board: 000, 001, 002 (former SME board), 003.</summary>
    ShenzhenMain = 2,
    /// <summary>ChiNext (创业板): 300, 301, and 302 (codes issued from 2025).</summary>
    ChiNext = 3,
    /// <summary>STAR market (科创板): 688, 689 (689 = CDR).</summary>
    Star = 4,
    /// <summary>Beijing Stock Exchange: 8xxxxx, legacy 4xxxxx, 920xxx for listings since 2024-10.</summary>
    Bse = 5,
}

public static class Boards
{
    /// <summary>The board of a code on an exchange; throws for codes no A-share board uses.</summary>
    public static Board Of(int code, Exchange exchange) =>
        TryOf(code, exchange, out var board)
            ? board
            : throw new FormatException($"'{code:D6}.{exchange}' is not an A-share stock code.");

    public static bool TryOf(int code, Exchange exchange, out Board board)
    {
        int p3 = code / 1000;
        board = exchange switch
        {
            Exchange.SH when p3 is 600 or 601 or 603 or 605 => Board.ShanghaiMain,
            Exchange.SH when p3 is 688 or 689 => Board.Star,
            Exchange.SZ when p3 is 0 or 1 or 2 or 3 => Board.ShenzhenMain,
            Exchange.SZ when p3 is 300 or 301 or 302 => Board.ChiNext,
            Exchange.BJ when code / 100_000 is 8 or 4 || p3 == 920 => Board.Bse,
            _ => 0,
        };
        return board != 0;
    }

    /// <summary>The exchange a bare six-digit code belongs to, or null when no A-share board uses its prefix.</summary>
    public static Exchange? InferExchange(int code)
    {
        foreach (var exchange in (ReadOnlySpan<Exchange>)[Exchange.SH, Exchange.SZ, Exchange.BJ])
            if (TryOf(code, exchange, out _)) return exchange;
        return null;
    }

    /// <summary>Readable name for reports.</summary>
    public static string DisplayName(this Board board) => board switch
    {
        Board.ShanghaiMain => "SSE main",
        Board.ShenzhenMain => "SZSE main",
        Board.ChiNext => "ChiNext",
        Board.Star => "STAR",
        Board.Bse => "BSE",
        _ => board.ToString(),
    };
}
