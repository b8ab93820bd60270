using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Trading.Cluster.Control;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading console --cluster HOST:PORT[,HOST:PORT] [--token-file F] [--json] [--yes] [COMMAND ARGS…]</c>: the operator
/// console, a cluster client of the nodes' control endpoints (<see cref="ControlClient"/>). With a command it runs it
/// once (exit 0 when it worked, 1 when refused or failed; <c>--json</c> prints only the JSON); without one it is
/// interactive: coloured tables (Spectre.Console — red for gains and buys, green for losses and sells, the A-share
/// convention), a prompt with history and tab completion, confirmation of dangerous commands.
/// <c>trading console-user add --users-file F --name N --role R</c> issues a token (printed once).
/// </summary>
internal static class ConsoleCommand
{
    public const string TokenVariable = "TRADING_CONSOLE_TOKEN";

    public static Command Build()
    {
        var cluster = new Option<string>("--cluster") { Description = "HOST:PORT of one or more nodes, comma-separated", Required = true };
        var tokenFile = new Option<string?>("--token-file") { Description = $"File holding your token, owner-only (default: ${TokenVariable})" };
        var json = new Option<bool>("--json") { Description = "Print only the answer's JSON (one-shot)" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask to confirm dangerous commands" };
        var system = new Option<string>("--system") { Description = "The cluster's actor system name", DefaultValueFactory = _ => "trading" };
        var config = new Option<string?>("--config", "-c") { Description = "A HOCON file whose trading.cluster.control.tls block the console uses (TLS clusters)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for an answer", DefaultValueFactory = _ => 10 };
        var words = new Argument<string[]>("command") { Description = "A command and its arguments (none: interactive)", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("console", "The operator console: status, positions, orders, pause/resume, kill switch, failover") { cluster, tokenFile, json, yes, system, config, timeout, words };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var token = LoadToken(parse.GetValue(tokenFile));
            var tls = parse.GetValue(config) is { } file ? ClusterTls.Hocon(ConfigBlock.Root(HoconFile.Load(file), file).Block("trading", null)?.Block("cluster", null)?.Block("control", null)) : "";
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 600) throw new FormatException($"--timeout {seconds} must be 1–600 seconds.");
            var contacts = parse.GetValue(cluster)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            await using var client = ControlClient.Connect(contacts, parse.GetValue(system)!.Trim(), token, TimeSpan.FromSeconds(seconds), tls,
                parse.GetValue<bool>("--verbose") ? "WARNING" : "OFF");
            var args = parse.GetValue(words) ?? [];
            if (args.Length > 0) return await OneShot(client, args, parse.GetValue(json), parse.GetValue(yes), ct);
            return await Interactive(client, parse.GetValue(yes), ct);
        }));
        return cmd;
    }

    public static Command Users()
    {
        var file = new Option<string>("--users-file") { Description = "The users file (trading.cluster.control.users-file); created owner-only", Required = true };
        var name = new Option<string>("--name") { Description = "The user's name (shown in the audit trail)", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, operator or admin", Required = true };
        var add = new Command("add", "Add a console user and print its token once (only its SHA-256 is stored)") { file, name, role };
        add.SetAction(parse => Cli.Guard(() =>
        {
            var r = ConsoleUsers.ParseRole(parse.GetValue(role)!, "--role");
            var token = ConsoleUsers.Add(parse.GetValue(file)!, parse.GetValue(name)!.Trim(), r);
            Console.WriteLine(token);
            Console.Error.WriteLine($"user '{parse.GetValue(name)!.Trim()}' ({ConsoleCommands.RoleName(r)}) added; the token above is shown only now: keep it in an owner-only file for --token-file.");
            return 0;
        }));
        var cmd = new Command("console-user", "Users of the operator console");
        cmd.Subcommands.Add(add);
        return cmd;
    }

    /// <summary>The token from an owner-only file, else the environment; an error that names the file, never its text.</summary>
    private static string LoadToken(string? file)
    {
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--token-file: {file} does not exist.");
            ConsoleUsers.RequireOwnerOnly(file);
            var text = File.ReadAllText(file).Trim();
            return text.Length > 0 ? text : throw new ConfigException($"--token-file: {file} is empty.");
        }
        return Environment.GetEnvironmentVariable(TokenVariable)?.Trim() is { Length: > 0 } t
            ? t : throw new ConfigException($"no token: pass --token-file FILE or set {TokenVariable}.");
    }

    private static async Task<int> OneShot(ControlClient client, string[] words, bool json, bool yes, CancellationToken ct)
    {
        var (command, args) = (words[0].ToLowerInvariant(), words[1..]);
        if (ConsoleCommands.Dangerous.Contains(command) && !yes && !Console.IsInputRedirected && !Confirm(command, args)) return 1;
        var reply = await Send(client, command, args, ct);
        if (json)
        {
            if (reply.Json is { } j) Console.WriteLine(j);
            else Console.WriteLine(JsonSerializer.Serialize(new { ok = reply.Ok, error = reply.Ok ? null : reply.Text, text = reply.Ok ? reply.Text : null }, ControlJson.Options));
        }
        else if (reply.Ok) Console.WriteLine(reply.Text);
        if (!reply.Ok) Console.Error.WriteLine($"error: {Cli.OneLine(reply.Text)}");
        return reply.Ok ? 0 : 1;
    }

    private static async Task<ControlReply> Send(ControlClient client, string command, string[] args, CancellationToken ct)
    {
        try { return await client.SendAsync(command, args, ct); }
        catch (ClusterUnreachableException e) { throw new IOException(e.Message); }
    }

    private static bool Confirm(string command, string[] args) =>
        AnsiConsole.Confirm($"[yellow]{Markup.Escape(string.Join(' ', [command, .. args]))}[/]: are you sure?", defaultValue: false);

    private static async Task<int> Interactive(ControlClient client, bool yes, CancellationToken ct)
    {
        var first = await Send(client, "status", [], ct);
        AnsiConsole.MarkupLine($"[bold]trading console[/] — {Markup.Escape(first.Ok ? "connected" : first.Text)}; 'help' lists commands, 'quit' leaves");
        var strategies = Strategies(first.Json);
        var editor = new LineEditor(() => [.. ConsoleCommands.Required.Keys, "help", "quit", .. strategies, "on", "off"]);
        while (!ct.IsCancellationRequested)
        {
            var line = editor.ReadLine("trading> ");
            if (line is null) break;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0) continue;
            var command = words[0].ToLowerInvariant();
            if (command is "quit" or "exit") break;
            if (command == "help")
            {
                var help = new Table().AddColumns("command", "what it does");
                foreach (var (usage, what) in ConsoleCommands.Help) help.AddRow(Markup.Escape(usage), Markup.Escape(what));
                AnsiConsole.Write(help);
                continue;
            }
            if (ConsoleCommands.Dangerous.Contains(command) && !yes && !Confirm(command, words[1..])) continue;
            try
            {
                var reply = await client.SendAsync(command, words[1..], ct);
                Render(command, reply);
                if (command == "status" && reply.Ok) strategies = Strategies(reply.Json);
            }
            catch (ClusterUnreachableException e)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            }
        }
        return 0;
    }

    private static string[] Strategies(string? json)
    {
        try
        {
            using var d = JsonDocument.Parse(json ?? "{}");
            return d.RootElement.TryGetProperty("brain", out var b) && b.TryGetProperty("node", out var n) && n.TryGetProperty("strategies", out var s)
                ? s.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
        }
        catch (JsonException) { return []; }
    }

    /// <summary>Tables for the lists (positions, orders, nodes, alerts); the text otherwise. Red up, green down.</summary>
    private static void Render(string command, ControlReply reply)
    {
        if (!reply.Ok)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(reply.Text)}[/]");
            return;
        }
        var list = command switch { "positions" => "positions", "orders" => "orders", "nodes" => "nodes", "alerts" => "alerts", _ => null };
        if (list is null || reply.Json is null)
        {
            AnsiConsole.WriteLine(reply.Text);
            return;
        }
        using var doc = JsonDocument.Parse(reply.Json);
        if (command == "positions") AnsiConsole.WriteLine(reply.Text.Split('\n')[0]);
        var rows = doc.RootElement.GetProperty(list).EnumerateArray().ToArray();
        if (rows.Length == 0)
        {
            AnsiConsole.MarkupLine($"[grey]no {list}[/]");
            return;
        }
        var columns = rows[0].EnumerateObject().Select(p => p.Name).ToArray();
        var table = new Table().AddColumns(columns);
        foreach (var r in rows)
            table.AddRow(columns.Select(c => Cell(c, r.GetProperty(c))).ToArray());
        AnsiConsole.Write(table);
    }

    private static string Cell(string column, JsonElement v)
    {
        var text = v.ValueKind switch
        {
            JsonValueKind.Null => "",
            JsonValueKind.Array => string.Join(",", v.EnumerateArray().Select(x => x.ToString())),
            _ => v.ToString(),
        };
        var colour = (column, v.ValueKind) switch
        {
            ("pnl", JsonValueKind.Number) => v.GetDecimal() > 0 ? "red" : v.GetDecimal() < 0 ? "green" : null,
            ("side", _) => text == "Buy" ? "red" : text == "Sell" ? "green" : null,
            ("reachable", JsonValueKind.False) => "red",
            _ => null,
        };
        return colour is null ? Markup.Escape(text) : $"[{colour}]{Markup.Escape(text)}[/]";
    }
}

