using Parquet;
using Parquet.Schema;
using Trading.Data.Import;
using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Tests;

/// <summary>TuShare income and balancesheet (point-in-time statements) and suspend_d (a check of the bars): import, store, panel.</summary>
public class StatementImportTests
{
    private const string IncomeHeader = "ts_code,ann_date,f_ann_date,end_date,report_type,comp_type,basic_eps,total_revenue,revenue,operate_profit,total_profit,n_income,n_income_attr_p,update_flag";
    private const string BalanceHeader = "ts_code,ann_date,f_ann_date,end_date,report_type,total_assets,total_liab,total_hldr_eqy_exc_min_int,total_cur_assets,total_cur_liab,money_cap,update_flag";
    private const string FinaHeader = "ts_code,ann_date,end_date,eps,roe,netprofit_yoy,or_yoy,bps,update_flag";
    private const string DailyHeader = "ts_code,trade_date,open,high,low,close,pre_close,vol,amount";
    private const string SuspendHeader = "ts_code,trade_date,suspend_timing,suspend_type";
    private const string StockBasicHeader = "ts_code,name,area,industry,list_date,delist_date,list_status";

    private static readonly Symbol Pufa = Symbol.Parse("600000.SH"), PingAn = Symbol.Parse("000001.SZ");

    private static DateOnly D(int yyyymmdd) => new(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);

    private static string Lines(string header, params string[] rows) => header + "\n" + string.Join("\n", rows) + "\n";

    [Fact]
    public void Files_are_recognised_by_their_columns()
    {
        InputKind Kind(string header) => InputFiles.Classify(SourceFormat.TuShare, "x.csv", header.Split(',').ToHashSet());
        Assert.Equal(InputKind.TuShareIncome, Kind(IncomeHeader));
        Assert.Equal(InputKind.TuShareIncome, Kind("ts_code,ann_date,end_date,n_income_attr_p"));
        Assert.Equal(InputKind.TuShareBalanceSheet, Kind(BalanceHeader));
        Assert.Equal(InputKind.TuShareBalanceSheet, Kind("ts_code,ann_date,end_date,total_liab"));
        Assert.Equal(InputKind.TuShareSuspendD, Kind(SuspendHeader));
        Assert.Equal(InputKind.TuShareFinaIndicator, Kind(FinaHeader));
    }

    [Fact]
    public void Income_keeps_consolidated_rows_by_actual_announcement_and_resolves_duplicates_by_update_flag()
    {
        using var tmp = new TempDir();
        var input = tmp.Write("in/income.csv", Lines(IncomeHeader,
            // 2023 annual: ann_date 20240329, actually announced (f_ann_date) 20240330.
            "600000.SH,20240329,20240330,20231231,1,2,1.22,180000,170000,50000,45000,37000,36000,0",
            // the same announcement again with update_flag 1: wins
            "600000.SH,20240329,20240330,20231231,1,2,1.23,181000,171000,51000,46000,38000,37000,1",
            // the parent company alone (report_type 6): skipped
            "600000.SH,20240329,20240330,20231231,6,2,9.99,1,1,1,1,1,1,0",
            // restated 2024-08-30: a separate announcement
            "600000.SH,20240830,,20231231,1,2,1.18,180000,170000,48000,43000,35000,34000,0",
            // a lower update_flag after a higher one: ignored
            "600000.SH,20240329,20240330,20231231,1,2,0.5,1,1,1,1,1,1,0"));
        var batch = DataImporter.Read(SourceFormat.TuShare, input);
        Assert.Empty(batch.Report.Issues);
        Assert.Equal("tushare income", batch.Report.Files["income.csv"].Kind);
        Assert.Equal(4, batch.Report.RowsAccepted);
        var rows = batch.Incomes.OrderBy(r => r.AnnDate).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal((D(20240330), D(20231231), 171000.0, 37000.0, 1.23), (rows[0].AnnDate, rows[0].EndDate, rows[0].Revenue, rows[0].NetIncomeToParent, rows[0].BasicEps));
        Assert.Equal((D(20240830), 34000.0), (rows[1].AnnDate, rows[1].NetIncomeToParent));
        Assert.True(rows[0].Carries(ReportParts.Income));
        Assert.False(rows[0].Carries(ReportParts.Indicators));
        Assert.False(rows[0].Carries(ReportParts.BalanceSheet));
    }

