using System.Text.Json.Nodes;
using Trading.Data.Import;
using Trading.Data.Model;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Data.Validation;
using Trading.Domain.Instruments;

namespace Trading.Data.Tests;

/// <summary>Valuations (daily_basic) and point-in-time financial reports (fina_indicator): import, store, panel.</summary>
public class FundamentalsTests
{
    private const string DailyBasicHeader = "ts_code,trade_date,close,turnover_rate,pe_ttm,pb,total_share,float_share,total_mv,circ_mv";
    private const string FinaHeader = "ts_code,ann_date,end_date,eps,roe,netprofit_yoy,or_yoy,bps,update_flag";
    private const string DailyHeader = "ts_code,trade_date,open,high,low,close,pre_close,vol,amount";

    private static readonly Symbol Pufa = Symbol.Parse("600000.SH"), PingAn = Symbol.Parse("000001.SZ"), Tgood = Symbol.Parse("300001.SZ");

    private static DateOnly D(int yyyymmdd) => new(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);

    private static string Lines(string header, params string[] rows) => header + "\n" + string.Join("\n", rows) + "\n";

    // ---- import ----

    [Fact]
    public void Files_are_recognised_by_their_header()
    {
        InputKind Kind(string header) => InputFiles.Classify(SourceFormat.TuShare, "x.csv", header.Split(',').ToHashSet());
        Assert.Equal(InputKind.TuShareDailyBasic, Kind("ts_code,trade_date,close,total_mv"));
        Assert.Equal(InputKind.TuShareDailyBasic, Kind("ts_code,trade_date,pe_ttm"));
        Assert.Equal(InputKind.TuShareDailyBasic, Kind("ts_code,trade_date,total_share,float_share"));
        Assert.Equal(InputKind.TuShareFinaIndicator, Kind("ts_code,ann_date,end_date,roe"));
        Assert.Equal(InputKind.TuShareFinaIndicator, Kind("ts_code,ann_date,end_date,eps,netprofit_yoy"));
        Assert.Equal(InputKind.TuShareDaily, Kind(DailyHeader));
        Assert.Equal(InputKind.TuShareAdjFactor, Kind("ts_code,trade_date,adj_factor"));
        Assert.Equal(InputKind.Unknown, Kind("ts_code,ann_date,end_date,eps"));
        Assert.Equal(InputKind.Unknown, Kind("ts_code,trade_date,close"));
    }

    [Fact]
    public void Daily_basic_fixture_imports_with_units_converted()
    {
        var batch = DataImporter.Read(SourceFormat.TuShare, TestPaths.Fixture("fundamentals/daily_basic.csv"));

        Assert.Empty(batch.Report.Issues);
        Assert.Equal(4, batch.Report.RowsAccepted);
        Assert.Equal("tushare daily_basic", batch.Report.Files["daily_basic.csv"].Kind);
        var byKey = batch.Valuations.ToDictionary(v => (v.Symbol, v.Date));
        Assert.Equal(4, byKey.Count);

        // 600000.SH 2024-01-02: total_share 2935217.3876 (10k shares), total_mv 1940178.6932 (10k CNY).
        var pufa = byKey[(Pufa, D(20240102))];
        Assert.Equal(29_352_173_876.0, pufa.TotalShares, 1e-3);
        Assert.Equal(29_352_173_876.0, pufa.FloatShares, 1e-3);
        Assert.Equal(19_401_786_932.0, pufa.TotalMarketValue, 1e-3);
        Assert.Equal(19_401_786_932.0, pufa.CirculatingMarketValue, 1e-3);
        Assert.Equal(4.5132, pufa.PeTtm); // pe_ttm, not pe
        Assert.Equal(0.3557, pufa.Pb);
        Assert.Equal(0.1335, pufa.TurnoverRate); // % as given

        // 000001.SZ: float_share 1940560.8746, circ_mv 18221866.6125 (= 9.39 × float shares).
        var pingAn = byKey[(PingAn, D(20240102))];
        Assert.Equal(19_405_608_746.0, pingAn.FloatShares, 1e-3);
        Assert.Equal(182_218_666_125.0, pingAn.CirculatingMarketValue, 1e-3);
        Assert.Equal(9.39 * pingAn.TotalShares, pingAn.TotalMarketValue, 1.0);

        // 300001.SZ: a loss maker (empty pe_ttm) with pb NaN: missing, not an error.
        var loss = byKey[(Tgood, D(20240102))];
        Assert.True(double.IsNaN(loss.PeTtm));
        Assert.True(double.IsNaN(loss.Pb));
        Assert.Equal(1_078_123_000.0, loss.TotalShares, 1e-3);
        Assert.Equal(2.441, loss.TurnoverRate);
    }

