using System.Globalization;
using Sylvan.Data.Csv;
using Trading.Data.Model;
using Trading.Data.Validation;
using Trading.Domain.Instruments;
using Trading.Domain.Rules;

namespace Trading.Data.Import;

/// <summary>
/// Column names and units of a daily-bar file. TuShare's <c>daily</c> gives vol in lots (手, 100 shares) and amount
/// in thousand CNY; the generic long CSV gives shares and CNY and has no pre_close.
/// </summary>
internal sealed record BarColumns(
    string Symbol, string Date, string Open, string High, string Low, string Close, string? PreClose,
    string Volume, double VolumeUnit, string Amount, double AmountUnit, string AdjFactor)
{
    public static readonly BarColumns TuShare = new("ts_code", "trade_date", "open", "high", "low", "close", "pre_close",
        "vol", 100, "amount", 1000, "adj_factor");

    public static readonly BarColumns Generic = new("symbol", "date", "open", "high", "low", "close", null,
        "volume", 1, "amount", 1, "adj_factor");
}

/// <summary>
/// Reads one daily-bar file row by row, validates each row and adds the good ones to the batch. Every rejected
/// row becomes an error naming file, line and column; odd but usable rows become warnings.
/// </summary>
internal sealed class BarFileReader
{
    /// <summary>Average price (amount / volume) may sit this far outside [low, high] before it is noted.</summary>
    private const double VwapTolerance = 0.01;

    private readonly ImportBatch _batch;
    private readonly BarColumns _columns;
    private readonly Dictionary<(int, int), double> _adjFactors;
    // Per symbol: last date seen and the order direction (+1 ascending, −1 descending, 0 unknown) in this input.
    private readonly Dictionary<int, (int LastDay, int Direction, long LastLine)> _order = [];
    private readonly Dictionary<(int, int), (string File, long Line)> _seen;

    public BarFileReader(ImportBatch batch, BarColumns columns, Dictionary<(int, int), double> adjFactors,
        Dictionary<(int, int), (string File, long Line)> seen)
    {
        _batch = batch;
        _columns = columns;
        _adjFactors = adjFactors;
        _seen = seen;
    }