    public static TheoryData<string, string, IssueKind, string> BadStatementRows => new()
    {
        { "income", "ABC.SH,20240330,,20231231,1,1,1,1,1,1,1,1,1,0", IssueKind.BadSymbol, "ts_code" },
        { "income", "600000.SH,20240330,20230930,20231231,1,1,1,1,1,1,1,1,1,0", IssueKind.BadDate, "f_ann_date" },
        { "income", "600000.SH,20240330,,20231231,1,1,1,1,x1,1,1,1,1,0", IssueKind.MalformedNumber, "revenue" },
        { "income", "600000.SH,20240330,,20231231,1,1,1,1,1,1,1,1,1,yes", IssueKind.MalformedNumber, "update_flag" },
        { "balancesheet", "600000.SH,20240330,,20231231,1,-5,1,1,1,1,1,0", IssueKind.NegativeValue, "total_assets" },
        { "balancesheet", "600000.SH,20240330,,20231231,1,5,-1,1,1,1,1,0", IssueKind.NegativeValue, "total_liab" },
        { "balancesheet", "600000.SH,20990330,,20231231,1,5,1,1,1,1,1,0", IssueKind.FutureDate, "ann_date" },
    };

    [Theory]
    [MemberData(nameof(BadStatementRows))]
    public async Task A_bad_statement_row_is_rejected_with_its_place_and_strict_leaves_the_store_untouched(string kind, string row, IssueKind issue, string column)
    {
        using var tmp = new TempDir();
        var root = tmp.File("store");
        var seed = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("seed/fina.csv", Lines(FinaHeader, "600000.SH,20240330,20231231,1.22,6.0,-26.1,,21.86,0")), root);
        Assert.True(seed.Written);
        var header = kind == "income" ? IncomeHeader : BalanceHeader;
        var input = tmp.Write($"in/{kind}.csv", Lines(header, row));
        var batch = DataImporter.Read(SourceFormat.TuShare, input);
        var error = Assert.Single(batch.Report.Issues);
        Assert.Equal((issue, column, 2L), (error.Kind, error.Column, error.Line));

