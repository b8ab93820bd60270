using Sylvan.Data.Csv;
using Trading.Data.Text;
using Trading.Data.Model;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Import;

/// <summary>
/// Readers of the smaller TuShare files: stock_basic, index_daily, adj_factor, namechange, stk_limit, daily_basic,
/// fina_indicator, income, balancesheet, suspend_d. They share the row loop and the issue reporting; each maps columns to its record.
/// </summary>
internal static class ReferenceFileReaders
{
    private sealed class Rows(ImportBatch batch, string file, string kind) : IDisposable
    {
        private readonly InputText _text = InputFiles.Open(file, batch.Report);
        private CsvDataReader? _reader;
        private CsvDataReader _csv => _reader ??= CsvDataReader.Create(_text, new CsvDataReaderOptions { HasHeaders = true });
        private readonly Dictionary<string, int> _cols = [];
        public readonly string File = Path.GetFileName(file);
        public readonly ImportReport.FileStats Stats = batch.Report.File(Path.GetFileName(file), kind);
        public long Line;
        public string? Symbol;
        public DateOnly? Date;

        public bool Init(params string[] required)
        {
            for (int i = 0; i < _csv.FieldCount; i++) _cols[InputFiles.NormalizeHeader(_csv.GetName(i))] = i;
            bool ok = true;
            foreach (var r in required)
                if (!_cols.ContainsKey(r))
                {
                    batch.Report.Add(new ImportIssue(IssueSeverity.Error, IssueKind.MissingColumn, File, 1, r, $"required column '{r}' is missing"));
                    ok = false;
                }
            if (!ok) while (_csv.Read()) { Stats.RowsRead++; Stats.RowsRejected++; }
            return ok;
        }

        public bool Next()
        {
            while (_csv.Read())
            {
                Line = _csv.RowNumber + 1;
                Symbol = null;
                Date = null;
                if (_csv.RowFieldCount == 1 && _csv.GetFieldSpan(0).IsWhiteSpace()) continue;
                Stats.RowsRead++;
                return true;
            }
            Stats.Encoding = _text.EncodingName;
            Dispose();
            return false;
        }

        public void Dispose()
        {
            _reader?.Dispose();
            _text.Dispose();
        }

        public ReadOnlySpan<char> this[string column] =>
            _cols.TryGetValue(column, out var i) && i < _csv.RowFieldCount ? _csv.GetFieldSpan(i).Trim() : [];

        public bool Has(string column) => _cols.ContainsKey(column);

        public void Reject(IssueKind kind, string? column, string message)
        {
            batch.Report.Add(new ImportIssue(IssueSeverity.Error, kind, File, Line, column, message, Symbol, Date));
            Stats.RowsRejected++;
        }

        public bool TrySymbol(string column, out Symbol symbol)
        {
            var text = this[column].ToString();
            if (Trading.Domain.Instruments.Symbol.TryParse(text, out symbol, out var error)) { Symbol = symbol.ToString(); return true; }
            Symbol = text;
            Reject(IssueKind.BadSymbol, column, error);
            return false;
        }

        /// <param name="trading">A trading (or announcement) date: refused after <see cref="ImportBatch.LatestDate"/>.</param>
        public bool TryDate(string column, out DateOnly date, bool optional = false, bool trading = false)
        {
            date = default;
            if (optional && this[column].IsEmpty) return true;
            if (FieldParser.Date(this[column], out date) is { } f) { Reject(f.Kind, column, f.Message); return false; }
            Date ??= date;
            if (trading && batch.FutureDateProblem(date) is { } future) { Reject(IssueKind.FutureDate, column, future); return false; }
            return true;
        }

        /// <summary>A text field (name, code…): control characters are refused.</summary>
        public bool TryText(string column, out string text)
        {
            text = this[column].ToString();
            if (!Printable.HasControl(text)) return true;
            Reject(IssueKind.ControlCharacters, column, $"'{text}' contains control characters");
            return false;
        }

        public void Accept() => Stats.RowsAccepted++;
    }

