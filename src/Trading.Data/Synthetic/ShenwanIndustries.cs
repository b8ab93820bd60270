namespace Trading.Data.Synthetic;

/// <summary>One Shenwan 2021 level-1 industry (A_SHARE_RULES.md §5).</summary>
/// <param name="IndexCode">The SW index, e.g. <c>801010.SI</c>.</param>
/// <param name="IndustryCode">TuShare's industry_code, e.g. <c>110000</c>.</param>
/// <param name="Name">Chinese name, e.g. 农林牧渔.</param>
/// <param name="EnglishName">English name.</param>
public sealed record ShenwanIndustry(string IndexCode, string IndustryCode, string Name, string EnglishName);

/// <summary>The 31 Shenwan 2021 level-1 industries, in the order of A_SHARE_RULES.md §5.</summary>
public static class ShenwanIndustries
{
    public static IReadOnlyList<ShenwanIndustry> Level1 { get; } =
    [
        new("801010.SI", "110000", "农林牧渔", "Agriculture"),
        new("801030.SI", "220000", "基础化工", "Basic chemicals"),
        new("801040.SI", "230000", "钢铁", "Steel"),
        new("801050.SI", "240000", "有色金属", "Non-ferrous metals"),
        new("801080.SI", "270000", "电子", "Electronics"),
        new("801880.SI", "280000", "汽车", "Autos"),
        new("801110.SI", "330000", "家用电器", "Home appliances"),
        new("801120.SI", "340000", "食品饮料", "Food & beverage"),
        new("801130.SI", "350000", "纺织服饰", "Textiles & apparel"),
        new("801140.SI", "360000", "轻工制造", "Light manufacturing"),
        new("801150.SI", "370000", "医药生物", "Pharma & biotech"),
        new("801160.SI", "410000", "公用事业", "Utilities"),
        new("801170.SI", "420000", "交通运输", "Transportation"),
        new("801180.SI", "430000", "房地产", "Real estate"),
        new("801200.SI", "450000", "商贸零售", "Retail"),
        new("801210.SI", "460000", "社会服务", "Social services"),
        new("801780.SI", "480000", "银行", "Banks"),
        new("801790.SI", "490000", "非银金融", "Non-bank financials"),
        new("801230.SI", "510000", "综合", "Conglomerates"),
        new("801710.SI", "610000", "建筑材料", "Building materials"),
        new("801720.SI", "620000", "建筑装饰", "Construction & decoration"),
        new("801730.SI", "630000", "电力设备", "Power equipment"),
        new("801890.SI", "640000", "机械设备", "Machinery"),
        new("801740.SI", "650000", "国防军工", "Defense"),
        new("801750.SI", "710000", "计算机", "Computers"),
        new("801760.SI", "720000", "传媒", "Media"),
        new("801770.SI", "730000", "通信", "Telecom"),
        new("801950.SI", "740000", "煤炭", "Coal"),
        new("801960.SI", "750000", "石油石化", "Petroleum & petrochemicals"),
        new("801970.SI", "760000", "环保", "Environmental protection"),
        new("801980.SI", "770000", "美容护理", "Beauty & personal care"),
    ];

    /// <summary>Index of 银行 (Banks) in <see cref="Level1"/>.</summary>
    internal const int Banks = 16;

    /// <summary>Index of 非银金融 (Non-bank financials) in <see cref="Level1"/>.</summary>
    internal const int NonBankFinancials = 17;

    /// <summary>Rough relative counts of listed companies per industry (shape of the 2024 A-share market).</summary>
    internal static ReadOnlySpan<int> Weights =>
    [
        100, 400, 45, 130, 470, 260, 95, 125, 110, 155,
        480, 130, 125, 110, 100, 80, 42, 85, 30, 75,
        155, 350, 520, 130, 340, 140, 125, 38, 48, 130,
        30,
    ];

    /// <summary>Two-character name endings that suit each industry, for synthetic company names.</summary>
    internal static readonly string[][] NameEndings =
    [
        ["农业", "牧业", "种业"], ["化工", "化学", "新材"], ["钢铁", "特钢"], ["矿业", "有色", "铝业"],
        ["电子", "光电", "微电"], ["汽车", "汽配"], ["电器", "家电"], ["食品", "酒业", "乳业"],
        ["纺织", "服饰"], ["纸业", "家居"], ["医药", "药业", "生物"], ["电力", "水务", "燃气"],
        ["物流", "航运", "港口"], ["地产", "置业"], ["商业", "百货"], ["旅游", "教育"],
        ["银行"], ["证券", "保险", "信托"], ["控股", "实业"], ["建材", "水泥"],
        ["建工", "建设"], ["电气", "新能", "电池"], ["机械", "重工", "装备"], ["航天", "防务"],
        ["软件", "信息", "数据"], ["传媒", "文化", "影视"], ["通信", "网络"], ["煤业", "能源"],
        ["石化", "油服"], ["环保", "环境"], ["美妆", "日化"],
    ];
}