        var strict = await DataImporter.ImportAsync(SourceFormat.TuShare, input, root, new ImportOptions { Strict = true });
        Assert.False(strict.Written);
        var store = MarketStore.Open(root);
        Assert.Equal(seed.Store!.Manifest.Version, store.Manifest.Version);
        var stored = Assert.Single(await store.ReadFinancialsAsync());
        Assert.False(stored.Carries(ReportParts.Income) || stored.Carries(ReportParts.BalanceSheet));
    }

    [Fact]
    public async Task Each_source_overlays_its_own_figures_on_the_stored_report_of_the_same_announcement()
    {
        using var tmp = new TempDir();
        var root = tmp.File("store");
        await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("a/fina.csv", Lines(FinaHeader,
            "600000.SH,20240330,20231231,1.22,6.0,-26.1,,21.86,0", "000001.SZ,20240420,20240331,0.66,3.1,2.5,-13.9,22.85,0")), root);
        var statements = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("b/income.csv", Lines(IncomeHeader,
            "600000.SH,20240330,,20231231,1,2,1.22,180000,170000,50000,45000,37000,36000,0",
            "000001.SZ,20240419,20240425,20240331,1,2,0.66,90000,88000,20000,19000,15000,14000,0")), root);
        Assert.Equal(1, statements.ReplacedFinancials); // Pufa's annual gained its income statement
        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("c/balancesheet.csv", Lines(BalanceHeader,
            "600000.SH,20240330,,20231231,1,9000000,8300000,680000,100000,90000,50000,0")), root);
        Assert.True(result.Written);

        var stored = await MarketStore.Open(root).ReadFinancialsAsync();
        Assert.Equal(3, stored.Count);
        var pufa = stored.Single(r => r.Symbol == Pufa);
        Assert.Equal((6.0, 170000.0, 36000.0, 9000000.0, 8300000.0, 680000.0), (pufa.Roe, pufa.Revenue, pufa.NetIncomeToParent, pufa.TotalAssets, pufa.TotalLiabilities, pufa.ParentEquity));
        // PingAn's statement came out on its f_ann_date, five days after fina_indicator's ann_date: its own announcement.
        var pingAn = stored.Where(r => r.Symbol == PingAn).OrderBy(r => r.AnnDate).ToList();
        Assert.Equal([D(20240420), D(20240425)], pingAn.Select(r => r.AnnDate));
        Assert.True(pingAn[0].Carries(ReportParts.Indicators) && !pingAn[0].Carries(ReportParts.Income));
        Assert.True(pingAn[1].Carries(ReportParts.Income) && !pingAn[1].Carries(ReportParts.Indicators));

        // Point in time: each source's latest report by the day, the other source's announcement not hiding it.
        var history = new FinancialHistory([pingAn]);
        Assert.False(history.TryLatest(0, D(20240424), ReportParts.Income, out _));
        Assert.True(history.TryLatest(0, D(20240425), ReportParts.Income, out var income));
        Assert.Equal(14000.0, income.NetIncomeToParent);
        Assert.True(history.TryLatest(0, D(20240430), ReportParts.Indicators, out var ratios));
        Assert.Equal(3.1, ratios.Roe);

        // fina_indicator again for Pufa's annual: its ratios change, the statements stay.
        await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("d/fina.csv", Lines(FinaHeader, "600000.SH,20240330,20231231,1.22,6.5,-26.1,,21.86,1")), root);
        pufa = (await MarketStore.Open(root).ReadFinancialsAsync()).Single(r => r.Symbol == Pufa);
        Assert.Equal((6.5, 170000.0, 9000000.0), (pufa.Roe, pufa.Revenue, pufa.TotalAssets));
    }

    [Fact]
    public async Task A_financials_file_written_before_the_statement_columns_reads_them_as_nan()
    {
        using var tmp = new TempDir();
        var root = tmp.File("store");
        var bars = new BarTable();
        bars.Add(new DailyBar(Pufa, D(20240102), 6.60m, 6.65m, 6.55m, 6.61m, 6.60m, 100_000, 661_000m, 1.0));
        var report = new FinancialReport(Pufa, D(20240330), D(20231231), 6.0, -26.1, double.NaN, 1.22, 21.86);
        var written = await MarketStore.WriteAsync(root, bars, [], [], [], [report with { TotalAssets = 5, Revenue = 7 }], ["test"]);
        Assert.Equal(5.0, (await written.ReadFinancialsAsync())[0].TotalAssets);

        // Replace the file by one in the old layout: the eight columns of fina_indicator only.
        var path = Path.Combine(written.VersionDirectory, "financials.parquet");
        DataField<int> symbol = new("symbol"), ann = new("ann_date"), end = new("end_date");
        DataField<double>[] ratios = [new("roe"), new("netprofit_yoy"), new("or_yoy"), new("eps"), new("bps")];
        double[] values = [report.Roe, report.NetProfitYoY, report.RevenueYoY, report.Eps, report.Bps];
        await using (var fs = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema([symbol, ann, end, .. ratios]), fs))
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<int>(symbol, new[] { Pufa.Packed });
            await rg.WriteAsync<int>(ann, new[] { report.AnnDate.DayNumber });
            await rg.WriteAsync<int>(end, new[] { report.EndDate.DayNumber });
            for (int k = 0; k < ratios.Length; k++) await rg.WriteAsync<double>(ratios[k], new[] { values[k] });
        }

        var old = MarketStore.Open(root);
        var read = Assert.Single(await old.ReadFinancialsAsync());
        Assert.Equal(report, read); // every statement figure NaN, the ratios as stored
        Assert.True(double.IsNaN(read.TotalAssets) && double.IsNaN(read.Revenue) && double.IsNaN(read.Cash));
        var panel = await MarketPanel.LoadAsync(old);
        Assert.NotNull(panel.Financials);

        // An import of statements into the old store adds them beside the stored ratios.
        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("in/balancesheet.csv", Lines(BalanceHeader,
            "600000.SH,20240330,,20231231,1,9000000,8300000,680000,100000,90000,50000,0")), root);
        var merged = Assert.Single(await result.Store!.ReadFinancialsAsync());
        Assert.Equal((6.0, 9000000.0), (merged.Roe, merged.TotalAssets));
    }

    // ---- suspend_d ----

    private static string Stocks => Lines(StockBasicHeader, "600000.SH,浦发银行,上海,银行,19991110,,L", "000001.SZ,平安银行,深圳,银行,19910403,,L");

    [Fact]
    public async Task Suspend_d_that_disagrees_with_the_bars_is_a_warning_naming_the_stock_and_day_and_the_bars_are_imported()
    {
        using var tmp = new TempDir();
        var root = tmp.File("store");
        tmp.Write("in/stock_basic.csv", Stocks);
        tmp.Write("in/daily.csv", Lines(DailyHeader,
            "600000.SH,20240102,6.60,6.65,6.55,6.61,6.60,1000,661", "000001.SZ,20240102,9.00,9.10,8.90,9.00,9.00,1000,900",
            "600000.SH,20240103,6.60,6.70,6.55,6.64,6.61,1000,664", // suspend_d says Pufa was suspended all day
            "600000.SH,20240104,6.64,6.70,6.60,6.65,6.64,1000,665", "000001.SZ,20240104,9.00,9.10,8.90,9.00,9.00,1000,900",
            "600000.SH,20240105,6.65,6.70,6.60,6.66,6.65,1000,666", "000001.SZ,20240105,9.00,9.10,8.90,9.00,9.00,1000,900"));
        // PingAn has no bar on 01-03 (listed, not in suspend_d): a bar missing. Pufa's 01-04 halt is intraday: no finding.
        tmp.Write("in/suspend_d.csv", Lines(SuspendHeader, "600000.SH,20240103,,S", "600000.SH,20240104,09:30-10:30,S", "600000.SH,20240105,,R"));
        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.File("in"), root, new ImportOptions { Strict = true });

        Assert.True(result.Written, result.Rejection); // warnings, not errors: strict still writes
        Assert.Equal(7, result.Store!.Manifest.Bars);
        Assert.Equal("tushare suspend_d", result.Report.Files["suspend_d.csv"].Kind);
        var warnings = result.Report.Issues.Where(i => i.Kind == IssueKind.SuspensionMismatch).OrderBy(i => i.Symbol).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(IssueSeverity.Warning, w.Severity));
        Assert.Equal(("000001.SZ", D(20240103)), (warnings[0].Symbol, warnings[0].Date));
        Assert.Contains("does not list it as suspended", warnings[0].Message);
        Assert.Equal(("600000.SH", D(20240103), "suspend_d.csv", 2L), (warnings[1].Symbol, warnings[1].Date, warnings[1].File, warnings[1].Line));
        Assert.Contains("the daily bars hold a traded bar", warnings[1].Message);

        // Agreeing data: no finding. And validate reports the same as the import.
        tmp.Write("ok/stock_basic.csv", Stocks);
        tmp.Write("ok/daily.csv", Lines(DailyHeader,
            "600000.SH,20240102,6.60,6.65,6.55,6.61,6.60,1000,661", "000001.SZ,20240102,9.00,9.10,8.90,9.00,9.00,1000,900",
            "600000.SH,20240104,6.64,6.70,6.60,6.65,6.64,1000,665", "000001.SZ,20240104,9.00,9.10,8.90,9.00,9.00,1000,900"));
        tmp.Write("ok/suspend_d.csv", Lines(SuspendHeader, "000001.SZ,20240102,,R", "600000.SH,20240104,,R"));
        Assert.DoesNotContain(DataImporter.Validate(SourceFormat.TuShare, tmp.File("ok")).Issues, i => i.Kind == IssueKind.SuspensionMismatch);
        Assert.Equal(2, DataImporter.Validate(SourceFormat.TuShare, tmp.File("in")).Issues.Count(i => i.Kind == IssueKind.SuspensionMismatch));
    }

    [Fact]
    public void A_bad_suspend_type_is_an_error()
    {
        using var tmp = new TempDir();
        var batch = DataImporter.Read(SourceFormat.TuShare, tmp.Write("suspend_d.csv", Lines(SuspendHeader, "600000.SH,20240103,,X")));
        var issue = Assert.Single(batch.Report.Issues);
        Assert.Equal((IssueKind.UnknownCode, "suspend_type"), (issue.Kind, issue.Column));
    }
}