/// <summary>
/// A small line editor over <see cref="Console.ReadKey(bool)"/>: history (up/down), tab completion of the last word,
/// backspace, left/right. Spectre.Console's prompts have neither history nor completion, and a readline library would
/// be a native dependency; when input is redirected (a script, a test) it falls back to <see cref="Console.ReadLine"/>.
/// </summary>
internal sealed class LineEditor(Func<IReadOnlyList<string>> words)
{
    private readonly List<string> _history = [];

    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        if (Console.IsInputRedirected) return Console.ReadLine();
        var line = new System.Text.StringBuilder();
        int cursor = 0, back = _history.Count;
        void Redraw()
        {
            Console.Write("\r" + prompt + line + " \b");
            Console.Write(new string(' ', Math.Max(0, Console.WindowWidth - prompt.Length - line.Length - 2)));
            Console.Write("\r" + prompt + line.ToString(0, cursor));
        }
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    var text = line.ToString();
                    if (text.Trim().Length > 0 && (_history.Count == 0 || _history[^1] != text)) _history.Add(text);
                    return text;
                case ConsoleKey.Backspace when cursor > 0:
                    line.Remove(--cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0: cursor--; break;
                case ConsoleKey.RightArrow when cursor < line.Length: cursor++; break;
                case ConsoleKey.UpArrow when back > 0:
                    line.Clear().Append(_history[--back]);
                    cursor = line.Length;
                    break;
                case ConsoleKey.DownArrow when back < _history.Count:
                    back++;
                    line.Clear().Append(back < _history.Count ? _history[back] : "");
                    cursor = line.Length;
                    break;
                case ConsoleKey.Tab:
                    var start = line.ToString(0, cursor).LastIndexOf(' ') + 1;
                    var partial = line.ToString(start, cursor - start);
                    var matches = words().Where(w => w.StartsWith(partial, StringComparison.OrdinalIgnoreCase)).Distinct().ToArray();
                    if (matches.Length == 1)
                    {
                        line.Remove(start, cursor - start).Insert(start, matches[0] + " ");
                        cursor = start + matches[0].Length + 1;
                    }
                    else if (matches.Length > 1)
                    {
                        Console.WriteLine();
                        Console.WriteLine(string.Join("  ", matches));
                    }
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar)) line.Insert(cursor++, key.KeyChar);
                    break;
            }
            Redraw();
        }
    }
}
