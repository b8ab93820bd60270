using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Trading.Data.Store;
using Trading.Data.Synthetic;

namespace Trading.Node.Commands;

/// <summary><c>trading data synth</c>: a seeded synthetic A-share market written into a store.</summary>
internal static class SynthCommand
{
    public static Command Build()
    {
        var symbols = new Option<int>("--symbols") { Description = "Number of stocks", DefaultValueFactory = _ => 500 };
        var days = new Option<int>("--days") { Description = "Number of trading days", DefaultValueFactory = _ => 750 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed (same seed, same market)", DefaultValueFactory = _ => 42 };
        var start = new Option<string>("--start") { Description = "First trading day YYYY-MM-DD", DefaultValueFactory = _ => "2015-01-05" };
        var allBoards = new Option<bool>("--all-boards") { Description = "Let STAR and BSE stocks trade before their boards opened (a full-size market from day one)" };
        var store = new Option<string>("--store", "-s") { Description = "Store folder", Required = true };
        var replace = new Option<bool>("--replace") { Description = "Replace an existing store's contents" };
        var cmd = new Command("synth", "Generate a deterministic synthetic market (factor structure, limits, suspensions, ST, IPOs, delistings, dividends) into a store")
        {
            symbols, days, seed, start, allBoards, store, replace,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var dir = parse.GetValue(store)!;
            if (MarketStore.Exists(dir) && !parse.GetValue(replace))
                throw new IOException($"Store '{dir}' already holds data; pass --replace to overwrite it with a synthetic market.");
            var options = new SyntheticMarketOptions(parse.GetValue(symbols), parse.GetValue(days), parse.GetValue(seed))
            {
                Start = DateOnly.ParseExact(parse.GetValue(start)!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                RespectBoardLaunchDates = !parse.GetValue(allBoards),
            };
            var clock = Stopwatch.StartNew();
            MarketStore written = null!;
            await AnsiConsole.Status().StartAsync("Generating…", async ctx =>
            {
                var market = SyntheticMarketGenerator.Generate(options);
                ctx.Status($"Writing {market.Bars.Count:N0} bars…");
                written = await SyntheticStore.WriteAsync(market, dir, ct);
            });
            Console.WriteLine($"Synthetic market in {dir} (version {written.Manifest.Version}): {written.Manifest.Bars:N0} bars, {written.Manifest.Symbols.Length:N0} symbols, {written.Manifest.Days.Length:N0} days, in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return cmd;
    }
}
