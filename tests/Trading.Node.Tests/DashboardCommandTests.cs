using Trading.Dashboard.Auth;
using Trading.Runtime.ReadModels;

namespace Trading.Node.Tests;

/// <summary>
/// <c>trading dashboard-user …</c> and <c>trading dashboard</c> end to end through <see cref="CliRunner"/>: users land in
/// the node's database (its SQLite journal file) with a hash only, the password is never in the output, and a bad
/// <c>trading.dashboard</c> value is one line and exit code 1.
/// </summary>
[Collection("console")]
public class DashboardCommandTests
{
    private static string Node(string dir, string dashboard = "")
    {
        var file = Path.Combine(dir, "node.conf");
        File.WriteAllText(file, $$"""
            trading {
              account-id = "paper"
              node { data-dir = "data", journal = sqlite }
              {{dashboard}}
            }
            """);
        return file;
    }

    private static string Secret(string dir, string name, string text)
    {
        var f = Path.Combine(dir, name);
        File.WriteAllText(f, text + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return f;
    }

    [Fact]
    public async Task Users_are_added_listed_unlocked_and_removed_and_no_password_is_printed()
    {
        var dir = CliRunner.TempDir();
        var node = Node(dir);
        const string password = "a long enough password";
        var (exit, output, err) = await CliRunner.Run("dashboard-user", "add", "ann", "--role", "operator", "--config", node, "--password-file", Secret(dir, "pw", password));
        Assert.True(exit == 0, err);
        Assert.Contains("user 'ann' (operator) added", output);
        Environment.SetEnvironmentVariable("TRADING_DASHBOARD_PASSWORD", "another long password");
        try
        {
            (exit, output, err) = await CliRunner.Run("dashboard-user", "add", "vera", "--role", "viewer", "--config", node);
            Assert.True(exit == 0, err);
        }
        finally
        {
            Environment.SetEnvironmentVariable("TRADING_DASHBOARD_PASSWORD", null);
        }

        var database = ReadModelDatabase.Sqlite(Path.Combine(dir, "data", "journal.db"));
        var users = new DashboardUsers(database, TimeProvider.System);
        Assert.Equal(LoginOutcome.Ok, (await users.LoginAsync("ann", password, 2, TimeSpan.FromHours(1))).Outcome);
        Assert.Equal("viewer", (await users.LoginAsync("vera", "another long password", 2, TimeSpan.FromHours(1))).Role);
        await users.LoginAsync("ann", "wrong password!", 2, TimeSpan.FromHours(1));
        Assert.Equal(LoginOutcome.Locked, (await users.LoginAsync("ann", "wrong password!", 2, TimeSpan.FromHours(1))).Outcome);

        (exit, output, err) = await CliRunner.Run("dashboard-user", "list", "--config", node);
        Assert.True(exit == 0, err);
        Assert.Contains("ann", output);
        Assert.Contains("LOCKED until", output);
        Assert.Contains("vera", output);
        (exit, output, _) = await CliRunner.Run("dashboard-user", "unlock", "ann", "--config", node);
        Assert.Equal(0, exit);
        Assert.Equal(LoginOutcome.Ok, (await users.LoginAsync("ann", password, 2, TimeSpan.FromHours(1))).Outcome);
        (exit, _, _) = await CliRunner.Run("dashboard-user", "remove", "vera", "--config", node);
        Assert.Equal(0, exit);
        Assert.Equal(["ann"], (await users.ListAsync()).Select(u => u.Name));

        (exit, _, err) = await CliRunner.Run("dashboard-user", "remove", "vera", "--config", node);
        Assert.Equal((1, "error: no user 'vera'."), (exit, err.Trim()));
        (exit, _, err) = await CliRunner.Run("dashboard-user", "add", "ann", "--role", "admin", "--config", node, "--password-file", Secret(dir, "pw2", "yet another password"));
        Assert.Equal(1, exit);
        Assert.Contains("already exists", err);
        (exit, _, err) = await CliRunner.Run("dashboard-user", "add", "bob", "--role", "admin", "--config", node, "--password-file", Secret(dir, "short", "short"));
        Assert.Equal((1, "error: the password must have at least 10 characters."), (exit, err.Trim()));
        (exit, _, err) = await CliRunner.Run("dashboard-user", "add", "bob", "--role", "boss", "--config", node, "--password-file", Secret(dir, "pw3", "a fine password"));
        Assert.Contains("role 'boss' must be viewer, operator or admin", err);
        var open = Path.Combine(dir, "open-pw");
        File.WriteAllText(open, "readable by everyone\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            (exit, _, err) = await CliRunner.Run("dashboard-user", "add", "bob", "--role", "admin", "--config", node, "--password-file", open);
            Assert.Equal(1, exit);
            Assert.Contains("chmod 600", err);
            Assert.DoesNotContain("readable by everyone", err);
        }
        var audit = await new Trading.Dashboard.Audit.DashboardAudit(database, TimeProvider.System).RecentAsync();
        Assert.Contains(audit, a => a.Action == "user added" && a.Detail == "ann (operator)");
        Assert.Contains(audit, a => a.Action == "user removed" && a.Detail == "vera");
        Assert.DoesNotContain(audit, a => a.Detail.Contains(password));
    }

    [Fact]
    public async Task First_admin_writes_a_random_password_to_an_owner_only_file_once_and_prints_only_its_path()
    {
        var dir = CliRunner.TempDir();
        var node = Node(dir);
        var (exit, output, err) = await CliRunner.Run("dashboard-user", "first-admin", "--config", node);
        Assert.True(exit == 0, err);
        var file = Path.Combine(dir, "data", "dashboard-admin-password.txt");
        Assert.Contains(file, output);
        var password = File.ReadAllText(file).Trim();
        Assert.True(password.Length >= 20);
        Assert.DoesNotContain(password, output + err);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var users = new DashboardUsers(ReadModelDatabase.Sqlite(Path.Combine(dir, "data", "journal.db")), TimeProvider.System);
        Assert.Equal(("admin", LoginOutcome.Ok), ((await users.LoginAsync("admin", password, 5, TimeSpan.FromMinutes(1))).Role, (await users.LoginAsync("admin", password, 5, TimeSpan.FromMinutes(1))).Outcome));

        (exit, output, _) = await CliRunner.Run("dashboard-user", "first-admin", "--config", node);
        Assert.Equal(0, exit);
        Assert.Contains("no first admin created", output);
        Assert.Equal(password, File.ReadAllText(file).Trim()); // the file of the admin that exists is left alone
    }

    [Fact]
    public async Task Standalone_the_dashboard_serves_the_nodes_database_logs_in_and_answers_controls_with_503()
    {
        var dir = CliRunner.TempDir();
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var node = Node(dir, $"dashboard {{ bind = \"127.0.0.1:{port}\" }}");
        var (exit, _, err) = await CliRunner.Run("dashboard-user", "add", "ann", "--role", "operator", "--config", node, "--password-file", Secret(dir, "pw", "standalone password"));
        Assert.True(exit == 0, err);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = Task.Run(() => Program.RunAsync(["dashboard", "--config", node], stop.Token));
        try
        {
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            };
            string page;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
            {
                Assert.False(running.IsCompleted, "the dashboard stopped before it answered");
                try { page = await http.GetStringAsync("/login"); break; }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            }
            var token = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
            var login = await http.PostAsync("/login", new FormUrlEncodedContent([new("username", "ann"), new("password", "standalone password"), new("__RequestVerificationToken", token)]));
            Assert.Equal("/", login.Headers.Location?.OriginalString);
            var me = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, "/api/me");
            var req = new HttpRequestMessage(HttpMethod.Post, "/api/control") { Content = System.Net.Http.Json.JsonContent.Create(new { command = "cancel-all", confirm = true }) };
            req.Headers.Add("X-CSRF-TOKEN", me.GetProperty("csrf").GetString());
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.SendAsync(req)).StatusCode);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await running);
        }
    }

    [Theory]
    [InlineData("dashboard { bind = \"nowhere\" }", "'trading.dashboard.bind' = 'nowhere' must be HOST:PORT")]
    [InlineData("dashboard { bind = \"example.com:80\" }", "'example.com' must be an IP address")]
    [InlineData("dashboard { bind = \"127.0.0.1:70000\" }", "must be HOST:PORT")]
    [InlineData("dashboard { session-idle = forever }", "'trading.dashboard.session-idle' = 'forever' must be a duration")]
    [InlineData("dashboard { lockout { attempts = 0 } }", "trading.dashboard.lockout.attempts")]
    [InlineData("dashboard { login-rate { per-minute = lots } }", "trading.dashboard.login-rate.per-minute")]
    [InlineData("dashboard { cookie-name = \"a b\" }", "trading.dashboard.cookie-name")]
    [InlineData("dashboard { certificate { file = \"missing.pfx\" } }", "trading.dashboard.certificate.file")]
    [InlineData("dashboard { colour = red }", "colour")]
    public async Task A_bad_dashboard_value_is_one_line_naming_the_file_and_key_and_exit_1(string block, string expected)
    {
        var dir = CliRunner.TempDir();
        var node = Node(dir, block);
        var (exit, output, err) = await CliRunner.Run("dashboard", "--config", node);
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(node, line);
        Assert.Contains(expected, line);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task A_node_with_a_bad_dashboard_block_stops_before_it_starts()
    {
        var dir = CliRunner.TempDir();
        var file = Path.Combine(dir, "node.conf");
        File.WriteAllText(file, $$"""
            include "{{Path.Combine(CliRunner.RepoRoot, "examples", "paper-node.conf").Replace("\\", "/")}}"
            trading.node.data-dir = "{{Path.Combine(dir, "data").Replace("\\", "/")}}"
            trading.dashboard { lockout { duration = 0s } }
            """);
        var (exit, _, err) = await CliRunner.Run("node", "--config", file);
        Assert.Equal(1, exit);
        Assert.Contains("'trading.dashboard.lockout.duration' = '0s' must be between", err);
        Assert.False(File.Exists(Path.Combine(dir, "data", "journal.db")));
    }
}