    [Fact]
    public void Fina_indicator_fixture_keeps_the_latest_row_of_an_announcement_and_restatements_apart()
    {
        var batch = DataImporter.Read(SourceFormat.TuShare, TestPaths.Fixture("fundamentals/fina_indicator.csv"));

        Assert.Empty(batch.Report.Issues);
        Assert.Equal(7, batch.Report.RowsAccepted); // duplicates are accepted, then superseded
        Assert.Equal("tushare fina_indicator", batch.Report.Files["fina_indicator.csv"].Kind);
        var reports = batch.Financials.OrderBy(r => r.Symbol).ThenBy(r => r.AnnDate).ToList();
        Assert.Equal(5, reports.Count);

        var pufa = reports.Where(r => r.Symbol == Pufa).ToList();
        // 2023 annual: first announced 2024-03-30, restated 2024-08-30 (a separate announcement).
        Assert.Equal((D(20240330), D(20231231), 1.22), (pufa[0].AnnDate, pufa[0].EndDate, pufa[0].Eps));
        Assert.Equal((D(20240830), D(20231231), 1.18), (pufa[2].AnnDate, pufa[2].EndDate, pufa[2].Eps));
        // 2024 Q1 given twice for the same announcement: update_flag 1 wins although it comes first.
        Assert.Equal((D(20240427), D(20240331)), (pufa[1].AnnDate, pufa[1].EndDate));
        Assert.Equal((0.41, 2.10, -9.80, -7.50, 22.01), (pufa[1].Eps, pufa[1].Roe, pufa[1].NetProfitYoY, pufa[1].RevenueYoY, pufa[1].Bps));

        var pingAn = reports.Where(r => r.Symbol == PingAn).ToList();
        Assert.Equal(2, pingAn.Count);
        Assert.Equal(0.66, pingAn.Single(r => r.EndDate == D(20240331)).Eps); // equal flags: the later row wins
        Assert.Equal(11.38, pingAn.Single(r => r.EndDate == D(20231231)).Roe); // empty update_flag reads as 0
    }

    public static TheoryData<string, string, IssueKind, string> BadDailyBasicRows => new()
    {
        { "bad_symbol", "ABC001.SZ,20240103,10.00,1.0,10,1,100,80,1000,800", IssueKind.BadSymbol, "ts_code" },
        { "bad_date", "600000.SH,20241303,10.00,1.0,10,1,100,80,1000,800", IssueKind.BadDate, "trade_date" },
        { "missing_date", "600000.SH,,10.00,1.0,10,1,100,80,1000,800", IssueKind.MissingValue, "trade_date" },
        { "malformed_mv", "600000.SH,20240103,10.00,1.0,10,1,100,80,1x00,800", IssueKind.MalformedNumber, "total_mv" },
        { "infinite_pe", "600000.SH,20240103,10.00,1.0,inf,1,100,80,1000,800", IssueKind.MalformedNumber, "pe_ttm" },
        { "malformed_pb", "600000.SH,20240103,10.00,1.0,10,abc,100,80,1000,800", IssueKind.MalformedNumber, "pb" },
        { "negative_total_share", "600000.SH,20240103,10.00,1.0,10,1,-100,80,1000,800", IssueKind.NegativeValue, "total_share" },
        { "negative_float_share", "600000.SH,20240103,10.00,1.0,10,1,100,-80,1000,800", IssueKind.NegativeValue, "float_share" },
        { "negative_total_mv", "600000.SH,20240103,10.00,1.0,10,1,100,80,-1000,800", IssueKind.NegativeValue, "total_mv" },
        { "negative_circ_mv", "600000.SH,20240103,10.00,1.0,10,1,100,80,1000,-800", IssueKind.NegativeValue, "circ_mv" },
        { "negative_turnover", "600000.SH,20240103,10.00,-1.0,10,1,100,80,1000,800", IssueKind.NegativeValue, "turnover_rate" },
        { "duplicate", "600000.SH,20240102,10.00,1.0,10,1,100,80,1000,800", IssueKind.DuplicateRow, "trade_date" },
    };

