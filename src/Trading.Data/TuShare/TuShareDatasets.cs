namespace Trading.Data.TuShare;

/// <summary>How a dataset is asked for: one call (paged) per trade date, per index code, per stock, or whole.</summary>
public enum FetchPlan
{
    PerTradeDate,
    PerIndexCode,
    PerStock,
    Whole,
}

/// <summary>
/// A TuShare API the fetch knows: the fields it asks for (exactly the columns the CSV import reads for that kind,
/// README "Input formats"), the file name the import recognises it by, its per-call row cap (A_SHARE_RULES.md §4;
/// where the docs give none, a cap below any we know of), and how it is paged.
/// </summary>
public sealed record TuShareDataset(string Name, string Fields, string FileName, int RowCap, FetchPlan Plan)
{
    public string[] FieldList { get; } = Fields.Split(',');

    public static readonly TuShareDataset Daily = new("daily", "ts_code,trade_date,open,high,low,close,pre_close,vol,amount", "daily.csv", 6000, FetchPlan.PerTradeDate);
    public static readonly TuShareDataset AdjFactor = new("adj_factor", "ts_code,trade_date,adj_factor", "adj_factor.csv", 6000, FetchPlan.PerTradeDate);
    public static readonly TuShareDataset DailyBasic = new("daily_basic",
        "ts_code,trade_date,close,turnover_rate,pe_ttm,pb,total_share,float_share,total_mv,circ_mv", "daily_basic.csv", 6000, FetchPlan.PerTradeDate);
    public static readonly TuShareDataset StkLimit = new("stk_limit", "ts_code,trade_date,pre_close,up_limit,down_limit", "stk_limit.csv", 5800, FetchPlan.PerTradeDate);
    public static readonly TuShareDataset StockBasic = new("stock_basic", "ts_code,name,area,industry,list_date,delist_date,list_status", "stock_basic.csv", 5000, FetchPlan.Whole);
    public static readonly TuShareDataset NameChange = new("namechange", "ts_code,name,start_date,end_date,ann_date,change_reason", "namechange.csv", 5000, FetchPlan.Whole);
    /// <summary>The import recognises an index file by its name starting with "index".</summary>
    public static readonly TuShareDataset IndexDaily = new("index_daily", "ts_code,trade_date,open,high,low,close,vol,amount", "index_daily.csv", 8000, FetchPlan.PerIndexCode);
    public static readonly TuShareDataset FinaIndicator = new("fina_indicator",
        "ts_code,ann_date,end_date,roe,netprofit_yoy,or_yoy,eps,bps,update_flag", "fina_indicator.csv", 100, FetchPlan.PerStock);
    /// <summary>Consolidated income statements (asked with report_type 1), kept by f_ann_date (else ann_date).</summary>
    public static readonly TuShareDataset Income = new("income",
        "ts_code,ann_date,f_ann_date,end_date,report_type,comp_type,basic_eps,total_revenue,revenue,operate_profit,total_profit,n_income,n_income_attr_p,update_flag",
        "income.csv", 100, FetchPlan.PerStock);
    /// <summary>Consolidated balance sheets (asked with report_type 1), kept by f_ann_date (else ann_date).</summary>
    public static readonly TuShareDataset BalanceSheet = new("balancesheet",
        "ts_code,ann_date,f_ann_date,end_date,report_type,total_assets,total_liab,total_hldr_eqy_exc_min_int,total_cur_assets,total_cur_liab,money_cap,update_flag",
        "balancesheet.csv", 100, FetchPlan.PerStock);
    /// <summary>Not stored: checked against the daily bars of the store and the fetch (warnings in the import report).</summary>
    public static readonly TuShareDataset SuspendD = new("suspend_d", "ts_code,trade_date,suspend_timing,suspend_type", "suspend_d.csv", 5000, FetchPlan.PerTradeDate);
    /// <summary>Not stored: it decides which days are asked for.</summary>
    public static readonly TuShareDataset TradeCal = new("trade_cal", "exchange,cal_date,is_open", "", 5000, FetchPlan.Whole);

    /// <summary>In the order they are fetched (and written): cheap reference data last, so a failure costs least.</summary>
    /// <remarks>suspend_d is not stored but read by the import (its check of the bars), so it is listed here too.</remarks>
    public static readonly IReadOnlyList<TuShareDataset> Storable = [Daily, AdjFactor, StkLimit, DailyBasic, SuspendD, IndexDaily, StockBasic, NameChange, FinaIndicator, Income, BalanceSheet];

    /// <summary>
    /// What a refresh fetches unless told otherwise: everything but the per-stock datasets fina_indicator, income
    /// and balancesheet (one call per stock each: ~25 minutes at 200 calls a minute) and suspend_d (one more call a
    /// day, asked for when its check of the bars is wanted).
    /// </summary>
    public static readonly IReadOnlyList<TuShareDataset> Default = [Daily, AdjFactor, StkLimit, DailyBasic, IndexDaily, StockBasic, NameChange];

    /// <summary>Parses <c>--what</c>: comma-separated names; trade_cal is accepted and always fetched.</summary>
    public static IReadOnlyList<TuShareDataset> Parse(string? what)
    {
        if (string.IsNullOrWhiteSpace(what)) return Default;
        var chosen = new HashSet<TuShareDataset>();
        foreach (var raw in what.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = raw.ToLowerInvariant();
            if (name == TradeCal.Name) continue;
            chosen.Add(Storable.FirstOrDefault(d => d.Name == name)
                ?? throw new TuShareSetupException($"--what {Text.Printable.Escape(raw)}: unknown; known: {string.Join(", ", Storable.Select(d => d.Name))}, trade_cal."));
        }
        if (chosen.Count == 0) throw new TuShareSetupException("--what names no dataset to store.");
        // adj_factor and stk_limit only join the daily rows of the same import: alone they would be read and dropped.
        if (!chosen.Contains(Daily) && (chosen.Contains(AdjFactor) || chosen.Contains(StkLimit)))
            throw new TuShareSetupException("--what: adj_factor and stk_limit are joined to the daily bars of the same fetch; add daily.");
        // suspend_d is checked against the bars of the same fetch: alone it would only re-check days already stored.
        if (!chosen.Contains(Daily) && chosen.Contains(SuspendD))
            throw new TuShareSetupException("--what: suspend_d is checked against the daily bars of the same fetch; add daily.");
        return Storable.Where(chosen.Contains).ToList();
    }
}
