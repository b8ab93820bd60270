using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Trading.Node.Tests;

/// <summary>scripts/start-node.sh (run by bash, with a stand-in CLI: no Release build) and the service lifetime.</summary>
public sealed class DeploymentTests
{
    private static readonly string Script = Path.Combine(CliRunner.RepoRoot, "scripts", "start-node.sh");

    private static (int Code, string Out, string Err) StartNode(Dictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(20_000)) { p.Kill(true); throw new TimeoutException("start-node.sh did not finish in 20 s"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory]
    [InlineData("brain", "error: start-node: role 'brain' must be trader, witness or worker")]
    [InlineData("", "error: start-node: usage: scripts/start-node.sh trader|witness|worker [--config FILE] [trading node options]")]
    [InlineData("Trader", "error: start-node: role 'Trader' must be trader, witness or worker")]
    public void A_bad_role_is_one_line_and_exit_1(string role, string expected)
    {
        var (code, stdout, stderr) = role.Length == 0 ? StartNode([]) : StartNode([], role);
        Assert.Equal(1, code);
        Assert.Equal(expected, stderr.TrimEnd('\n'));
        Assert.Equal("", stdout);
    }

    [Fact]
    public void A_missing_config_is_one_line_before_anything_is_built()
    {
        var (code, _, stderr) = StartNode([], "witness", "--config", "/nonexistent/witness.conf");
        Assert.Equal(1, code);
        Assert.Equal("error: start-node: config '/nonexistent/witness.conf' not found (give one with --config FILE)", stderr.TrimEnd('\n'));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_role_is_exported_the_environment_passes_through_and_extra_options_follow()
    {
        var dir = Directory.CreateTempSubdirectory("start-node-");
        try
        {
            var cli = Path.Combine(dir.FullName, "trading");
            File.WriteAllText(cli, "#!/bin/sh\necho \"role=$TRADING_CLUSTER_ROLE port=$TRADING_CLUSTER_PORT seeds=$TRADING_CLUSTER_SEEDS args=$*\"\n");
            File.SetUnixFileMode(cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var conf = Path.Combine(dir.FullName, "w.conf");
            File.WriteAllText(conf, "trading.cluster { role = worker }\n");
            var (code, stdout, _) = StartNode(new() { ["TRADING_CLI"] = cli, ["TRADING_CLUSTER_PORT"] = "4103", ["TRADING_CLUSTER_SEEDS"] = "127.0.0.1:4101" },
                "worker", "--speed", "2", $"--config={conf}");
            Assert.Equal(0, code);
            Assert.Equal($"role=worker port=4103 seeds=127.0.0.1:4101 args=node --config {conf} --speed 2", stdout.TrimEnd('\n'));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Outside_a_service_the_lifetime_is_the_consoles()
    {
        Assert.False(Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService(), "the test runner itself runs as a systemd service");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Assert.Equal(ServiceLifetimeKind.Console, builder.UseTradingServiceLifetime());
        using var host = builder.Build();
        Assert.IsType<Microsoft.Extensions.Hosting.Internal.ConsoleLifetime>(host.Services.GetRequiredService<IHostLifetime>());
    }

    private static string Deploy(params string[] path) => Path.Combine([CliRunner.RepoRoot, "deploy", .. path]);

    [Fact]
    public void The_systemd_unit_notifies_restarts_is_hardened_and_reads_secrets_from_its_env_file()
    {
        var service = new Dictionary<string, List<string>>();
        string? section = null;
        foreach (var raw in File.ReadLines(Deploy("systemd", "trading-node@.service")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('[')) { section = line; continue; }
            if (section != "[Service]") continue;
            var eq = line.IndexOf('=');
            (service.TryGetValue(line[..eq], out var l) ? l : service[line[..eq]] = []).Add(line[(eq + 1)..]);
        }
        string One(string key) => Assert.Single(service[key]);
        Assert.Equal("notify", One("Type"));
        Assert.Equal("always", One("Restart"));
        Assert.Equal("2", One("RestartSec"));
        Assert.Equal("trading", One("User"));
        Assert.Equal("/etc/trading/%i.env", One("EnvironmentFile"));
        Assert.Equal("yes", One("NoNewPrivileges"));
        Assert.Equal("strict", One("ProtectSystem"));
        Assert.Equal("/var/lib/trading/%i", One("ReadWritePaths"));
        Assert.Equal("yes", One("PrivateTmp"));
        Assert.Contains("TRADING_CLUSTER_ROLE=%i", service["Environment"]);
        Assert.StartsWith("/opt/trading/trading node --config /etc/trading/%i.conf ", One("ExecStart"));
        // The node's host allows 20 s for its graceful stop (the hand-over); systemd must not SIGKILL it before.
        Assert.True(int.Parse(One("TimeoutStopSec")) > 20);
    }

    [Fact]
    public void The_env_example_sets_only_variables_the_node_reads_and_only_placeholder_secrets()
    {
        string[] known = [Trading.Cluster.Hosting.ClusterSettings.HostVariable, Trading.Cluster.Hosting.ClusterSettings.PublicHostVariable,
            Trading.Cluster.Hosting.ClusterSettings.PortVariable, Trading.Cluster.Hosting.ClusterSettings.SeedsVariable,
            Trading.Cluster.Health.HealthOptions.PortVariable, Trading.Cluster.Health.HealthOptions.HostVariable,
            Trading.Runtime.Persistence.PostgresJournal.ConnectionVariable, Trading.Node.Commands.NodeFileOptions.SecretVariable];
        var set = File.ReadLines(Deploy("systemd", "trading-node.env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => (Name: l[..l.IndexOf('=')], Value: l[(l.IndexOf('=') + 1)..])).ToList();
        Assert.All(set, v => Assert.Contains(v.Name, known));
        Assert.Contains("Password=REPLACE_ME", set.Single(v => v.Name == Trading.Runtime.Persistence.PostgresJournal.ConnectionVariable).Value);
        Assert.StartsWith("REPLACE_", set.Single(v => v.Name == Trading.Node.Commands.NodeFileOptions.SecretVariable).Value);
    }

    [Fact]
    public void The_windows_installer_registers_the_service_name_the_node_uses_with_restart_on_failure()
    {
        var script = File.ReadAllText(Deploy("windows", "install-service.ps1"));
        Assert.Contains($"[string] $ServiceName = '{ServiceHosting.WindowsServiceName}'", script);
        Assert.Contains("node --config", script);
        Assert.Matches(@"sc\.exe failure \$ServiceName reset= \d+ actions= restart/\d+", script);
        // Secrets are read without echo and never put on the command line (sc.exe qc shows it to every user).
        Assert.Contains("Read-Host -AsSecureString", script);
        Assert.DoesNotMatch(@"binPath.*TRADING_(PG_CONNECTION|BRIDGE_SECRET)", script);
    }
}