    public static void ReadStockBasic(ImportBatch batch, string file)
    {
        using var r = new Rows(batch, file, "tushare stock_basic");
        if (!r.Init("ts_code", "name", "list_date")) return;
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol)) continue;
            if (!r.TryDate("list_date", out var listDate, optional: true)) continue;
            if (!r.TryDate("delist_date", out var delistDate, optional: true)) continue;
            if (!r.TryText("name", out var name) || !r.TryText("industry", out var industry) || !r.TryText("area", out var area)) continue;
            if (name.Length == 0) { r.Reject(IssueKind.MissingValue, "name", "empty name"); continue; }
            batch.Stocks.Add(new StockInfo(symbol, name, industry,
                listDate == default ? null : listDate, delistDate == default ? null : delistDate, [], area));
            r.Accept();
        }
    }

    public static void ReadIndexDaily(ImportBatch batch, string file)
    {
        using var r = new Rows(batch, file, "tushare index_daily");
        if (!r.Init("ts_code", "trade_date", "open", "high", "low", "close")) return;
        var seen = new HashSet<(string, DateOnly)>();
        Span<double> v = stackalloc double[4];
        string[] names = ["open", "high", "low", "close"];
        while (r.Next())
        {
            if (!r.TryText("ts_code", out var code)) continue;
            r.Symbol = code;
            if (code.Length == 0) { r.Reject(IssueKind.MissingValue, "ts_code", "empty index code"); continue; }
            if (!r.TryDate("trade_date", out var date, trading: true)) continue;
            bool ok = true;
            for (int k = 0; k < 4 && ok; k++)
            {
                if (FieldParser.Quantity(r[names[k]], 1, IssueKind.BadPrice, out v[k]) is { } f) { r.Reject(f.Kind, names[k], f.Message); ok = false; }
                else if (v[k] <= 0) { r.Reject(IssueKind.BadPrice, names[k], $"index level {v[k]} must be positive"); ok = false; }
            }
            if (!ok) continue;
            if (v[1] < v[2]) { r.Reject(IssueKind.InconsistentOhlc, "high", $"high {v[1]} is below low {v[2]}"); continue; }
            if (!seen.Add((code, date))) { r.Reject(IssueKind.DuplicateRow, "trade_date", $"{code} {date:yyyy-MM-dd} appears twice"); continue; }
            double vol = 0, amt = 0;
            if (r.Has("vol") && FieldParser.Quantity(r["vol"], 100, IssueKind.NegativeVolume, out vol) is { } vf) { r.Reject(vf.Kind, "vol", vf.Message); continue; }
            if (r.Has("amount") && FieldParser.Quantity(r["amount"], 1000, IssueKind.NegativeAmount, out amt) is { } af) { r.Reject(af.Kind, "amount", af.Message); continue; }
            batch.IndexBars.Add(new IndexBar(code, date, v[0], v[1], v[2], v[3], vol, amt));
            r.Accept();
        }
    }

    public static void ReadAdjFactors(ImportBatch batch, string file, Dictionary<(int, int), double> into)
    {
        using var r = new Rows(batch, file, "tushare adj_factor");
        if (!r.Init("ts_code", "trade_date", "adj_factor")) return;
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol) || !r.TryDate("trade_date", out var date, trading: true)) continue;
            if (FieldParser.AdjFactor(r["adj_factor"], out var adj) is { } f) { r.Reject(f.Kind, "adj_factor", f.Message); continue; }
            if (!into.TryAdd((symbol.Packed, date.DayNumber), adj)) { r.Reject(IssueKind.DuplicateRow, "trade_date", $"adj_factor for {symbol} {date:yyyy-MM-dd} given twice"); continue; }
            r.Accept();
        }
    }

    public static void ReadNameChanges(ImportBatch batch, string file)
    {
        using var r = new Rows(batch, file, "tushare namechange");
        if (!r.Init("ts_code", "name", "start_date")) return;
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol) || !r.TryDate("start_date", out var start) || !r.TryDate("end_date", out var end, optional: true)) continue;
            if (!r.TryText("name", out var name)) continue;
            batch.NameChanges.Add(new NameSpell(symbol, name, start, end == default ? null : end));
            r.Accept();
        }
    }

    public static void ReadStkLimits(ImportBatch batch, string file)
    {
        using var r = new Rows(batch, file, "tushare stk_limit");
        if (!r.Init("ts_code", "trade_date", "up_limit", "down_limit")) return;
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol) || !r.TryDate("trade_date", out var date, trading: true)) continue;
            if (FieldParser.Price(r["up_limit"], out var up) is { } uf) { r.Reject(uf.Kind, "up_limit", uf.Message); continue; }
            if (FieldParser.Price(r["down_limit"], out var down) is { } df) { r.Reject(df.Kind, "down_limit", df.Message); continue; }
            if (down >= up) { r.Reject(IssueKind.InconsistentOhlc, "down_limit", $"down limit {down} is not below up limit {up}"); continue; }
            batch.PublishedLimits[(symbol.Packed, date.DayNumber)] = (BarTable.ToFen(up), BarTable.ToFen(down));
            r.Accept();
        }
    }

    // daily_basic columns read into a Valuation: name, unit multiplier, whether a negative value is an error.
    private static readonly (string Column, double Unit, bool NonNegative)[] DailyBasicColumns =
    [
        ("total_share", 10_000, true), ("float_share", 10_000, true), ("total_mv", 10_000, true), ("circ_mv", 10_000, true),
        ("pe_ttm", 1, false), ("pb", 1, false), ("turnover_rate", 1, true),
    ];

    /// <summary>
    /// TuShare daily_basic: shares ×10,000 (10k shares → shares), market values ×10,000 (10k CNY → CNY), PE/PB and
    /// turnover (%) as given. An empty or NaN value is missing (pe_ttm is null for loss makers); negative shares,
    /// market values or turnover are errors; the same (symbol, date) twice in the input is an error.
    /// </summary>
    public static void ReadDailyBasic(ImportBatch batch, string file, Dictionary<(int, int), (string File, long Line)> seen)
    {
        using var r = new Rows(batch, file, "tushare daily_basic");
        if (!r.Init("ts_code", "trade_date")) return;
        Span<double> v = stackalloc double[DailyBasicColumns.Length];
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol) || !r.TryDate("trade_date", out var date, trading: true)) continue;
            bool ok = true;
            for (int k = 0; k < DailyBasicColumns.Length && ok; k++)
            {
                var (column, unit, nonNegative) = DailyBasicColumns[k];
                if (FieldParser.OptionalNumber(r[column], unit, out v[k]) is { } f) { r.Reject(f.Kind, column, f.Message); ok = false; }
                else if (nonNegative && v[k] < 0) { r.Reject(IssueKind.NegativeValue, column, $"{column} '{r[column].ToString()}' must not be negative"); ok = false; }
            }
            if (!ok) continue;
            var key = (symbol.Packed, date.DayNumber);
            if (seen.TryGetValue(key, out var first))
            {
                r.Reject(IssueKind.DuplicateRow, "trade_date", $"daily_basic for {symbol} {date:yyyy-MM-dd} already given at {first.File}:{first.Line}");
                continue;
            }
            seen[key] = (r.File, r.Line);
            batch.Valuations.Add(new Valuation(symbol, date, v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
            r.Accept();
        }
    }

    private static readonly string[] FinaColumns = ["roe", "netprofit_yoy", "or_yoy", "eps", "bps"];

    /// <summary>
    /// TuShare fina_indicator: one report per (symbol, ann_date, end_date). Values as given (percentages stay
    /// percentages; empty or NaN is missing). Duplicate rows of one announcement are not errors: the row with the
    /// higher update_flag wins, and among equal flags the later row. A restatement (same end_date, later ann_date)
    /// is a separate announcement and kept. An announcement before the end of its period is an error.
    /// </summary>
    /// <param name="latest">Per (symbol, ann_date, end_date): the report's index in <see cref="ImportBatch.Financials"/> and its update_flag.</param>
    public static void ReadFinaIndicator(ImportBatch batch, string file, Dictionary<(int, int, int), (int Index, int Flag)> latest)
    {
        using var r = new Rows(batch, file, "tushare fina_indicator");
        if (!r.Init("ts_code", "ann_date", "end_date")) return;
        Span<double> v = stackalloc double[FinaColumns.Length];
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol) || !r.TryDate("ann_date", out var ann, trading: true) || !r.TryDate("end_date", out var end)) continue;
            if (ann < end)
            {
                r.Reject(IssueKind.BadDate, "ann_date", $"announced {ann:yyyy-MM-dd}, before the end of its period {end:yyyy-MM-dd}");
                continue;
            }
            bool ok = true;
            for (int k = 0; k < FinaColumns.Length && ok; k++)
                if (FieldParser.OptionalNumber(r[FinaColumns[k]], 1, out v[k]) is { } f) { r.Reject(f.Kind, FinaColumns[k], f.Message); ok = false; }
            if (!ok) continue;
            if (!TryUpdateFlag(r, out int flag)) continue;
            Keep(batch.Financials, latest, new FinancialReport(symbol, ann, end, v[0], v[1], v[2], v[3], v[4]), flag);
            r.Accept();
        }
    }

    // income (doc 33) and balancesheet (doc 36) figures read into a report, in CNY as given.
    private static readonly (string Column, Func<FinancialReport, double, FinancialReport> Set)[] IncomeColumns =
    [
        ("basic_eps", (r, v) => r with { BasicEps = v }), ("total_revenue", (r, v) => r with { TotalRevenue = v }),
        ("revenue", (r, v) => r with { Revenue = v }), ("operate_profit", (r, v) => r with { OperatingProfit = v }),
        ("total_profit", (r, v) => r with { TotalProfit = v }), ("n_income", (r, v) => r with { NetIncome = v }),
        ("n_income_attr_p", (r, v) => r with { NetIncomeToParent = v }),
    ];

    private static readonly (string Column, Func<FinancialReport, double, FinancialReport> Set)[] BalanceColumns =
    [
        ("total_assets", (r, v) => r with { TotalAssets = v }), ("total_liab", (r, v) => r with { TotalLiabilities = v }),
        ("total_hldr_eqy_exc_min_int", (r, v) => r with { ParentEquity = v }), ("total_cur_assets", (r, v) => r with { CurrentAssets = v }),
        ("total_cur_liab", (r, v) => r with { CurrentLiabilities = v }), ("money_cap", (r, v) => r with { Cash = v }),
    ];

    /// <summary>TuShare income: see <see cref="ReadStatement"/>.</summary>
    public static void ReadIncome(ImportBatch batch, string file, Dictionary<(int, int, int), (int Index, int Flag)> latest) =>
        ReadStatement(batch, file, "tushare income", IncomeColumns, batch.Incomes, latest, assetsMustBePositive: false);

    /// <summary>TuShare balancesheet: see <see cref="ReadStatement"/>; total assets must be positive, liabilities not negative.</summary>
    public static void ReadBalanceSheet(ImportBatch batch, string file, Dictionary<(int, int, int), (int Index, int Flag)> latest) =>
        ReadStatement(batch, file, "tushare balancesheet", BalanceColumns, batch.BalanceSheets, latest, assetsMustBePositive: true);

    /// <summary>
    /// A TuShare statement (income, balancesheet): consolidated rows only (report_type 1; an empty report_type is
    /// taken as 1) — the parent-company and adjusted variants describe other entities or restate other periods and
    /// are read and skipped, not errors. Point in time by the actual announcement date: f_ann_date when given, else
    /// ann_date. Otherwise as fina_indicator (<see cref="ReadFinaIndicator"/>): one report per (symbol, announcement,
    /// end_date), duplicates resolved by update_flag, a restatement (later announcement) kept as its own report, an
    /// announcement before the end of its period an error. Figures empty or NaN are missing.
    /// </summary>
    private static void ReadStatement(ImportBatch batch, string file, string kind,
        (string Column, Func<FinancialReport, double, FinancialReport> Set)[] columns, List<FinancialReport> into,
        Dictionary<(int, int, int), (int Index, int Flag)> latest, bool assetsMustBePositive)
    {
        using var r = new Rows(batch, file, kind);
        if (!r.Init("ts_code", "ann_date", "end_date")) return;
        while (r.Next())
        {
            var type = r["report_type"];
            if (!type.IsEmpty && !type.SequenceEqual("1")) continue; // not consolidated: skipped (read, neither accepted nor rejected)
            if (!r.TrySymbol("ts_code", out var symbol)) continue;
            DateOnly ann;
            string annColumn = r.Has("f_ann_date") && !r["f_ann_date"].IsEmpty ? "f_ann_date" : "ann_date";
            if (!r.TryDate(annColumn, out ann, trading: true) || !r.TryDate("end_date", out var end)) continue;
            if (ann < end)
            {
                r.Reject(IssueKind.BadDate, annColumn, $"announced {ann:yyyy-MM-dd}, before the end of its period {end:yyyy-MM-dd}");
                continue;
            }
            var report = FinancialReport.Empty(symbol, ann, end);
            bool ok = true;
            foreach (var (column, set) in columns)
            {
                if (FieldParser.OptionalNumber(r[column], 1, out var v) is { } f) { r.Reject(f.Kind, column, f.Message); ok = false; break; }
                report = set(report, v);
            }
            if (!ok) continue;
            if (assetsMustBePositive && report.TotalAssets <= 0)
            {
                r.Reject(IssueKind.NegativeValue, "total_assets", $"total assets {report.TotalAssets} must be positive");
                continue;
            }
            if (assetsMustBePositive && report.TotalLiabilities < 0)
            {
                r.Reject(IssueKind.NegativeValue, "total_liab", $"total liabilities {report.TotalLiabilities} must not be negative");
                continue;
            }
            if (!TryUpdateFlag(r, out int flag)) continue;
            Keep(into, latest, report, flag);
            r.Accept();
        }
    }

    private static bool TryUpdateFlag(Rows r, out int flag)
    {
        flag = 0;
        var flagText = r["update_flag"];
        if (flagText.IsEmpty || int.TryParse(flagText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out flag)) return true;
        r.Reject(IssueKind.MalformedNumber, "update_flag", $"'{flagText.ToString()}' is not an update flag (0 or 1)");
        return false;
    }

    /// <summary>Adds a report, or replaces the one of the same key when its update_flag is not lower (later rows win ties).</summary>
    private static void Keep(List<FinancialReport> into, Dictionary<(int, int, int), (int Index, int Flag)> latest, FinancialReport report, int flag)
    {
        var key = (report.Symbol.Packed, report.AnnDate.DayNumber, report.EndDate.DayNumber);
        if (latest.TryGetValue(key, out var prev))
        {
            if (flag < prev.Flag) return;
            into[prev.Index] = report;
            latest[key] = (prev.Index, flag);
        }
        else
        {
            latest[key] = (into.Count, flag);
            into.Add(report);
        }
    }

    /// <summary>
    /// TuShare suspend_d: ts_code, trade_date, suspend_timing, suspend_type (S suspended, R resumed). Not stored —
    /// the store derives suspensions from missing bars — but kept for the import's check of the bars against it
    /// (<see cref="SuspensionCheck"/>). Only full-day suspensions (S without a suspend_timing) say a day has no bar;
    /// an intraday halt (a timing such as 09:30-10:30) still trades and R rows only mark the covered day.
    /// </summary>
    public static void ReadSuspendD(ImportBatch batch, string file)
    {
        using var r = new Rows(batch, file, "tushare suspend_d");
        if (!r.Init("ts_code", "trade_date", "suspend_type")) return;
        while (r.Next())
        {
            if (!r.TrySymbol("ts_code", out var symbol) || !r.TryDate("trade_date", out var date, trading: true)) continue;
            var type = r["suspend_type"];
            if (!type.SequenceEqual("S") && !type.SequenceEqual("R"))
            {
                r.Reject(IssueKind.UnknownCode, "suspend_type", $"suspend_type '{type.ToString()}' is neither S (suspended) nor R (resumed)");
                continue;
            }
            batch.SuspensionDays.Add(date);
            if (type.SequenceEqual("S") && r["suspend_timing"].IsEmpty) batch.Suspensions.Add(new SuspensionRow(symbol, date, r.File, r.Line));
            r.Accept();
        }
    }
}
