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
        var lockOptions = DataCommands.LockOptions();
        var cmd = new Command("synth", "Generate a deterministic synthetic market (factor structure, limits, suspensions, ST, IPOs, delistings, dividends) into a store")
        {
            symbols, days, seed, start, allBoards, store, replace, lockOptions.NoWait, lockOptions.Timeout,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var dir = parse.GetValue(store)!;
            var options = Options(parse.GetValue(symbols), parse.GetValue(days), parse.GetValue(seed), parse.GetValue(start)!, !parse.GetValue(allBoards));
            var lockSettings = DataCommands.LockSettings(parse, lockOptions);
            if (MarketStore.Exists(dir) && !parse.GetValue(replace)) throw AlreadyHoldsData(dir);
            var clock = Stopwatch.StartNew();
            MarketStore written = null!;
            await AnsiConsole.Status().StartAsync("Generating…", async ctx =>
            {
                SyntheticMarket market;
                try
                {
                    market = SyntheticMarketGenerator.Generate(options);
                }
                catch (ArgumentException e) // e.g. more stocks of a board than its code ranges hold
                {
                    throw new FormatException($"invalid synthetic market: {e.Message}");
                }
                ctx.Status($"Writing {market.Bars.Count:N0} bars…");
                // Checked again under the lock: an import may have created the store meanwhile.
                using var writeLock = await StoreWriteLock.AcquireAsync(dir, lockSettings, ct);
                if (MarketStore.Exists(dir) && !parse.GetValue(replace)) throw AlreadyHoldsData(dir);
                written = await SyntheticStore.WriteAsync(market, dir, ct, writeLock);
            });
            Console.WriteLine($"Synthetic market in {dir} (version {written.Manifest.Version}): {written.Manifest.Bars:N0} bars, {written.Manifest.Symbols.Length:N0} symbols, {written.Manifest.Days.Length:N0} days, in {clock.Elapsed.TotalSeconds:F1} s");
            return 0;
        }));
        return cmd;
    }

    private static IOException AlreadyHoldsData(string dir) =>
        new($"Store '{Trading.Data.Text.Printable.Escape(dir)}' already holds data; pass --replace to overwrite it with a synthetic market.");

    /// <summary>Largest market the command generates: 20,000 stocks, 10,000 days (about 40 years), 100 M bars.</summary>
    internal const int MaxSymbols = 20_000, MaxDays = 10_000;
    internal const long MaxBars = 100_000_000;

    /// <summary>The generator's options from the command line; a value out of range is a one-line error naming the option.</summary>
    internal static SyntheticMarketOptions Options(int symbols, int days, ulong seed, string start, bool respectBoardLaunchDates)
    {
        if (symbols is < 1 or > MaxSymbols) throw new FormatException($"--symbols must be between 1 and {MaxSymbols:N0} (got {symbols}).");
        if (days is < 1 or > MaxDays) throw new FormatException($"--days must be between 1 and {MaxDays:N0} (got {days}).");
        if ((long)symbols * days > MaxBars)
            throw new FormatException($"--symbols × --days is {(long)symbols * days:N0} bars, more than {MaxBars:N0}; lower one of them.");
        if (!DateOnly.TryParseExact(start, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            throw new FormatException($"--start '{Trading.Data.Text.Printable.Escape(start)}' is not a date (YYYY-MM-DD).");
        if (first.Year is < 1990 or > 2200) throw new FormatException($"--start {first:yyyy-MM-dd} must lie between 1990 and 2200.");
        var options = new SyntheticMarketOptions(symbols, days, seed) { Start = first, RespectBoardLaunchDates = respectBoardLaunchDates };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"invalid synthetic market: {e.Message}");
        }
        return options;
    }
}
