using System.CommandLine;
using Serilog;
using Trading.Node.Commands;

namespace Trading.Node;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        StartJitProfile(args);
        bool verbose = args.Contains("--verbose") || args.Contains("-v");
        Logging.Configure(verbose);
        // The process owns its termination signals, not System.CommandLine: its handler forced an exit 2 s after SIGTERM
        // or Ctrl-C (cutting a node's cluster hand-over short) and, when a signal came as a command was ending, threw an
        // unhandled ObjectDisposedException with its stack trace at the user (seen on `kill -TERM` of a paper node). The
        // first SIGTERM / SIGINT cancels the command, which stops gracefully (a node leaves its cluster, flushes its
        // journal and logs); a second one exits at once (130).
        using var stop = new CancellationTokenSource();
        int signals = 0;
        void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) > 1) Environment.Exit(130);
            try { stop.Cancel(); }
            catch (ObjectDisposedException) { }
        }
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
        try
        {
            return await RunAsync(args, stop.Token);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>
    /// Parses and runs a command. The last line of defence: a command-line error is one line (<c>error: …</c>, exit 1)
    /// instead of usage text, and any exception that escapes a command — even one no command expected — is one line
    /// and exit 1, its stack trace in the log file only (System.CommandLine's own handler would print the trace).
    /// </summary>
    public static Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        ParseResult parse;
        try { parse = BuildCommand().Parse(args); }
        catch (Exception e) { return Task.FromResult(Cli.Fail(e)); }
        return InvokeAsync(parse, ct);
    }

    /// <summary>Runs a parsed command line with the one-line error handling of <see cref="RunAsync"/>.</summary>
    public static async Task<int> InvokeAsync(ParseResult parse, CancellationToken ct = default)
    {
        try
        {
            if (parse.Errors.Count > 0)
            {
                Console.Error.WriteLine($"error: {Cli.OneLine(parse.Errors[0].Message)} (see --help)");
                return 1;
            }
            // No termination handler of System.CommandLine's (ProcessTerminationTimeout null): Main owns the signals.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, ct);
        }
        catch (Exception e)
        {
            return Cli.Fail(e);
        }
    }

    /// <summary>
    /// Multi-core JIT: each command records which methods it compiled (a small profile beside the program) and on the
    /// next run compiles them ahead on a background thread, so start-up (actor systems, the first backtest's code
    /// paths) no longer waits for the JIT on the thread doing the work. Best effort: a read-only folder just skips it.
    /// </summary>
    private static void StartJitProfile(string[] args)
    {
        if (Environment.GetEnvironmentVariable("TRADING_JIT_PROFILE") == "0") return;
        try
        {
            var dir = Path.Combine(AppContext.BaseDirectory, ".jit-profiles");
            Directory.CreateDirectory(dir);
            var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "root";
            if (!command.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) command = "other";
            System.Runtime.ProfileOptimization.SetProfileRoot(dir);
            System.Runtime.ProfileOptimization.StartProfile(command + ".jitprofile");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
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
        root.Subcommands.Add(NodeCommand.Build());
        root.Subcommands.Add(NodeCommand.BrokerSim());
        root.Subcommands.Add(JournalCommand.Build());
        root.Subcommands.Add(LeaseCommand.Build());
        root.Subcommands.Add(AlertsCommand.Build());
        root.Subcommands.Add(PTradeCommand.Build());
        root.Subcommands.Add(ConsoleCommand.Build());
        root.Subcommands.Add(ConsoleCommand.Users());
        root.Subcommands.Add(DashboardCommand.Serve());
        root.Subcommands.Add(DashboardCommand.Users());
        return root;
    }
}
