namespace Trading.Domain.Instruments;

/// <summary>Stock exchange of an A-share listing.</summary>
public enum Exchange : byte
{
    /// <summary>Shanghai Stock Exchange (suffix .SH; PTrade writes .SS).</summary>
    SH = 1,
    /// <summary>Shenzhen Stock Exchange (suffix .SZ).</summary>
    SZ = 2,
    /// <summary>Beijing Stock Exchange (suffix .BJ).</summary>
    BJ = 3,
}

/// <summary>
/// An A-share security: a six-digit code and its exchange. The canonical text form is TuShare's and xtquant's
/// <c>600000.SH</c>. Stored as one int (code × 4 + exchange) so that it sorts and hashes fast in panels.
/// </summary>
public readonly record struct Symbol : IComparable<Symbol>
{
    private readonly int _packed;

    private Symbol(int code, Exchange exchange) => _packed = code * 4 + (int)exchange;

    /// <summary>The six-digit code as a number, e.g. 600000.</summary>
    public int Code => _packed >> 2;

    public Exchange Exchange => (Exchange)(_packed & 3);

    /// <summary>The board, from the code prefix (A_SHARE_RULES.md §1.1).</summary>
    public Board Board => Boards.Of(Code, Exchange);

    /// <summary>A value that orders and identifies symbols; usable as a dense sort key.</summary>
    public int Packed => _packed;

    public static Symbol FromPacked(int packed) => Create(packed >> 2, (Exchange)(packed & 3));

    public static Symbol Create(int code, Exchange exchange)
    {
        if (code is < 0 or > 999_999)
            throw new ArgumentOutOfRangeException(nameof(code), code, "A-share codes have six digits.");
        if (!Enum.IsDefined(exchange))
            throw new ArgumentOutOfRangeException(nameof(exchange), exchange, "Unknown exchange.");
        if (!Boards.TryOf(code, exchange, out _))
            throw new FormatException($"'{code:D6}.{exchange}' is not an A-share code of {exchange}.");
        return new Symbol(code, exchange);
    }

    /// <summary>
    /// Parses <c>600000.SH</c>, <c>000001.SZ</c>, <c>830799.BJ</c>, <c>SH600000</c>, <c>sh600000</c>, a bare
    /// <c>600000</c> (exchange inferred from the code) and PTrade's <c>600000.SS</c>.
    /// </summary>
    public static Symbol Parse(string text)
    {
        if (TryParse(text, out var symbol, out var error)) return symbol;
        throw new FormatException(error);
    }

    public static bool TryParse(string? text, out Symbol symbol) => TryParse(text, out symbol, out _);

    public static bool TryParse(ReadOnlySpan<char> text, out Symbol symbol, out string error)
    {
        symbol = default;
        var s = text.Trim();
        ReadOnlySpan<char> digits;
        Exchange? exchange = null;
        if (s.Length == 9 && s[6] == '.')
        {
            digits = s[..6];
            exchange = ParseExchange(s[7..]);
            if (exchange is null)
            {
                error = $"Symbol '{text.ToString()}' has an unknown exchange suffix '{s[7..].ToString()}' (expected .SH, .SZ, .BJ or .SS).";
                return false;
            }
        }
        else if (s.Length == 8 && char.IsLetter(s[0]) && char.IsLetter(s[1]))
        {
            exchange = ParseExchange(s[..2]);
            digits = s[2..];
            if (exchange is null || s[..2].Equals("SS", StringComparison.OrdinalIgnoreCase))
            {
                error = $"Symbol '{text.ToString()}' has an unknown exchange prefix '{s[..2].ToString()}' (expected SH, SZ or BJ).";
                return false;
            }
        }
        else if (s.Length == 6)
        {
            digits = s;
        }
        else
        {
            error = $"Symbol '{text.ToString()}' is not an A-share code: expected forms are 600000.SH, SH600000, 600000 or 600000.SS.";
            return false;
        }

        int code = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                error = $"Symbol '{text.ToString()}' must have six digits in its code.";
                return false;
            }
            code = code * 10 + (c - '0');
        }

        if (exchange is null)
        {
            var inferred = Boards.InferExchange(code);
            if (inferred is null)
            {
                error = $"Symbol '{text.ToString()}': cannot infer the exchange of code {code:D6}; no A-share board uses prefix {code / 1000:D3}.";
                return false;
            }
            exchange = inferred.Value;
        }

        if (!Boards.TryOf(code, exchange.Value, out _))
        {
            error = $"Symbol '{text.ToString()}': code {code:D6} is not an A-share code on {exchange.Value}.";
            return false;
        }

        symbol = new Symbol(code, exchange.Value);
        error = "";
        return true;
    }

    private static Exchange? ParseExchange(ReadOnlySpan<char> s)
    {
        if (s.Length != 2) return null;
        if (s.Equals("SH", StringComparison.OrdinalIgnoreCase) || s.Equals("SS", StringComparison.OrdinalIgnoreCase)) return Exchange.SH;
        if (s.Equals("SZ", StringComparison.OrdinalIgnoreCase)) return Exchange.SZ;
        if (s.Equals("BJ", StringComparison.OrdinalIgnoreCase)) return Exchange.BJ;
        return null;
    }

    /// <summary>The canonical form, <c>600000.SH</c>.</summary>
    public override string ToString() => $"{Code:D6}.{Exchange}";

    /// <summary>PTrade's spelling: Shanghai as <c>.SS</c> (A_SHARE_RULES.md §3).</summary>
    public string ToPTrade() => Exchange == Exchange.SH ? $"{Code:D6}.SS" : ToString();

    public int CompareTo(Symbol other) => _packed.CompareTo(other._packed);
}
