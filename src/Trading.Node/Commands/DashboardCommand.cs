using System.CommandLine;
using System.Security.Cryptography;
using Serilog;
using Trading.Cluster.Control;
using Trading.Dashboard;
using Trading.Dashboard.Audit;
using Trading.Dashboard.Auth;
using Trading.Runtime;
using Trading.Runtime.Configuration;
using Trading.Runtime.Hosting;
using Trading.Runtime.ReadModels;

namespace Trading.Node.Commands;

/// <summary>
/// <c>trading dashboard --config NODE.conf</c>: the web dashboard standalone, against the node's database (views from
/// the read models; controls answer 503: there is no runtime to send them to). <c>trading dashboard-user
/// add|list|remove|unlock|first-admin</c>: its users in the same database. A password comes from an owner-only
/// <c>--password-file</c>, <see cref="PasswordVariable"/>, or the terminal (twice, not echoed); it is never printed or logged.
/// </summary>
internal static class DashboardCommand
{
    public const string PasswordVariable = "TRADING_DASHBOARD_PASSWORD";
    private static readonly string[] NodeKeys = ["mode", "strategy", "store", "data-dir", "journal", "paper", "broker", "statement", "data-refresh", "late-tick-tolerance"];

    public static Command Serve()
    {
        var config = new Option<string>("--config", "-c") { Description = "The node's HOCON (its trading.dashboard block and its database)", Required = true };
        var dataDir = new Option<string?>("--data-dir") { Description = "The node's data folder (overrides trading.node.data-dir)" };
        var cmd = new Command("dashboard", "Run the web dashboard standalone against a node's database (controls need it on the node)") { config, dataDir };
        cmd.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var file = parse.GetValue(config)!;
            var root = HoconFile.Load(file);
            var settings = DashboardSettings.FromConfig(root, file)
                ?? throw new ConfigException($"{file}: no 'trading.dashboard' block (e.g. trading.dashboard {{ bind = \"127.0.0.1:8080\" }}).");
            var node = TradingNodeOptions.FromConfig(root, file);
            var (database, data) = Database(root, file, parse.GetValue(dataDir));
            await database.EnsureSchemaAsync(ct);
            var sources = new DashboardSources(node.AccountId, new ReadModels(database))
            {
                ReportRoots = [Path.Combine(data, "reports"), Path.GetFullPath("out")],
            };
            await using var app = await DashboardApp.StartAsync(settings, database, sources, ct);
            if (await new DashboardUsers(database, TimeProvider.System).CountAsync(ct) == 0)
                Console.Error.WriteLine($"warning: the dashboard has no user yet: trading dashboard-user add NAME --role admin --config {file}");
            Console.WriteLine($"Dashboard (standalone) of account '{node.AccountId}' on {app.Url} — database {database.Description}; stop with Ctrl-C");
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { }
            return 0;
        }));
        return cmd;
    }

    public static Command Users()
    {
        var cmd = new Command("dashboard-user", "Users of the web dashboard (in the node's database)");
        var config = new Option<string>("--config", "-c") { Description = "The node's HOCON (its database)", Required = true, Recursive = true };
        var dataDir = new Option<string?>("--data-dir") { Description = "The node's data folder (overrides trading.node.data-dir)", Recursive = true };
        cmd.Options.Add(config);
        cmd.Options.Add(dataDir);

        var name = new Argument<string>("name") { Description = "The user's name (1–64 letters, digits, '.', '_', '@', '-')" };
        var role = new Option<string>("--role") { Description = "viewer, operator or admin", Required = true };
        var passwordFile = new Option<string?>("--password-file") { Description = $"An owner-only file holding the password (else ${PasswordVariable}, else asked twice)" };
        var add = new Command("add", "Add a user (the first admin is created this way)") { name, role, passwordFile };
        add.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (users, audit, _) = Open(parse.GetValue(config)!, parse.GetValue(dataDir));
            var n = DashboardUsers.CheckName(parse.GetValue(name)!.Trim());
            var r = DashboardUsers.CheckRole(parse.GetValue(role)!);
            await users.AddAsync(n, r, ReadPassword(parse.GetValue(passwordFile)), ct);
            await audit.WriteAsync(Operator(), "user added", $"{n} ({r})", true, ct);
            Console.WriteLine($"user '{n}' ({r}) added");
            return 0;
        }));

        var list = new Command("list", "The users, their roles and lock-outs");
        list.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (users, _, _) = Open(parse.GetValue(config)!, parse.GetValue(dataDir));
            var rows = await users.ListAsync(ct);
            if (rows.Count == 0) Console.WriteLine("no users (add one: trading dashboard-user add NAME --role admin --config …)");
            foreach (var u in rows)
                Console.WriteLine($"{u.Name,-20} {u.Role,-8} created {u.CreatedAt:yyyy-MM-dd HH:mm} UTC"
                    + (u.LockedUntil is { } until && until > DateTimeOffset.UtcNow ? $"  LOCKED until {until:yyyy-MM-dd HH:mm} UTC" : "")
                    + (u.Failed > 0 ? $"  {u.Failed} failed logins" : ""));
            return 0;
        }));

        var removeName = new Argument<string>("name") { Description = "The user to remove" };
        var remove = new Command("remove", "Remove a user (an open session ends at its next request)") { removeName };
        remove.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (users, audit, _) = Open(parse.GetValue(config)!, parse.GetValue(dataDir));
            var n = parse.GetValue(removeName)!.Trim();
            if (!await users.RemoveAsync(n, ct)) throw new DashboardUserException($"no user '{n}'.");
            await audit.WriteAsync(Operator(), "user removed", n, true, ct);
            Console.WriteLine($"user '{n}' removed");
            return 0;
        }));

        var unlockName = new Argument<string>("name") { Description = "The locked-out user" };
        var unlock = new Command("unlock", "Lift a user's lock-out after failed logins") { unlockName };
        unlock.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (users, audit, _) = Open(parse.GetValue(config)!, parse.GetValue(dataDir));
            var n = parse.GetValue(unlockName)!.Trim();
            if (!await users.UnlockAsync(n, ct)) throw new DashboardUserException($"no user '{n}'.");
            await audit.WriteAsync(Operator(), "user unlocked", n, true, ct);
            Console.WriteLine($"user '{n}' unlocked");
            return 0;
        }));

        var adminName = new Option<string>("--name") { Description = "The admin's name", DefaultValueFactory = _ => "admin" };
        var passwordOut = new Option<string?>("--password-out") { Description = "Where to write the generated password, owner-only (default: DATA-DIR/dashboard-admin-password.txt)" };
        var first = new Command("first-admin", "When the database has no user: create an admin with a random password written to an owner-only file")
        {
            adminName, passwordOut,
        };
        first.SetAction((parse, ct) => Cli.Guard(async () =>
        {
            var (users, audit, data) = Open(parse.GetValue(config)!, parse.GetValue(dataDir));
            var n = DashboardUsers.CheckName(parse.GetValue(adminName)!.Trim());
            var count = await users.CountAsync(ct);
            if (count > 0)
            {
                Console.WriteLine($"the dashboard has {count} user(s): no first admin created");
                return 0;
            }
            var file = Path.GetFullPath(parse.GetValue(passwordOut) ?? Path.Combine(data, "dashboard-admin-password.txt"));
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
            WriteOwnerOnly(file, password + "\n");
            await users.AddAsync(n, DashboardPolicies.Admin, password, ct);
            await audit.WriteAsync(Operator(), "user added", $"{n} (admin, first admin, password in an owner-only file)", true, ct);
            Console.WriteLine($"first admin '{n}' created; the password is in {file} (owner-only)");
            return 0;
        }));

        foreach (var c in new[] { add, list, remove, unlock, first }) cmd.Subcommands.Add(c);
        return cmd;
    }

    /// <summary>
    /// The node's read-model database: the SQLite journal in its data folder (<c>trading.node.data-dir</c>, relative to
    /// the file; <c>node-data</c> when absent, as a cluster member's) or the PostgreSQL one of TRADING_PG_CONNECTION.
    /// </summary>
    internal static (ReadModelDatabase Database, string DataDir) Database(Akka.Configuration.Config root, string file, string? dataDirOverride)
    {
        var n = ConfigBlock.Root(root, file).Block("trading", null)?.Block("node", NodeKeys);
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var data = dataDirOverride is { } d ? Path.GetFullPath(d)
            : n?.Text("data-dir") is { Length: > 0 } dd ? Path.GetFullPath(Path.Combine(dir, dd)) : Path.GetFullPath(Path.Combine(dir, "node-data"));
        var journal = (n?.Text("journal") ?? "sqlite").Trim().ToLowerInvariant();
        return journal switch
        {
            "sqlite" => (ReadModelDatabase.Sqlite(Path.Combine(Directory.CreateDirectory(data).FullName, "journal.db")), data),
            "postgres" or "postgresql" => (ReadModelDatabase.Postgres(null), data),
            _ => throw new ConfigException($"{n!.Where("journal")} = '{journal}': the dashboard's users live in the node's database (sqlite or postgres)."),
        };
    }

    private static (DashboardUsers, DashboardAudit, string DataDir) Open(string file, string? dataDir)
    {
        var (database, data) = Database(HoconFile.Load(file), file, dataDir);
        return (new DashboardUsers(database, TimeProvider.System), new DashboardAudit(database, TimeProvider.System), data);
    }

    /// <summary>Who ran the command, for the audit trail.</summary>
    private static string Operator() => $"cli:{Environment.UserName}";

    /// <summary>The password from an owner-only file, the environment, or the terminal (twice, without echo). Errors never quote it.</summary>
    private static string ReadPassword(string? file)
    {
        string password;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--password-file: {file} does not exist.");
            ConsoleUsers.RequireOwnerOnly(file);
            password = File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        else if (Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } env) password = env;
        else if (Console.IsInputRedirected)
            throw new ConfigException($"no password: give --password-file FILE (owner-only) or set {PasswordVariable}.");
        else
        {
            password = Prompt("password: ");
            if (Prompt("again: ") != password) throw new DashboardUserException("the two passwords differ.");
        }
        DashboardUsers.CheckPassword(password);
        return password;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var b = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (b.Length > 0) b.Length--; }
            else if (!char.IsControl(key.KeyChar)) b.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return b.ToString();
    }

    private static void WriteOwnerOnly(string file, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (File.Exists(file)) File.Delete(file);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var w = new StreamWriter(new FileStream(file, options));
        w.Write(text);
    }
}
