using System.CommandLine;
using Serilog;
using Trading.Node.Commands;

namespace Trading.Node;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        bool verbose = args.Contains("--verbose") || args.Contains("-v");
        Logging.Configure(verbose);
        try
        {
            var root = BuildCommand();
            return await root.Parse(args).InvokeAsync();
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    public static RootCommand BuildCommand()
    {
        var root = new RootCommand("trading — Trading.Actors: A-share research, backtest and live trading runtime");
        root.Options.Add(new Option<bool>("--verbose", "-v") { Description = "Debug logs on the console", Recursive = true });
        root.Subcommands.Add(DataCommands.Build());
        root.Subcommands.Add(FeesCommand.Build());
        root.Subcommands.Add(BacktestCommand.Build());
        root.Subcommands.Add(FactorsCommand.Build());
        root.Subcommands.Add(SweepCommand.Build());
        root.Subcommands.Add(SweepCommand.Worker());
        root.Subcommands.Add(ReportCommands.Metrics());
        root.Subcommands.Add(ReportCommands.Report());
        return root;
    }
}
