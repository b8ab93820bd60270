using System.CommandLine;
using System.Diagnostics;
using Trading.Runtime.Alerts;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading alerts test --config NODE.conf [--severity critical] [--message TEXT]</c>: one test message through every
/// sink the node's <c>trading.alerts</c> block configures (the log, WeCom, e-mail), with the notifier's retries; one
/// line per sink (ok, or why not) and exit code 1 if any failed — the check after setting up a robot or a mailbox.
/// </summary>
internal static class AlertsCommand
{
    public static Command Build()
    {
        var config = new Option<string>("--config", "-c") { Description = "The node's HOCON (its trading.alerts block)", Required = true };
        var severity = new Option<string>("--severity") { Description = "info, warning or critical (the test message's severity)", DefaultValueFactory = _ => "critical" };
        var message = new Option<string?>("--message") { Description = "Text of the test message" };
        var test = new Command("test", "Send one test message through every configured alert sink") { config, severity, message };
        test.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var file = parse.GetValue(config)!;
            var text = parse.GetValue(severity)!.Trim();
            if (text.Length == 0 || !char.IsLetter(text[0]) || !Enum.TryParse<AlertSeverity>(text, ignoreCase: true, out var level) || !Enum.IsDefined(level))
                throw new FormatException($"--severity '{text}' must be info, warning or critical.");
            var options = AlertOptions.From(HoconFile.Load(file), file);
            if (!options.HasRemoteSinks)
                throw new ConfigException($"{file}: 'trading.alerts' configures no wecom or email block: nothing to test but the log.");
            return await SendAsync(options, level, parse.GetValue(message) ?? "test message from trading alerts test", ct);
        }));
        var cmd = new Command("alerts", "Alert notifications (WeCom group robot, e-mail, log)");
        cmd.Subcommands.Add(test);
        return cmd;
    }

    private static async Task<int> SendAsync(AlertOptions options, AlertSeverity severity, string text, CancellationToken ct)
    {
        var notice = new AlertNotice(severity, "test", "trading alerts test", text, DateTime.Now);
        var retry = AlertRetry.Pipeline(options, TimeProvider.System);
        int failed = 0;
        foreach (var sink in NotifierActor.Sinks(options))
            using (sink)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await AlertRetry.SendAsync(retry, sink, notice, options.Timeout, ct);
                    Console.WriteLine($"{sink.Name}: ok ({watch.ElapsedMilliseconds} ms)");
                }
                catch (AlertSinkException e)
                {
                    failed++;
                    Console.WriteLine($"{sink.Name}: failed: {Cli.OneLine(e.Message)}");
                }
            }
        return failed == 0 ? 0 : 1;
    }
}
