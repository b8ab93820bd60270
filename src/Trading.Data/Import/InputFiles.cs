using Trading.Data.Text;
using Trading.Data.Validation;

namespace Trading.Data.Import;

/// <summary>The kinds of file an import understands, recognised by their header (and, for indexes, the file name).</summary>
public enum InputKind
{
    Unknown,
    /// <summary>TuShare <c>daily</c> (optionally with an <c>adj_factor</c> column): vol in lots, amount in thousand CNY.</summary>
    TuShareDaily,
    /// <summary>TuShare <c>adj_factor</c>: ts_code, trade_date, adj_factor.</summary>
    TuShareAdjFactor,
    /// <summary>TuShare <c>stock_basic</c>.</summary>
    TuShareStockBasic,
    /// <summary>TuShare <c>index_daily</c> (file name starts with "index").</summary>
    TuShareIndexDaily,
    /// <summary>TuShare <c>namechange</c>: the source of ST history.</summary>
    TuShareNameChange,
    /// <summary>TuShare <c>stk_limit</c>: published limit prices.</summary>
    TuShareStkLimit,
    /// <summary>The documented generic long CSV: date,symbol,open,high,low,close,volume,amount[,adj_factor].</summary>
    GenericBars,
    /// <summary>TuShare <c>daily_basic</c>: shares in 10k shares, market values in 10k CNY, PE/PB, turnover %.</summary>
    TuShareDailyBasic,
    /// <summary>TuShare <c>fina_indicator</c>: one row per announced report (ann_date, end_date, roe, growth, eps, bps).</summary>
    TuShareFinaIndicator,
    /// <summary>TuShare <c>income</c>: one row per announced statement (consolidated rows kept).</summary>
    TuShareIncome,
    /// <summary>TuShare <c>balancesheet</c>: one row per announced statement (consolidated rows kept).</summary>
    TuShareBalanceSheet,
    /// <summary>TuShare <c>suspend_d</c>: suspensions and resumptions per day; checked against the bars, not stored.</summary>
    TuShareSuspendD,
}

public enum SourceFormat
{
    TuShare,
    Csv,
}

/// <summary>Finds input files (a file, or every *.csv / *.csv.gz in a folder) and opens them, gzip or not.</summary>
public static class InputFiles
{
    public static IReadOnlyList<string> Discover(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (Directory.Exists(path))
        {
            // Non-regular entries (FIFOs…) named *.csv are listed here and refused by Open without being opened.
            var files = Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
                .Select(Path.GetFullPath)
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0) throw new FileNotFoundException($"No .csv or .csv.gz files in '{Printable.Escape(path)}'.");
            return files;
        }
        throw new FileNotFoundException($"Input '{Printable.Escape(path)}' does not exist.", path);
    }

    /// <summary>
    /// Opens an input file, gzip or not, decoding it as <see cref="InputText"/> does (UTF-8, or GB18030 reported
    /// through <paramref name="report"/>). Refuses, without opening it, anything that is not a regular file with
    /// content: FIFOs, devices and sockets report size 0 (opening a FIFO would wait forever for a writer).
    /// </summary>
    public static InputText Open(string file, ImportReport? report = null)
    {
        var name = Path.GetFileName(file);
        var info = new FileInfo(file);
        if (!info.Exists) throw new InputFileException(name, 1, "the file does not exist (any more)");
        if (info.Length == 0)
            throw new InputFileException(name, 1, "empty, or not a regular file (a FIFO, device or socket); refused without opening it");
        Stream s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                s = new CheckedGzipStream((FileStream)s);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                s.Dispose();
                throw new InputFileException(name, 1, e.Message);
            }
        }
        return new InputText(s, name)
        {
            EncodingDecided = report is null ? null : (encoding, line) =>
            {
                report.Add(new ImportIssue(IssueSeverity.Warning, IssueKind.NotUtf8, name, line, null,
                    $"not UTF-8: the file is decoded as {encoding} (GBK); names and other text are read in that encoding"));
                Serilog.Log.ForContext(typeof(InputFiles)).Information("{File} is not UTF-8; decoding it as {Encoding}", file, encoding);
            },
        };
    }

    public static string NormalizeHeader(string h) => h.Trim().Trim('\uFEFF').ToLowerInvariant();

    /// <summary>Which kind a file is, from its normalised header names and its file name.</summary>
    public static InputKind Classify(SourceFormat format, string file, IReadOnlyCollection<string> header)
    {
        bool Has(params string[] names) => names.All(header.Contains);
        var name = Path.GetFileName(file).ToLowerInvariant();
        if (format == SourceFormat.Csv)
            return Has("date", "symbol", "open", "high", "low", "close") ? InputKind.GenericBars : InputKind.Unknown;
        if (Has("ts_code", "name", "list_date")) return InputKind.TuShareStockBasic;
        if (Has("ts_code", "name", "start_date")) return InputKind.TuShareNameChange;
        if (Has("ts_code", "trade_date", "up_limit", "down_limit")) return InputKind.TuShareStkLimit;
        if (Has("ts_code", "trade_date", "open") && name.StartsWith("index", StringComparison.Ordinal)) return InputKind.TuShareIndexDaily;
        if (Has("ts_code", "trade_date", "open")) return InputKind.TuShareDaily;
        if (Has("ts_code", "trade_date") && (Has("total_mv") || Has("pe_ttm") || Has("total_share"))) return InputKind.TuShareDailyBasic;
        if (Has("ts_code", "ann_date", "end_date") && (Has("roe") || Has("netprofit_yoy"))) return InputKind.TuShareFinaIndicator;
        if (Has("ts_code", "ann_date", "end_date") && (Has("n_income_attr_p") || Has("total_revenue") || Has("revenue"))) return InputKind.TuShareIncome;
        if (Has("ts_code", "ann_date", "end_date") && (Has("total_assets") || Has("total_liab"))) return InputKind.TuShareBalanceSheet;
        if (Has("ts_code", "trade_date", "suspend_type")) return InputKind.TuShareSuspendD;
        if (Has("ts_code", "trade_date", "adj_factor")) return InputKind.TuShareAdjFactor;
        return InputKind.Unknown;
    }
}