    public void Read(string file, int fileIndex)
    {
        var name = Path.GetFileName(file);
        var stats = _batch.Report.File(name, _columns == BarColumns.TuShare ? "tushare daily" : "generic bars");
        using var text = InputFiles.Open(file, _batch.Report);
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',' });

        int Col(string? column, bool required)
        {
            if (column is null) return -1;
            for (int i = 0; i < csv.FieldCount; i++)
                if (InputFiles.NormalizeHeader(csv.GetName(i)) == column) return i;
            if (required)
                _batch.Report.Add(new ImportIssue(IssueSeverity.Error, IssueKind.MissingColumn, name, 1, column,
                    $"required column '{column}' is missing (header: {string.Join(",", Enumerable.Range(0, csv.FieldCount).Select(csv.GetName))})"));
            return -1;
        }

        var c = _columns;
        int iSym = Col(c.Symbol, true), iDate = Col(c.Date, true), iOpen = Col(c.Open, true), iHigh = Col(c.High, true),
            iLow = Col(c.Low, true), iClose = Col(c.Close, true), iVol = Col(c.Volume, true), iAmt = Col(c.Amount, true),
            iPre = Col(c.PreClose, false), iAdj = Col(c.AdjFactor, false);
        if (iSym < 0 || iDate < 0 || iOpen < 0 || iHigh < 0 || iLow < 0 || iClose < 0 || iVol < 0 || iAmt < 0)
        {
            while (csv.Read()) { stats.RowsRead++; stats.RowsRejected++; }
            return;
        }

        while (csv.Read())
        {
            long line = csv.RowNumber + 1;
            if (csv.RowFieldCount == 1 && csv.GetFieldSpan(0).IsWhiteSpace()) continue; // blank line
            stats.RowsRead++;
            if (ReadRow(csv, name, line, fileIndex, iSym, iDate, iOpen, iHigh, iLow, iClose, iPre, iVol, iAmt, iAdj))
                stats.RowsAccepted++;
            else
                stats.RowsRejected++;
        }
        stats.Encoding = text.EncodingName;
    }

    private bool ReadRow(CsvDataReader csv, string file, long line, int fileIndex, int iSym, int iDate, int iOpen, int iHigh,
        int iLow, int iClose, int iPre, int iVol, int iAmt, int iAdj)
    {
        var c = _columns;
        string? symbolText = null;
        DateOnly? date = null;

        bool Fail(IssueKind kind, string? column, string message)
        {
            _batch.Report.Add(new ImportIssue(IssueSeverity.Error, kind, file, line, column, message, symbolText, date));
            return false;
        }

        ReadOnlySpan<char> Field(int i) => i < csv.RowFieldCount ? csv.GetFieldSpan(i) : [];

        symbolText = Field(iSym).ToString();
        if (!Symbol.TryParse(symbolText, out var symbol, out var symbolError))
            return Fail(IssueKind.BadSymbol, c.Symbol, symbolError);
        symbolText = symbol.ToString();
        if (FieldParser.Date(Field(iDate), out var day) is { } df) return Fail(df.Kind, c.Date, df.Message);
        date = day;
        if (_batch.FutureDateProblem(day) is { } future) return Fail(IssueKind.FutureDate, c.Date, future);

        Span<decimal> prices = stackalloc decimal[4];
        ReadOnlySpan<int> priceCols = [iOpen, iHigh, iLow, iClose];
        ReadOnlySpan<string> priceNames = [c.Open, c.High, c.Low, c.Close];
        for (int k = 0; k < 4; k++)
            if (FieldParser.Price(Field(priceCols[k]), out prices[k]) is { } pf) return Fail(pf.Kind, priceNames[k], pf.Message);
        decimal open = prices[0], high = prices[1], low = prices[2], close = prices[3];

        decimal preClose = 0m;
        var flags = BarFlags.None;
        if (iPre >= 0 && !Field(iPre).IsWhiteSpace())
        {
            if (FieldParser.Price(Field(iPre), out preClose) is { } pcf) return Fail(pcf.Kind, c.PreClose, pcf.Message);
        }
        else flags |= BarFlags.DerivedPreClose;

        if (high < low) return Fail(IssueKind.InconsistentOhlc, c.High, $"high {high} is below low {low}");
        if (open < low || open > high) return Fail(IssueKind.InconsistentOhlc, c.Open, $"open {open} is outside [low {low}, high {high}]");
        if (close < low || close > high) return Fail(IssueKind.InconsistentOhlc, c.Close, $"close {close} is outside [low {low}, high {high}]");

        if (FieldParser.Quantity(Field(iVol), c.VolumeUnit, IssueKind.NegativeVolume, out var volume) is { } vf) return Fail(vf.Kind, c.Volume, vf.Message);
        if (FieldParser.Quantity(Field(iAmt), c.AmountUnit, IssueKind.NegativeAmount, out var amount) is { } af) return Fail(af.Kind, c.Amount, af.Message);

        double adj;
        if (iAdj >= 0 && !Field(iAdj).IsWhiteSpace())
        {
            if (FieldParser.AdjFactor(Field(iAdj), out adj) is { } adf) return Fail(adf.Kind, c.AdjFactor, adf.Message);
        }
        else if (!_adjFactors.TryGetValue((symbol.Packed, day.DayNumber), out adj)) adj = double.NaN; // filled from neighbours later

        long shares = (long)Math.Round(volume, MidpointRounding.AwayFromZero);
        if (UnitsProblem(shares, amount, low, high, close) is { } units)
        {
            if (units.Severity == IssueSeverity.Error) return Fail(IssueKind.SuspiciousUnits, c.Amount, units.Message);
            _batch.Report.Add(new ImportIssue(units.Severity, units.Kind, file, line, c.Amount, units.Message, symbolText, date));
        }

        // Duplicates and order, per symbol, across all files of this input.
        var key = (symbol.Packed, day.DayNumber);
        if (_seen.TryGetValue(key, out var first))
            return Fail(IssueKind.DuplicateRow, c.Date, $"{symbolText} {day:yyyy-MM-dd} already given at {first.File}:{first.Line}");
        if (_order.TryGetValue(symbol.Packed, out var o))
        {
            int dir = Math.Sign(day.DayNumber - o.LastDay);
            if (o.Direction != 0 && dir != o.Direction)
                return Fail(IssueKind.DateOutOfOrder, c.Date,
                    $"{day:yyyy-MM-dd} breaks the {(o.Direction > 0 ? "ascending" : "descending")} date order of {symbolText} (previous row {DateOnly.FromDayNumber(o.LastDay):yyyy-MM-dd} at line {o.LastLine})");
            _order[symbol.Packed] = (day.DayNumber, dir, line);
        }
        else _order[symbol.Packed] = (day.DayNumber, 0, line);
        _seen[key] = (file, line);

        _batch.Bars.AddRaw(symbol.Packed, day.DayNumber, BarTable.ToFen(open), BarTable.ToFen(high), BarTable.ToFen(low),
            BarTable.ToFen(close), BarTable.ToFen(preClose), shares, amount, adj, flags, 0, 0, ImportBatch.MakeTag(fileIndex, line));
        return true;
    }

    private readonly record struct UnitsFinding(IssueSeverity Severity, IssueKind Kind, string Message);

    /// <summary>
    /// amount / volume is the day's average price; it must lie within [low, high]. A power-of-ten miss means a unit
    /// error (lots for shares, thousand CNY for CNY): rejected. A small miss is noted.
    /// </summary>
    private static UnitsFinding? UnitsProblem(long shares, double amount, decimal low, decimal high, decimal close)
    {
        if (shares == 0)
            return amount > 0
                ? new(IssueSeverity.Error, IssueKind.SuspiciousUnits, $"amount {amount.ToString(CultureInfo.InvariantCulture)} CNY with zero volume")
                : new(IssueSeverity.Warning, IssueKind.ZeroVolume, "zero volume on a day with prices (suspended days should have no row)");
        if (amount == 0)
            return new(IssueSeverity.Error, IssueKind.SuspiciousUnits, $"volume {shares} shares with zero amount");
        double vwap = amount / shares;
        double lo = (double)low * (1 - VwapTolerance), hi = (double)high * (1 + VwapTolerance);
        if (vwap >= lo && vwap <= hi) return null;
        double ratio = vwap / (double)close;
        double log = Math.Log10(ratio);
        if (Math.Abs(log) >= 0.8)
        {
            var factor = Math.Pow(10, Math.Round(log));
            return new(IssueSeverity.Error, IssueKind.SuspiciousUnits,
                $"implied average price amount/volume = {vwap.ToString("G6", CultureInfo.InvariantCulture)} is about {factor.ToString("G3", CultureInfo.InvariantCulture)}× the close {close}: volume or amount is in the wrong unit (volume must be shares, amount CNY; TuShare gives lots and thousand CNY)");
        }
        return new(IssueSeverity.Warning, IssueKind.AveragePriceOutsideRange,
            $"implied average price {vwap.ToString("G6", CultureInfo.InvariantCulture)} is outside [low {low}, high {high}]");
    }
}