    [Theory]
    [MemberData(nameof(BadDailyBasicRows))]
    public void Bad_daily_basic_row_is_rejected_with_its_place(string name, string row, IssueKind kind, string column)
    {
        using var tmp = new TempDir();
        var file = tmp.Write($"{name}.csv", Lines(DailyBasicHeader, "600000.SH,20240102,10.00,1.0,-12.5,NaN,100,80,1000,800", row));

        var report = DataImporter.Validate(SourceFormat.TuShare, file);

        var issue = Assert.Single(report.Issues);
        Assert.Equal((IssueSeverity.Error, kind, $"{name}.csv", 3L, column), (issue.Severity, issue.Kind, issue.File, issue.Line, issue.Column));
        Assert.Contains($"{name}.csv:3 column '{column}'", issue.ToString());
        Assert.Equal((1L, 1L), (report.RowsAccepted, report.RowsRejected));
        if (kind == IssueKind.DuplicateRow) Assert.Contains($"{name}.csv:2", issue.Message); // names the first place
    }

    [Fact]
    public void A_duplicate_daily_basic_row_in_another_file_names_the_first_file()
    {
        using var tmp = new TempDir();
        tmp.Write("in/a.csv", Lines(DailyBasicHeader, "600000.SH,20240102,10.00,1.0,10,1,100,80,1000,800"));
        tmp.Write("in/b.csv", Lines(DailyBasicHeader, "600000.SH,20240103,10.00,1.0,10,1,100,80,1000,800", "600000.SH,2024-01-02,10.00,1.0,10,1,100,80,1000,800"));

        var issue = Assert.Single(DataImporter.Validate(SourceFormat.TuShare, tmp.File("in")).Issues);

        Assert.Equal((IssueKind.DuplicateRow, "b.csv", 3L), (issue.Kind, issue.File, issue.Line));
        Assert.Contains("a.csv:2", issue.Message);
    }

    public static TheoryData<string, string, IssueKind, string> BadFinaRows => new()
    {
        { "bad_symbol", "60000X.SH,20240427,20240331,0.4,2.0,1,1,22,0", IssueKind.BadSymbol, "ts_code" },
        { "bad_ann_date", "600000.SH,2024-04-31,20240331,0.4,2.0,1,1,22,0", IssueKind.BadDate, "ann_date" },
        { "missing_ann_date", "600000.SH,,20240331,0.4,2.0,1,1,22,0", IssueKind.MissingValue, "ann_date" },
        { "bad_end_date", "600000.SH,20240427,202403,0.4,2.0,1,1,22,0", IssueKind.BadDate, "end_date" },
        { "announced_before_period_end", "600000.SH,20240327,20240331,0.4,2.0,1,1,22,0", IssueKind.BadDate, "ann_date" },
        { "malformed_roe", "600000.SH,20240427,20240331,0.4,2.0%,1,1,22,0", IssueKind.MalformedNumber, "roe" },
        { "infinite_eps", "600000.SH,20240427,20240331,-inf,2.0,1,1,22,0", IssueKind.MalformedNumber, "eps" },
        { "bad_update_flag", "600000.SH,20240427,20240331,0.4,2.0,1,1,22,yes", IssueKind.MalformedNumber, "update_flag" },
    };

    [Theory]
    [MemberData(nameof(BadFinaRows))]
    public void Bad_fina_indicator_row_is_rejected_with_its_place(string name, string row, IssueKind kind, string column)
    {
        using var tmp = new TempDir();
        // The good row: a loss (negative eps, roe, growth) with a missing or_yoy is fine.
        var file = tmp.Write($"{name}.csv", Lines(FinaHeader, "600000.SH,20240330,20231231,-0.5,-3.2,-120.5,,22,1", row));

        var report = DataImporter.Validate(SourceFormat.TuShare, file);

        var issue = Assert.Single(report.Issues);
        Assert.Equal((IssueSeverity.Error, kind, $"{name}.csv", 3L, column), (issue.Severity, issue.Kind, issue.File, issue.Line, issue.Column));
        Assert.Equal((1L, 1L), (report.RowsAccepted, report.RowsRejected));
    }

    // ---- merge into the store ----

    [Fact]
    public async Task New_rows_replace_stored_rows_with_the_same_key_and_keep_the_rest()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        var first = await DataImporter.ImportAsync(SourceFormat.TuShare, TestPaths.Fixture("fundamentals"), store);
        Assert.True(first.Written);
        Assert.Equal((4L, 5), (first.Store!.Manifest.Valuations, first.Store.Manifest.FinancialReports));

        tmp.Write("more/daily_basic.csv", Lines(DailyBasicHeader,
            "600000.SH,20240102,6.61,0.2,5.0,0.4,2935217.3876,2935217.3876,1940178.6932,1940178.6932", // replaces
            "600000.SH,20240104,6.70,0.3,4.6,0.36,2935217.3876,2935217.3876,1966595.6497,1966595.6497")); // new
        tmp.Write("more/fina_indicator.csv", Lines(FinaHeader,
            "600000.SH,20240427,20240331,0.45,2.3,-9.0,-7.0,22.05,0",   // same announcement: replaces
            "600000.SH,20240510,20240331,0.39,2.0,-10.1,-7.6,22.00,1")); // a restatement: a new announcement
        var second = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.File("more"), store);

        Assert.Equal((1, 1), (second.ReplacedValuations, second.ReplacedFinancials));
        var s = MarketStore.Open(store);
        Assert.Equal((5L, 6), (s.Manifest.Valuations, s.Manifest.FinancialReports));
        var valuations = await s.ReadValuationsAsync();
        Assert.Equal(5, valuations.Count);
        Assert.Equal(valuations.OrderBy(v => v.Symbol).ThenBy(v => v.Date), valuations); // stored sorted
        Assert.Equal(5.0, valuations.Single(v => v.Symbol == Pufa && v.Date == D(20240102)).PeTtm);
        Assert.Equal(4.5336, valuations.Single(v => v.Symbol == Pufa && v.Date == D(20240103)).PeTtm); // untouched
        Assert.Equal(19_665_956_497.0, valuations.Single(v => v.Date == D(20240104)).TotalMarketValue, 1e-3);

        var reports = await s.ReadFinancialsAsync();
        var q1 = reports.Where(r => r.Symbol == Pufa && r.EndDate == D(20240331)).OrderBy(r => r.AnnDate).ToList();
        Assert.Equal([(D(20240427), 0.45), (D(20240510), 0.39)], q1.Select(r => (r.AnnDate, r.Eps)));
        Assert.Equal(2, reports.Count(r => r.Symbol == Pufa && r.EndDate == D(20231231)));

        // An import without fundamentals carries them over unchanged.
        tmp.Write("bars/daily.csv", Lines(DailyHeader, "600000.SH,20240102,6.60,6.65,6.55,6.61,6.60,1000,661"));
        var third = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.File("bars"), store);
        Assert.Equal((5L, 6), (third.Store!.Manifest.Valuations, third.Store.Manifest.FinancialReports));
        Assert.Equal(valuations, await third.Store.ReadValuationsAsync());
        Assert.Equal(reports, await third.Store.ReadFinancialsAsync());
    }

    [Fact]
    public async Task A_failure_between_write_and_swap_leaves_the_old_fundamentals_intact()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        await DataImporter.ImportAsync(SourceFormat.TuShare, TestPaths.Fixture("fundamentals"), store);
        var before = MarketStore.Open(store);
        var valuations = await before.ReadValuationsAsync();
        var reports = await before.ReadFinancialsAsync();

        tmp.Write("more/daily_basic.csv", Lines(DailyBasicHeader, "600000.SH,20240102,6.61,0.2,99,0.4,1,1,1,1"));
        tmp.Write("more/fina_indicator.csv", Lines(FinaHeader, "600000.SH,20240330,20231231,9.99,99,1,1,1,1"));
        await Assert.ThrowsAsync<IOException>(() => DataImporter.ImportAsync(SourceFormat.TuShare, tmp.File("more"), store,
            new ImportOptions { BeforeSwap = () => throw new IOException("disk full (injected)") }));

        var after = MarketStore.Open(store);
        Assert.Equal(before.Manifest.Version, after.Manifest.Version);
        Assert.Equal((4L, 5), (after.Manifest.Valuations, after.Manifest.FinancialReports));
        Assert.Equal(valuations, await after.ReadValuationsAsync());
        Assert.Equal(reports, await after.ReadFinancialsAsync());
        Assert.Empty(Directory.EnumerateDirectories(store, ".staging-*"));
    }

    [Fact]
    public async Task Strict_import_with_a_bad_valuation_writes_nothing()
    {
        using var tmp = new TempDir();
        var store = tmp.File("store");
        await DataImporter.ImportAsync(SourceFormat.TuShare, TestPaths.Fixture("fundamentals"), store);
        var bad = tmp.Write("bad/daily_basic.csv", Lines(DailyBasicHeader, "600000.SH,20240105,6.61,0.2,5,0.4,-1,1,1,1"));

        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, bad, store, new ImportOptions { Strict = true });

        Assert.False(result.Written);
        Assert.Equal(1, MarketStore.Open(store).Manifest.Version);
    }

    // ---- store ----

    private static readonly Valuation[] SomeValuations =
    [
        new(PingAn, D(20240103), 1.94e10, 1.9e10, 1.8e11, 1.7e11, double.NaN, 0.5, 0.73),
        new(Pufa, D(20240102), 2.9e10, 2.9e10, 1.9e10, 1.9e10, 4.51, 0.36, 0.13),
        new(PingAn, D(20240102), 1.94e10, 1.9e10, 1.82e11, 1.72e11, 4.21, double.NaN, 0.7286),
    ];

    private static readonly FinancialReport[] SomeReports =
    [
        new(Pufa, D(20240830), D(20231231), 5.81, -28.33, -8.45, 1.18, 21.84),
        new(Pufa, D(20240330), D(20231231), 6.0, -26.1, double.NaN, 1.22, 21.86),
        new(PingAn, D(20240420), D(20240331), 3.1, 2.5, -13.9, 0.66, 22.85),
    ];

    [Fact]
    public async Task Store_round_trips_valuations_and_financials_sorted()
    {
        using var tmp = new TempDir();
        var bars = new BarTable();
        bars.Add(new DailyBar(Pufa, D(20240102), 6.60m, 6.65m, 6.55m, 6.61m, 6.60m, 100_000, 661_000m, 1.0));

        var written = await MarketStore.WriteAsync(tmp.Path, bars, [], [], SomeValuations, SomeReports, ["test"]);
        var store = MarketStore.Open(tmp.Path);

        Assert.Equal((3L, 3), (store.Manifest.Valuations, store.Manifest.FinancialReports));
        Assert.Equal(SomeValuations.OrderBy(v => v.Symbol).ThenBy(v => v.Date), await store.ReadValuationsAsync()); // NaN survives
        Assert.Equal(SomeReports.OrderBy(r => r.Symbol).ThenBy(r => r.AnnDate).ThenBy(r => r.EndDate), await store.ReadFinancialsAsync());
        Assert.True(File.Exists(Path.Combine(store.VersionDirectory, "valuations.parquet")));
        Assert.True(File.Exists(Path.Combine(store.VersionDirectory, "financials.parquet")));
        var summary = await StoreSummary.ComputeAsync(store);
        Assert.Equal((3L, 3), (summary.Valuations, summary.FinancialReports));
    }

    [Fact]
    public async Task A_store_written_before_fundamentals_existed_reads_as_having_none()
    {
        using var tmp = new TempDir();
        var root = tmp.File("store");
        var input = tmp.Write("in/daily.csv", Lines(DailyHeader,
            "600000.SH,20240102,6.60,6.65,6.55,6.61,6.60,1000,661", "600000.SH,20240103,6.60,6.70,6.55,6.64,6.61,1000,664"));
        var first = await DataImporter.ImportAsync(SourceFormat.TuShare, input, root);
        // Make it an old version: no fundamentals files, no counts in the manifest.
        var dir = first.Store!.VersionDirectory;
        File.Delete(Path.Combine(dir, "valuations.parquet"));
        File.Delete(Path.Combine(dir, "financials.parquet"));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!.AsObject();
        manifest.Remove("valuations");
        manifest.Remove("financial_reports");
        File.WriteAllText(Path.Combine(dir, "manifest.json"), manifest.ToJsonString());

        var old = MarketStore.Open(root);
        Assert.Equal((0L, 0), (old.Manifest.Valuations, old.Manifest.FinancialReports));
        Assert.Empty(await old.ReadValuationsAsync());
        Assert.Empty(await old.ReadFinancialsAsync());
        var panel = await MarketPanel.LoadAsync(old);
        Assert.Null(panel.Valuations);
        Assert.Null(panel.Financials);

        // Imports into it work, with or without fundamentals.
        var bars = await DataImporter.ImportAsync(SourceFormat.TuShare, tmp.Write("b/daily.csv", Lines(DailyHeader, "600000.SH,20240104,6.64,6.70,6.60,6.65,6.64,1000,665")), root);
        Assert.Equal((3L, 0L), (bars.Store!.Manifest.Bars, bars.Store.Manifest.Valuations));
        var withValuations = await DataImporter.ImportAsync(SourceFormat.TuShare, TestPaths.Fixture("fundamentals/daily_basic.csv"), root);
        Assert.Equal(4L, withValuations.Store!.Manifest.Valuations);
    }

    // ---- point in time ----

    [Fact]
    public void Latest_report_is_the_one_announced_on_or_before_the_day_and_a_restatement_wins_from_its_own_date()
    {
        FinancialReport R(int ann, int end, double eps) => new(Pufa, D(ann), D(end), 1, 1, 1, eps, 10);
        var history = new FinancialHistory([
        [
            R(20240427, 20240331, 0.41),   // Q1
            R(20240330, 20231231, 1.22),   // annual
            R(20240520, 20240331, 0.39),   // Q1 restated
            R(20240830, 20240630, 0.80),   // H1
            R(20240905, 20231231, 1.18),   // annual restated: an older period, never the latest again
        ],
        [],
        ]);

        double? Eps(int day) => history.TryLatest(0, D(day), out var r) ? r.Eps : null;
        Assert.Null(Eps(20240329));
        Assert.Equal(1.22, Eps(20240330));           // announced that day: usable after the close
        Assert.Equal(1.22, Eps(20240426));
        Assert.Equal(0.41, Eps(20240427));
        Assert.Equal(0.41, Eps(20240519));
        Assert.Equal(0.39, Eps(20240520));           // the restatement, from its own date
        Assert.Equal(0.80, Eps(20240830));
        Assert.Equal(0.80, Eps(20241231));
        Assert.False(history.TryLatest(1, D(20241231), out _));
        Assert.Equal(5, history.All(0).Length);
        Assert.True(history.All(0).ToArray().Select(r => r.AnnDate).SequenceEqual(history.All(0).ToArray().Select(r => r.AnnDate).Order()));
    }

    // ---- panel ----

    /// <summary>600000.SH trades 01-02, 01-03 and 01-05 (suspended 01-04); 000001.SZ every day.</summary>
    private static string WriteMarket(TempDir tmp)
    {
        tmp.Write("in/daily.csv", Lines(DailyHeader,
            "600000.SH,20240102,6.60,6.65,6.55,6.61,6.60,1000,661",
            "600000.SH,20240103,6.60,6.70,6.55,6.64,6.61,1000,664",
            "600000.SH,20240105,6.64,6.70,6.60,6.70,6.64,1000,670",
            "000001.SZ,20240102,9.30,9.40,9.30,9.39,9.35,1000,939",
            "000001.SZ,20240103,9.39,9.45,9.35,9.40,9.39,1000,940",
            "000001.SZ,20240104,9.40,9.45,9.35,9.42,9.40,1000,942",
            "000001.SZ,20240105,9.42,9.45,9.35,9.44,9.42,1000,944"));
        tmp.Write("in/daily_basic.csv", Lines(DailyBasicHeader,
            "600000.SH,20240102,6.61,0.13,4.51,0.356,2935217.3876,2935217.3876,1940178.6932,1940178.6932",
            "600000.SH,20240103,6.64,0.18,4.53,0.357,2935217.3876,2935217.3876,1948984.3454,1948984.3454",
            "600000.SH,20240105,6.70,0.20,4.57,0.360,2935217.3876,2935217.3876,1966595.6497,1966595.6497",
            "000001.SZ,20240104,9.42,0.70,4.23,0.501,1940591.8198,1940560.8746,18280374.9425,18280083.4387",
            "688981.SH,20240104,50.00,1.00,40.0,3.0,100,50,5000,2500", // not in the bars: ignored by the panel
            "000001.SZ,20240106,9.44,0.70,4.23,0.501,1,1,1,1")); // not a trading day of the panel: ignored
        tmp.Write("in/fina_indicator.csv", Lines(FinaHeader,
            "600000.SH,20231030,20230930,1.05,5.0,-20,-5,21.5,0",
            "600000.SH,20240103,20230930,1.00,4.8,-22,-5,21.4,1", // restated on 01-03
            "688981.SH,20231030,20230930,0.5,3.0,10,5,20,0"));
        return tmp.File("in");
    }

    [Fact]
    public async Task Panel_loads_valuations_and_carries_them_over_a_suspension()
    {
        using var tmp = new TempDir();
        var result = await DataImporter.ImportAsync(SourceFormat.TuShare, WriteMarket(tmp), tmp.File("store"));
        Assert.False(result.Report.HasErrors, string.Join("\n", result.Report.Issues));

        var panel = await MarketPanel.LoadAsync(result.Store!);
        var v = Assert.IsType<ValuationPanel>(panel.Valuations);
        int pufa = panel.SymbolIndex(Pufa), pingAn = panel.SymbolIndex(PingAn);
        int d3 = panel.DayIndex(D(20240103)), d4 = panel.DayIndex(D(20240104)), d5 = panel.DayIndex(D(20240105));
        Assert.True(panel.IsSuspended(d4, pufa));

        int c3 = panel.Cell(d3, pufa), c4 = panel.Cell(d4, pufa), c5 = panel.Cell(d5, pufa);
        Assert.Equal(19_489_843_454.0, v.TotalMarketValue[c3], 1e-3);
        // Suspended: the last valuation carries (the price carries too); nothing traded.
        Assert.Equal(v.TotalMarketValue[c3], v.TotalMarketValue[c4]);
        Assert.Equal(v.CirculatingMarketValue[c3], v.CirculatingMarketValue[c4]);
        Assert.Equal(v.TotalShares[c3], v.TotalShares[c4]);
        Assert.Equal(v.FloatShares[c3], v.FloatShares[c4]);
        Assert.Equal(4.53, v.PeTtm[c4]);
        Assert.Equal(0.357, v.Pb[c4]);
        Assert.Equal(0.0, v.TurnoverRate[c4]);
        Assert.Equal(4.57, v.PeTtm[c5]);

        // A traded day without a daily_basic row stays missing; a listed stock's own row is used.
        Assert.True(double.IsNaN(v.PeTtm[panel.Cell(d3, pingAn)]));
        Assert.Equal(4.23, v.PeTtm[panel.Cell(d4, pingAn)]);
        Assert.True(double.IsNaN(v.PeTtm[panel.Cell(d5, pingAn)]));
        Assert.Equal(-1, panel.SymbolIndex(Symbol.Parse("688981.SH")));

        // Financials: per panel symbol, point in time.
        var f = Assert.IsType<FinancialHistory>(panel.Financials);
        Assert.Equal(panel.SymbolCount, f.SymbolCount);
        Assert.True(f.TryLatest(pufa, D(20240102), out var r2));
        Assert.Equal(1.05, r2.Eps);
        Assert.True(f.TryLatest(pufa, D(20240103), out var r3));
        Assert.Equal(1.00, r3.Eps);
        Assert.False(f.TryLatest(pingAn, D(20240105), out _));
    }

    [Fact]
    public void FromBars_takes_valuations_and_financials_and_matches_the_store_route()
    {
        var bars = new BarTable();
        bars.Add(new DailyBar(Pufa, D(20240102), 6.60m, 6.65m, 6.55m, 6.61m, 6.60m, 100_000, 661_000m, 1.0));
        bars.Add(new DailyBar(Pufa, D(20240104), 6.60m, 6.65m, 6.55m, 6.61m, 6.61m, 100_000, 661_000m, 1.0));
        bars.Add(new DailyBar(PingAn, D(20240102), 9.30m, 9.40m, 9.30m, 9.39m, 9.35m, 100_000, 939_000m, 1.0));
        bars.Add(new DailyBar(PingAn, D(20240103), 9.39m, 9.45m, 9.35m, 9.40m, 9.39m, 100_000, 940_000m, 1.0));
        bars.Add(new DailyBar(PingAn, D(20240104), 9.40m, 9.45m, 9.35m, 9.42m, 9.40m, 100_000, 942_000m, 1.0));

        Assert.Null(MarketPanel.FromBars(bars).Valuations);
        Assert.Null(MarketPanel.FromBars(bars, null, [], []).Valuations);
        Assert.Null(MarketPanel.FromBars(bars, null, [], []).Financials);

        var panel = MarketPanel.FromBars(bars, null, SomeValuations, SomeReports);
        var v = panel.Valuations!;
        int pufa = panel.SymbolIndex(Pufa), pingAn = panel.SymbolIndex(PingAn);
        Assert.True(panel.IsSuspended(1, pufa));
        Assert.Equal(4.51, v.PeTtm[panel.Cell(1, pufa)]); // carried from 01-02
        Assert.Equal(0.0, v.TurnoverRate[panel.Cell(1, pufa)]);
        Assert.True(double.IsNaN(v.PeTtm[panel.Cell(2, pufa)])); // traded, no row
        Assert.True(double.IsNaN(v.PeTtm[panel.Cell(1, pingAn)])); // the row's own NaN, traded: not carried
        Assert.Equal(0.5, v.Pb[panel.Cell(1, pingAn)]);
        Assert.True(panel.Financials!.TryLatest(pufa, D(20240904), out var r));
        Assert.Equal(1.18, r.Eps);
        Assert.True(panel.Financials.TryLatest(pingAn, D(20240420), out r));
        Assert.Equal(0.66, r.Eps);
    }
}
